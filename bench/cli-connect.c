/*
 * cli-connect.c - the skt tool's process start + connect + close per
 * second: `skt 127.0.0.1 PORT < /dev/null` run again and again, against
 * `ncat 127.0.0.1 PORT` and `nc.openbsd -N 127.0.0.1 PORT` doing the same
 * job, in the same run, against the same listener (a thread here that
 * reads each connection to its end, then closes it). Each tool runs
 * RUNS times in all, in ROUNDS rounds taken in turns; the figure is the
 * median round's rate. ncat links OpenSSL as skt does, and loads its
 * trust store at every start; nc.openbsd links no TLS library.
 *
 * Target: skt >= 1.0x ncat.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skt.h"

enum { RUNS = 1000, ROUNDS = 5, TOOLS = 3 };

extern char **environ;

struct tool {
    const char *name;
    const char *argv[6];
    double rate[ROUNDS];
    bool present;
};

/* The listener's thread: each connection read to its end, then closed. */
static void *serve(void *arg)
{
    skt_socket *listener = arg, *conn;
    char buf[4096];

    while (skt_accept(listener, &conn, NULL) == 0) {
        while (skt_recv(conn, buf, sizeof buf, 0) > 0)
            ;
        skt_close(conn);
    }
    return NULL;
}

/* True when the program is on PATH (or is a path that exists). */
static bool installed(const char *program)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", program);
    return system(cmd) == 0;
}

/* One run of the tool, stdin, stdout and stderr on /dev/null; exits the
 * benchmark if it fails, so that no failure is timed as a success. */
static void run_once(const struct tool *t, posix_spawn_file_actions_t *fa)
{
    pid_t pid;
    int status, rc = posix_spawnp(&pid, t->argv[0], fa, NULL,
                                  (char **)t->argv, environ);

    if (rc != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench-cli-connect: %s failed (%s)\n", t->name,
                rc ? strerror(rc) : "exit status");
        exit(1);
    }
}

static double round_rate(const struct tool *t, int runs)
{
    posix_spawn_file_actions_t fa;
    double start;

    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd < 3; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null",
                                         fd ? O_WRONLY : O_RDONLY, 0);
    start = bench_now();
    for (int i = 0; i < runs; i++)
        run_once(t, &fa);
    posix_spawn_file_actions_destroy(&fa);
    return runs / (bench_now() - start);
}

int main(void)
{
    struct tool tools[TOOLS] = {
        {"skt", {SKT_TOOL_PATH, "127.0.0.1", NULL}, {0}, true},
        {"ncat", {"ncat", "127.0.0.1", NULL}, {0}, false},
        {"nc.openbsd", {"nc.openbsd", "-N", "127.0.0.1", NULL}, {0}, false},
    };
    skt_socket *listener;
    pthread_t thread;
    skt_addr a;
    char port[8];
    int runs = RUNS / ROUNDS;

    bench_check(skt_create_server(&listener, "127.0.0.1", "0", NULL),
                "create_server");
    bench_check(skt_getsockname(listener, &a), "getsockname");
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    for (int i = 0; i < TOOLS; i++) {
        int last = 0;
        while (tools[i].argv[last] != NULL)
            last++;
        tools[i].argv[last] = port;
        tools[i].present = i == 0 || installed(tools[i].argv[0]);
    }
    bench_check(pthread_create(&thread, NULL, serve, listener) ? -1 : 0,
                "pthread_create");
    for (int r = 0; r < ROUNDS; r++)
        /* In turns, starting with another tool each round. */
        for (int k = 0; k < TOOLS; k++) {
            struct tool *t = &tools[(r + k) % TOOLS];
            if (t->present)
                t->rate[r] = round_rate(t, runs);
        }
    printf("cli-connect: `TOOL 127.0.0.1 PORT < /dev/null` (process start + "
           "connect + close), %d runs each, median of %d rounds\n", RUNS,
           ROUNDS);
    double skt_rate = bench_median(tools[0].rate, ROUNDS);
    printf("  skt                %8.0f runs/s\n", skt_rate);
    for (int i = 1; i < TOOLS; i++) {
        double rate;
        if (!tools[i].present) {
            printf("  %-18s (not installed)\n", tools[i].name);
            continue;
        }
        rate = bench_median(tools[i].rate, ROUNDS);
        printf("  %-18s %8.0f runs/s  skt = %.2fx %s%s\n", tools[i].name,
               rate, skt_rate / rate, tools[i].name,
               i == 1 ? "  (target >= 1.0x)" : "");
    }
    /* The thread blocks in accept; the process ends it. */
    return 0;
}
