/*
 * listen.c - listen mode for streams (TCP, dual-stack when HOST is left
 * out; -U's Unix socket): the listener and its "listening on" line, the
 * --allow/--deny rules, each client's TLS handshake, and the three ways to
 * serve: one client (without -k), every client at once with stdin going to
 * all of them (-k; --broker: each client's data to the others), or one
 * program per client (-k with -e/-c, in hub.c and exec.c).
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* --allow and --deny                                                       */
/* ------------------------------------------------------------------------ */

/* An IPv4-mapped IPv6 address (a dual-stack listener's IPv4 client) as
 * the IPv4 address it carries, so that IPv4 rules match it. */
static skt_addr unmapped(const skt_addr *a)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0xff, 0xff};
    const unsigned char *bytes = a->u.in6.sin6_addr.s6_addr;
    skt_addr v4;

    if (skt_addr_family(a) != AF_INET6 || memcmp(bytes, prefix, 12) != 0)
        return *a;
    memset(&v4, 0, sizeof v4);
    v4.len = sizeof v4.u.in4;
    v4.u.in4.sin_family = AF_INET;
    memcpy(&v4.u.in4.sin_addr, bytes + 12, 4);
    return v4;
}

/* True when the first prefix bits of a and b are equal. */
static bool prefix_equal(const unsigned char *a, const unsigned char *b,
                         int prefix)
{
    int whole = prefix / 8, rest = prefix % 8;

    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

static bool rule_matches(const struct rule *r, const skt_addr *a)
{
    int family = skt_addr_family(a);

    if (family != skt_addr_family(&r->net))
        return false;
    if (family == AF_INET)
        return prefix_equal((const void *)&a->u.in4.sin_addr,
                            (const void *)&r->net.u.in4.sin_addr, r->prefix);
    return prefix_equal(a->u.in6.sin6_addr.s6_addr,
                        r->net.u.in6.sin6_addr.s6_addr, r->prefix);
}

bool rules_allow(const struct config *c, const skt_addr *addr)
{
    skt_addr a = unmapped(addr);
    bool any_allow = false, allowed = false;

    if (skt_addr_family(&a) != AF_INET && skt_addr_family(&a) != AF_INET6)
        return true;
    for (size_t i = 0; i < c->rule_count; i++) {
        const struct rule *r = &c->rules[i];
        if (!r->allow && rule_matches(r, &a))
            return false;
        any_allow = any_allow || r->allow;
        allowed = allowed || (r->allow && rule_matches(r, &a));
    }
    return !any_allow || allowed;
}

/* ------------------------------------------------------------------------ */
/* The listener                                                             */
/* ------------------------------------------------------------------------ */

/* Without HOST: IPv4 and IPv6 on one socket where the system can. */
static int server_options(const struct config *c, skt_server_opts *opts,
                          const char **host)
{
    memset(opts, 0, sizeof *opts);
    opts->family = c->family;
    if (*host != NULL)
        return 0;
    if (c->family == AF_INET || !skt_has_dualstack_ipv6()) {
        *host = c->family == AF_INET6 ? "::" : "0.0.0.0";
        return 0;
    }
    *host = "::";
    opts->family = AF_INET6;
    opts->dualstack = c->family == 0;
    return 0;
}

static int open_tcp_listener(const struct config *c, int type,
                             skt_socket **out)
{
    char buf[256];
    const char *host = c->host ? host_unbracketed(c->host, buf, sizeof buf)
                               : NULL;
    skt_server_opts opts;

    server_options(c, &opts, &host);
    if (type == SOCK_DGRAM)
        return skt_create_datagram_server(out, host, c->port, &opts);
    return skt_create_server(out, host, c->port, &opts);
}

static int open_unix_listener(const struct config *c, int type,
                              skt_socket **out)
{
    char why[160];
    skt_addr a;
    int rc;

    parse_unix_path(c->path, &a, why, sizeof why);
    rc = skt_open(out, AF_UNIX, type, 0);
    if (rc == 0)
        rc = skt_bind(*out, &a);
    if (rc == 0 && c->path[0] != '@')
        signals_unlink_at_exit(c->path);
    if (rc == 0 && type == SOCK_STREAM)
        rc = skt_listen(*out, SKT_DEFAULT_BACKLOG);
    if (rc < 0) {
        skt_close(*out);
        *out = NULL;
    }
    return rc;
}

int open_listener(const struct config *c, int type, skt_socket **out)
{
    char where[SKT_ADDRSTRLEN];
    skt_addr a;
    int rc = c->unix_socket ? open_unix_listener(c, type, out)
                            : open_tcp_listener(c, type, out);

    if (rc < 0)
        return fail(rc, false);
    if (skt_getsockname(*out, &a) == 0 &&
        (c->verbose || (!c->unix_socket && atoi(c->port) == 0 &&
                        c->port[0] == '0')))
        fprintf(stderr, "listening on %s\n", addr_text(&a, where,
                                                        sizeof where));
    return 0;
}

void close_listener(const struct config *c, skt_socket *listener)
{
    skt_close(listener);
    if (c->unix_socket && c->path[0] != '@') {
        unlink(c->path);
        signals_unlink_at_exit(NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* Clients                                                                  */
/* ------------------------------------------------------------------------ */

int tls_accept(const struct config *c, skt_tls_ctx *tls, skt_socket *conn)
{
    int rc = skt_settimeout(conn, c->wait > 0 ? c->wait : HANDSHAKE_DEFAULT);

    if (rc == 0)
        rc = skt_tls_wrap(conn, tls, NULL, true);
    if (rc == 0)
        rc = skt_settimeout(conn, SKT_BLOCKING);
    if (rc == 0 && c->verbose)
        tls_describe(c, conn);
    return rc;
}

int accept_client(const struct config *c, skt_socket *listener,
                  skt_tls_ctx *tls, skt_socket **out)
{
    char where[SKT_ADDRSTRLEN];
    skt_addr peer;
    int rc = skt_accept(listener, out, &peer);

    if (rc < 0)
        return rc;
    if (!rules_allow(c, &peer)) {
        if (c->verbose)
            note("refused %s (--allow/--deny)",
                 addr_text(&peer, where, sizeof where));
        skt_close(*out);
        *out = NULL;
        return 1;
    }
    if (c->verbose)
        describe_peer("connection from", *out);
    rc = skt_settimeout(*out, SKT_BLOCKING);
    if (rc == 0 && tls != NULL)
        rc = tls_accept(c, tls, *out);
    if (rc < 0) {
        skt_close(*out);
        *out = NULL;
    }
    return rc;
}

/* Without -k: the first client let in is served, then skt exits. */
static int serve_one(const struct config *c, skt_socket *listener,
                     skt_tls_ctx *tls)
{
    skt_socket *conn = NULL;
    int rc, status;

    do
        rc = accept_client(c, listener, tls, &conn);
    while (rc == 1);
    close_listener(c, listener);
    if (rc < 0)
        return fail(rc, c->wait > 0);
    status = serve_connection(c, conn);
    skt_close(conn);
    return status;
}

int run_listen(const struct config *c)
{
    skt_socket *listener = NULL;
    skt_tls_ctx *tls = NULL;
    int status;

    if (c->udp)
        return run_udp(c);
    status = c->tls ? tls_context(c, true, &tls) : 0;
    if (status == 0)
        status = open_listener(c, SOCK_STREAM, &listener);
    if (status == 0 && !c->keep_open)
        status = serve_one(c, listener, tls);
    else if (status == 0 && c->exec_cmd)
        status = serve_programs(c, listener, tls);
    else if (status == 0)
        status = serve_hub(c, listener, tls);
    skt_tls_ctx_free(tls);
    return status;
}
