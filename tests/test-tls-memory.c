/*
 * test-tls-memory.c - TLS without a socket (skt_tls_obj): two objects
 * handshaking and exchanging data through memory, what an object wants
 * and when, failures, resumption, and an object against Python's
 * SSLObject and MemoryBIO, the TLS bytes carried over a TCP connection
 * that each side reads and writes itself.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Moves every byte that from has for its peer into to. */
static void shuttle(skt_tls_obj *from, skt_tls_obj *to)
{
    char buf[4096];
    ssize_t n;

    while ((n = skt_tls_obj_take(from, buf, sizeof buf)) > 0)
        SKT_OK(skt_tls_obj_feed(to, buf, (size_t)n));
    assert_int_equal(n, 0);
}

/* A client object of cctx for "localhost" offering session, and a server
 * object of sctx. */
static void make_pair(skt_tls_ctx *cctx, skt_tls_ctx *sctx,
                      const skt_tls_session *session, skt_tls_obj **client,
                      skt_tls_obj **server)
{
    skt_tls_wrap_opts copts = {.server_hostname = "localhost",
                               .session = session};
    skt_tls_wrap_opts sopts = {.server_side = true};

    SKT_OK(skt_tls_obj_new(client, cctx, &copts));
    SKT_OK(skt_tls_obj_new(server, sctx, &sopts));
}

/* Handshakes the pair through memory; returns the rounds it took. */
static int handshake_in_memory(skt_tls_obj *client, skt_tls_obj *server)
{
    int rc[2] = {SKT_EWANTREAD, SKT_EWANTREAD}, rounds = 0;

    while (rc[0] != 0 || rc[1] != 0) {
        rc[0] = skt_tls_obj_handshake(client);
        if (rc[0] != SKT_EWANTREAD)
            assert_code(rc[0], 0);
        shuttle(client, server);
        rc[1] = skt_tls_obj_handshake(server);
        if (rc[1] != SKT_EWANTREAD)
            assert_code(rc[1], 0);
        shuttle(server, client);
        assert_true(++rounds < 10);
    }
    return rounds;
}

/* ------------------------------------------------------------------------ */
/* Two objects                                                              */
/* ------------------------------------------------------------------------ */

static void test_memory_pair_handshakes_and_moves_data(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_obj *client, *server;
    skt_tls_cert *peer;
    char buf[64];

    make_pair(f->cctx, f->sctx, NULL, &client, &server);
    assert_false(skt_tls_obj_server_side(client));
    assert_true(skt_tls_obj_server_side(server));
    assert_null(skt_tls_obj_version(client));
    handshake_in_memory(client, server);
    assert_string_equal(skt_tls_obj_version(client), "TLSv1.3");
    assert_string_equal(skt_tls_obj_cipher(client),
                        skt_tls_obj_cipher(server));
    assert_string_equal(skt_tls_obj_server_hostname(server), "localhost");
    assert_int_equal(skt_tls_obj_verify_result(client, NULL), 0);
    SKT_OK(skt_tls_obj_getpeercert(client, &peer));
    assert_string_equal(peer->subject, "CN=localhost");
    skt_tls_freecert(peer);

    assert_int_equal(skt_tls_obj_write(client, "ping", 4), 4);
    assert_true(skt_tls_obj_pending_out(client) > 4);
    shuttle(client, server);
    assert_int_equal(skt_tls_obj_read(server, buf, 2), 2);
    assert_int_equal(skt_tls_obj_pending(server), 2);
    assert_int_equal(skt_tls_obj_read(server, buf + 2, sizeof buf - 2), 2);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(skt_tls_obj_read(server, buf, sizeof buf),
                     SKT_EWANTREAD);

    /* Unwrap: the client's close_notify, the server's answer. */
    assert_int_equal(skt_tls_obj_unwrap(client), SKT_EWANTREAD);
    shuttle(client, server);
    assert_int_equal(skt_tls_obj_read(server, buf, sizeof buf), 0);
    SKT_OK(skt_tls_obj_unwrap(server));
    shuttle(server, client);
    SKT_OK(skt_tls_obj_unwrap(client));
    assert_code(skt_tls_obj_write(client, "late", 4), -EPIPE);
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
}

