/*
 * test-tls-close.c - what closing a TLS socket leaves the peer. After a
 * bulk write, skt_stream_close and skt_close, a peer reading to the end
 * gets every byte and a clean close (close_notify): skt's own server,
 * `openssl s_server` and Python's ssl, in TLS 1.3 (whose session tickets
 * wait unread in the writer) and in TLS 1.2. And the drain that makes it
 * so is bounded: a peer that keeps sending cannot hold skt_close, and data
 * the application left unread resets the connection, as with plain TCP.
 */
#include "tls-common.h"
#include "internal.h"
#include "tls/tls_int.h"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Enough lines, read slower than skt writes them (skt's server and the
 * s_server collector take 16 KiB a millisecond at most, Python checks
 * each line), that much is still queued when the writer closes: the old
 * close lost thousands of lines to a reset, every time.
 */
#define LINES 200000
#define TEXT " the end of a TLS stream arrives whole\n"
#define LINE_LEN (6 + sizeof TEXT - 1)
#define TOTAL ((size_t)LINES * LINE_LEN)

/* Line i, as tests/peers/tls_sink.py expects it; returns its length. */
static size_t make_line(char *buf, size_t i)
{
    snprintf(buf, LINE_LEN + 1, "%06zu%s", i, TEXT);
    return LINE_LEN;
}

static const char *version_name(int version)
{
    return version == SKT_TLS_VERSION_1_3 ? "TLSv1.3" : "TLSv1.2";
}

/*
 * The writer of every case: connects to 127.0.0.1:port with TLS at most
 * version, writes LINES lines through a stream, closes the stream, then
 * the socket, as an application would.
 */
static void write_lines(int port, int version)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *s = connect_to(port, 30);
    skt_stream *st;
    char line[LINE_LEN + 1];

    SKT_OK(skt_tls_ctx_set_maximum_version(cctx, version));
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    assert_string_equal(skt_tls_version(s), version_name(version));
    SKT_OK(skt_makefile(s, &st, NULL));
    for (size_t i = 0; i < LINES; i++)
        SKT_OK(skt_stream_write(st, line, make_line(line, i), NULL));
    SKT_OK(skt_stream_close(st));
    SKT_OK(skt_close(s));
    skt_tls_ctx_free(cctx);
}

/* ------------------------------------------------------------------------ */
/* skt's own server                                                         */
/* ------------------------------------------------------------------------ */

/* What the reading server saw (one case per process). */
static struct {
    size_t lines;
    int end;           /* 0 at a clean end, else the failure */
    bool close_notify; /* the end was the peer's close_notify */
} seen;

/* Serves: reads lines to the end, checking each, at most 16 KiB every
 * millisecond (see struct collector). */
static void serve_lines(struct server *srv, skt_socket *conn)
{
    char want[LINE_LEN + 1], got[LINE_LEN + 2];
    skt_stream *st = NULL;
    ssize_t n = skt_makefile(conn, &st, NULL);

    seen.end = (int)n;
    while (n == 0 && (n = skt_stream_readline(st, got, sizeof got)) > 0) {
        if ((size_t)n != make_line(want, seen.lines) ||
            memcmp(got, want, LINE_LEN) != 0) {
            n = SKT_EEOF; /* a wrong line: not the end we want */
            break;
        }
        if (++seen.lines % (16384 / LINE_LEN) == 0)
            usleep(1000);
        n = 0;
    }
    seen.end = (int)n;
    if (n < 0)
        note_failure(srv, &srv->serve_rc, (int)n);
    /* The end of file of TLS reads as 0 with or without close_notify. */
    seen.close_notify = SSL_get_shutdown(skt__tls_of(conn)->ssl) &
                        SSL_RECEIVED_SHUTDOWN;
    skt_stream_close(st);
}

