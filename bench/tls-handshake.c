/*
 * tls-handshake.c - TLS handshakes per second, client and server in one
 * process and one thread (both sides non-blocking, stepped in turn, with
 * a poll when both wait), over a fresh TCP loopback connection each time:
 * skt (skt_tls_wrap_socket, skt_tls_handshake, skt_close) against a raw
 * OpenSSL loop (SSL_new, SSL_set_fd, SSL_do_handshake, SSL_shutdown,
 * SSL_free) in the same run, with the same certificates (ECDSA P-256) and
 * the same verification (the chain and the name "localhost").
 *
 *     bench-tls-handshake [HANDSHAKES [SERIES skt|raw]]   (default 40)
 *
 * With SERIES (full13, resumed13, full12 or resumed12) and a variant,
 * only that runs, ROUNDS times: for profilers such as `perf record`.
 *
 * Each round runs every series with both variants, in an order that
 * rotates; a ratio is the median of the rounds' own ratios, so that the
 * load of a neighbour on a shared machine cancels out. The figures:
 * - full TLS 1.3 handshakes, skt against raw (target >= 0.95x);
 * - TLS 1.3 resumed with tickets (the session of each connection offered
 *   on the next) against full ones (target >= 2x, which OpenSSL itself
 *   does not reach: see resumption_ceiling);
 * - TLS 1.2 resumed by session ID (the server without tickets) against
 *   full TLS 1.2 ones.
 * Both wall-clock handshakes/s and CPU microseconds per handshake (both
 * sides) are shown: on a shared machine the CPU figure moves less.
 */
#include "common.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skt.h"

enum { ROUNDS = 31 };

static char cert_dir[] = "/tmp/skt-bench-hs.XXXXXX";
static char cert_path[3][300]; /* ca.pem, server.pem, server.key */
static skt_socket *listener;
static skt_addr listen_addr;

/* What one series of handshakes runs with. */
struct setup {
    bool tls12;        /* the server's maximum is TLS 1.2 */
    bool resume;       /* offer the last connection's session */
    skt_tls_ctx *sctx, *cctx;
    SSL_CTX *raw_sctx, *raw_cctx;
    skt_tls_session *session; /* skt's, carried along */
    SSL_SESSION *raw_session; /* raw's */
    long reused;       /* handshakes that resumed */
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

static void listen_once(void)
{
    bench_check(skt_open(&listener, AF_INET, SOCK_STREAM, 0), "open");
    bench_check(skt_addr_parse(&listen_addr, "127.0.0.1:0"), "parse");
    bench_check(skt_bind(listener, &listen_addr), "bind");
    bench_check(skt_listen(listener, 16), "listen");
    bench_check(skt_getsockname(listener, &listen_addr), "getsockname");
}

/* A fresh loopback connection, both ends non-blocking: the same system
 * calls for skt and raw. */
static void tcp_pair(skt_socket **client, skt_socket **server)
{
    bench_check(skt_open(client, AF_INET, SOCK_STREAM, 0), "open");
    bench_check(skt_connect(*client, &listen_addr), "connect");
    bench_check(skt_accept(listener, server, NULL), "accept");
    bench_check(skt_setblocking(*client, false), "client non-blocking");
    bench_check(skt_setblocking(*server, false), "server non-blocking");
}

/* Waits until one of the sides that are not done can read. */
static void wait_either(int client_fd, bool client_done, int server_fd,
                        bool server_done)
{
    struct pollfd p[2] = {{.fd = client_done ? -1 : client_fd,
                           .events = POLLIN},
                          {.fd = server_done ? -1 : server_fd,
                           .events = POLLIN}};

    if (poll(p, 2, 5000) <= 0)
        bench_check(1, "poll: a handshake stalled");
}

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* skt                                                                      */
/* ------------------------------------------------------------------------ */

static bool skt_in_progress(int rc)
{
    if (rc != 0 && rc != SKT_EWANTREAD && rc != SKT_EWANTWRITE) {
        fprintf(stderr, "bench: skt handshake: %s\n", skt_error_detail());
        exit(1);
    }
    return rc != 0;
}

static void skt_once(struct setup *st)
{
    skt_tls_wrap_opts copts = {.server_hostname = "localhost",
                               .session = st->resume ? st->session : NULL};
    skt_tls_wrap_opts sopts = {.server_side = true};
    skt_socket *c, *s;
    bool c_wait, s_wait;

    tcp_pair(&c, &s);
    c_wait = skt_in_progress(skt_tls_wrap_socket(c, st->cctx, &copts));
    s_wait = skt_in_progress(skt_tls_wrap_socket(s, st->sctx, &sopts));
    while (c_wait || s_wait) {
        wait_either(bench_fd(c), !c_wait, bench_fd(s), !s_wait);
        if (c_wait)
            c_wait = skt_in_progress(skt_tls_handshake(c));
        if (s_wait)
            s_wait = skt_in_progress(skt_tls_handshake(s));
    }
    st->reused += skt_tls_session_reused(c);
    if (st->resume) {
        /* TLS 1.3: the server's tickets are in; each is used once. */
        skt_tls_session_free(st->session);
        bench_check(skt_tls_get_session(c, &st->session), "get_session");
    }
    skt_close(c);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* Raw OpenSSL                                                              */
/* ------------------------------------------------------------------------ */

static SSL_CTX *raw_ctx(bool server, bool tls12)
{
    static const unsigned char id_context[] = "bench";
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method()
                                      : TLS_client_method());

    if (ctx == NULL)
        bench_check(1, "SSL_CTX_new");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (server && (SSL_CTX_use_certificate_chain_file(ctx, cert_path[1]) != 1
                   || SSL_CTX_use_PrivateKey_file(ctx, cert_path[2],
                                                  SSL_FILETYPE_PEM) != 1))
        bench_check(1, "raw server certificate");
    if (server && tls12) {
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    if (server)
        SSL_CTX_set_session_id_context(ctx, id_context,
                                       sizeof id_context - 1);
    /* The same trust as an skt client: the system store and the CA. */
    if (!server && (SSL_CTX_set_default_verify_paths(ctx) != 1 ||
                    SSL_CTX_load_verify_file(ctx, cert_path[0]) != 1))
        bench_check(1, "raw CA");
    SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                       NULL);
    return ctx;
}

/* One step of a raw handshake; false once it is done. */
static bool raw_in_progress(SSL *ssl)
{
    int r = SSL_do_handshake(ssl);
    int error = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);

