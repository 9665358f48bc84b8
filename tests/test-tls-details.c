/*
 * test-tls-details.c - what a connection tells beyond version and cipher:
 * the peer's certificate in DER, the verified and unverified chains,
 * channel bindings (tls-unique, tls-exporter) agreeing on both sides and
 * with Python's ssl, the shared ciphers, and the context's getters.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lowercase hex of len bytes into text (2 * len + 1 bytes). */
static void to_hex(const unsigned char *data, size_t len, char *text)
{
    for (size_t i = 0; i < len; i++)
        sprintf(text + 2 * i, "%02x", data[i]);
    text[2 * len] = '\0';
}

/* What the server thread saw, for the main thread after the join. */
static char server_unique[128];
static char server_exporter[128];
static int shared_count;
static bool shared_has_current;

/* Serves: notes the bindings and the shared ciphers, then greets. */
static void serve_noting_details(struct server *srv, skt_socket *conn)
{
    unsigned char data[64];
    const char *names[64];
    int n = skt_tls_get_channel_binding(conn, "tls-unique", data,
                                        sizeof data);

    server_unique[0] = server_exporter[0] = '\0';
    if (n > 0)
        to_hex(data, (size_t)n, server_unique);
    n = skt_tls_get_channel_binding(conn, "tls-exporter", data, sizeof data);
    if (n > 0)
        to_hex(data, (size_t)n, server_exporter);
    shared_count = skt_tls_shared_ciphers(conn, names, 64);
    shared_has_current = false;
    for (int i = 0; i < shared_count && i < 64; i++)
        if (strcmp(names[i], skt_tls_cipher(conn)) == 0)
            shared_has_current = true;
    serve_greeting(srv, conn);
}

/* The binding of type on s as hex, or "" when there is none. */
static const char *binding_hex(skt_socket *s, const char *type,
                               char *text)
{
    unsigned char data[64];
    int n = skt_tls_get_channel_binding(s, type, data, sizeof data);

    text[0] = '\0';
    if (n > 0)
        to_hex(data, (size_t)n, text);
    return text;
}

/* The bytes of a file, to free; *len gets the count. */
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

/* ------------------------------------------------------------------------ */
/* Certificates and chains                                                  */
/* ------------------------------------------------------------------------ */

static void test_peer_certificate_der_is_the_one_sent(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char cmd[1200], der_path[600];
    struct server srv = {0};
    skt_tls_cert *peer;
    unsigned char *der;
    skt_socket *s;
    size_t len;

    snprintf(der_path, sizeof der_path, "%s.der", cert("server.pem"));
    snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -outform der -out '%s'",
             cert("server.pem"), der_path);
    assert_int_equal(system(cmd), 0);
    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    SKT_OK(skt_tls_getpeercert(s, &peer));
    der = slurp(der_path, &len);
    assert_int_equal(peer->der_len, len);
    assert_memory_equal(peer->der, der, len);
    free(der);
    skt_tls_freecert(peer);
    skt_close(s);
    server_join(&srv);
}

static void test_verified_chain_ends_at_the_trusted_ca(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_cert **chain;
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    assert_int_equal(skt_tls_get_verified_chain(s, &chain), 2);
    assert_string_equal(chain[0]->subject, "CN=localhost");
    assert_string_equal(chain[1]->subject, "CN=skt test CA");
    assert_null(chain[2]);
    skt_tls_freecerts(chain);
    /* The server sent its own certificate only. */
    assert_int_equal(skt_tls_get_unverified_chain(s, &chain), 1);
    assert_string_equal(chain[0]->subject, "CN=localhost");
    skt_tls_freecerts(chain);
    skt_close(s);
    server_join(&srv);
}

