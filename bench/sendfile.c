/*
 * sendfile.c - serving a large file over TCP loopback: skt_sendfile
 * against a raw sendfile(2) loop, against read + skt_sendall in 128 KiB
 * blocks (what a program without sendfile does), and against Python's
 * socket.sendfile (bench/sendfile.py). A sender thread serves the file;
 * the main thread receives it into a 1 MiB buffer. The file (1 GiB by
 * default, about 20 s in all on 2 cores; SKT_BENCH_SENDFILE_MIB=256 for a
 * quicker run) is written once and read once before timing, so every run
 * serves it from the page cache.
 *
 * Target: skt_sendfile >= 0.97x raw sendfile(2).
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "skt.h"

enum { ROUNDS = 5, BLOCK = 128 * 1024, RECV_BUF = 1 << 20 };

enum mode { RAW_SENDFILE, SKT_SENDFILE, READ_SENDALL, MODES };

static const char *const mode_names[MODES] = {
    "raw sendfile(2) loop",
    "skt_sendfile",
    "read + skt_sendall, 128 KiB blocks",
};

struct run {
    skt_socket *sender;
    int fd;
    size_t size;
    enum mode mode;
};

static void send_raw(struct run *r)
{
    off_t offset = 0;

    while ((size_t)offset < r->size)
        if (sendfile(bench_fd(r->sender), r->fd, &offset,
                     r->size - (size_t)offset) <= 0)
            abort();
}

static void send_copy(struct run *r)
{
    static char block[BLOCK];
    off_t offset = 0;

    while ((size_t)offset < r->size) {
        ssize_t n = pread(r->fd, block, BLOCK, offset);
        if (n <= 0 || skt_sendall(r->sender, block, (size_t)n, 0, NULL) != 0)
            abort();
        offset += n;
    }
}

static void *sender_main(void *arg)
{
    struct run *r = arg;
    size_t sent = 0;

    if (r->mode == RAW_SENDFILE)
        send_raw(r);
    else if (r->mode == READ_SENDALL)
        send_copy(r);
    else if (skt_sendfile(r->sender, r->fd, 0, r->size, &sent) != 0 ||
             sent != r->size)
        abort();
    return NULL;
}

static void tcp_pair(skt_socket **client, skt_socket **server)
{
    skt_socket *listener;
    skt_addr a;

    bench_check(skt_create_server(&listener, "127.0.0.1", "0", NULL),
                "create_server");
    bench_check(skt_getsockname(listener, &a), "getsockname");
    bench_check(skt_open(client, AF_INET, SOCK_STREAM, 0), "open");
    bench_check(skt_connect(*client, &a), "connect");
    bench_check(skt_accept(listener, server, NULL), "accept");
    skt_close(listener);
}

/* MiB/s of one mode, on a fresh connection. */
static double run_once(struct run *r, char *in)
{
    skt_socket *receiver;
    pthread_t thread;
    size_t got = 0;
    double start;

    tcp_pair(&r->sender, &receiver);
    start = bench_now();
    pthread_create(&thread, NULL, sender_main, r);
    while (got < r->size) {
        ssize_t n = skt_recv(receiver, in, RECV_BUF, 0);
        if (n <= 0)
            abort();
        got += (size_t)n;
    }
    pthread_join(thread, NULL);
    start = bench_now() - start;
    skt_close(r->sender);
    skt_close(receiver);
    return (double)r->size / start / (1 << 20);
}

/* Writes the file and reads it back once, so that it is cached. */
static int make_file(char *path, size_t size)
{
    static char block[1 << 20];
    int fd;

    strcpy(path, "/tmp/skt-bench-sendfile-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        bench_check(-1, "mkstemp");
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)(i * 7 ^ i >> 9);
    for (size_t done = 0; done < size; done += sizeof block)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            bench_check(-1, "write");
    for (off_t o = 0; (size_t)o < size; o += (off_t)sizeof block)
        if (pread(fd, block, sizeof block, o) <= 0)
            bench_check(-1, "read");
    return fd;
}

int main(void)
{
    const char *mib_text = getenv("SKT_BENCH_SENDFILE_MIB");
    size_t mib = mib_text != NULL ? strtoul(mib_text, NULL, 10) : 1024;
    double rates[MODES][ROUNDS], median[MODES], python;
    char path[64], args[128];
    struct run r = {0};
    char *in = malloc(RECV_BUF);

    if (mib == 0 || in == NULL)
        bench_check(-1, "SKT_BENCH_SENDFILE_MIB");
    r.size = mib << 20;
    r.fd = make_file(path, r.size);
    for (int i = 0; i < ROUNDS; i++)
        for (int k = 0; k < MODES; k++) {
            r.mode = (enum mode)((i + k) % MODES);
            rates[r.mode][i] = run_once(&r, in);
        }
    snprintf(args, sizeof args, "%s %d", path, ROUNDS);
    python = bench_python("sendfile.py", args);
    for (int m = 0; m < MODES; m++)
        median[m] = bench_median(rates[m], ROUNDS);
    printf("sendfile: a %zu MiB file over TCP loopback, median of %d "
           "rounds\n", mib, ROUNDS);
    for (int m = 0; m < MODES; m++)
        printf("  %-36s %8.0f MiB/s  %.3fx raw sendfile\n", mode_names[m],
               median[m], median[m] / median[RAW_SENDFILE]);
    if (python > 0)
        printf("  %-36s %8.0f MiB/s  %.3fx raw sendfile\n",
               "Python socket.sendfile", python,
               python / median[RAW_SENDFILE]);
    printf("  skt_sendfile vs read + sendall: %.2fx; vs Python: %s%.2fx; "
           "target >= 0.97x raw\n",
           median[SKT_SENDFILE] / median[READ_SENDALL],
           python > 0 ? "" : "(no python3) ",
           python > 0 ? median[SKT_SENDFILE] / python : 0.0);
    close(r.fd);
    unlink(path);
    free(in);
    return 0;
}
