/*
 * test-tls-postauth.c - TLS 1.3 post-handshake client authentication (an
 * skt server asking for the client's certificate after the handshake,
 * answered by skt, `openssl s_client -enable_pha` and Python's ssl), and
 * a server's key exchange settings: its ECDH curves and its DH parameters.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the post-handshake server saw, for the main thread. */
static int request_rc, recv_rc;
static char subject_after[256];

/* Serves: asks for the client's certificate, says hello, reads "ping\n",
 * notes the certificate, answers "done\n". */
static void serve_pha(struct server *srv, skt_socket *conn)
{
    skt_tls_cert *peer;
    char ping[5];

    subject_after[0] = '\0';
    recv_rc = 0;
    request_rc = skt_tls_verify_client_post_handshake(conn);
    if (request_rc < 0) {
        note_failure(srv, &srv->serve_rc, request_rc);
        return;
    }
    recv_rc = skt_sendall(conn, "hello\n", 6, 0, NULL);
    if (recv_rc == 0)
        recv_rc = skt_recv_exact(conn, ping, sizeof ping, 0, NULL);
    if (recv_rc < 0) {
        note_failure(srv, &srv->serve_rc, recv_rc);
        return;
    }
    if (skt_tls_getpeercert(conn, &peer) == 0) {
        snprintf(subject_after, sizeof subject_after, "%s", peer->subject);
        skt_tls_freecert(peer);
    }
    skt_sendall(conn, "done\n", 5, 0, NULL);
}

/* The fixture's server verifies clients, after the handshake. */
static void require_client_certs_later(struct tls_fixture *f)
{
    SKT_OK(skt_tls_ctx_load_verify_locations(f->sctx, cert("ca.pem"), NULL,
                                             NULL));
    SKT_OK(skt_tls_ctx_set_verify_mode(f->sctx, SKT_TLS_CERT_REQUIRED));
    SKT_OK(skt_tls_ctx_set_post_handshake_auth(f->sctx, true));
    assert_true(skt_tls_ctx_get_post_handshake_auth(f->sctx));
}

/* The client's side of serve_pha; returns the code of the exchange. */
static int answer_pha(skt_socket *s)
{
    char buf[6];
    int rc = skt_recv_exact(s, buf, 6, 0, NULL);

    if (rc == 0)
        rc = skt_sendall(s, "ping\n", 5, 0, NULL);
    if (rc == 0)
        rc = skt_recv_exact(s, buf, 5, 0, NULL);
    if (rc == 0)
        assert_memory_equal(buf, "done\n", 5);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Post-handshake authentication                                            */
/* ------------------------------------------------------------------------ */

static void test_post_handshake_auth_gets_the_client_certificate(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    require_client_certs_later(f);
    SKT_OK(skt_tls_ctx_set_post_handshake_auth(f->cctx, true));
    SKT_OK(skt_tls_ctx_load_cert_chain(f->cctx, cert("client.pem"),
                                       cert("client.key"), NULL));
    SKT_OK(client_against(&srv, f->sctx, serve_pha, f->cctx, "localhost",
                          &s));
    SKT_OK(answer_pha(s));
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    /* None was asked for in the handshake; then the client's came. */
    assert_string_equal(srv.peer_subject, "");
    assert_string_equal(subject_after, "CN=skt test client");
}

static void test_post_handshake_auth_without_a_certificate_fails(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    require_client_certs_later(f);
    SKT_OK(skt_tls_ctx_set_post_handshake_auth(f->cctx, true));
    SKT_OK(client_against(&srv, f->sctx, serve_pha, f->cctx, "localhost",
                          &s));
    assert_true(answer_pha(s) < 0);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(request_rc, 0);
    assert_int_equal(srv.serve_rc, SKT_ETLS_NO_CLIENT_CERT);
}

static void test_post_handshake_request_needs_the_clients_offer(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    require_client_certs_later(f);
    SKT_OK(client_against(&srv, f->sctx, serve_pha, f->cctx, "localhost",
                          &s));
    skt_close(s);
    server_join(&srv);
    assert_int_equal(request_rc, -EOPNOTSUPP);
    assert_contains(srv.detail, "did not offer post-handshake");
}

static void test_post_handshake_request_needs_tls13(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    require_client_certs_later(f);
    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_post_handshake_auth(f->cctx, true));
    SKT_OK(skt_tls_ctx_load_cert_chain(f->cctx, cert("client.pem"),
                                       cert("client.key"), NULL));
    SKT_OK(client_against(&srv, f->sctx, serve_pha, f->cctx, "localhost",
                          &s));
    skt_close(s);
    server_join(&srv);
    assert_int_equal(request_rc, -EOPNOTSUPP);
    assert_contains(srv.detail, "not TLS 1.3");
    assert_code(skt_tls_verify_client_post_handshake(f->client), -EINVAL);
}

