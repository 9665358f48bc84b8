/*
 * test-tls-io.c - bytes over TLS through the unchanged send/recv family:
 * non-blocking sends and receives with their want codes, pending bytes
 * (and selectors that see them), a closed peer, transfers large and
 * small, blocking mode and MSG_PEEK, timeouts, injected faults, streams
 * and frames, and unwrapping back to plaintext.
 */
#include "tls-common.h"
#include "internal.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 131 + (i >> 16)) % 251);
}

/* The contexts and a connected pair, handshaken in non-blocking mode. */
static int setup_handshaken_pair(void **state)
{
    struct tls_fixture *f;

    setup_pair(state);
    f = *state;
    if (f != NULL)
        handshake_pair(f->client, f->cctx, f->server, f->sctx);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Non-blocking mode                                                        */
/* ------------------------------------------------------------------------ */

static void test_errors_left_by_other_openssl_code_are_ignored(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    static char chunk[16384];
    skt_socket *client = f->client;
    ssize_t n;
    while ((n = skt_send(client, chunk, sizeof chunk, 0)) > 0)
        ;
    assert_code(n, SKT_EWANTWRITE);
    /* The application's own OpenSSL use left an error in this thread's
     * queue: a would-block must still read as one, not as a failure. */
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
    assert_code(skt_send(client, chunk, sizeof chunk, 0), SKT_EWANTWRITE);
}

static void test_pending_reports_decrypted_bytes(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_socket *client = f->client, *server = f->server;
    char out[100], in[200];
    struct pollfd p;
    memset(out, 'p', sizeof out);
    SKT_OK(skt_settimeout(client, 10));
    assert_int_equal(skt_send(server, out, sizeof out, 0), 100);
    assert_int_equal(skt_recv(client, in, 10, 0), 10);
    /* 90 bytes wait inside TLS, where poll cannot see them. */
    assert_int_equal(skt_tls_pending(client), 90);
    p = (struct pollfd){.fd = skt_test_fd(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0);
    SKT_OK(skt_setblocking(client, false));
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 90);
    assert_int_equal(skt_tls_pending(client), 0);
}

static void test_selector_reports_pending_bytes_as_readable(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const skt_selector_ready *ready;
    skt_socket *client = f->client, *server = f->server;
    skt_selector *sel;
    char out[100] = {0}, in[10];
    assert_int_equal(skt_send(server, out, sizeof out, 0), 100);
    SKT_OK(skt_settimeout(client, 10));
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 10);
    assert_int_equal(skt_tls_pending(client), 90);
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    SKT_OK(skt_selector_register_socket(sel, client, SKT_EVENT_READ, NULL));
    /* The fd has nothing; the 90 bytes inside TLS must count, at once
     * even with a long timeout. */
    assert_int_equal(skt_selector_select(sel, 10, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    assert_ptr_equal(ready[0].key.sock, client);
    /* Once they are read, the socket is no longer ready. */
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 10);
    while (skt_tls_pending(client) > 0)
        assert_true(skt_recv(client, in, sizeof in, 0) > 0);
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
    skt_selector_close(sel);
}

/* Reads what the server has, checking that byte i of the stream is
 * chunk[i % size]; returns the new count. */
static size_t drain_checking(skt_socket *server, const unsigned char *chunk,
                             size_t size, size_t received)
{
    static unsigned char buf[65536];
    ssize_t n;

    while ((n = skt_recv(server, buf, sizeof buf, 0)) > 0)
        for (ssize_t i = 0; i < n; i++, received++)
            assert_int_equal(buf[i], chunk[received % size]);
    assert_code(n, SKT_EWANTREAD);
    return received;
}

static void test_nonblocking_send_wants_write_and_resumes(void **state)
{
    enum { SIZE = 65536 };
    struct tls_fixture *f = tls_fixture(state);
    static unsigned char chunk[SIZE];
    skt_socket *client = f->client, *server = f->server;
    size_t total = 0, sent = 0, received = 0;
    int rc;
    for (size_t i = 0; i < SIZE; i++)
        chunk[i] = pattern(i);
    /* Nobody reads yet: the socket buffers fill up. */
    for (;;) {
        ssize_t n = skt_send(client, chunk + total % SIZE,
                             SIZE - total % SIZE, 0);
        if (n < 0) {
            assert_code(n, SKT_EWANTWRITE);
            break;
        }
        total += (size_t)n;
        assert_true(total < (256u << 20));
    }
    /* sendall stops with the same code and tells how far it got; calls
     * that pass the same bytes again go on where it stopped. */
    do {
        struct pollfd p = {.fd = skt_test_fd(client), .events = POLLOUT};
        size_t more = 0;
        received = drain_checking(server, chunk, SIZE, received);
        rc = skt_sendall(client, chunk + (total + sent) % SIZE,
                         SIZE - (total + sent) % SIZE, 0, &more);
        sent += more;
        if (rc == SKT_EWANTWRITE)
            poll(&p, 1, 1000);
        else
            SKT_OK(rc);
    } while (rc != 0);
    while (received < total + sent) {
        struct pollfd p = {.fd = skt_test_fd(server), .events = POLLIN};
        assert_int_equal(poll(&p, 1, 5000), 1);
        received = drain_checking(server, chunk, SIZE, received);
    }
    assert_int_equal(received, total + sent);
}

static void test_closed_peer_gives_eof_then_error_not_sigpipe(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    static char chunk[65536];
    skt_socket *s;
    ssize_t n = 0;
    char buf[8];
    /* The server closes at once, with close_notify. */
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    server_join(&srv);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 0);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 0);
    /* Writing on is allowed by TLS; the kernel soon says no, and the
     * process gets an error code, never SIGPIPE. */
    for (int i = 0; i < 100 && n >= 0; i++)
        n = skt_send(s, chunk, sizeof chunk, 0);
    assert_true(n == -EPIPE || n == -ECONNRESET);
    assert_code(skt_send(s, chunk, 1, 0), (int)n);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* Transfers                                                                */