    if (error != SSL_ERROR_NONE && error != SSL_ERROR_WANT_READ &&
        error != SSL_ERROR_WANT_WRITE) {
        ERR_print_errors_fp(stderr);
        bench_check(1, "raw handshake");
    }
    return r != 1;
}

static void raw_once(struct setup *st)
{
    skt_socket *c, *s;
    SSL *client, *server;
    bool c_wait = true, s_wait = true;
    unsigned char byte;
    size_t got;

    tcp_pair(&c, &s);
    client = SSL_new(st->raw_cctx);
    server = SSL_new(st->raw_sctx);
    SSL_set_fd(client, bench_fd(c));
    SSL_set_fd(server, bench_fd(s));
    SSL_set_tlsext_host_name(client, "localhost");
    SSL_set1_host(client, "localhost");
    if (st->resume && st->raw_session != NULL)
        SSL_set_session(client, st->raw_session);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    c_wait = raw_in_progress(client);
    s_wait = raw_in_progress(server);
    while (c_wait || s_wait) {
        wait_either(bench_fd(c), !c_wait, bench_fd(s), !s_wait);
        if (c_wait)
            c_wait = raw_in_progress(client);
        if (s_wait)
            s_wait = raw_in_progress(server);
    }
    st->reused += SSL_session_reused(client);
    if (st->resume) {
        SSL_peek_ex(client, &byte, 1, &got); /* takes the tickets in */
        ERR_clear_error();
        SSL_SESSION_free(st->raw_session);
        st->raw_session = SSL_get1_session(client);
    }
    SSL_shutdown(client);
    SSL_shutdown(server);
    SSL_free(client);
    SSL_free(server);
    skt_close(c);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* Series and report                                                        */
/* ------------------------------------------------------------------------ */

static void contexts(struct setup *st)
{
    bench_check(skt_tls_ctx_new(&st->cctx, SKT_TLS_CLIENT), "client ctx");
    bench_check(skt_tls_ctx_load_verify_locations(st->cctx, cert_path[0],
                                                  NULL, NULL), "load CA");
    bench_check(skt_tls_ctx_new(&st->sctx, SKT_TLS_SERVER), "server ctx");
    bench_check(skt_tls_ctx_load_cert_chain(st->sctx, cert_path[1],
                                            cert_path[2], NULL), "cert");
    if (st->tls12) {
        bench_check(skt_tls_ctx_set_maximum_version(st->sctx,
                                                    SKT_TLS_VERSION_1_2),
                    "max version");
        bench_check(skt_tls_ctx_set_options(
                        st->sctx, skt_tls_ctx_get_options(st->sctx) |
                                      SKT_TLS_OP_NO_TICKET), "no ticket");
    }
    st->raw_cctx = raw_ctx(false, st->tls12);
    st->raw_sctx = raw_ctx(true, st->tls12);
}

static void free_contexts(struct setup *st)
{
    skt_tls_ctx_free(st->cctx);
    skt_tls_ctx_free(st->sctx);
    SSL_CTX_free(st->raw_cctx);
    SSL_CTX_free(st->raw_sctx);
    skt_tls_session_free(st->session);
    SSL_SESSION_free(st->raw_session);
}

/* count handshakes; handshakes/s, and CPU microseconds each in *cpu_us. */
static double series(struct setup *st, bool raw, int count, double *cpu_us)
{
    double start = bench_now(), cpu = cpu_now();

    for (int i = 0; i < count; i++) {
        if (raw)
            raw_once(st);
        else
            skt_once(st);
    }
    *cpu_us = (cpu_now() - cpu) * 1e6 / count;
    return count / (bench_now() - start);
}

/* The four series, and their figures: [series][raw][round]. */
enum { FULL13, RESUMED13, FULL12, RESUMED12, SERIES };

struct figures {
    double rate[SERIES][2][ROUNDS]; /* handshakes/s */
    double cpu[SERIES][2][ROUNDS];  /* CPU microseconds each */
    long reused[SERIES][2];
    int count;
};

/*
 * ROUNDS rounds; each runs every series with both variants, in an order
 * that rotates from round to round, so that a neighbour's load hits all
 * of them alike and the ratios are taken within a round.
 */
static void measure(struct setup *all[SERIES], int count, struct figures *f)
{
    memset(f, 0, sizeof *f);
    f->count = count;
    for (int n = 0; n < SERIES; n++) {
        if (all[n]->resume) {
            skt_once(all[n]); /* a first session to offer */
            raw_once(all[n]);
        }
    }
    for (int i = 0; i < ROUNDS; i++) {
        for (int k = 0; k < 2 * SERIES; k++) {
            int slot = (k + i) % (2 * SERIES), n = slot / 2, raw = slot % 2;
            all[n]->reused = 0;
            f->rate[n][raw][i] = series(all[n], raw, count,
                                        &f->cpu[n][raw][i]);
            f->reused[n][raw] += all[n]->reused;
        }
    }
}

/* The median over the rounds of a[i] / b[i]. */
static double median_ratio(const double *a, const double *b)
{
    double ratios[ROUNDS];

    for (int i = 0; i < ROUNDS; i++)
        ratios[i] = a[i] / b[i];
    return bench_median(ratios, ROUNDS);
}

static double median_of(const double *values)
{
    double copy[ROUNDS];

    memcpy(copy, values, sizeof copy);
    return bench_median(copy, ROUNDS);
}

static void print_line(const char *what, struct figures *f, int n, int raw)
{
    printf("  %-34s %7.0f /s  %6.0f CPU us each  (%ld of %d resumed)\n",
           what, median_of(f->rate[n][raw]), median_of(f->cpu[n][raw]),
           f->reused[n][raw], f->count * ROUNDS);
}

/*
 * Why TLS 1.3 resumption stays under 2x, printed when it does for raw
 * OpenSSL too (when raw reaches 2x, the figures say enough). Measured
 * with callgrind (instructions per handshake, both sides, OpenSSL 3.0):
 * raw OpenSSL spends 8.35 M on a full handshake and 4.83 M on a resumed
 * one (1.73x), skt 8.56 M and 4.85 M. Of the resumed handshake, the X25519
 * key generation and derivation on both sides are 2.19 M (45 %) and the
 * key schedule 1.17 M (24 %); the client offers one key share, and the
 * server issues one ticket after a resumption. Only psk_ke (no key
 * exchange, no forward secrecy) would lift it, and skt does not offer it.
 */
static void resumption_ceiling(double skt_ratio, double raw_ratio)
{
    if (skt_ratio >= 2.0 || raw_ratio >= 2.0)
        return;
    printf("  (2x is beyond OpenSSL here: a resumed TLS 1.3 handshake keeps "
           "psk_dhe_ke, for forward secrecy, so an X25519 exchange on\n"
           "   both sides (~45%% of its instructions) and the whole key "
           "schedule still run; raw OpenSSL's own %.2fx is the ceiling;\n"
           "   see docs/tls.md)\n", raw_ratio);
}

static void report(struct figures *f)
{
    double skt_resumed, raw_resumed;

    printf("tls-handshake: handshakes over fresh TCP loopback connections, "
           "client and server in one thread, %d a series, %d rounds; "
           "ratios are medians of each round's\n", f->count, ROUNDS);
    print_line("raw TLS 1.3 full", f, FULL13, 1);
    print_line("skt TLS 1.3 full", f, FULL13, 0);
    printf("  skt/raw, full TLS 1.3: %.3fx by rate, %.3fx by CPU "
           "(target >= 0.95x)\n",
           median_ratio(f->rate[FULL13][0], f->rate[FULL13][1]),
           median_ratio(f->cpu[FULL13][1], f->cpu[FULL13][0]));
    print_line("raw TLS 1.3 resumed (tickets)", f, RESUMED13, 1);
    print_line("skt TLS 1.3 resumed (tickets)", f, RESUMED13, 0);
    skt_resumed = median_ratio(f->rate[RESUMED13][0], f->rate[FULL13][0]);
    raw_resumed = median_ratio(f->rate[RESUMED13][1], f->rate[FULL13][1]);
    printf("  resumed/full, TLS 1.3 tickets: skt %.2fx, raw %.2fx (target "
           ">= 2x); by CPU skt %.2fx, raw %.2fx; skt/raw resumed %.3fx\n",
           skt_resumed, raw_resumed,
           median_ratio(f->cpu[FULL13][0], f->cpu[RESUMED13][0]),
           median_ratio(f->cpu[FULL13][1], f->cpu[RESUMED13][1]),
           median_ratio(f->rate[RESUMED13][0], f->rate[RESUMED13][1]));
    resumption_ceiling(skt_resumed, raw_resumed);
    print_line("raw TLS 1.2 full", f, FULL12, 1);
    print_line("skt TLS 1.2 full", f, FULL12, 0);
    print_line("raw TLS 1.2 resumed (session IDs)", f, RESUMED12, 1);
    print_line("skt TLS 1.2 resumed (session IDs)", f, RESUMED12, 0);
    printf("  resumed/full, TLS 1.2 session IDs: skt %.2fx, raw %.2fx; "
           "skt/raw resumed %.3fx\n",
           median_ratio(f->rate[RESUMED12][0], f->rate[FULL12][0]),
           median_ratio(f->rate[RESUMED12][1], f->rate[FULL12][1]),
           median_ratio(f->rate[RESUMED12][0], f->rate[RESUMED12][1]));
}

/* Runs one series of one variant only, for a profiler. */
static int run_only(struct setup *all[SERIES], const char *name, bool raw,
                    int count)
{
    static const char *const names[SERIES] = {"full13", "resumed13",
                                              "full12", "resumed12"};
    double rates[ROUNDS], cpu;

    for (int n = 0; n < SERIES; n++) {
        if (strcmp(name, names[n]) != 0)
            continue;
        if (all[n]->resume)
            raw ? raw_once(all[n]) : skt_once(all[n]);
        for (int i = 0; i < ROUNDS; i++)
            rates[i] = series(all[n], raw, count, &cpu);
        printf("%s %s only: %.0f handshakes/s\n", name, raw ? "raw" : "skt",
               bench_median(rates, ROUNDS));
        return 0;
    }
    fprintf(stderr, "bench: unknown series %s\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 40;
    struct setup full13 = {0}, resumed13 = {.resume = true};
    struct setup full12 = {.tls12 = true};
    struct setup resumed12 = {.tls12 = true, .resume = true};
    struct setup *all[SERIES] = {&full13, &resumed13, &full12, &resumed12};
    static struct figures f;
    int rc = 0;

    if (count <= 0)
        bench_check(1, "arguments");
    make_certs();
    listen_once();
    for (int n = 0; n < SERIES; n++)
        contexts(all[n]);
    if (argc > 3) {
        rc = run_only(all, argv[2], strcmp(argv[3], "raw") == 0, count);
    } else {
        measure(all, count, &f);
        report(&f);
    }
    for (int n = 0; n < SERIES; n++)
        free_contexts(all[n]);
    skt_close(listener);
    remove_certs();
    return rc;
}
