/*
 * tls_openssl.c - TLS on OpenSSL 3, after Python's ssl module: contexts
 * (skt_tls_ctx), the TLS transport that skt_tls_wrap installs on a socket,
 * handshakes under one deadline, unwrap, connection information, and the
 * translation of OpenSSL's failures into skt codes with a detail sentence.
 *
 * All of the library's OpenSSL code lives in this file. Bytes go through a
 * BIO of our own that calls sys.c, so that every send has MSG_NOSIGNAL (the
 * socket BIO of OpenSSL uses write(), which raises SIGPIPE), EINTR is
 * retried, and the fault injector reaches TLS traffic too.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct skt_tls_ctx {
    SSL_CTX *ssl_ctx;
    int side;            /* SKT_TLS_CLIENT or SKT_TLS_SERVER */
    int verify_mode;     /* SKT_TLS_CERT_* */
    bool check_hostname;
    unsigned char *alpn; /* ALPN wire format: length-prefixed names */
    size_t alpn_len;
    int refs;            /* the caller's, plus one per wrapped socket */
};

/* The transport state of a TLS socket. */
struct tls {
    SSL *ssl;
    skt_tls_ctx *ctx;
    int fd;
    int sys_error;     /* errno of the BIO's last failed call, else 0 */
    bool eof;          /* the BIO has read an end of file */
    bool nowait;       /* sends must not block (close_notify at close) */
    bool close_sent;   /* unwrap has sent close_notify */
    bool handshaken;   /* the handshake has completed once */
    int failed;        /* the code of a fatal failure; no more traffic */
    char *hostname;    /* the client's server_hostname, for details */
    char alpn[256];    /* the selected ALPN protocol, NUL-terminated */
    char rejected[300]; /* the first certificate that failed to verify */
};

static const struct skt__transport tls_transport;
static char *name_text(const X509_NAME *name);

static struct tls *tls_of(const skt_socket *s)
{
    return s != NULL && s->transport == &tls_transport ? s->transport_state
                                                       : NULL;
}

/* ------------------------------------------------------------------------ */
/* OpenSSL's error queue into a detail sentence                             */
/* ------------------------------------------------------------------------ */

/* Appends formatted text to buf (size len), keeping it NUL-terminated and
 * silently dropping what does not fit: details are bounded anyway. */
static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 1 >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/*
 * Empties the thread's OpenSSL error queue into buf as "reason; reason"
 * and returns the errno of a system error found there, or 0. OpenSSL
 * never prints by itself; this is where its reasons go instead.
 */
static int drain_errors(char *buf, size_t len)
{
    const char *data;
    unsigned long e;
    int flags, sys_errno = 0;

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        const char *reason = ERR_reason_error_string(e);
        if (ERR_SYSTEM_ERROR(e) && sys_errno == 0)
            sys_errno = ERR_GET_REASON(e);
        append(buf, len, "%s", buf[0] != '\0' ? "; " : "");
        if (reason != NULL)
            append(buf, len, "%s", reason);
        else
            append(buf, len, "OpenSSL error %#lx", e);
        if ((flags & ERR_TXT_STRING) && data != NULL && data[0] != '\0')
            append(buf, len, " (%s)", data);
    }
    return sys_errno;
}

/*
 * Fails a context setting: -errno when OpenSSL met a system error (a
 * missing file is -ENOENT, as Python's FileNotFoundError), else
 * SKT_ETLS_CONFIG; the detail holds the text given and OpenSSL's reasons.
 */
static int config_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int config_fail(const char *fmt, ...)
{
    char what[512], reasons[512] = "";
    va_list ap;
    int sys_errno;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    sys_errno = drain_errors(reasons, sizeof reasons);
    if (reasons[0] == '\0')
        return skt__fail(SKT_ETLS_CONFIG, "%s", what);
    return skt__fail(sys_errno != 0 ? -sys_errno : SKT_ETLS_CONFIG, "%s: %s",
                     what, reasons);
}

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */
/* ------------------------------------------------------------------------ */

static void ctx_ref(skt_tls_ctx *ctx)
{
    __atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
}

