/*
 * context.c - TLS contexts (skt_tls_ctx), after Python's ssl.SSLContext:
 * creation with secure defaults, the reference count that wrapped sockets
 * share, trust (CA file, directory, memory, the system store), the
 * certificate chain and its key, ciphers, ALPN, protocol versions,
 * verification modes and hostname checking.
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */
/* ------------------------------------------------------------------------ */

void skt__tls_ctx_ref(skt_tls_ctx *ctx)
{
    __atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
}

void skt__tls_ctx_unref(skt_tls_ctx *ctx)
{
    if (ctx == NULL || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL))
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    skt__tls_keylog_free(ctx->keylog);
    free(ctx->alpn);
    free(ctx);
}

void skt__tls_apply_verify_mode(skt_tls_ctx *ctx)
{
    int flags = SSL_VERIFY_NONE;

    if (ctx->verify_mode != SKT_TLS_CERT_NONE)
        flags = SSL_VERIFY_PEER;
    if (ctx->verify_mode == SKT_TLS_CERT_REQUIRED &&
        ctx->side == SKT_TLS_SERVER)
        flags |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    /* A server with post-handshake authentication asks for the client's
     * certificate later, when told to, rather than in the handshake. */
    if (ctx->post_handshake_auth && ctx->side == SKT_TLS_SERVER &&
        flags != SSL_VERIFY_NONE)
        flags |= SSL_VERIFY_POST_HANDSHAKE;
    SSL_CTX_set_verify(ctx->ssl_ctx, flags, skt__tls_note_verify);
}

/*
 * The server's ALPN choice: its own preference first, as Python does, and
 * no protocol at all (rather than a failed handshake) without overlap.
 */
