/*
 * test-tls-handshake.c - handshakes under one deadline (a stalled peer, a
 * trickling peer, the internal hooks that create_connection and servers
 * use), non-blocking handshakes through a poll loop and a selector, and
 * create_connection with TLS; a TLS socket refuses dup.
 */
#include "tls-common.h"
#include "internal.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* One deadline                                                             */
/* ------------------------------------------------------------------------ */

/* The contexts, and a listener that nobody accepts on unless the case
 * does. */
static int setup_listener(void **state)
{
    struct tls_fixture *f;

    setup_contexts(state);
    f = *state;
    if (f != NULL)
        skt_test_tcp_listener(&f->listener, &f->port);
    return 0;
}

static void test_stalled_handshake_times_out_at_deadline(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *cctx = f->cctx;
    skt_socket *s;
    double start, elapsed;
    int port = f->port;
    /* The kernel completes the connection; nobody ever answers. */
    s = connect_to(port, 0.4);
    start = skt_test_now();
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.4 && elapsed < 2.0);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1:");
    skt_close(s);
}

/* A peer that reads the ClientHello and resets the connection. */
static void *reset_after_hello(void *arg)
{
    skt_socket *listener = arg, *conn;
    struct linger hard = {1, 0};
    char hello[512];

    if (skt_accept(listener, &conn, NULL) < 0)
        return NULL;
    skt_recv(conn, hello, sizeof hello, 0);
    skt_setsockopt(conn, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    skt_close(conn);
    return NULL;
}

/* After a reset getpeername fails, yet the detail still names the peer:
 * the address is taken when the socket is wrapped. */
static void test_handshake_reset_detail_names_the_peer(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    pthread_t thread;
    skt_socket *s;
    int rc;

    s = connect_to(f->port, 5.0);
    pthread_create(&thread, NULL, reset_after_hello, f->listener);
    rc = skt_tls_wrap(s, f->cctx, "localhost", false);
    pthread_join(thread, NULL);
    assert_true(rc == -ECONNRESET || rc == -EPIPE || rc == SKT_EEOF ||
                rc == SKT_ETLS_HANDSHAKE);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1:");
    skt_close(s);
}

struct trickle {
    skt_socket *listener;
};

/* A peer that sends the start of a TLS record one byte at a time: a
 * timeout per read would never expire. */
static void *trickle_main(void *arg)
{
    static const unsigned char record[] = {0x16, 0x03, 0x03, 0x40, 0x00};
    struct trickle *t = arg;
    skt_socket *conn;

    if (skt_accept(t->listener, &conn, NULL) < 0)
        return NULL;
    for (size_t i = 0; i < 40; i++) {
        unsigned char byte = i < sizeof record ? record[i] : 0;
        if (skt_send(conn, &byte, 1, 0) != 1)
            break;
        usleep(100000);
    }
    skt_close(conn);
    return NULL;
}

static void test_trickling_peer_cannot_stretch_the_deadline(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *cctx = f->cctx;
    struct trickle t;
    pthread_t thread;
    skt_socket *s;
    double start, elapsed;
    int port = f->port;
    t.listener = f->listener;
    SKT_OK(skt_settimeout(t.listener, 10));
    pthread_create(&thread, NULL, trickle_main, &t);
    s = connect_to(port, 0.5);
    start = skt_test_now();
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.5 && elapsed < 2.0);
    skt_close(s);
    pthread_join(thread, NULL);
}

static void test_hook_keeps_callers_deadline_on_blocking_socket(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *cctx = f->cctx;
    skt_socket *s;
    double start, elapsed;
    int port = f->port;
    s = connect_to(port, SKT_BLOCKING);
    start = skt_test_now();
    assert_code(skt__tls_client_handshake(s, cctx, "localhost",
                                          skt__deadline(0.3)),
                -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.3 && elapsed < 2.0);
    /* The socket is given back as it was: blocking. */
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    assert_int_equal(fcntl(skt_test_fd(s), F_GETFL) & O_NONBLOCK, 0);
    skt_close(s);
}

struct hook_server {
    skt_socket *listener;
    skt_tls_ctx *ctx;
    int rc;
};

static void *hook_server_main(void *arg)
{
    struct hook_server *h = arg;
    skt_socket *conn;

    h->rc = skt_accept(h->listener, &conn, NULL);
    if (h->rc < 0)
        return NULL;
    h->rc = skt__tls_server_handshake(conn, h->ctx, skt__deadline(10));
    if (h->rc == 0)
        h->rc = skt_sendall(conn, "hook", 4, 0, NULL);
    skt_close(conn);
    return NULL;
}

static void test_hooks_handshake_both_sides_under_deadline(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct hook_server h = {.listener = f->listener, .ctx = f->sctx};
    skt_tls_ctx *cctx = f->cctx;
    pthread_t thread;
    skt_socket *s;
    char buf[4];
    int port = f->port;
    SKT_OK(skt_settimeout(h.listener, 10));
    pthread_create(&thread, NULL, hook_server_main, &h);
    s = connect_to(port, SKT_BLOCKING);
    SKT_OK(skt__tls_client_handshake(s, cctx, "localhost",
                                     skt__deadline(10)));
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    SKT_OK(skt_recv_exact(s, buf, 4, 0, NULL));
    assert_memory_equal(buf, "hook", 4);
    skt_close(s);
    pthread_join(thread, NULL);
    assert_int_equal(h.rc, 0);
}

/* ------------------------------------------------------------------------ */
/* Non-blocking mode                                                        */
/* ------------------------------------------------------------------------ */