/* ------------------------------------------------------------------------ */

/* Receives srv->size pattern bytes, checks them and sends them back. */
static void serve_transfer(struct server *srv, skt_socket *conn)
{
    unsigned char *buf = malloc(srv->size);
    size_t got = 0;
    int rc = buf != NULL ? 0 : -ENOMEM;

    if (rc == 0)
        rc = skt_recv_exact(conn, buf, srv->size, 0, &got);
    for (size_t i = 0; rc == 0 && i < srv->size; i++)
        if (buf[i] != pattern(i))
            rc = -EBADMSG;
    if (rc == 0)
        rc = skt_sendall(conn, buf, srv->size, 0, NULL);
    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
    free(buf);
}

/* Sends size pattern bytes with sendall and reads them back with
 * recv_exact, through a server that checks them on the way. */
static void round_trip(struct tls_fixture *f, size_t size)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    unsigned char *out = malloc(size), *in = malloc(size);
    size_t done = 0;
    skt_socket *s;

    assert_non_null(out);
    assert_non_null(in);
    for (size_t i = 0; i < size; i++)
        out[i] = pattern(i);
    srv.size = size;
    server_start(&srv, sctx, serve_transfer);
    s = connect_to(srv.port, 30);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    SKT_OK(skt_sendall(s, out, size, 0, &done));
    assert_int_equal(done, size);
    SKT_OK(skt_recv_exact(s, in, size, 0, &done));
    assert_int_equal(done, size);
    assert_memory_equal(in, out, size);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    free(out);
    free(in);
}

static void test_sendall_recv_exact_large_transfer(void **state)
{
    round_trip(tls_fixture(state), (size_t)24 << 20);
}

static void test_sendall_recv_exact_small_transfer(void **state)
{
    round_trip(tls_fixture(state), 1);
}

static void test_zero_length_send_and_recv_return_zero(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    char buf[1];
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    assert_int_equal(skt_send(s, buf, 0, 0), 0);
    assert_int_equal(skt_recv(s, buf, 0, 0), 0);
    SKT_OK(skt_sendall(s, buf, 0, 0, NULL));
    SKT_OK(skt_recv_exact(s, buf, 0, 0, NULL));
    skt_close(s);
    server_join(&srv);
}

