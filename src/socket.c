/*
 * socket.c - the socket object: creation, ownership, the three timeout
 * modes, options, and the calls that set up a connection (bind, listen,
 * accept, connect, shutdown, names).
 *
 * The mode lives in two places kept in step: s->timeout, and the fd's
 * O_NONBLOCK flag, which is set in non-blocking and timeout modes (as in
 * Python), so that timeout mode can try each call first and poll only when
 * it would block.
 */
#include "internal.h"
#include "sys_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------------ */
/* Modes                                                                    */
/* ------------------------------------------------------------------------ */

static double default_timeout = SKT_BLOCKING;

double skt__default_timeout(void)
{
    double value;
    __atomic_load(&default_timeout, &value, __ATOMIC_RELAXED);
    return value;
}

int skt_setdefaulttimeout(double seconds)
{
    int rc = skt__check_timeout(seconds, "setdefaulttimeout");

    if (rc < 0)
        return rc;
    __atomic_store(&default_timeout, &seconds, __ATOMIC_RELAXED);
    return 0;
}

double skt_getdefaulttimeout(void)
{
    return skt__default_timeout();
}

/* Sets the mode, fd flag first, so a failure leaves the object unchanged. */
static int apply_timeout(skt_socket *s, double seconds)
{
    int rc = skt__sys_set_nonblocking(s->fd, seconds >= 0);
    if (rc < 0)
        return skt__fail(rc, "settimeout on fd %d", s->fd);
    s->timeout = seconds < 0 ? SKT_BLOCKING : seconds;
    return 0;
}

int skt_settimeout(skt_socket *s, double seconds)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    if ((rc = skt__check_timeout(seconds, "settimeout")) < 0)
        return rc;
    return apply_timeout(s, seconds);
}

double skt_gettimeout(const skt_socket *s)
{
    return s != NULL ? s->timeout : SKT_BLOCKING;
}

int skt_setblocking(skt_socket *s, bool blocking)
{
    return skt_settimeout(s, blocking ? SKT_BLOCKING : 0.0);
}

