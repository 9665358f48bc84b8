/*
 * lines.c - reading 1 GiB of 100-byte lines through skt_stream.
 *
 * A writer thread sends the lines over an AF_UNIX socketpair; the reader
 * takes them one by one, in three ways interleaved in every round: a raw
 * recv + memchr loop (the reference), skt_stream_readline (each line
 * copied out, as Python's readline does) and skt_stream_readline_view
 * (no copy). Each way checks every line, so none can skip work. Python's
 * makefile().readline() reads a smaller volume of the same lines, for
 * reference; all figures are per line. The reader thread's CPU time per
 * line is printed too: on a shared machine it moves less than the wall
 * clock.
 *
 * Target: skt_stream_readline at >= 0.9x the raw loop's throughput.
 */
#include "common.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "skt.h"

enum {
    LINE = 100,
    LINES_PER_BLOCK = 640,
    BLOCK = LINE * LINES_PER_BLOCK,
    ROUNDS = 5,
    BUFFER = 65536,
};

/* 1 GiB, rounded down to whole blocks. */
static const uint64_t TOTAL_LINES = ((1ull << 30) / BLOCK) * LINES_PER_BLOCK;

/* What a reader computes from the lines, to compare with the writer's. */
struct tally {
    uint64_t lines;
    uint64_t sum;
};

/* Line i of a block: 99 bytes of one letter and a newline. */
static void make_block(char *block)
{
    for (int i = 0; i < LINES_PER_BLOCK; i++) {
        memset(block + i * LINE, 'a' + i % 26, LINE - 1);
        block[i * LINE + LINE - 1] = '\n';
    }
}

static void count(struct tally *t, const char *line, size_t len)
{
    t->lines++;
    t->sum += (unsigned char)line[0] + len;
}

struct writer {
    int fd;
    const char *block;
};

static void *write_lines(void *arg)
{
    struct writer *w = arg;
    uint64_t blocks = TOTAL_LINES / LINES_PER_BLOCK;

    for (uint64_t b = 0; b < blocks; b++) {
        for (size_t off = 0; off < BLOCK;) {
            ssize_t n = send(w->fd, w->block + off, BLOCK - off,
                             MSG_NOSIGNAL);
            if (n <= 0)
                abort();
            off += (size_t)n;
        }
    }
    shutdown(w->fd, SHUT_WR);
    return NULL;
}

/* The reference: recv into a buffer, memchr for each line. */
static void read_raw(int fd, struct tally *t)
{
    static char buf[BUFFER];
    size_t have = 0;
    ssize_t n;

    while ((n = recv(fd, buf + have, sizeof buf - have, 0)) > 0) {
        size_t end = have + (size_t)n, start = 0;
        const char *nl;
        while ((nl = memchr(buf + start, '\n', end - start)) != NULL) {
            size_t len = (size_t)(nl - (buf + start)) + 1;
            count(t, buf + start, len);
            start += len;
        }
        have = end - start;
        memmove(buf, buf + start, have);
    }
}

static void read_stream(skt_socket *s, struct tally *t)
{
    char line[128];
    skt_stream *st;
    ssize_t n;

    bench_check(skt_makefile(s, &st, NULL), "makefile");
    while ((n = skt_stream_readline(st, line, sizeof line)) > 0)
        count(t, line, (size_t)n);
    bench_check(n, "readline");
    skt_stream_close(st);
}

static void read_view(skt_socket *s, struct tally *t)
{
    const void *line;
    skt_stream *st;
    ssize_t n;

    bench_check(skt_makefile(s, &st, NULL), "makefile");
    while ((n = skt_stream_readline_view(st, 128, &line)) > 0)
        count(t, line, (size_t)n);
    bench_check(n, "readline_view");
    skt_stream_close(st);
}

/* CPU seconds this thread has used: the reader's own cost, which other
 * processes on a busy machine disturb less than the wall clock. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one way of reading over a fresh socketpair; returns ns per line of
 * wall time, and of the reader's CPU time in *cpu_ns. */
static double run(int way, const char *block, double *cpu_ns)
{
    skt_socket *a, *b;
    struct tally t = {0};
    struct writer w;
    pthread_t thread;
    double start, cpu, elapsed;

    bench_check(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0),
                "socketpair");
    w = (struct writer){bench_fd(a), block};
    start = bench_now();
    cpu = thread_cpu();
    pthread_create(&thread, NULL, write_lines, &w);
    if (way == 0)
        read_raw(bench_fd(b), &t);
    else if (way == 1)
        read_stream(b, &t);
    else
        read_view(b, &t);
    elapsed = bench_now() - start;
    *cpu_ns = (thread_cpu() - cpu) * 1e9 / (double)TOTAL_LINES;
    pthread_join(thread, NULL);
    skt_close(a);
    skt_close(b);
    if (t.lines != TOTAL_LINES) {
        fprintf(stderr, "lines: way %d read %llu lines of %llu\n", way,
                (unsigned long long)t.lines,
                (unsigned long long)TOTAL_LINES);
        exit(1);
    }
    return elapsed * 1e9 / (double)t.lines;
}

int main(void)
{
    static const char *const names[] = {"raw recv + memchr",
                                        "skt_stream_readline",
                                        "skt_stream_readline_view"};
    char *block = malloc(BLOCK);
    double ns[3][ROUNDS], cpu[3][ROUNDS], wall[3], reader[3], python;
    double gib = (double)(TOTAL_LINES * LINE) / (1 << 30);
    char args[64];

    make_block(block);
    for (int r = 0; r < ROUNDS; r++)
        for (int way = 0; way < 3; way++)
            ns[way][r] = run(way, block, &cpu[way][r]);
    printf("lines: %.2f GiB of %d-byte lines over an AF_UNIX socketpair, "
           "median of %d rounds\n", gib, LINE, ROUNDS);
    printf("  %-26s %8s %10s %10s %14s\n", "", "ns/line", "GB/s",
           "vs raw", "reader CPU");
    for (int way = 0; way < 3; way++) {
        wall[way] = bench_median(ns[way], ROUNDS);
        reader[way] = bench_median(cpu[way], ROUNDS);
        printf("  %-26s %8.2f %10.2f %9.3fx %8.2f ns/line%s\n", names[way],
               wall[way], LINE / wall[way], wall[0] / wall[way],
               reader[way], way == 1 ? "  (target >= 0.9x)" : "");
    }
    snprintf(args, sizeof args, "%d %d", 128 << 20, 3);
    python = bench_python("lines.py", args);
    if (python > 0)
        printf("  %-26s %8.2f  (128 MiB; %.2fx skt_stream_readline's time "
               "per line)\n", "python makefile().readline", python,
               python / wall[1]);
    else
        printf("  python: not measured (python3 not available)\n");
    free(block);
    return 0;
}
