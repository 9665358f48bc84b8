/*
 * relay.c - skt relay ADDR ADDR: two endpoints joined by the library's
 * skt_relay, both ways, the end of either side's data carried to the
 * other as a half-close. Each address becomes one connected socket:
 * tcp:, tls: and unix: connect as connect mode does (Happy Eyeballs and
 * TLS under one -w deadline); udp: connects a datagram socket; the
 * listeners (tcp-listen:, tls-listen:, unix-listen:) take their first
 * client, and udp-listen: the first peer it hears from, answering only
 * that one; exec:CMD runs CMD through /bin/sh -c on one end of a socket
 * pair; stdio (or -) pumps stdin and stdout through a socket pair in a
 * child. Programs and stdio are started last, so that exec's program
 * finds the other side's addresses in its environment. With -k the
 * listening address serves each client in a child process of its own,
 * with its own connection to the other address, at most -m at once.
 */
#include "tool.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One address, opened. */
struct endpoint {
    const struct relay_addr *addr;
    skt_socket *s;
    skt_tls_ctx *tls;
    pid_t child; /* exec's program or stdio's pump; 0: none */
};

/* ------------------------------------------------------------------------ */
/* Addresses as connect and listen mode see them                            */
/* ------------------------------------------------------------------------ */

static bool listens(enum relay_kind kind)
{
    return kind == RELAY_TCP_LISTEN || kind == RELAY_TLS_LISTEN ||
           kind == RELAY_UNIX_LISTEN || kind == RELAY_UDP_LISTEN;
}

static bool datagrams(enum relay_kind kind)
{
    return kind == RELAY_UDP || kind == RELAY_UDP_LISTEN;
}

/* The configuration that connect or listen mode would have for a: the
 * command line's options, a's host, port or path. */
static void address_config(const struct config *c, const struct relay_addr *a,
                           struct config *out)
{
    *out = *c;
    out->host = a->host[0] != '\0' ? a->host : NULL;
    out->port = a->port;
    out->path = a->path;
    out->listen = listens(a->kind);
    out->keep_open = false;
    out->unix_socket = a->kind == RELAY_UNIX || a->kind == RELAY_UNIX_LISTEN;
    out->tls = a->kind == RELAY_TLS || a->kind == RELAY_TLS_LISTEN;
    out->udp = datagrams(a->kind);
    out->exec_cmd = NULL;
}

/* ------------------------------------------------------------------------ */
/* Datagrams                                                                */
/* ------------------------------------------------------------------------ */

/* udp-listen:[HOST:]PORT: bound, then connected to the first peer heard
 * from, whose datagram stays queued for the relay. */
