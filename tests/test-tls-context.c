/*
 * test-tls-context.c - TLS contexts: their secure defaults, the rules
 * between verification mode and hostname checking, settings that fail
 * with their own code and detail, encrypted keys, and the places a client
 * takes its trust from (the system store, a CA directory, memory).
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static char *read_file(const char *path)
{
    static char text[16384];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */
/* ------------------------------------------------------------------------ */

static void test_client_context_defaults_are_secure(void **state)
{
    skt_tls_ctx *client, *server;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&client, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_new(&server, SKT_TLS_SERVER));
    assert_int_equal(skt_tls_ctx_get_verify_mode(client),
                     SKT_TLS_CERT_REQUIRED);
    assert_true(skt_tls_ctx_get_check_hostname(client));
    assert_int_equal(skt_tls_ctx_get_verify_mode(server), SKT_TLS_CERT_NONE);
    assert_false(skt_tls_ctx_get_check_hostname(server));
    skt_tls_ctx_free(client);
    skt_tls_ctx_free(server);
    assert_code(skt_tls_ctx_new(&client, 7), -EINVAL);
    assert_null(client);
    skt_tls_ctx_free(NULL);
}

static void test_verify_none_needs_hostname_check_off_first(void **state)
{
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT));
    assert_code(skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE),
                -EINVAL);
    assert_contains(skt_error_detail(), "hostname checking is on");
    SKT_OK(skt_tls_ctx_set_check_hostname(ctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE));
    /* Turning the check back on turns verification back on. */
    SKT_OK(skt_tls_ctx_set_check_hostname(ctx, true));
    assert_int_equal(skt_tls_ctx_get_verify_mode(ctx),
                     SKT_TLS_CERT_REQUIRED);
    assert_code(skt_tls_ctx_set_verify_mode(ctx, 9), -EINVAL);
    skt_tls_ctx_free(ctx);
}

static void test_bad_settings_have_codes_and_details(void **state)
{
    static const char *const long_alpn[] = {
        "x23456789012345678901234567890123456789012345678901234567890123456"
        "78901234567890123456789012345678901234567890123456789012345678901"
        "23456789012345678901234567890123456789012345678901234567890123456"
        "7890123456789012345678901234567890123456789012345678901234567",
        NULL};
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    assert_code(skt_tls_ctx_load_verify_locations(ctx, "/nonexistent/ca.pem",
                                                  NULL, NULL), -ENOENT);
    assert_contains(skt_error_detail(), "/nonexistent/ca.pem");
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, cert("ca.pem"),
                                                  NULL), -ENOTDIR);
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, NULL, NULL),
                -EINVAL);
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, NULL,
                                                  "not a certificate"),
                SKT_ETLS_CONFIG);
    assert_code(skt_tls_ctx_load_cert_chain(ctx, "/nonexistent/c.pem", NULL,
                                            NULL), -ENOENT);
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("client.pem"),
                                            cert("server.key"), NULL),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "does not match");
    assert_code(skt_tls_ctx_set_ciphers(ctx, "NO-SUCH-CIPHER"),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "NO-SUCH-CIPHER");
    assert_code(skt_tls_ctx_set_alpn_protocols(ctx, long_alpn), -EINVAL);
    assert_code(skt_tls_ctx_set_minimum_version(ctx, 0x0305), -EINVAL);
    assert_code(skt_tls_ctx_set_maximum_version(ctx, 2), -EINVAL);
    skt_tls_ctx_free(ctx);
}

static void test_encrypted_key_needs_its_password(void **state)
{
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    /* Without a password nothing prompts: the load fails. */
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                            cert("server-enc.key"), NULL),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "no password given");
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                            cert("server-enc.key"), "wrong"),
                SKT_ETLS_CONFIG);
    SKT_OK(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                       cert("server-enc.key"), "secret"));
    skt_tls_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Trust                                                                    */
/* ------------------------------------------------------------------------ */

static void test_client_trusts_the_system_store_by_default(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx;
    /* OpenSSL's default store is where SSL_CERT_FILE points. */
    setenv("SSL_CERT_FILE", cert("ca.pem"), 1);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", NULL));
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    /* And without it the same server is not trusted. */
    setenv("SSL_CERT_FILE", "/nonexistent", 1);
    setenv("SSL_CERT_DIR", "/nonexistent", 1);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    assert_code(client_against(&srv, sctx, NULL, cctx, "localhost", NULL),
                SKT_ETLS_UNKNOWN_CA);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
}

static void test_ca_from_directory_and_from_memory(void **state)
{
    const char *kinds[] = {"capath", "cadata"};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx;
    for (int i = 0; i < 2; i++) {
        struct server srv = {0};
        skt_tls_ctx *cctx;
        SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
        if (i == 0)
            SKT_OK(skt_tls_ctx_load_verify_locations(cctx, NULL,
                                                     cert("cadir"), NULL));
        else
            SKT_OK(skt_tls_ctx_load_verify_locations(
                cctx, NULL, NULL, read_file(cert("ca.pem"))));
        if (client_against(&srv, sctx, NULL, cctx, "localhost", NULL) != 0)
            print_error("trust from %s failed: %s\n", kinds[i],
                        skt_error_detail());
        assert_int_equal(srv.wrap_rc, 0);
        server_join(&srv);
        skt_tls_ctx_free(cctx);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_client_context_defaults_are_secure),
    cmocka_unit_test(test_verify_none_needs_hostname_check_off_first),
    cmocka_unit_test(test_bad_settings_have_codes_and_details),
    cmocka_unit_test(test_encrypted_key_needs_its_password),
    SKT_CASE(test_client_trusts_the_system_store_by_default, server_ctx),
    SKT_CASE(test_ca_from_directory_and_from_memory, server_ctx),
};

SKT_TEST_MAIN(tests)