bool skt_getblocking(const skt_socket *s)
{
    /* Python's rule: gettimeout() != 0, so timeout mode is "blocking". */
    return s != NULL && s->timeout != 0;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

int skt__socket_adopt(skt_socket **out, int fd, int family, int type,
                      int proto, double timeout)
{
    skt_socket *s = calloc(1, sizeof *s);

    if (s == NULL)
        return skt__fail(-ENOMEM, "socket object for fd %d", fd);
    s->fd = fd;
    s->family = family;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    s->proto = proto;
    s->transport = &skt__plain_transport;
    s->timeout = timeout < 0 ? SKT_BLOCKING : timeout;
    *out = s;
    return 0;
}

int skt__socket_new(skt_socket **out, int fd, int family, int type,
                    int proto)
{
    double timeout = skt__default_timeout();
    bool nonblocking = (type & SOCK_NONBLOCK) != 0;
    int rc;

    /* A socket created non-blocking starts in non-blocking mode, as in
     * Python, and its fd needs no fcntl; otherwise it takes the default. */
    rc = skt__socket_adopt(out, fd, family, type, proto,
                           nonblocking ? 0.0 : SKT_BLOCKING);
    if (rc < 0 || nonblocking || timeout < 0)
        return rc;
    rc = apply_timeout(*out, timeout);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int skt_open(skt_socket **out, int family, int type, int proto)
{
    int fd, rc;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    fd = skt__sys_socket(family, type, proto);
    if (fd < 0)
        return skt__fail(fd, "socket(family %d, type %d, protocol %d)",
                         family, type, proto);
    rc = skt__socket_new(out, fd, family, type, proto);
    if (rc < 0)
        skt__sys_close(fd);
    return rc;
}

int skt_from_fd(skt_socket **out, skt_os_socket fd)
{
    int family, type, proto, rc, nonblocking;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    if ((rc = skt__sys_socket_kind(fd, &family, &type, &proto)) < 0)
        return skt__fail(rc, "from_fd(%d): reading the socket's kind", fd);
    nonblocking = skt__sys_get_nonblocking(fd);
    if (nonblocking < 0)
        return skt__fail(nonblocking, "from_fd(%d)", fd);
    /* An fd that is already non-blocking under a blocking default is
     * reported as non-blocking, so that gettimeout tells the truth. */
    if (nonblocking && skt__default_timeout() < 0)
        type |= SOCK_NONBLOCK;
    return skt__socket_new(out, fd, family, type, proto);
}

int skt_socketpair(skt_socket **a, skt_socket **b, int family, int type,
                   int proto)
{
    int fds[2], rc;

    SKT__CHECK(a != NULL && b != NULL, "out is NULL");
    *a = *b = NULL;
    family = family != 0 ? family : AF_UNIX;
    type = type != 0 ? type : SOCK_STREAM;
    rc = skt__sys_socketpair(family, type, proto, fds);
    if (rc < 0)
        return skt__fail(rc, "socketpair(family %d, type %d)", family, type);
    rc = skt__socket_new(a, fds[0], family, type, proto);
    if (rc == 0)
        rc = skt__socket_new(b, fds[1], family, type, proto);
    if (rc < 0) {
        free(*a);
        *a = NULL;
        skt__sys_close(fds[0]);
        skt__sys_close(fds[1]);
    }
    return rc;
}

void skt__socket_release_transport(skt_socket *s)
{
    if (s->transport->release != NULL)
        s->transport->release(s);
    s->transport = &skt__plain_transport;
    s->transport_state = NULL;
}

int skt_close(skt_socket *s)
{
    int rc;

    if (s == NULL)
        return 0;
    skt__socket_release_transport(s);
    /* close is never retried: on Linux the fd is released even when close
     * reports EINTR, and a retry could close someone else's new fd. */
    rc = skt__sys_close(s->fd);
    free(s);
    if (rc == -ECONNRESET || rc == -EINTR)
        return 0;
    return rc < 0 ? skt__fail(rc, "close") : 0;
}

int skt_detach(skt_socket *s, skt_os_socket *handle)
{
    SKT__CHECK(s != NULL && handle != NULL, "NULL argument");
    if (s->transport != &skt__plain_transport)
        return skt__fail(-EBUSY, "detach: a %s transport is active; unwrap "
                         "it first", s->transport->name);
    *handle = s->fd;
    free(s);
    return 0;
}

int skt_dup(skt_socket *s, skt_socket **out)
{
    int fd, rc;

    SKT__CHECK(s != NULL && out != NULL, "NULL argument");
    *out = NULL;
    /* A plain duplicate of a TLS socket could write plaintext into the
     * encrypted stream; Python refuses to dup an SSLSocket too. */
    if ((rc = skt__plain_only(s, "dup")) < 0)
        return rc;
    fd = skt__sys_dup(s->fd);
    if (fd < 0)
        return skt__fail(fd, "dup of fd %d", s->fd);
    /* The duplicate shares the file description, so its O_NONBLOCK flag
     * is the original's already: no fcntl, and no moment in which the
     * original's flag disagrees with its mode. */
    rc = skt__socket_adopt(out, fd, s->family, s->type, s->proto,
                           s->timeout);
    if (rc < 0)
        skt__sys_close(fd);
    return rc;
}

int skt_fileno(const skt_socket *s, skt_os_socket *handle)
{
    SKT__CHECK(s != NULL && handle != NULL, "NULL argument");
    *handle = s->fd;
    return 0;
}

int skt_family(const skt_socket *s)
{
    return s != NULL ? s->family : -EINVAL;
}

int skt_type(const skt_socket *s)
{
    return s != NULL ? s->type : -EINVAL;
}

int skt_proto(const skt_socket *s)
{
    return s != NULL ? s->proto : -EINVAL;
}

int skt_get_inheritable(const skt_socket *s)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    rc = skt__sys_get_cloexec(s->fd);
    if (rc < 0)
        return skt__fail(rc, "get_inheritable on fd %d", s->fd);
    return !rc;
}

int skt_set_inheritable(skt_socket *s, bool inheritable)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    rc = skt__sys_set_cloexec(s->fd, !inheritable);
    return rc < 0 ? skt__fail(rc, "set_inheritable on fd %d", s->fd) : 0;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

int skt_setsockopt(skt_socket *s, int level, int name, const void *val,
                   socklen_t len)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    rc = skt__sys_setsockopt(s->fd, level, name, val, len);
    return rc < 0 ? skt__fail(rc, "setsockopt(level %d, option %d)", level,
                              name)
                  : 0;
}

int skt_getsockopt(skt_socket *s, int level, int name, void *val,
                   socklen_t *len)
{
    int rc;

    SKT__CHECK(s != NULL && len != NULL, "NULL argument");
    rc = skt__sys_getsockopt(s->fd, level, name, val, len);
    return rc < 0 ? skt__fail(rc, "getsockopt(level %d, option %d)", level,
                              name)
                  : 0;
}

int skt_setsockopt_int(skt_socket *s, int level, int name, int value)
{
    return skt_setsockopt(s, level, name, &value, sizeof value);
}

int skt_getsockopt_int(skt_socket *s, int level, int name, int *value)
{
    socklen_t len = sizeof *value;
    SKT__CHECK(value != NULL, "value is NULL");
    *value = 0;
    return skt_getsockopt(s, level, name, value, &len);
}

