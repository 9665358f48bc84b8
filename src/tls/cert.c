/*
 * cert.c - what an established TLS connection tells, after Python's
 * SSLSocket and SSLObject: the protocol version, the cipher, the ALPN
 * protocol, the server name, the verification result, and the peer's
 * certificate (subject, issuer, alternative names, serial number,
 * validity dates), for sockets and memory objects alike.
 */
#include "tls_int.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Information                                                              */
/* ------------------------------------------------------------------------ */

/* Keeps the selected ALPN protocol as a C string for the getter. */
void skt__tls_note_alpn(struct tls *t)
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
 * Each piece of information is read from a connection's state, a
 * socket's or a memory object's; the public functions of both are the
 * one-line wrappers at the end of the file.
 */

/* t when its handshake is done, else NULL. */
static struct tls *established(struct tls *t)
{
    return t != NULL && SSL_is_init_finished(t->ssl) ? t : NULL;
}

static const char *version_of(struct tls *t)
{
    t = established(t);
    return t != NULL ? SSL_get_version(t->ssl) : NULL;
}

static const char *cipher_of(struct tls *t)
{
    t = established(t);
    return t != NULL ? SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl))
                     : NULL;
}

static const char *alpn_of(struct tls *t)
{
    t = established(t);
    if (t == NULL)
        return NULL;
    /* The handshake may have ended inside a send or recv. */
    skt__tls_note_alpn(t);
    return t->alpn[0] != '\0' ? t->alpn : NULL;
}

static const char *server_hostname_of(struct tls *t)
{
    if (t == NULL)
        return NULL;
    if (t->ctx->side == SKT_TLS_CLIENT)
        return t->hostname;
    return SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
}

static int verify_result_of(struct tls *t, const char **reason,
                            const char *op)
{
    long result;

    if (reason != NULL)
        *reason = NULL;
    if (t == NULL)
        return skt__fail(-EINVAL, "%s: not a TLS socket", op);
    result = SSL_get_verify_result(t->ssl);
    if (reason != NULL)
        *reason = X509_verify_cert_error_string(result);
    return skt__tls_verify_code(result);
}

/* ------------------------------------------------------------------------ */
/* The peer's certificate                                                   */
/* ------------------------------------------------------------------------ */

/* An X509 name in RFC 2253 form, in memory of our own. */
char *skt__tls_name_text(const X509_NAME *name)
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
    char ip[INET6_ADDRSTRLEN];
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
        return skt__aprintf("IP:%s", ip);
    }
    if (memchr(ASN1_STRING_get0_data(value), '\0', (size_t)len) != NULL)
        return NULL;
    return skt__aprintf("%s:%.*s", kind, len,
                        (const char *)ASN1_STRING_get0_data(value));
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
    free(cert->der);
    free(cert->subject);
    free(cert->issuer);
    for (size_t i = 0; cert->subject_alt_names != NULL &&
                       cert->subject_alt_names[i] != NULL; i++)
        free(cert->subject_alt_names[i]);
    free(cert->subject_alt_names);
    free(cert->serial_number);
    free(cert);
}

/* The certificate's DER encoding in memory of our own; false on no
 * memory. */
static bool copy_der(X509 *x, skt_tls_cert *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);

    if (len <= 0)
        return false;
    cert->der = malloc((size_t)len);
    if (cert->der != NULL) {
        memcpy(cert->der, der, (size_t)len);
        cert->der_len = (size_t)len;
    }
    OPENSSL_free(der);
    return cert->der != NULL;
}

/* A certificate as skt_tls_cert; NULL on no memory. */
static skt_tls_cert *cert_from_x509(X509 *x)
{
    skt_tls_cert *cert = calloc(1, sizeof *cert);

    if (cert == NULL)
        return NULL;
    cert->subject = skt__tls_name_text(X509_get_subject_name(x));
    cert->issuer = skt__tls_name_text(X509_get_issuer_name(x));
    cert->subject_alt_names = alt_names(x);
    cert->serial_number = serial_text(x);
    cert->not_before = unix_time(X509_get0_notBefore(x));
    cert->not_after = unix_time(X509_get0_notAfter(x));
    ERR_clear_error();
    if (cert->subject == NULL || cert->issuer == NULL ||
        cert->subject_alt_names == NULL || cert->serial_number == NULL ||
        !copy_der(x, cert)) {
        skt_tls_freecert(cert);
        ERR_clear_error();
        return NULL;
    }
    return cert;
}

void skt_tls_freecerts(skt_tls_cert **list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        skt_tls_freecert(list[i]);
    free(list);
}

