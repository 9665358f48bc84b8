/*
 * udp.c - -u: datagrams, over UDP or (with -U) Unix datagram sockets.
 * Each read of stdin is one datagram; each datagram received is written
 * out whole. The client connects its socket to the first address of HOST
 * (a Unix client binds an autobound name, so that it can be answered).
 * The listener answers the first peer it hears from and ignores others;
 * with -k it hears everyone (up to -m peers) and sends stdin to each.
 * After stdin's end, skt exits once -i seconds (default 1) pass without a
 * datagram; before it, -i expiring is exit status 4. With --frame each
 * line of stdin is one message in a datagram of its own, and each
 * datagram received must hold whole messages, printed one a line. With
 * -e/-c, udp_exec.c runs a program per peer instead.
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATAGRAM_MAX 65536
/* How long to wait for datagrams after stdin's end, without -i. */
#define LINGER_DEFAULT 1.0

#define FROM_STDIN ((void *)1)
#define FROM_SOCKET ((void *)2)

struct dgram {
    const struct config *c;
    skt_socket *s;
    skt_selector *sel;
    bool connected, stdin_open, stdin_ended, last_cr, done;
    skt_addr *peers; /* -k: every peer heard from */
    long peer_count;
    uint64_t dumped_out, dumped_in;
    double last_activity;
    int status;
    struct lines lines; /* --frame: the lines of stdin */
    int write_rc;       /* the failure of a write to stdout, or 0 */
};

