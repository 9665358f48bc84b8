/*
 * bulk.c - throughput of skt_sendall + skt_recv against raw send/recv
 * loops, over TCP loopback, 1 MiB per sendall. A sender thread and the
 * receiving main thread; each round runs raw and skt back to back and the
 * medians are compared.
 *
 * Target: skt >= 0.97x raw.
 */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "skt.h"

enum { CHUNK = 1 << 20, TOTAL_CHUNKS = 512, ROUNDS = 15 };

struct run {
    skt_socket *sender;
    skt_socket *receiver;
    bool raw;
    char *out;
};

static void *send_raw(struct run *r)
{
    int fd = bench_fd(r->sender);
    for (int c = 0; c < TOTAL_CHUNKS; c++) {
        size_t done = 0;
        while (done < CHUNK) {
            ssize_t n = send(fd, r->out + done, CHUNK - done, MSG_NOSIGNAL);
            if (n < 0)
                abort();
            done += (size_t)n;
        }
    }
    return NULL;
}

static void *send_skt(struct run *r)
{
    for (int c = 0; c < TOTAL_CHUNKS; c++)
        if (skt_sendall(r->sender, r->out, CHUNK, 0, NULL) != 0)
            abort();
    return NULL;
}

static void *sender_main(void *arg)
{
    struct run *r = arg;
    return r->raw ? send_raw(r) : send_skt(r);
}

static double run_once(struct run *r, char *in)
{
    size_t total = (size_t)CHUNK * TOTAL_CHUNKS, got = 0;
    int fd = bench_fd(r->receiver);
    pthread_t thread;
    double start = bench_now();

    pthread_create(&thread, NULL, sender_main, r);
    while (got < total) {
        ssize_t n = r->raw ? recv(fd, in, CHUNK, 0)
                           : skt_recv(r->receiver, in, CHUNK, 0);
        if (n <= 0)
            abort();
        got += (size_t)n;
    }
    pthread_join(thread, NULL);
    return (double)total / (bench_now() - start) / (1 << 20);
}

static void tcp_pair(skt_socket **client, skt_socket **server)
{
    skt_socket *listener;
    skt_addr a;
    bench_check(skt_open(&listener, AF_INET, SOCK_STREAM, 0), "open");
    bench_check(skt_addr_parse(&a, "127.0.0.1:0"), "parse");
    bench_check(skt_bind(listener, &a), "bind");
    bench_check(skt_listen(listener, 1), "listen");
    bench_check(skt_getsockname(listener, &a), "getsockname");
    bench_check(skt_open(client, AF_INET, SOCK_STREAM, 0), "open");
    bench_check(skt_connect(*client, &a), "connect");
    bench_check(skt_accept(listener, server, NULL), "accept");
    skt_close(listener);
}

int main(void)
{
    struct run r = {0};
    double raw[ROUNDS], lib[ROUNDS], raw_mib, lib_mib;
    char *in = malloc(CHUNK);

    r.out = malloc(CHUNK);
    memset(r.out, 'b', CHUNK);
    tcp_pair(&r.sender, &r.receiver);
    /* The order alternates so that neither side always runs first. */
    for (int i = 0; i < ROUNDS; i++) {
        for (int k = 0; k < 2; k++) {
            r.raw = (i + k) % 2 == 0;
            if (r.raw)
                raw[i] = run_once(&r, in);
            else
                lib[i] = run_once(&r, in);
        }
    }
    raw_mib = bench_median(raw, ROUNDS);
    lib_mib = bench_median(lib, ROUNDS);
    printf("bulk: 1 MiB sendall + recv over TCP loopback, %d MiB a run, "
           "median of %d rounds\n", TOTAL_CHUNKS, ROUNDS);
    printf("  raw send/recv loops   %8.0f MiB/s\n", raw_mib);
    printf("  skt sendall/recv      %8.0f MiB/s  %.3fx raw  "
           "(target >= 0.97x)\n", lib_mib, lib_mib / raw_mib);
    skt_close(r.sender);
    skt_close(r.receiver);
    free(r.out);
    free(in);
    return 0;
}
