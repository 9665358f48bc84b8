/*
 * test-tls-trust.c - the verification controls: a revoked certificate
 * refused with a CRL (made with `openssl ca` by tests/peers/make-crl.sh),
 * by skt against its own server and `openssl s_server`, and by Python's
 * ssl against skt's server; CRL checking of the chain, partial chains,
 * the common-name fallback, CA certificates as DER, what the store holds,
 * the security level, and create_default_context's choice of store; then
 * those controls against `openssl s_server` (an intermediate trusted
 * alone, a certificate with a common name only, a 1024-bit RSA key, a CA
 * that strict X.509 refuses, made by tests/peers/make-chain.sh) and the
 * store compared with what Python's ssl reports for the same files.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes revoked.pem, crl.pem, cn-only.pem and ca.der, once a process. */
static void make_crl(void)
{
    make_more_certs("make-crl.sh");
}

/* The fixture's client context with the CRL loaded and flags set. */
static void check_crls(struct tls_fixture *f, unsigned flags)
{
    make_crl();
    SKT_OK(skt_tls_ctx_load_verify_locations(f->cctx, cert("crl.pem"), NULL,
                                             NULL));
    SKT_OK(skt_tls_ctx_set_verify_flags(f->cctx, flags));
    assert_int_equal(skt_tls_ctx_get_verify_flags(f->cctx) & flags, flags);
}

/* The client's wrap code against a server of certname. */
static int connect_to_server_with(struct tls_fixture *f,
                                  const char *certname)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx(certname);
    int rc = client_against(&srv, sctx, serve_greeting, f->cctx, "localhost",
                            NULL);
    char detail[1024];

    snprintf(detail, sizeof detail, "%s", skt_error_detail());
    server_join(&srv);
    skt_tls_ctx_free(sctx);
    /* The client's detail outlives the cleanup. */
    return skt_set_error_detail(rc, "%s", detail);
}

/* Makes inter.pem, inter-leaf.pem, lax-ca.pem, lax-leaf.pem and
 * rsa1024.pem (tests/peers/make-chain.sh), once a process. */
static void make_chain(void)
{
    make_more_certs("make-chain.sh");
}

/* The wrap code of a client of cctx for "localhost" against `openssl
 * s_server -www` serving certname, with extra arguments after it (a
 * later -key or -cert overrides). */