static void test_memory_read_first_runs_the_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_obj *client, *server;
    char buf[16];

    make_pair(f->cctx, f->sctx, NULL, &client, &server);
    /* Nothing fed: the client has its hello to send, and wants an answer. */
    assert_int_equal(skt_tls_obj_read(client, buf, sizeof buf),
                     SKT_EWANTREAD);
    assert_true(skt_tls_obj_pending_out(client) > 0);
    shuttle(client, server);
    assert_int_equal(skt_tls_obj_read(server, buf, sizeof buf),
                     SKT_EWANTREAD);
    shuttle(server, client);
    /* The write finishes the client's handshake and sends its data. */
    assert_int_equal(skt_tls_obj_write(client, "data", 4), 4);
    shuttle(client, server);
    assert_int_equal(skt_tls_obj_read(server, buf, sizeof buf), 4);
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
}

static void test_memory_end_of_file_mid_handshake_fails(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_obj *client, *server;

    make_pair(f->cctx, f->sctx, NULL, &client, &server);
    assert_int_equal(skt_tls_obj_handshake(client), SKT_EWANTREAD);
    SKT_OK(skt_tls_obj_feed_eof(client));
    assert_code(skt_tls_obj_handshake(client), SKT_ETLS_HANDSHAKE);
    assert_contains(skt_error_detail(), "the peer of a memory object");
    /* Failed for good, and nothing more can be fed. */
    assert_code(skt_tls_obj_handshake(client), SKT_ETLS_HANDSHAKE);
    assert_code(skt_tls_obj_feed(client, "x", 1), -EPIPE);
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
}

static void test_memory_verification_failure_has_its_code(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts copts = {.server_hostname = "other.example"};
    skt_tls_obj *client, *server;
    int rc;

    make_pair(f->cctx, f->sctx, NULL, &client, &server);
    skt_tls_obj_free(client);
    SKT_OK(skt_tls_obj_new(&client, f->cctx, &copts));
    assert_int_equal(skt_tls_obj_handshake(client), SKT_EWANTREAD);
    shuttle(client, server);
    assert_int_equal(skt_tls_obj_handshake(server), SKT_EWANTREAD);
    shuttle(server, client);
    rc = skt_tls_obj_handshake(client);
    assert_code(rc, SKT_ETLS_HOSTNAME);
    assert_contains(skt_error_detail(), "not valid for 'other.example'");
    /* The alert goes to the server, which fails too. */
    shuttle(client, server);
    assert_true(skt_tls_obj_handshake(server) < 0);
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
}

static void test_memory_objects_resume_a_session(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_obj *client, *server;
    skt_tls_session *session;
    char buf[8];

    make_pair(f->cctx, f->sctx, NULL, &client, &server);
    handshake_in_memory(client, server);
    /* The server's tickets reach the client with its first data. */
    assert_int_equal(skt_tls_obj_write(server, "hi", 2), 2);
    shuttle(server, client);
    assert_int_equal(skt_tls_obj_read(client, buf, sizeof buf), 2);
    SKT_OK(skt_tls_obj_get_session(client, &session));
    assert_true(skt_tls_session_is_resumable(session));
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
    make_pair(f->cctx, f->sctx, session, &client, &server);
    handshake_in_memory(client, server);
    assert_true(skt_tls_obj_session_reused(client));
    assert_true(skt_tls_obj_session_reused(server));
    skt_tls_obj_free(client);
    skt_tls_obj_free(server);
    skt_tls_session_free(session);
}

static void test_memory_obj_new_checks_its_arguments(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts server_side = {.server_side = true};
    skt_tls_wrap_opts reserved = {.server_hostname = "localhost"};
    skt_tls_obj *obj;

    assert_code(skt_tls_obj_new(&obj, f->cctx, &server_side), -EINVAL);
    assert_null(obj);
    assert_code(skt_tls_obj_new(&obj, f->cctx, NULL), -EINVAL);
    assert_contains(skt_error_detail(), "no server_hostname");
    reserved.reserved[3] = &reserved;
    assert_code(skt_tls_obj_new(&obj, f->cctx, &reserved), -EINVAL);
    assert_code(skt_tls_obj_unwrap(NULL), -EINVAL);
    skt_tls_obj_free(NULL);
    assert_int_equal(skt_tls_obj_pending_out(NULL), 0);
}

/* ------------------------------------------------------------------------ */
/* Against Python's SSLObject                                               */
/* ------------------------------------------------------------------------ */

