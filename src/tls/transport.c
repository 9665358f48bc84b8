/*
 * transport.c - the TLS transport that wrapping installs on a socket: a
 * BIO of our own, send/recv/pending/release behind the transport vtable,
 * the close path, and the making, installing and freeing of a
 * connection's state (wrap.c decides when).
 *
 * Bytes go through the BIO, which calls sys.c, so that every send has
 * MSG_NOSIGNAL (the socket BIO of OpenSSL uses write(), which raises
 * SIGPIPE), EINTR is retried, and the fault injector reaches TLS traffic
 * too.
 */
#include "tls_int.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The BIO: OpenSSL's bytes through sys.c                                   */
/* ------------------------------------------------------------------------ */

static int bio_write(BIO *bio, const char *data, size_t len, size_t *written)
{
    struct tls *t = BIO_get_data(bio);
    int flags = t->nowait ? MSG_DONTWAIT : 0;
    ssize_t n;

    BIO_clear_retry_flags(bio);
    /* PEP 475: a signal never fails a send. */
    do
        n = skt__sys_send(t->fd, data, len, flags);
    while (n == -EINTR);
    if (n >= 0) {
        *written = (size_t)n;
        return 1;
    }
    if (n == -EAGAIN)
        BIO_set_retry_write(bio);
    else
        t->sys_error = (int)-n;
    return 0;
}

/* How much a read may take: all of len, except in the close path, whose
 * drain has a budget (0 when it is spent). */
static size_t read_allowance(const struct tls *t, size_t len)
{
    return t->nowait && len > t->drain_left ? t->drain_left : len;
}

static int bio_read(BIO *bio, char *data, size_t len, size_t *got)
{
    struct tls *t = BIO_get_data(bio);
    int flags = t->nowait ? MSG_DONTWAIT : 0;
    ssize_t n;

    BIO_clear_retry_flags(bio);
    len = read_allowance(t, len);
    if (len == 0) {
        /* The drain's budget is spent: to OpenSSL, nothing more has come. */
        BIO_set_retry_read(bio);
        return 0;
    }
    do
        n = skt__sys_recv(t->fd, data, len, flags);
    while (n == -EINTR);
    if (n > 0) {
        *got = (size_t)n;
        if (t->nowait)
            t->drain_left -= (size_t)n;
        return 1;
    }
    if (n == 0)
        t->eof = true;
    else if (n == -EAGAIN)
        BIO_set_retry_read(bio);
    else
        t->sys_error = (int)-n;
    return 0;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    struct tls *t = BIO_get_data(bio);

    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        /* Nothing is buffered here: every write goes to the kernel. */
        return 1;
    case BIO_CTRL_EOF:
        /* OpenSSL tells a peer's plain close from an error by this. */
        return t->eof;
    default:
        return 0;
    }
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

/* Made once per process and kept: a BIO_METHOD is shared, read-only. */
static void make_bio_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                 "skt socket");

    if (m == NULL)
        return;
    if (BIO_meth_set_write_ex(m, bio_write) != 1 ||
        BIO_meth_set_read_ex(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1) {
        BIO_meth_free(m);
        return;
    }
    bio_method = m;
}

/* ------------------------------------------------------------------------ */
/* The transport                                                            */
/* ------------------------------------------------------------------------ */

/*
 * What send and recv return when OpenSSL would block: -EAGAIN in timeout
 * mode, so that skt__io_retry waits under the operation's deadline;
 * SKT_EWANTREAD or SKT_EWANTWRITE in non-blocking mode, which say what to
 * wait for; in blocking mode 0 after the wait, to try again (the fd blocks
 * then, so this only happens when OpenSSL asks for a retry).
 */
static int would_block(skt_socket *s, short wait)
{
    if (s->timeout > 0)
        return -EAGAIN;
    if (s->timeout == 0)
        return wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE;
    return skt__wait(s->fd, wait, SKT__NEVER);
}

/* What io_failure returns when the peer ended the TLS stream (its
 * close_notify arrived): not an error, and not a byte count either. */
#define STREAM_ENDED 1

/*
 * What the close path may read: one record of the largest size (header,
 * 16 KiB, the most a TLS 1.3 record may add), room for some 60 session
 * tickets where peers send one or two unasked, and little enough that a
 * peer that keeps sending cannot hold the close (processing a ticket costs
 * about as much as a handshake message).
 */
#define DRAIN_BYTES (5 + 16384 + 256)

/*
 * The code of the fatal alert that the fd holds unread, or 0 when it holds
 * none. A TLS 1.3 server refuses a client's certificate (or its lack of
 * one) after the client's handshake has ended: it sends an alert and
 * closes with the client's last handshake records unread, so its kernel
 * resets the connection. A send then fails on the reset while the alert
 * still waits in the fd, which gives what it holds before the reset. One
 * peek reads it without waiting, as the close path's drain does, and
 * stops at application data (nothing is taken from it; the reset stays).
 */
