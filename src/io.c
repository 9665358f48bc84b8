/*
 * io.c - sending and receiving: the plain transport, the rules that every
 * operation shares, each written once (the retry rule skt__io_retry, the
 * MSG_DONTWAIT rule, the plain-fd guard, connect-and-wait), and the
 * operations built on them. Multi-step operations (sendall, recv_exact)
 * keep one deadline for the whole call and always report how far they
 * got.
 */
#include "internal.h"

#include <errno.h>

/* ------------------------------------------------------------------------ */
/* The plain transport: the fd itself                                       */
/* ------------------------------------------------------------------------ */

static ssize_t plain_send(skt_socket *s, const void *buf, size_t len,
                          int flags, short *wait)
{
    *wait = POLLOUT;
    return skt__sys_send(s->fd, buf, len, flags);
}

static ssize_t plain_recv(skt_socket *s, void *buf, size_t len, int flags,
                          short *wait)
{
    *wait = POLLIN;
    return skt__sys_recv(s->fd, buf, len, flags);
}

int skt__buffering_transports;

const struct skt__transport skt__plain_transport = {
    .name = "plain",
    .send = plain_send,
    .recv = plain_recv,
};

/* ------------------------------------------------------------------------ */
/* The retry rule                                                           */
/* ------------------------------------------------------------------------ */

int skt__io_retry(skt_socket *s, int rc, short events, int64_t *deadline)
{
    /* PEP 475: a signal never fails an operation; the remaining time is
     * whatever the deadline leaves. */
    if (rc == -EINTR)
        return 0;
    if (rc != -EAGAIN || !(s->timeout > 0))
        return rc;
    if (*deadline == 0)
        *deadline = skt__deadline(s->timeout);
    /* A spurious wake-up simply leads to another EAGAIN and another wait
     * under the same deadline. */
    return skt__wait(s->fd, events, *deadline);
}

int skt__io_retry_flags(skt_socket *s, int rc, short events, int flags,
                        int64_t *deadline)
{
    /* MSG_DONTWAIT asks not to wait, whatever the socket's mode. */
    if (rc == -EAGAIN && (flags & MSG_DONTWAIT))
        return rc;
    return skt__io_retry(s, rc, events, deadline);
}

int skt__plain_only(const skt_socket *s, const char *op)
{
    if (s->transport == &skt__plain_transport)
        return 0;
    return skt__fail(-EOPNOTSUPP, "%s: not over a %s transport (it needs "
                     "the fd itself)", op, s->transport->name);
}

/* Waits for a connect under way on fd and returns its outcome. */
static int finish_connect(int fd, int64_t deadline)
{
    int error = 0;
    socklen_t len = sizeof error;
    int rc = skt__wait(fd, POLLOUT, deadline);

    if (rc == 0)
        rc = skt__sys_getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    return rc < 0 ? rc : -error;
}

int skt__connect_wait(int fd, const skt_addr *a, double timeout)
{
    int64_t deadline = skt__deadline(timeout > 0 ? timeout : -1);
    int rc = skt__sys_connect(fd, skt_addr_sockaddr(a), a->len);

    if (rc == 0 || (rc != -EINTR && rc != -EINPROGRESS))
        return rc;
    if (rc == -EINPROGRESS && !(timeout > 0))
        return rc;
    if (timeout == 0)
        return -EINPROGRESS;
    return finish_connect(fd, deadline);
}

/*
 * One attempt through the transport. The plain fd is called directly: the
 * common case then costs no indirect call.
 */
static inline ssize_t try_send(skt_socket *s, const void *buf, size_t len,
                               int flags, short *wait)
{
    if (s->transport == &skt__plain_transport) {
        *wait = POLLOUT;
        return skt__sys_send(s->fd, buf, len, flags);
    }
    return s->transport->send(s, buf, len, flags, wait);
}

static inline ssize_t try_recv(skt_socket *s, void *buf, size_t len,
                               int flags, short *wait)
{
    if (s->transport == &skt__plain_transport) {
        *wait = POLLIN;
        return skt__sys_recv(s->fd, buf, len, flags);
    }
    return s->transport->recv(s, buf, len, flags, wait);
}

/*
 * The retry loops, entered only after a first attempt failed (n < 0).
 * Kept out of line so that the fast path, data moving at once, stays a
 * few instructions around the system call.
 */
static __attribute__((noinline)) ssize_t
send_retry(skt_socket *s, const void *buf, size_t len, int flags,
           int64_t *deadline, ssize_t n, short wait)
{
    while (n < 0) {
        int rc = skt__io_retry_flags(s, (int)n, wait, flags, deadline);
        if (rc < 0)
            return rc;
        n = try_send(s, buf, len, flags, &wait);
    }
    return n;
}

static __attribute__((noinline)) ssize_t
recv_retry(skt_socket *s, void *buf, size_t len, int flags,
           int64_t *deadline, ssize_t n, short wait)
{
    while (n < 0) {
        int rc = skt__io_retry_flags(s, (int)n, wait, flags, deadline);
        if (rc < 0)
            return rc;
        n = try_recv(s, buf, len, flags, &wait);
    }
    return n;
}

