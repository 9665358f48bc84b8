/*
 * msg.c - Python's sendmsg, recvmsg, send_fds and recv_fds, and the
 * ancillary-data builder and parser behind them (credentials, whose form
 * is the platform's, are in msg_<platform>.c).
 *
 * The builder and the parser copy every control-message header in and
 * out, so the caller's buffer needs no alignment and the caller never
 * writes CMSG_* arithmetic. Received fds are close-on-exec from the start
 * (MSG_CMSG_CLOEXEC on every receive from a Unix socket) and never
 * leaked: when control data comes truncated, every fd that did arrive is
 * closed before the call returns, since a caller told "truncated" cannot
 * be trusted to find and close them, and Python's habit of handing them
 * over anyway is how they leak.
 */
#include "msg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A pidfd of the sender (Linux 6.5, with SO_PASSPIDFD): an fd too. */
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x4c
#endif

/* The kernel's limits: fds in one SCM_RIGHTS message (SCM_MAX_FD). */
#define FDS_MAX 253

/* ------------------------------------------------------------------------ */
/* Lengths                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Python bounds both by INT_MAX (its SOCKLEN_T_LIMIT): a control length
 * must fit in the int-sized fields the kernel's compat paths use. The
 * same bounds keep the sums below from wrapping.
 */
ssize_t skt_cmsg_len(size_t len)
{
    if (len > (size_t)INT_MAX - CMSG_LEN(0))
        return skt__fail(-EOVERFLOW, "cmsg_len(%zu): the result would "
                         "exceed %d bytes", len, INT_MAX);
    return (ssize_t)CMSG_LEN(len);
}

ssize_t skt_cmsg_space(size_t len)
{
    /* CMSG_SPACE(1) counts the padding before and after the data. */
    if (len > (size_t)INT_MAX - CMSG_SPACE(1))
        return skt__fail(-EOVERFLOW, "cmsg_space(%zu): the result would "
                         "exceed %d bytes", len, INT_MAX);
    return (ssize_t)CMSG_SPACE(len);
}

/* ------------------------------------------------------------------------ */
/* The builder                                                              */
/* ------------------------------------------------------------------------ */

static bool ancbuf_ok(const skt_ancbuf *b)
{
    return b != NULL && (b->data != NULL || b->cap == 0) && b->len <= b->cap;
}

int skt_ancbuf_add(skt_ancbuf *b, int level, int type, const void *data,
                   size_t len)
{
    struct cmsghdr header;
    unsigned char *at;
    size_t space;

    SKT__CHECK(ancbuf_ok(b), "the buffer is NULL, or its data, cap and len "
                             "disagree");
    SKT__CHECK(data != NULL || len == 0, "data is NULL");
    if (len > (size_t)INT_MAX - CMSG_SPACE(1))
        return skt__fail(-ENOBUFS, "ancbuf_add: %zu data bytes are more "
                         "than a control message holds", len);
    space = CMSG_SPACE(len);
    if (space > b->cap - b->len)
        return skt__fail(-ENOBUFS, "ancbuf_add of %zu data bytes: it "
                         "needs %zu bytes of room, %zu are left", len, space,
                         b->cap - b->len);
    memset(&header, 0, sizeof header);
    header.cmsg_len = CMSG_LEN(len);
    header.cmsg_level = level;
    header.cmsg_type = type;
    at = (unsigned char *)b->data + b->len;
    memcpy(at, &header, sizeof header);
    if (len > 0)
        memcpy(at + CMSG_LEN(0), data, len);
    memset(at + CMSG_LEN(len), 0, space - CMSG_LEN(len));
    b->len += space;
    return 0;
}

int skt_ancbuf_add_fds(skt_ancbuf *b, const int *fds, size_t count)
{
    SKT__CHECK(fds != NULL, "fds is NULL");
    if (count == 0 || count > FDS_MAX)
        return skt__fail(-EINVAL, "ancbuf_add_fds: %zu fds (1..%d can go "
                         "in one message)", count, FDS_MAX);
    return skt_ancbuf_add(b, SOL_SOCKET, SCM_RIGHTS, fds,
                          count * sizeof *fds);
}

/* ------------------------------------------------------------------------ */
/* The parser                                                               */
/* ------------------------------------------------------------------------ */

/*
 * The parser proper, without a detail. A message's padding may be cut
 * short at the end of the buffer (the kernel stops where the room does),
 * so only cmsg_len itself must fit.
 */
