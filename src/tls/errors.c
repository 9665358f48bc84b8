/*
 * errors.c - OpenSSL's failures in skt's terms: the thread's error queue
 * drained into a detail sentence, verification results and alerts mapped
 * to SKT_ETLS_* codes, the classification of a failed SSL call (would
 * block, end of stream, or fatal), and the failure of a context setting
 * or of a connection, with the peer and the rejected certificate named.
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int skt__tls_config_fail(const char *fmt, ...)
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
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

/* The code for an X509_V_* verification result; 0 for X509_V_OK. */
int skt__tls_verify_code(long result)
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

/*
 * Notes which certificate of the chain failed first, for the detail
 * sentence: after a failure OpenSSL keeps no peer certificate to ask.
 * The verdict itself stays OpenSSL's.
 */
int skt__tls_note_verify(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(
        store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    X509 *cert = X509_STORE_CTX_get_current_cert(store);
    char *name;

    if (ok || t == NULL || cert == NULL || t->rejected[0] != '\0')
        return ok;
    name = skt__tls_name_text(X509_get_subject_name(cert));
    snprintf(t->rejected, sizeof t->rejected, "depth %d, subject %s",
             X509_STORE_CTX_get_error_depth(store),
             name != NULL ? name : "?");
    free(name);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Classifying failures                                                     */
/* ------------------------------------------------------------------------ */

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
            return skt__tls_verify_code(SSL_get_verify_result(t->ssl));
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
void skt__tls_begin_call(struct tls *t)
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
int skt__tls_classify(struct tls *t, int r, short *wait)
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

/* ------------------------------------------------------------------------ */
/* A failed connection                                                      */
/* ------------------------------------------------------------------------ */

/* "127.0.0.1:4433 (server name localhost)", for a detail sentence; s
 * is NULL for a memory object. */
const char *skt__tls_peer_text(const skt_socket *s, const struct tls *t,
                               char *buf, size_t len)
{
    char addr[SKT_ADDRSTRLEN];
    skt_addr peer = t->peer;

    if (s == NULL) {
        snprintf(buf, len, "the peer of a memory object");
    } else {
        if (peer.len == 0)
            skt_getpeername(s, &peer);
        snprintf(buf, len, "%s", skt__addr_text(&peer, addr, sizeof addr));
    }
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
    if (skt__tls_verify_code(result) == SKT_ETLS_HOSTNAME &&
        t->hostname != NULL)
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
int skt__tls_connection_fail(skt_socket *s, struct tls *t, int code,
                             const char *op)
{
    char peer[SKT_ADDRSTRLEN + 300], reasons[700] = "";

    t->failed = code;
    drain_errors(reasons, sizeof reasons);
    if (skt__tls_verify_code(SSL_get_verify_result(t->ssl)) == code)
        describe_verify(t, reasons, sizeof reasons);
    if (t->refusal[0] != '\0')
        append(reasons, sizeof reasons, "%s%s", reasons[0] ? "; " : "",
               t->refusal);
    if (code == SKT_ETLS_HANDSHAKE && reasons[0] == '\0')
        append(reasons, sizeof reasons, "the peer closed the connection");
    skt__tls_peer_text(s, t, peer, sizeof peer);
    if (reasons[0] == '\0')
        return skt__fail(code, "%s with %s", op, peer);
    return skt__fail(code, "%s with %s: %s", op, peer, reasons);
}