static void close_delivers_to_skt_server(struct tls_fixture *f, int version)
{
    struct server srv = {0};

    server_start(&srv, f->sctx, serve_lines);
    write_lines(srv.port, version);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    if (seen.end != 0)
        print_error("the server read %zu lines, then %s: %s\n", seen.lines,
                    skt_errname(seen.end), srv.detail);
    assert_int_equal(seen.end, 0);
    assert_int_equal(seen.lines, LINES);
    assert_true(seen.close_notify);
}

static void test_tls13_close_after_bulk_write_delivers_all_to_skt(void **state)
{
    close_delivers_to_skt_server(tls_fixture(state), SKT_TLS_VERSION_1_3);
}

static void test_tls12_close_after_bulk_write_delivers_all_to_skt(void **state)
{
    close_delivers_to_skt_server(tls_fixture(state), SKT_TLS_VERSION_1_2);
}

/* ------------------------------------------------------------------------ */
/* openssl s_server                                                         */
/* ------------------------------------------------------------------------ */

/*
 * A thread that keeps everything a child writes on its stdout, reading
 * 16 KiB at most every millisecond: the peer reads slower than skt writes,
 * so that much is still on its way when skt_close runs, as in any bulk
 * transfer to a slower reader (s_server alone keeps pace on loopback).
 */
struct collector {
    int fd;
    char *data;
    size_t len, cap;
    pthread_t thread;
};

/* Keeps room for 16 KiB more in c->data; false on no memory. */
static bool collector_room(struct collector *c)
{
    char *grown;

    if (c->cap - c->len > 16384)
        return true;
    grown = realloc(c->data, c->cap * 2 + 65536);
    if (grown == NULL)
        return false;
    c->data = grown;
    c->cap = c->cap * 2 + 65536;
    return true;
}

static void *collect(void *arg)
{
    struct collector *c = arg;
    double end = skt_test_now() + 60;

    while (collector_room(c)) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int ms = (int)((end - skt_test_now()) * 1000);
        ssize_t n;
        if (ms <= 0 || poll(&p, 1, ms) <= 0)
            break;
        n = read(c->fd, c->data + c->len, 16384);
        if (n <= 0)
            break;
        c->len += (size_t)n;
        c->data[c->len] = '\0';
        usleep(1000);
    }
    return NULL;
}

/*
 * Starts `openssl s_server -naccept 1` in its default mode, which writes
 * what it receives to stdout and "DONE" after it at the client's
 * close_notify ("ERROR" after a failure). Its stdin is a pipe kept open
 * (*in): at end of file on stdin it would end the connection itself.
 * Returns the pid, with the port and its stdout (*out) after "ACCEPT".
 */
