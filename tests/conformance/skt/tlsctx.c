/*
 * tlsctx.c - skt's TLS contexts: defaults, verify modes and hostname
 * checking, loading certificates, keys and CAs and their errors, ciphers,
 * ALPN names, on skt (py/tlsctx.py on Python's ssl.SSLContext).
 */
#include "tls_peer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *version_name(int v)
{
    switch (v) {
    case SKT_TLS_VERSION_1_2:
        return "TLSv1_2";
    case SKT_TLS_VERSION_1_3:
        return "TLSv1_3";
    case SKT_TLS_VERSION_ANY:
        return "ANY";
    default:
        return conf_val(v);
    }
}

static void context_defaults(const char *name, int side)
{
    skt_tls_ctx *ctx;
    int rc = skt_tls_ctx_new(&ctx, side);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%d %s %s", skt_tls_ctx_get_verify_mode(ctx),
              conf_bool(skt_tls_ctx_get_check_hostname(ctx)),
              version_name(skt_tls_ctx_get_minimum_version(ctx)));
    skt_tls_ctx_free(ctx);
}

static void ssl_client_context_defaults(const char *n)
{
    context_defaults(n, SKT_TLS_CLIENT);
}
static void ssl_server_context_defaults(const char *n)
{
    context_defaults(n, SKT_TLS_SERVER);
}

enum ctx_case {
    NONE_WITH_CHECK,
    CHECK_SETS_REQUIRED,
    OPTIONAL,
    CHAIN,
    CHAIN_MISSING,
    CHAIN_WRONG_KEY,
    KEY_PASSWORD,
    KEY_WRONG_PASSWORD,
    VERIFY_MISSING,
    VERIFY_CAPATH,
    VERIFY_CADATA,
    VERIFY_BAD_CADATA,
    VERIFY_NOTHING,
    CIPHERS_UNKNOWN,
    CIPHERS_OK,
    ALPN_EMPTY,
    ALPN_LONG
};

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = calloc(1, 65536);

    if (f && text)
        fread(text, 1, 65535, f);
    if (f)
        fclose(f);
    return text;
}

static int ctx_run(skt_tls_ctx *ctx, enum ctx_case which)
{
    static const char bad[] = "-----BEGIN CERTIFICATE-----\nnot base64\n"
                              "-----END CERTIFICATE-----\n";
    char longname[257];
    const char *one[2] = {NULL, NULL};
    char *pem;
    int rc;

    switch (which) {
    case NONE_WITH_CHECK:
        return skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
    case CHECK_SETS_REQUIRED:
        rc = skt_tls_ctx_set_check_hostname(ctx, false);
        if (rc == 0)
            rc = skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
        if (rc == 0)
            rc = skt_tls_ctx_set_check_hostname(ctx, true);
        return rc < 0 ? rc : skt_tls_ctx_get_verify_mode(ctx);
    case OPTIONAL:
        rc = skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_OPTIONAL);
        return rc < 0 ? rc : skt_tls_ctx_get_verify_mode(ctx);
    case CHAIN:
        return skt_tls_ctx_load_cert_chain(ctx, tls_cert("server.pem"),
                                           tls_cert("server.key"), NULL);
    case CHAIN_MISSING:
        return skt_tls_ctx_load_cert_chain(ctx, tls_cert("no-such.pem"), NULL,
                                           NULL);
    case CHAIN_WRONG_KEY:
        return skt_tls_ctx_load_cert_chain(ctx, tls_cert("client.pem"),
                                           tls_cert("server.key"), NULL);
    case KEY_PASSWORD:
    case KEY_WRONG_PASSWORD:
        return skt_tls_ctx_load_cert_chain(
            ctx, tls_cert("server.pem"), tls_cert("server-enc.key"),
            which == KEY_PASSWORD ? "secret" : "wrong");
    case VERIFY_MISSING:
        return skt_tls_ctx_load_verify_locations(ctx, tls_cert("no-such.pem"),
                                                 NULL, NULL);
    case VERIFY_CAPATH:
        return skt_tls_ctx_load_verify_locations(ctx, NULL, tls_cert("cadir"),
                                                 NULL);
    case VERIFY_CADATA:
        pem = read_text(tls_cert("ca.pem"));
        rc = pem ? skt_tls_ctx_load_verify_locations(ctx, NULL, NULL, pem)
                 : -ENOMEM;
        free(pem);
        return rc;
    case VERIFY_BAD_CADATA:
        return skt_tls_ctx_load_verify_locations(ctx, NULL, NULL, bad);
    case VERIFY_NOTHING:
        return skt_tls_ctx_load_verify_locations(ctx, NULL, NULL, NULL);
    case CIPHERS_UNKNOWN:
        return skt_tls_ctx_set_ciphers(ctx, "NOPE");
    case CIPHERS_OK:
        return skt_tls_ctx_set_ciphers(ctx, "ECDHE+AESGCM");
    case ALPN_EMPTY:
        one[0] = "";
        return skt_tls_ctx_set_alpn_protocols(ctx, one);
    case ALPN_LONG:
        memset(longname, 'x', 256);
        longname[256] = '\0';
        one[0] = longname;
        return skt_tls_ctx_set_alpn_protocols(ctx, one);
    }
    return -EINVAL;
}