/* One send under the given deadline: tried first, waited for only when it
 * would block. */
static inline ssize_t send_once(skt_socket *s, const void *buf, size_t len,
                                int flags, int64_t *deadline)
{
    short wait;
    ssize_t n = try_send(s, buf, len, flags, &wait);

    if (__builtin_expect(n >= 0, 1))
        return n;
    return send_retry(s, buf, len, flags, deadline, n, wait);
}

static inline ssize_t recv_once(skt_socket *s, void *buf, size_t len,
                                int flags, int64_t *deadline)
{
    short wait;
    ssize_t n = try_recv(s, buf, len, flags, &wait);

    if (__builtin_expect(n >= 0, 1))
        return n;
    return recv_retry(s, buf, len, flags, deadline, n, wait);
}

/* ------------------------------------------------------------------------ */
/* Operations                                                               */
/* ------------------------------------------------------------------------ */

ssize_t skt_send(skt_socket *s, const void *buf, size_t len, int flags)
{
    int64_t deadline = 0;
    ssize_t n;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    n = send_once(s, buf, len, flags, &deadline);
    return n < 0 ? skt__fail((int)n, "send of %zu bytes", len) : n;
}

ssize_t skt_recv(skt_socket *s, void *buf, size_t len, int flags)
{
    int64_t deadline = 0;
    ssize_t n;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    /* As in Python, asking for nothing returns at once. */
    if (len == 0)
        return 0;
    n = recv_once(s, buf, len, flags, &deadline);
    return n < 0 ? skt__fail((int)n, "recv of up to %zu bytes", len) : n;
}

ssize_t skt_recv_into(skt_socket *s, void *buf, size_t len, int flags)
{
    return skt_recv(s, buf, len, flags);
}

/*
 * The loops of sendall and recv_exact, under a deadline the caller holds.
 * *done is kept current after every step, so that progress survives any
 * failure. Always inline: each public call is then one function around
 * the system call, as a hand-written loop would be.
 */
static inline __attribute__((always_inline)) int
send_all(skt_socket *s, const void *buf, size_t len, int flags,
         int64_t *deadline, size_t *done)
{
    const char *p = buf;

    *done = 0;
    while (*done < len) {
        ssize_t n = send_once(s, p + *done, len - *done, flags, deadline);
        if (n < 0)
            return (int)n;
        *done += (size_t)n;
    }
    return 0;
}

static inline __attribute__((always_inline)) int
recv_all(skt_socket *s, void *buf, size_t len, int flags, int64_t *deadline,
         size_t *done)
{
    char *p = buf;

    *done = 0;
    while (*done < len) {
        ssize_t n = recv_once(s, p + *done, len - *done, flags, deadline);
        if (n <= 0)
            return n == 0 ? SKT_EEOF : (int)n;
        *done += (size_t)n;
    }
    return 0;
}

int skt_sendall(skt_socket *s, const void *buf, size_t len, int flags,
                size_t *sent)
{
    size_t done = 0;
    int64_t deadline;
    int rc;

    if (sent != NULL)
        *sent = 0;
    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    deadline = skt__op_deadline(s);
    rc = send_all(s, buf, len, flags, &deadline, &done);
    if (sent != NULL)
        *sent = done;
    if (rc < 0)
        return skt__fail(rc, "sendall: %zu of %zu bytes sent", done, len);
    return 0;
}

int skt_recv_exact(skt_socket *s, void *buf, size_t len, int flags,
                   size_t *got)
{
    size_t done = 0;
    int64_t deadline;
    int rc;

    if (got != NULL)
        *got = 0;
    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    deadline = skt__op_deadline(s);
    rc = recv_all(s, buf, len, flags, &deadline, &done);
    if (got != NULL)
        *got = done;
    if (rc < 0)
        return skt__fail(rc, "recv_exact: %zu of %zu bytes received", done,
                         len);
    return 0;
}

/*
 * sendto and recvfrom go around the transport: over TLS they would send
 * plaintext into the stream or read records as data, so they are refused
 * there, as Python refuses them. As for send and recv, the first attempt
 * is made inline and the retry rule runs out of line, only after it
 * failed: a datagram that moves at once costs little more than the
 * system call.
 */
static inline ssize_t try_sendto(const skt_socket *s, const void *buf,
                                 size_t len, int flags, const skt_addr *to)
{
    if (to == NULL)
        return skt__sys_sendto(s->fd, buf, len, flags, NULL, 0);
    return skt__sys_sendto(s->fd, buf, len, flags, &to->u.sa, to->len);
}

