/*
 * halfclose.c - the TLS half-close: close_notify (the end of this side's
 * data, in TLS's own words), then shutdown(SHUT_WR), while reading goes on.
 * A plain FIN under TLS is an end of stream the peer cannot tell from a
 * truncation attack, and OpenSSL peers answer it with an alert; after
 * close_notify the peer sees a clean end and can still answer (TLS 1.3
 * allows that; RFC 8446, section 6.1).
 */
#include "tls_int.h"

/*
 * Sends close_notify once, waiting as the socket's mode says under one
 * deadline. Returns 0 (also when it had gone out already), or a code.
 */
static int send_close_notify(skt_socket *s, struct tls *t)
{
    int64_t deadline = skt__deadline(s->timeout > 0 ? s->timeout : -1);
    short wait = 0;
    int rc;

    while (!(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)) {
        skt__tls_begin_call(t);
        if (SSL_shutdown(t->ssl) >= 0)
            break;
        rc = skt__tls_classify(t, -1, &wait);
        if (rc == 0)
            break; /* the stream had ended: nothing more can be said */
        if (rc != -EAGAIN)
            return skt__tls_send_fail(s, t, rc, "TLS close_notify");
        if (s->timeout == 0)
            return wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE;
        if ((rc = skt__wait(s->fd, wait, deadline)) < 0)
            return skt__fail(rc, "TLS close_notify");
    }
    t->close_sent = true;
    return 0;
}

int skt_tls_shutdown_write(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);
    int rc;

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_shutdown_write: not a TLS socket");
    if (t->failed)
        return t->failed;
    if (!SSL_is_init_finished(t->ssl))
        return skt__fail(-ENOTCONN, "tls_shutdown_write: the handshake "
                         "is not done");
    /* A failed close_notify keeps its own detail (the peer, the alert). */
    rc = send_close_notify(s, t);
    if (rc < 0)
        return rc;
    rc = skt__sys_shutdown(s->fd, SHUT_WR);
    /* The connection is already closed both ways: nothing left to shut. */
    if (rc == -ENOTCONN)
        rc = 0;
    return rc < 0 ? skt__fail(rc, "tls_shutdown_write: shutdown(SHUT_WR)")
                  : 0;
}
