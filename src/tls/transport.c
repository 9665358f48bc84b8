/*
 * transport.c - the TLS transport that skt_tls_wrap installs on a socket:
 * a BIO of our own, send/recv/pending/release behind the transport
 * vtable, wrapping (checks, SNI, the name to verify), handshakes under one
 * deadline in each of the socket's modes, and unwrapping.
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

/* Settles a failed I/O call: 0 to try again, STREAM_ENDED, or the code to
 * return. */
static int io_failure(skt_socket *s, struct tls *t, int r, short *wait,
                      const char *op)
{
    int rc = skt__tls_classify(t, r, wait);

    if (rc == -EAGAIN)
        return would_block(s, *wait);
    if (rc < 0)
        return skt__tls_connection_fail(s, t, rc, op);
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
        rc = io_failure(s, t, 0, wait, "TLS send");
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
        rc = io_failure(s, t, 0, wait, "TLS recv");
    } while (rc == 0);
    return rc == STREAM_ENDED ? 0 : rc;
}

static size_t tls_pending(const skt_socket *s)
{
    const struct tls *t = s->transport_state;
    int n = SSL_pending(t->ssl);

    return n > 0 ? (size_t)n : 0;
}

static void tls_free(struct tls *t)
{
    SSL_free(t->ssl); /* and the BIO with it */
    skt__tls_ctx_unref(t->ctx);
    free(t->hostname);
    free(t);
}

/*
 * What the close path may read: one record of the largest size (header,
 * 16 KiB, the most a TLS 1.3 record may add), room for some 60 session
 * tickets where peers send one or two unasked, and little enough that a
 * peer that keeps sending cannot hold the close (processing a ticket costs
 * about as much as a handshake message).
 */
#define DRAIN_BYTES (5 + 16384 + 256)

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
    tls_free(t);
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
/* Wrapping                                                                 */
/* ------------------------------------------------------------------------ */

static int check_wrap(const skt_socket *s, const skt_tls_ctx *ctx,
                      const char *hostname, bool server_side)
{
    SKT__CHECK(s != NULL && ctx != NULL, "NULL argument");
    if (s->transport != &skt__plain_transport)
        return skt__fail(-EINVAL, "tls_wrap: the socket already has a %s "
                         "transport", s->transport->name);
    if (s->type != SOCK_STREAM)
        return skt__fail(-EOPNOTSUPP, "tls_wrap: TLS needs a stream "
                         "socket");
    if (server_side != (ctx->side == SKT_TLS_SERVER))
        return skt__fail(-EINVAL, "tls_wrap: a %s context cannot make a "
                         "%s-side socket", ctx->side == SKT_TLS_SERVER ?
                         "server" : "client", server_side ? "server" :
                         "client");
    if (server_side && hostname != NULL)
        return skt__fail(-EINVAL, "tls_wrap: server_hostname is for the "
                         "client side only");
    if (!server_side && ctx->check_hostname &&
        (hostname == NULL || hostname[0] == '\0'))
        return skt__fail(-EINVAL, "tls_wrap: hostname checking is on but "
                         "no server_hostname was given");
    return 0;
}

static bool is_ip_literal(const char *text)
{
    unsigned char bytes[16];

    return inet_pton(AF_INET, text, bytes) == 1 ||
           inet_pton(AF_INET6, text, bytes) == 1;
}

/*
 * SNI and the name to verify, set separately: SNI goes out for any DNS
 * name (never for an address: RFC 6066), and the certificate is checked
 * against the name or address whether or not it went out as SNI.
 */
static int set_server_name(struct tls *t, const char *hostname)
{
    X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
    bool ip = is_ip_literal(hostname);
    int ok;

    t->hostname = strdup(hostname);
    if (t->hostname == NULL)
        return skt__fail(-ENOMEM, "tls_wrap");
    if (!ip && SSL_set_tlsext_host_name(t->ssl, hostname) != 1) {
        ERR_clear_error();
        return skt__fail(-EINVAL, "tls_wrap: server_hostname \"%s\" cannot "
                         "be sent as SNI", hostname);
    }
    if (!t->ctx->check_hostname)
        return 0;
    X509_VERIFY_PARAM_set_hostflags(param,
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, hostname)
            : X509_VERIFY_PARAM_set1_host(param, hostname, 0);
    if (ok != 1) {
        ERR_clear_error();
        return skt__fail(-EINVAL, "tls_wrap: server_hostname \"%s\" cannot "
                         "be checked", hostname);
    }
    return 0;
}

