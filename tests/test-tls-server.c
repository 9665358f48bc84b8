/*
 * test-tls-server.c - skt_server over TLS in every mode: echoes through
 * handshakes of their own, plaintext clients rejected and reported,
 * datagram servers refused, close_notify sent before the end of file (to
 * Python's ssl), and the handshake bounded by the default timeout.
 */
#include "tls-common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int echo_handler(skt_server *srv, skt_socket *conn,
                        const skt_addr *client, void *user)
{
    char buf[4096];
    ssize_t n;
    (void)srv, (void)client, (void)user;
    while ((n = skt_recv(conn, buf, sizeof buf, 0)) > 0) {
        int rc = skt_sendall(conn, buf, (size_t)n, 0, NULL);
        if (rc < 0)
            return rc;
    }
    return (int)n;
}

/* Event mode: over TLS a non-blocking recv says "nothing yet" with
 * SKT_EWANTREAD (Python's SSLWantReadError) rather than -EAGAIN. */
static int echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    (void)events, (void)state;
    for (;;) {
        ssize_t n = skt_recv(skt_server_conn_socket(conn), buf, sizeof buf,
                             0);
        if (n == 0)
            return 1;
        if (n == -EAGAIN || n == SKT_EWANTREAD || n == SKT_EWANTWRITE)
            return 0;
        if (n < 0)
            return (int)n;
        if (skt_server_conn_send(conn, buf, (size_t)n) < 0)
            return -EIO;
    }
}

static void *serve_main(void *arg)
{
    skt_server_serve_forever(arg);
    return NULL;
}

/* An skt_server serving in a thread of its own. */
struct running {
    skt_server *srv;
    pthread_t thread;
    skt_addr addr;
    char port[16];
};

static void open_server(struct running *r, const skt_server_config *cfg)
{
    SKT_OK(skt_addr_parse(&r->addr, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&r->srv, &r->addr, cfg));
    SKT_OK(skt_server_address(r->srv, &r->addr));
    snprintf(r->port, sizeof r->port, "%d", skt_addr_port(&r->addr));
}

static void start_serving(struct running *r)
{
    assert_int_equal(pthread_create(&r->thread, NULL, serve_main, r->srv),
                     0);
}

static void run_server(struct running *r, const skt_server_config *cfg)
{
    open_server(r, cfg);
    start_serving(r);
}

static void stop_server(struct running *r)
{
    SKT_OK(skt_server_shutdown(r->srv));
    pthread_join(r->thread, NULL);
    SKT_OK(skt_server_close(r->srv));
}

/* ------------------------------------------------------------------------ */
/* Echoes in every mode                                                     */
/* ------------------------------------------------------------------------ */

/*
 * The clients' side: two connections at once, each with its own handshake
 * and stream, three rounds of echoes. Returns 0 or the first failure's
 * code, so that it can also run in a child process.
 */
static int echo_clients(const char *port, skt_tls_ctx *cctx)
{
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *c[2] = {NULL, NULL};
    char echo[64];
    int rc = 0;

    for (int i = 0; i < 2 && rc == 0; i++)
        rc = skt_create_connection(&c[i], "127.0.0.1", port, &opts);
    for (int round = 0; round < 3 && rc == 0; round++) {
        for (int i = 0; i < 2 && rc == 0; i++) {
            char msg[32];
            int len = snprintf(msg, sizeof msg, "client %d round %d", i,
                               round);
            rc = skt_sendall(c[i], msg, (size_t)len, 0, NULL);
            if (rc == 0)
                rc = skt_recv_exact(c[i], echo, (size_t)len, 0, NULL);
            if (rc == 0 && memcmp(echo, msg, (size_t)len) != 0)
                rc = -EPROTO;
        }
    }
    if (rc != 0)
        print_error("echo_clients: %s\n", skt_error_detail());
    for (int i = 0; i < 2; i++)
        skt_close(c[i]);
    return rc;
}