static void ctx_unref(skt_tls_ctx *ctx)
{
    if (ctx == NULL || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL))
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx->alpn);
    free(ctx);
}

/*
 * Notes which certificate of the chain failed first, for the detail
 * sentence: after a failure OpenSSL keeps no peer certificate to ask.
 * The verdict itself stays OpenSSL's.
 */
static int note_verify(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(
        store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    X509 *cert = X509_STORE_CTX_get_current_cert(store);
    char *name;

    if (ok || t == NULL || cert == NULL || t->rejected[0] != '\0')
        return ok;
    name = name_text(X509_get_subject_name(cert));
    snprintf(t->rejected, sizeof t->rejected, "depth %d, subject %s",
             X509_STORE_CTX_get_error_depth(store),
             name != NULL ? name : "?");
    free(name);
    return ok;
}

/* Gives OpenSSL the verify flags that the mode and the side call for. */
static void apply_verify_mode(skt_tls_ctx *ctx)
{
    int flags = SSL_VERIFY_NONE;

    if (ctx->verify_mode != SKT_TLS_CERT_NONE)
        flags = SSL_VERIFY_PEER;
    if (ctx->verify_mode == SKT_TLS_CERT_REQUIRED &&
        ctx->side == SKT_TLS_SERVER)
        flags |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx->ssl_ctx, flags, note_verify);
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

/* The secure defaults that skt_tls_ctx_new promises. */
static int apply_defaults(skt_tls_ctx *ctx)
{
    SSL_CTX *c = ctx->ssl_ctx;

    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
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
        if (SSL_CTX_set_default_verify_paths(c) != 1)
            return config_fail("tls_ctx_new: loading the system trust "
                               "store");
    }
    apply_verify_mode(ctx);
    return 0;
}