static void test_s_client_answers_a_post_handshake_request(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char cmd[1400], output[16384];
    int out;
    pid_t pid;

    require_client_certs_later(f);
    server_start(&srv, f->sctx, serve_pha);
    /* The ping goes once s_client has read (and answered) the request. */
    snprintf(cmd, sizeof cmd, "(sleep 1; echo ping; sleep 1) | openssl "
             "s_client -connect 127.0.0.1:%d -servername localhost "
             "-CAfile '%s' -enable_pha -cert '%s' -key '%s' 2>&1",
             srv.port, cert("ca.pem"), cert("client.pem"),
             cert("client.key"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    skt_test_wait(pid, 10);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    assert_string_equal(subject_after, "CN=skt test client");
    assert_contains(output, "done");
}

static void test_python_answers_a_post_handshake_request(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    char script[512], port[16], output[1024];
    struct server srv = {0};
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    require_client_certs_later(f);
    server_start(&srv, f->sctx, serve_pha);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_pha_client.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"), "--cert",
                                         (char *)cert("client.pem"), "--key",
                                         (char *)cert("client.key"), NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    assert_string_equal(output, "done\n");
    assert_string_equal(subject_after, "CN=skt test client");
}

/* ------------------------------------------------------------------------ */
/* Key exchange                                                             */
/* ------------------------------------------------------------------------ */

/* The client's wrap code against a server of sctx (greeting). */
static int handshake_with(skt_tls_ctx *sctx, skt_tls_ctx *cctx)
{
    struct server srv = {0};
    char detail[1024];
    int rc = client_against(&srv, sctx, serve_greeting, cctx, "localhost",
                            NULL);

    snprintf(detail, sizeof detail, "%s", skt_error_detail());
    server_join(&srv);
    return skt_set_error_detail(rc, "%s", detail);
}

static void test_server_curve_bounds_the_key_exchange(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char cmd[1024], output[16384];
    skt_tls_ctx *cctx = client_ctx();
    int out;
    pid_t pid;

    SKT_OK(skt_tls_ctx_set_ecdh_curve(f->sctx, "secp384r1"));
    SKT_OK(skt_tls_ctx_set_ecdh_curve(cctx, "X25519"));
    assert_code(handshake_with(f->sctx, cctx), SKT_ETLS_HANDSHAKE);
    SKT_OK(handshake_with(f->sctx, f->cctx));
    server_start(&srv, f->sctx, serve_greeting);
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername localhost -CAfile '%s' </dev/null 2>&1", srv.port,
             cert("ca.pem"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    skt_test_wait(pid, 10);
    server_join(&srv);
    assert_contains(output, "Server Temp Key: ECDH, secp384r1");
    assert_code(skt_tls_ctx_set_ecdh_curve(cctx, "no-such-curve"),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "no-such-curve");
    skt_tls_ctx_free(cctx);
}

/* Makes rsa.pem, rsa.key and dh.pem, once a process. */
static void make_dh(void)
{
    make_more_certs("make-dh.sh");
}

static void test_dh_params_enable_the_dhe_suites(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_ctx *sctx;
    skt_socket *s;

    make_dh();
    SKT_OK(skt_tls_ctx_new(&sctx, SKT_TLS_SERVER));
    SKT_OK(skt_tls_ctx_load_cert_chain(sctx, cert("rsa.pem"),
                                       cert("rsa.key"), NULL));
    SKT_OK(skt_tls_ctx_set_maximum_version(sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_ciphers(sctx, "DHE-RSA-AES128-GCM-SHA256"));
    /* Without parameters the only suite cannot be chosen. */
    assert_code(handshake_with(sctx, f->cctx), SKT_ETLS_HANDSHAKE);
    SKT_OK(skt_tls_ctx_load_dh_params(sctx, cert("dh.pem")));
    SKT_OK(client_against(&srv, sctx, serve_greeting, f->cctx, "localhost",
                          &s));
    assert_string_equal(skt_tls_cipher(s), "DHE-RSA-AES128-GCM-SHA256");
    skt_close(s);
    server_join(&srv);
    assert_code(skt_tls_ctx_load_dh_params(sctx, "/nonexistent/dh.pem"),
                -ENOENT);
    assert_code(skt_tls_ctx_load_dh_params(sctx, cert("ca.pem")),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "no DH parameters");
    skt_tls_ctx_free(sctx);
}

/* What `openssl s_client -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256` says
 * against a server of sctx; returns the server's wrap code. */
static int dhe_s_client(skt_tls_ctx *sctx, char *output, size_t len)
{
    struct server srv = {0};
    char cmd[1024];
    int out;
    pid_t pid;

    server_start(&srv, sctx, serve_greeting);
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername localhost -CAfile '%s' -brief -tls1_2 -cipher "
             "DHE-RSA-AES128-GCM-SHA256 -ign_eof </dev/null 2>&1", srv.port,
             cert("ca.pem"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, len, 10);
    close(out);
    skt_test_wait(pid, 10);
    server_join(&srv);
    return srv.wrap_rc;
}

static void test_dh_params_let_s_client_use_a_dhe_suite(void **state)
{
    char output[16384];
    skt_tls_ctx *sctx;

    (void)state;
    make_dh();
    SKT_OK(skt_tls_ctx_new(&sctx, SKT_TLS_SERVER));
    SKT_OK(skt_tls_ctx_load_cert_chain(sctx, cert("rsa.pem"),
                                       cert("rsa.key"), NULL));
    /* Without parameters the one suite the client offers is not chosen. */
    assert_true(dhe_s_client(sctx, output, sizeof output) < 0);
    assert_contains(output, "handshake failure");
    SKT_OK(skt_tls_ctx_load_dh_params(sctx, cert("dh.pem")));
    SKT_OK(dhe_s_client(sctx, output, sizeof output));
    assert_contains(output, "Ciphersuite: DHE-RSA-AES128-GCM-SHA256");
    /* The group of dh.pem, ffdhe2048. */
    assert_contains(output, "Server Temp Key: DH, 2048 bits");
    assert_contains(output, "hello from skt");
    skt_tls_ctx_free(sctx);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_post_handshake_auth_gets_the_client_certificate, contexts),
    SKT_CASE(test_post_handshake_auth_without_a_certificate_fails, contexts),
    SKT_CASE(test_post_handshake_request_needs_the_clients_offer, contexts),
    SKT_CASE(test_post_handshake_request_needs_tls13, pair),
    SKT_CASE(test_s_client_answers_a_post_handshake_request, contexts),
    SKT_CASE(test_python_answers_a_post_handshake_request, contexts),
    SKT_CASE(test_server_curve_bounds_the_key_exchange, contexts),
    SKT_CASE(test_dh_params_enable_the_dhe_suites, contexts),
    cmocka_unit_test(test_dh_params_let_s_client_use_a_dhe_suite),
};

SKT_TEST_MAIN(tests)
