/*
 * verify.c - the controls of certificate verification that Python's
 * SSLContext has beyond the verify mode: verify_flags (CRL checking of the
 * leaf or the whole chain, partial chains, strict X.509, ...),
 * hostname_checks_common_name, CA certificates in memory as DER, and what
 * the trust store holds (get_ca_certs, cert_store_stats).
 *
 * CRLs come in through skt_tls_ctx_load_verify_locations: OpenSSL reads
 * the certificates and the CRLs of a PEM file alike, as Python does.
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------ */
/* Verify flags                                                             */
/* ------------------------------------------------------------------------ */

/* skt's flags and OpenSSL's; CRL_CHECK_CHAIN is both of OpenSSL's CRL
 * flags, as Python's VERIFY_CRL_CHECK_CHAIN. */
static const struct {
    unsigned skt;
    unsigned long openssl;
} flag_bits[] = {
    {SKT_TLS_VERIFY_CRL_CHECK_LEAF, X509_V_FLAG_CRL_CHECK},
    {SKT_TLS_VERIFY_CRL_CHECK_CHAIN,
     X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL},
    {SKT_TLS_VERIFY_X509_STRICT, X509_V_FLAG_X509_STRICT},
    {SKT_TLS_VERIFY_ALLOW_PROXY_CERTS, X509_V_FLAG_ALLOW_PROXY_CERTS},
    {SKT_TLS_VERIFY_X509_TRUSTED_FIRST, X509_V_FLAG_TRUSTED_FIRST},
    {SKT_TLS_VERIFY_X509_PARTIAL_CHAIN, X509_V_FLAG_PARTIAL_CHAIN},
};

#define FLAG_COUNT (sizeof flag_bits / sizeof *flag_bits)

int skt_tls_ctx_set_verify_flags(skt_tls_ctx *ctx, unsigned flags)
{
    X509_VERIFY_PARAM *param;
    unsigned long set = 0, all = 0;
    unsigned known = 0;

    SKT__CHECK(ctx != NULL, "context is NULL");
    for (size_t i = 0; i < FLAG_COUNT; i++) {
        known |= flag_bits[i].skt;
        all |= flag_bits[i].openssl;
        if (flags & flag_bits[i].skt)
            set |= flag_bits[i].openssl;
    }
    if (flags & ~known)
        return skt__fail(-EINVAL, "tls_ctx_set_verify_flags: unknown flag "
                         "bits %#x", flags & ~known);
    param = SSL_CTX_get0_param(ctx->ssl_ctx);
    X509_VERIFY_PARAM_clear_flags(param, all & ~set);
    X509_VERIFY_PARAM_set_flags(param, set);
    return 0;
}

unsigned skt_tls_ctx_get_verify_flags(const skt_tls_ctx *ctx)
{
    unsigned long openssl;
    unsigned flags = 0;

    if (ctx == NULL)
        return 0;
    openssl = X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(ctx->ssl_ctx));
    for (size_t i = 0; i < FLAG_COUNT; i++)
        if ((openssl & flag_bits[i].openssl) == flag_bits[i].openssl)
            flags |= flag_bits[i].skt;
    /* The chain's check includes the leaf's bit; it reads as one flag. */
    if (flags & SKT_TLS_VERIFY_CRL_CHECK_CHAIN)
        flags &= ~SKT_TLS_VERIFY_CRL_CHECK_LEAF;
    return flags;
}

/* ------------------------------------------------------------------------ */
/* Host names                                                               */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_set_hostname_checks_common_name(skt_tls_ctx *ctx,
                                                bool check)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    ctx->never_check_subject = !check;
    return 0;
}

bool skt_tls_ctx_get_hostname_checks_common_name(const skt_tls_ctx *ctx)
{
    return ctx != NULL && !ctx->never_check_subject;
}

unsigned skt__tls_host_flags(const skt_tls_ctx *ctx)
{
    unsigned flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

    if (ctx->never_check_subject)
        flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
    return flags;
}

/* ------------------------------------------------------------------------ */
/* DER in memory                                                            */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_load_verify_der(skt_tls_ctx *ctx, const void *der,
                                size_t len)
{
    X509_STORE *store;
    const unsigned char *next = der, *end;
    int count = 0;

    SKT__CHECK(ctx != NULL && der != NULL, "NULL argument");
    SKT__CHECK(len > 0 && len <= LONG_MAX, "len is 0 or too large");
    store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
    end = next + len;
    ERR_clear_error();
    /* Python's cadata as bytes: DER certificates one after another. */
    while (next < end) {
        const unsigned char *start = next;
        X509 *cert = d2i_X509(NULL, &next, end - next);
        int ok = cert != NULL && X509_STORE_add_cert(store, cert) == 1;
        X509_free(cert);
        if (!ok)
            return skt__tls_config_fail("load_verify_der: certificate %d "
                                        "(at byte %td)", count + 1,
                                        start - (const unsigned char *)der);
        count++;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The trust store                                                          */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_cert_store_stats(const skt_tls_ctx *ctx,
                                 skt_tls_store_stats *out)
{
    X509_STORE *store;
    STACK_OF(X509_OBJECT) *objects;

    SKT__CHECK(ctx != NULL && out != NULL, "NULL argument");
    *out = (skt_tls_store_stats){0};
    store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
    X509_STORE_lock(store);
    objects = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objects); i++) {
        X509_OBJECT *o = sk_X509_OBJECT_value(objects, i);
        if (X509_OBJECT_get_type(o) == X509_LU_X509) {
            out->x509++;
            if (X509_check_ca(X509_OBJECT_get0_X509(o)))
                out->x509_ca++;
        } else if (X509_OBJECT_get_type(o) == X509_LU_CRL) {
            out->crl++;
        }
    }
    X509_STORE_unlock(store);
    return 0;
}

/* The CA certificates of the store, referenced, in a new stack; NULL on no
 * memory. Taken under the store's lock, converted outside it. */
static STACK_OF(X509) *store_cas(X509_STORE *store)
{
    STACK_OF(X509) *cas = sk_X509_new_null();
    STACK_OF(X509_OBJECT) *objects;
    bool ok = cas != NULL;

    X509_STORE_lock(store);
    objects = X509_STORE_get0_objects(store);
    for (int i = 0; ok && i < sk_X509_OBJECT_num(objects); i++) {
        X509 *cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
        if (cert == NULL || !X509_check_ca(cert))
            continue;
        ok = sk_X509_push(cas, cert) > 0 && X509_up_ref(cert) == 1;
    }
    X509_STORE_unlock(store);
    if (!ok) {
        sk_X509_pop_free(cas, X509_free);
        return NULL;
    }
    return cas;
}

int skt_tls_ctx_get_ca_certs(const skt_tls_ctx *ctx, skt_tls_cert ***out)
{
    STACK_OF(X509) *cas;
    int rc;

    SKT__CHECK(ctx != NULL && out != NULL, "NULL argument");
    *out = NULL;
    cas = store_cas(SSL_CTX_get_cert_store(ctx->ssl_ctx));
    if (cas == NULL) {
        ERR_clear_error();
        return skt__fail(-ENOMEM, "tls_ctx_get_ca_certs");
    }
    rc = skt__tls_cert_list(cas, out, "tls_ctx_get_ca_certs");
    sk_X509_pop_free(cas, X509_free);
    return rc;
}