static void finish(struct dgram *d, int status)
{
    d->done = true;
    d->status = status;
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                  */
/* ------------------------------------------------------------------------ */

/* The first address of HOST PORT for datagrams, under -w. */
static int resolve_peer(const struct config *c, skt_addr *out)
{
    skt_addrinfo hints = {.family = c->family, .type = SOCK_DGRAM}, *res;
    char buf[256];
    int rc;

    if (c->numeric)
        hints.flags = AI_NUMERICHOST;
    rc = skt_getaddrinfo(host_unbracketed(c->host, buf, sizeof buf), c->port,
                         &hints, c->wait > 0 ? c->wait : SKT_BLOCKING, &res);
    if (rc < 0)
        return rc;
    *out = res->addr;
    skt_freeaddrinfo(res);
    return 0;
}

/* The local address: -s/-p for UDP, an autobound name for Unix. */
static int bind_local(const struct config *c, skt_socket *s)
{
    char buf[256];
    skt_addr local;
    int rc = 0;

    if (c->unix_socket) {
        rc = skt_addr_parse(&local, "unix:");
        return rc < 0 ? rc : skt_bind(s, &local);
    }
    if (!c->source && !c->source_port)
        return 0;
    rc = skt_addr_from_ip(&local, c->source ? host_unbracketed(c->source, buf,
                                                               sizeof buf)
                                            : skt_family(s) == AF_INET6
                                                  ? "::"
                                                  : "0.0.0.0",
                          c->source_port ? port_number(c->source_port, "udp")
                                         : 0);
    return rc < 0 ? rc : skt_bind(s, &local);
}

int open_datagram_client(const struct config *c, skt_socket **out)
{
    char why[160];
    skt_addr peer;
    int rc = c->unix_socket ? parse_unix_path(c->path, &peer, why,
                                              sizeof why)
                            : resolve_peer(c, &peer);

    if (rc == 0)
        rc = skt_open(out, skt_addr_family(&peer), SOCK_DGRAM, 0);
    if (rc == 0)
        rc = bind_local(c, *out);
    if (rc == 0)
        rc = skt_connect(*out, &peer);
    if (rc < 0) {
        int status = fail(rc, c->wait > 0);
        skt_close(*out);
        *out = NULL;
        return status;
    }
    if (c->verbose)
        describe_peer("sending datagrams to", *out);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Data                                                                     */
/* ------------------------------------------------------------------------ */

static bool known_peer(const struct dgram *d, const skt_addr *a)
{
    for (long i = 0; i < d->peer_count; i++)
        if (skt_addr_equal(&d->peers[i], a))
            return true;
    return false;
}

/* A listener's new peer: without -k the only one (connected to). */
static int add_peer(struct dgram *d, const skt_addr *from)
{
    char where[SKT_ADDRSTRLEN];

    if (from->len == 0 || known_peer(d, from) ||
        d->peer_count == d->c->max_clients || !rules_allow(d->c, from))
        return 0;
    d->peers[d->peer_count++] = *from;
    if (d->c->verbose)
        note("datagrams from %s", addr_text(from, where, sizeof where));
    if (!d->stdin_open && !d->stdin_ended && !d->c->recv_only)
        d->stdin_open = skt_selector_register(d->sel, 0, SKT_EVENT_READ,
                                              FROM_STDIN) == 0;
    if (d->c->keep_open)
        return 0;
    d->connected = true;
    return skt_connect(d->s, from);
}

static void send_datagram(struct dgram *d, const char *buf, size_t len)
{
    ssize_t rc = 0;

    if (d->c->hex_dump && !d->c->framed)
        hex_dump('>', buf, len, &d->dumped_out);
    if (d->connected)
        rc = skt_send(d->s, buf, len, 0);
    for (long i = 0; !d->connected && i < d->peer_count && rc >= 0; i++)
        rc = skt_sendto(d->s, buf, len, 0, &d->peers[i]);
    if (rc < 0)
        finish(d, fail((int)rc, false));
}

/* --frame: each complete line of what stdin gave (len 0 at its end) as
 * one datagram. */
static void frame_stdin(struct dgram *d, const char *buf, size_t len)
{
    static char out[DATAGRAM_MAX];
    const char *line;
    size_t line_len;
    int rc = lines_add(&d->lines, buf, len);

    while (rc == 0 && !d->done &&
           (rc = lines_next(&d->lines, len == 0, &line, &line_len)) == 1) {
        rc = frame_datagram(d->c, line, line_len, out, sizeof out);
        if (rc >= 0 && d->c->hex_dump)
            hex_dump('>', line, line_len, &d->dumped_out);
        if (rc >= 0)
            send_datagram(d, out, (size_t)rc);
        rc = rc < 0 ? rc : 0;
    }
    if (rc < 0)
        finish(d, fail(rc, false));
}

static void on_stdin(struct dgram *d)
{
    static char buf[DATAGRAM_MAX], expanded[2 * DATAGRAM_MAX];
    ssize_t got = read(0, buf, sizeof buf);
    size_t len;

    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (got <= 0) {
        skt_selector_unregister(d->sel, 0);
        d->stdin_open = false;
        d->stdin_ended = true;
        if (d->c->framed)
            frame_stdin(d, buf, 0);
        return;
    }
    if (d->c->framed) {
        frame_stdin(d, buf, (size_t)got);
        return;
    }
    len = (size_t)got;
    if (d->c->crlf)
        len = crlf_expand(buf, len, expanded, &d->last_cr);
    send_datagram(d, d->c->crlf ? expanded : buf, len);
}

/* An ICMP port unreachable came back: say for which address. */
static void refused(const struct dgram *d)
{
    char where[SKT_ADDRSTRLEN];
    skt_addr peer;

    if (skt_getpeername(d->s, &peer) < 0)
        peer.len = 0;
    skt_set_error_detail(-ECONNREFUSED, "datagrams to %s: %s (nothing "
                         "listens there)", addr_text(&peer, where,
                                                     sizeof where),
                         skt_strerror(-ECONNREFUSED));
}

/* --frame: one message of a datagram out as one line. */
static int print_message(void *arg, const void *msg, size_t len)
{
    struct dgram *d = arg;
    int rc;

    if (d->c->hex_dump)
        hex_dump('<', msg, len, &d->dumped_in);
    rc = write_all(1, msg, len);
    if (rc == 0)
        rc = write_all(1, "\n", 1);
    d->write_rc = rc;
    return rc;
}

/* A datagram received, out whole (--frame: its messages, one a line). A
 * listener hears a malformed one out and goes on. */
static void print_datagram(struct dgram *d, const char *buf, size_t len)
{
    int rc;

    if (!d->c->framed) {
        if (d->c->hex_dump)
            hex_dump('<', buf, len, &d->dumped_in);
        rc = d->write_rc = write_all(1, buf, len);
    } else {
        rc = unframe_datagram(d->c, buf, len, print_message, d);
    }
    if (d->write_rc == -EPIPE)
        finish(d, EXIT_OK);
    else if (d->write_rc < 0)
        finish(d, fail(skt_set_error_detail(rc, "write to stdout: %s",
                                            skt_strerror(rc)), false));
    else if (rc < 0 && d->c->listen)
        note("%s (datagram ignored)", skt_error_detail());
    else if (rc < 0)
        finish(d, fail(rc, false));
}

static void on_socket(struct dgram *d)
{
    static char buf[DATAGRAM_MAX];
    skt_addr from;
    ssize_t got = skt_recvfrom(d->s, buf, sizeof buf, 0, &from);
    int rc;

    if (got == -EAGAIN)
        return;
    if (got == -ECONNREFUSED && d->connected)
        refused(d);
    if (got < 0) {
        finish(d, fail((int)got, false));
        return;
    }
    /* An unnamed sender (a Unix socket that never bound) is heard but
     * cannot be answered. */
    if (!d->connected && from.len != 0 && !known_peer(d, &from)) {
        rc = add_peer(d, &from);
        if (rc < 0 || !known_peer(d, &from)) {
            if (rc < 0)
                finish(d, fail(rc, false));
            return;
        }
    }
    print_datagram(d, buf, (size_t)got);
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

/* -i before stdin's end; the linger after it; none while no peer is
 * known to a listener. */
static double time_limit(const struct dgram *d)
{
    if (d->stdin_ended && (d->connected || d->peer_count > 0))
        return d->c->idle > 0 ? d->c->idle : LINGER_DEFAULT;
    return d->c->idle > 0 && !d->stdin_ended ? d->c->idle : SKT_BLOCKING;
}

/* The limit of time_limit passed without a datagram. */
static void time_is_up(struct dgram *d)
{
    if (d->stdin_ended) {
        finish(d, EXIT_OK);
        return;
    }
    skt_set_error_detail(-ETIMEDOUT, "idle for %g s: no datagram either "
                         "way", d->c->idle);
    finish(d, fail(-ETIMEDOUT, true));
}

static void round_trip(struct dgram *d)
{
    const skt_selector_ready *ready;
    double limit = time_limit(d), left = SKT_BLOCKING;
    int count;

    if (limit > 0) {
        left = d->last_activity + limit - now_seconds();
        left = left > 0 ? left : 0;
    }
    count = skt_selector_select(d->sel, left, &ready);
    if (signals_caught())
        finish(d, EXIT_SIGNAL + signals_caught());
    else if (count < 0)
        finish(d, fail(count, false));
    else if (count == 0 && limit > 0 &&
             now_seconds() - d->last_activity >= limit)
        time_is_up(d);
    for (int i = 0; i < count && !d->done; i++) {
        if (ready[i].events == 0)
            continue;
        d->last_activity = now_seconds();
        if (ready[i].key.data == FROM_STDIN)
            on_stdin(d);
        else
            on_socket(d);
    }
}

static int pump_datagrams(struct dgram *d)
{
    int rc = skt_selector_new(&d->sel, SKT_SELECTOR_POLL);

    if (rc == 0)
        rc = skt_selector_register_socket(d->sel, d->s, SKT_EVENT_READ,
                                          FROM_SOCKET);
    if (rc < 0)
        return fail(rc, false);
    if (d->connected && !d->c->recv_only)
        d->stdin_open = skt_selector_register(d->sel, 0, SKT_EVENT_READ,
                                              FROM_STDIN) == 0;
    d->stdin_ended = d->connected && !d->stdin_open;
    d->last_activity = now_seconds();
    signals_watch(d->sel);
    while (!d->done)
        round_trip(d);
    signals_watch(NULL);
    skt_selector_close(d->sel);
    return d->status;
}

int run_udp(const struct config *c)
{
    struct dgram d = {.c = c};
    int status;

    if (c->exec_cmd)
        return run_udp_exec(c);
    lines_init(&d.lines, c);
    if (c->listen) {
        status = open_listener(c, SOCK_DGRAM, &d.s);
        d.peers = calloc((size_t)c->max_clients, sizeof *d.peers);
        if (status == 0 && d.peers == NULL)
            status = fail(skt_set_error_detail(-ENOMEM, "-m: out of "
                                               "memory"), false);
    } else {
        status = open_datagram_client(c, &d.s);
        d.connected = true;
    }
    if (status == 0)
        status = pump_datagrams(&d);
    free(d.peers);
    lines_free(&d.lines);
    if (c->listen && d.s != NULL)
        close_listener(c, d.s);
    else
        skt_close(d.s);
    return status;
}