int skt_tls_ctx_new(skt_tls_ctx **out, int side)
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
        return config_fail("tls_ctx_new: SSL_CTX_new");
    }
    rc = apply_defaults(ctx);
    if (rc < 0) {
        ctx_unref(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

void skt_tls_ctx_free(skt_tls_ctx *ctx)
{
    ctx_unref(ctx);
}

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
        return config_fail("load_verify_locations: CA directory %s", capath);
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
        return config_fail("load_verify_locations: cadata");
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
    return config_fail("load_verify_locations: cadata (%d certificate%s "
                       "read)", count, count == 1 ? "" : "s");
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
        rc = config_fail("load_verify_locations: CA file %s", cafile);
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
        return config_fail("load_default_certs");
    return 0;
}

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
        return config_fail("load_cert_chain: the key in %s does not match "
                           "the certificate in %s", keyfile, certfile);
    return config_fail("load_cert_chain: key file %s%s", keyfile,
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
        return config_fail("load_cert_chain: certificate file %s",
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

int skt_tls_ctx_set_ciphers(skt_tls_ctx *ctx, const char *ciphers)
{
    SKT__CHECK(ctx != NULL && ciphers != NULL, "NULL argument");
    ERR_clear_error();
    if (SSL_CTX_set_cipher_list(ctx->ssl_ctx, ciphers) != 1)
        return config_fail("set_ciphers(\"%s\")", ciphers);
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
    apply_verify_mode(ctx);
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
        apply_verify_mode(ctx);
    }
    ctx->check_hostname = check;
    return 0;
}

bool skt_tls_ctx_get_check_hostname(const skt_tls_ctx *ctx)
{
    return ctx != NULL && ctx->check_hostname;
}

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

static int bio_read(BIO *bio, char *data, size_t len, size_t *got)
{
    struct tls *t = BIO_get_data(bio);
    ssize_t n;

    BIO_clear_retry_flags(bio);
    do
        n = skt__sys_recv(t->fd, data, len, 0);
    while (n == -EINTR);
    if (n > 0) {
        *got = (size_t)n;
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
/* Classifying failures                                                     */
/* ------------------------------------------------------------------------ */

/* The code for an X509_V_* verification result; 0 for X509_V_OK. */
static int verify_code(long result)
{
    switch (result) {
    case X509_V_OK:
        return 0;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return SKT_ETLS_CERT_EXPIRED;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return SKT_ETLS_HOSTNAME;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return SKT_ETLS_SELF_SIGNED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return SKT_ETLS_UNKNOWN_CA;
    default:
        return SKT_ETLS_CERT_VERIFY;
    }
}

/* OpenSSL reasons that have a code of their own, mostly alerts from the
 * peer about our certificate or our versions. */
static const struct {
    int reason;
    int code;
} reason_codes[] = {
    {SSL_R_UNSUPPORTED_PROTOCOL, SKT_ETLS_VERSION},
    {SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, SKT_ETLS_VERSION},
    {SSL_R_NO_PROTOCOLS_AVAILABLE, SKT_ETLS_VERSION},
    {SSL_R_UNSUPPORTED_SSL_VERSION, SKT_ETLS_VERSION},
    {SSL_R_WRONG_SSL_VERSION, SKT_ETLS_VERSION},
    {SSL_R_VERSION_TOO_LOW, SKT_ETLS_VERSION},
    {SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, SKT_ETLS_NO_CLIENT_CERT},
    {SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, SKT_ETLS_NO_CLIENT_CERT},
    {SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, SKT_ETLS_CERT_EXPIRED},
    {SSL_R_TLSV1_ALERT_UNKNOWN_CA, SKT_ETLS_UNKNOWN_CA},
    {SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, SKT_ETLS_CERT_VERIFY},
    {SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, SKT_ETLS_CERT_VERIFY},
};

/* The code for the first error queued by OpenSSL (left in the queue). */
static int queued_code(struct tls *t)
{
    unsigned long e = ERR_peek_error();
    int reason = ERR_GET_REASON(e);

    if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
        if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED)
            return verify_code(SSL_get_verify_result(t->ssl));
        for (size_t i = 0; i < sizeof reason_codes / sizeof *reason_codes;
             i++)
            if (reason_codes[i].reason == reason)
                return reason_codes[i].code;
    }
    /* After a fatal error OpenSSL no longer says the handshake finished,
     * so our own note decides. */
    return t->handshaken ? SKT_ETLS_PROTOCOL : SKT_ETLS_HANDSHAKE;
}

/*
 * Starts an OpenSSL call afresh: no stale reasons (SSL_get_error misreads
 * a would-block as fatal when the queue holds errors from elsewhere), no
 * stale errno. Clearing walks and frees every slot of the queue, which
 * was most of skt's cost per record, so it is done only when needed.
 */
static void begin_call(struct tls *t)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
    t->sys_error = 0;
}

/*
 * What a failed OpenSSL call means: -EAGAIN with *wait set when it would
 * block, 0 for the end of the stream (close_notify, or an EOF), or a
 * fatal code, with OpenSSL's reasons still queued.
 */
static int classify(struct tls *t, int r, short *wait)
{
    int error = SSL_get_error(t->ssl, r);

    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        *wait = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return -EAGAIN;
    }
    /* A system error in the BIO is the cause, whatever OpenSSL makes of
     * it: after the peer's close_notify, a send that fails with EPIPE
     * would otherwise read as a clean end of the stream. */
    if (t->sys_error != 0)
        return -t->sys_error;
    if (error == SSL_ERROR_ZERO_RETURN ||
        (error == SSL_ERROR_SYSCALL && t->eof))
        return 0;
    if (error == SSL_ERROR_SSL)
        return queued_code(t);
    return error == SSL_ERROR_SYSCALL ? -EIO : SKT_ETLS_PROTOCOL;
}

/* "127.0.0.1:4433 (server name localhost)", for a detail sentence. */
static const char *peer_text(const skt_socket *s, const struct tls *t,
                             char *buf, size_t len)
{
    char addr[SKT_ADDRSTRLEN];
    skt_addr peer = {0};

    skt_getpeername(s, &peer);
    snprintf(buf, len, "%s", skt__addr_text(&peer, addr, sizeof addr));
    if (t->hostname != NULL)
        append(buf, len, " (server name %s)", t->hostname);
    return buf;
}

