/*
 * msg_linux.c - the message calls of Linux that POSIX does not have:
 * credentials (SCM_CREDENTIALS in control data, SO_PEERCRED) and the
 * kernel's batches (sendmmsg, recvmmsg with MSG_WAITFORONE) behind
 * mmsg.c's skt_sendmmsg and skt_recvmmsg.
 */
#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* skt_cred is struct ucred under another name (skt.h). */
_Static_assert(sizeof(skt_cred) == sizeof(struct ucred),
               "skt_cred has struct ucred's layout");

/* ------------------------------------------------------------------------ */
/* Credentials                                                              */
/* ------------------------------------------------------------------------ */

int skt_ancbuf_add_creds(skt_ancbuf *b, const skt_cred *cred)
{
    struct ucred own;

    if (cred != NULL) {
        own.pid = cred->pid;
        own.uid = cred->uid;
        own.gid = cred->gid;
    } else {
        own.pid = getpid();
        own.uid = getuid();
        own.gid = getgid();
    }
    return skt_ancbuf_add(b, SOL_SOCKET, SCM_CREDENTIALS, &own, sizeof own);
}

int skt_cmsg_creds(const skt_cmsg *c, skt_cred *out)
{
    struct ucred cred;

    SKT__CHECK(c != NULL && out != NULL && (c->data != NULL || c->len == 0),
               "NULL argument");
    if (c->level != SOL_SOCKET || c->type != SCM_CREDENTIALS ||
        c->len < sizeof cred)
        return skt__fail(-EINVAL, "cmsg_creds: level %d, type %d, %zu "
                         "bytes is not SCM_CREDENTIALS", c->level, c->type,
                         c->len);
    memcpy(&cred, c->data, sizeof cred);
    out->pid = cred.pid;
    out->uid = cred.uid;
    out->gid = cred.gid;
    return 0;
}

int skt_getpeercred(skt_socket *s, skt_cred *out)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    int rc;

    SKT__CHECK(s != NULL && out != NULL, "NULL argument");
    if ((rc = skt__plain_only(s, "getpeercred")) < 0)
        return rc;
    rc = skt__sys_getsockopt(s->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
    if (rc < 0)
        return skt__fail(rc, "getpeercred on fd %d", s->fd);
    out->pid = cred.pid;
    out->uid = cred.uid;
    out->gid = cred.gid;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Batches                                                                  */
/* ------------------------------------------------------------------------ */

/* Headers for batches this small live on the stack; larger are
 * allocated. */
#define STACK_BATCH 64

struct batch {
    struct mmsghdr stack[STACK_BATCH];
    struct mmsghdr *h;
    unsigned count;
};

static int batch_init(struct batch *b, size_t count)
{
    b->count = count > SKT__BATCH_MAX ? SKT__BATCH_MAX : (unsigned)count;
    b->h = b->count <= STACK_BATCH ? b->stack
                                   : calloc(b->count, sizeof *b->h);
    return b->h == NULL ? -ENOMEM : 0;
}

static void batch_free(struct batch *b)
{
    if (b->h != b->stack)
        free(b->h);
}

/* One sendmmsg under the retry rule. */
static int send_batch(skt_socket *s, skt_msg *msgs, struct batch *b,
                      int flags)
{
    int64_t deadline = 0;

    for (unsigned i = 0; i < b->count; i++)
        skt__msg_send_header(&b->h[i].msg_hdr, &msgs[i]);
    for (;;) {
        int n = skt__sys_sendmmsg(s->fd, b->h, b->count, flags);
        int rc;
        if (n >= 0) {
            for (int i = 0; i < n; i++)
                msgs[i].len = b->h[i].msg_len;
            return n;
        }
        if (n == -ENOSYS)
            return n;
        rc = skt__io_retry_flags(s, n, POLLOUT, flags, &deadline);
        if (rc < 0)
            return rc;
    }
}

/* One recvmmsg under the retry rule, waiting for the first message only. */
static int recv_batch(skt_socket *s, skt_msg *msgs, struct batch *b,
                      int flags)
{
    int64_t deadline = 0;

    for (;;) {
        int n, rc;
        /* Filled afresh for every attempt: a call that fails may still
         * have changed lengths in them. */
        for (unsigned i = 0; i < b->count; i++)
            skt__msg_recv_header(&b->h[i].msg_hdr, &msgs[i]);
        n = skt__sys_recvmmsg(s->fd, b->h, b->count,
                              skt__msg_recv_flags(s, flags) | MSG_WAITFORONE);
        if (n >= 0) {
            for (int i = 0; i < n; i++)
                skt__msg_received(&msgs[i], &b->h[i].msg_hdr,
                                  b->h[i].msg_len);
            return n;
        }
        if (n == -ENOSYS)
            return n;
        rc = skt__io_retry_flags(s, n, POLLIN, flags, &deadline);
        if (rc < 0)
            return rc;
    }
}

int skt__mmsg_send_batch(skt_socket *s, skt_msg *msgs, size_t count,
                         int flags)
{
    struct batch b;
    int n = batch_init(&b, count);

    if (n < 0)
        return skt__fail(n, "sendmmsg: headers for %zu messages", count);
    n = send_batch(s, msgs, &b, flags);
    batch_free(&b);
    return n;
}

int skt__mmsg_recv_batch(skt_socket *s, skt_msg *msgs, size_t count,
                         int flags)
{
    struct batch b;
    int n = batch_init(&b, count);

    if (n < 0)
        return skt__fail(n, "recvmmsg: headers for %zu messages", count);
    n = recv_batch(s, msgs, &b, flags);
    batch_free(&b);
    return n;
}
