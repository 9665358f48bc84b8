/*
 * relay.c - skt_relay: two connected sockets joined both ways, socat's
 * and ncat's relay. Each direction runs on its own until its source ends;
 * that end is carried to the other socket as a half-close, and the relay
 * returns once both directions have ended.
 *
 * A direction between two plain stream sockets goes through the kernel:
 * splice(2) from the source into a pipe, and from the pipe into the
 * destination (src/linux/splice_linux.c), so that its bytes never enter
 * this process. Every other direction (TLS, datagrams, a platform without
 * splice, a socket the kernel cannot splice) is copied through a buffer
 * of its own. Both kinds run in one poll loop over the two sockets, and
 * the stop socket, under the idle timeout and the deadline of the
 * options. The sockets are non-blocking for the call and get their own
 * modes back at the end.
 */
#include "sys_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* A copying direction's buffer: room for the largest datagram a Unix
 * socket takes by default (net.core.wmem_default, 208 KiB), so that a
 * datagram is never cut. */
#define BUFFER_SIZE (256 * 1024)
/* A stream's bytes sent to a datagram socket: one datagram per read, of
 * at most what a UDP datagram over IPv4 holds. */
#define DATAGRAM_FROM_STREAM 65507
/* The most one splice into the pipe asks for (the pipe's size). */
#define PIPE_CHUNK (1024 * 1024)
/* The most one direction moves before the other gets its turn. */
#define TURN_BYTES (4 * 1024 * 1024)

/* What a step of a direction ended with. */
enum step {
    STEP_WAIT = 0, /* would block: its wait events say on what */
    STEP_AGAIN = 1 /* its turn is over, with more to do at once */
};

struct direction {
    skt_socket *from, *to;
    const char *name; /* "a to b" */
    bool splice;
    int pipe[2];
    /* The copy's buffer, and the message held in it: len bytes, of which
     * sent have gone (a datagram goes whole, so sent is 0 or len). */
    char *buf;
    size_t len, sent;
    bool holding;
    /* Bytes in the pipe, not yet sent on. */
    size_t in_pipe;
    bool eof, ended, runnable;
    /* The poll events the direction waits for on from and on to. */
    short from_wait, to_wait;
    uint64_t moved;
};

struct relay {
    struct direction dir[2];
    skt_socket *stop;
    const skt_relay_opts *opts;
    double saved_timeout[2];
    int64_t deadline, idle_ns, last_activity;
    bool active; /* bytes moved since the last look at the clock */
};

/* ------------------------------------------------------------------------ */
/* Outcomes                                                                 */
/* ------------------------------------------------------------------------ */

/* The failure of an operation of direction d. A TLS transport has set a
 * detail with OpenSSL's reason, which is kept after the direction. */
static int direction_fail(const struct direction *d, const skt_socket *s,
                          int rc, const char *op)
{
    if (s->transport != &skt__plain_transport)
        return skt__fail_raw(rc, "relay %s: %s: %s", d->name, op,
                             skt_error_detail());
    return skt__fail(rc, "relay %s: %s", d->name, op);
}

/* The poll events a would-block code asks for, 0 if rc is none: -EAGAIN
 * waits for usual, and TLS says which one it needs. */
static short blocked_on(ssize_t rc, short usual)
{
    if (rc == -EAGAIN)
        return usual;
    if (rc == SKT_EWANTREAD)
        return POLLIN;
    if (rc == SKT_EWANTWRITE)
        return POLLOUT;
    return 0;
}

static void moved(struct relay *r, struct direction *d, size_t n)
{
    d->moved += n;
    r->active = true;
}

/* ------------------------------------------------------------------------ */
/* The end of a direction                                                   */
/* ------------------------------------------------------------------------ */

/* An end the destination's peer can no longer be told of, because it has
 * gone: its own direction reports what happened to it. */
static bool peer_gone(int rc)
{
    return rc == -ENOTCONN || rc == -EPIPE || rc == -ECONNRESET;
}

/*
 * The source has ended: the destination's write side is shut down (over
 * TLS after close_notify). A datagram socket has no end to carry.
 */