static void on_ctx(const char *name, int side, enum ctx_case which,
                   bool needs_certs, bool value)
{
    skt_tls_ctx *ctx;
    int rc;

    if (needs_certs)
        NEEDS_CERTS(name);
    rc = skt_tls_ctx_new(&ctx, side);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = ctx_run(ctx, which);
    if (value && rc >= 0)
        conf_emit(name, "%d", rc);
    else
        conf_rc(name, rc);
    skt_tls_ctx_free(ctx);
}

#define CTX(fn, side, which, certs, value)                                     \
    static void fn(const char *n)                                              \
    {                                                                          \
        on_ctx(n, side, which, certs, value);                                  \
    }
#define C_ SKT_TLS_CLIENT
#define S_ SKT_TLS_SERVER
CTX(ssl_cert_none_refused_with_check_hostname, C_, NONE_WITH_CHECK, false,
    false)
CTX(ssl_check_hostname_sets_required, C_, CHECK_SETS_REQUIRED, false, true)
CTX(ssl_verify_mode_optional, S_, OPTIONAL, false, true)
CTX(ssl_load_cert_chain, S_, CHAIN, true, false)
CTX(ssl_load_cert_chain_missing, S_, CHAIN_MISSING, true, false)
CTX(ssl_load_cert_chain_wrong_key, S_, CHAIN_WRONG_KEY, true, false)
CTX(ssl_encrypted_key_password, S_, KEY_PASSWORD, true, false)
CTX(ssl_encrypted_key_wrong_password, S_, KEY_WRONG_PASSWORD, true, false)
CTX(ssl_load_verify_locations_missing, C_, VERIFY_MISSING, true, false)
CTX(ssl_load_verify_locations_capath, C_, VERIFY_CAPATH, true, false)
CTX(ssl_load_verify_locations_cadata, C_, VERIFY_CADATA, true, false)
CTX(ssl_load_verify_locations_bad_cadata, C_, VERIFY_BAD_CADATA, true, false)
CTX(ssl_load_verify_locations_nothing, C_, VERIFY_NOTHING, false, false)
CTX(ssl_set_ciphers_unknown, C_, CIPHERS_UNKNOWN, false, false)
CTX(ssl_set_ciphers_ok, C_, CIPHERS_OK, false, false)
CTX(ssl_alpn_empty_name, C_, ALPN_EMPTY, false, false)
CTX(ssl_alpn_name_too_long, C_, ALPN_LONG, false, false)

const conf_scenario conf_tlsctx[] = {
    {"ssl.client_context_defaults", ssl_client_context_defaults},
    {"ssl.server_context_defaults", ssl_server_context_defaults},
    {"ssl.cert_none_refused_with_check_hostname",
     ssl_cert_none_refused_with_check_hostname},
    {"ssl.check_hostname_sets_required", ssl_check_hostname_sets_required},
    {"ssl.verify_mode_optional", ssl_verify_mode_optional},
    {"ssl.load_cert_chain", ssl_load_cert_chain},
    {"ssl.load_cert_chain_missing", ssl_load_cert_chain_missing},
    {"ssl.load_cert_chain_wrong_key", ssl_load_cert_chain_wrong_key},
    {"ssl.encrypted_key_password", ssl_encrypted_key_password},
    {"ssl.encrypted_key_wrong_password", ssl_encrypted_key_wrong_password},
    {"ssl.load_verify_locations_missing", ssl_load_verify_locations_missing},
    {"ssl.load_verify_locations_capath", ssl_load_verify_locations_capath},
    {"ssl.load_verify_locations_cadata", ssl_load_verify_locations_cadata},
    {"ssl.load_verify_locations_bad_cadata",
     ssl_load_verify_locations_bad_cadata},
    {"ssl.load_verify_locations_nothing", ssl_load_verify_locations_nothing},
    {"ssl.set_ciphers_unknown", ssl_set_ciphers_unknown},
    {"ssl.set_ciphers_ok", ssl_set_ciphers_ok},
    {"ssl.alpn_empty_name", ssl_alpn_empty_name},
    {"ssl.alpn_name_too_long", ssl_alpn_name_too_long},
    {NULL, NULL},
};