static void test_blocking_mode_round_trip_and_peek(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    char buf[16];
    server_start(&srv, sctx, serve_echo);
    s = connect_to(srv.port, SKT_BLOCKING);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    assert_true(skt_getblocking(s));
    SKT_OK(skt_sendall(s, "blocking", 8, 0, NULL));
    /* MSG_PEEK looks without taking (SSL_peek). */
    SKT_OK(skt_recv_exact(s, buf, 8, MSG_PEEK, NULL));
    assert_memory_equal(buf, "blocking", 8);
    assert_int_equal(skt_tls_pending(s), 8);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 8);
    assert_memory_equal(buf, "blocking", 8);
    assert_code(skt_recv(s, buf, sizeof buf, MSG_WAITALL), -EINVAL);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
}

static void test_recv_timeout_over_tls(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_socket *s;
    double start, elapsed;
    char buf[8];
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    SKT_OK(skt_settimeout(s, 0.3));
    start = skt_test_now();
    assert_code(skt_recv(s, buf, sizeof buf, 0), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.3 && elapsed < 2.0);
    skt_close(s);
    server_join(&srv);
}

static void test_injected_faults_lose_nothing(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    enum { SIZE = 1 << 20 };
    unsigned char *out = malloc(SIZE), *in = malloc(SIZE);
    skt_socket *s;
    for (size_t i = 0; i < SIZE; i++)
        out[i] = pattern(i);
    srv.size = SIZE;
    server_start(&srv, sctx, serve_transfer);
    s = connect_to(srv.port, 30);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    /* EINTR is retried; a spurious EAGAIN goes back to poll. */
    skt__sys_inject(SKT__OP_SEND, -EINTR, 1, 5, 0);
    skt__sys_inject(SKT__OP_RECV, -EAGAIN, 2, 5, 0);
    SKT_OK(skt_sendall(s, out, SIZE, 0, NULL));
    skt__sys_inject(SKT__OP_RECV, -EINTR, 3, 5, 0);
    skt__sys_inject(SKT__OP_SEND, -EAGAIN, 1, 5, 0);
    SKT_OK(skt_recv_exact(s, in, SIZE, 0, NULL));
    skt__sys_inject_clear();
    assert_memory_equal(in, out, SIZE);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    free(out);
    free(in);
}

/* Answers one line read through a stream with the line upper-cased,
 * then echoes framed messages until the client closes. */
static void serve_stream_and_frames(struct server *srv, skt_socket *conn)
{
    char line[64];
    const void *msg;
    size_t len;
    skt_stream *st;
    skt_frame_decoder *d = NULL;
    ssize_t n;
    int rc = skt_makefile(conn, &st, NULL);

    n = rc == 0 ? skt_stream_readline(st, line, sizeof line) : rc;
    for (ssize_t i = 0; i < n; i++)
        line[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ? line[i] - 32
                                                           : line[i]);
    rc = n < 0 ? (int)n : skt_stream_write(st, line, (size_t)n, NULL);
    if (rc == 0)
        rc = skt_stream_flush(st);
    skt_stream_close(st);
    if (rc == 0)
        rc = skt_frame_decoder_new(&d, NULL);
    while (rc == 0 && (rc = skt_frame_recv(conn, d, &msg, &len)) == 1)
        rc = skt_frame_send(conn, NULL, msg, len, NULL);
    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
    skt_frame_decoder_free(d);
}

static void test_streams_and_frames_work_over_tls(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    static char big[200000];
    skt_frame_decoder *d;
    skt_stream *st;
    const void *msg;
    size_t len;
    char line[64];
    skt_socket *s;
    memset(big, 'f', sizeof big);
    SKT_OK(client_against(&srv, sctx, serve_stream_and_frames, cctx,
                          "localhost", &s));
    SKT_OK(skt_makefile(s, &st, NULL));
    SKT_OK(skt_stream_write(st, "hello stream\n", 13, NULL));
    SKT_OK(skt_stream_flush(st));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 13);
    assert_memory_equal(line, "HELLO STREAM\n", 13);
    SKT_OK(skt_stream_close(st));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    SKT_OK(skt_frame_send(s, NULL, "one", 3, NULL));
    SKT_OK(skt_frame_send(s, NULL, big, sizeof big, NULL));
    assert_int_equal(skt_frame_recv(s, d, &msg, &len), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(msg, "one", 3);
    assert_int_equal(skt_frame_recv(s, d, &msg, &len), 1);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(msg, big, sizeof big);
    skt_frame_decoder_free(d);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
}