static int tls_new(struct tls **out, int fd, skt_tls_ctx *ctx)
{
    struct tls *t = calloc(1, sizeof *t);
    BIO *bio = NULL;

    pthread_once(&bio_once, make_bio_method);
    ERR_clear_error();
    if (t != NULL && bio_method != NULL)
        t->ssl = SSL_new(ctx->ssl_ctx);
    if (t != NULL && t->ssl != NULL)
        bio = BIO_new(bio_method);
    if (bio == NULL) {
        if (t != NULL)
            SSL_free(t->ssl);
        free(t);
        ERR_clear_error();
        return skt__fail(-ENOMEM, "tls_wrap: creating the connection");
    }
    BIO_set_data(bio, t);
    BIO_set_init(bio, 1);
    SSL_set_bio(t->ssl, bio, bio); /* the SSL object owns the BIO now */
    SSL_set_app_data(t->ssl, t);
    t->fd = fd;
    t->ctx = ctx;
    skt__tls_ctx_ref(ctx);
    *out = t;
    return 0;
}

/* Checks the arguments and installs the TLS layer, handshake not begun. */
static int install(skt_socket *s, skt_tls_ctx *ctx, const char *hostname,
                   bool server_side)
{
    struct skt__detail_copy detail;
    struct tls *t = NULL;
    int rc = check_wrap(s, ctx, hostname, server_side);

    if (rc == 0)
        rc = tls_new(&t, s->fd, ctx);
    if (rc < 0)
        return rc;
    if (hostname != NULL && hostname[0] != '\0')
        rc = set_server_name(t, hostname);
    if (rc < 0) {
        tls_free(t);
        return rc;
    }
    /* Not connected yet is fine: the detail asks again later. This is
     * no failure, so the thread's detail is left as it was. */
    skt__detail_save(&detail);
    skt_getpeername(s, &t->peer);
    skt__detail_restore(&detail, 0);
    if (server_side)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    s->transport = &tls_transport;
    s->transport_state = t;
    __atomic_add_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Handshakes                                                               */
/* ------------------------------------------------------------------------ */

/*
 * One step of a handshake. Returns 0 once it is complete, -EAGAIN with
 * *wait set when it would block, or a failure code (the layer is then
 * failed, and the detail written).
 */
static int handshake_step(skt_socket *s, struct tls *t, short *wait)
{
    int r, rc;

    if (t->failed)
        return skt__fail(t->failed, "TLS handshake: the connection had "
                         "already failed");
    if (SSL_is_init_finished(t->ssl))
        return 0;
    skt__tls_begin_call(t);
    r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshaken = true;
        skt__tls_note_alpn(t);
        return 0;
    }
    rc = skt__tls_classify(t, r, wait);
    if (rc == -EAGAIN)
        return rc;
    /* An end of file in the middle of a handshake is a failure. */
    return skt__tls_connection_fail(s, t, rc == 0 ? SKT_ETLS_HANDSHAKE : rc,
                                    "TLS handshake");
}

/* Runs the handshake to its end, waiting on a non-blocking fd (or
 * blocking in OpenSSL on a blocking one) until the deadline. */
static int handshake_until(skt_socket *s, struct tls *t, int64_t deadline)
{
    char peer[SKT_ADDRSTRLEN + 300];

    for (;;) {
        short wait;
        int rc = handshake_step(s, t, &wait);
        if (rc != -EAGAIN)
            return rc;
        rc = skt__wait(s->fd, wait, deadline);
        if (rc < 0)
            return skt__fail(rc, "TLS handshake with %s",
                             skt__tls_peer_text(s, t, peer, sizeof peer));
    }
}

/* One step in non-blocking mode: "in progress" becomes a want code. */
static int handshake_nonblocking(skt_socket *s, struct tls *t)
{
    char peer[SKT_ADDRSTRLEN + 300];
    short wait;
    int rc = handshake_step(s, t, &wait);

    if (rc != -EAGAIN)
        return rc;
    return skt__fail(wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE,
                     "TLS handshake with %s: in progress",
                     skt__tls_peer_text(s, t, peer, sizeof peer));
}

