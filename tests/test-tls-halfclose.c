/*
 * test-tls-halfclose.c - skt_tls_shutdown_write, the TLS half-close:
 * close_notify and then shutdown(SHUT_WR), after which the peer sees a
 * clean end of the stream and can still answer, against skt's own TLS
 * server and `openssl s_server -rev`.
 */
#include "tls-common.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

/* Receives until the end of the stream (at most len - 1 bytes). */
static size_t recv_to_end(skt_socket *s, char *buf, size_t len)
{
    size_t used = 0;
    ssize_t got;

    while ((got = skt_recv(s, buf + used, len - 1 - used, 0)) > 0)
        used += (size_t)got;
    assert_int_equal(got, 0);
    buf[used] = '\0';
    return used;
}

static void test_shutdown_write_lets_the_peer_answer(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv;
    skt_socket *s;
    char buf[64];

    /* The echo server reads to the end, then has echoed everything: the
     * answer crosses our close_notify. */
    SKT_OK(client_against(&srv, f->sctx, serve_echo, f->cctx, "localhost",
                          &s));
    SKT_OK(skt_sendall(s, "ping", 4, 0, NULL));
    SKT_OK(skt_tls_shutdown_write(s));
    assert_int_equal(recv_to_end(s, buf, sizeof buf), 4);
    assert_string_equal(buf, "ping");
    skt_close(s);
    server_join(&srv);
    /* The server saw close_notify: a clean end, not a failure. */
    assert_int_equal(srv.serve_rc, 0);
}

static void test_shutdown_write_then_send_is_epipe(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv;
    skt_socket *s;
    char buf[64];

    SKT_OK(client_against(&srv, f->sctx, serve_echo, f->cctx, "localhost",
                          &s));
    SKT_OK(skt_tls_shutdown_write(s));
    /* A second call has nothing more to send and succeeds. */
    SKT_OK(skt_tls_shutdown_write(s));
    assert_int_equal(skt_send(s, "late", 4, 0), -EPIPE);
    assert_int_equal(recv_to_end(s, buf, sizeof buf), 0);
    skt_close(s);
    server_join(&srv);
}

static void test_shutdown_write_refuses_a_plain_socket(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    assert_code(skt_tls_shutdown_write(f->client), -EINVAL);
    assert_contains(skt_error_detail(), "not a TLS socket");
    assert_code(skt_tls_shutdown_write(NULL), -EINVAL);
}

static void test_shutdown_write_with_openssl_s_server(void **state)
{
    static const char *const extra[] = {"-naccept", "1", "-rev"};
    struct tls_fixture *f = tls_fixture(state);
    skt_socket *s;
    char buf[64];
    int port;
    pid_t pid = start_s_server(extra, 3, &port);

    if (pid < 0)
        SKT_SKIP("openssl s_server did not start");
    s = connect_to(port, 5);
    SKT_OK(skt_tls_wrap(s, f->cctx, "localhost", false));
    SKT_OK(skt_sendall(s, "hello\n", 6, 0, NULL));
    SKT_OK(skt_tls_shutdown_write(s));
    /* -rev answers each line reversed, then closes cleanly: without the
     * close_notify it would see a truncation and send an alert. */
    recv_to_end(s, buf, sizeof buf);
    assert_string_equal(buf, "olleh\n");
    skt_close(s);
    assert_int_equal(skt_test_wait(pid, 5), 0);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_shutdown_write_lets_the_peer_answer, contexts),
    SKT_CASE(test_shutdown_write_then_send_is_epipe, contexts),
    SKT_CASE(test_shutdown_write_refuses_a_plain_socket, pair),
    SKT_CASE(test_shutdown_write_with_openssl_s_server, contexts),
};

SKT_TEST_MAIN(tests)