static int queued_alert(struct tls *t)
{
    unsigned char byte;
    size_t got;
    short wait;
    int code = 0;

    if (!SSL_is_init_finished(t->ssl) || SSL_pending(t->ssl) > 0 ||
        (SSL_get_shutdown(t->ssl) & SSL_RECEIVED_SHUTDOWN))
        return 0;
    t->nowait = true;
    t->drain_left = DRAIN_BYTES;
    skt__tls_begin_call(t);
    if (SSL_peek_ex(t->ssl, &byte, 1, &got) != 1 &&
        SSL_get_error(t->ssl, 0) == SSL_ERROR_SSL && t->sys_error == 0)
        code = skt__tls_classify(t, 0, &wait);
    t->nowait = false;
    if (code >= 0)
        ERR_clear_error();
    return code < 0 ? code : 0;
}

int skt__tls_send_fail(skt_socket *s, struct tls *t, int code,
                       const char *op)
{
    int alert = 0;

    if (code == -ECONNRESET || code == -EPIPE)
        alert = queued_alert(t);
    return skt__tls_connection_fail(s, t, alert < 0 ? alert : code, op);
}

/* Settles a failed I/O call: 0 to try again, STREAM_ENDED, or the code to
 * return. A send's reset gives way to the alert that came before it. */
static int io_failure(skt_socket *s, struct tls *t, short *wait,
                      bool sending)
{
    int rc = skt__tls_classify(t, 0, wait);

    if (rc == -EAGAIN)
        return would_block(s, *wait);
    if (rc < 0 && sending)
        return skt__tls_send_fail(s, t, rc, "TLS send");
    if (rc < 0)
        return skt__tls_connection_fail(s, t, rc, "TLS recv");
    return STREAM_ENDED;
}

static ssize_t tls_send(skt_socket *s, const void *buf, size_t len,
                        int flags, short *wait)
{
    struct tls *t = s->transport_state;
    size_t written;
    int rc;

    if (flags & ~MSG_NOSIGNAL)
        return -EINVAL;
    if (t->failed)
        return t->failed;
    if (len == 0)
        return 0;
    /* After skt_tls_shutdown_write: the write side is closed, and OpenSSL
     * would call a send a protocol error and fail the whole connection. */
    if (SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)
        return skt__fail(-EPIPE, "TLS send: this side's close_notify has "
                         "gone out");
    do {
        skt__tls_begin_call(t);
        if (SSL_write_ex(t->ssl, buf, len, &written) == 1) {
            /* The handshake may have ended inside this call. */
            t->handshaken = true;
            return (ssize_t)written;
        }
        rc = io_failure(s, t, wait, true);
    } while (rc == 0);
    /* The stream ended for writing: our close_notify has gone out. */
    return rc == STREAM_ENDED ? -EPIPE : rc;
}

static ssize_t tls_recv(skt_socket *s, void *buf, size_t len, int flags,
                        short *wait)
{
    struct tls *t = s->transport_state;
    size_t got;
    int rc;

    if (flags & ~MSG_PEEK)
        return -EINVAL;
    if (t->failed)
        return t->failed;
    do {
        int ok;
        skt__tls_begin_call(t);
        ok = (flags & MSG_PEEK) ? SSL_peek_ex(t->ssl, buf, len, &got)
                                : SSL_read_ex(t->ssl, buf, len, &got);
        if (ok == 1) {
            t->handshaken = true;
            return (ssize_t)got;
        }
        rc = io_failure(s, t, wait, false);
    } while (rc == 0);
    return rc == STREAM_ENDED ? 0 : rc;
}

static size_t tls_pending(const skt_socket *s)
{
    const struct tls *t = s->transport_state;
    int n = SSL_pending(t->ssl);

    return n > 0 ? (size_t)n : 0;
}

void skt__tls_free(struct tls *t)
{
    if (t == NULL)
        return;
    /* OpenSSL spoils the session of a connection freed without
     * close_notify, as if it had failed; skt closes without one on
     * purpose (a reset, a memory object), and only a failure should. */
    if (!t->failed && SSL_is_init_finished(t->ssl))
        SSL_set_shutdown(t->ssl, SSL_get_shutdown(t->ssl) |
                                     SSL_SENT_SHUTDOWN);
    SSL_free(t->ssl); /* and the BIO with it */
    skt__tls_session_forget(t);
    skt__tls_ctx_unref(t->sni_ctx);
    skt__tls_ctx_unref(t->ctx);
    free(t->hostname);
    free(t);
}