static int s_server_verdict(skt_tls_ctx *cctx, const char *certname,
                            const char *const *extra, size_t count)
{
    const char *args[16] = {"-naccept", "1", "-www"};
    char detail[1024];
    skt_socket *s;
    int port = 0, rc;
    pid_t pid;

    for (size_t i = 0; i < count; i++)
        args[3 + i] = extra[i];
    pid = start_s_server_cert(certname, args, 3 + count, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    rc = skt_tls_wrap(s, cctx, "localhost", false);
    snprintf(detail, sizeof detail, "%s", skt_error_detail());
    skt_close(s);
    skt_test_wait(pid, 5);
    /* The client's detail outlives the cleanup. */
    return skt_set_error_detail(rc, "%s", detail);
}

/* A client context that trusts the CA certificates of path only, not the
 * system store. */
static skt_tls_ctx *client_trusting(const char *path)
{
    skt_tls_ctx *cctx;

    SKT_OK(skt_tls_create_default_context(&cctx, SKT_TLS_CLIENT, path, NULL,
                                          NULL));
    return cctx;
}

/* ------------------------------------------------------------------------ */
/* CRLs                                                                     */
/* ------------------------------------------------------------------------ */

static void test_revoked_certificate_is_refused_with_a_crl(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    make_crl();
    /* Without CRL checking, the revoked certificate passes. */
    SKT_OK(connect_to_server_with(f, "revoked.pem"));
    check_crls(f, SKT_TLS_VERIFY_CRL_CHECK_LEAF);
    assert_code(connect_to_server_with(f, "revoked.pem"),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "certificate revoked");
    assert_contains(skt_error_detail(), "depth 0, subject CN=localhost");
    /* A certificate the CRL does not list still verifies. */
    SKT_OK(connect_to_server_with(f, "server.pem"));
}

static void test_crl_check_of_the_chain(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    check_crls(f, SKT_TLS_VERIFY_CRL_CHECK_CHAIN);
    assert_int_equal(skt_tls_ctx_get_verify_flags(f->cctx) &
                         SKT_TLS_VERIFY_CRL_CHECK_LEAF, 0);
    SKT_OK(connect_to_server_with(f, "server.pem"));
    assert_code(connect_to_server_with(f, "revoked.pem"),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "certificate revoked");
}

static void test_crl_check_without_a_crl_fails(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    SKT_OK(skt_tls_ctx_set_verify_flags(f->cctx,
                                        SKT_TLS_VERIFY_CRL_CHECK_LEAF));
    assert_code(connect_to_server_with(f, "server.pem"),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "unable to get certificate CRL");
}

static void test_skt_refuses_a_revoked_certificate_from_s_server(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    static const char *const extra[] = {"-naccept", "1", "-www"};
    skt_socket *s;
    pid_t pid;
    int port = 0;

    check_crls(f, SKT_TLS_VERIFY_CRL_CHECK_LEAF);
    pid = start_s_server_cert("revoked.pem", extra, 3, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    assert_code(skt_tls_wrap(s, f->cctx, "localhost", false),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "certificate revoked");
    skt_close(s);
    skt_test_wait(pid, 5);
}

static void test_python_refuses_a_revoked_certificate_from_skt(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    char script[512], port[16], output[1024];
    struct server srv = {0};
    skt_tls_ctx *sctx;
    int out;
    pid_t pid;

    (void)f;
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    make_crl();
    sctx = server_ctx("revoked.pem");
    server_start(&srv, sctx, serve_greeting);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_verify_client.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"), "--crl",
                                         (char *)cert("crl.pem"), NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_string_equal(output, "refused certificate revoked\n");
    /* The client's alert fails the server's handshake too. */
    assert_true(srv.wrap_rc < 0);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Other controls                                                           */
/* ------------------------------------------------------------------------ */

static void test_partial_chain_trusts_the_leaf_itself(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *cctx;

    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_load_verify_locations(cctx, cert("server.pem"), NULL,
                                             NULL));
    skt_tls_ctx_free(f->cctx);
    f->cctx = cctx;
    assert_code(connect_to_server_with(f, "server.pem"),
                SKT_ETLS_UNKNOWN_CA);
    SKT_OK(skt_tls_ctx_set_verify_flags(cctx,
                                        SKT_TLS_VERIFY_X509_PARTIAL_CHAIN));
    SKT_OK(connect_to_server_with(f, "server.pem"));
}

static void test_verify_flags_read_back_and_refuse_unknown_bits(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    unsigned all = SKT_TLS_VERIFY_X509_STRICT |
                   SKT_TLS_VERIFY_ALLOW_PROXY_CERTS |
                   SKT_TLS_VERIFY_X509_PARTIAL_CHAIN;

    /* OpenSSL's default, as Python's. */
    assert_int_equal(skt_tls_ctx_get_verify_flags(f->cctx),
                     SKT_TLS_VERIFY_X509_TRUSTED_FIRST);
    SKT_OK(skt_tls_ctx_set_verify_flags(f->cctx, all));
    assert_int_equal(skt_tls_ctx_get_verify_flags(f->cctx), all);
    SKT_OK(skt_tls_ctx_set_verify_flags(f->cctx, SKT_TLS_VERIFY_DEFAULT));
    assert_int_equal(skt_tls_ctx_get_verify_flags(f->cctx), 0);
    assert_code(skt_tls_ctx_set_verify_flags(f->cctx, 1u << 20), -EINVAL);
}

static void test_hostname_checks_common_name_can_be_turned_off(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    make_crl();
    assert_true(skt_tls_ctx_get_hostname_checks_common_name(f->cctx));
    SKT_OK(connect_to_server_with(f, "cn-only.pem"));
    SKT_OK(skt_tls_ctx_set_hostname_checks_common_name(f->cctx, false));
    assert_false(skt_tls_ctx_get_hostname_checks_common_name(f->cctx));
    assert_code(connect_to_server_with(f, "cn-only.pem"), SKT_ETLS_HOSTNAME);
    /* Alternative names are unaffected. */
    SKT_OK(connect_to_server_with(f, "server.pem"));
}

/* The bytes of a file, in a buffer to free; *len gets the count. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    unsigned char *data = malloc(65536);

    assert_non_null(file);
    assert_non_null(data);
    *len = fread(data, 1, 65536, file);
    fclose(file);
    return data;
}

static void test_ca_certificate_loads_from_der_in_memory(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    unsigned char *der, *two;
    skt_tls_ctx *cctx;
    size_t len;

    make_crl();
    der = slurp(cert("ca.der"), &len);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    skt_tls_ctx_free(f->cctx);
    f->cctx = cctx;
    SKT_OK(skt_tls_ctx_load_verify_der(cctx, der, len));
    SKT_OK(connect_to_server_with(f, "server.pem"));
    /* Two in a row load; a cut one is refused, naming which. */
    two = malloc(2 * len);
    assert_non_null(two);
    memcpy(two, der, len);
    memcpy(two + len, der, len);
    SKT_OK(skt_tls_ctx_load_verify_der(cctx, two, 2 * len));
    assert_code(skt_tls_ctx_load_verify_der(cctx, two, 2 * len - 10),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "certificate 2");
    free(two);
    free(der);
}

static void test_ca_certs_and_store_stats_show_what_was_loaded(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_store_stats before, after;
    skt_tls_cert **cas;
    bool found = false;
    int count;

    make_crl();
    SKT_OK(skt_tls_ctx_cert_store_stats(f->cctx, &before));
    assert_true(before.x509_ca >= 1);
    assert_int_equal(before.crl, 0);
    SKT_OK(skt_tls_ctx_load_verify_locations(f->cctx, cert("crl.pem"), NULL,
                                             NULL));
    SKT_OK(skt_tls_ctx_load_verify_locations(f->cctx, cert("other-ca.pem"),
                                             NULL, NULL));
    SKT_OK(skt_tls_ctx_cert_store_stats(f->cctx, &after));
    assert_int_equal(after.crl, 1);
    assert_int_equal(after.x509, before.x509 + 1);
    assert_int_equal(after.x509_ca, before.x509_ca + 1);
    count = skt_tls_ctx_get_ca_certs(f->cctx, &cas);
    assert_int_equal(count, (int)after.x509_ca);
    for (int i = 0; i < count; i++) {
        if (strcmp(cas[i]->subject, "CN=skt test CA") == 0) {
            found = true;
            assert_true(cas[i]->der_len > 100);
            assert_int_equal(cas[i]->der[0], 0x30); /* a DER SEQUENCE */
        }
    }
    assert_null(cas[count]);
    assert_true(found);
    skt_tls_freecerts(cas);
}

static void test_security_level_bounds_the_keys(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx;

    assert_true(skt_tls_ctx_get_security_level(f->sctx) >= 1);
    SKT_OK(skt_tls_ctx_new(&sctx, SKT_TLS_SERVER));
    SKT_OK(skt_tls_ctx_set_security_level(sctx, 4));
    assert_int_equal(skt_tls_ctx_get_security_level(sctx), 4);
    /* Level 4 wants 192 bits of security: a P-256 key has 128. */
    assert_code(skt_tls_ctx_load_cert_chain(sctx, cert("server.pem"),
                                            cert("server.key"), NULL),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "too small");
    assert_code(skt_tls_ctx_set_security_level(sctx, 6), -EINVAL);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* The controls against openssl s_server and Python's ssl                   */
/* ------------------------------------------------------------------------ */

static void test_partial_chain_trusts_an_intermediate_of_s_server(
    void **state)
{
    static const char *const args[] = {"-naccept", "1", "-www"};
    skt_tls_cert **chain;
    skt_tls_ctx *cctx;
    skt_socket *s;
    int port = 0;
    pid_t pid;

    (void)state;
    make_chain();
    cctx = client_trusting(cert("inter.pem"));
    /* The intermediate is not a root: without the flag the chain stops
     * short of one. */
    assert_code(s_server_verdict(cctx, "inter-leaf.pem", NULL, 0),
                SKT_ETLS_UNKNOWN_CA);
    assert_contains(skt_error_detail(), "issuer certificate");
    SKT_OK(skt_tls_ctx_set_verify_flags(cctx,
                                        SKT_TLS_VERIFY_X509_PARTIAL_CHAIN));
    pid = start_s_server_cert("inter-leaf.pem", args, 3, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    /* The verified chain ends at the intermediate, the anchor trusted. */
    assert_int_equal(skt_tls_get_verified_chain(s, &chain), 2);
    assert_string_equal(chain[1]->subject, "CN=skt test intermediate");
    skt_tls_freecerts(chain);
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_tls_ctx_free(cctx);
}

static void test_common_name_fallback_with_s_server(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    make_crl();
    SKT_OK(s_server_verdict(f->cctx, "cn-only.pem", NULL, 0));
    SKT_OK(skt_tls_ctx_set_hostname_checks_common_name(f->cctx, false));
    assert_code(s_server_verdict(f->cctx, "cn-only.pem", NULL, 0),
                SKT_ETLS_HOSTNAME);
    SKT_OK(s_server_verdict(f->cctx, "server.pem", NULL, 0));
}

/* The handshake checked no name (check_hostname off): the peer's
 * certificate against names afterwards, as `skt --insecure -v` does. */
static skt_socket *unchecked_to(skt_tls_ctx *cctx, const char *certname,
                                pid_t *pid)
{
    const char *args[] = {"-naccept", "1", "-www"};
    skt_socket *s;
    int port = 0;

    *pid = start_s_server_cert(certname, args, 3, &port);
    assert_true(*pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, cctx, "unchecked.example", false));
    return s;
}

static void test_match_hostname_checks_s_servers_certificate(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_socket *s, *plain, *other;
    pid_t pid;

    make_crl();
    SKT_OK(skt_tls_ctx_set_check_hostname(f->cctx, false));
    /* server.pem: DNS:localhost, IP:127.0.0.1, IP:::1. */
    s = unchecked_to(f->cctx, "server.pem", &pid);
    SKT_OK(skt_tls_match_hostname(s, "localhost"));
    SKT_OK(skt_tls_match_hostname(s, "LocalHost"));
    SKT_OK(skt_tls_match_hostname(s, "127.0.0.1"));
    SKT_OK(skt_tls_match_hostname(s, "::1"));
    assert_code(skt_tls_match_hostname(s, "unchecked.example"),
                SKT_ETLS_HOSTNAME);
    assert_contains(skt_error_detail(), "'unchecked.example'");
    assert_code(skt_tls_match_hostname(s, "127.0.0.2"), SKT_ETLS_HOSTNAME);
    assert_code(skt_tls_match_hostname(s, "sub.localhost"),
                SKT_ETLS_HOSTNAME);
    assert_code(skt_tls_match_hostname(s, ""), -EINVAL);
    assert_code(skt_tls_match_hostname(s, NULL), -EINVAL);
    skt_close(s);
    skt_test_wait(pid, 5);
    /* cn-only.pem: CN=localhost and no alternative name, matched by its
     * common name only while the context allows it. */
    s = unchecked_to(f->cctx, "cn-only.pem", &pid);
    SKT_OK(skt_tls_match_hostname(s, "localhost"));
    SKT_OK(skt_tls_ctx_set_hostname_checks_common_name(f->cctx, false));
    assert_code(skt_tls_match_hostname(s, "localhost"), SKT_ETLS_HOSTNAME);
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_test_tcp_pair(&plain, &other);
    assert_code(skt_tls_match_hostname(plain, "localhost"), -EINVAL);
    skt_close(plain);
    skt_close(other);
}

static void test_der_ca_in_memory_verifies_s_server(void **state)
{
    unsigned char *der;
    skt_tls_ctx *cctx;
    size_t len;

    (void)state;
    make_crl();
    assert_int_equal(setenv("SSL_CERT_FILE", cert("other-ca.pem"), 1), 0);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    assert_code(s_server_verdict(cctx, "server.pem", NULL, 0),
                SKT_ETLS_UNKNOWN_CA);
    der = slurp(cert("ca.der"), &len);
    SKT_OK(skt_tls_ctx_load_verify_der(cctx, der, len));
    SKT_OK(s_server_verdict(cctx, "server.pem", NULL, 0));
    free(der);
    skt_tls_ctx_free(cctx);
}

/* Lowercase hex of len bytes into text (2 * len + 1 bytes). */
static void to_hex(const unsigned char *data, size_t len, char *text)
{
    for (size_t i = 0; i < len; i++)
        sprintf(text + 2 * i, "%02x", data[i]);
    text[2 * len] = '\0';
}

/* What tls_store_info.py prints for the same store: the counts, then
 * the CA certificates in DER, in hex. */
static void expected_store_listing(skt_tls_ctx *cctx, char *text,
                                   size_t len)
{
    skt_tls_store_stats stats;
    skt_tls_cert **cas;
    int count;
    size_t used;

    SKT_OK(skt_tls_ctx_cert_store_stats(cctx, &stats));
    used = (size_t)snprintf(text, len, "stats x509 %zu crl %zu x509_ca %zu\n",
                            stats.x509, stats.crl, stats.x509_ca);
    count = skt_tls_ctx_get_ca_certs(cctx, &cas);
    assert_true(count >= 0);
    for (int i = 0; i < count; i++) {
        assert_true(used + 2 * cas[i]->der_len + 8 < len);
        used += (size_t)snprintf(text + used, len - used, "ca ");
        to_hex(cas[i]->der, cas[i]->der_len, text + used);
        used += 2 * cas[i]->der_len;
        text[used++] = '\n';
        text[used] = '\0';
    }
    skt_tls_freecerts(cas);
}

static void test_store_stats_and_ca_certs_agree_with_python(void **state)
{
    const char *python = skt_test_python();
    char script[512], want[16384], output[16384];
    skt_tls_ctx *cctx;
    unsigned char *der;
    size_t len;
    int out;
    pid_t pid;

    (void)state;
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    make_crl();
    /* The system store (Python's load_default_certs) is the other CA. */
    assert_int_equal(setenv("SSL_CERT_FILE", cert("other-ca.pem"), 1), 0);
    assert_int_equal(setenv("SSL_CERT_DIR", "/nonexistent", 1), 0);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_load_verify_locations(cctx, cert("crl.pem"), NULL,
                                             NULL));
    SKT_OK(skt_tls_ctx_load_verify_locations(cctx, cert("server.pem"), NULL,
                                             NULL));
    der = slurp(cert("ca.der"), &len);
    SKT_OK(skt_tls_ctx_load_verify_der(cctx, der, len));
    free(der);
    expected_store_listing(cctx, want, sizeof want);
    skt_test_source_path("tests/peers/tls_store_info.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script,
                                         (char *)cert("crl.pem"),
                                         (char *)cert("server.pem"),
                                         "--der", (char *)cert("ca.der"),
                                         NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    /* Two CAs (the other one and the test CA), the leaf, the CRL. */
    assert_contains(want, "stats x509 3 crl 1 x509_ca 2\n");
    assert_string_equal(output, want);
    skt_tls_ctx_free(cctx);
}

static void test_security_level_bounds_the_key_of_s_server(void **state)
{
    /* s_server itself must be allowed to use a 1024-bit key. */
    static const char *const weak[] = {"-cert", NULL, "-key", NULL,
                                       "-cipher", "DEFAULT:@SECLEVEL=0"};
    char pem[512], key[512];
    const char *args[6];
    skt_tls_ctx *cctx;

    (void)state;
    make_chain();
    /* cert's paths are reused after a few calls: keep copies. */
    snprintf(pem, sizeof pem, "%s", cert("rsa1024.pem"));
    snprintf(key, sizeof key, "%s", cert("rsa1024.key"));
    memcpy(args, weak, sizeof args);
    args[1] = pem;
    args[3] = key;
    cctx = client_trusting(cert("ca.pem"));
    SKT_OK(skt_tls_ctx_set_security_level(cctx, 2));
    assert_code(s_server_verdict(cctx, "server.pem", args, 6),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "key too weak");
    SKT_OK(skt_tls_ctx_set_security_level(cctx, 1));
    SKT_OK(s_server_verdict(cctx, "server.pem", args, 6));
    SKT_OK(skt_tls_ctx_set_security_level(cctx, 0));
    SKT_OK(s_server_verdict(cctx, "server.pem", args, 6));
    skt_tls_ctx_free(cctx);
}

static void test_x509_strict_refuses_a_lax_ca_of_s_server(void **state)
{
    skt_tls_ctx *cctx;

    (void)state;
    make_chain();
    cctx = client_trusting(cert("lax-ca.pem"));
    /* Normal verification accepts a CA whose basicConstraints is not
     * critical; strict X.509 (RFC 5280 4.2.1.9) does not. */
    SKT_OK(s_server_verdict(cctx, "lax-leaf.pem", NULL, 0));
    SKT_OK(skt_tls_ctx_set_verify_flags(
        cctx, skt_tls_ctx_get_verify_flags(cctx) |
                  SKT_TLS_VERIFY_X509_STRICT));
    assert_code(s_server_verdict(cctx, "lax-leaf.pem", NULL, 0),
                SKT_ETLS_CERT_VERIFY);
    assert_contains(skt_error_detail(), "not marked critical");
    /* A well-formed chain still passes. */
    skt_tls_ctx_free(cctx);
    cctx = client_trusting(cert("ca.pem"));
    SKT_OK(skt_tls_ctx_set_verify_flags(cctx, SKT_TLS_VERIFY_X509_STRICT));
    SKT_OK(s_server_verdict(cctx, "server.pem", NULL, 0));
    skt_tls_ctx_free(cctx);
}

/* The client's wrap code with cctx against a server of certname. */
static int verdict(skt_tls_ctx *cctx, const char *certname)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx(certname);
    int rc = client_against(&srv, sctx, serve_greeting, cctx, "localhost",
                            NULL);

    server_join(&srv);
    skt_tls_ctx_free(sctx);
    return rc;
}

/* Python's create_default_context(cafile=...): the given CAs replace the
 * system store. SSL_CERT_FILE makes the other CA the "system" store here
 * (each case runs in its own process). */
static void test_create_default_context_trusts_only_the_given_cas(void **state)
{
    skt_tls_ctx *system_only, *given, *both, *bad = NULL;
    (void)state;
    assert_int_equal(setenv("SSL_CERT_FILE", cert("other-ca.pem"), 1), 0);
    SKT_OK(skt_tls_create_default_context(&system_only, SKT_TLS_CLIENT, NULL,
                                          NULL, NULL));
    SKT_OK(skt_tls_create_default_context(&given, SKT_TLS_CLIENT,
                                          cert("ca.pem"), NULL, NULL));
    SKT_OK(skt_tls_ctx_new(&both, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_load_verify_locations(both, cert("ca.pem"), NULL,
                                             NULL));
    /* No CA given: the system store, as skt_tls_ctx_new. */
    SKT_OK(verdict(system_only, "unknown-ca.pem"));
    assert_code(verdict(system_only, "server.pem"), SKT_ETLS_UNKNOWN_CA);
    /* A CA given: that CA alone. */
    SKT_OK(verdict(given, "server.pem"));
    assert_code(verdict(given, "unknown-ca.pem"), SKT_ETLS_UNKNOWN_CA);
    /* skt_tls_ctx_new then load_verify_locations: both, as in Python. */
    SKT_OK(verdict(both, "server.pem"));
    SKT_OK(verdict(both, "unknown-ca.pem"));
    skt_tls_ctx_free(system_only);
    skt_tls_ctx_free(given);
    skt_tls_ctx_free(both);
    /* Errors leave nothing behind. */
    assert_true(skt_tls_create_default_context(&bad, SKT_TLS_CLIENT,
                                               "/nonexistent/ca.pem", NULL,
                                               NULL) < 0);
    assert_null(bad);
    assert_contains(skt_error_detail(), "/nonexistent/ca.pem");
    assert_int_equal(skt_tls_create_default_context(&bad, 7, NULL, NULL,
                                                    NULL),
                     -EINVAL);
    assert_null(bad);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_revoked_certificate_is_refused_with_a_crl, contexts),
    SKT_CASE(test_crl_check_of_the_chain, contexts),
    SKT_CASE(test_crl_check_without_a_crl_fails, contexts),
    SKT_CASE(test_skt_refuses_a_revoked_certificate_from_s_server, contexts),
    SKT_CASE(test_python_refuses_a_revoked_certificate_from_skt, contexts),
    SKT_CASE(test_partial_chain_trusts_the_leaf_itself, contexts),
    SKT_CASE(test_verify_flags_read_back_and_refuse_unknown_bits, contexts),
    SKT_CASE(test_hostname_checks_common_name_can_be_turned_off, contexts),
    SKT_CASE(test_ca_certificate_loads_from_der_in_memory, contexts),
    SKT_CASE(test_ca_certs_and_store_stats_show_what_was_loaded, contexts),
    SKT_CASE(test_security_level_bounds_the_keys, contexts),
    cmocka_unit_test(test_create_default_context_trusts_only_the_given_cas),
    cmocka_unit_test(test_partial_chain_trusts_an_intermediate_of_s_server),
    SKT_CASE(test_common_name_fallback_with_s_server, contexts),
    SKT_CASE(test_match_hostname_checks_s_servers_certificate, contexts),
    cmocka_unit_test(test_der_ca_in_memory_verifies_s_server),
    cmocka_unit_test(test_store_stats_and_ca_certs_agree_with_python),
    cmocka_unit_test(test_security_level_bounds_the_key_of_s_server),
    cmocka_unit_test(test_x509_strict_refuses_a_lax_ca_of_s_server),
};

SKT_TEST_MAIN(tests)