/* ------------------------------------------------------------------------ */
/* Setting up connections                                                   */
/* ------------------------------------------------------------------------ */

int skt_bind(skt_socket *s, const skt_addr *a)
{
    int rc;

    SKT__CHECK(s != NULL && a != NULL, "NULL argument");
    SKT__CHECK(a->len > 0, "the address is empty");
    rc = skt__sys_bind(s->fd, skt_addr_sockaddr(a), a->len);
    return rc < 0 ? skt__fail_addr(rc, "bind to", a) : 0;
}

int skt_listen(skt_socket *s, int backlog)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    if (backlog < 0)
        backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;
    rc = skt__sys_listen(s->fd, backlog);
    return rc < 0 ? skt__fail(rc, "listen(backlog %d)", backlog) : 0;
}

/* ------------------------------------------------------------------------ */
/* Accepting                                                                */
/* ------------------------------------------------------------------------ */

/* The accept back-off: 10 ms, doubling up to 1 s. */
#define BACKOFF_FIRST (10 * SKT__MS)
#define BACKOFF_MAX (1000 * SKT__MS)

bool skt__accept_error_transient(int code)
{
    switch (-code) {
    case EINTR: case ECONNABORTED: case EPROTO: case EPERM: case ENETDOWN:
    case ENOPROTOOPT: case EHOSTDOWN: case ENONET: case EHOSTUNREACH:
    case EOPNOTSUPP: case ENETUNREACH: case ETIMEDOUT:
        return true;
    default:
        return false;
    }
}

bool skt__accept_error_exhausted(int code)
{
    return code == -EMFILE || code == -ENFILE || code == -ENOBUFS ||
           code == -ENOMEM;
}

int64_t skt__accept_backoff_next(int64_t previous_ns)
{
    if (previous_ns <= 0)
        return BACKOFF_FIRST;
    return previous_ns < BACKOFF_MAX / 2 ? previous_ns * 2 : BACKOFF_MAX;
}

/* One accept4, waiting for a connection as the socket's mode says under
 * *deadline (skt__io_retry's rule). Returns the fd or a code. */
static int accept_fd(skt_socket *s, skt_addr *peer, int64_t *deadline)
{
    skt_addr scratch;
    skt_addr *into = peer != NULL ? peer : &scratch;

    for (;;) {
        int fd, rc;
        into->len = sizeof into->u;
        fd = skt__sys_accept(s->fd, &into->u.sa, &into->len, 0);
        if (fd >= 0) {
            skt__addr_from_kernel(into, into->len);
            return fd;
        }
        rc = skt__io_retry(s, fd, POLLIN, deadline);
        if (rc < 0) {
            into->len = 0;
            return rc;
        }
    }
}

/* The object for an accepted fd; the fd is closed if that fails. */
static int adopt_conn(skt_socket *s, int fd, skt_socket **conn)
{
    /* Python's rule: the new socket takes the default timeout, whatever the
     * listener's mode (accept4 does not inherit O_NONBLOCK on Linux). */
    int rc = skt__socket_new(conn, fd, s->family, s->type, s->proto);

    if (rc < 0)
        skt__sys_close(fd);
    return rc;
}

/* Sets the detail "accept on ADDRESS<more>: <message>"; returns code. */
static int accept_failed(const skt_socket *s, int code, const char *more)
{
    char text[SKT_ADDRSTRLEN];
    skt_addr local = {0};

    skt_getsockname(s, &local);
    return skt__fail(code, "accept on %s%s",
                     skt__addr_text(&local, text, sizeof text), more);
}

int skt_accept(skt_socket *s, skt_socket **conn, skt_addr *peer)
{
    int64_t deadline = 0;
    int fd;

    SKT__CHECK(s != NULL && conn != NULL, "NULL argument");
    *conn = NULL;
    fd = accept_fd(s, peer, &deadline);
    if (fd < 0)
        return accept_failed(s, fd, "");
    return adopt_conn(s, fd, conn);
}

/*
 * Takes the next pause of b's back-off after code, a lack of resources:
 * sets the detail, tells on_pause, and sleeps the pause, cut short at
 * *deadline (computed here if no wait for a connection has done it).
 * Returns 0 to accept again, or the code to give up with: code itself in
 * non-blocking mode (the caller pauses) or when the listener was shut
 * down meanwhile, -ETIMEDOUT when the deadline came.
 */
