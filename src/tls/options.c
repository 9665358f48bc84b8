/*
 * options.c - the settings of a context that Python's SSLContext shows
 * as attributes: the options (OP_*), the version bounds read back, the
 * security level, and a server's key exchange groups (the ECDH curve) and
 * DH parameters.
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/* skt's option bits and OpenSSL's, which the header does not show. */
static const struct {
    uint64_t skt;
    uint64_t openssl;
} option_bits[] = {
    {SKT_TLS_OP_NO_COMPRESSION, SSL_OP_NO_COMPRESSION},
    {SKT_TLS_OP_NO_TICKET, SSL_OP_NO_TICKET},
    {SKT_TLS_OP_NO_RENEGOTIATION, SSL_OP_NO_RENEGOTIATION},
    {SKT_TLS_OP_CIPHER_SERVER_PREFERENCE, SSL_OP_CIPHER_SERVER_PREFERENCE},
    {SKT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT, SSL_OP_ENABLE_MIDDLEBOX_COMPAT},
    {SKT_TLS_OP_IGNORE_UNEXPECTED_EOF, SSL_OP_IGNORE_UNEXPECTED_EOF},
    {SKT_TLS_OP_PRIORITIZE_CHACHA, SSL_OP_PRIORITIZE_CHACHA},
};

#define OPTION_COUNT (sizeof option_bits / sizeof *option_bits)

int skt_tls_ctx_set_options(skt_tls_ctx *ctx, uint64_t options)
{
    uint64_t known = 0;

    SKT__CHECK(ctx != NULL, "context is NULL");
    for (size_t i = 0; i < OPTION_COUNT; i++)
        known |= option_bits[i].skt;
    if (options & ~known)
        return skt__fail(-EINVAL, "tls_ctx_set_options: unknown option "
                         "bits %#llx", (unsigned long long)(options & ~known));
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (options & option_bits[i].skt)
            SSL_CTX_set_options(ctx->ssl_ctx, option_bits[i].openssl);
        else
            SSL_CTX_clear_options(ctx->ssl_ctx, option_bits[i].openssl);
    }
    return 0;
}

uint64_t skt_tls_ctx_get_options(const skt_tls_ctx *ctx)
{
    uint64_t openssl, options = 0;

    if (ctx == NULL)
        return 0;
    openssl = SSL_CTX_get_options(ctx->ssl_ctx);
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (openssl & option_bits[i].openssl)
            options |= option_bits[i].skt;
    return options;
}

/* ------------------------------------------------------------------------ */
/* Versions and the security level                                          */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_get_minimum_version(const skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    /* OpenSSL's numbers are the wire's, as SKT_TLS_VERSION_*; 0 is ANY. */
    return (int)SSL_CTX_get_min_proto_version(ctx->ssl_ctx);
}

int skt_tls_ctx_get_maximum_version(const skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    return (int)SSL_CTX_get_max_proto_version(ctx->ssl_ctx);
}

int skt_tls_ctx_set_security_level(skt_tls_ctx *ctx, int level)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    SKT__CHECK(level >= 0 && level <= 5, "the level is not 0..5");
    SSL_CTX_set_security_level(ctx->ssl_ctx, level);
    return 0;
}

int skt_tls_ctx_get_security_level(const skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    return SSL_CTX_get_security_level(ctx->ssl_ctx);
}

/* ------------------------------------------------------------------------ */
/* Key exchange                                                             */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_set_ecdh_curve(skt_tls_ctx *ctx, const char *curves)
{
    SKT__CHECK(ctx != NULL && curves != NULL, "NULL argument");
    ERR_clear_error();
    if (SSL_CTX_set1_groups_list(ctx->ssl_ctx, curves) != 1)
        return skt__tls_config_fail("set_ecdh_curve(\"%s\"): unknown "
                                    "curve or group", curves);
    return 0;
}

int skt_tls_ctx_load_dh_params(skt_tls_ctx *ctx, const char *path)
{
    EVP_PKEY *params;
    BIO *bio;

    SKT__CHECK(ctx != NULL && path != NULL, "NULL argument");
    ERR_clear_error();
    bio = BIO_new_file(path, "r");
    if (bio == NULL)
        return skt__tls_config_fail("load_dh_params: %s", path);
    params = PEM_read_bio_Parameters(bio, NULL);
    BIO_free(bio);
    if (params == NULL || EVP_PKEY_get_base_id(params) != EVP_PKEY_DH) {
        EVP_PKEY_free(params);
        return skt__tls_config_fail("load_dh_params: %s holds no DH "
                                    "parameters", path);
    }
    /* The context owns params once it takes them. */
    if (SSL_CTX_set0_tmp_dh_pkey(ctx->ssl_ctx, params) != 1) {
        EVP_PKEY_free(params);
        return skt__tls_config_fail("load_dh_params: %s", path);
    }
    return 0;
}