static int parse_at(const skt_ancbuf *b, size_t *pos, skt_cmsg *out)
{
    const unsigned char *at = (const unsigned char *)b->data + *pos;
    size_t left = b->len - *pos;
    struct cmsghdr header;
    size_t step;

    if (left < sizeof header)
        return -EINVAL;
    memcpy(&header, at, sizeof header);
    if (header.cmsg_len < CMSG_LEN(0) || header.cmsg_len > left)
        return -EINVAL;
    out->level = header.cmsg_level;
    out->type = header.cmsg_type;
    out->data = at + CMSG_LEN(0);
    out->len = header.cmsg_len - CMSG_LEN(0);
    step = CMSG_ALIGN(header.cmsg_len);
    *pos += step < left ? step : left;
    return 1;
}

int skt_ancbuf_next(const skt_ancbuf *b, size_t *pos, skt_cmsg *out)
{
    int rc;

    SKT__CHECK(ancbuf_ok(b), "the buffer is NULL, or its data, cap and len "
                             "disagree");
    SKT__CHECK(pos != NULL && out != NULL, "NULL argument");
    if (*pos >= b->len)
        return 0;
    rc = parse_at(b, pos, out);
    if (rc < 0)
        return skt__fail(rc, "ancillary data at byte %zu of %zu: not a "
                         "whole control message", *pos, b->len);
    return rc;
}

static bool carries_fds(const skt_cmsg *c)
{
    return c->level == SOL_SOCKET &&
           (c->type == SCM_RIGHTS || c->type == SCM_PIDFD);
}

ssize_t skt_cmsg_fds(const skt_cmsg *c, int *fds, size_t max)
{
    size_t count;

    SKT__CHECK(c != NULL && (c->data != NULL || c->len == 0),
               "the message is NULL");
    SKT__CHECK(fds != NULL || max == 0, "fds is NULL");
    if (c->level != SOL_SOCKET || c->type != SCM_RIGHTS)
        return skt__fail(-EINVAL, "cmsg_fds: level %d, type %d is not "
                         "SCM_RIGHTS", c->level, c->type);
    count = c->len / sizeof(int);
    if (max > 0)
        memcpy(fds, c->data, (count < max ? count : max) * sizeof(int));
    return (ssize_t)count;
}

/* ------------------------------------------------------------------------ */
/* Received fds                                                             */
/* ------------------------------------------------------------------------ */

/* Closes the fds of one message and overwrites them with -1, so that the
 * numbers, soon reused, cannot be mistaken for ours. */
static void close_message_fds(const skt_cmsg *c)
{
    unsigned char *p = (unsigned char *)(uintptr_t)c->data;
    const int none = -1;

    for (size_t i = 0; i + sizeof(int) <= c->len; i += sizeof(int)) {
        int fd;
        memcpy(&fd, p + i, sizeof fd);
        if (fd >= 0)
            skt__sys_close(fd);
        memcpy(p + i, &none, sizeof none);
    }
}

/* Closes every fd that arrived in anc. */
static void close_received_fds(skt_ancbuf *anc)
{
    size_t pos = 0;
    skt_cmsg c;

    while (pos < anc->len && parse_at(anc, &pos, &c) > 0)
        if (carries_fds(&c))
            close_message_fds(&c);
}

/* ------------------------------------------------------------------------ */
/* Shared with mmsg.c                                                       */
/* ------------------------------------------------------------------------ */

int skt__msg_check(const skt_msg *m, const char *op)
{
    if (m == NULL)
        return skt__fail(-EINVAL, "%s: the message is NULL", op);
    if (m->iov == NULL && m->iovlen > 0)
        return skt__fail(-EINVAL, "%s: iov is NULL with iovlen %zu", op,
                         m->iovlen);
    if (m->anc != NULL && !ancbuf_ok(m->anc))
        return skt__fail(-EINVAL, "%s: the ancillary buffer's data, cap "
                         "and len disagree", op);
    return 0;
}

void skt__msg_send_header(struct msghdr *h, const skt_msg *m)
{
    memset(h, 0, sizeof *h);
    /* The kernel only reads through these; msghdr has no const. */
    h->msg_iov = (struct iovec *)(uintptr_t)m->iov;
    h->msg_iovlen = m->iovlen;
    if (m->addr != NULL && m->addr->len > 0) {
        h->msg_name = &m->addr->u;
        h->msg_namelen = m->addr->len;
    }
    if (m->anc != NULL && m->anc->len > 0) {
        h->msg_control = m->anc->data;
        h->msg_controllen = m->anc->len;
    }
}

