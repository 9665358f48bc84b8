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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* The socket's descriptor (-1 for none). */
static int fd_of(const skt_socket *s)
{
    skt_os_socket fd = SKT_INVALID_SOCKET;

    skt_fileno(s, &fd);
    return fd;
}

/* ------------------------------------------------------------------------ */
/* Datagrams                                                                */
/* ------------------------------------------------------------------------ */

/* udp:HOST:PORT: a datagram socket connected to HOST's first address. */
static int open_udp(const struct config *c, skt_socket **out)
{
    skt_addrinfo hints = {.family = c->family, .type = SOCK_DGRAM}, *res;
    char buf[256];
    int rc;

    if (c->numeric)
        hints.flags = AI_NUMERICHOST;
    rc = skt_getaddrinfo(host_unbracketed(c->host, buf, sizeof buf), c->port,
                         &hints, c->wait > 0 ? c->wait : SKT_BLOCKING, &res);
    if (rc < 0)
        return fail(rc, c->wait > 0);
    rc = skt_open(out, skt_addr_family(&res->addr), SOCK_DGRAM, 0);
    if (rc == 0 && (rc = skt_connect(*out, &res->addr)) < 0) {
        skt_close(*out);
        *out = NULL;
    }
    skt_freeaddrinfo(res);
    if (rc < 0)
        return fail(rc, false);
    if (c->verbose)
        describe_peer("sending datagrams to", *out);
    return 0;
}

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
        return open_udp(&here, &e->s);
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

struct clients {
    const struct config *c;
    struct config served; /* the listening address's configuration */
    int index;            /* which of the two addresses it is */
    skt_socket *listener;
    skt_tls_ctx *tls;
    skt_selector *sel;
    pid_t *pids; /* max_clients slots, 0 when free */
    long count;
    bool accepting;
};

static void set_accepting(struct clients *k, bool on)
{
    if (on == k->accepting)
        return;
    if (on)
        skt_selector_register_socket(k->sel, k->listener, SKT_EVENT_READ,
                                     NULL);
    else
        skt_selector_unregister_socket(k->sel, k->listener);
    k->accepting = on;
}

static void reap(struct clients *k)
{
    pid_t pid;

    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (long i = 0; i < k->c->max_clients; i++)
            if (k->pids[i] == pid) {
                k->pids[i] = 0;
                k->count--;
            }
    set_accepting(k, k->count < k->c->max_clients);
}

/* The child of one client: its handshake, the other address, the relay.
 * Never returns. */
static void client_process(struct clients *k, skt_socket *conn)
{
    struct endpoint e[2] = {{.addr = &k->c->relay[0]},
                            {.addr = &k->c->relay[1]}};
    int rc = 0;

    signals_watch(NULL);
    signals_unlink_at_exit(NULL);
    skt_selector_close(k->sel);
    skt_close(k->listener);
    if (k->tls != NULL)
        rc = tls_accept(&k->served, k->tls, conn);
    if (rc < 0) {
        skt_close(conn);
        _exit(fail(rc, k->c->wait > 0));
    }
    e[k->index].s = conn;
    _exit(relay_endpoints(k->c, e));
}

static void on_client(struct clients *k)
{
    skt_socket *conn;
    pid_t pid;
    long i = 0;
    int rc = accept_client(&k->served, k->listener, NULL, &conn);

    if (rc != 0) {
        if (rc < 0 && rc != -EAGAIN)
            fail(rc, false);
        return;
    }
    pid = fork();
    if (pid == 0)
        client_process(k, conn);
    if (pid < 0)
        fail(skt_set_error_detail(-errno, "fork: %s", strerror(errno)),
             false);
    skt_close(conn);
    if (pid < 0)
        return;
    while (k->pids[i] != 0)
        i++;
    k->pids[i] = pid;
    k->count++;
    set_accepting(k, k->count < k->c->max_clients);
}

/* On a signal: every child is asked to end, then reaped. */
static void end_children(struct clients *k)
{
    for (long i = 0; i < k->c->max_clients; i++)
        if (k->pids[i] > 0)
            kill(k->pids[i], SIGTERM);
    for (long i = 0; i < k->c->max_clients; i++)
        if (k->pids[i] > 0)
            waitpid(k->pids[i], NULL, 0);
}

static int clients_loop(struct clients *k)
{
    const skt_selector_ready *ready;

    set_accepting(k, true);
    while (signals_caught() == 0) {
        int count = skt_selector_select(k->sel, SKT_BLOCKING, &ready);
        if (count < 0)
            return fail(count, false);
        reap(k);
        if (count > 0 && ready[0].events != 0 && k->accepting &&
            signals_caught() == 0)
            on_client(k);
    }
    end_children(k);
    return EXIT_SIGNAL + signals_caught();
}

/* Opens the listener of -k and its selector. */
static int clients_start(struct clients *k)
{
    const struct config *c = &k->served;
    int rc, status = c->tls ? tls_context(c, true, &k->tls) : 0;

    if (status == 0)
        status = open_listener(c, SOCK_STREAM, &k->listener);
    if (status != 0)
        return status;
    rc = skt_selector_new(&k->sel, SKT_SELECTOR_POLL);
    k->pids = calloc((size_t)k->c->max_clients, sizeof *k->pids);
    if (rc == 0 && k->pids == NULL)
        rc = skt_set_error_detail(-ENOMEM, "-m: out of memory");
    if (rc == 0)
        rc = skt_settimeout(k->listener, 0);
    return rc < 0 ? fail(rc, false) : 0;
}

static int serve_clients(const struct config *c)
{
    struct clients k = {.c = c, .index = c->relay_served};
    int status;

    address_config(c, &c->relay[k.index], &k.served);
    status = clients_start(&k);
    if (status == 0) {
        signals_watch(k.sel);
        status = clients_loop(&k);
        signals_watch(NULL);
    }
    free(k.pids);
    skt_selector_close(k.sel);
    if (k.listener != NULL)
        close_listener(&k.served, k.listener);
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
