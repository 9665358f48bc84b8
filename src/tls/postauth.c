/*
 * postauth.c - TLS 1.3 post-handshake client authentication (Python's
 * post_handshake_auth and verify_client_post_handshake): a server asks
 * for the client's certificate after the handshake, e.g. when a request
 * turns out to need it, instead of asking every client up front.
 *
 * The request goes out at once (OpenSSL sends it from SSL_do_handshake);
 * the client answers when it next reads, and the server checks the
 * answer when it next reads: a certificate that does not verify, or none
 * where one is required, fails that read as a handshake failure would.
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

int skt_tls_ctx_set_post_handshake_auth(skt_tls_ctx *ctx, bool on)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    ctx->post_handshake_auth = on;
    /* A client offers it in its hello; a server defers its request. */
    if (ctx->side == SKT_TLS_CLIENT)
        SSL_CTX_set_post_handshake_auth(ctx->ssl_ctx, on ? 1 : 0);
    else
        skt__tls_apply_verify_mode(ctx);
    return 0;
}

bool skt_tls_ctx_get_post_handshake_auth(const skt_tls_ctx *ctx)
{
    return ctx != NULL && ctx->post_handshake_auth;
}

/* Why OpenSSL would not make the request, as a code and a detail. */
static int request_refused(void)
{
    int reason = ERR_GET_REASON(ERR_peek_error());
    const char *why;
    int code = -EOPNOTSUPP;

    if (reason == SSL_R_EXTENSION_NOT_RECEIVED)
        why = "the client did not offer post-handshake authentication";
    else if (reason == SSL_R_WRONG_SSL_VERSION)
        why = "the connection is not TLS 1.3";
    else if (reason == SSL_R_INVALID_CONFIG)
        why = "the verify mode is SKT_TLS_CERT_NONE", code = -EINVAL;
    else if (reason == SSL_R_REQUEST_PENDING || reason == SSL_R_REQUEST_SENT)
        why = "a request is already under way", code = -EALREADY;
    else
        why = "OpenSSL refused the request", code = SKT_ETLS_PROTOCOL;
    ERR_clear_error();
    return skt__fail(code, "tls_verify_client_post_handshake: %s", why);
}

int skt_tls_verify_client_post_handshake(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_verify_client_post_handshake: not a "
                         "TLS socket");
    if (t->ctx->side != SKT_TLS_SERVER)
        return skt__fail(-EINVAL, "tls_verify_client_post_handshake: only "
                         "a server asks for a client certificate");
    if (t->failed)
        return t->failed;
    if (!SSL_is_init_finished(t->ssl))
        return skt__fail(-ENOTCONN, "tls_verify_client_post_handshake: the "
                         "handshake is not done");
    skt__tls_begin_call(t);
    if (SSL_verify_client_post_handshake(t->ssl) != 1)
        return request_refused();
    /* Sends the CertificateRequest; nothing waits for the answer. */
    return skt__tls_handshake_by_mode(s, t);
}
