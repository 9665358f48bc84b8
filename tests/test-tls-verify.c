/*
 * test-tls-verify.c - the bad-certificate matrix, each failure with its
 * own code and detail: expired, wrong host, self-signed, unknown CA, a
 * missing client certificate; a client certificate accepted, verification
 * turned off, no plaintext after a failed handshake, and peers that only
 * speak TLS 1.0.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The bad-certificate matrix                                               */
/* ------------------------------------------------------------------------ */

/* A default client against a server presenting certname fails with code
 * and a detail holding reason. */
static void expect_client_failure(const char *certname, const char *host,
                                  int code, const char *reason)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx(certname), *cctx = client_ctx();

    assert_code(client_against(&srv, sctx, NULL, cctx, host, NULL), code);
    assert_contains(skt_error_detail(), reason);
    assert_contains(skt_error_detail(), "certificate verify failed");
    assert_contains(skt_error_detail(), "(depth 0, subject CN=");
    assert_contains(skt_error_detail(), skt_strerror(code));
    server_join(&srv);
    /* The server hears of it through an alert. */
    assert_true(srv.wrap_rc < 0);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_expired_certificate_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("expired.pem", "localhost", SKT_ETLS_CERT_EXPIRED,
                          "certificate has expired");
}

static void test_wrong_host_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("wrong-name.pem", "localhost", SKT_ETLS_HOSTNAME,
                          "hostname mismatch, the certificate is not valid "
                          "for 'localhost'");
}

static void test_self_signed_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("self-signed.pem", "localhost",
                          SKT_ETLS_SELF_SIGNED, "self-signed certificate");
}

static void test_unknown_ca_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("unknown-ca.pem", "localhost", SKT_ETLS_UNKNOWN_CA,
                          "unable to get local issuer certificate");
}

/* ------------------------------------------------------------------------ */
/* Client certificates, verification off, failed handshakes                 */
/* ------------------------------------------------------------------------ */

/* The contexts of mutual authentication: the server requires a client
 * certificate signed by the test CA. */
static int setup_mutual(void **state)
{
    struct tls_fixture *f;

    setup_contexts(state);
    f = *state;
    if (f != NULL) {
        SKT_OK(skt_tls_ctx_load_verify_locations(f->sctx, cert("ca.pem"),
                                                 NULL, NULL));
        SKT_OK(skt_tls_ctx_set_verify_mode(f->sctx, SKT_TLS_CERT_REQUIRED));
    }
    return 0;
}

static void test_missing_client_cert_fails_when_required(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    char buf[8];
    int rc;
    /* In TLS 1.3 the client finishes first and hears the server's alert
     * on its first read. */
    rc = client_against(&srv, sctx, NULL, cctx, "localhost", &s);
    if (rc == 0) {
        rc = (int)skt_recv(s, buf, sizeof buf, 0);
        skt_close(s);
    }
    assert_code(rc, SKT_ETLS_NO_CLIENT_CERT);
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_NO_CLIENT_CERT);
    assert_contains(srv.detail, "peer did not return a certificate");
}

static void test_client_cert_accepted_when_required(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    char buf[8];
    SKT_OK(skt_tls_ctx_load_cert_chain(cctx, cert("client.pem"),
                                       cert("client.key"), NULL));
    SKT_OK(client_against(&srv, sctx, serve_greeting, cctx, "localhost",
                          &s));
    SKT_OK(skt_recv_exact(s, buf, 5, 0, NULL));
    assert_memory_equal(buf, "hello", 5);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.peer_subject, "CN=skt test client");
}

static void test_verify_none_connects_and_reports_result(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("self-signed.pem"), *cctx = client_ctx();
    const char *reason;
    skt_socket *s;
    (void)state;
    SKT_OK(skt_tls_ctx_set_check_hostname(cctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(cctx, SKT_TLS_CERT_NONE));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_int_equal(skt_tls_verify_result(s, &reason), SKT_ETLS_SELF_SIGNED);
    assert_contains(reason, "self-signed");
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_failed_handshake_allows_no_plaintext(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("unknown-ca.pem"), *cctx = client_ctx();
    skt_socket *s;
    char buf[4];
    int fd;
    (void)state;
    server_start(&srv, sctx, NULL);
    s = connect_to(srv.port, 10);
    assert_code(skt_tls_wrap(s, cctx, "localhost", false),
                SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_send(s, "x", 1, 0), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_recv(s, buf, sizeof buf, 0), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_tls_handshake(s), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_detach(s, &fd), -EBUSY);
    /* Nor do the calls that go around the transport. */
    assert_code(skt_sendto(s, "x", 1, 0, NULL), -EOPNOTSUPP);
    assert_code(skt_recvfrom(s, buf, sizeof buf, 0, NULL), -EOPNOTSUPP);
    /* The layer is only removed on request. */
    SKT_OK(skt_tls_unwrap(s));
    SKT_OK(skt_detach(s, &fd));
    assert_true(fd >= 0);
    close(fd);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Peers of TLS 1.0 only                                                    */
/* ------------------------------------------------------------------------ */

static void test_tls10_only_peer_fails_with_version_code(void **state)
{
    static const char *const tls10[] = {"-tls1", "-cipher",
                                        "DEFAULT@SECLEVEL=0", "-naccept",
                                        "2", "-www"};
    skt_tls_ctx *cctx = client_ctx();
    char probe[512];
    skt_socket *s;
    pid_t pid;
    int port = 0;
    (void)state;
    pid = start_s_server(tls10, 6, &port);
    if (pid < 0)
        SKT_SKIP("openssl s_server -tls1 does not start here");
    /* A TLS 1.0 client proves the peer really offers TLS 1.0. */
    snprintf(probe, sizeof probe, "openssl s_client -connect 127.0.0.1:%d "
             "-tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1",
             port);
    if (system(probe) != 0) {
        skt_test_wait(pid, 0);
        SKT_SKIP("the local OpenSSL cannot offer TLS 1.0, even at security "
                 "level 0");
    }
    s = connect_to(port, 10);
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), SKT_ETLS_VERSION);
    assert_contains(skt_error_detail(), "protocol version");
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_tls_ctx_free(cctx);
}

static void test_tls10_only_client_fails_with_version_code(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx;
    char cmd[512];
    server_start(&srv, sctx, NULL);
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1",
             srv.port);
    assert_true(system(cmd) != 0);
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_VERSION);
    assert_contains(srv.detail, "unsupported protocol");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_expired_certificate_fails_with_its_code),
    cmocka_unit_test(test_wrong_host_fails_with_its_code),
    cmocka_unit_test(test_self_signed_fails_with_its_code),
    cmocka_unit_test(test_unknown_ca_fails_with_its_code),
    SKT_CASE(test_missing_client_cert_fails_when_required, mutual),
    SKT_CASE(test_client_cert_accepted_when_required, mutual),
    cmocka_unit_test(test_verify_none_connects_and_reports_result),
    cmocka_unit_test(test_failed_handshake_allows_no_plaintext),
    cmocka_unit_test(test_tls10_only_peer_fails_with_version_code),
    SKT_CASE(test_tls10_only_client_fails_with_version_code, server_ctx),
};

SKT_TEST_MAIN(tests)