/* The address lands in from itself; without one the kernel writes none. */
static inline ssize_t try_recvfrom(const skt_socket *s, void *buf,
                                   size_t len, int flags, skt_addr *from)
{
    ssize_t n;

    if (from == NULL)
        return skt__sys_recvfrom(s->fd, buf, len, flags, NULL, NULL);
    from->len = sizeof from->u;
    n = skt__sys_recvfrom(s->fd, buf, len, flags, &from->u.sa, &from->len);
    if (n >= 0)
        skt__addr_from_kernel(from, from->len);
    else
        from->len = 0;
    return n;
}

/* The rest of skt_sendto, out of line: the refusal over another transport,
 * and the retry rule after a first attempt failed with n. */
static __attribute__((noinline)) ssize_t
sendto_slow(skt_socket *s, const void *buf, size_t len, int flags,
            const skt_addr *to, ssize_t n)
{
    int64_t deadline = 0;

    if (s->transport != &skt__plain_transport)
        return skt__plain_only(s, "sendto");
    while (n < 0) {
        int rc = skt__io_retry_flags(s, (int)n, POLLOUT, flags, &deadline);
        if (rc < 0)
            return to != NULL ? skt__fail_addr(rc, "sendto", to)
                              : skt__fail(rc, "sendto the connected peer");
        n = try_sendto(s, buf, len, flags, to);
    }
    return n;
}

/* The rest of skt_recvfrom, as sendto_slow is of skt_sendto. */
static __attribute__((noinline)) ssize_t
recvfrom_slow(skt_socket *s, void *buf, size_t len, int flags,
              skt_addr *from, ssize_t n)
{
    int64_t deadline = 0;

    if (s->transport != &skt__plain_transport)
        return skt__plain_only(s, "recvfrom");
    while (n < 0) {
        int rc = skt__io_retry_flags(s, (int)n, POLLIN, flags, &deadline);
        if (rc < 0)
            return skt__fail(rc, "recvfrom of up to %zu bytes", len);
        n = try_recvfrom(s, buf, len, flags, from);
    }
    return n;
}

ssize_t skt_sendto(skt_socket *s, const void *buf, size_t len, int flags,
                   const skt_addr *to)
{
    ssize_t n = -EOPNOTSUPP;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    if (__builtin_expect(s->transport == &skt__plain_transport, 1)) {
        n = try_sendto(s, buf, len, flags, to);
        if (__builtin_expect(n >= 0, 1))
            return n;
    }
    return sendto_slow(s, buf, len, flags, to, n);
}

ssize_t skt_recvfrom(skt_socket *s, void *buf, size_t len, int flags,
                     skt_addr *from)
{
    ssize_t n = -EOPNOTSUPP;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    if (__builtin_expect(s->transport == &skt__plain_transport, 1)) {
        n = try_recvfrom(s, buf, len, flags, from);
        if (__builtin_expect(n >= 0, 1))
            return n;
    }
    return recvfrom_slow(s, buf, len, flags, from, n);
}

/* ------------------------------------------------------------------------ */
/* Loops under a caller's deadline (for streams and frames)                 */
/* ------------------------------------------------------------------------ */

int64_t skt__op_deadline(const skt_socket *s)
{
    return s->timeout > 0 ? skt__deadline(s->timeout) : 0;
}

ssize_t skt__recv_once(skt_socket *s, void *buf, size_t len,
                       int64_t *deadline)
{
    return recv_once(s, buf, len, 0, deadline);
}

int skt__sendall_until(skt_socket *s, const void *buf, size_t len,
                       int64_t *deadline, size_t *done)
{
    return send_all(s, buf, len, 0, deadline, done);
}

int skt__recv_exact_until(skt_socket *s, void *buf, size_t len,
                          int64_t *deadline, size_t *done)
{
    return recv_all(s, buf, len, 0, deadline, done);
}

/* ------------------------------------------------------------------------ */
/* Loops under the caller's deadline, for programs built on skt             */
/* ------------------------------------------------------------------------ */

int skt_sendall_until(skt_socket *s, const void *buf, size_t len,
                      int64_t *deadline, size_t *sent)
{
    size_t done = 0;
    int rc;

    if (sent != NULL)
        *sent = 0;
    SKT__CHECK(s != NULL && deadline != NULL && (buf != NULL || len == 0),
               "NULL argument");
    rc = skt__sendall_until(s, buf, len, deadline, &done);
    if (sent != NULL)
        *sent = done;
    if (rc < 0)
        return skt__fail(rc, "sendall: %zu of %zu bytes sent", done, len);
    return 0;
}

int skt_recv_exact_until(skt_socket *s, void *buf, size_t len,
                         int64_t *deadline, size_t *got)
{
    size_t done = 0;
    int rc;

    if (got != NULL)
        *got = 0;
    SKT__CHECK(s != NULL && deadline != NULL && (buf != NULL || len == 0),
               "NULL argument");
    rc = skt__recv_exact_until(s, buf, len, deadline, &done);
    if (got != NULL)
        *got = done;
    if (rc < 0)
        return skt__fail(rc, "recv_exact: %zu of %zu bytes received", done,
                         len);
    return 0;
}