static int pause_accepting(skt_socket *s, skt_accept_backoff *b, int code,
                           int64_t *deadline)
{
    /* A pause the caller left at anything but a number >= 0 is none. */
    int64_t last = b->pause > 0 ? skt__ns_from_seconds(b->pause) : 0;
    int64_t pause = skt__accept_backoff_next(last);
    char more[64];
    int64_t until;
    int rc;

    b->pause = skt__seconds_from_ns(pause);
    snprintf(more, sizeof more, " (accepting again within %lld ms)",
             (long long)(pause / SKT__MS));
    accept_failed(s, code, more);
    if (b->on_pause != NULL) {
        struct skt__detail_copy copy;
        skt__detail_save(&copy);
        b->on_pause(s, code, b->pause, b->user);
        skt__detail_restore(&copy, code);
    }
    if (s->timeout == 0)
        return code;
    if (*deadline == 0)
        *deadline = skt__deadline(s->timeout);
    until = skt__now() + pause;
    /* A wait for no event is a sleep that a hang-up ends: a listener shut
     * down by another thread stops the loop at once. */
    rc = skt__wait(s->fd, 0, until < *deadline ? until : *deadline);
    if (rc == 0)
        return accept_failed(s, code, " (shut down while accepting paused)");
    if (rc != -ETIMEDOUT)
        return accept_failed(s, rc, " (pausing)");
    if (skt__now() >= *deadline)
        return accept_failed(s, -ETIMEDOUT, code == -EMFILE
                                 ? " (out of fds)" : " (out of resources)");
    return 0;
}

/* True when rc is the timeout of accept_fd's wait under deadline, not an
 * ETIMEDOUT that accept(2) passed on from a connection. */
static bool timed_out(int rc, int64_t deadline)
{
    return rc == -ETIMEDOUT && deadline != 0 && skt__now() >= deadline;
}

int skt_accept_retry(skt_socket *s, skt_socket **conn, skt_addr *peer,
                     skt_accept_backoff *backoff)
{
    skt_accept_backoff own = {0};
    skt_accept_backoff *b = backoff != NULL ? backoff : &own;
    int64_t deadline = 0;

    SKT__CHECK(s != NULL && conn != NULL, "NULL argument");
    *conn = NULL;
    if (backoff != NULL) {
        int rc = SKT__CHECK_RESERVED(backoff, "accept_retry: backoff");
        if (rc < 0)
            return rc;
    }
    for (;;) {
        int rc = accept_fd(s, peer, &deadline);

        if (rc >= 0)
            rc = adopt_conn(s, rc, conn);
        if (rc == 0) {
            b->pause = 0;
            return 0;
        }
        if (skt__accept_error_exhausted(rc)) {
            rc = pause_accepting(s, b, rc, &deadline);
            if (rc < 0)
                return rc;
        } else if (!skt__accept_error_transient(rc) ||
                   timed_out(rc, deadline)) {
            b->pause = 0;
            return accept_failed(s, rc, "");
        }
    }
}

int skt_connect(skt_socket *s, const skt_addr *a)
{
    int rc;

    SKT__CHECK(s != NULL && a != NULL, "NULL argument");
    SKT__CHECK(a->len > 0, "the address is empty");
    rc = skt__connect_wait(s->fd, a, s->timeout);
    return rc < 0 ? skt__fail_addr(rc, "connect to", a) : 0;
}

int skt_connect_ex(skt_socket *s, const skt_addr *a)
{
    return -skt_connect(s, a);
}

int skt_shutdown(skt_socket *s, int how)
{
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    rc = skt__sys_shutdown(s->fd, how);
    return rc < 0 ? skt__fail(rc, "shutdown(%d)", how) : 0;
}

int skt_getsockname(const skt_socket *s, skt_addr *a)
{
    socklen_t len = sizeof a->u;
    int rc;

    SKT__CHECK(s != NULL && a != NULL, "NULL argument");
    rc = skt__sys_getsockname(s->fd, &a->u.sa, &len);
    if (rc < 0) {
        a->len = 0;
        return skt__fail(rc, "getsockname on fd %d", s->fd);
    }
    /* Brought to the form skt_addr_from_sockaddr gives, so that it
     * compares equal to the same address parsed from text. */
    skt__addr_from_kernel(a, len);
    return 0;
}

int skt_getpeername(const skt_socket *s, skt_addr *a)
{
    socklen_t len = sizeof a->u;
    int rc;

    SKT__CHECK(s != NULL && a != NULL, "NULL argument");
    rc = skt__sys_getpeername(s->fd, &a->u.sa, &len);
    if (rc < 0) {
        a->len = 0;
        return skt__fail(rc, "getpeername on fd %d", s->fd);
    }
    /* Brought to the form skt_addr_from_sockaddr gives, so that it
     * compares equal to the same address parsed from text. */
    skt__addr_from_kernel(a, len);
    return 0;
}
