/*
 * test-tls-info.c - what a handshake tells and what it negotiates: the
 * session and the peer's certificate, the empty answers of a plain
 * socket, the arguments wrap refuses, ALPN, version bounds and ciphers,
 * and SNI beside hostname checking.
 */
#include "tls-common.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The session and the peer                                                 */
/* ------------------------------------------------------------------------ */

static void test_handshake_reports_session_and_peer_cert(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_tls_cert *peer;
    const char *reason;
    skt_socket *s;
    time_t now = time(NULL);
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    /* The socket keeps what it needs: the contexts may go at once. */
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
    f->cctx = f->sctx = NULL;
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    assert_contains(skt_tls_cipher(s), "GCM");
    assert_null(skt_tls_selected_alpn_protocol(s));
    assert_string_equal(skt_tls_server_hostname(s), "localhost");
    assert_int_equal(skt_tls_verify_result(s, &reason), 0);
    assert_string_equal(reason, "ok");
    SKT_OK(skt_tls_getpeercert(s, &peer));
    assert_string_equal(peer->subject, "CN=localhost");
    assert_string_equal(peer->issuer, "CN=skt test CA");
    assert_string_equal(peer->subject_alt_names[0], "DNS:localhost");
    assert_string_equal(peer->subject_alt_names[1], "IP:127.0.0.1");
    assert_string_equal(peer->subject_alt_names[2], "IP:::1");
    assert_null(peer->subject_alt_names[3]);
    assert_string_equal(peer->serial_number, "1001");
    assert_true(peer->not_before <= now && peer->not_before > now - 3600);
    assert_true(peer->not_after > now + 364 * 86400);
    skt_tls_freecert(peer);
    assert_int_equal(skt_send(s, "ping", 4, 0), 4);
    {
        char buf[8];
        SKT_OK(skt_recv_exact(s, buf, 4, 0, NULL));
        assert_memory_equal(buf, "ping", 4);
    }
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.sni, "localhost");
    assert_string_equal(srv.peer_subject, ""); /* no client certificate */
}

static void test_information_of_plain_socket_is_empty(void **state)
{
    skt_socket *a, *b;
    skt_tls_cert *peer;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_null(skt_tls_version(a));
    assert_null(skt_tls_cipher(a));
    assert_null(skt_tls_server_hostname(a));
    assert_int_equal(skt_tls_pending(a), 0);
    assert_code(skt_tls_verify_result(a, NULL), -EINVAL);
    assert_code(skt_tls_getpeercert(a, &peer), -EINVAL);
    assert_code(skt_tls_handshake(a), -EINVAL);
    assert_code(skt_tls_unwrap(a), -EINVAL);
    skt_close(a);
    skt_close(b);
}

static void test_wrap_refuses_bad_arguments_and_changes_nothing(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *a, *b, *udp;
    int fd;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_code(skt_tls_wrap(a, cctx, NULL, false), -EINVAL);
    assert_contains(skt_error_detail(), "no server_hostname");
    assert_code(skt_tls_wrap(a, sctx, NULL, false), -EINVAL);
    assert_code(skt_tls_wrap(a, cctx, "localhost", true), -EINVAL);
    assert_code(skt_tls_wrap(a, sctx, "localhost", true), -EINVAL);
    assert_code(skt_tls_wrap(NULL, cctx, "localhost", false), -EINVAL);
    SKT_OK(skt_open(&udp, AF_INET, SOCK_DGRAM, 0));
    assert_code(skt_tls_wrap(udp, cctx, "localhost", false), -EOPNOTSUPP);
    skt_close(udp);
    /* Nothing was installed: the socket still detaches. */
    SKT_OK(skt_detach(a, &fd));
    assert_true(fd >= 0);
    close(fd);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Negotiation                                                              */
/* ------------------------------------------------------------------------ */

static void test_alpn_server_preference_and_no_overlap(void **state)
{
    static const char *const offered[] = {"h2", "http/1.1", NULL};
    static const char *const served[] = {"http/1.1", "h2", NULL};
    static const char *const other[] = {"imap", NULL};
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    SKT_OK(skt_tls_ctx_set_alpn_protocols(cctx, offered));
    SKT_OK(skt_tls_ctx_set_alpn_protocols(sctx, served));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_string_equal(skt_tls_selected_alpn_protocol(s), "http/1.1");
    skt_close(s);
    server_join(&srv);
    /* No overlap: no protocol, and no failure (Python's rule). */
    SKT_OK(skt_tls_ctx_set_alpn_protocols(sctx, other));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_null(skt_tls_selected_alpn_protocol(s));
    skt_close(s);
    server_join(&srv);
}

static void test_version_bounds_and_cipher_list_apply(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    SKT_OK(skt_tls_ctx_set_maximum_version(cctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_ciphers(cctx, "ECDHE-ECDSA-AES128-GCM-SHA256"));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_string_equal(skt_tls_version(s), "TLSv1.2");
    assert_string_equal(skt_tls_cipher(s), "ECDHE-ECDSA-AES128-GCM-SHA256");
    skt_close(s);
    server_join(&srv);
}

static void test_no_common_version_is_version_error(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    SKT_OK(skt_tls_ctx_set_maximum_version(sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_minimum_version(cctx, SKT_TLS_VERSION_1_3));
    assert_code(client_against(&srv, sctx, NULL, cctx, "localhost", NULL),
                SKT_ETLS_VERSION);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1:");
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_VERSION);
}

static void test_sni_sent_for_names_not_for_addresses(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", NULL));
    server_join(&srv);
    assert_string_equal(srv.sni, "localhost");
    /* An address goes out as no SNI and is checked against IP entries. */
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "127.0.0.1", NULL));
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.sni, "");
}

static void test_hostname_checked_even_without_sni(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    assert_code(client_against(&srv, sctx, NULL, cctx, "127.0.0.2", NULL),
                SKT_ETLS_HOSTNAME);
    assert_contains(skt_error_detail(), "not valid for '127.0.0.2'");
    server_join(&srv);
    assert_string_equal(srv.sni, "");
}

static void test_sni_sent_with_hostname_check_off(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    SKT_OK(skt_tls_ctx_set_check_hostname(cctx, false));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "wrong.example", NULL));
    server_join(&srv);
    assert_string_equal(srv.sni, "wrong.example");
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_handshake_reports_session_and_peer_cert, contexts),
    cmocka_unit_test(test_information_of_plain_socket_is_empty),
    SKT_CASE(test_wrap_refuses_bad_arguments_and_changes_nothing, contexts),
    SKT_CASE(test_alpn_server_preference_and_no_overlap, contexts),
    SKT_CASE(test_version_bounds_and_cipher_list_apply, contexts),
    SKT_CASE(test_no_common_version_is_version_error, contexts),
    SKT_CASE(test_sni_sent_for_names_not_for_addresses, contexts),
    SKT_CASE(test_hostname_checked_even_without_sni, contexts),
    SKT_CASE(test_sni_sent_with_hostname_check_off, contexts),
};

SKT_TEST_MAIN(tests)
