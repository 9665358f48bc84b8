/*
 * tls.c - skt's TLS connections: handshakes that succeed and fail (host
 * names, expired, unknown and self-signed certificates, versions, client
 * certificates), ALPN, SNI, the peer's certificate, pending, unwrap,
 * sessions, non-blocking handshakes, timeouts, misuse, on skt (py/tls.py
 * on Python's ssl). The fixtures are in tls_peer.c; the contexts' own
 * scenarios in tlsctx.c.
 */
#include "tls_peer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void pause_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *or_none(const char *s)
{
    return s ? s : "None";
}

/* ------------------------------------------------------------------------ */
/* Handshakes                                                               */
/* ------------------------------------------------------------------------ */

enum setup {
    SET_NONE,
    SET_VERIFY_NONE,
    SET_MAX_12,
    SET_MIN_13,
    SET_ALPN_H2_HTTP,
    SET_ALPN_H2,
    SET_CLIENT_CERT,
    SET_SERVER_MAX_12,
    SET_SERVER_ALPN_HTTP,
    SET_SERVER_REQUIRE,
    SET_SERVER_OPTIONAL
};

static int apply(skt_tls_ctx *ctx, enum setup how)
{
    static const char *const h2_http[] = {"h2", "http/1.1", NULL};
    static const char *const h2[] = {"h2", NULL};
    static const char *const http[] = {"http/1.1", NULL};
    int rc;

    switch (how) {
    case SET_NONE:
        return 0;
    case SET_VERIFY_NONE:
        rc = skt_tls_ctx_set_check_hostname(ctx, false);
        return rc < 0 ? rc
                      : skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
    case SET_MAX_12:
    case SET_SERVER_MAX_12:
        return skt_tls_ctx_set_maximum_version(ctx, SKT_TLS_VERSION_1_2);
    case SET_MIN_13:
        return skt_tls_ctx_set_minimum_version(ctx, SKT_TLS_VERSION_1_3);
    case SET_ALPN_H2_HTTP:
        return skt_tls_ctx_set_alpn_protocols(ctx, h2_http);
    case SET_ALPN_H2:
        return skt_tls_ctx_set_alpn_protocols(ctx, h2);
    case SET_SERVER_ALPN_HTTP:
        return skt_tls_ctx_set_alpn_protocols(ctx, http);
    case SET_CLIENT_CERT:
        return skt_tls_ctx_load_cert_chain(ctx, tls_cert("client.pem"),
                                           tls_cert("client.key"), NULL);
    case SET_SERVER_REQUIRE:
    case SET_SERVER_OPTIONAL:
        rc = skt_tls_ctx_set_verify_mode(ctx, how == SET_SERVER_REQUIRE
                                                  ? SKT_TLS_CERT_REQUIRED
                                                  : SKT_TLS_CERT_OPTIONAL);
        return rc < 0 ? rc
                      : skt_tls_ctx_load_verify_locations(
                            ctx, tls_cert("ca.pem"), NULL, NULL);
    }
    return -EINVAL;
}

/* What the client does after its handshake: writes the result. */
typedef void client_action(skt_socket *s, char *out, size_t len);