/* Sends over s what obj has for the peer. */
static void flush_out(skt_tls_obj *obj, skt_socket *s)
{
    char buf[16384];
    ssize_t n;

    while ((n = skt_tls_obj_take(obj, buf, sizeof buf)) > 0)
        SKT_OK(skt_sendall(s, buf, (size_t)n, 0, NULL));
}

/* After a call that returned rc: sends what is pending, and when rc says
 * the object wants bytes, feeds it what s receives next. Returns rc. */
static long pump(skt_tls_obj *obj, skt_socket *s, long rc)
{
    char buf[16384];
    ssize_t got;

    flush_out(obj, s);
    if (rc != SKT_EWANTREAD)
        return rc;
    got = skt_recv(s, buf, sizeof buf, 0);
    assert_true(got >= 0);
    if (got == 0)
        SKT_OK(skt_tls_obj_feed_eof(obj));
    else
        SKT_OK(skt_tls_obj_feed(obj, buf, (size_t)got));
    return rc;
}

/* Starts tls_memory_peer.py ROLE (with --alpn alpn unless NULL) against a
 * listener; returns the pid, the accepted connection and the peer's
 * output fd. */
static pid_t start_memory_peer(const char *role, const char *alpn,
                               skt_socket **conn, int *out)
{
    const char *python = skt_test_python();
    char script[512], port[16];
    skt_socket *listener;
    int listen_port;
    pid_t pid;

    skt_test_tcp_listener(&listener, &listen_port);
    SKT_OK(skt_settimeout(listener, 10));
    snprintf(port, sizeof port, "%d", listen_port);
    skt_test_source_path("tests/peers/tls_memory_peer.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, (char *)role,
                                         "--port", port, "--cafile",
                                         (char *)cert("ca.pem"), "--cert",
                                         (char *)cert("server.pem"), "--key",
                                         (char *)cert("server.key"),
                                         alpn != NULL ? "--alpn" : NULL,
                                         (char *)alpn, NULL},
                         out);
    SKT_OK(skt_accept(listener, conn, NULL));
    SKT_OK(skt_settimeout(*conn, 10));
    skt_close(listener);
    return pid;
}

static void test_memory_server_with_python_sslobject_client(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts opts = {.server_side = true};
    char buf[64] = "", output[1024];
    skt_tls_obj *obj;
    skt_socket *conn;
    long n;
    int out;
    pid_t pid;

    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    pid = start_memory_peer("client", NULL, &conn, &out);
    SKT_OK(skt_tls_obj_new(&obj, f->sctx, &opts));
    while (pump(obj, conn, skt_tls_obj_handshake(obj)) == SKT_EWANTREAD)
        ;
    while ((n = pump(obj, conn, skt_tls_obj_read(obj, buf, 20))) ==
           SKT_EWANTREAD)
        ;
    assert_int_equal(n, 20);
    assert_memory_equal(buf, "hello from SSLObject", 20);
    assert_int_equal(pump(obj, conn, skt_tls_obj_write(obj, "HELLO BACK, "
                                                       "PYTHON!!", 20)), 20);
    while (pump(obj, conn, skt_tls_obj_unwrap(obj)) == SKT_EWANTREAD)
        ;
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    assert_contains(output, "handshake done TLSv1.3\n"
                            "received HELLO BACK, PYTHON!!\nunwrapped\n");
    skt_tls_obj_free(obj);
    skt_close(conn);
}

static void test_memory_client_with_python_sslobject_server(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts opts = {.server_hostname = "localhost"};
    char buf[64] = "", output[1024];
    skt_tls_obj *obj;
    skt_socket *conn;
    long n;
    int out;
    pid_t pid;

    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    pid = start_memory_peer("server", NULL, &conn, &out);
    SKT_OK(skt_tls_obj_new(&obj, f->cctx, &opts));
    while (pump(obj, conn, skt_tls_obj_handshake(obj)) == SKT_EWANTREAD)
        ;
    assert_string_equal(skt_tls_obj_version(obj), "TLSv1.3");
    assert_int_equal(pump(obj, conn, skt_tls_obj_write(obj, "from skt", 8)),
                     8);
    while ((n = pump(obj, conn, skt_tls_obj_read(obj, buf, 8))) ==
           SKT_EWANTREAD)
        ;
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "FROM SKT", 8);
    while (pump(obj, conn, skt_tls_obj_unwrap(obj)) == SKT_EWANTREAD)
        ;
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    assert_contains(output, "handshake done TLSv1.3\nunwrapped\n");
    skt_tls_obj_free(obj);
    skt_close(conn);
}