void skt__msg_recv_header(struct msghdr *h, skt_msg *m)
{
    memset(h, 0, sizeof *h);
    h->msg_iov = (struct iovec *)(uintptr_t)m->iov;
    h->msg_iovlen = m->iovlen;
    if (m->addr != NULL) {
        h->msg_name = &m->addr->u;
        h->msg_namelen = sizeof m->addr->u;
    }
    if (m->anc != NULL && m->anc->cap > 0) {
        h->msg_control = m->anc->data;
        h->msg_controllen = m->anc->cap;
    }
}

void skt__msg_received(skt_msg *m, const struct msghdr *h, size_t n)
{
    m->len = n;
    /* Linux echoes MSG_CMSG_CLOEXEC, which sys.c adds, into msg_flags;
     * it is not something the message did. */
    m->flags = h->msg_flags & ~MSG_CMSG_CLOEXEC;
    if (m->addr != NULL)
        skt__addr_from_kernel(m->addr, h->msg_namelen);
    if (m->anc == NULL)
        return;
    m->anc->len = h->msg_control != NULL ? h->msg_controllen : 0;
    if (m->flags & MSG_CTRUNC)
        close_received_fds(m->anc);
}

int skt__msg_recv_flags(const skt_socket *s, int flags)
{
    return s->family == AF_UNIX ? flags | MSG_CMSG_CLOEXEC : flags;
}

/* ------------------------------------------------------------------------ */
/* sendmsg and recvmsg                                                      */
/* ------------------------------------------------------------------------ */

static int fail_send(int rc, const char *op, const skt_addr *to)
{
    char prefix[32];

    if (to == NULL || to->len == 0)
        return skt__fail(rc, "%s to the connected peer", op);
    snprintf(prefix, sizeof prefix, "%s to", op);
    return skt__fail_addr(rc, prefix, to);
}

/* One sendmsg under the retry rule; the detail is the caller's. */
static ssize_t send_message(skt_socket *s, const skt_msg *m, int flags)
{
    int64_t deadline = 0;
    struct msghdr h;

    skt__msg_send_header(&h, m);
    for (;;) {
        ssize_t n = skt__sys_sendmsg(s->fd, &h, flags);
        int rc;
        if (n >= 0)
            return n;
        rc = skt__io_retry_flags(s, (int)n, POLLOUT, flags, &deadline);
        if (rc < 0)
            return rc;
    }
}

/* One recvmsg under the retry rule, m completed; no detail. */
static ssize_t recv_message(skt_socket *s, skt_msg *m, int flags)
{
    int64_t deadline = 0;
    struct msghdr h;

    for (;;) {
        ssize_t n;
        int rc;
        skt__msg_recv_header(&h, m);
        n = skt__sys_recvmsg(s->fd, &h, skt__msg_recv_flags(s, flags));
        if (n >= 0) {
            skt__msg_received(m, &h, (size_t)n);
            return n;
        }
        rc = skt__io_retry_flags(s, (int)n, POLLIN, flags, &deadline);
        if (rc < 0)
            return rc;
    }
}

ssize_t skt_sendmsg(skt_socket *s, const skt_msg *m, int flags)
{
    ssize_t n;
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    if ((rc = skt__msg_check(m, "sendmsg")) < 0 ||
        (rc = skt__plain_only(s, "sendmsg")) < 0)
        return rc;
    n = send_message(s, m, flags);
    return n < 0 ? fail_send((int)n, "sendmsg", m->addr) : n;
}

ssize_t skt_recvmsg(skt_socket *s, skt_msg *m, int flags)
{
    ssize_t n;
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    if ((rc = skt__msg_check(m, "recvmsg")) < 0 ||
        (rc = skt__plain_only(s, "recvmsg")) < 0)
        return rc;
    if (m->addr != NULL)
        m->addr->len = 0;
    n = recv_message(s, m, flags);
    return n < 0 ? skt__fail((int)n, "recvmsg on fd %d", s->fd) : n;
}

/* ------------------------------------------------------------------------ */
/* Passing fds                                                              */
/* ------------------------------------------------------------------------ */

