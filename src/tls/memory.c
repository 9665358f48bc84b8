/*
 * memory.c - TLS without a socket (Python's SSLObject with its two
 * MemoryBIOs, made by SSLContext.wrap_bio): the connection reads the
 * bytes the application feeds it and leaves the bytes to send in a buffer
 * that the application takes, so that an event loop or a test that owns
 * its I/O can run TLS over any transport.
 *
 * Two OpenSSL memory BIOs do the buffering: `in` returns "retry" when it
 * is empty (the connection then wants more bytes: SKT_EWANTREAD) until the
 * application says that the transport has ended; `out` grows as needed,
 * so a write never waits. Nothing here blocks or has a timeout.
 */
#include "tls_int.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <limits.h>
#include <stdlib.h>

struct skt_tls_obj {
    struct tls *t;
    BIO *in;  /* bytes from the peer, fed by the application */
    BIO *out; /* bytes for the peer, taken by the application */
    bool in_ended;
};

struct tls *skt__tls_obj_state(const skt_tls_obj *obj)
{
    return obj != NULL ? obj->t : NULL;
}

/* ------------------------------------------------------------------------ */
/* Making and freeing                                                       */
/* ------------------------------------------------------------------------ */

/* Gives t its two memory BIOs. */
static int attach_buffers(skt_tls_obj *obj)
{
    obj->in = BIO_new(BIO_s_mem());
    obj->out = BIO_new(BIO_s_mem());
    if (obj->in == NULL || obj->out == NULL) {
        BIO_free(obj->in);
        BIO_free(obj->out);
        ERR_clear_error();
        return skt__fail(-ENOMEM, "tls_obj_new: the buffers");
    }
    /* An empty buffer means "more may come" until feed_eof. */
    BIO_set_mem_eof_return(obj->in, -1);
    BIO_set_mem_eof_return(obj->out, -1);
    SSL_set_bio(obj->t->ssl, obj->in, obj->out); /* owned by the SSL now */
    return 0;
}