static int end_direction(struct direction *d)
{
    skt_socket *to = d->to;
    int rc = 0;
    short wait;

    if (to->type != SOCK_DGRAM && to->transport != &skt__plain_transport)
        rc = skt_tls_shutdown_write(to);
    else if (to->type != SOCK_DGRAM)
        rc = skt__sys_shutdown(to->fd, SHUT_WR);
    if ((wait = blocked_on(rc, POLLOUT)) != 0) {
        d->to_wait = wait;
        return STEP_WAIT;
    }
    if (rc < 0 && !peer_gone(rc))
        return direction_fail(d, to, rc, "shutdown of the write side");
    d->ended = true;
    d->from_wait = d->to_wait = 0;
    return STEP_WAIT;
}

/* ------------------------------------------------------------------------ */
/* Copying through a buffer                                                 */
/* ------------------------------------------------------------------------ */

/* Whether the source keeps message boundaries (and 0 bytes may be a
 * message, not the end: a datagram socket has no end). */
static bool messages(const skt_socket *s)
{
    return s->type != SOCK_STREAM;
}

/* Receives one datagram (or seqpacket message) whole: a message cut to
 * fit the buffer is an error, never a silent loss. Always over the plain
 * transport, since TLS needs a stream. */
static ssize_t recv_message(struct direction *d, size_t cap)
{
    struct iovec iov = {d->buf, cap};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;

    do
        n = skt__sys_recvmsg(d->from->fd, &msg, 0);
    while (n == -EINTR);
    if (n >= 0 && (msg.msg_flags & MSG_TRUNC))
        return skt__fail(-EMSGSIZE, "relay %s: a datagram over the "
                         "relay's %zu bytes", d->name, cap);
    return n;
}

/* Reads one message, or what a stream has, into the buffer. Returns
 * STEP_AGAIN with something held (or the end seen), STEP_WAIT, or a
 * negative code. */
static int copy_in(struct direction *d)
{
    skt_socket *from = d->from;
    size_t cap = BUFFER_SIZE;
    ssize_t n;
    short wait = POLLIN;

    if (!messages(from) && d->to->type != SOCK_STREAM)
        cap = DATAGRAM_FROM_STREAM;
    if (messages(from))
        n = recv_message(d, cap);
    else
        do
            n = from->transport->recv(from, d->buf, cap, 0, &wait);
        while (n == -EINTR);
    if (n == -EMSGSIZE)
        return (int)n;
    if (n > 0 || (n == 0 && from->type == SOCK_DGRAM)) {
        d->len = (size_t)n;
        d->sent = 0;
        d->holding = true;
        return STEP_AGAIN;
    }
    if (n == 0) {
        d->eof = true;
        return STEP_AGAIN;
    }
    if ((d->from_wait = blocked_on(n, wait)) != 0)
        return STEP_WAIT;
    return direction_fail(d, from, (int)n, "receive");
}

/* Sends what is held; a datagram goes whole, as one. */
static int copy_out(struct relay *r, struct direction *d)
{
    skt_socket *to = d->to;
    ssize_t n;
    short wait;

    /* An empty datagram is a message to a datagram socket, and nothing
     * to a stream. */
    if (d->len == 0 && to->type == SOCK_STREAM) {
        d->holding = false;
        return STEP_AGAIN;
    }
    do
        n = to->transport->send(to, d->buf + d->sent, d->len - d->sent, 0,
                                &wait);
    while (n == -EINTR);
    if (n >= 0) {
        d->sent += (size_t)n;
        moved(r, d, (size_t)n);
        d->holding = d->sent < d->len;
        return STEP_AGAIN;
    }
    if ((d->to_wait = blocked_on(n, wait)) != 0)
        return STEP_WAIT;
    return direction_fail(d, to, (int)n, "send");
}

