/*
 * tls-bulk.c - throughput through TLS 1.3 (AES-256-GCM) over TCP loopback:
 * skt_sendall + skt_recv on sockets wrapped by skt_tls_wrap, against a raw
 * OpenSSL loop (SSL_write/SSL_read on SSL_set_fd, OpenSSL's defaults) in
 * the same run, and against Python's ssl module (bench/tls_bulk.py).
 * 1 MiB per write, a sender thread and the receiving main thread, each
 * pinned to a CPU of its own (in every variant, Python's too), since the
 * two cores of a small machine are shared with whatever else runs. Each
 * round runs raw and skt back to back and the medians are compared, both
 * as throughput and as CPU seconds per GiB (user + system, both threads),
 * which a busy neighbour disturbs far less than the wall clock.
 *
 *     bench-tls-bulk [MIB [raw|skt]]   (default 1024: 1 GiB a run)
 *
 * With raw or skt, only that variant runs, ROUNDS times, and the Python
 * reference is skipped: for profilers such as `perf stat`.
 *
 * Certificates are made with tests/peers/make-certs.sh in a temporary
 * directory. Target: skt >= 0.95x raw.
 */
#include "common.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "skt.h"

enum { CHUNK = 1 << 20, ROUNDS = 7 };

static char cert_dir[] = "/tmp/skt-bench-tls.XXXXXX";
static char cert_path[3][300]; /* ca.pem, server.pem, server.key */

struct run {
    bool raw;
    size_t chunks;
    skt_socket *sender, *receiver;     /* skt: wrapped sockets */
    SSL *raw_sender, *raw_receiver;    /* raw: SSL objects on plain fds */
    char *out;
};

static void make_certs(void)
{
    char cmd[1024];

    if (mkdtemp(cert_dir) == NULL) {
        perror("bench: mkdtemp");
        exit(1);
    }
    snprintf(cmd, sizeof cmd, "sh %s/tests/peers/make-certs.sh %s",
             SKT_SOURCE_DIR, cert_dir);
    bench_check(system(cmd), "make-certs.sh");
    snprintf(cert_path[0], sizeof cert_path[0], "%s/ca.pem", cert_dir);
    snprintf(cert_path[1], sizeof cert_path[1], "%s/server.pem", cert_dir);
    snprintf(cert_path[2], sizeof cert_path[2], "%s/server.key", cert_dir);
}

static void remove_certs(void)
{
    char cmd[400];

    snprintf(cmd, sizeof cmd, "rm -rf %s", cert_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", cert_dir);
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

/* ------------------------------------------------------------------------ */
/* skt                                                                      */
/* ------------------------------------------------------------------------ */

struct skt_accept {
    skt_socket *conn;
    skt_tls_ctx *ctx;
    int rc;
};

static void *skt_accept_main(void *arg)
{
    struct skt_accept *a = arg;
    a->rc = skt_tls_wrap(a->conn, a->ctx, NULL, true);
    return NULL;
}

/* The sender is the TLS client, the receiver the server. */
static void skt_setup(struct run *r)
{
    struct skt_accept a = {0};
    skt_tls_ctx *client;
    pthread_t thread;

    tcp_pair(&r->sender, &r->receiver);
    bench_check(skt_tls_ctx_new(&client, SKT_TLS_CLIENT), "client ctx");
    bench_check(skt_tls_ctx_load_verify_locations(client, cert_path[0], NULL,
                                                  NULL), "load CA");
    bench_check(skt_tls_ctx_new(&a.ctx, SKT_TLS_SERVER), "server ctx");
    bench_check(skt_tls_ctx_load_cert_chain(a.ctx, cert_path[1],
                                            cert_path[2], NULL), "cert");
    a.conn = r->receiver;
    pthread_create(&thread, NULL, skt_accept_main, &a);
    bench_check(skt_tls_wrap(r->sender, client, "localhost", false), "wrap");
    pthread_join(thread, NULL);
    bench_check(a.rc, "server wrap");
    skt_tls_ctx_free(client);
    skt_tls_ctx_free(a.ctx);
}

static void skt_send_all(struct run *r)
{
    for (size_t c = 0; c < r->chunks; c++)
        if (skt_sendall(r->sender, r->out, CHUNK, 0, NULL) != 0)
            abort();
}

static ssize_t skt_receive(struct run *r, char *in)
{
    return skt_recv(r->receiver, in, CHUNK, 0);
}

/* ------------------------------------------------------------------------ */
/* Raw OpenSSL                                                              */
/* ------------------------------------------------------------------------ */

static SSL_CTX *raw_ctx(bool server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method()
                                      : TLS_client_method());

    if (ctx == NULL)
        bench_check(1, "SSL_CTX_new");
    if (server && (SSL_CTX_use_certificate_chain_file(ctx, cert_path[1]) != 1
                   || SSL_CTX_use_PrivateKey_file(ctx, cert_path[2],
                                                  SSL_FILETYPE_PEM) != 1))
        bench_check(1, "raw server certificate");
    if (!server && SSL_CTX_load_verify_file(ctx, cert_path[0]) != 1)
        bench_check(1, "raw CA");
    SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                       NULL);
    return ctx;
}