static void test_no_verified_chain_without_verification(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("self-signed.pem");
    skt_tls_cert **chain;
    skt_socket *s;

    SKT_OK(skt_tls_ctx_set_check_hostname(f->cctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(f->cctx, SKT_TLS_CERT_NONE));
    SKT_OK(client_against(&srv, sctx, serve_greeting, f->cctx, "localhost",
                          &s));
    assert_code(skt_tls_get_verified_chain(s, &chain), -ENOENT);
    assert_null(chain);
    assert_int_equal(skt_tls_get_unverified_chain(s, &chain), 1);
    skt_tls_freecerts(chain);
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(sctx);
}

static void test_chains_need_a_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_cert **chain;
    char buf[64];

    assert_code(skt_tls_get_verified_chain(f->client, &chain), -EINVAL);
    assert_code(skt_tls_get_channel_binding(f->client, NULL, buf,
                                            sizeof buf), -EINVAL);
    assert_code(skt_tls_shared_ciphers(f->client, NULL, 0), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Channel bindings and shared ciphers                                      */
/* ------------------------------------------------------------------------ */

static void test_tls_unique_agrees_on_both_sides_of_tls12(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char text[128];
    skt_socket *s;

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    binding_hex(s, "tls-unique", text);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(strlen(text), 24); /* 12 bytes of Finished */
    assert_string_equal(text, server_unique);
    /* OpenSSL uses the extended master secret: tls-exporter works too. */
    assert_int_equal(strlen(server_exporter), 64);
}

static void test_tls_exporter_agrees_on_both_sides_of_tls13(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    unsigned char small[8];
    char text[128];
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    binding_hex(s, "tls-exporter", text);
    assert_code(skt_tls_get_channel_binding(s, "tls-unique", small,
                                            sizeof small), -EOPNOTSUPP);
    assert_contains(skt_error_detail(), "RFC 9266");
    assert_code(skt_tls_get_channel_binding(s, "tls-exporter", small,
                                            sizeof small), SKT_ETRUNCATED);
    assert_code(skt_tls_get_channel_binding(s, "tls-server-end-point",
                                            small, sizeof small), -EINVAL);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(strlen(text), 64);
    assert_string_equal(text, server_exporter);
    assert_string_equal(server_unique, "");
}

static void test_shared_ciphers_are_a_servers(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    assert_code(skt_tls_shared_ciphers(s, NULL, 0), -EOPNOTSUPP);
    skt_close(s);
    server_join(&srv);
    assert_true(shared_count >= 3); /* at least the TLS 1.3 suites */
    assert_true(shared_has_current);
}

/* The certificate an skt client receives from the fixture's server. */
static skt_tls_cert *peer_certificate(struct tls_fixture *f)
{
    struct server srv = {0};
    skt_tls_cert *peer;
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    SKT_OK(skt_tls_getpeercert(s, &peer));
    skt_close(s);
    server_join(&srv);
    return peer;
}

static void test_tls_unique_and_der_agree_with_python(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    char script[512], port[16], output[8192], want[4096];
    struct server srv = {0};
    skt_tls_cert *own;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    server_start(&srv, f->sctx, serve_noting_details);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_info_client.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"), NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_contains(output, "version TLSv1.2\n");
    snprintf(want, sizeof want, "tls-unique %s\n", server_unique);
    assert_contains(output, want);
    /* Python's binary form of the certificate is skt's der. */
    own = peer_certificate(f);
    assert_true(own->der_len * 2 < sizeof want - 8);
    strcpy(want, "der ");
    to_hex(own->der, own->der_len, want + 4);
    assert_contains(output, want);
    skt_tls_freecert(own);
}

/* ------------------------------------------------------------------------ */
/* The context's getters                                                    */
/* ------------------------------------------------------------------------ */

static void test_context_versions_and_options_read_back(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    uint64_t options = skt_tls_ctx_get_options(f->cctx);

    assert_int_equal(skt_tls_ctx_get_minimum_version(f->cctx),
                     SKT_TLS_VERSION_1_2);
    assert_int_equal(skt_tls_ctx_get_maximum_version(f->cctx),
                     SKT_TLS_VERSION_ANY);
    SKT_OK(skt_tls_ctx_set_minimum_version(f->cctx, SKT_TLS_VERSION_1_3));
    SKT_OK(skt_tls_ctx_set_maximum_version(f->cctx, SKT_TLS_VERSION_1_3));
    assert_int_equal(skt_tls_ctx_get_minimum_version(f->cctx),
                     SKT_TLS_VERSION_1_3);
    assert_int_equal(skt_tls_ctx_get_maximum_version(f->cctx),
                     SKT_TLS_VERSION_1_3);
    assert_int_equal(options & (SKT_TLS_OP_NO_COMPRESSION |
                                SKT_TLS_OP_NO_RENEGOTIATION |
                                SKT_TLS_OP_IGNORE_UNEXPECTED_EOF),
                     SKT_TLS_OP_NO_COMPRESSION | SKT_TLS_OP_NO_RENEGOTIATION |
                         SKT_TLS_OP_IGNORE_UNEXPECTED_EOF);
    SKT_OK(skt_tls_ctx_set_options(f->cctx, options | SKT_TLS_OP_NO_TICKET));
    assert_int_equal(skt_tls_ctx_get_options(f->cctx),
                     options | SKT_TLS_OP_NO_TICKET);
    SKT_OK(skt_tls_ctx_set_options(f->cctx, options));
    assert_int_equal(skt_tls_ctx_get_options(f->cctx), options);
    assert_code(skt_tls_ctx_set_options(f->cctx, UINT64_C(1) << 40),
                -EINVAL);
    assert_code(skt_tls_ctx_get_minimum_version(NULL), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_peer_certificate_der_is_the_one_sent, contexts),
    SKT_CASE(test_verified_chain_ends_at_the_trusted_ca, contexts),
    SKT_CASE(test_no_verified_chain_without_verification, contexts),
    SKT_CASE(test_chains_need_a_handshake, pair),
    SKT_CASE(test_tls_unique_agrees_on_both_sides_of_tls12, contexts),
    SKT_CASE(test_tls_exporter_agrees_on_both_sides_of_tls13, contexts),
    SKT_CASE(test_shared_ciphers_are_a_servers, contexts),
    SKT_CASE(test_tls_unique_and_der_agree_with_python, contexts),
    SKT_CASE(test_context_versions_and_options_read_back, contexts),
};

SKT_TEST_MAIN(tests)