/* Adds the verification failure, in words, to the reasons. */
static void describe_verify(const struct tls *t, char *buf, size_t len)
{
    long result = SSL_get_verify_result(t->ssl);

    if (result == X509_V_OK)
        return;
    append(buf, len, ": %s", X509_verify_cert_error_string(result));
    if (verify_code(result) == SKT_ETLS_HOSTNAME && t->hostname != NULL)
        append(buf, len, ", the certificate is not valid for '%s'",
               t->hostname);
    if (t->rejected[0] != '\0')
        append(buf, len, " (%s)", t->rejected);
}

/*
 * Marks the connection failed with code, so that no plaintext can follow
 * by mistake, and writes the detail: the operation, the peer, OpenSSL's
 * reasons and the verification failure when there was one.
 */
static int connection_fail(skt_socket *s, struct tls *t, int code,
                           const char *op)
{
    char peer[SKT_ADDRSTRLEN + 300], reasons[700] = "";

    t->failed = code;
    drain_errors(reasons, sizeof reasons);
    if (verify_code(SSL_get_verify_result(t->ssl)) == code)
        describe_verify(t, reasons, sizeof reasons);
    if (code == SKT_ETLS_HANDSHAKE && reasons[0] == '\0')
        append(reasons, sizeof reasons, "the peer closed the connection");
    peer_text(s, t, peer, sizeof peer);
    if (reasons[0] == '\0')
        return skt__fail(code, "%s with %s", op, peer);
    return skt__fail(code, "%s with %s: %s", op, peer, reasons);
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

/* Settles a failed I/O call: 0 to try again, else what to return. */
static int io_failure(skt_socket *s, struct tls *t, int r, short *wait,
                      const char *op)
{
    int rc = classify(t, r, wait);

    if (rc == -EAGAIN)
        return would_block(s, *wait);
    if (rc < 0)
        return connection_fail(s, t, rc, op);
    return 1; /* the end of the stream */
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
    do {
        begin_call(t);
        if (SSL_write_ex(t->ssl, buf, len, &written) == 1) {
            /* The handshake may have ended inside this call. */
            t->handshaken = true;
            return (ssize_t)written;
        }
        rc = io_failure(s, t, 0, wait, "TLS send");
    } while (rc == 0);
    /* The stream ended for writing: our close_notify has gone out. */
    return rc == 1 ? -EPIPE : rc;
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
        begin_call(t);
        ok = (flags & MSG_PEEK) ? SSL_peek_ex(t->ssl, buf, len, &got)
                                : SSL_read_ex(t->ssl, buf, len, &got);
        if (ok == 1) {
            t->handshaken = true;
            return (ssize_t)got;
        }
        rc = io_failure(s, t, 0, wait, "TLS recv");
    } while (rc == 0);
    return rc == 1 ? 0 : rc;
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
    ctx_unref(t->ctx);
    free(t->hostname);
    free(t);
}

static void tls_release(skt_socket *s)
{
    struct tls *t = s->transport_state;

    /* A peer reading to the end sees a clean close rather than a
     * truncation (curl on OpenSSL 3 reports one). One attempt that never
     * blocks: closing must not wait for the peer. */
    if (!t->failed && SSL_is_init_finished(t->ssl) &&
        !(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)) {
        t->nowait = true;
        SSL_shutdown(t->ssl);
    }
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
    ctx_ref(ctx);
    *out = t;
    return 0;
}

/* Checks the arguments and installs the TLS layer, handshake not begun. */
static int install(skt_socket *s, skt_tls_ctx *ctx, const char *hostname,
                   bool server_side)
{
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
    if (server_side)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    s->transport = &tls_transport;
    s->transport_state = t;
    __atomic_add_fetch(&skt__buffering_transports, 1, __ATOMIC_RELAXED);
    return 0;
}

