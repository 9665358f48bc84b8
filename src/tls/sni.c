/*
 * sni.c - the server name callback (Python's SSLContext.sni_callback):
 * one server serving several certificates, each chosen by the name the
 * client sends, or refusing a name with an alert.
 *
 * The callback runs inside OpenSSL's handling of the ClientHello. When it
 * picks another context, OpenSSL moves the connection to that context's
 * certificate and key (SSL_set_SSL_CTX), and skt also applies its verify
 * mode; sessions, tickets and statistics stay with the context the
 * connection was wrapped with, as in OpenSSL and Python.
 */
#include "tls_int.h"

#include <openssl/ssl.h>
#include <stdio.h>

/* Moves t to the server context use: its certificate, key and verify
 * mode. Returns 0, or an alert when use cannot serve. */
static int switch_context(struct tls *t, skt_tls_ctx *use)
{
    SSL_CTX *c = use->ssl_ctx;

    if (use->side != SKT_TLS_SERVER) {
        snprintf(t->refusal, sizeof t->refusal, "the server name "
                 "callback chose a client context");
        return SSL_AD_INTERNAL_ERROR;
    }
    if (SSL_set_SSL_CTX(t->ssl, c) != c) {
        snprintf(t->refusal, sizeof t->refusal, "the context that the "
                 "server name callback chose could not be used");
        return SSL_AD_INTERNAL_ERROR;
    }
    SSL_set_verify(t->ssl, SSL_CTX_get_verify_mode(c),
                   SSL_CTX_get_verify_callback(c));
    skt__tls_ctx_ref(use);
    skt__tls_ctx_unref(t->sni_ctx);
    t->sni_ctx = use;
    return 0;
}

/* OpenSSL's server name callback: asks the application's, then does what
 * it says. */
static int on_server_name(SSL *ssl, int *alert, void *arg)
{
    skt_tls_ctx *ctx = arg;
    struct tls *t = SSL_get_app_data(ssl);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    skt_tls_ctx *use;
    int rc;

    if (t == NULL || ctx->sni_callback == NULL)
        return SSL_TLSEXT_ERR_OK;
    use = t->ctx;
    rc = ctx->sni_callback(t->sock, name, &use, ctx->sni_arg);
    if (rc == 0 && use != NULL && use != t->ctx)
        rc = switch_context(t, use);
    else if (rc != 0)
        snprintf(t->refusal, sizeof t->refusal, "the server name callback "
                 "refused %s%s%s (alert %d)", name ? "\"" : "",
                 name ? name : "a hello without a name", name ? "\"" : "",
                 rc > 0 ? rc : SSL_AD_INTERNAL_ERROR);
    if (rc == 0)
        return SSL_TLSEXT_ERR_OK;
    *alert = rc > 0 && rc < 256 ? rc : SSL_AD_INTERNAL_ERROR;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int skt_tls_ctx_set_sni_callback(skt_tls_ctx *ctx, skt_tls_sni_callback cb,
                                 void *arg)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    if (ctx->side != SKT_TLS_SERVER)
        return skt__fail(-EINVAL, "tls_ctx_set_sni_callback: a client "
                         "context chooses no certificate by name");
    ctx->sni_callback = cb;
    ctx->sni_arg = arg;
    SSL_CTX_set_tlsext_servername_arg(ctx->ssl_ctx, ctx);
    /* Always installed: with no application callback it does nothing. */
    SSL_CTX_set_tlsext_servername_callback(ctx->ssl_ctx, on_server_name);
    return 0;
}

skt_tls_ctx *skt_tls_get_context(const skt_socket *s)
{
    struct tls *t = skt__tls_of(s);

    if (t == NULL)
        return NULL;
    return t->sni_ctx != NULL ? t->sni_ctx : t->ctx;
}
