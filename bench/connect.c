/*
 * connect.c - connections per second on loopback: skt_create_connection +
 * skt_accept + skt_close, against socket + connect + accept4 + close made
 * directly, in the same run. Both connect to a numeric address, so neither
 * needs the resolver's thread.
 *
 * Target: skt >= 0.95x raw.
 */
#include "common.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "skt.h"

enum { CONNECTIONS = 1000, ROUNDS = 7 };

static double run_raw(skt_socket *listener, const skt_addr *a)
{
    double start = bench_now();

    for (int i = 0; i < CONNECTIONS; i++) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int conn;
        if (c < 0 || connect(c, skt_addr_sockaddr(a), a->len) < 0)
            abort();
        conn = accept4(bench_fd(listener), NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
            abort();
        close(conn);
        close(c);
    }
    return CONNECTIONS / (bench_now() - start);
}

static double run_skt(skt_socket *listener, const char *port)
{
    double start = bench_now();

    for (int i = 0; i < CONNECTIONS; i++) {
        skt_socket *c, *conn;
        bench_check(skt_create_connection(&c, "127.0.0.1", port, NULL),
                    "create_connection");
        bench_check(skt_accept(listener, &conn, NULL), "accept");
        skt_close(conn);
        skt_close(c);
    }
    return CONNECTIONS / (bench_now() - start);
}

int main(void)
{
    double raw[ROUNDS], lib[ROUNDS], raw_rate, lib_rate;
    skt_socket *listener;
    skt_addr a;
    char port[8];

    bench_check(skt_create_server(&listener, "127.0.0.1", "0", NULL),
                "create_server");
    bench_check(skt_getsockname(listener, &a), "getsockname");
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    for (int r = 0; r < ROUNDS; r++) {
        /* Alternating order, so neither side always runs first. */
        if (r % 2 == 0) {
            raw[r] = run_raw(listener, &a);
            lib[r] = run_skt(listener, port);
        } else {
            lib[r] = run_skt(listener, port);
            raw[r] = run_raw(listener, &a);
        }
    }
    raw_rate = bench_median(raw, ROUNDS);
    lib_rate = bench_median(lib, ROUNDS);
    printf("connect: create_connection + accept + close on loopback, "
           "median of %d rounds x %d\n", ROUNDS, CONNECTIONS);
    printf("  raw socket/connect/accept4  %9.0f conn/s\n", raw_rate);
    printf("  skt create_connection       %9.0f conn/s  %.3fx raw  "
           "(target >= 0.95x)\n", lib_rate, lib_rate / raw_rate);
    skt_close(listener);
    return 0;
}
