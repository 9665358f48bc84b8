/*
 * connect.c - connect mode: one connection (TCP with Happy Eyeballs under
 * one -w deadline over lookup, attempts and TLS handshake; or -U's Unix
 * stream socket; or --proxy's tunnel, under the same deadline), what -v
 * says about it (each address tried, with its result and time, from the
 * library's connection report), and serving it with stdin and stdout or
 * with -e/-c's program.
 */
#include "tool.h"

#include <errno.h>
#include <string.h>

/* Most addresses -v lists. */
#define REPORT_MAX 16

/* ------------------------------------------------------------------------ */
/* -v                                                                       */
/* ------------------------------------------------------------------------ */

/* The outcome of one attempt, as -v prints it. */
static const char *outcome(int code)
{
    if (code == 0)
        return "connected";
    if (code == -ECANCELED)
        return "no answer yet when another address connected";
    return skt_strerror(code);
}

static void print_report(const char *host, const skt_connect_report *r)
{
    char where[SKT_ADDRSTRLEN], took[32];
    size_t shown = r->count < r->capacity ? r->count : r->capacity;

    note("resolved %s in %s", host,
         ms_text(r->resolve_seconds, took, sizeof took));
    for (size_t i = 0; i < shown; i++)
        note("%s: %s (%s)", addr_text(&r->attempts[i].addr, where,
                                      sizeof where),
             outcome(r->attempts[i].code),
             ms_text(r->attempts[i].seconds, took, sizeof took));
    if (r->count > shown)
        note("... and %zu more addresses", r->count - shown);
}