static int select_alpn(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
    skt_tls_ctx *ctx = arg;
    unsigned char *chosen;

    (void)ssl;
    if (ctx->alpn == NULL ||
        SSL_select_next_proto(&chosen, outlen, ctx->alpn,
                              (unsigned)ctx->alpn_len, in,
                              inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

/* The secure defaults that skt_tls_ctx_new promises; a client loads the
 * system trust store unless system_store is false. */
static int apply_defaults(skt_tls_ctx *ctx, bool system_store)
{
    SSL_CTX *c = ctx->ssl_ctx;

    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    /* OpenSSL 3 always tries trusted certificates first; the flag says
     * so to a reader of verify_flags, as in Python. */
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(c),
                                X509_V_FLAG_TRUSTED_FIRST);
    /* A peer that closes without close_notify ends the stream like a
     * plain EOF, as Python's default (suppress_ragged_eofs) has it. */
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Partial writes let a send report exactly the records that went out,
     * which sendall's progress count needs; a moving buffer lets a retry
     * after a wait pass the same bytes from another address. */
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_AUTO_RETRY);
    if (ctx->side == SKT_TLS_SERVER) {
        SSL_CTX_set_alpn_select_cb(c, select_alpn, ctx);
        ctx->verify_mode = SKT_TLS_CERT_NONE;
    } else {
        ctx->verify_mode = SKT_TLS_CERT_REQUIRED;
        ctx->check_hostname = true;
        if (system_store && SSL_CTX_set_default_verify_paths(c) != 1)
            return skt__tls_config_fail("tls_ctx_new: loading the system "
                                        "trust store");
    }
    skt__tls_apply_verify_mode(ctx);
    return skt__tls_session_defaults(ctx);
}

static int new_context(skt_tls_ctx **out, int side, bool system_store)
{
    skt_tls_ctx *ctx;
    int rc;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    SKT__CHECK(side == SKT_TLS_CLIENT || side == SKT_TLS_SERVER,
               "side is neither SKT_TLS_CLIENT nor SKT_TLS_SERVER");
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return skt__fail(-ENOMEM, "tls_ctx_new");
    ctx->side = side;
    ctx->refs = 1;
    ERR_clear_error();
    ctx->ssl_ctx = SSL_CTX_new(side == SKT_TLS_CLIENT ? TLS_client_method()
                                                      : TLS_server_method());
    if (ctx->ssl_ctx == NULL) {
        free(ctx);
        return skt__tls_config_fail("tls_ctx_new: SSL_CTX_new");
    }
    /* OpenSSL's callbacks that get only the SSL find the context here. */
    SSL_CTX_set_app_data(ctx->ssl_ctx, ctx);
    rc = apply_defaults(ctx, system_store);
    if (rc < 0) {
        skt__tls_ctx_unref(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

int skt_tls_ctx_new(skt_tls_ctx **out, int side)
{
    return new_context(out, side, true);
}

int skt_tls_create_default_context(skt_tls_ctx **out, int side,
                                   const char *cafile, const char *capath,
                                   const char *cadata)
{
    bool given = cafile != NULL || capath != NULL || cadata != NULL;
    int rc = new_context(out, side, !given);

    if (rc == 0 && given) {
        rc = skt_tls_ctx_load_verify_locations(*out, cafile, capath, cadata);
        if (rc < 0) {
            skt_tls_ctx_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

void skt_tls_ctx_free(skt_tls_ctx *ctx)
{
    skt__tls_ctx_unref(ctx);
}

/* ------------------------------------------------------------------------ */
/* Trust                                                                    */
/* ------------------------------------------------------------------------ */

static int load_ca_dir(skt_tls_ctx *ctx, const char *capath)
{
    struct stat st;

    /* OpenSSL only notes a directory and reads it at verification time,
     * so a wrong path is caught here, where it can still be reported. */
    if (stat(capath, &st) != 0)
        return skt__fail(-errno, "load_verify_locations: CA directory %s",
                         capath);
    if (!S_ISDIR(st.st_mode))
        return skt__fail(-ENOTDIR, "load_verify_locations: CA directory "
                         "%s", capath);
    if (SSL_CTX_load_verify_dir(ctx->ssl_ctx, capath) != 1)
        return skt__tls_config_fail("load_verify_locations: CA directory "
                                    "%s", capath);
    return 0;
}

/* Adds every PEM certificate of cadata to the trust store. */
static int load_ca_data(skt_tls_ctx *ctx, const char *cadata)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
    BIO *bio = BIO_new_mem_buf(cadata, -1);
    X509 *cert;
    int count = 0, ok = 1;
    unsigned long last;

    if (bio == NULL)
        return skt__tls_config_fail("load_verify_locations: cadata");
    while (ok && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        ok = X509_STORE_add_cert(store, cert);
        X509_free(cert);
        count++;
    }
    BIO_free(bio);
    /* The loop ends on "no start line" after the last certificate; any
     * other reason means malformed PEM. */
    last = ERR_peek_last_error();
    if (ok && count > 0 && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        return 0;
    }
    return skt__tls_config_fail("load_verify_locations: cadata (%d "
                                "certificate%s read)", count,
                                count == 1 ? "" : "s");
}

int skt_tls_ctx_load_verify_locations(skt_tls_ctx *ctx, const char *cafile,
                                      const char *capath, const char *cadata)
{
    int rc = 0;

    SKT__CHECK(ctx != NULL, "context is NULL");
    SKT__CHECK(cafile != NULL || capath != NULL || cadata != NULL,
               "cafile, capath and cadata are all NULL");
    ERR_clear_error();
    if (cafile != NULL && SSL_CTX_load_verify_file(ctx->ssl_ctx, cafile) != 1)
        rc = skt__tls_config_fail("load_verify_locations: CA file %s", cafile);
    if (rc == 0 && capath != NULL)
        rc = load_ca_dir(ctx, capath);
    if (rc == 0 && cadata != NULL)
        rc = load_ca_data(ctx, cadata);
    return rc;
}

int skt_tls_ctx_load_default_certs(skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    ERR_clear_error();
    if (SSL_CTX_set_default_verify_paths(ctx->ssl_ctx) != 1)
        return skt__tls_config_fail("load_default_certs");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The certificate chain and its key                                        */
/* ------------------------------------------------------------------------ */

/*
 * Hands OpenSSL the key's password. Without one, OpenSSL's own callback
 * would prompt on the terminal, which a library must never do, so an
 * encrypted key without a password simply fails to load.
 */
static int give_password(char *buf, int size, int rwflag, void *userdata)
{
    const char *password = userdata;
    size_t len;

    (void)rwflag;
    if (password == NULL)
        return -1;
    len = strlen(password);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, password, len);
    return (int)len;
}

/* Fails a key that did not load, saying whether it is the wrong key or
 * one that could not be read (often for want of its password). */
static int key_fail(const char *certfile, const char *keyfile,
                    bool had_password)
{
    unsigned long e = ERR_peek_error();

    if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
        ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
        return skt__tls_config_fail("load_cert_chain: the key in %s does "
                                    "not match the certificate in %s",
                                    keyfile, certfile);
    return skt__tls_config_fail("load_cert_chain: key file %s%s", keyfile,
                                had_password ? "" : " (no password given)");
}

int skt_tls_ctx_load_cert_chain(skt_tls_ctx *ctx, const char *certfile,
                                const char *keyfile, const char *password)
{
    SSL_CTX *c;
    int ok;

    SKT__CHECK(ctx != NULL && certfile != NULL, "NULL argument");
    c = ctx->ssl_ctx;
    keyfile = keyfile != NULL ? keyfile : certfile;
    ERR_clear_error();
    SSL_CTX_set_default_passwd_cb(c, give_password);
    if (SSL_CTX_use_certificate_chain_file(c, certfile) != 1)
        return skt__tls_config_fail("load_cert_chain: certificate file %s",
                                    certfile);
    /* The password is lent for this call only, never kept. */
    SSL_CTX_set_default_passwd_cb_userdata(c, (void *)password);
    ok = SSL_CTX_use_PrivateKey_file(c, keyfile, SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(c, NULL);
    if (ok == 1)
        ok = SSL_CTX_check_private_key(c);
    if (ok != 1)
        return key_fail(certfile, keyfile, password != NULL);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Ciphers, ALPN, versions                                                  */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_set_ciphers(skt_tls_ctx *ctx, const char *ciphers)
{
    SKT__CHECK(ctx != NULL && ciphers != NULL, "NULL argument");
    ERR_clear_error();
    if (SSL_CTX_set_cipher_list(ctx->ssl_ctx, ciphers) != 1)
        return skt__tls_config_fail("set_ciphers(\"%s\")", ciphers);
    return 0;
}

/* Builds the ALPN wire format: each name preceded by its length. */
static int alpn_wire(const char *const *protocols, unsigned char **out,
                     size_t *len)
{
    size_t total = 0, used = 0;
    unsigned char *wire;

    for (size_t i = 0; protocols[i] != NULL; i++) {
        size_t n = strlen(protocols[i]);
        if (n == 0 || n > 255)
            return skt__fail(-EINVAL, "set_alpn_protocols: protocol %zu "
                             "is %zu bytes long (1..255 allowed)", i, n);
        total += 1 + n;
    }
    wire = malloc(total > 0 ? total : 1);
    if (wire == NULL)
        return skt__fail(-ENOMEM, "set_alpn_protocols");
    for (size_t i = 0; protocols[i] != NULL; i++) {
        size_t n = strlen(protocols[i]);
        wire[used++] = (unsigned char)n;
        memcpy(wire + used, protocols[i], n);
        used += n;
    }
    *out = wire;
    *len = total;
    return 0;
}

int skt_tls_ctx_set_alpn_protocols(skt_tls_ctx *ctx,
                                   const char *const *protocols)
{
    static const char *const none[] = {NULL};
    unsigned char *wire = NULL;
    size_t len = 0;
    int rc;

    SKT__CHECK(ctx != NULL, "context is NULL");
    rc = alpn_wire(protocols != NULL ? protocols : none, &wire, &len);
    if (rc < 0)
        return rc;
    free(ctx->alpn);
    ctx->alpn = len > 0 ? wire : NULL;
    ctx->alpn_len = len;
    if (len == 0)
        free(wire);
    /* A client offers the list in its hello; OpenSSL returns 0 here on
     * success. An empty list turns the offer off. */
    if (ctx->side == SKT_TLS_CLIENT &&
        SSL_CTX_set_alpn_protos(ctx->ssl_ctx, ctx->alpn,
                                (unsigned)ctx->alpn_len) != 0)
        return skt__fail(-ENOMEM, "set_alpn_protocols");
    return 0;
}

static bool valid_version(int version)
{
    return version == SKT_TLS_VERSION_ANY ||
           (version >= SKT_TLS_VERSION_1_0 && version <= SKT_TLS_VERSION_1_3);
}

int skt_tls_ctx_set_minimum_version(skt_tls_ctx *ctx, int version)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    SKT__CHECK(valid_version(version), "not an SKT_TLS_VERSION_* value");
    SSL_CTX_set_min_proto_version(ctx->ssl_ctx, version);
    return 0;
}

int skt_tls_ctx_set_maximum_version(skt_tls_ctx *ctx, int version)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    SKT__CHECK(valid_version(version), "not an SKT_TLS_VERSION_* value");
    SSL_CTX_set_max_proto_version(ctx->ssl_ctx, version);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

int skt_tls_ctx_set_verify_mode(skt_tls_ctx *ctx, int mode)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    SKT__CHECK(mode == SKT_TLS_CERT_NONE || mode == SKT_TLS_CERT_OPTIONAL ||
                   mode == SKT_TLS_CERT_REQUIRED,
               "not an SKT_TLS_CERT_* value");
    /* Python's rule: a name cannot be trusted from a certificate that
     * nobody verified, so the check must go first. */
    if (mode == SKT_TLS_CERT_NONE && ctx->check_hostname)
        return skt__fail(-EINVAL, "set_verify_mode: SKT_TLS_CERT_NONE while "
                         "hostname checking is on; turn it off first");
    ctx->verify_mode = mode;
    skt__tls_apply_verify_mode(ctx);
    return 0;
}

int skt_tls_ctx_get_verify_mode(const skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    return ctx->verify_mode;
}

int skt_tls_ctx_set_check_hostname(skt_tls_ctx *ctx, bool check)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    if (check && ctx->verify_mode == SKT_TLS_CERT_NONE) {
        ctx->verify_mode = SKT_TLS_CERT_REQUIRED;
        skt__tls_apply_verify_mode(ctx);
    }
    ctx->check_hostname = check;
    return 0;
}

bool skt_tls_ctx_get_check_hostname(const skt_tls_ctx *ctx)
{
    return ctx != NULL && ctx->check_hostname;
}