static void tls_server_echoes_in_mode(struct tls_fixture *f,
                                      skt_server_mode mode)
{
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .tls = sctx,
                             .idle_timeout = 10};
    struct running r;
    pid_t pid;

    if (mode != SKT_SERVER_FORK) {
        run_server(&r, &cfg);
        SKT_OK(echo_clients(r.port, cctx));
    } else {
        /* A fork server forks while the process's other threads run: a
         * TLS client in a sibling thread could hold a lock (allocator,
         * OpenSSL) at that instant and leave the child stuck on it. The
         * clients get their own process, made before the server thread. */
        open_server(&r, &cfg);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(echo_clients(r.port, cctx) == 0 ? 0 : 1);
        start_serving(&r);
        assert_int_equal(skt_test_wait(pid, 60), 0);
    }
    stop_server(&r);
}

static void test_server_tls_sequential_mode(void **state)
{
    /* Sequential serves one connection at a time: one client suffices. */
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx, *cctx = f->cctx;
    skt_server_config cfg = {.mode = SKT_SERVER_SEQUENTIAL,
                             .handle = echo_handler, .tls = sctx,
                             .idle_timeout = 10};
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    struct running r;
    skt_socket *c;
    char echo[5];

    run_server(&r, &cfg);
    SKT_OK(skt_create_connection(&c, "127.0.0.1", r.port, &opts));
    SKT_OK(skt_sendall(c, "hello", 5, 0, NULL));
    SKT_OK(skt_recv_exact(c, echo, 5, 0, NULL));
    assert_memory_equal(echo, "hello", 5);
    skt_close(c);
    stop_server(&r);
}

static void test_server_tls_threads_mode(void **state)
{
    tls_server_echoes_in_mode(tls_fixture(state), SKT_SERVER_THREADS);
}

static void test_server_tls_pool_mode(void **state)
{
    tls_server_echoes_in_mode(tls_fixture(state), SKT_SERVER_POOL);
}

static void test_server_tls_fork_mode(void **state)
{
    tls_server_echoes_in_mode(tls_fixture(state), SKT_SERVER_FORK);
}

static void test_server_tls_events_mode(void **state)
{
    tls_server_echoes_in_mode(tls_fixture(state), SKT_SERVER_EVENTS);
}

/* ------------------------------------------------------------------------ */
/* Failures                                                                 */
/* ------------------------------------------------------------------------ */

struct error_log {
    int code;
    int calls;
};

static void note_error(skt_server *srv, const skt_addr *client, int code,
                       void *user)
{
    struct error_log *log = user;
    (void)srv, (void)client;
    log->code = code;
    __atomic_add_fetch(&log->calls, 1, __ATOMIC_SEQ_CST);
}

static void server_rejects_plaintext_client(struct tls_fixture *f,
                                            skt_server_mode mode)
{
    skt_tls_ctx *sctx = f->sctx;
    struct error_log log = {0, 0};
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .tls = sctx,
                             .idle_timeout = 10, .handle_error = note_error,
                             .user = &log};
    struct running r;
    skt_socket *c;
    char buf[64];
    ssize_t n;

    run_server(&r, &cfg);
    SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 10));
    SKT_OK(skt_connect(c, &r.addr));
    /* Plain text is not a ClientHello: the handshake fails, the handler
     * never sees it, and handle_error hears of it. */
    SKT_OK(skt_sendall(c, "GET / HTTP/1.0\r\n\r\n", 18, 0, NULL));
    do
        n = skt_recv(c, buf, sizeof buf, 0);
    while (n > 0);
    skt_close(c);
    for (int i = 0; i < 200 && __atomic_load_n(&log.calls, __ATOMIC_SEQ_CST)
                                   == 0; i++)
        usleep(10000);
    stop_server(&r);
    assert_int_equal(log.calls, 1);
    assert_true(log.code < 0);
}

static void test_server_tls_rejects_plaintext_in_threads(void **state)
{
    server_rejects_plaintext_client(tls_fixture(state), SKT_SERVER_THREADS);
}