/* Keeps the selected ALPN protocol as a C string for the getter. */
static void note_alpn(struct tls *t)
{
    const unsigned char *data;
    unsigned int len;

    SSL_get0_alpn_selected(t->ssl, &data, &len);
    if (data == NULL)
        len = 0;
    if (len > 0)
        memcpy(t->alpn, data, len);
    t->alpn[len] = '\0';
}

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
    begin_call(t);
    r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshaken = true;
        note_alpn(t);
        return 0;
    }
    rc = classify(t, r, wait);
    if (rc == -EAGAIN)
        return rc;
    /* An end of file in the middle of a handshake is a failure. */
    return connection_fail(s, t, rc == 0 ? SKT_ETLS_HANDSHAKE : rc,
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
                             peer_text(s, t, peer, sizeof peer));
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
                     peer_text(s, t, peer, sizeof peer));
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
    struct tls *t = tls_of(s);

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

    begin_call(t);
    if (!t->close_sent) {
        r = SSL_shutdown(t->ssl);
        if (r == 1)
            return 0; /* the peer's close_notify had come already */
        rc = r < 0 ? classify(t, r, wait) : 0;
        if (r < 0 && rc == 0)
            return 0;
        if (rc < 0)
            return rc == -EAGAIN ? rc
                                 : connection_fail(s, t, rc, "TLS unwrap");
        t->close_sent = true;
    }
    while (SSL_read_ex(t->ssl, scratch, sizeof scratch, &got) == 1)
        begin_call(t);
    rc = classify(t, 0, wait);
    if (rc < 0 && rc != -EAGAIN)
        return connection_fail(s, t, rc, "TLS unwrap");
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
                             peer_text(s, t, peer, sizeof peer));
    }
}

int skt_tls_unwrap(skt_socket *s)
{
    struct tls *t = tls_of(s);
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

/* ------------------------------------------------------------------------ */
/* Information                                                              */
/* ------------------------------------------------------------------------ */

size_t skt_tls_pending(const skt_socket *s)
{
    return tls_of(s) != NULL ? tls_pending(s) : 0;
}

/* The TLS state of a socket whose handshake is done, else NULL. */
static struct tls *established(const skt_socket *s)
{
    struct tls *t = tls_of(s);

    return t != NULL && SSL_is_init_finished(t->ssl) ? t : NULL;
}

const char *skt_tls_version(const skt_socket *s)
{
    struct tls *t = established(s);

    return t != NULL ? SSL_get_version(t->ssl) : NULL;
}

const char *skt_tls_cipher(const skt_socket *s)
{
    struct tls *t = established(s);

    return t != NULL ? SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl))
                     : NULL;
}

const char *skt_tls_selected_alpn_protocol(const skt_socket *s)
{
    struct tls *t = established(s);

    if (t == NULL)
        return NULL;
    /* The handshake may have ended inside a send or recv. */
    note_alpn(t);
    return t->alpn[0] != '\0' ? t->alpn : NULL;
}

const char *skt_tls_server_hostname(const skt_socket *s)
{
    struct tls *t = tls_of(s);

    if (t == NULL)
        return NULL;
    if (t->ctx->side == SKT_TLS_CLIENT)
        return t->hostname;
    return SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
}

int skt_tls_verify_result(const skt_socket *s, const char **reason)
{
    struct tls *t = tls_of(s);
    long result;

    if (reason != NULL)
        *reason = NULL;
    if (t == NULL)
        return skt__fail(-EINVAL, "tls_verify_result: not a TLS socket");
    result = SSL_get_verify_result(t->ssl);
    if (reason != NULL)
        *reason = X509_verify_cert_error_string(result);
    return verify_code(result);
}

/* ------------------------------------------------------------------------ */
/* The peer's certificate                                                   */
/* ------------------------------------------------------------------------ */

/* An X509 name in RFC 2253 form, in memory of our own. */
static char *name_text(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *text = NULL;
    long len;

    if (bio == NULL)
        return NULL;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        len = BIO_get_mem_data(bio, &data);
        text = strndup(len > 0 ? data : "", len > 0 ? (size_t)len : 0);
    }
    BIO_free(bio);
    return text;
}