/* Handshakes obj with the peer on conn. */
static void handshake_over(skt_tls_obj *obj, skt_socket *conn)
{
    long rc;

    while ((rc = pump(obj, conn, skt_tls_obj_handshake(obj))) ==
           SKT_EWANTREAD)
        ;
    assert_code(rc, 0);
}

static void test_memory_client_alpn_with_python_sslobject(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    static const char *const protocols[] = {"h2", "http/1.1", NULL};
    skt_tls_wrap_opts opts = {.server_hostname = "localhost"};
    char buf[8], output[1024];
    skt_tls_obj *obj;
    skt_socket *conn;
    long n;
    int out;
    pid_t pid;

    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    SKT_OK(skt_tls_ctx_set_alpn_protocols(f->cctx, protocols));
    /* Python's server takes its own first choice that the client offers. */
    pid = start_memory_peer("server", "spdy/3,http/1.1,h2", &conn, &out);
    SKT_OK(skt_tls_obj_new(&obj, f->cctx, &opts));
    handshake_over(obj, conn);
    assert_non_null(skt_tls_obj_selected_alpn_protocol(obj));
    assert_string_equal(skt_tls_obj_selected_alpn_protocol(obj), "http/1.1");
    assert_int_equal(pump(obj, conn, skt_tls_obj_write(obj, "alpn", 4)), 4);
    while ((n = pump(obj, conn, skt_tls_obj_read(obj, buf, 4))) ==
           SKT_EWANTREAD)
        ;
    assert_int_equal(n, 4);
    while (pump(obj, conn, skt_tls_obj_unwrap(obj)) == SKT_EWANTREAD)
        ;
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    assert_contains(output, "handshake done TLSv1.3\nalpn http/1.1\n");
    skt_tls_obj_free(obj);
    skt_close(conn);
}

static void test_memory_server_alpn_with_python_sslobject(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    static const char *const protocols[] = {"h2", "http/1.1", NULL};
    skt_tls_wrap_opts opts = {.server_side = true};
    char buf[64], output[1024];
    skt_tls_obj *obj;
    skt_socket *conn;
    long n;
    int out;
    pid_t pid;

    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    SKT_OK(skt_tls_ctx_set_alpn_protocols(f->sctx, protocols));
    /* skt's server takes its own first choice that Python offers. */
    pid = start_memory_peer("client", "http/1.1,h2", &conn, &out);
    SKT_OK(skt_tls_obj_new(&obj, f->sctx, &opts));
    handshake_over(obj, conn);
    assert_non_null(skt_tls_obj_selected_alpn_protocol(obj));
    assert_string_equal(skt_tls_obj_selected_alpn_protocol(obj), "h2");
    while ((n = pump(obj, conn, skt_tls_obj_read(obj, buf, 20))) ==
           SKT_EWANTREAD)
        ;
    assert_int_equal(n, 20);
    assert_int_equal(pump(obj, conn, skt_tls_obj_write(obj, buf, 20)), 20);
    while (pump(obj, conn, skt_tls_obj_unwrap(obj)) == SKT_EWANTREAD)
        ;
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    assert_contains(output, "handshake done TLSv1.3\nalpn h2\n");
    skt_tls_obj_free(obj);
    skt_close(conn);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_memory_pair_handshakes_and_moves_data, contexts),
    SKT_CASE(test_memory_read_first_runs_the_handshake, contexts),
    SKT_CASE(test_memory_end_of_file_mid_handshake_fails, contexts),
    SKT_CASE(test_memory_verification_failure_has_its_code, contexts),
    SKT_CASE(test_memory_objects_resume_a_session, contexts),
    SKT_CASE(test_memory_obj_new_checks_its_arguments, contexts),
    SKT_CASE(test_memory_server_with_python_sslobject_client, contexts),
    SKT_CASE(test_memory_client_with_python_sslobject_server, contexts),
    SKT_CASE(test_memory_client_alpn_with_python_sslobject, contexts),
    SKT_CASE(test_memory_server_alpn_with_python_sslobject, contexts),
};

SKT_TEST_MAIN(tests)