/*
 * Reads and processes, without waiting, what the peer sent that the
 * application never asked for: TLS 1.3 session tickets and key updates,
 * the peer's close_notify. Unread, they would make close(2) reset the
 * connection, which throws away the data still queued to send and our
 * close_notify. At most DRAIN_BYTES, as the fd has them now. Returns true
 * when the application left data unread: bytes decrypted and not taken,
 * or an application data record among those read.
 */
static bool drain_found_data(struct tls *t)
{
    unsigned char byte;
    size_t got;

    if (SSL_pending(t->ssl) > 0)
        return true;
    if (SSL_get_shutdown(t->ssl) & SSL_RECEIVED_SHUTDOWN)
        return false;
    t->drain_left = DRAIN_BYTES;
    skt__tls_begin_call(t);
    /* With SSL_MODE_AUTO_RETRY, one peek goes through every record that
     * is not application data, and stops at the first that is, or when
     * the fd (or the budget) has nothing more. */
    return SSL_peek_ex(t->ssl, &byte, 1, &got) == 1;
}

bool skt__tls_absorb(struct tls *t)
{
    bool found;

    if (t->failed || !SSL_is_init_finished(t->ssl))
        return false;
    t->nowait = true;
    found = drain_found_data(t);
    t->nowait = false;
    /* What went wrong, if anything, is for the next recv to report. */
    ERR_clear_error();
    t->sys_error = 0;
    return found;
}

/*
 * Makes close(2) reset the connection (SO_LINGER 0), as the kernel does
 * for a plain TCP socket closed with data unread: the peer learns that
 * what it sent was not read, whether or not the drain emptied the fd.
 */
static void reset_at_close(skt_socket *s)
{
    struct linger now = {.l_onoff = 1, .l_linger = 0};

    skt__sys_setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
}

/*
 * The TLS end of skt_close: a peer reading to the end sees a clean close
 * rather than a reset or a truncation (curl on OpenSSL 3 reports one).
 * Nothing here waits for the peer: the drain reads what the fd holds, and
 * close_notify gets one attempt that never blocks.
 */
static void close_session(skt_socket *s, struct tls *t)
{
    t->nowait = true;
    if (drain_found_data(t)) {
        reset_at_close(s);
        return;
    }
    if (!(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN))
        SSL_shutdown(t->ssl);
}

static void tls_release(skt_socket *s)
{
    struct tls *t = s->transport_state;

    if (!t->failed && SSL_is_init_finished(t->ssl))
        close_session(s, t);
    ERR_clear_error();
    skt__tls_free(t);
    __atomic_sub_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
}

static const struct skt__transport tls_transport = {
    .name = "tls",
    .send = tls_send,
    .recv = tls_recv,
    .pending = tls_pending,
    .release = tls_release,
};

struct tls *skt__tls_of(const skt_socket *s)
{
    return s != NULL && s->transport == &tls_transport ? s->transport_state
                                                       : NULL;
}

size_t skt_tls_pending(const skt_socket *s)
{
    return skt__tls_of(s) != NULL ? tls_pending(s) : 0;
}

/* ------------------------------------------------------------------------ */
/* A connection's state                                                     */
/* ------------------------------------------------------------------------ */

int skt__tls_new(struct tls **out, int fd, skt_tls_ctx *ctx)
{
    struct tls *t = calloc(1, sizeof *t);
    BIO *bio = NULL;

    pthread_once(&bio_once, make_bio_method);
    ERR_clear_error();
    if (t != NULL && bio_method != NULL)
        t->ssl = SSL_new(ctx->ssl_ctx);
    if (t != NULL && t->ssl != NULL && fd >= 0)
        bio = BIO_new(bio_method);
    if (t == NULL || t->ssl == NULL || (fd >= 0 && bio == NULL)) {
        if (t != NULL)
            SSL_free(t->ssl);
        free(t);
        ERR_clear_error();
        return skt__fail(-ENOMEM, "tls_wrap: creating the connection");
    }
    if (bio != NULL) {
        BIO_set_data(bio, t);
        BIO_set_init(bio, 1);
        SSL_set_bio(t->ssl, bio, bio); /* the SSL object owns the BIO */
    }
    SSL_set_app_data(t->ssl, t);
    t->fd = fd;
    t->ctx = ctx;
    skt__tls_ctx_ref(ctx);
    *out = t;
    return 0;
}

void skt__tls_attach(skt_socket *s, struct tls *t)
{
    t->sock = s;
    s->transport = &tls_transport;
    s->transport_state = t;
    __atomic_add_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
}

void skt__tls_detach(skt_socket *s)
{
    s->transport = &skt__plain_transport;
    s->transport_state = NULL;
    __atomic_sub_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
}