ssize_t skt_send_fds(skt_socket *s, const void *buf, size_t len,
                     const int *fds, size_t nfds, int flags,
                     const skt_addr *to)
{
    unsigned char control[CMSG_SPACE(FDS_MAX * sizeof(int))];
    skt_ancbuf anc = {control, sizeof control, 0};
    struct iovec iov = {(void *)(uintptr_t)buf, len};
    skt_msg m = {&iov, 1, (skt_addr *)(uintptr_t)to, &anc, 0, 0};
    ssize_t n;
    int rc;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    if ((rc = skt_ancbuf_add_fds(&anc, fds, nfds)) < 0 ||
        (rc = skt__plain_only(s, "send_fds")) < 0)
        return rc;
    n = send_message(s, &m, flags);
    return n < 0 ? fail_send((int)n, "send_fds", to) : n;
}

/* The fds of a received message, kept while there is room for them;
 * overflow tells that more came. */
struct fd_take {
    int *fds;
    size_t max;
    size_t got;
    bool overflow;
};

/* Takes the SCM_RIGHTS fds of anc into take, and closes those there is
 * no room for and pidfds, which were not asked for. Returns 0, or -EINVAL
 * for malformed control data. */
static int take_fds(skt_ancbuf *anc, struct fd_take *take)
{
    size_t pos = 0;
    skt_cmsg c;

    while (pos < anc->len && parse_at(anc, &pos, &c) > 0) {
        size_t count = c.len / sizeof(int);
        if (!carries_fds(&c) || count == 0)
            continue;
        if (c.type == SCM_PIDFD || take->got + count > take->max) {
            take->overflow |= c.type == SCM_RIGHTS;
            close_message_fds(&c);
            continue;
        }
        memcpy(take->fds + take->got, c.data, count * sizeof(int));
        take->got += count;
    }
    return pos < anc->len ? -EINVAL : 0;
}

/*
 * Hands the fds of a received message over in fds (room for *nfds), or
 * closes them all and sets MSG_CTRUNC when they did not all fit. After a
 * truncation the kernel reported, skt__msg_received has closed them.
 */
static int deliver_fds(skt_ancbuf *anc, int *fds, size_t *nfds,
                       int *msg_flags)
{
    struct fd_take take = {fds, *nfds, 0, false};
    int rc;

    *nfds = 0;
    if (*msg_flags & MSG_CTRUNC)
        return 0;
    rc = take_fds(anc, &take);
    if (rc < 0 || take.overflow) {
        for (size_t i = 0; i < take.got; i++)
            skt__sys_close(fds[i]);
        *msg_flags |= MSG_CTRUNC;
        return rc;
    }
    *nfds = take.got;
    return 0;
}

/*
 * Room beside the fds for the credentials and pidfd a socket may add on
 * its own (SO_PASSCRED, SO_PASSPIDFD), so that they never truncate them.
 */
#define RECV_FDS_EXTRA                                                        \
    (CMSG_SPACE(sizeof(skt_cred)) + CMSG_SPACE(sizeof(int)))

ssize_t skt_recv_fds(skt_socket *s, void *buf, size_t len, int *fds,
                     size_t *nfds, int flags, int *msg_flags, skt_addr *from)
{
    unsigned char control[RECV_FDS_EXTRA + CMSG_SPACE(FDS_MAX * sizeof(int))];
    skt_ancbuf anc = {control, 0, 0};
    struct iovec iov = {buf, len};
    skt_msg m = {&iov, 1, from, &anc, 0, 0};
    size_t room;
    ssize_t n;
    int rc;

    SKT__CHECK(s != NULL && (buf != NULL || len == 0), "NULL argument");
    SKT__CHECK(nfds != NULL && msg_flags != NULL, "nfds or msg_flags is "
                                                  "NULL");
    SKT__CHECK(fds != NULL || *nfds == 0, "fds is NULL");
    room = *nfds < FDS_MAX ? *nfds : FDS_MAX;
    *nfds = 0;
    *msg_flags = 0;
    if ((rc = skt__plain_only(s, "recv_fds")) < 0)
        return rc;
    anc.cap = RECV_FDS_EXTRA + CMSG_SPACE(room * sizeof(int));
    n = recv_message(s, &m, flags);
    if (n < 0)
        return skt__fail((int)n, "recv_fds on fd %d", s->fd);
    *msg_flags = m.flags;
    *nfds = room;
    rc = deliver_fds(&anc, fds, nfds, msg_flags);
    if (rc < 0)
        return skt__fail(rc, "recv_fds on fd %d: malformed control data",
                         s->fd);
    return n;
}

/* Credentials (skt_ancbuf_add_creds, skt_cmsg_creds, skt_getpeercred)
 * take the platform's form: src/<platform>/msg_<platform>.c. */
