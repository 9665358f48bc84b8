/*
 * udp_exec.c - -u with -e/-c: a program per peer, as ncat --udp --exec
 * does. The program's stdin and stdout are one end of a socket pair: each
 * datagram from its peer is written to it, and each read of its output
 * goes back to the peer as one datagram (--frame: each line one message
 * in a datagram of its own, and each message received one line). The
 * listener starts a program for the first peer it hears from; with -k,
 * for every new peer, at most -m at once (datagrams of peers over that are
 * dropped). -i seconds without a datagram either way shut the program's
 * stdin, so that it can end. A client runs one program for its server.
 * Without -k, skt exits with the program: 0 when it exited 0, else 1.
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATAGRAM_MAX 65536

/* Selector tags: the socket, then the pair of peer i is PEER_TAG + i. */
#define SOCKET_TAG 1
#define PEER_TAG 2

struct peer {
    bool used;
    skt_addr addr;
    pid_t pid;        /* 0 once reaped */
    skt_socket *here; /* this end of the program's pair; NULL once closed */
    bool stdin_shut;  /* -i shut the program's stdin */
    double last_activity;
    struct lines lines; /* --frame: the program's output */
};

struct udp_exec {
    const struct config *c;
    skt_socket *s;
    bool connected; /* a client: s is connected to its server */
    skt_addr local;
    skt_selector *sel;
    struct peer *peers;
    long slots, count;
    bool served; /* without -k: the one program has been started */
    bool done;
    int status;
};

static void *tag(uintptr_t value)
{
    return (void *)value;
}

static void finish(struct udp_exec *u, int status)
{
    u->done = true;
    u->status = status;
}

/* ------------------------------------------------------------------------ */
/* Peers and their programs                                                 */
/* ------------------------------------------------------------------------ */

static struct peer *find_peer(struct udp_exec *u, const skt_addr *a)
{
    for (long i = 0; i < u->slots; i++)
        if (u->peers[i].used && (u->connected ||
                                 skt_addr_equal(&u->peers[i].addr, a)))
            return &u->peers[i];
    return NULL;
}

/* The program of a new peer, on one end of a socket pair. */
static int start_peer(struct udp_exec *u, struct peer *p, const skt_addr *a)
{
    skt_socket *there;
    skt_os_socket fd = SKT_INVALID_SOCKET;
    uintptr_t slot;
    int rc = skt_socketpair(&p->here, &there, AF_UNIX, SOCK_STREAM, 0);

    if (rc < 0)
        return rc;
    skt_fileno(there, &fd);
    p->pid = start_program_with(u->c, fd, a, &u->local);
    skt_close(there);
    if (p->pid < 0) {
        skt_close(p->here);
        return EXIT_NETWORK;
    }
    slot = (uintptr_t)(p - u->peers);
    rc = skt_selector_register_socket(u->sel, p->here, SKT_EVENT_READ,
                                      tag(PEER_TAG + slot));
    p->used = true;
    p->addr = *a;
    p->last_activity = now_seconds();
    lines_init(&p->lines, u->c);
    u->count++;
    u->served = true;
    return rc;
}

/* The peer a datagram from a belongs to: known, or new when the rules,
 * -k and -m let it in; NULL to drop the datagram. */
static struct peer *peer_for(struct udp_exec *u, const skt_addr *a)
{
    char where[SKT_ADDRSTRLEN];
    struct peer *p = find_peer(u, a);
    long i = 0;
    int rc;

    if (p != NULL || a->len == 0 || (u->served && !u->c->keep_open) ||
        !rules_allow(u->c, a))
        return p;
    if (u->count == u->slots) {
        if (u->c->verbose)
            note("datagram from %s dropped: -m %ld programs run",
                 addr_text(a, where, sizeof where), u->slots);
        return NULL;
    }
    while (u->peers[i].used)
        i++;
    if (u->c->verbose)
        note("datagrams from %s: starting the program",
             addr_text(a, where, sizeof where));
    rc = start_peer(u, &u->peers[i], a);
    if (rc < 0)
        rc = fail(rc, false);
    if (rc != 0 && !u->c->keep_open)
        finish(u, rc);
    return rc == 0 ? &u->peers[i] : NULL;
}

