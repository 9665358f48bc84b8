/*
 * servercert.c - Python's ssl.get_server_certificate: connect to a TLS
 * server under one deadline, take the certificate it presents, and give
 * it back as PEM. It connects, so it lives with the connections (layer
 * 7), and it is built on the public TLS API only: create_connection with
 * a client context, then the peer certificate's DER.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PEM_HEADER "-----BEGIN CERTIFICATE-----\n"
#define PEM_FOOTER "-----END CERTIFICATE-----\n"

/* ------------------------------------------------------------------------ */
/* DER to PEM                                                               */
/* ------------------------------------------------------------------------ */

/* Base64 of the 1 to 3 bytes at in (count of them) into 4 characters. */
static void encode_group(const unsigned char *in, size_t count, char *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                 "opqrstuvwxyz0123456789+/";
    unsigned long group = (unsigned long)in[0] << 16;

    if (count > 1)
        group |= (unsigned long)in[1] << 8;
    if (count > 2)
        group |= in[2];
    out[0] = digits[(group >> 18) & 63];
    out[1] = digits[(group >> 12) & 63];
    out[2] = count > 1 ? digits[(group >> 6) & 63] : '=';
    out[3] = count > 2 ? digits[group & 63] : '=';
}

/*
 * The certificate as PEM, the way Python's DER_cert_to_PEM_cert writes it:
 * the header, base64 in lines of 64 characters, the footer, each line
 * ending in a newline. NULL on no memory.
 */
static char *der_to_pem(const unsigned char *der, size_t len)
{
    size_t chars = (len + 2) / 3 * 4, lines = (chars + 63) / 64;
    size_t size = strlen(PEM_HEADER) + chars + lines + strlen(PEM_FOOTER) + 1;
    char *pem = malloc(size), *p;

    if (pem == NULL)
        return NULL;
    p = stpcpy(pem, PEM_HEADER);
    for (size_t i = 0, column = 0; i < len; i += 3) {
        encode_group(der + i, len - i < 3 ? len - i : 3, p);
        p += 4;
        column += 4;
        if (column == 64 || i + 3 >= len) {
            *p++ = '\n';
            column = 0;
        }
    }
    strcpy(p, PEM_FOOTER);
    return pem;
}

/* ------------------------------------------------------------------------ */
/* Fetching                                                                 */
/* ------------------------------------------------------------------------ */

/* Python's context for the fetch: no hostname check; the chain verified
 * against ca_certs when given, not verified at all otherwise. */
static int fetch_context(skt_tls_ctx **out, const char *ca_certs)
{
    skt_tls_ctx *ctx;
    int rc = skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT);

    if (rc < 0)
        return rc;
    rc = skt_tls_ctx_set_check_hostname(ctx, false);
    if (rc == 0 && ca_certs != NULL)
        rc = skt_tls_ctx_load_verify_locations(ctx, ca_certs, NULL, NULL);
    if (rc == 0 && ca_certs == NULL)
        rc = skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
    if (rc < 0) {
        skt_tls_ctx_free(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

/* The PEM of the certificate that s's peer presented, in *pem. */
static int peer_pem(skt_socket *s, const char *host, const char *port,
                    char **pem)
{
    skt_tls_cert *cert;
    int rc = skt_tls_getpeercert(s, &cert);

    if (rc < 0)
        return skt__fail(rc, "get_server_certificate: %s port %s "
                         "presented no certificate", host, port);
    *pem = der_to_pem(cert->der, cert->der_len);
    skt_tls_freecert(cert);
    return *pem != NULL ? 0 : skt__fail(-ENOMEM, "get_server_certificate");
}

int skt_get_server_certificate(const char *host, const char *port,
                               const char *ca_certs, double timeout,
                               char **pem)
{
    struct skt__detail_copy detail;
    skt_connect_opts opts = {.timeout = timeout, .tls_hostname = host};
    skt_socket *s = NULL;
    int rc;

    SKT__CHECK(pem != NULL && port != NULL, "pem and port are required");
    *pem = NULL;
    rc = fetch_context(&opts.tls, ca_certs);
    if (rc == 0)
        rc = skt_create_connection(&s, host, port, &opts);
    if (rc == 0)
        rc = peer_pem(s, host != NULL ? host : "localhost", port, pem);
    /* Closing may say something of its own; the fetch's detail stays. */
    skt__detail_save(&detail);
    skt_close(s);
    skt_tls_ctx_free(opts.tls);
    skt__detail_restore(&detail, rc);
    return rc;
}