/* ------------------------------------------------------------------------ */
/* Unwrapping                                                               */
/* ------------------------------------------------------------------------ */

static void test_nonblocking_unwrap_waits_for_the_peer(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_socket *client = f->client, *server = f->server;
    struct pollfd p;
    int fd;
    /* Our close_notify is out; the peer's has not come. */
    assert_code(skt_tls_unwrap(client), SKT_EWANTREAD);
    assert_non_null(skt_tls_version(client));
    p = (struct pollfd){.fd = skt_test_fd(server), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    SKT_OK(skt_tls_unwrap(server));
    p = (struct pollfd){.fd = skt_test_fd(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    SKT_OK(skt_tls_unwrap(client));
    assert_null(skt_tls_version(client));
    SKT_OK(skt_detach(client, &fd));
    f->client = NULL;
    assert_true(fd >= 0);
    close(fd);
}

struct unwrap_server {
    skt_socket *conn;
    int rc;
    char plain[8];
};

static void *unwrap_server_main(void *arg)
{
    struct unwrap_server *u = arg;

    u->rc = skt_tls_unwrap(u->conn);
    if (u->rc == 0)
        u->rc = skt_recv_exact(u->conn, u->plain, 5, 0, NULL);
    return NULL;
}

static void test_unwrap_returns_to_plaintext(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct unwrap_server u = {0};
    skt_socket *client = f->client, *server = f->server;
    pthread_t thread;
    char buf[8];
    SKT_OK(skt_settimeout(client, 10));
    SKT_OK(skt_settimeout(server, 10));
    /* Data still in flight when the client unwraps is dropped. */
    assert_int_equal(skt_send(server, "late", 4, 0), 4);
    u.conn = server;
    pthread_create(&thread, NULL, unwrap_server_main, &u);
    SKT_OK(skt_tls_unwrap(client));
    SKT_OK(skt_sendall(client, "plain", 5, 0, NULL));
    pthread_join(thread, NULL);
    assert_int_equal(u.rc, 0);
    assert_memory_equal(u.plain, "plain", 5);
    /* Both are plain sockets again. */
    assert_null(skt_tls_version(client));
    assert_int_equal(skt_send(server, "back", 4, 0), 4);
    SKT_OK(skt_recv_exact(client, buf, 4, 0, NULL));
    assert_memory_equal(buf, "back", 4);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_errors_left_by_other_openssl_code_are_ignored,
             handshaken_pair),
    SKT_CASE(test_pending_reports_decrypted_bytes, handshaken_pair),
    SKT_CASE(test_selector_reports_pending_bytes_as_readable, handshaken_pair),
    SKT_CASE(test_nonblocking_send_wants_write_and_resumes, handshaken_pair),
    SKT_CASE(test_closed_peer_gives_eof_then_error_not_sigpipe, contexts),
    SKT_CASE(test_sendall_recv_exact_large_transfer, contexts),
    SKT_CASE(test_sendall_recv_exact_small_transfer, contexts),
    SKT_CASE(test_zero_length_send_and_recv_return_zero, contexts),
    SKT_CASE(test_blocking_mode_round_trip_and_peek, contexts),
    SKT_CASE(test_nonblocking_unwrap_waits_for_the_peer, handshaken_pair),
    SKT_CASE(test_recv_timeout_over_tls, contexts),
    SKT_CASE(test_injected_faults_lose_nothing, contexts),
    SKT_CASE(test_streams_and_frames_work_over_tls, contexts),
    SKT_CASE(test_unwrap_returns_to_plaintext, handshaken_pair),
};

SKT_TEST_MAIN(tests)