static void *raw_accept_main(void *arg)
{
    return SSL_accept(arg) == 1 ? arg : NULL;
}

static void raw_setup(struct run *r)
{
    SSL_CTX *server = raw_ctx(true), *client = raw_ctx(false);
    pthread_t thread;
    void *accepted;

    tcp_pair(&r->sender, &r->receiver);
    r->raw_sender = SSL_new(client);
    r->raw_receiver = SSL_new(server);
    SSL_set_fd(r->raw_sender, bench_fd(r->sender));
    SSL_set_fd(r->raw_receiver, bench_fd(r->receiver));
    SSL_set1_host(r->raw_sender, "localhost");
    pthread_create(&thread, NULL, raw_accept_main, r->raw_receiver);
    bench_check(SSL_connect(r->raw_sender) != 1, "SSL_connect");
    pthread_join(thread, &accepted);
    bench_check(accepted == NULL, "SSL_accept");
    SSL_CTX_free(server);
    SSL_CTX_free(client);
}

static void raw_send_all(struct run *r)
{
    for (size_t c = 0; c < r->chunks; c++)
        if (SSL_write(r->raw_sender, r->out, CHUNK) != CHUNK)
            abort();
}

static ssize_t raw_receive(struct run *r, char *in)
{
    int n = SSL_read(r->raw_receiver, in, CHUNK);
    return n > 0 ? n : -1;
}

/* ------------------------------------------------------------------------ */
/* Runs                                                                     */
/* ------------------------------------------------------------------------ */