/* The program's output has ended: without -k, so has skt, with the
 * program's status (unless a failure came first). */
static void close_peer(struct udp_exec *u, struct peer *p)
{
    skt_selector_unregister_socket(u->sel, p->here);
    skt_close(p->here);
    p->here = NULL;
    lines_free(&p->lines);
    if (!u->c->keep_open) {
        int status = wait_program(p->pid);
        if (!u->done)
            finish(u, status);
        p->pid = 0;
    }
    if (p->pid == 0) {
        p->used = false;
        u->count--;
    }
}

/* -k: the programs that have exited, and their slots once their output
 * has ended too. */
static void reap(struct udp_exec *u)
{
    pid_t pid;

    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (long i = 0; i < u->slots; i++) {
            struct peer *p = &u->peers[i];
            if (!p->used || p->pid != pid)
                continue;
            p->pid = 0;
            if (p->here == NULL) {
                p->used = false;
                u->count--;
            }
        }
}

/* ------------------------------------------------------------------------ */
/* Data                                                                     */
/* ------------------------------------------------------------------------ */

static int send_to_peer(struct udp_exec *u, struct peer *p, const char *buf,
                        size_t len)
{
    ssize_t rc = u->connected ? skt_send(u->s, buf, len, 0)
                              : skt_sendto(u->s, buf, len, 0, &p->addr);

    return rc < 0 ? (int)rc : 0;
}

/* --frame: each complete line of the program's output (len 0 at its
 * end) as one datagram. */
static int frame_output(struct udp_exec *u, struct peer *p, const char *buf,
                        size_t len)
{
    static char out[DATAGRAM_MAX];
    const char *line;
    size_t line_len;
    int rc = lines_add(&p->lines, buf, len);

    while (rc == 0 &&
           (rc = lines_next(&p->lines, len == 0, &line, &line_len)) == 1) {
        rc = frame_datagram(u->c, line, line_len, out, sizeof out);
        rc = rc < 0 ? rc : send_to_peer(u, p, out, (size_t)rc);
    }
    return rc;
}

static void on_output(struct udp_exec *u, struct peer *p)
{
    static char buf[DATAGRAM_MAX];
    ssize_t got = skt_recv(p->here, buf, sizeof buf, 0);
    int rc;

    if (got == -EAGAIN)
        return;
    p->last_activity = now_seconds();
    if (got > 0)
        rc = u->c->framed ? frame_output(u, p, buf, (size_t)got)
                          : send_to_peer(u, p, buf, (size_t)got);
    else
        rc = got < 0 ? (int)got : u->c->framed ? frame_output(u, p, buf, 0)
                                                : 0;
    if (rc < 0 && (!u->c->listen || !u->c->keep_open))
        finish(u, fail(rc, false));
    else if (rc < 0)
        note("%s", skt_error_detail());
    if (got <= 0 || rc < 0)
        close_peer(u, p);
}

static int to_program(void *arg, const void *msg, size_t len)
{
    struct peer *p = arg;
    int rc = skt_sendall(p->here, msg, len, 0, NULL);

    return rc == 0 ? skt_sendall(p->here, "\n", 1, 0, NULL) : rc;
}