int skt_tls_obj_new(skt_tls_obj **out, skt_tls_ctx *ctx,
                    const skt_tls_wrap_opts *opts)
{
    static const skt_tls_wrap_opts defaults;
    struct skt__tls_wrap_args args;
    skt_tls_obj *obj;
    int rc;

    SKT__CHECK(out != NULL && ctx != NULL, "NULL argument");
    *out = NULL;
    opts = opts != NULL ? opts : &defaults;
    if ((rc = SKT__CHECK_RESERVED(opts, "tls_obj_new")) < 0 ||
        (rc = skt__tls_check_side(ctx, opts->server_hostname,
                                  opts->server_side, "tls_obj_new")) < 0)
        return rc;
    obj = calloc(1, sizeof *obj);
    if (obj == NULL)
        return skt__fail(-ENOMEM, "tls_obj_new");
    args = (struct skt__tls_wrap_args){.hostname = opts->server_hostname,
                                       .server_side = opts->server_side,
                                       .session = opts->session};
    rc = skt__tls_new(&obj->t, -1, ctx);
    if (rc == 0)
        rc = attach_buffers(obj);
    if (rc == 0)
        rc = skt__tls_prepare(obj->t, &args);
    if (rc < 0) {
        skt__tls_free(obj->t);
        free(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

void skt_tls_obj_free(skt_tls_obj *obj)
{
    if (obj == NULL)
        return;
    ERR_clear_error();
    skt__tls_free(obj->t); /* and the BIOs with the SSL */
    free(obj);
}

/* ------------------------------------------------------------------------ */
/* The buffers                                                              */
/* ------------------------------------------------------------------------ */

int skt_tls_obj_feed(skt_tls_obj *obj, const void *data, size_t len)
{
    SKT__CHECK(obj != NULL && (data != NULL || len == 0), "NULL argument");
    if (obj->in_ended)
        return skt__fail(-EPIPE, "tls_obj_feed: the incoming end of file "
                         "was fed already");
    SKT__CHECK(len <= INT_MAX, "len over INT_MAX");
    if (len > 0 && BIO_write(obj->in, data, (int)len) != (int)len) {
        ERR_clear_error();
        return skt__fail(-ENOMEM, "tls_obj_feed");
    }
    return 0;
}

int skt_tls_obj_feed_eof(skt_tls_obj *obj)
{
    SKT__CHECK(obj != NULL, "obj is NULL");
    obj->in_ended = true;
    obj->t->eof = true;
    /* Once the fed bytes are read, the buffer reads as an end of file. */
    BIO_set_mem_eof_return(obj->in, 0);
    return 0;
}

ssize_t skt_tls_obj_take(skt_tls_obj *obj, void *buf, size_t len)
{
    int n;

    SKT__CHECK(obj != NULL && buf != NULL, "NULL argument");
    if (len > INT_MAX)
        len = INT_MAX;
    n = len > 0 ? BIO_read(obj->out, buf, (int)len) : 0;
    return n > 0 ? n : 0;
}

size_t skt_tls_obj_pending_out(const skt_tls_obj *obj)
{
    return obj != NULL ? BIO_ctrl_pending(obj->out) : 0;
}

size_t skt_tls_obj_pending(const skt_tls_obj *obj)
{
    int n = obj != NULL ? SSL_pending(obj->t->ssl) : 0;

    return n > 0 ? (size_t)n : 0;
}

/* ------------------------------------------------------------------------ */
/* The connection                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Settles a failed call (returning r): SKT_EWANTREAD when the connection
 * needs bytes that have not been fed yet, 0 at the end of the stream, or
 * the failure (the connection then fails for good, as a socket's does).
 */
static int settle(skt_tls_obj *obj, int r, const char *op)
{
    struct tls *t = obj->t;
    short wait;
    int rc = skt__tls_classify(t, r, &wait);

    if (rc == -EAGAIN)
        return wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE;
    if (rc == 0 && !SSL_is_init_finished(t->ssl))
        rc = SKT_ETLS_HANDSHAKE; /* the transport ended mid-handshake */
    if (rc < 0)
        return skt__tls_connection_fail(NULL, t, rc, op);
    return 0;
}

int skt_tls_obj_handshake(skt_tls_obj *obj)
{
    struct tls *t;
    int r;

    SKT__CHECK(obj != NULL, "obj is NULL");
    t = obj->t;
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
    return settle(obj, r, "TLS handshake");
}

ssize_t skt_tls_obj_read(skt_tls_obj *obj, void *buf, size_t len)
{
    size_t got;

    SKT__CHECK(obj != NULL && buf != NULL, "NULL argument");
    if (obj->t->failed)
        return obj->t->failed;
    skt__tls_begin_call(obj->t);
    if (SSL_read_ex(obj->t->ssl, buf, len, &got) == 1) {
        obj->t->handshaken = true;
        return (ssize_t)got;
    }
    return settle(obj, 0, "TLS read");
}

ssize_t skt_tls_obj_write(skt_tls_obj *obj, const void *buf, size_t len)
{
    size_t written;
    int rc;

    SKT__CHECK(obj != NULL && (buf != NULL || len == 0), "NULL argument");
    if (obj->t->failed)
        return obj->t->failed;
    if (len == 0)
        return 0;
    if (SSL_get_shutdown(obj->t->ssl) & SSL_SENT_SHUTDOWN)
        return skt__fail(-EPIPE, "TLS write: this side's close_notify has "
                         "gone out");
    skt__tls_begin_call(obj->t);
    if (SSL_write_ex(obj->t->ssl, buf, len, &written) == 1) {
        obj->t->handshaken = true;
        return (ssize_t)written;
    }
    rc = settle(obj, 0, "TLS write");
    return rc == 0 ? -EPIPE : rc;
}

int skt_tls_obj_unwrap(skt_tls_obj *obj)
{
    struct tls *t;
    char scratch[4096];
    size_t got;
    int r;

    SKT__CHECK(obj != NULL, "obj is NULL");
    t = obj->t;
    if (t->failed)
        return t->failed;
    if (!SSL_is_init_finished(t->ssl))
        return skt__fail(-ENOTCONN, "tls_obj_unwrap: the handshake is not "
                         "done");
    skt__tls_begin_call(t);
    if (!t->close_sent) {
        r = SSL_shutdown(t->ssl);
        if (r == 1)
            return 0; /* the peer's close_notify had come already */
        if (r < 0)
            return settle(obj, r, "TLS unwrap");
        t->close_sent = true;
    }
    /* Data that crossed our close_notify is dropped, as a socket's
     * unwrap drops it. */
    while (SSL_read_ex(t->ssl, scratch, sizeof scratch, &got) == 1)
        skt__tls_begin_call(t);
    return settle(obj, 0, "TLS unwrap");
}

bool skt_tls_obj_session_reused(const skt_tls_obj *obj)
{
    return obj != NULL && SSL_session_reused(obj->t->ssl) == 1;
}

bool skt_tls_obj_server_side(const skt_tls_obj *obj)
{
    return obj != NULL && obj->t->ctx->side == SKT_TLS_SERVER;
}
