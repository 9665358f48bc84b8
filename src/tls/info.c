/*
 * info.c - what a TLS connection tells beyond its version and cipher,
 * after Python's SSLSocket: the peer's certificate chain as sent and as
 * verified (get_unverified_chain, get_verified_chain), channel bindings
 * (get_channel_binding: "tls-unique", RFC 5929, and "tls-exporter",
 * RFC 9266), and the ciphers both sides had in common (shared_ciphers).
 */
#include "tls_int.h"

#include <openssl/ssl.h>
#include <string.h>

/* The TLS state of s once its handshake is done; else a failure with the
 * detail, in *rc. */
static struct tls *established(const skt_socket *s, const char *op, int *rc)
{
    struct tls *t = skt__tls_of(s);

    *rc = 0;
    if (t == NULL)
        *rc = skt__fail(-EINVAL, "%s: not a TLS socket", op);
    else if (!SSL_is_init_finished(t->ssl))
        *rc = skt__fail(-ENOTCONN, "%s: the handshake is not done", op);
    return *rc == 0 ? t : NULL;
}

/* ------------------------------------------------------------------------ */
/* Certificate chains                                                       */
/* ------------------------------------------------------------------------ */

int skt_tls_get_verified_chain(const skt_socket *s, skt_tls_cert ***out)
{
    STACK_OF(X509) *chain;
    struct tls *t;
    int rc;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    t = established(s, "tls_get_verified_chain", &rc);
    if (t == NULL)
        return rc;
    chain = SSL_get0_verified_chain(t->ssl);
    if (chain == NULL || SSL_get_verify_result(t->ssl) != X509_V_OK)
        return skt__fail(-ENOENT, "tls_get_verified_chain: the peer's "
                         "certificate was not verified");
    return skt__tls_cert_list(chain, out, "tls_get_verified_chain");
}

int skt_tls_get_unverified_chain(const skt_socket *s, skt_tls_cert ***out)
{
    STACK_OF(X509) *sent, *chain;
    X509 *leaf;
    struct tls *t;
    int rc;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    t = established(s, "tls_get_unverified_chain", &rc);
    if (t == NULL)
        return rc;
    leaf = SSL_get0_peer_certificate(t->ssl);
    sent = SSL_get_peer_cert_chain(t->ssl);
    if (leaf == NULL)
        return skt__fail(-ENOENT, "tls_get_unverified_chain: the peer "
                         "presented no certificate");
    /* A server's view of the chain lacks the client's own certificate. */
    chain = sent != NULL ? sk_X509_dup(sent) : sk_X509_new_null();
    if (chain != NULL && t->ctx->side == SKT_TLS_SERVER &&
        sk_X509_unshift(chain, leaf) <= 0) {
        sk_X509_free(chain);
        chain = NULL;
    }
    if (chain == NULL)
        return skt__fail(-ENOMEM, "tls_get_unverified_chain");
    rc = skt__tls_cert_list(chain, out, "tls_get_unverified_chain");
    sk_X509_free(chain);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Channel bindings                                                         */
/* ------------------------------------------------------------------------ */

/* The first Finished message of the handshake: the client's after a full
 * handshake, the server's after a resumption (RFC 5929, 3.1). */
static size_t tls_unique(struct tls *t, unsigned char *buf, size_t len)
{
    bool client = t->ctx->side == SKT_TLS_CLIENT;
    bool own = SSL_session_reused(t->ssl) ? !client : client;

    return own ? SSL_get_finished(t->ssl, buf, len)
               : SSL_get_peer_finished(t->ssl, buf, len);
}

/* The binding of type into buf; its length, or a failure. */
static int binding(struct tls *t, const char *type, unsigned char *buf,
                   size_t len)
{
    static const char label[] = "EXPORTER-Channel-Binding";
    bool tls13 = SSL_version(t->ssl) >= TLS1_3_VERSION;

    if (strcmp(type, "tls-unique") == 0) {
        if (tls13)
            return skt__fail(-EOPNOTSUPP, "tls_get_channel_binding: "
                             "tls-unique is not defined for TLS 1.3 (RFC "
                             "9266); use tls-exporter");
        return (int)tls_unique(t, buf, len);
    }
    if (strcmp(type, "tls-exporter") != 0)
        return skt__fail(-EINVAL, "tls_get_channel_binding: unknown type "
                         "\"%s\"", type);
    if (!tls13 && SSL_get_extms_support(t->ssl) != 1)
        return skt__fail(-EOPNOTSUPP, "tls_get_channel_binding: "
                         "tls-exporter needs TLS 1.3 or the extended master "
                         "secret (RFC 9266)");
    if (SSL_export_keying_material(t->ssl, buf, 32, label, sizeof label - 1,
                                   NULL, 0, 0) != 1)
        return skt__fail(SKT_ETLS_PROTOCOL, "tls_get_channel_binding: "
                         "exporting keying material");
    return 32;
}

int skt_tls_get_channel_binding(const skt_socket *s, const char *type,
                                void *buf, size_t len)
{
    unsigned char data[EVP_MAX_MD_SIZE + 32];
    struct tls *t;
    int rc;

    SKT__CHECK(buf != NULL, "buf is NULL");
    t = established(s, "tls_get_channel_binding", &rc);
    if (t == NULL)
        return rc;
    rc = binding(t, type != NULL ? type : "tls-unique", data, sizeof data);
    if (rc < 0)
        return rc;
    if ((size_t)rc > len)
        return skt__fail(SKT_ETRUNCATED, "tls_get_channel_binding: %d "
                         "bytes do not fit in %zu", rc, len);
    memcpy(buf, data, (size_t)rc);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Shared ciphers                                                           */
/* ------------------------------------------------------------------------ */

/* Whether the client offered cipher. */
static bool offered(STACK_OF(SSL_CIPHER) *client, const SSL_CIPHER *cipher)
{
    for (int i = 0; i < sk_SSL_CIPHER_num(client); i++)
        if (SSL_CIPHER_get_id(sk_SSL_CIPHER_value(client, i)) ==
            SSL_CIPHER_get_id(cipher))
            return true;
    return false;
}

int skt_tls_shared_ciphers(const skt_socket *s, const char **names,
                           size_t capacity)
{
    STACK_OF(SSL_CIPHER) *ours, *client;
    struct tls *t;
    int rc, count = 0;

    SKT__CHECK(names != NULL || capacity == 0, "names is NULL");
    t = established(s, "tls_shared_ciphers", &rc);
    if (t == NULL)
        return rc;
    if (t->ctx->side != SKT_TLS_SERVER)
        return skt__fail(-EOPNOTSUPP, "tls_shared_ciphers: only a server "
                         "knows what the client offered");
    ours = SSL_get_ciphers(t->ssl);
    client = SSL_get_client_ciphers(t->ssl);
    for (int i = 0; i < sk_SSL_CIPHER_num(ours); i++) {
        const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(ours, i);
        if (!offered(client, cipher))
            continue;
        if ((size_t)count < capacity)
            names[count] = SSL_CIPHER_get_name(cipher);
        count++;
    }
    return count;
}