int skt__tls_cert_list(STACK_OF(X509) *chain, skt_tls_cert ***out,
                       const char *op)
{
    int count = sk_X509_num(chain);
    skt_tls_cert **list = calloc((size_t)(count > 0 ? count : 0) + 1,
                                 sizeof *list);

    for (int i = 0; list != NULL && i < count; i++) {
        list[i] = cert_from_x509(sk_X509_value(chain, i));
        if (list[i] == NULL) {
            skt_tls_freecerts(list);
            list = NULL;
        }
    }
    if (list == NULL)
        return skt__fail(-ENOMEM, "%s", op);
    *out = list;
    return count;
}

static int getpeercert_of(struct tls *t, skt_tls_cert **out, const char *op)
{
    X509 *x;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    if (t == NULL)
        return skt__fail(-EINVAL, "%s: not a TLS socket", op);
    x = SSL_get0_peer_certificate(t->ssl);
    if (x == NULL)
        return skt__fail(-ENOENT, "%s: the peer presented no certificate",
                         op);
    *out = cert_from_x509(x);
    return *out != NULL ? 0 : skt__fail(-ENOMEM, "%s", op);
}

/* ------------------------------------------------------------------------ */
/* Sockets and memory objects                                               */
/* ------------------------------------------------------------------------ */

const char *skt_tls_version(const skt_socket *s)
{
    return version_of(skt__tls_of(s));
}

const char *skt_tls_cipher(const skt_socket *s)
{
    return cipher_of(skt__tls_of(s));
}

const char *skt_tls_selected_alpn_protocol(const skt_socket *s)
{
    return alpn_of(skt__tls_of(s));
}

const char *skt_tls_server_hostname(const skt_socket *s)
{
    return server_hostname_of(skt__tls_of(s));
}

int skt_tls_verify_result(const skt_socket *s, const char **reason)
{
    return verify_result_of(skt__tls_of(s), reason, "tls_verify_result");
}

int skt_tls_getpeercert(const skt_socket *s, skt_tls_cert **out)
{
    return getpeercert_of(skt__tls_of(s), out, "tls_getpeercert");
}

int skt_tls_match_hostname(const skt_socket *s, const char *hostname)
{
    struct tls *t = skt__tls_of(s);
    unsigned char bytes[16];
    X509 *x;
    int rc;

    SKT__CHECK(hostname != NULL && hostname[0] != '\0',
               "hostname is NULL or empty");
    if (t == NULL)
        return skt__fail(-EINVAL, "tls_match_hostname: not a TLS socket");
    x = SSL_get0_peer_certificate(t->ssl);
    if (x == NULL)
        return skt__fail(-ENOENT, "tls_match_hostname: the peer presented "
                         "no certificate");
    if (inet_pton(AF_INET, hostname, bytes) == 1 ||
        inet_pton(AF_INET6, hostname, bytes) == 1)
        rc = X509_check_ip_asc(x, hostname, 0);
    else
        rc = X509_check_host(x, hostname, 0, skt__tls_host_flags(t->ctx),
                             NULL);
    if (rc == 1)
        return 0;
    ERR_clear_error();
    if (rc < 0)
        return skt__fail(-ENOMEM, "tls_match_hostname: checking '%s'",
                         hostname);
    return skt__fail(SKT_ETLS_HOSTNAME, "the certificate is not valid for "
                     "'%s'", hostname);
}

const char *skt_tls_obj_version(const skt_tls_obj *obj)
{
    return version_of(skt__tls_obj_state(obj));
}

const char *skt_tls_obj_cipher(const skt_tls_obj *obj)
{
    return cipher_of(skt__tls_obj_state(obj));
}

const char *skt_tls_obj_selected_alpn_protocol(const skt_tls_obj *obj)
{
    return alpn_of(skt__tls_obj_state(obj));
}

const char *skt_tls_obj_server_hostname(const skt_tls_obj *obj)
{
    return server_hostname_of(skt__tls_obj_state(obj));
}

int skt_tls_obj_verify_result(const skt_tls_obj *obj, const char **reason)
{
    SKT__CHECK(obj != NULL, "obj is NULL");
    return verify_result_of(skt__tls_obj_state(obj), reason,
                            "tls_obj_verify_result");
}

int skt_tls_obj_getpeercert(const skt_tls_obj *obj, skt_tls_cert **out)
{
    SKT__CHECK(obj != NULL, "obj is NULL");
    return getpeercert_of(skt__tls_obj_state(obj), out,
                          "tls_obj_getpeercert");
}
