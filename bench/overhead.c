/*
 * overhead.c - the cost skt adds to one small send + recv.
 *
 * A same-thread AF_UNIX socketpair; each iteration sends 64 bytes on one
 * end and receives them on the other. Three runs are interleaved in every
 * round (raw syscalls, skt in blocking mode, skt in timeout mode) and the
 * medians of the rounds are compared. Python's socket module, in both
 * modes, runs the same loop for reference.
 *
 * Targets: blocking <= 1.05x raw; timeout mode <= 1.10x raw blocking.
 */
#include "common.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "skt.h"

enum { ITERATIONS = 20000, ROUNDS = 61, MESSAGE = 64 };

static double run_raw(int a, int b)
{
    char out[MESSAGE] = {1}, in[MESSAGE];
    double start = bench_now();

    for (int i = 0; i < ITERATIONS; i++) {
        if (send(a, out, MESSAGE, MSG_NOSIGNAL) != MESSAGE ||
            recv(b, in, MESSAGE, 0) != MESSAGE)
            abort();
    }
    return (bench_now() - start) * 1e9 / ITERATIONS;
}

static double run_skt(skt_socket *a, skt_socket *b)
{
    char out[MESSAGE] = {1}, in[MESSAGE];
    double start = bench_now();

    for (int i = 0; i < ITERATIONS; i++) {
        if (skt_send(a, out, MESSAGE, 0) != MESSAGE ||
            skt_recv(b, in, MESSAGE, 0) != MESSAGE)
            abort();
    }
    return (bench_now() - start) * 1e9 / ITERATIONS;
}

int main(void)
{
    skt_socket *a, *b, *ta, *tb;
    double raw[ROUNDS], blocking[ROUNDS], timeout[ROUNDS];
    double raw_ns, blocking_ns, timeout_ns, py_blocking, py_timeout;
    char args[64];

    cpu_set_t one;

    /* One thread, one CPU: a migration mid-round is noise, not cost. */
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
    sched_setaffinity(0, sizeof one, &one);
    bench_check(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0), "socketpair");
    bench_check(skt_socketpair(&ta, &tb, AF_UNIX, SOCK_STREAM, 0),
                "socketpair");
    bench_check(skt_settimeout(ta, 30.0), "settimeout");
    bench_check(skt_settimeout(tb, 30.0), "settimeout");
    /* The order rotates so that no variant always runs first. */
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < 3; k++) {
            int which = (r + k) % 3;
            if (which == 0)
                raw[r] = run_raw(bench_fd(a), bench_fd(b));
            else if (which == 1)
                blocking[r] = run_skt(a, b);
            else
                timeout[r] = run_skt(ta, tb);
        }
    }
    raw_ns = bench_median(raw, ROUNDS);
    blocking_ns = bench_median(blocking, ROUNDS);
    timeout_ns = bench_median(timeout, ROUNDS);

    printf("overhead: 64-byte send + recv, same-thread AF_UNIX socketpair, "
           "median of %d rounds x %d\n", ROUNDS, ITERATIONS);
    printf("  raw syscalls (blocking)   %8.1f ns/op\n", raw_ns);
    printf("  skt blocking mode         %8.1f ns/op  %.3fx raw  "
           "(target <= 1.05x)\n", blocking_ns, blocking_ns / raw_ns);
    printf("  skt timeout mode          %8.1f ns/op  %.3fx raw  "
           "(target <= 1.10x)\n", timeout_ns, timeout_ns / raw_ns);

    snprintf(args, sizeof args, "%d %d", 50000, 5);
    py_blocking = bench_python("overhead.py", args);
    snprintf(args, sizeof args, "%d %d 30", 50000, 5);
    py_timeout = bench_python("overhead.py", args);
    if (py_blocking > 0 && py_timeout > 0) {
        printf("  python blocking mode      %8.1f ns/op  %.3fx raw\n",
               py_blocking, py_blocking / raw_ns);
        printf("  python timeout mode       %8.1f ns/op  %.3fx raw  "
               "(%.2fx skt timeout mode)\n", py_timeout, py_timeout / raw_ns,
               py_timeout / timeout_ns);
    } else {
        printf("  python: not measured (python3 not available)\n");
    }
    skt_close(a);
    skt_close(b);
    skt_close(ta);
    skt_close(tb);
    return 0;
}