/* An ASN1 time as Unix seconds; 0 if it cannot be read. */
static int64_t unix_time(const ASN1_TIME *when)
{
    struct tm tm;

    if (when == NULL || ASN1_TIME_to_tm(when, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

static char *serial_text(const X509 *cert)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    char *text = hex != NULL ? strdup(hex) : NULL;

    OPENSSL_free(hex);
    BN_free(bn);
    return text;
}

/* One alternative name as "KIND:value"; NULL for kinds not shown or
 * values with an embedded NUL (which no honest certificate has). */
static char *alt_name_text(const GENERAL_NAME *name)
{
    char ip[INET6_ADDRSTRLEN], *text = NULL;
    const ASN1_STRING *value = NULL;
    const char *kind;
    int len;

    if (name->type == GEN_DNS)
        kind = "DNS", value = name->d.dNSName;
    else if (name->type == GEN_EMAIL)
        kind = "email", value = name->d.rfc822Name;
    else if (name->type == GEN_URI)
        kind = "URI", value = name->d.uniformResourceIdentifier;
    else if (name->type == GEN_IPADD)
        kind = "IP", value = name->d.iPAddress;
    else
        return NULL;
    len = ASN1_STRING_length(value);
    if (name->type == GEN_IPADD) {
        int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
        if (family == 0 || inet_ntop(family, ASN1_STRING_get0_data(value),
                                     ip, sizeof ip) == NULL)
            return NULL;
        return asprintf(&text, "IP:%s", ip) < 0 ? NULL : text;
    }
    if (memchr(ASN1_STRING_get0_data(value), '\0', (size_t)len) != NULL)
        return NULL;
    if (asprintf(&text, "%s:%.*s", kind, len,
                 (const char *)ASN1_STRING_get0_data(value)) < 0)
        return NULL;
    return text;
}

/* The NULL-terminated list of alternative names; NULL on no memory. */
static char **alt_names(const X509 *cert)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name,
                                            NULL, NULL);
    int count = names != NULL ? sk_GENERAL_NAME_num(names) : 0;
    char **list = calloc((size_t)count + 1, sizeof *list);
    int used = 0;

    for (int i = 0; list != NULL && i < count; i++) {
        char *text = alt_name_text(sk_GENERAL_NAME_value(names, i));
        if (text != NULL)
            list[used++] = text;
    }
    GENERAL_NAMES_free(names);
    return list;
}

void skt_tls_freecert(skt_tls_cert *cert)
{
    if (cert == NULL)
        return;
    free(cert->subject);
    free(cert->issuer);
    for (size_t i = 0; cert->subject_alt_names != NULL &&
                       cert->subject_alt_names[i] != NULL; i++)
        free(cert->subject_alt_names[i]);
    free(cert->subject_alt_names);
    free(cert->serial_number);
    free(cert);
}

int skt_tls_getpeercert(const skt_socket *s, skt_tls_cert **out)
{
    struct tls *t = tls_of(s);
    skt_tls_cert *cert;
    X509 *x;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    if (t == NULL)
        return skt__fail(-EINVAL, "tls_getpeercert: not a TLS socket");
    x = SSL_get0_peer_certificate(t->ssl);
    if (x == NULL)
        return skt__fail(-ENOENT, "tls_getpeercert: the peer presented no "
                         "certificate");
    cert = calloc(1, sizeof *cert);
    if (cert == NULL)
        return skt__fail(-ENOMEM, "tls_getpeercert");
    cert->subject = name_text(X509_get_subject_name(x));
    cert->issuer = name_text(X509_get_issuer_name(x));
    cert->subject_alt_names = alt_names(x);
    cert->serial_number = serial_text(x);
    cert->not_before = unix_time(X509_get0_notBefore(x));
    cert->not_after = unix_time(X509_get0_notAfter(x));
    ERR_clear_error();
    if (cert->subject == NULL || cert->issuer == NULL ||
        cert->subject_alt_names == NULL || cert->serial_number == NULL) {
        skt_tls_freecert(cert);
        return skt__fail(-ENOMEM, "tls_getpeercert");
    }
    *out = cert;
    return 0;
}