static int copy_step(struct relay *r, struct direction *d)
{
    uint64_t start = d->moved;
    int rc = STEP_AGAIN;

    if (d->buf == NULL && (d->buf = malloc(BUFFER_SIZE)) == NULL)
        return skt__fail(-ENOMEM, "relay %s: a buffer of %d bytes",
                         d->name, BUFFER_SIZE);
    while (rc == STEP_AGAIN && !d->ended) {
        if (d->moved - start >= TURN_BYTES)
            return STEP_AGAIN;
        if (d->holding)
            rc = copy_out(r, d);
        else if (!d->eof)
            rc = copy_in(d);
        else
            rc = end_direction(d);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Splicing through a pipe                                                  */
/* ------------------------------------------------------------------------ */

/* Errors of a first splice that mean "not this pair": copy instead. */
static bool splice_unsupported(ssize_t rc)
{
    return rc == -EINVAL || rc == -ENOSYS || rc == -EOPNOTSUPP;
}

static void close_pipe(struct direction *d)
{
    for (int i = 0; i < 2; i++)
        if (d->pipe[i] >= 0) {
            skt__sys_close(d->pipe[i]);
            d->pipe[i] = -1;
        }
}

/* From the source into the empty pipe. */
static int splice_in(struct direction *d)
{
    ssize_t n;

    do
        n = skt__sys_splice(d->from->fd, d->pipe[1], PIPE_CHUNK);
    while (n == -EINTR);
    if (n > 0)
        d->in_pipe = (size_t)n;
    else if (n == 0)
        d->eof = true;
    else if (n == -EAGAIN)
        return d->from_wait = POLLIN, STEP_WAIT;
    else if (d->moved == 0 && splice_unsupported(n)) {
        close_pipe(d);
        d->splice = false;
    } else
        return direction_fail(d, d->from, (int)n, "receive");
    return STEP_AGAIN;
}

/* From the pipe into the destination. */
static int splice_out(struct relay *r, struct direction *d)
{
    ssize_t n;

    do
        n = skt__sys_splice(d->pipe[0], d->to->fd, d->in_pipe);
    while (n == -EINTR);
    if (n > 0) {
        d->in_pipe -= (size_t)n;
        moved(r, d, (size_t)n);
        return STEP_AGAIN;
    }
    if (n == -EAGAIN)
        return d->to_wait = POLLOUT, STEP_WAIT;
    return direction_fail(d, d->to, n == 0 ? -EPIPE : (int)n, "send");
}

static int splice_step(struct relay *r, struct direction *d)
{
    uint64_t start = d->moved;
    int rc = STEP_AGAIN;

    while (rc == STEP_AGAIN && !d->ended && d->splice) {
        if (d->moved - start >= TURN_BYTES)
            return STEP_AGAIN;
        if (d->in_pipe > 0)
            rc = splice_out(r, d);
        else if (!d->eof)
            rc = splice_in(d);
        else
            rc = end_direction(d);
    }
    /* The kernel refused the pair before any byte moved: copy. */
    if (rc == STEP_AGAIN && !d->ended && !d->splice)
        return copy_step(r, d);
    return rc;
}

/* One turn of a direction: runs it until it would block, ends, or has
 * moved its share. */
static int step(struct relay *r, struct direction *d)
{
    int rc;

    d->from_wait = d->to_wait = 0;
    rc = d->splice ? splice_step(r, d) : copy_step(r, d);
    d->runnable = rc == STEP_AGAIN;
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

/* Indexes of the poll set. */
enum { POLL_A, POLL_B, POLL_STOP, POLL_COUNT };

/* The events of socket i (0: a, 1: b): what the direction reading it and
 * the direction writing it wait for; -1 (left out) when neither does, so
 * that a hang-up nobody waits on cannot wake the loop again and again. */
static void poll_entry(const struct relay *r, int i, struct pollfd *p)
{
    const struct direction *reading = &r->dir[i], *writing = &r->dir[1 - i];

    p->fd = reading->from->fd;
    p->events = (short)(reading->from_wait | writing->to_wait);
    p->revents = 0;
    if (p->events == 0)
        p->fd = -1;
}

/* Whether direction d has what it waits for, or an error to find. */
static bool ready(const struct direction *d, const struct pollfd *from,
                  const struct pollfd *to)
{
    const short trouble = POLLERR | POLLHUP | POLLNVAL;

    if (d->ended)
        return false;
    return d->runnable ||
           (d->from_wait && (from->revents & (d->from_wait | trouble))) ||
           (d->to_wait && (to->revents & (d->to_wait | trouble)));
}

/* The time the loop may sleep, in ns: until the idle timeout or the
 * deadline, whichever comes first; -1 for no limit. */
static int64_t sleep_ns(const struct relay *r, int64_t now)
{
    int64_t until = r->deadline;

    if (r->idle_ns > 0 && r->last_activity + r->idle_ns < until)
        until = r->last_activity + r->idle_ns;
    if (until == SKT__NEVER)
        return -1;
    return until > now ? until - now : 0;
}

/* -ETIMEDOUT when the idle timeout or the deadline has passed, else 0. */
static int check_time(struct relay *r, int64_t now)
{
    if (r->active) {
        r->last_activity = now;
        r->active = false;
    }
    if (now >= r->deadline)
        return skt__fail_raw(-ETIMEDOUT, "relay: the deadline of %g s "
                             "passed", r->opts->timeout);
    if (r->idle_ns > 0 && now - r->last_activity >= r->idle_ns)
        return skt__fail_raw(-ETIMEDOUT, "relay: idle for %g s: no data "
                             "either way", r->opts->idle_timeout);
    return 0;
}

/* Waits for what the directions wait for (not at all when one can go on
 * at once), then fills p with what is ready. */
static int wait_ready(struct relay *r, struct pollfd *p, bool busy)
{
    int64_t now = r->idle_ns > 0 || r->deadline != SKT__NEVER ? skt__now()
                                                               : 0;
    int64_t span = busy ? 0 : sleep_ns(r, now);
    struct timespec ts;
    int rc;

    if ((rc = check_time(r, now)) < 0)
        return rc;
    poll_entry(r, 0, &p[POLL_A]);
    poll_entry(r, 1, &p[POLL_B]);
    p[POLL_STOP] = (struct pollfd){r->stop ? r->stop->fd : -1, POLLIN, 0};
    if (busy && p[POLL_A].fd < 0 && p[POLL_B].fd < 0 && r->stop == NULL)
        return 0;
    if (span >= 0)
        ts = skt__timespec_from_ns(span);
    rc = skt__sys_poll(p, POLL_COUNT, span >= 0 ? &ts : NULL);
    if (rc == -EINTR)
        return 0;
    if (rc < 0)
        return skt__fail(rc, "relay: poll");
    if (p[POLL_STOP].revents != 0)
        return skt__fail_raw(-ECANCELED, "relay: stopped: the stop socket "
                             "is readable");
    return 0;
}

static int run(struct relay *r)
{
    struct pollfd p[POLL_COUNT];
    int rc = 0;

    /* The first turn of each direction needs no wait: bytes may be there
     * already, TLS's decrypted ones included. */
    r->dir[0].runnable = r->dir[1].runnable = true;
    memset(p, 0, sizeof p);
    for (;;) {
        bool busy = false;
        for (int i = 0; i < 2 && rc == 0; i++)
            if (ready(&r->dir[i], &p[i], &p[1 - i]))
                rc = step(r, &r->dir[i]);
        if (rc < 0 || (r->dir[0].ended && r->dir[1].ended))
            return rc;
        busy = r->dir[0].runnable || r->dir[1].runnable;
        if ((rc = wait_ready(r, p, busy)) < 0)
            return rc;
    }
}

/* ------------------------------------------------------------------------ */
/* Setting up and cleaning up                                               */
/* ------------------------------------------------------------------------ */

/* A direction between plain stream sockets splices, when the system has
 * a pipe for it; any failure to get one leaves it copying. */
static void choose_path(struct direction *d)
{
    d->pipe[0] = d->pipe[1] = -1;
    d->splice = d->from->transport == &skt__plain_transport &&
                d->to->transport == &skt__plain_transport &&
                d->from->type == SOCK_STREAM && d->to->type == SOCK_STREAM &&
                skt__sys_pipe(d->pipe) == 0;
}

static int check_socket(const skt_socket *s, const char *name)
{
    skt_addr peer;
    int error = 0;
    socklen_t len = sizeof error;

    if (s->type != SOCK_STREAM && s->type != SOCK_DGRAM &&
        s->type != SOCK_SEQPACKET)
        return skt__fail(-EOPNOTSUPP, "relay: socket %s is of type %d (a "
                         "stream, datagram or seqpacket socket is needed)",
                         name, s->type);
    if (skt_getpeername(s, &peer) == 0)
        return 0;
    /* A connection the peer has reset is not connected any more either:
     * the reset, still pending, is the better answer. */
    if (skt__sys_getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 &&
        error != 0)
        return skt__fail(-error, "relay: socket %s", name);
    return skt__fail(-ENOTCONN, "relay: socket %s is not connected", name);
}

static int check_opts(const skt_relay_opts *o, skt_socket *a, skt_socket *b)
{
    int rc;

    if ((rc = SKT__CHECK_RESERVED(o, "relay: options")) < 0)
        return rc;
    if (!skt__seconds_valid(o->idle_timeout) || !skt__seconds_valid(o->timeout))
        return skt__fail(-EINVAL, "relay: idle_timeout %g, timeout %g (each "
                         "0 for none, or seconds > 0)", o->idle_timeout,
                         o->timeout);
    if (o->stop == a || o->stop == b)
        return skt__fail(-EINVAL, "relay: the stop socket is one of the "
                         "relayed ones");
    return 0;
}

static int check_args(skt_socket *a, skt_socket *b, const skt_relay_opts *o)
{
    int rc;

    if (a == NULL || b == NULL)
        return skt__fail(-EINVAL, "relay: socket %s is NULL",
                         a == NULL ? "a" : "b");
    if (a == b || a->fd == b->fd)
        return skt__fail(-EINVAL, "relay: a and b are the same socket");
    if ((rc = check_opts(o, a, b)) == 0 && (rc = check_socket(a, "a")) == 0)
        rc = check_socket(b, "b");
    return rc;
}

/* Both sockets non-blocking for the call; their modes are kept. */
static int start(struct relay *r)
{
    const skt_relay_opts *o = r->opts;
    int rc = 0;

    /* Saved first: finish gives both back, whatever happens here. */
    for (int i = 0; i < 2; i++)
        r->saved_timeout[i] = r->dir[i].from->timeout;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = skt_settimeout(r->dir[i].from, 0);
    if (rc < 0)
        return rc;
    r->stop = o->stop;
    r->deadline = o->timeout > 0 ? skt__deadline(o->timeout) : SKT__NEVER;
    r->idle_ns = o->idle_timeout > 0 ? skt__ns_from_seconds(o->idle_timeout)
                                     : 0;
    r->last_activity = r->idle_ns > 0 ? skt__now() : 0;
    choose_path(&r->dir[0]);
    choose_path(&r->dir[1]);
    return 0;
}

/* Gives back the modes and frees the directions, keeping the detail of a
 * failure. */
static void finish(struct relay *r, skt_relay_stats *stats)
{
    struct skt__detail_copy detail;

    skt__detail_save(&detail);
    for (int i = 0; i < 2; i++) {
        skt_settimeout(r->dir[i].from, r->saved_timeout[i]);
        close_pipe(&r->dir[i]);
        free(r->dir[i].buf);
    }
    skt__detail_restore(&detail, 0);
    if (stats == NULL)
        return;
    stats->a_to_b = r->dir[0].moved;
    stats->b_to_a = r->dir[1].moved;
    stats->a_ended = r->dir[0].ended;
    stats->b_ended = r->dir[1].ended;
    stats->spliced = (r->dir[0].splice && r->dir[0].moved > 0) ||
                     (r->dir[1].splice && r->dir[1].moved > 0);
}

int skt_relay(skt_socket *a, skt_socket *b, const skt_relay_opts *opts,
              skt_relay_stats *stats)
{
    static const skt_relay_opts defaults;
    struct relay r = {
        .dir = {{.from = a, .to = b, .name = "a to b", .pipe = {-1, -1}},
                {.from = b, .to = a, .name = "b to a", .pipe = {-1, -1}}},
        .opts = opts != NULL ? opts : &defaults,
    };
    int rc;

    if (stats != NULL)
        memset(stats, 0, sizeof *stats);
    if ((rc = check_args(a, b, r.opts)) < 0)
        return rc;
    if ((rc = start(&r)) == 0)
        rc = run(&r);
    finish(&r, stats);
    return rc;
}
