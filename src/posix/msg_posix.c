/*
 * msg_posix.c - the message calls that POSIX does not have: credentials
 * in Linux's form (SCM_CREDENTIALS, SO_PEERCRED) are refused with
 * -EOPNOTSUPP and a detail, and there are no kernel batches, so
 * skt_sendmmsg and skt_recvmmsg (mmsg.c) take their loop of sendmsg or
 * recvmsg.
 */
#include "msg.h"

#include <errno.h>

static int no_credentials(const char *op)
{
    return skt__fail(-EOPNOTSUPP, "%s: credentials in Linux's form "
                     "(SCM_CREDENTIALS, SO_PEERCRED) are not on this "
                     "platform", op);
}

int skt_ancbuf_add_creds(skt_ancbuf *b, const skt_cred *cred)
{
    (void)b, (void)cred;
    return no_credentials("ancbuf_add_creds");
}

int skt_cmsg_creds(const skt_cmsg *c, skt_cred *out)
{
    SKT__CHECK(c != NULL && out != NULL && (c->data != NULL || c->len == 0),
               "NULL argument");
    return no_credentials("cmsg_creds");
}

int skt_getpeercred(skt_socket *s, skt_cred *out)
{
    SKT__CHECK(s != NULL && out != NULL, "NULL argument");
    return no_credentials("getpeercred");
}

int skt__mmsg_send_batch(skt_socket *s, skt_msg *msgs, size_t count,
                         int flags)
{
    (void)s, (void)msgs, (void)count, (void)flags;
    return -ENOSYS;
}

int skt__mmsg_recv_batch(skt_socket *s, skt_msg *msgs, size_t count,
                         int flags)
{
    (void)s, (void)msgs, (void)count, (void)flags;
    return -ENOSYS;
}