static void on_datagram(struct udp_exec *u)
{
    static char buf[DATAGRAM_MAX];
    skt_addr from;
    ssize_t got = skt_recvfrom(u->s, buf, sizeof buf, 0, &from);
    struct peer *p;
    int rc;

    if (got == -EAGAIN)
        return;
    if (got < 0) {
        finish(u, fail((int)got, false));
        return;
    }
    p = peer_for(u, &from);
    if (p == NULL || p->here == NULL || p->stdin_shut)
        return;
    p->last_activity = now_seconds();
    rc = u->c->framed ? unframe_datagram(u->c, buf, (size_t)got, to_program,
                                         p)
                      : skt_sendall(p->here, buf, (size_t)got, 0, NULL);
    if (rc < 0)
        note("%s (datagram dropped)", skt_error_detail());
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

/* -i: shuts the stdin of programs idle that long; returns the wait until
 * the next may be. */
static double expire_idle(struct udp_exec *u)
{
    double next = SKT_BLOCKING, now = now_seconds();

    if (u->c->idle <= 0)
        return SKT_BLOCKING;
    for (long i = 0; i < u->slots; i++) {
        struct peer *p = &u->peers[i];
        double left = p->last_activity + u->c->idle - now;
        if (!p->used || p->here == NULL || p->stdin_shut)
            continue;
        if (left <= 0) {
            skt_shutdown(p->here, SHUT_WR);
            p->stdin_shut = true;
        } else if (next < 0 || left < next) {
            next = left;
        }
    }
    return next;
}

static void dispatch(struct udp_exec *u, const skt_selector_ready *r)
{
    uintptr_t which = (uintptr_t)r->key.data;

    if (r->events == 0)
        return;
    if (which == SOCKET_TAG)
        on_datagram(u);
    else if (u->peers[which - PEER_TAG].here != NULL)
        on_output(u, &u->peers[which - PEER_TAG]);
}

static void loop(struct udp_exec *u)
{
    const skt_selector_ready *ready;

    while (!u->done && signals_caught() == 0) {
        int count = skt_selector_select(u->sel, expire_idle(u), &ready);
        if (count < 0) {
            finish(u, fail(count, false));
            break;
        }
        if (u->c->keep_open)
            reap(u);
        for (int i = 0; i < count && !u->done && signals_caught() == 0; i++)
            dispatch(u, &ready[i]);
    }
    if (signals_caught() != 0)
        finish(u, EXIT_SIGNAL + signals_caught());
}

/* On the way out: every program still running is asked to end, and
 * reaped. */
static void end_programs(struct udp_exec *u)
{
    for (long i = 0; u->peers != NULL && i < u->slots; i++) {
        struct peer *p = &u->peers[i];
        if (p->here != NULL)
            skt_close(p->here);
        lines_free(&p->lines);
        if (p->used && p->pid > 0) {
            kill(p->pid, SIGTERM);
            waitpid(p->pid, NULL, 0);
        }
    }
}

static int start(struct udp_exec *u)
{
    skt_addr server;
    int rc = skt_selector_new(&u->sel, SKT_SELECTOR_POLL);

    u->slots = u->c->keep_open ? u->c->max_clients : 1;
    u->peers = calloc((size_t)u->slots, sizeof *u->peers);
    if (rc == 0 && u->peers == NULL)
        rc = skt_set_error_detail(-ENOMEM, "-m: out of memory");
    if (rc == 0)
        rc = skt_settimeout(u->s, 0);
    if (rc == 0 && skt_getsockname(u->s, &u->local) < 0)
        u->local.len = 0;
    if (rc == 0)
        rc = skt_selector_register_socket(u->sel, u->s, SKT_EVENT_READ,
                                          tag(SOCKET_TAG));
    if (rc == 0 && u->connected && (rc = skt_getpeername(u->s,
                                                         &server)) == 0)
        rc = start_peer(u, &u->peers[0], &server);
    return rc < 0 ? fail(rc, false) : rc;
}

int run_udp_exec(const struct config *c)
{
    struct udp_exec u = {.c = c, .connected = !c->listen};
    int status = c->listen ? open_listener(c, SOCK_DGRAM, &u.s)
                           : open_datagram_client(c, &u.s);

    if (status == 0)
        status = start(&u);
    if (status == 0) {
        signals_watch(u.sel);
        loop(&u);
        signals_watch(NULL);
        status = u.status;
    }
    end_programs(&u);
    free(u.peers);
    skt_selector_close(u.sel);
    if (c->listen && u.s != NULL)
        close_listener(c, u.s);
    else
        skt_close(u.s);
    return status;
}
