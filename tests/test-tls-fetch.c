/*
 * test-tls-fetch.c - skt_get_server_certificate (Python's
 * ssl.get_server_certificate): the PEM of an skt server's and of
 * `openssl s_server`'s certificate, the same text as Python's, the
 * chain verified only with ca_certs, and one deadline over it all.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The contents of a file, NUL-terminated, into buf. */
static void read_file(const char *path, char *buf, size_t len)
{
    FILE *file = fopen(path, "r");
    size_t n;

    assert_non_null(file);
    n = fread(buf, 1, len - 1, file);
    buf[n] = '\0';
    fclose(file);
}

/* The PEM that skt fetches from 127.0.0.1:port; asserts success. */
static char *fetch(int port, const char *ca_certs)
{
    char service[16], *pem;

    snprintf(service, sizeof service, "%d", port);
    SKT_OK(skt_get_server_certificate("127.0.0.1", service, ca_certs, 10,
                                      &pem));
    return pem;
}

static void test_fetches_an_skt_servers_certificate_as_pem(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char file[8192];
    char *pem;

    server_start(&srv, f->sctx, serve_greeting);
    pem = fetch(srv.port, NULL);
    server_join(&srv);
    /* openssl writes server.pem in the same form as Python. */
    read_file(cert("server.pem"), file, sizeof file);
    assert_string_equal(pem, file);
    free(pem);
}

static void test_fetches_s_servers_certificate(void **state)
{
    static const char *const args[] = {"-naccept", "1", "-www"};
    char file[8192], *pem;
    int port = 0;
    pid_t pid;

    (void)state;
    pid = start_s_server_cert("wrong-name.pem", args, 3, &port);
    assert_true(pid > 0);
    /* The name is not checked, as in Python. */
    pem = fetch(port, cert("ca.pem"));
    skt_test_wait(pid, 5);
    read_file(cert("wrong-name.pem"), file, sizeof file);
    assert_string_equal(pem, file);
    free(pem);
}

static void test_pem_is_the_same_as_pythons(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    struct server srv = {.accepts = 2};
    char code[256], output[8192];
    char *pem;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    server_start(&srv, f->sctx, serve_greeting);
    snprintf(code, sizeof code, "import ssl; print(ssl.get_server_"
             "certificate(('127.0.0.1', %d), timeout=10), end='')",
             srv.port);
    pid = skt_test_spawn((char *const[]){(char *)python, "-c", code, NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    pem = fetch(srv.port, NULL);
    server_join(&srv);
    assert_string_equal(pem, output);
    free(pem);
}

static void test_ca_certs_verify_the_chain(void **state)
{
    struct server srv = {.accepts = 2};
    skt_tls_ctx *sctx;
    char service[16], *pem;

    (void)state;
    sctx = server_ctx("unknown-ca.pem");
    server_start(&srv, sctx, serve_greeting);
    snprintf(service, sizeof service, "%d", srv.port);
    assert_code(skt_get_server_certificate("127.0.0.1", service,
                                           cert("ca.pem"), 10, &pem),
                SKT_ETLS_UNKNOWN_CA);
    assert_null(pem);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1");
    /* Without ca_certs nothing is verified. */
    pem = fetch(srv.port, NULL);
    server_join(&srv);
    assert_contains(pem, "-----BEGIN CERTIFICATE-----\n");
    free(pem);
    assert_code(skt_get_server_certificate("127.0.0.1", service,
                                           "/nonexistent/ca.pem", 10, &pem),
                -ENOENT);
    skt_tls_ctx_free(sctx);
}

static void test_one_deadline_over_the_fetch(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char service[16], *pem;
    double start;

    /* A listener that never answers the hello: the handshake waits. */
    skt_test_tcp_listener(&f->listener, &f->port);
    snprintf(service, sizeof service, "%d", f->port);
    start = skt_test_now();
    assert_code(skt_get_server_certificate("127.0.0.1", service, NULL, 0.3,
                                           &pem), -ETIMEDOUT);
    assert_true(skt_test_now() - start < 2);
    assert_code(skt_get_server_certificate("127.0.0.1", service, NULL, 10,
                                           NULL), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_fetches_an_skt_servers_certificate_as_pem, server_ctx),
    cmocka_unit_test(test_fetches_s_servers_certificate),
    SKT_CASE(test_pem_is_the_same_as_pythons, server_ctx),
    cmocka_unit_test(test_ca_certs_verify_the_chain),
    SKT_CASE(test_one_deadline_over_the_fetch, server_ctx),
};

SKT_TEST_MAIN(tests)