/* Pins the calling thread to one CPU when the machine has two or more. */
static void pin(int cpu)
{
    cpu_set_t set;

    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static double cpu_seconds(void)
{
    struct rusage u;

    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void *sender_main(void *arg)
{
    struct run *r = arg;

    pin(0);
    if (r->raw)
        raw_send_all(r);
    else
        skt_send_all(r);
    return NULL;
}

/* One transfer of r->chunks MiB; returns MiB/s and, in *cpu, the CPU
 * seconds it took per GiB. */
static double run_once(struct run *r, char *in, double *cpu)
{
    size_t total = (size_t)CHUNK * r->chunks, got = 0;
    pthread_t thread;
    double start = bench_now(), cpu_start = cpu_seconds();

    pthread_create(&thread, NULL, sender_main, r);
    while (got < total) {
        ssize_t n = r->raw ? raw_receive(r, in) : skt_receive(r, in);
        if (n <= 0)
            abort();
        got += (size_t)n;
    }
    pthread_join(thread, NULL);
    *cpu = (cpu_seconds() - cpu_start) * 1024.0 / (double)r->chunks;
    return (double)total / (bench_now() - start) / (1 << 20);
}

static void teardown(struct run *r)
{
    SSL_free(r->raw_sender);
    SSL_free(r->raw_receiver);
    r->raw_sender = r->raw_receiver = NULL;
    skt_close(r->sender);
    skt_close(r->receiver);
}

static void print_cipher(struct run *r)
{
    if (r->raw)
        printf("  raw session: %s, %s\n", SSL_get_version(r->raw_sender),
               SSL_get_cipher(r->raw_sender));
    else
        printf("  skt session: %s, %s\n", skt_tls_version(r->sender),
               skt_tls_cipher(r->sender));
}

/* Medians of the rounds, and Python's figure (<= 0 when unavailable). */
static void report(size_t mib, double *raw_mib, double *lib_mib,
                   double *raw_cpu, double *lib_cpu, double python)
{
    double r_med = bench_median(raw_mib, ROUNDS);
    double l_med = bench_median(lib_mib, ROUNDS);
    double r_cpu = bench_median(raw_cpu, ROUNDS);
    double l_cpu = bench_median(lib_cpu, ROUNDS);

    printf("tls-bulk: 1 MiB writes through TLS over TCP loopback, %zu MiB a "
           "run, median of %d rounds\n", mib, ROUNDS);
    printf("  raw SSL_write/SSL_read  %8.0f MiB/s  %.3f CPU s/GiB\n", r_med,
           r_cpu);
    printf("  skt sendall/recv        %8.0f MiB/s  %.3f CPU s/GiB  %.3fx raw "
           "(target >= 0.95x), CPU %.3fx raw\n", l_med, l_cpu,
           l_med / r_med, l_cpu / r_cpu);
    if (python > 0)
        printf("  Python ssl              %8.0f MiB/s  skt is %.2fx Python\n",
               python, l_med / python);
    else
        printf("  Python ssl              (python3 unavailable)\n");
}

int main(int argc, char **argv)
{
    struct run skt = {.raw = false}, raw = {.raw = true};
    double raw_mib[ROUNDS], lib_mib[ROUNDS], raw_cpu[ROUNDS], lib_cpu[ROUNDS];
    double python;
    size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1024;
    const char *only = argc > 2 ? argv[2] : "";
    char args[400], *in = malloc(CHUNK), *out = malloc(CHUNK);

    if (mib == 0 || in == NULL || out == NULL)
        bench_check(1, "arguments");
    memset(out, 'b', CHUNK);
    make_certs();
    skt.out = raw.out = out;
    skt.chunks = raw.chunks = mib;
    skt_setup(&skt);
    raw_setup(&raw);
    print_cipher(&raw);
    print_cipher(&skt);
    pin(1);
    /* The order alternates so that neither side always runs first. */
    for (int i = 0; i < ROUNDS; i++) {
        for (int k = 0; k < 2; k++) {
            bool raw_turn = only[0] != '\0' ? strcmp(only, "raw") == 0
                                             : (i + k) % 2 == 0;
            if (raw_turn)
                raw_mib[i] = run_once(&raw, in, &raw_cpu[i]);
            else
                lib_mib[i] = run_once(&skt, in, &lib_cpu[i]);
        }
    }
    teardown(&skt);
    teardown(&raw);
    snprintf(args, sizeof args, "%s %zu", cert_dir, mib);
    python = only[0] == '\0' ? bench_python("tls_bulk.py", args) : -1;
    remove_certs();
    if (only[0] != '\0') {
        double *mibs = strcmp(only, "raw") == 0 ? raw_mib : lib_mib;
        printf("%s only: %.0f MiB/s\n", only, bench_median(mibs, ROUNDS));
        free(in);
        free(out);
        return 0;
    }
    report(mib, raw_mib, lib_mib, raw_cpu, lib_cpu, python);
    free(in);
    free(out);
    return 0;
}