/* The handshake under the socket's own mode and timeout. */
static int handshake_by_mode(skt_socket *s, struct tls *t)
{
    if (s->timeout == 0)
        return handshake_nonblocking(s, t);
    return handshake_until(s, t, skt__deadline(s->timeout));
}

int skt_tls_wrap(skt_socket *s, skt_tls_ctx *ctx, const char *server_hostname,
                 bool server_side)
{
    int rc = install(s, ctx, server_hostname, server_side);

    if (rc < 0)
        return rc;
    return handshake_by_mode(s, s->transport_state);
}

int skt_tls_handshake(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_handshake: not a TLS socket");
    return handshake_by_mode(s, t);
}

/* Wraps and handshakes under the caller's deadline, whatever the mode. */
static int wrap_until(skt_socket *s, skt_tls_ctx *ctx, const char *hostname,
                      bool server_side, int64_t deadline)
{
    bool blocking;
    int rc = install(s, ctx, hostname, server_side);

    if (rc < 0)
        return rc;
    /* A blocking fd would let OpenSSL wait past the deadline. */
    blocking = s->timeout < 0 && deadline != SKT__NEVER;
    if (blocking && (rc = skt__sys_set_nonblocking(s->fd, true)) < 0) {
        ((struct tls *)s->transport_state)->failed = rc;
        return skt__fail(rc, "TLS handshake: making the fd non-blocking");
    }
    rc = handshake_until(s, s->transport_state, deadline);
    if (blocking)
        skt__sys_set_nonblocking(s->fd, false);
    return rc;
}

int skt__tls_client_handshake(skt_socket *s, skt_tls_ctx *ctx,
                              const char *hostname, int64_t deadline)
{
    return wrap_until(s, ctx, hostname, false, deadline);
}

int skt__tls_server_handshake(skt_socket *s, skt_tls_ctx *ctx,
                              int64_t deadline)
{
    return wrap_until(s, ctx, NULL, true, deadline);
}

/* ------------------------------------------------------------------------ */
/* Unwrapping                                                               */
/* ------------------------------------------------------------------------ */

/*
 * One step of the closing exchange: send close_notify, then read until the
 * peer's arrives, dropping data that crossed ours, as the peer drops what
 * follows its own. Returns 0 when done, -EAGAIN with *wait, or a failure.
 */
static int shutdown_step(skt_socket *s, struct tls *t, short *wait)
{
    char scratch[4096];
    size_t got;
    int r, rc;

    skt__tls_begin_call(t);
    if (!t->close_sent) {
        r = SSL_shutdown(t->ssl);
        if (r == 1)
            return 0; /* the peer's close_notify had come already */
        rc = r < 0 ? skt__tls_classify(t, r, wait) : 0;
        if (r < 0 && rc == 0)
            return 0;
        if (rc == -EAGAIN)
            return rc;
        if (rc < 0)
            return skt__tls_connection_fail(s, t, rc, "TLS unwrap");
        t->close_sent = true;
    }
    while (SSL_read_ex(t->ssl, scratch, sizeof scratch, &got) == 1)
        skt__tls_begin_call(t);
    rc = skt__tls_classify(t, 0, wait);
    if (rc < 0 && rc != -EAGAIN)
        return skt__tls_connection_fail(s, t, rc, "TLS unwrap");
    return rc; /* 0: the peer's close_notify, or its end of file */
}

static int shutdown_by_mode(skt_socket *s, struct tls *t)
{
    char peer[SKT_ADDRSTRLEN + 300];
    int64_t deadline = skt__deadline(s->timeout > 0 ? s->timeout : -1);

    for (;;) {
        short wait;
        int rc = shutdown_step(s, t, &wait);
        if (rc != -EAGAIN)
            return rc;
        if (s->timeout == 0)
            rc = wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE;
        else
            rc = skt__wait(s->fd, wait, deadline);
        if (rc < 0)
            return skt__fail(rc, "TLS unwrap with %s",
                             skt__tls_peer_text(s, t, peer, sizeof peer));
    }
}

int skt_tls_unwrap(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);
    int rc;

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_unwrap: not a TLS socket");
    if (!t->failed && SSL_is_init_finished(t->ssl)) {
        rc = shutdown_by_mode(s, t);
        if (rc < 0)
            return rc;
    }
    s->transport = &skt__plain_transport;
    s->transport_state = NULL;
    __atomic_sub_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
    ERR_clear_error();
    tls_free(t);
    return 0;
}
