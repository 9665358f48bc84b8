/*
 * test-tls-verify.c - the bad-certificate matrix, each failure with its
 * own code and detail: expired, wrong host, self-signed, unknown CA, a
 * missing client certificate; a client certificate accepted, verification
 * turned off, no plaintext after a failed handshake, a refusal that
 * reaches a send, a half-close or an unwrap as a reset (Python's ssl and
 * openssl s_server), and peers that only speak TLS 1.0.
 */
#include "tls-common.h"

#include <errno.h>
#include <poll.h>
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
/* A refusal after the client's handshake, met by a send                    */
/* ------------------------------------------------------------------------ */

/* Waits (at most 10 s) until poll reports one of events on s. */
static void wait_for(skt_socket *s, short events)
{
    struct pollfd p = {.fd = skt_test_fd(s), .events = POLLIN | POLLRDHUP};

    for (int i = 0; i < 1000; i++) {
        assert_true(poll(&p, 1, 10) >= 0);
        if (p.revents & events)
            return;
        if (p.revents != 0)
            usleep(10000);
    }
    fail_msg("no poll event %#x within 10 s", (unsigned)events);
}

/* Whether the peer's reset has reached s (its error is still pending). */
static bool reset_arrived(skt_socket *s)
{
    struct pollfd p = {.fd = skt_test_fd(s), .events = POLLIN};

    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/*
 * A client with cctx connects to port, finishes its handshake, and waits
 * for the server's refusal: its alert, then the end of the connection.
 * A server that closes with the client's last handshake records unread
 * (Python's ssl) resets the connection at once; one that read them all
 * (s_server) ends it with a FIN, and once the server (pid) has exited,
 * the client's first send draws the reset. Returns the client, with the
 * reset arrived and the alert still unread in front of it; the server's
 * exit status in *status.
 */
static skt_socket *refused_client(skt_tls_ctx *cctx, int port, pid_t pid,
                                  int *status)
{
    skt_socket *s = connect_to(port, 10);

    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    wait_for(s, POLLRDHUP | POLLHUP | POLLERR);
    *status = skt_test_wait(pid, 10);
    if (!reset_arrived(s)) {
        assert_int_equal(skt_send(s, "x", 1, 0), 1);
        wait_for(s, POLLERR);
    }
    return s;
}

/* A send into the refused connection reports the alert's code, and so do
 * sendall (nothing sent) and a recv after it. Returns the server's exit
 * status. */
static int expect_send_refused(skt_tls_ctx *cctx, int port, pid_t pid,
                               int code)
{
    size_t sent = 99;
    char buf[8];
    int status;
    skt_socket *s = refused_client(cctx, port, pid, &status);

    assert_code(skt_send(s, "x", 1, 0), code);
    assert_contains(skt_error_detail(), skt_strerror(code));
    assert_code(skt_sendall(s, "hello", 5, 0, &sent), code);
    assert_int_equal(sent, 0);
    assert_code(skt_recv(s, buf, sizeof buf, 0), code);
    skt_close(s);
    return status;
}

/* tls_server.py requiring a client certificate signed by the test CA;
 * returns its pid and its port in *port. */
static pid_t start_python_requiring_cert(int *port)
{
    const char *python = skt_test_python();
    char script[512], line[256];
    pid_t pid;
    int out;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    skt_test_source_path("tests/peers/tls_server.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--cert",
                                         (char *)cert("server.pem"), "--key",
                                         (char *)cert("server.key"),
                                         "--cafile", (char *)cert("ca.pem"),
                                         "--require-client-cert",
                                         "--timeout", "10", NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    close(out);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%d", port), 1);
    return pid;
}

/* openssl s_server requiring a client certificate (-Verify 1) signed by
 * the test CA, for one connection (-www: it reads no stdin, whose end
 * would stop it; -verify_return_error: a certificate that does not verify
 * is refused, not only reported); returns its pid. */
static pid_t start_s_server_requiring_cert(int *port)
{
    const char *const verify[] = {"-Verify",       "1",
                                  "-verify_return_error", "-CAfile",
                                  cert("ca.pem"),  "-naccept",
                                  "1",             "-www"};
    pid_t pid = start_s_server(verify, 8, port);

    if (pid < 0)
        SKT_SKIP("openssl s_server -Verify 1 does not start here");
    return pid;
}

/* A client certificate that the servers do not trust: signed by another
 * CA than theirs. */
static void use_unknown_client_cert(skt_tls_ctx *cctx)
{
    SKT_OK(skt_tls_ctx_load_cert_chain(cctx, cert("unknown-ca.pem"),
                                       cert("server.key"), NULL));
}

static void test_send_after_python_refused_no_cert_gets_its_code(
    void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    int port = 0;
    pid_t pid;
    (void)state;
    pid = start_python_requiring_cert(&port);
    assert_int_not_equal(
        expect_send_refused(cctx, port, pid, SKT_ETLS_NO_CLIENT_CERT), 0);
    skt_tls_ctx_free(cctx);
}

static void test_send_after_python_refused_unknown_ca_gets_code(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    int port = 0;
    pid_t pid;
    (void)state;
    use_unknown_client_cert(cctx);
    pid = start_python_requiring_cert(&port);
    assert_int_not_equal(
        expect_send_refused(cctx, port, pid, SKT_ETLS_UNKNOWN_CA), 0);
    skt_tls_ctx_free(cctx);
}

static void test_send_after_s_server_refused_no_cert_gets_code(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    int port = 0;
    pid_t pid;
    (void)state;
    pid = start_s_server_requiring_cert(&port);
    expect_send_refused(cctx, port, pid, SKT_ETLS_NO_CLIENT_CERT);
    skt_tls_ctx_free(cctx);
}

static void test_send_after_s_server_refused_unknown_ca_gets_code(
    void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    int port = 0;
    pid_t pid;
    (void)state;
    use_unknown_client_cert(cctx);
    pid = start_s_server_requiring_cert(&port);
    expect_send_refused(cctx, port, pid, SKT_ETLS_UNKNOWN_CA);
    skt_tls_ctx_free(cctx);
}

static void test_shutdown_write_after_refusal_gets_the_alert(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *s;
    int port = 0, status;
    pid_t pid;
    (void)state;
    pid = start_python_requiring_cert(&port);
    s = refused_client(cctx, port, pid, &status);
    assert_code(skt_tls_shutdown_write(s), SKT_ETLS_NO_CLIENT_CERT);
    assert_contains(skt_error_detail(), "TLS close_notify with 127.0.0.1:");
    assert_contains(skt_error_detail(), "certificate required");
    skt_close(s);
    assert_int_not_equal(status, 0);
    skt_tls_ctx_free(cctx);
}

static void test_unwrap_after_refusal_gets_the_alert(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *s;
    int port = 0, status;
    pid_t pid;
    (void)state;
    pid = start_python_requiring_cert(&port);
    s = refused_client(cctx, port, pid, &status);
    assert_code(skt_tls_unwrap(s), SKT_ETLS_NO_CLIENT_CERT);
    assert_contains(skt_error_detail(), "TLS unwrap with 127.0.0.1:");
    assert_contains(skt_error_detail(), "certificate required");
    skt_close(s);
    assert_int_not_equal(status, 0);
    skt_tls_ctx_free(cctx);
}

/* With nothing from the peer in front of it, the reset stays the reset. */
static void test_send_after_plain_reset_reports_the_reset(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_socket *s;
    int rc;
    SKT_OK(client_against(&srv, f->sctx, NULL, f->cctx, "localhost", &s));
    server_join(&srv);
    /* The server thread closed its end with nothing sent; a first send
     * draws the reset, the next meets it. */
    wait_for(s, POLLRDHUP | POLLHUP | POLLERR);
    assert_int_equal(skt_send(s, "x", 1, 0), 1);
    wait_for(s, POLLERR);
    rc = (int)skt_send(s, "x", 1, 0);
    assert_true(rc == -ECONNRESET || rc == -EPIPE);
    skt_close(s);
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
    cmocka_unit_test(test_send_after_python_refused_no_cert_gets_its_code),
    cmocka_unit_test(test_send_after_python_refused_unknown_ca_gets_code),
    cmocka_unit_test(test_send_after_s_server_refused_no_cert_gets_code),
    cmocka_unit_test(test_send_after_s_server_refused_unknown_ca_gets_code),
    cmocka_unit_test(test_shutdown_write_after_refusal_gets_the_alert),
    cmocka_unit_test(test_unwrap_after_refusal_gets_the_alert),
    SKT_CASE(test_send_after_plain_reset_reports_the_reset, contexts),
    cmocka_unit_test(test_tls10_only_peer_fails_with_version_code),
    SKT_CASE(test_tls10_only_client_fails_with_version_code, server_ctx),
};

SKT_TEST_MAIN(tests)