static int open_udp_listener(const struct config *c, skt_socket **out)
{
    char where[SKT_ADDRSTRLEN], byte;
    skt_addr peer;
    ssize_t rc;
    int status = open_listener(c, SOCK_DGRAM, out);

    if (status != 0)
        return status;
    rc = skt_recvfrom(*out, &byte, 1, MSG_PEEK, &peer);
    if (rc >= 0)
        rc = skt_connect(*out, &peer);
    if (rc < 0) {
        skt_close(*out);
        *out = NULL;
        return fail((int)rc, false);
    }
    if (c->verbose)
        note("datagrams from %s", addr_text(&peer, where, sizeof where));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Streams                                                                  */
/* ------------------------------------------------------------------------ */

/* A stream listener's first client (its TLS handshake done). */
static int accept_first(const struct config *c, struct endpoint *e)
{
    skt_socket *listener;
    int rc, status = c->tls ? tls_context(c, true, &e->tls) : 0;

    if (status == 0)
        status = open_listener(c, SOCK_STREAM, &listener);
    if (status != 0)
        return status;
    do
        rc = accept_client(c, listener, e->tls, &e->s);
    while (rc == 1);
    close_listener(c, listener);
    return rc < 0 ? fail(rc, c->wait > 0) : 0;
}

/* ------------------------------------------------------------------------ */
/* Programs and stdio                                                       */
/* ------------------------------------------------------------------------ */

/* exec:CMD: the program on one end of a socket pair, with the other
 * endpoint's addresses (when it is a socket) in its environment. */
static int start_exec(const struct config *c, struct endpoint *e,
                      const skt_socket *other)
{
    struct config program = *c;
    skt_socket *here, *there;
    skt_addr remote = {.len = 0}, local = {.len = 0};
    int rc = skt_socketpair(&here, &there, AF_UNIX, SOCK_STREAM, 0);

    if (rc < 0)
        return fail(rc, false);
    if (other != NULL && skt_getpeername(other, &remote) < 0)
        remote.len = 0;
    if (other != NULL && skt_getsockname(other, &local) < 0)
        local.len = 0;
    program.exec_cmd = e->addr->path;
    program.exec_shell = true;
    e->child = start_program_with(&program, fd_of(there), &remote, &local);
    skt_close(there);
    if (e->child < 0) {
        e->child = 0;
        skt_close(here);
        return EXIT_NETWORK;
    }
    signals_reap_at_exit(e->child);
    e->s = here;
    return 0;
}

/* True when stdin and stdout are one socket (skt run by inetd, or by a
 * relay's exec): it is then relayed itself. */
static bool stdio_is_a_socket(void)
{
    struct stat in, out;

    return fstat(0, &in) == 0 && fstat(1, &out) == 0 &&
           S_ISSOCK(in.st_mode) && in.st_dev == out.st_dev &&
           in.st_ino == out.st_ino;
}

/* In the child of stdio: stdin to the pair, the pair to stdout, as
 * connect mode moves them (stdin's end half-closes; the pair's end, the
 * relay's other side done, ends it). Never returns. */
static void pump_stdio(const struct config *c, skt_socket *there)
{
    struct config plain = *c;
    struct counters n = {0, 0};

    plain.idle = 0;
    plain.verbose = false;
    plain.progress = -1;
    _exit(pump_stream(&plain, there, 0, 1, &n));
}

static int start_stdio(const struct config *c, struct endpoint *e)
{
    skt_socket *here, *there;
    int fd, rc;

    if (stdio_is_a_socket()) {
        fd = dup(0);
        rc = fd < 0 ? skt_set_error_detail(-errno, "dup of stdin: %s",
                                           strerror(errno))
                    : skt_from_fd(&e->s, fd);
        if (rc < 0 && fd >= 0)
            close(fd);
        return rc < 0 ? fail(rc, false) : 0;
    }
    if ((rc = skt_socketpair(&here, &there, AF_UNIX, SOCK_STREAM, 0)) < 0)
        return fail(rc, false);
    e->child = fork();
    if (e->child == 0) {
        skt_close(here);
        pump_stdio(c, there);
    }
    skt_close(there);
    if (e->child < 0) {
        e->child = 0;
        skt_close(here);
        return fail(skt_set_error_detail(-errno, "fork: %s",
                                         strerror(errno)), false);
    }
    signals_reap_at_exit(e->child);
    e->s = here;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Opening and closing                                                      */
/* ------------------------------------------------------------------------ */

/* Opens e's address, unless it is open; other is the endpoint opened
 * before (NULL: none). Returns 0 or the exit status of the failure
 * (printed). */
static int open_endpoint(const struct config *c, struct endpoint *e,
                         const skt_socket *other)
{
    struct config here;

    if (e->s != NULL)
        return 0; /* -k's client, accepted already */
    address_config(c, e->addr, &here);
    switch (e->addr->kind) {
    case RELAY_TCP:
    case RELAY_TLS:
    case RELAY_UNIX:
        return open_connection(&here, &e->s);
    case RELAY_UDP:
        return open_datagram_client(&here, &e->s); /* as -u's client */
    case RELAY_UDP_LISTEN:
        return open_udp_listener(&here, &e->s);
    case RELAY_TCP_LISTEN:
    case RELAY_TLS_LISTEN:
    case RELAY_UNIX_LISTEN:
        return accept_first(&here, e);
    case RELAY_EXEC:
        return start_exec(c, e, other);
    case RELAY_STDIO:
        return start_stdio(c, e);
    }
    return EXIT_USAGE;
}

/* Programs and stdio go last: exec's program is told the other side's
 * addresses, and nothing reads stdin before the other side is there. */
static bool opens_last(const struct endpoint *e)
{
    return e->addr->kind == RELAY_EXEC || e->addr->kind == RELAY_STDIO;
}

static int open_both(const struct config *c, struct endpoint e[2])
{
    int first = opens_last(&e[0]) && !opens_last(&e[1]) ? 1 : 0;
    int status = open_endpoint(c, &e[first], NULL);

    if (status == 0)
        status = open_endpoint(c, &e[1 - first], e[first].s);
    return status;
}

/* Closes e; a child that the relay's failure left running is asked to
 * end. Returns the child's exit status (0 without one). */
static int close_endpoint(struct endpoint *e, bool failed)
{
    int status = EXIT_OK;

    skt_close(e->s);
    e->s = NULL;
    if (e->child > 0) {
        if (failed)
            kill(e->child, SIGTERM);
        status = wait_program(e->child);
        signals_reap_at_exit(0);
        e->child = 0;
    }
    skt_tls_ctx_free(e->tls);
    e->tls = NULL;
    return status;
}

/* ------------------------------------------------------------------------ */
/* Relaying                                                                 */
/* ------------------------------------------------------------------------ */

/* The relay between the two open endpoints; its exit status. With a UDP
 * address, -i passing without a datagram is the relay's normal end. */
static int relay_both(const struct config *c, struct endpoint e[2])
{
    skt_relay_opts opts = {.idle_timeout = c->idle};
    skt_relay_stats stats;
    int rc = skt_relay(e[0].s, e[1].s, &opts, &stats);
    bool udp = datagrams(e[0].addr->kind) || datagrams(e[1].addr->kind);

    if (c->verbose)
        note("relayed %llu bytes from %s to %s and %llu back%s",
             (unsigned long long)stats.a_to_b, e[0].addr->text,
             e[1].addr->text, (unsigned long long)stats.b_to_a,
             stats.spliced ? " (spliced in the kernel)" : "");
    if (rc == -ETIMEDOUT && udp && c->idle > 0)
        return EXIT_OK;
    return rc < 0 ? fail(rc, c->idle > 0) : EXIT_OK;
}

/* Opens what is not open yet, relays, closes both: the exit status. */
static int relay_endpoints(const struct config *c, struct endpoint e[2])
{
    int status = open_both(c, e), closing;

    if (status == 0)
        status = relay_both(c, e);
    for (int i = 0; i < 2; i++) {
        closing = close_endpoint(&e[i], status != 0);
        if (status == 0)
            status = closing;
    }
    return status;
}

/* ------------------------------------------------------------------------ */
/* -k: a relay per client                                                   */
/* ------------------------------------------------------------------------ */

/* The child of one client, its handshake done: the other address, the
 * relay. Never returns. */
static void relay_process(const struct children *k, skt_socket *conn)
{
    const struct config *c = k->arg;
    struct endpoint e[2] = {{.addr = &c->relay[0]}, {.addr = &c->relay[1]}};

    e[c->relay_served].s = conn;
    _exit(relay_endpoints(c, e));
}

/* Opens the listener of -k, serves its clients, closes it. */
static int serve_clients(const struct config *c)
{
    struct config served; /* the listening address's configuration */
    struct children k = {.c = &served, .serve = relay_process, .arg = c};
    int status;

    address_config(c, &c->relay[c->relay_served], &served);
    status = served.tls ? tls_context(&served, true, &k.tls) : 0;
    if (status == 0)
        status = open_listener(&served, SOCK_STREAM, &k.listener);
    if (status == 0)
        status = serve_children(&k);
    if (k.listener != NULL)
        close_listener(&served, k.listener);
    skt_tls_ctx_free(k.tls);
    return status;
}

int run_relay(const struct config *c)
{
    struct endpoint e[2] = {{.addr = &c->relay[0]}, {.addr = &c->relay[1]}};

    if (c->relay_served >= 0)
        return serve_clients(c);
    return relay_endpoints(c, e);
}