static void ping(skt_socket *s, char *out, size_t len)
{
    char buf[100];
    ssize_t n = skt_sendall(s, "hello", 5, 0, NULL);

    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    snprintf(out, len, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

static void version(skt_socket *s, char *out, size_t len)
{
    snprintf(out, len, "%s %s", or_none(skt_tls_version(s)),
             or_none(skt_tls_cipher(s)));
}

static void alpn_selected(skt_socket *s, char *out, size_t len)
{
    snprintf(out, len, "%s", or_none(skt_tls_selected_alpn_protocol(s)));
}

enum cert_part { SUBJECT, ISSUER, SAN, TIMES };

static void cert_part(skt_socket *s, char *out, size_t len, enum cert_part p)
{
    skt_tls_cert *c;
    int rc = skt_tls_getpeercert(s, &c);

    if (rc < 0) {
        snprintf(out, len, "%s", conf_err(rc));
        return;
    }
    out[0] = '\0';
    if (p == SUBJECT)
        snprintf(out, len, "%s", c->subject);
    else if (p == ISSUER)
        snprintf(out, len, "%s", c->issuer);
    else if (p == TIMES)
        snprintf(out, len, "%lld %lld %s", (long long)c->not_before,
                 (long long)c->not_after, c->serial_number);
    for (size_t i = 0; p == SAN && c->subject_alt_names[i]; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "",
                 c->subject_alt_names[i]);
    skt_tls_freecert(c);
}

static void subject(skt_socket *s, char *o, size_t l)
{
    cert_part(s, o, l, SUBJECT);
}
static void issuer(skt_socket *s, char *o, size_t l)
{
    cert_part(s, o, l, ISSUER);
}
static void san(skt_socket *s, char *o, size_t l)
{
    cert_part(s, o, l, SAN);
}
static void times(skt_socket *s, char *o, size_t l)
{
    cert_part(s, o, l, TIMES);
}

static void dup_tls(skt_socket *s, char *out, size_t len)
{
    skt_socket *d = NULL;
    int rc = skt_dup(s, &d);

    snprintf(out, len, "%s", conf_err(rc));
    skt_close(d);
}

struct exchange {
    const char *chain; /* the server's certificate */
    enum setup server, client;
    const char *hostname;
    client_action *action;
    tls_action *server_action;
    int report_server; /* 0 no, 1 with the client's, 2 alone */
};

static void exchange(const char *name, const struct exchange *x)
{
    tls_server srv = {0};
    skt_tls_ctx *server, *client = NULL;
    skt_socket *c = NULL;
    char out[256] = "";
    int rc;

    NEEDS_CERTS(name);
    server =
        tls_server_ctx(x->chain ? x->chain : "server.pem", "server.key", &rc);
    if (rc == 0)
        rc = apply(server, x->server);
    if (rc == 0)
        rc = tls_server_start(
            &srv, server, x->server_action ? x->server_action : tls_echo, 1);
    else
        skt_tls_ctx_free(server);
    if (rc < 0)
        return conf_rc(name, rc);
    client = tls_client_ctx(&rc);
    if (rc == 0)
        rc = apply(client, x->client);
    if (rc == 0)
        rc = tls_connect(srv.port, &c);
    if (rc == 0)
        rc = skt_tls_wrap(c, client, x->hostname ? x->hostname : "localhost",
                          false);
    if (rc == 0)
        x->action(c, out, sizeof out);
    else
        snprintf(out, sizeof out, "%s", conf_err(rc));
    skt_close(c);
    skt_tls_ctx_free(client);
    tls_server_done(&srv);
    if (x->report_server == 2)
        conf_emit(name, "server=%s", srv.result);
    else if (x->report_server)
        conf_emit(name, "%s server=%s", out, srv.result);
    else
        conf_emit(name, "%s", out);
}

#define EXCHANGE(fn, ...)                                                      \
    static void fn(const char *name)                                           \
    {                                                                          \
        const struct exchange x = {__VA_ARGS__};                               \
        exchange(name, &x);                                                    \
    }
EXCHANGE(ssl_handshake_version, .action = version)
EXCHANGE(ssl_echo, .action = ping)
EXCHANGE(ssl_hostname_mismatch, .action = ping, .hostname = "wrong.example",
         .report_server = 1)
EXCHANGE(ssl_expired, .action = ping, .chain = "expired.pem")
EXCHANGE(ssl_unknown_ca, .action = ping, .chain = "unknown-ca.pem")
EXCHANGE(ssl_self_signed, .action = ping, .chain = "self-signed.pem")
EXCHANGE(ssl_cert_none_accepts_self_signed, .action = ping,
         .chain = "self-signed.pem", .client = SET_VERIFY_NONE)
EXCHANGE(ssl_ip_address_name, .action = ping, .hostname = "127.0.0.1")
EXCHANGE(ssl_ipv6_address_name, .action = ping, .hostname = "::1")
EXCHANGE(ssl_wrong_ip_address, .action = ping, .hostname = "127.0.0.2")
EXCHANGE(ssl_max_version_1_2, .action = version, .client = SET_MAX_12)
EXCHANGE(ssl_version_mismatch, .action = ping, .server = SET_SERVER_MAX_12,
         .client = SET_MIN_13, .report_server = 1)
EXCHANGE(ssl_alpn_selected, .action = alpn_selected,
         .server = SET_SERVER_ALPN_HTTP, .client = SET_ALPN_H2_HTTP)
EXCHANGE(ssl_alpn_no_overlap, .action = alpn_selected,
         .server = SET_SERVER_ALPN_HTTP, .client = SET_ALPN_H2)
EXCHANGE(ssl_alpn_none, .action = alpn_selected)
EXCHANGE(ssl_client_cert_missing, .action = ping, .server = SET_SERVER_REQUIRE,
         .report_server = 2)
EXCHANGE(ssl_client_cert_optional_missing, .action = ping,
         .server = SET_SERVER_OPTIONAL)
EXCHANGE(ssl_client_cert_presented, .action = ping,
         .server = SET_SERVER_REQUIRE, .client = SET_CLIENT_CERT)
EXCHANGE(ssl_peer_subject, .action = subject)
EXCHANGE(ssl_peer_issuer, .action = issuer)
EXCHANGE(ssl_peer_subject_alt_names, .action = san)
EXCHANGE(ssl_peer_times_and_serial, .action = times)
EXCHANGE(ssl_dup_refused, .action = dup_tls)

/* ------------------------------------------------------------------------ */
/* Exchanges with a server of their own                                     */
/* ------------------------------------------------------------------------ */

static void send_ten(skt_socket *conn, char *result)
{
    char buf[100];
    (void)result;
    skt_recv(conn, buf, sizeof buf, 0);
    skt_sendall(conn, "0123456789", 10, 0, NULL);
    pause_ms(200);
}

static void recv_three_pending(skt_socket *s, char *out, size_t len)
{
    char buf[3];
    ssize_t n = skt_sendall(s, "go", 2, 0, NULL);

    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    if (n < 0)
        snprintf(out, len, "%s", conf_err(n));
    else
        snprintf(out, len, "%.*s %zu", (int)n, buf, skt_tls_pending(s));
}

static void server_closes(skt_socket *conn, char *result)
{
    char buf[100];
    (void)result;
    skt_recv(conn, buf, sizeof buf, 0);
    skt_tls_unwrap(conn);
}

static void client_reads_end(skt_socket *s, char *out, size_t len)
{
    char buf[10];
    ssize_t n = skt_sendall(s, "bye", 3, 0, NULL);

    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    snprintf(out, len, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

static void unwrap_then_plain_server(skt_socket *conn, char *result)
{
    int rc = skt_tls_unwrap(conn);
    if (rc == 0)
        rc = skt_sendall(conn, "plain", 5, 0, NULL);
    snprintf(result, 128, "%s", conf_err(rc));
}

static void unwrap_then_plain_client(skt_socket *s, char *out, size_t len)
{
    char buf[10];
    ssize_t n = skt_tls_unwrap(s);

    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    snprintf(out, len, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

static void large_sink(skt_socket *conn, char *result)
{
    static char buf[65536];
    char text[32];
    size_t total = 0;
    ssize_t n;

    (void)result;
    while (total < (1 << 20) && (n = skt_recv(conn, buf, sizeof buf, 0)) > 0)
        total += (size_t)n;
    snprintf(text, sizeof text, "%zu", total);
    skt_sendall(conn, text, strlen(text), 0, NULL);
}

static void send_large(skt_socket *s, char *out, size_t len)
{
    char *data = malloc(1 << 20), buf[20];
    ssize_t n = data ? 0 : -ENOMEM;

    if (data) {
        memset(data, 'z', 1 << 20);
        n = skt_sendall(s, data, 1 << 20, 0, NULL);
    }
    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    snprintf(out, len, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
    free(data);
}

static void serve_line(skt_socket *conn, char *result)
{
    (void)result;
    skt_sendall(conn, "line one\nline two\n", 18, 0, NULL);
    pause_ms(100);
}

static void read_line(skt_socket *s, char *out, size_t len)
{
    skt_stream *f;
    char line[64];
    ssize_t n = skt_makefile(s, &f, NULL);

    if (n == 0) {
        n = skt_stream_readline(f, line, sizeof line);
        skt_stream_close(f);
    }
    snprintf(out, len, "%s", n < 0 ? conf_err(n) : conf_bytes(line, (size_t)n));
}

static void sni_of(skt_socket *conn, char *result)
{
    tls_echo(conn, result);
    snprintf(result, 128, "%s", or_none(skt_tls_server_hostname(conn)));
}

#define WITH_SERVER(fn, server_fn, client_fn, host, report)                    \
    static void fn(const char *name)                                           \
    {                                                                          \
        const struct exchange x = {.action = client_fn,                        \
                                   .server_action = server_fn,                 \
                                   .hostname = host,                           \
                                   .report_server = report};                   \
        exchange(name, &x);                                                    \
    }
WITH_SERVER(ssl_pending, send_ten, recv_three_pending, NULL, 0)
WITH_SERVER(ssl_end_after_close_notify, server_closes, client_reads_end, NULL,
            0)
WITH_SERVER(ssl_unwrap_both_sides, unwrap_then_plain_server,
            unwrap_then_plain_client, NULL, 0)
WITH_SERVER(ssl_sendall_large_counted, large_sink, send_large, NULL, 0)
WITH_SERVER(ssl_makefile_readline, serve_line, read_line, NULL, 0)
WITH_SERVER(ssl_sni_seen_by_server, sni_of, ping, NULL, 2)
WITH_SERVER(ssl_no_sni_for_ip_address, sni_of, ping, "127.0.0.1", 2)

static void ssl_session_resumed(const char *name)
{
    tls_server srv = {0};
    skt_tls_ctx *server, *client;
    skt_tls_session *session = NULL;
    char out[64] = "", text[128];
    int rc;

    NEEDS_CERTS(name);
    server = tls_server_ctx("server.pem", "server.key", &rc);
    if (rc == 0)
        rc = tls_server_start(&srv, server, tls_echo, 2);
    if (rc < 0)
        return conf_rc(name, rc);
    client = tls_client_ctx(&rc);
    for (int i = 0; rc == 0 && i < 2; i++) {
        skt_tls_wrap_opts opts = {.server_hostname = "localhost",
                                  .session = session};
        skt_socket *c = NULL;

        rc = tls_connect(srv.port, &c);
        if (rc == 0)
            rc = skt_tls_wrap_socket(c, client, &opts);
        if (rc == 0)
            ping(c, text, sizeof text);
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s",
                 i ? " " : "", conf_bool(skt_tls_session_reused(c)));
        skt_tls_session_free(session);
        session = NULL;
        if (rc == 0)
            rc = skt_tls_get_session(c, &session);
        skt_close(c);
    }
    skt_tls_session_free(session);
    skt_tls_ctx_free(client);
    tls_server_done(&srv);
    if (rc < 0 && strlen(out) < 10)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", out);
}

/* ------------------------------------------------------------------------ */
/* Modes and misuse                                                         */
/* ------------------------------------------------------------------------ */

/* With a handshake, the server waits 0.1 s before its own, so that the
 * client's first step cannot complete it. */
static void nonblocking(const char *name, bool handshake)
{
    tls_server srv = {.delay_ms = handshake ? 100 : 0};
    skt_tls_ctx *server, *client = NULL;
    skt_socket *c = NULL;
    char out[128], buf[10];
    const char *before = "-";
    int first = 0, rc;

    NEEDS_CERTS(name);
    server = tls_server_ctx("server.pem", "server.key", &rc);
    if (rc == 0)
        rc = tls_server_start(&srv, server, tls_echo, 1);
    if (rc < 0)
        return conf_rc(name, rc);
    client = tls_client_ctx(&rc);
    if (rc == 0)
        rc = tls_connect(srv.port, &c);
    if (rc == 0 && handshake) {
        skt_setblocking(c, false);
        first = skt_tls_wrap(c, client, "localhost", false);
        before = or_none(skt_tls_version(c));
        skt_settimeout(c, 5);
        rc = skt_tls_handshake(c);
    } else if (rc == 0) {
        rc = skt_tls_wrap(c, client, "localhost", false);
        skt_setblocking(c, false);
        pause_ms(50);
        if (rc == 0)
            first = (int)skt_recv(c, buf, sizeof buf, 0);
        skt_settimeout(c, 5);
    }
    if (rc == 0)
        ping(c, out, sizeof out);
    if (rc < 0)
        conf_rc(name, rc);
    else if (handshake)
        conf_emit(name, "%s %s %s", conf_err(first), before,
                  or_none(skt_tls_version(c)));
    else
        conf_emit(name, "%s", first < 0 ? conf_err(first) : "data");
    skt_close(c);
    skt_tls_ctx_free(client);
    tls_server_done(&srv);
}

static void ssl_nonblocking_handshake(const char *n)
{
    nonblocking(n, true);
}
static void ssl_nonblocking_recv(const char *n)
{
    nonblocking(n, false);
}

/* A plain TCP peer that sends `says` (or nothing) and shuts down. */
static void plain_peer(const char *name, const char *says)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_tls_ctx *client;
    skt_addr a;
    double start;
    int rc;

    NEEDS_CERTS(name);
    client = tls_client_ctx(&rc);
    if (rc == 0)
        rc = conf_listener(AF_INET, &l, &a);
    if (rc < 0) {
        skt_tls_ctx_free(client);
        return conf_rc(name, rc);
    }
    rc = skt_open(&c, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(c, 5);
    if (rc == 0)
        rc = skt_connect(c, &a);
    if (rc == 0)
        rc = skt_accept(l, &conn, NULL);
    if (rc == 0 && says) {
        for (int i = 0; i < 4; i++)
            skt_sendall(conn, says, strlen(says), 0, NULL);
        skt_shutdown(conn, SHUT_WR);
    }
    if (rc == 0 && !says)
        skt_settimeout(c, 0.2);
    start = conf_now();
    if (rc == 0)
        rc = skt_tls_wrap(c, client, "localhost", false);
    if (says)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s", conf_err(rc), conf_bucket(conf_now() - start));
    conf_close(l, c, conn);
    skt_tls_ctx_free(client);
}

static void ssl_handshake_timeout(const char *n)
{
    plain_peer(n, NULL);
}
static void ssl_plaintext_peer(const char *n)
{
    plain_peer(n, "HTTP/1.0 400 Bad Request\r\n\r\n");
}

static void misuse(const char *name, int side, int type, const char *host,
                   bool server_side)
{
    skt_tls_ctx *ctx;
    skt_socket *s = NULL;
    int rc = skt_tls_ctx_new(&ctx, side);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, type, 0);
    if (rc == 0)
        rc = skt_tls_wrap(s, ctx, host, server_side);
    conf_rc(name, rc);
    skt_close(s);
    skt_tls_ctx_free(ctx);
}

static void ssl_server_hostname_on_server_side(const char *n)
{
    misuse(n, SKT_TLS_SERVER, SOCK_STREAM, "x", true);
}
static void ssl_no_server_hostname_with_check(const char *n)
{
    misuse(n, SKT_TLS_CLIENT, SOCK_STREAM, NULL, false);
}
static void ssl_wrap_udp(const char *n)
{
    misuse(n, SKT_TLS_CLIENT, SOCK_DGRAM, "x", false);
}

const conf_scenario conf_tls[] = {
    {"ssl.handshake_version", ssl_handshake_version},
    {"ssl.echo", ssl_echo},
    {"ssl.hostname_mismatch", ssl_hostname_mismatch},
    {"ssl.expired", ssl_expired},
    {"ssl.unknown_ca", ssl_unknown_ca},
    {"ssl.self_signed", ssl_self_signed},
    {"ssl.cert_none_accepts_self_signed", ssl_cert_none_accepts_self_signed},
    {"ssl.ip_address_name", ssl_ip_address_name},
    {"ssl.ipv6_address_name", ssl_ipv6_address_name},
    {"ssl.wrong_ip_address", ssl_wrong_ip_address},
    {"ssl.max_version_1_2", ssl_max_version_1_2},
    {"ssl.version_mismatch", ssl_version_mismatch},
    {"ssl.alpn_selected", ssl_alpn_selected},
    {"ssl.alpn_no_overlap", ssl_alpn_no_overlap},
    {"ssl.alpn_none", ssl_alpn_none},
    {"ssl.client_cert_missing", ssl_client_cert_missing},
    {"ssl.client_cert_optional_missing", ssl_client_cert_optional_missing},
    {"ssl.client_cert_presented", ssl_client_cert_presented},
    {"ssl.peer_subject", ssl_peer_subject},
    {"ssl.peer_issuer", ssl_peer_issuer},
    {"ssl.peer_subject_alt_names", ssl_peer_subject_alt_names},
    {"ssl.peer_times_and_serial", ssl_peer_times_and_serial},
    {"ssl.dup_refused", ssl_dup_refused},
    {"ssl.pending", ssl_pending},
    {"ssl.end_after_close_notify", ssl_end_after_close_notify},
    {"ssl.unwrap_both_sides", ssl_unwrap_both_sides},
    {"ssl.sendall_large_counted", ssl_sendall_large_counted},
    {"ssl.makefile_readline", ssl_makefile_readline},
    {"ssl.sni_seen_by_server", ssl_sni_seen_by_server},
    {"ssl.no_sni_for_ip_address", ssl_no_sni_for_ip_address},
    {"ssl.session_resumed", ssl_session_resumed},
    {"ssl.nonblocking_handshake", ssl_nonblocking_handshake},
    {"ssl.nonblocking_recv", ssl_nonblocking_recv},
    {"ssl.handshake_timeout", ssl_handshake_timeout},
    {"ssl.plaintext_peer", ssl_plaintext_peer},
    {"ssl.server_hostname_on_server_side", ssl_server_hostname_on_server_side},
    {"ssl.no_server_hostname_with_check", ssl_no_server_hostname_with_check},
    {"ssl.wrap_udp", ssl_wrap_udp},
    {NULL, NULL},
};
