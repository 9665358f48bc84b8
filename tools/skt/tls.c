/*
 * tls.c - TLS for the tool: the context the options describe (client or
 * listener), what -v says about a session (under --insecure: that
 * nothing was verified, and what verifying would have found), and which
 * failures are a refused certificate (exit status 3).
 */
#include "tool.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* Most protocols --alpn takes. */
#define ALPN_MAX 16

bool tls_is_refusal(int code)
{
    switch (code) {
    case SKT_ETLS_CERT_EXPIRED:
    case SKT_ETLS_HOSTNAME:
    case SKT_ETLS_UNKNOWN_CA:
    case SKT_ETLS_SELF_SIGNED:
    case SKT_ETLS_NO_CLIENT_CERT:
    case SKT_ETLS_CERT_VERIFY:
        return true;
    default:
        return false;
    }
}

/* --alpn LIST: the comma-separated names, offered in order. */
static int set_alpn(skt_tls_ctx *ctx, const char *list)
{
    char copy[1024];
    const char *names[ALPN_MAX + 1];
    size_t count = 0;
    char *save = NULL;

    if (strlen(list) >= sizeof copy)
        return skt_set_error_detail(-EINVAL, "--alpn: the list is too long");
    strcpy(copy, list);
    for (char *name = strtok_r(copy, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        if (count == ALPN_MAX)
            return skt_set_error_detail(-EINVAL, "--alpn: more than %d "
                                        "protocols", ALPN_MAX);
        names[count++] = name;
    }
    names[count] = NULL;
    return skt_tls_ctx_set_alpn_protocols(ctx, names);
}

/* What verification the options ask for, beyond the CAs of --cafile and
 * --capath (which the context was made with, instead of the system's). */
static int set_verification(const struct config *c, skt_tls_ctx *ctx,
                            bool server)
{
    int rc = 0;

    if (server && c->verify_client && !c->cafile && !c->capath)
        rc = skt_tls_ctx_load_default_certs(ctx);
    if (rc == 0 && server && c->verify_client)
        rc = skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_REQUIRED);
    if (rc == 0 && !server && c->insecure) {
        note("warning: --insecure: the server's certificate is not "
             "verified");
        rc = skt_tls_ctx_set_check_hostname(ctx, false);
        if (rc == 0)
            rc = skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
    }
    return rc;
}

int tls_context(const struct config *c, bool server, skt_tls_ctx **out)
{
    skt_tls_ctx *ctx = NULL;
    int rc = skt_tls_create_default_context(
        &ctx, server ? SKT_TLS_SERVER : SKT_TLS_CLIENT, c->cafile, c->capath,
        NULL);

    if (rc == 0)
        rc = set_verification(c, ctx, server);
    if (rc == 0 && c->cert)
        rc = skt_tls_ctx_load_cert_chain(ctx, c->cert, c->key, NULL);
    if (rc == 0 && c->alpn)
        rc = set_alpn(ctx, c->alpn);
    if (rc == 0 && c->tls_min)
        rc = skt_tls_ctx_set_minimum_version(ctx, c->tls_min);
    if (rc < 0) {
        skt_tls_ctx_free(ctx);
        return fail(rc, false);
    }
    *out = ctx;
    return 0;
}

/* "2026-05-01" for a certificate's time. */
static const char *date_text(int64_t when, char *buf, size_t len)
{
    time_t t = (time_t)when;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, len, "?");
    return buf;
}

static void describe_cert(skt_socket *s)
{
    skt_tls_cert *cert;
    char until[32];

    if (skt_tls_getpeercert(s, &cert) < 0) {
        note("peer certificate: none presented");
        return;
    }
    note("peer certificate: subject %s, issuer %s, valid until %s",
         cert->subject, cert->issuer,
         date_text(cert->not_after, until, sizeof until));
    skt_tls_freecert(cert);
}

/* Whether text is a numeric IPv4 or IPv6 address. */
static bool is_address(const char *text)
{
    unsigned char bytes[16];

    return skt_inet_pton(AF_INET, text, bytes, sizeof bytes) > 0 ||
           skt_inet_pton(AF_INET6, text, bytes, sizeof bytes) > 0;
}

/* -v under --insecure: nothing was enforced; what verifying would have
 * found, the chain (the library's result) and the name (the library's
 * check, which the handshake skipped). */
static void describe_unverified(skt_socket *s, int verified,
                                const char *reason)
{
    const char *name = skt_tls_server_hostname(s);
    bool address = name != NULL && is_address(name);
    int match = name != NULL ? skt_tls_match_hostname(s, name) : 0;
    char why[600];
    skt_tls_cert *cert;

    if (match == SKT_ETLS_HOSTNAME)
        snprintf(why, sizeof why, "the certificate is not valid for '%s'",
                 name);
    else
        snprintf(why, sizeof why, "%s", skt_strerror(match));

    note("verification: off (--insecure)");
    if (skt_tls_getpeercert(s, &cert) < 0) {
        note("verification: failed: no certificate presented "
             "(not enforced)");
        return;
    }
    skt_tls_freecert(cert);
    if (verified != 0)
        note("verification: failed: %s (not enforced)",
             reason ? reason : skt_strerror(verified));
    if (match != 0)
        note("verification: failed: %s mismatch, %s (not enforced)",
             address ? "IP address" : "hostname", why);
    if (verified == 0 && match == 0)
        note("verification: would have passed (%s)",
             name != NULL ? "chain and name" : "chain; no name to check");
}

void tls_describe(const struct config *c, skt_socket *s)
{
    const char *alpn = skt_tls_selected_alpn_protocol(s), *reason = NULL;
    int verified = skt_tls_verify_result(s, &reason);
    skt_tls_cert *cert;

    note("TLS: %s, cipher %s, ALPN %s", skt_tls_version(s),
         skt_tls_cipher(s), alpn ? alpn : "none");
    describe_cert(s);
    if (c->insecure)
        describe_unverified(s, verified, reason);
    else if (verified != 0)
        note("verification: failed: %s (not enforced)",
             reason ? reason : skt_strerror(verified));
    else if (skt_tls_getpeercert(s, &cert) < 0)
        note("verification: none (no certificate presented)");
    else {
        skt_tls_freecert(cert);
        note("verification: ok");
    }
}