static void test_server_tls_rejects_plaintext_in_events(void **state)
{
    server_rejects_plaintext_client(tls_fixture(state), SKT_SERVER_EVENTS);
}

static int drop_datagram(skt_server *srv, skt_socket *sock, const void *data,
                         size_t len, const skt_addr *client, void *user)
{
    (void)srv, (void)sock, (void)data, (void)len, (void)client, (void)user;
    return 0;
}

static void test_server_tls_refused_for_datagrams(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx;
    skt_server_config cfg = {.type = SOCK_DGRAM, .tls = sctx,
                             .handle_datagram = drop_datagram};
    skt_server *srv;
    skt_addr a;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_contains(skt_error_detail(), "TLS needs a stream server");
}

/* ------------------------------------------------------------------------ */
/* close_notify, and the handshake's bound                                  */
/* ------------------------------------------------------------------------ */

static void python_client_against_server_in_mode(skt_server_mode mode)
{
    const char *python = skt_test_python();
    char script[512], output[2048];
    skt_tls_ctx *sctx;
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .idle_timeout = 10};
    struct running r;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    sctx = server_ctx("server.pem");
    cfg.tls = sctx;
    /* The peer is started before the server's thread: no fork happens
     * while another thread of this process runs (see the echo cases). */
    open_server(&r, &cfg);
    skt_test_source_path("tests/peers/tls_client.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         r.port, "--cafile",
                                         (char *)cert("ca.pem"), "ping",
                                         NULL},
                         &out);
    start_serving(&r);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    stop_server(&r);
    assert_contains(output, "received \"ping\"\n");
    /* The server's close_notify came before its end of file. */
    assert_contains(output, "clean close");
    skt_tls_ctx_free(sctx);
}

static void test_server_tls_threads_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_THREADS);
}

static void test_server_tls_fork_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_FORK);
}

static void test_server_tls_events_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_EVENTS);
}

static void test_server_tls_handshake_bounded_by_default_timeout(void **st)
{
    struct tls_fixture *f = tls_fixture(st);
    skt_tls_ctx *sctx = f->sctx;
    struct error_log log = {0, 0};
    skt_server_config cfg = {.mode = SKT_SERVER_THREADS,
                             .handle = echo_handler, .tls = sctx,
                             .handle_error = note_error, .user = &log};
    struct running r;
    skt_socket *c;
    double start, elapsed;
    /* No idle timeout: the accepted connection's mode, the default
     * timeout, bounds the handshake as it would bound a recv. */
    SKT_OK(skt_setdefaulttimeout(0.5));
    run_server(&r, &cfg);
    SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 10));
    SKT_OK(skt_connect(c, &r.addr));
    start = skt_test_now();
    /* The client never says hello. */
    while (__atomic_load_n(&log.calls, __ATOMIC_SEQ_CST) == 0 &&
           skt_test_now() - start < 5)
        usleep(10000);
    elapsed = skt_test_now() - start;
    skt_close(c);
    stop_server(&r);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.code, -ETIMEDOUT);
    assert_true(elapsed >= 0.4 && elapsed < 1.5);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_server_tls_sequential_mode, contexts),
    SKT_CASE(test_server_tls_threads_mode, contexts),
    SKT_CASE(test_server_tls_pool_mode, contexts),
    SKT_CASE(test_server_tls_fork_mode, contexts),
    SKT_CASE(test_server_tls_events_mode, contexts),
    SKT_CASE(test_server_tls_rejects_plaintext_in_threads, server_ctx),
    SKT_CASE(test_server_tls_rejects_plaintext_in_events, server_ctx),
    SKT_CASE(test_server_tls_refused_for_datagrams, server_ctx),
    cmocka_unit_test(test_server_tls_threads_sends_close_notify),
    cmocka_unit_test(test_server_tls_fork_sends_close_notify),
    cmocka_unit_test(test_server_tls_events_sends_close_notify),
    SKT_CASE(test_server_tls_handshake_bounded_by_default_timeout, server_ctx),
};

SKT_TEST_MAIN(tests)