static pid_t spawn_s_server(const char *version_flag, int *port, int *out,
                            int *in)
{
    char *argv[] = {"openssl", "s_server", "-accept", "0", "-naccept", "1",
                    (char *)version_flag, "-cert", (char *)cert("server.pem"),
                    "-key", (char *)cert("server.key"), NULL};
    int to_child[2], from_child[2];
    char line[256];
    pid_t pid;

    assert_int_equal(pipe2(to_child, O_CLOEXEC), 0);
    assert_int_equal(pipe2(from_child, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    *in = to_child[1];
    *out = from_child[0];
    do
        assert_true(skt_test_read_line(*out, line, sizeof line, 10) >= 0);
    while (strncmp(line, "ACCEPT", 6) != 0);
    *port = atoi(strrchr(line, ':') + 1);
    return pid;
}

/* Asserts that text holds the LINES lines in order, then "DONE". */
static void assert_lines_then_done(const char *text)
{
    char want[LINE_LEN + 1];
    const char *at = strstr(text, "000000 the end");
    size_t i = 0;

    assert_non_null(at);
    while (i < LINES && memcmp(at, want, make_line(want, i)) == 0) {
        at += LINE_LEN;
        i++;
    }
    if (i < LINES || strncmp(at, "DONE\n", 5) != 0)
        print_error("s_server printed %zu lines, then \"%.80s\"\n", i, at);
    assert_int_equal(i, LINES);
    assert_memory_equal(at, "DONE\n", 5);
}

static void close_delivers_to_s_server(int version)
{
    struct collector c = {0};
    int port, in;
    pid_t pid = spawn_s_server(version == SKT_TLS_VERSION_1_3 ? "-tls1_3"
                                                              : "-tls1_2",
                               &port, &c.fd, &in);

    assert_int_equal(pthread_create(&c.thread, NULL, collect, &c), 0);
    write_lines(port, version);
    assert_int_equal(skt_test_wait(pid, 30), 0);
    close(in);
    pthread_join(c.thread, NULL);
    close(c.fd);
    assert_non_null(c.data);
    assert_lines_then_done(c.data);
    free(c.data);
}

static void test_tls13_close_after_bulk_write_delivers_all_to_s_server(
    void **state)
{
    (void)tls_fixture(state);
    close_delivers_to_s_server(SKT_TLS_VERSION_1_3);
}

static void test_tls12_close_after_bulk_write_delivers_all_to_s_server(
    void **state)
{
    (void)tls_fixture(state);
    close_delivers_to_s_server(SKT_TLS_VERSION_1_2);
}

/* ------------------------------------------------------------------------ */
/* Python's ssl                                                             */
/* ------------------------------------------------------------------------ */

static void close_delivers_to_python(int version)
{
    const char *python = skt_test_python();
    char script[512], line[256], want[256];
    int out, port = 0;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    skt_test_source_path("tests/peers/tls_sink.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--cert",
                                         (char *)cert("server.pem"), "--key",
                                         (char *)cert("server.key"), NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%d", &port), 1);
    write_lines(port, version);
    assert_true(skt_test_read_line(out, line, sizeof line, 30) > 0);
    close(out);
    snprintf(want, sizeof want, "received %zu bytes, %d lines in order, "
             "clean close", TOTAL, LINES);
    assert_string_equal(line, want);
    assert_int_equal(skt_test_wait(pid, 10), 0);
}

static void test_tls13_close_after_bulk_write_delivers_all_to_python(
    void **state)
{
    (void)tls_fixture(state);
    close_delivers_to_python(SKT_TLS_VERSION_1_3);
}

static void test_tls12_close_after_bulk_write_delivers_all_to_python(
    void **state)
{
    (void)tls_fixture(state);
    close_delivers_to_python(SKT_TLS_VERSION_1_2);
}

/* ------------------------------------------------------------------------ */
/* The drain's bounds, and unread data                                      */
/* ------------------------------------------------------------------------ */

/* Serves: sends until the connection fails. */
static void serve_flood(struct server *srv, skt_socket *conn)
{
    static char chunk[65536];
    int rc;

    memset(chunk, 'f', sizeof chunk);
    while ((rc = skt_sendall(conn, chunk, sizeof chunk, 0, NULL)) == 0)
        ;
    note_failure(srv, &srv->serve_rc, rc);
}

/* The bytes waiting unread on fd. */
static int unread(int fd)
{
    int n = 0;

    assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
    return n;
}

/* Waits (at most 5 s) until at least size bytes wait unread on fd and no
 * more come: the peer has filled the receive window. */
static void wait_until_full(int fd, int size)
{
    double end = skt_test_now() + 5;
    int before = -1, now = unread(fd);

    while (skt_test_now() < end && (now < size || now != before)) {
        usleep(10000);
        before = now;
        now = unread(fd);
    }
    assert_true(now >= size);
}

/* Times skt_close, in seconds. */
static double timed_close(skt_socket *s)
{
    double start = skt_test_now();

    SKT_OK(skt_close(s));
    return skt_test_now() - start;
}

static void test_tls_close_returns_at_once_while_the_peer_keeps_sending(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;
    double took;

    SKT_OK(client_against(&srv, f->sctx, serve_flood, f->cctx, "localhost",
                          &s));
    wait_until_full(skt_test_fd(s), 65536);
    took = timed_close(s);
    server_join(&srv);
    if (took >= 0.1)
        print_error("skt_close took %.3f s\n", took);
    assert_true(took < 0.1);
    /* The flood was never read: the connection is reset, as plain TCP's
     * would be. */
    assert_true(srv.serve_rc == -ECONNRESET || srv.serve_rc == -EPIPE);
}

/* The server's side of the unread-data case: it sends one short record,
 * says so, then reads until the end. */
static int unread_sent;

static void serve_one_record_then_read(struct server *srv, skt_socket *conn)
{
    char buf[64];
    ssize_t n = skt_sendall(conn, "unread\n", 7, 0, NULL);

    __atomic_store_n(&unread_sent, 1, __ATOMIC_RELEASE);
    while (n >= 0 && (n = skt_recv(conn, buf, sizeof buf, 0)) > 0)
        ;
    srv->serve_rc = (int)n;
}

static void test_tls_close_with_unread_data_resets_like_tcp(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    double end = skt_test_now() + 5;
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_one_record_then_read,
                          f->cctx, "localhost", &s));
    while (!__atomic_load_n(&unread_sent, __ATOMIC_ACQUIRE) &&
           skt_test_now() < end)
        usleep(1000);
    usleep(50000); /* the record reaches the client's receive queue */
    /* The drain reads the record (it might have been a session ticket),
     * finds application data, and the close is a reset: the peer learns
     * that what it sent was not read, whatever the record boundaries. */
    SKT_OK(skt_close(s));
    server_join(&srv);
    assert_code(srv.serve_rc, -ECONNRESET);
}

/*
 * Serves: session tickets, one after another, until the connection
 * fails. Each is a record that the drain must read and process: a peer
 * sending them without end must not hold skt_close.
 */
static void serve_tickets(struct server *srv, skt_socket *conn)
{
    struct tls *t = skt__tls_of(conn);

    skt_settimeout(conn, SKT_BLOCKING);
    /* OpenSSL reports success even when the BIO failed to send a ticket,
     * so the BIO's errno says when the client has gone. */
    while (t->sys_error == 0 && SSL_new_session_ticket(t->ssl) == 1 &&
           SSL_do_handshake(t->ssl) == 1)
        ;
    srv->serve_rc = -t->sys_error;
}

static void test_tls_close_bounds_its_drain_of_a_ticket_flood(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;
    double took;

    SKT_OK(client_against(&srv, f->sctx, serve_tickets, f->cctx, "localhost",
                          &s));
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    wait_until_full(skt_test_fd(s), 65536);
    took = timed_close(s);
    server_join(&srv);
    if (took >= 0.1)
        print_error("skt_close took %.3f s\n", took);
    assert_true(took < 0.1);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_tls13_close_after_bulk_write_delivers_all_to_skt,
             server_ctx),
    SKT_CASE(test_tls12_close_after_bulk_write_delivers_all_to_skt,
             server_ctx),
    SKT_CASE(test_tls13_close_after_bulk_write_delivers_all_to_s_server,
             server_ctx),
    SKT_CASE(test_tls12_close_after_bulk_write_delivers_all_to_s_server,
             server_ctx),
    SKT_CASE(test_tls13_close_after_bulk_write_delivers_all_to_python,
             server_ctx),
    SKT_CASE(test_tls12_close_after_bulk_write_delivers_all_to_python,
             server_ctx),
    SKT_CASE(test_tls_close_returns_at_once_while_the_peer_keeps_sending,
             contexts),
    SKT_CASE(test_tls_close_with_unread_data_resets_like_tcp, contexts),
    SKT_CASE(test_tls_close_bounds_its_drain_of_a_ticket_flood, contexts),
};

SKT_TEST_MAIN(tests)