static void test_nonblocking_handshake_completes_in_poll_loop(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *client = f->client, *server = f->server;
    struct pollfd p;
    char buf[16];
    assert_true(handshake_pair(client, cctx, server, sctx) >= 2);
    assert_string_equal(skt_tls_version(client), "TLSv1.3");
    SKT_OK(skt_tls_handshake(client)); /* done: 0 at once */
    /* Nothing to read yet: the want code, not -EAGAIN. */
    assert_code(skt_recv(client, buf, sizeof buf, 0), SKT_EWANTREAD);
    assert_int_equal(skt_send(server, "ping", 4, 0), 4);
    p = (struct pollfd){.fd = skt_test_fd(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(skt_recv(client, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "ping", 4);
}

/* The selector events that a want code asks for. */
static int want_events(int rc)
{
    return rc == SKT_EWANTWRITE ? SKT_EVENT_WRITE : SKT_EVENT_READ;
}

static void test_nonblocking_handshake_completes_through_selector(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *client = f->client, *server = f->server;
    skt_selector *sel;
    int rc[2], rounds = 0;
    SKT_OK(skt_setblocking(client, false));
    SKT_OK(skt_setblocking(server, false));
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    rc[0] = skt_tls_wrap(client, cctx, "localhost", false);
    rc[1] = skt_tls_wrap(server, sctx, NULL, true);
    assert_code(rc[0], SKT_EWANTREAD);
    SKT_OK(skt_selector_register_socket(sel, client, want_events(rc[0]),
                                        &rc[0]));
    SKT_OK(skt_selector_register_socket(sel, server, want_events(rc[1]),
                                        &rc[1]));
    while (rc[0] != 0 || rc[1] != 0) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(sel, 5.0, &ready);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            int *code = ready[i].key.data;
            skt_socket *s = ready[i].key.sock;
            if (ready[i].events == 0 || *code == 0)
                continue;
            *code = skt_tls_handshake(s);
            if (*code == 0)
                SKT_OK(skt_selector_unregister(sel, skt_test_fd(s)));
            else if (*code == SKT_EWANTREAD || *code == SKT_EWANTWRITE)
                SKT_OK(skt_selector_modify(sel, skt_test_fd(s),
                                           want_events(*code), code));
            else
                assert_code(*code, 0);
        }
        assert_true(++rounds < 100);
    }
    assert_string_equal(skt_tls_version(client), "TLSv1.3");
    assert_string_equal(skt_tls_version(server), "TLSv1.3");
    skt_selector_close(sel);
}

/* ------------------------------------------------------------------------ */
/* create_connection with TLS, and dup                                      */
/* ------------------------------------------------------------------------ */

static void test_create_connection_tls_handshakes_and_echoes(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *s;
    char port[8], echo[5];
    server_start(&srv, sctx, serve_echo);
    snprintf(port, sizeof port, "%d", srv.port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
    assert_non_null(skt_tls_version(s));
    assert_true(skt_gettimeout(s) == 10);
    SKT_OK(skt_sendall(s, "hello", 5, 0, NULL));
    SKT_OK(skt_recv_exact(s, echo, 5, 0, NULL));
    assert_memory_equal(echo, "hello", 5);
    skt_close(s);
    server_join(&srv);
    assert_string_equal(srv.sni, "localhost");
}

static void test_create_connection_tls_checks_the_hostname(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("wrong-name.pem"), *cctx = client_ctx();
    skt_connect_opts opts = {.timeout = 10, .tls = cctx};
    skt_socket *s = (skt_socket *)&s;
    char port[8];
    (void)state;
    server_start(&srv, sctx, NULL);
    snprintf(port, sizeof port, "%d", srv.port);
    /* No tls_hostname: the host given to create_connection is checked. */
    assert_code(skt_create_connection(&s, "localhost", port, &opts),
                SKT_ETLS_HOSTNAME);
    assert_null(s);
    assert_contains(skt_error_detail(), "hostname mismatch");
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_create_connection_tls_one_deadline_covers_handshake(void **st)
{
    struct tls_fixture *f = tls_fixture(st);
    skt_tls_ctx *cctx = f->cctx;
    skt_connect_opts opts = {.timeout = 0.5, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *s = (skt_socket *)&s;
    char port[8];
    double start, elapsed;
    int p = f->port;
    /* The kernel accepts the connection; nobody ever answers the hello. */
    snprintf(port, sizeof port, "%d", p);
    start = skt_test_now();
    assert_code(skt_create_connection(&s, "127.0.0.1", port, &opts),
                -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_null(s);
    assert_true(elapsed >= 0.5 && elapsed < 1.0);
}

static void test_dup_of_tls_socket_is_refused(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s, *copy = (skt_socket *)&copy;
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    assert_code(skt_dup(s, &copy), -EOPNOTSUPP);
    assert_null(copy);
    skt_close(s);
    server_join(&srv);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_stalled_handshake_times_out_at_deadline, listener),
    SKT_CASE(test_handshake_reset_detail_names_the_peer, listener),
    SKT_CASE(test_trickling_peer_cannot_stretch_the_deadline, listener),
    SKT_CASE(test_hook_keeps_callers_deadline_on_blocking_socket, listener),
    SKT_CASE(test_hooks_handshake_both_sides_under_deadline, listener),
    SKT_CASE(test_nonblocking_handshake_completes_in_poll_loop, pair),
    SKT_CASE(test_nonblocking_handshake_completes_through_selector, pair),
    SKT_CASE(test_create_connection_tls_handshakes_and_echoes, contexts),
    cmocka_unit_test(test_create_connection_tls_checks_the_hostname),
    SKT_CASE(test_create_connection_tls_one_deadline_covers_handshake,
             listener),
    SKT_CASE(test_dup_of_tls_socket_is_refused, contexts),
};

SKT_TEST_MAIN(tests)