void describe_peer(const char *what, skt_socket *s)
{
    char peer[SKT_ADDRSTRLEN], local[SKT_ADDRSTRLEN];
    skt_addr a, b;

    if (skt_getpeername(s, &a) < 0)
        a.len = 0;
    if (skt_getsockname(s, &b) < 0)
        b.len = 0;
    note("%s %s (local %s)", what, addr_text(&a, peer, sizeof peer),
         addr_text(&b, local, sizeof local));
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                  */
/* ------------------------------------------------------------------------ */

/* -s and -p as the connection's local address; 0 or an exit status. */
static int source_address(const struct config *c, skt_addr *out)
{
    char buf[256];
    const char *host;
    int port = 0, rc;

    if (!c->source && !c->source_port)
        return 0;
    host = c->source ? host_unbracketed(c->source, buf, sizeof buf)
                     : c->family == AF_INET6 ? "::" : "0.0.0.0";
    if (c->source_port)
        port = port_number(c->source_port, c->udp ? "udp" : "tcp");
    rc = port < 0 ? port : skt_addr_from_ip(out, host, port);
    return rc < 0 ? fail(rc, false) : 0;
}

/* -v: the session of a client's handshake, and its time. */
static void describe_handshake(const struct config *c, skt_socket *s,
                               double seconds)
{
    char took[32];

    note("TLS handshake done in %s", ms_text(seconds, took, sizeof took));
    tls_describe(c, s);
}

/* The client's TLS handshake on a connected socket (-U, --proxy), with
 * name as SNI and the name the certificate must have (NULL with
 * --insecure over -U), in what is left of deadline (0: none). */
static int tls_handshake(const struct config *c, skt_tls_ctx *tls,
                         skt_socket *s, const char *name, double deadline)
{
    double start = now_seconds();
    int rc = 0;

    if (deadline > 0 && deadline <= start)
        return skt_set_error_detail(-ETIMEDOUT, "tls handshake with %s: "
                                    "no time left of -w %g s",
                                    name ? name : c->path, c->wait);
    if (deadline > 0)
        rc = skt_settimeout(s, deadline - start);
    if (rc == 0)
        rc = skt_tls_wrap(s, tls, name, false);
    if (rc == 0 && c->verbose)
        describe_handshake(c, s, now_seconds() - start);
    return rc;
}

/* The -w deadline on now_seconds()'s clock, from now; 0 without -w. */
static double deadline_from_now(const struct config *c)
{
    return c->wait > 0 ? now_seconds() + c->wait : 0;
}

static int open_unix(const struct config *c, skt_tls_ctx *tls,
                     skt_socket **out)
{
    double deadline = deadline_from_now(c);
    char why[160];
    skt_addr a;
    int rc;

    parse_unix_path(c->path, &a, why, sizeof why);
    rc = skt_open(out, AF_UNIX, SOCK_STREAM, 0);
    if (rc == 0 && c->wait > 0)
        rc = skt_settimeout(*out, c->wait);
    if (rc == 0)
        rc = skt_connect(*out, &a);
    if (rc == 0 && c->verbose)
        describe_peer("connected to", *out);
    if (rc == 0 && tls != NULL)
        rc = tls_handshake(c, tls, *out, c->sni, deadline);
    if (rc == 0)
        rc = skt_settimeout(*out, SKT_BLOCKING);
    if (rc < 0) {
        int status = fail(rc, c->wait > 0);
        skt_close(*out);
        *out = NULL;
        return status;
    }
    return 0;
}

/* --proxy: the connection to the proxy (with -v's report) and its tunnel
 * to HOST PORT, under deadline. Returns 0 or a negative code. */
static int tunnel(const struct config *c, skt_socket **out, double deadline)
{
    skt_connect_attempt tried[REPORT_MAX];
    skt_connect_report report = {.attempts = tried, .capacity = REPORT_MAX};
    skt_connect_opts opts = {
        .timeout = c->wait > 0 ? c->wait : SKT_BLOCKING,
        .family = c->family, .report = &report,
    };
    char buf[256], took[32];
    double start;
    int rc = source_address(c, &opts.source);

    if (rc != 0)
        return rc;
    rc = skt_create_connection(out, host_unbracketed(c->proxy_host, buf,
                                                     sizeof buf),
                               c->proxy_port, &opts);
    if (c->verbose)
        print_report(c->proxy_host, &report);
    start = now_seconds();
    if (rc == 0)
        rc = proxy_tunnel(c, *out, deadline);
    if (rc == 0 && c->verbose)
        note("proxy %s: tunnel to %s port %s open in %s", c->proxy,
             c->host, c->port, ms_text(now_seconds() - start, took,
                                       sizeof took));
    return rc;
}

/* --proxy: the tunnel, and TLS through it with HOST (or --sni) as the
 * name, all under one -w deadline. */
static int open_proxied(const struct config *c, skt_tls_ctx *tls,
                        skt_socket **out)
{
    double deadline = deadline_from_now(c);
    char buf[256];
    const char *name = c->sni ? c->sni
                              : host_unbracketed(c->host, buf, sizeof buf);
    int rc = tunnel(c, out, deadline), status;

    if (rc > 0)
        return rc;
    if (rc == 0 && tls != NULL)
        rc = tls_handshake(c, tls, *out, name, deadline);
    if (rc == 0)
        rc = skt_settimeout(*out, SKT_BLOCKING);
    if (rc == 0)
        return 0;
    status = fail(rc, c->wait > 0);
    skt_close(*out);
    *out = NULL;
    return status;
}

/* HOST PORT over TCP, with TLS when asked, under one -w deadline. */
static int open_tcp(const struct config *c, skt_tls_ctx *tls,
                    skt_socket **out)
{
    skt_connect_attempt tried[REPORT_MAX];
    skt_connect_report report = {.attempts = tried, .capacity = REPORT_MAX};
    skt_connect_opts opts = {
        .timeout = c->wait > 0 ? c->wait : SKT_BLOCKING,
        .family = c->family, .tls = tls, .tls_hostname = c->sni,
        .report = &report,
    };
    char buf[256];
    int rc, status = source_address(c, &opts.source);

    if (status != 0)
        return status;
    rc = skt_create_connection(out, host_unbracketed(c->host, buf,
                                                     sizeof buf),
                               c->port, &opts);
    if (c->verbose)
        print_report(c->host, &report);
    if (rc < 0)
        return fail(rc, c->wait > 0);
    if (c->verbose && tls != NULL)
        describe_handshake(c, *out, report.handshake_seconds);
    rc = skt_settimeout(*out, SKT_BLOCKING);
    return rc < 0 ? fail(rc, false) : 0;
}

int open_connection(const struct config *c, skt_socket **out)
{
    skt_tls_ctx *tls = NULL;
    int status;

    *out = NULL;
    if (c->tls && (status = tls_context(c, false, &tls)) != 0)
        return status;
    if (c->unix_socket)
        status = open_unix(c, tls, out);
    else if (c->proxy)
        status = open_proxied(c, tls, out);
    else
        status = open_tcp(c, tls, out);
    skt_tls_ctx_free(tls);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Serving                                                                  */
/* ------------------------------------------------------------------------ */

int serve_connection(const struct config *c, skt_socket *s)
{
    struct counters n = {0, 0};
    int status;

    if (c->exec_cmd)
        return exec_connection(c, s);
    status = pump_stream(c, s, 0, 1, &n);
    if (c->verbose)
        note("sent %llu bytes, received %llu bytes",
             (unsigned long long)n.sent, (unsigned long long)n.received);
    return status;
}

int run_connect(const struct config *c)
{
    skt_socket *s;
    int status;

    if (c->udp)
        return run_udp(c);
    status = open_connection(c, &s);
    if (status == 0)
        status = serve_connection(c, s);
    skt_close(s);
    return status;
}
