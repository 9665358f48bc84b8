/*
 * test-server.c - skt_server: every server type in every mode serves
 * Python clients; 500 concurrent connections on the event-driven server;
 * a slow client does not hold up the others; shutdown latency from another
 * thread and from inside a handler; accepting under EMFILE; a client that
 * resets mid-request; the hooks, the limits and close.
 *
 * Each server runs serve_forever on a thread of the test; the clients are
 * Python (tests/peers/server_client.py) or skt sockets of the test itself.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* A server mode and its name. */
struct mode {
    skt_server_mode mode;
    const char *name;
};

static struct mode mode_sequential = {SKT_SERVER_SEQUENTIAL, "sequential"};
static struct mode mode_threads = {SKT_SERVER_THREADS, "threads"};
static struct mode mode_pool = {SKT_SERVER_POOL, "pool"};
static struct mode mode_fork = {SKT_SERVER_FORK, "fork"};
static struct mode mode_events = {SKT_SERVER_EVENTS, "events"};

static const struct mode *const all_modes[] = {
    &mode_sequential, &mode_threads, &mode_pool, &mode_fork, &mode_events,
};
#define MODE_COUNT 5

/*
 * A case of a per-mode table: the body finds its struct mode in *state,
 * and the case is named body_mode. tests/CMakeLists.txt reads these lines
 * to register each one as its own CTest case.
 */
#define SKT_MODE_CASE(body, m)                                                \
    {#body "_" #m, body, NULL, NULL, &mode_##m}

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

static int echo_stream(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    char buf[4096];

    (void)srv, (void)client, (void)user;
    for (;;) {
        ssize_t n = skt_recv(conn, buf, sizeof buf, 0);
        int rc;
        if (n <= 0)
            return (int)n;
        rc = skt_sendall(conn, buf, (size_t)n, 0, NULL);
        if (rc < 0)
            return rc;
    }
}

static int echo_datagram(skt_server *srv, skt_socket *sock, const void *data,
                         size_t len, const skt_addr *client, void *user)
{
    ssize_t n = skt_sendto(sock, data, len, 0, client);
    (void)srv, (void)user;
    return n < 0 ? (int)n : 0;
}

static int echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    ssize_t n = skt_recv(skt_server_conn_socket(conn), buf, sizeof buf, 0);

    (void)events, (void)state;
    if (n == 0)
        return SKT_SERVER_CLOSE;
    if (n == -EAGAIN)
        return 0;
    if (n < 0)
        return (int)n;
    return skt_server_conn_send(conn, buf, (size_t)n);
}

/* Counts what handle_error hears, by kind. */
struct errors {
    int total;
    int emfile;
    int timedout;
};

static void count_error(skt_server *srv, const skt_addr *client, int code,
                        void *user)
{
    struct errors *e = user;
    (void)srv, (void)client;
    __atomic_add_fetch(&e->total, 1, __ATOMIC_SEQ_CST);
    if (code == -EMFILE)
        __atomic_add_fetch(&e->emfile, 1, __ATOMIC_SEQ_CST);
    if (code == -ETIMEDOUT)
        __atomic_add_fetch(&e->timedout, 1, __ATOMIC_SEQ_CST);
}

static int read_errors(int *counter)
{
    return __atomic_load_n(counter, __ATOMIC_SEQ_CST);
}

static skt_server_config echo_config(skt_server_mode mode, int type)
{
    skt_server_config cfg = {0};
    cfg.mode = mode;
    cfg.type = type;
    cfg.handle = echo_stream;
    cfg.handle_datagram = echo_datagram;
    cfg.on_event = echo_event;
    /* A safety net: a child stuck by a failed test ends by itself. */
    if (mode == SKT_SERVER_FORK)
        cfg.idle_timeout = 10;
    return cfg;
}

/* ------------------------------------------------------------------------ */
/* A server on a thread                                                     */
/* ------------------------------------------------------------------------ */

struct serving {
    skt_server *srv;
    pthread_t thread;
    int rc;
    double stopped_at;
};

static void *serve_main(void *arg)
{
    struct serving *s = arg;
    s->rc = skt_server_serve_forever(s->srv);
    s->stopped_at = skt_test_now();
    return NULL;
}

static void start(struct serving *s, const char *address,
                  const skt_server_config *cfg)
{
    skt_addr a;

    memset(s, 0, sizeof *s);
    SKT_OK(skt_addr_parse(&a, address));
    SKT_OK(skt_server_new(&s->srv, &a, cfg));
    assert_int_equal(pthread_create(&s->thread, NULL, serve_main, s), 0);
}

/* Joins the serving thread, which must have stopped by itself. */
static void join_stopped(struct serving *s)
{
    pthread_join(s->thread, NULL);
    SKT_OK(s->rc);
}

static void stop(struct serving *s)
{
    SKT_OK(skt_server_shutdown(s->srv));
    join_stopped(s);
    SKT_OK(skt_server_close(s->srv));
}

/*
 * Ends a client connection. shutdown first: a fork-mode server's children
 * were forked from this process and hold copies of the clients' fds, so a
 * close alone would not end the connection while one of them lives.
 */
static void hang_up(skt_socket *c)
{
    if (c == NULL)
        return;
    skt_shutdown(c, SHUT_RDWR);
    skt_close(c);
}

static skt_socket *connect_to(skt_server *srv)
{
    skt_socket *c;
    skt_addr a;

    SKT_OK(skt_server_address(srv, &a));
    SKT_OK(skt_open(&c, skt_addr_family(&a), SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 5.0));
    SKT_OK(skt_connect(c, &a));
    return c;
}

/* One message and its echo on a connected client. */
static void check_echo(skt_socket *c, const char *text)
{
    char buf[256];
    size_t len = strlen(text);

    SKT_OK(skt_sendall(c, text, len, 0, NULL));
    SKT_OK(skt_recv_exact(c, buf, len, 0, NULL));
    assert_memory_equal(buf, text, len);
}

static void echo_once(skt_server *srv, const char *text)
{
    skt_socket *c = connect_to(srv);
    check_echo(c, text);
    hang_up(c);
}

static double median(double *values, int count)
{
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && values[j] < values[j - 1]; j--) {
            double t = values[j];
            values[j] = values[j - 1];
            values[j - 1] = t;
        }
    return values[count / 2];
}

/* Raises the soft RLIMIT_NOFILE to at least want; false if it cannot. */
static bool raise_fd_limit(rlim_t want)
{
    struct rlimit limit;

    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return false;
    if (limit.rlim_cur >= want)
        return true;
    if (limit.rlim_max < want)
        return false;
    limit.rlim_cur = want;
    return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

/* ------------------------------------------------------------------------ */
/* Python clients, every type, every mode                                   */
/* ------------------------------------------------------------------------ */

static void run_python_clients(const char *kind, skt_server *srv,
                               const char *mode)
{
    char script[512], address[SKT_ADDRSTRLEN], line[128];
    const char *python = skt_test_python();
    const char *peer_address = address;
    skt_addr a;
    int out, status;
    pid_t pid;

    SKT_OK(skt_server_address(srv, &a));
    assert_true(skt_addr_format(&a, address, sizeof address) > 0);
    if (strncmp(address, "unix:", 5) == 0)
        peer_address = address + 5;
    skt_test_source_path("tests/peers/server_client.py", script,
                         sizeof script);
    /* A sequential stream server takes one connection at a time. */
    bool stream = strcmp(kind, "tcp") == 0 || strcmp(kind, "unix") == 0;
    bool one_at_a_time = stream && strcmp(mode, "sequential") == 0;
    char *argv[] = {(char *)python, script, (char *)kind,
                    (char *)peer_address, "--clients", "3", "--messages",
                    "2", "--size", "3000",
                    one_at_a_time ? "--one-at-a-time" : NULL, NULL};
    pid = skt_test_spawn(argv, &out);
    if (skt_test_read_line(out, line, sizeof line, 20) < 0)
        line[0] = '\0';
    close(out);
    status = skt_test_wait(pid, 20);
    if (status != 0 || strcmp(line, "ok 3 x 2") != 0)
        fail_msg("%s server in %s mode: python client said \"%s\", "
                 "status %d", kind, mode, line, status);
}

static void serve_python_in_every_mode(const char *kind, const char *address,
                                       int type)
{
    if (skt_test_python() == NULL)
        SKT_SKIP("python3 with the socket module is not installed");
    for (int m = 0; m < MODE_COUNT; m++) {
        skt_server_config cfg = echo_config(all_modes[m]->mode, type);
        struct serving s;
        start(&s, address, &cfg);
        run_python_clients(kind, s.srv, all_modes[m]->name);
        stop(&s);
    }
}

static void test_tcp_server_serves_python_in_every_mode(void **state)
{
    (void)state;
    serve_python_in_every_mode("tcp", "127.0.0.1:0", SOCK_STREAM);
}

static void test_udp_server_serves_python_in_every_mode(void **state)
{
    (void)state;
    serve_python_in_every_mode("udp", "127.0.0.1:0", SOCK_DGRAM);
}

static void test_unix_stream_server_serves_python_in_every_mode(void **state)
{
    char path[128], address[160];

    (void)state;
    snprintf(path, sizeof path, "/tmp/skt-test-server-%d.sock", getpid());
    snprintf(address, sizeof address, "unix:%s", path);
    unlink(path);
    serve_python_in_every_mode("unix", address, SOCK_STREAM);
    /* Each server removed the socket file it had created. */
    assert_int_equal(access(path, F_OK), -1);
}

static void test_unix_datagram_server_serves_python_in_every_mode(
    void **state)
{
    SKT_LINUX_ONLY("abstract Unix names for its server");
    char address[128];

    (void)state;
    snprintf(address, sizeof address, "unix:@skt-test-dgram-%d", getpid());
    serve_python_in_every_mode("unixdgram", address, SOCK_DGRAM);
}

/* ------------------------------------------------------------------------ */
/* Many connections, slow clients                                           */
/* ------------------------------------------------------------------------ */

enum { CONCURRENT = 500 };

static void test_event_server_serves_500_concurrent_connections(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_EVENTS, SOCK_STREAM);
    static skt_socket *clients[CONCURRENT];
    struct serving s;
    char text[32], buf[32];

    (void)state;
    if (!raise_fd_limit(2 * CONCURRENT + 64))
        SKT_SKIP("RLIMIT_NOFILE cannot be raised to %d", 2 * CONCURRENT + 64);
    cfg.backlog = CONCURRENT;
    start(&s, "127.0.0.1:0", &cfg);
    for (int i = 0; i < CONCURRENT; i++)
        clients[i] = connect_to(s.srv);
    for (int i = 0; i < CONCURRENT; i++) {
        snprintf(text, sizeof text, "message %06d", i);
        SKT_OK(skt_sendall(clients[i], text, strlen(text), 0, NULL));
    }
    for (int i = 0; i < CONCURRENT; i++) {
        snprintf(text, sizeof text, "message %06d", i);
        SKT_OK(skt_recv_exact(clients[i], buf, strlen(text), 0, NULL));
        assert_memory_equal(buf, text, strlen(text));
    }
    /* Every connection is open at once on the server's side. */
    assert_int_equal(skt_server_connections(s.srv), CONCURRENT);
    for (int i = 0; i < CONCURRENT; i++)
        hang_up(clients[i]);
    stop(&s);
}

/* A client that fills the server's output and never reads. */
static skt_socket *flood_without_reading(skt_server *srv)
{
    static char block[65536];
    skt_socket *c = connect_to(srv);
    double end = skt_test_now() + 2.0;

    SKT_OK(skt_settimeout(c, 0));
    while (skt_test_now() < end) {
        ssize_t n = skt_send(c, block, sizeof block, 0);
        if (n == -EAGAIN)
            usleep(20000);
        else
            assert_true(n > 0);
        /* Stop once the server has stopped reading for a while. */
        if (n == -EAGAIN && skt_send(c, block, sizeof block, 0) == -EAGAIN)
            break;
    }
    return c;
}

static void test_slow_client_does_not_block(void **state)
{
    skt_server_mode mode = ((const struct mode *)*state)->mode;
    skt_server_config cfg = echo_config(mode, SOCK_STREAM);
    skt_socket *slow, *flood = NULL;
    struct serving s;
    double begin;

    cfg.pool_size = 2;
    start(&s, "127.0.0.1:0", &cfg);
    /* The slow client's handler is busy: it waits for more that never
     * comes (a thread, a pool worker, a child). */
    slow = connect_to(s.srv);
    check_echo(slow, "s");
    if (mode == SKT_SERVER_EVENTS)
        flood = flood_without_reading(s.srv);
    begin = skt_test_now();
    for (int i = 0; i < 5; i++)
        echo_once(s.srv, "not held up");
    assert_true(skt_test_now() - begin < 4.0);
    hang_up(slow);
    hang_up(flood);
    stop(&s);
}

/* ------------------------------------------------------------------------ */
/* Shutdown latency                                                         */
/* ------------------------------------------------------------------------ */

enum { SAMPLES = 5 };
#define LATENCY_LIMIT 0.050

static void test_shutdown_from_another_thread_is_fast(void **state)
{
    (void)state;
    for (int m = 0; m < MODE_COUNT; m++) {
        double latency[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            skt_server_config cfg = echo_config(all_modes[m]->mode,
                                                SOCK_STREAM);
            struct serving s;
            double asked;
            start(&s, "127.0.0.1:0", &cfg);
            /* Served once, so the loop is really waiting in select. */
            echo_once(s.srv, "warm");
            usleep(20000);
            asked = skt_test_now();
            SKT_OK(skt_server_shutdown(s.srv));
            join_stopped(&s);
            latency[i] = s.stopped_at - asked;
            SKT_OK(skt_server_close(s.srv));
        }
        double mid = median(latency, SAMPLES);
        print_message("shutdown from another thread, %s mode: median "
                      "%.3f ms\n", all_modes[m]->name, mid * 1e3);
        assert_true(mid < LATENCY_LIMIT);
    }
}

static int stop_on_q(skt_server *srv, skt_socket *conn, const skt_addr *client,
                     void *user)
{
    char byte;
    ssize_t n = skt_recv(conn, &byte, 1, 0);
    (void)client, (void)user;
    if (n == 1 && byte == 'q')
        skt_server_shutdown(srv);
    return n < 0 ? (int)n : 0;
}

static int stop_on_q_event(skt_server_conn *conn, int events, void *state)
{
    char byte;
    ssize_t n = skt_recv(skt_server_conn_socket(conn), &byte, 1, 0);
    (void)events, (void)state;
    if (n == 1 && byte == 'q')
        skt_server_shutdown(skt_server_conn_server(conn));
    return n == -EAGAIN ? 0 : SKT_SERVER_CLOSE;
}

static void test_shutdown_from_inside_a_handler_is_fast(void **state)
{
    (void)state;
    for (int m = 0; m < MODE_COUNT; m++) {
        double latency[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            skt_server_config cfg = {0};
            struct serving s;
            skt_socket *c;
            double asked;
            cfg.mode = all_modes[m]->mode;
            cfg.handle = stop_on_q;
            cfg.on_event = stop_on_q_event;
            start(&s, "127.0.0.1:0", &cfg);
            c = connect_to(s.srv);
            /* The request travels, is accepted, handled (forked first in
             * fork mode): all of it counts. */
            asked = skt_test_now();
            assert_int_equal(skt_send(c, "q", 1, 0), 1);
            join_stopped(&s);
            latency[i] = s.stopped_at - asked;
            hang_up(c);
            SKT_OK(skt_server_close(s.srv));
        }
        double mid = median(latency, SAMPLES);
        print_message("shutdown from a handler, %s mode: median %.3f ms\n",
                      all_modes[m]->name, mid * 1e3);
        assert_true(mid < LATENCY_LIMIT);
    }
}

static void test_shutdown_before_serving_returns_at_once(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_THREADS, SOCK_STREAM);
    skt_server *srv;
    skt_addr a;
    double begin;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    SKT_OK(skt_server_shutdown(srv));
    begin = skt_test_now();
    SKT_OK(skt_server_serve_forever(srv));
    assert_true(skt_test_now() - begin < 1.0);
    SKT_OK(skt_server_close(srv));
}

/* ------------------------------------------------------------------------ */
/* Failures that must not stop the server                                   */
/* ------------------------------------------------------------------------ */

static void test_accept_under_emfile_keeps_serving(void **state)
{
    skt_server_mode mode = ((const struct mode *)*state)->mode;
    skt_server_config cfg = echo_config(mode, SOCK_STREAM);
    struct errors errors = {0};
    enum { CLIENTS = 3, DUMMIES = 64 };
    skt_socket *clients[CLIENTS];
    int dummies[DUMMIES], held = 0;
    struct rlimit saved, low;
    struct serving s;
    skt_addr a;

    cfg.handle_error = count_error;
    cfg.user = &errors;
    start(&s, "127.0.0.1:0", &cfg);
    SKT_OK(skt_server_address(s.srv, &a));
    for (int i = 0; i < CLIENTS; i++)
        SKT_OK(skt_open(&clients[i], AF_INET, SOCK_STREAM, 0));
    /* Lower the limit near what is open, then take every fd left. */
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = (rlim_t)skt_test_count_fds() + 8;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    while (held < DUMMIES && (dummies[held] = dup(0)) >= 0)
        held++;
    assert_true(held < DUMMIES);
    for (int i = 0; i < CLIENTS; i++) {
        SKT_OK(skt_settimeout(clients[i], 5.0));
        SKT_OK(skt_connect(clients[i], &a));
        SKT_OK(skt_sendall(clients[i], "hello", 5, 0, NULL));
    }
    usleep(400000);
    /* The server heard of it, and backed off rather than spinning. */
    assert_true(read_errors(&errors.emfile) >= 1);
    assert_true(read_errors(&errors.emfile) <= 20);
    while (held > 0)
        close(dummies[--held]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    for (int i = 0; i < CLIENTS; i++) {
        char buf[5];
        SKT_OK(skt_recv_exact(clients[i], buf, 5, 0, NULL));
        assert_memory_equal(buf, "hello", 5);
        hang_up(clients[i]);
    }
    echo_once(s.srv, "still serving");
    stop(&s);
}

enum { REQUEST = 64 };

/* A request of REQUEST bytes gets "done". */
static int fixed_request(skt_server *srv, skt_socket *conn,
                         const skt_addr *client, void *user)
{
    char buf[REQUEST];
    int rc = skt_recv_exact(conn, buf, sizeof buf, 0, NULL);
    (void)srv, (void)client, (void)user;
    return rc < 0 ? rc : skt_sendall(conn, "done", 4, 0, NULL);
}

static int fixed_request_open(skt_server_conn *conn, void *user)
{
    size_t *got = calloc(1, sizeof *got);
    (void)user;
    if (got == NULL)
        return -ENOMEM;
    skt_server_conn_set_state(conn, got);
    return 0;
}

static int fixed_request_event(skt_server_conn *conn, int events, void *state)
{
    size_t *got = state;
    char buf[REQUEST];
    ssize_t n = skt_recv(skt_server_conn_socket(conn), buf,
                         REQUEST - *got, 0);

    (void)events;
    if (n == -EAGAIN)
        return 0;
    if (n <= 0)
        return n == 0 ? SKT_EEOF : (int)n;
    *got += (size_t)n;
    if (*got < REQUEST)
        return 0;
    int rc = skt_server_conn_send(conn, "done", 4);
    return rc < 0 ? rc : SKT_SERVER_CLOSE;
}

static void free_state(skt_server_conn *conn, int reason, void *state)
{
    (void)conn, (void)reason;
    free(state);
}

/*
 * A client that sends part of a request, then resets the connection. It
 * runs in a process of its own, so that no forked child of the server
 * holds a copy of its fd (the reset is sent only by the last close).
 */
static void reset_after(skt_server *srv, size_t sent)
{
    static const char partial[REQUEST];
    skt_addr a;
    int status;
    pid_t pid;

    SKT_OK(skt_server_address(srv, &a));
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct linger abortive = {1, 0};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, skt_addr_sockaddr(&a), a.len) != 0 ||
            send(fd, partial, sent, 0) != (ssize_t)sent)
            _exit(1);
        usleep(30000);
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
        close(fd);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
}

static void test_client_reset_mid_request_leaves_server_serving(void **state)
{
    (void)state;
    for (int m = 0; m < MODE_COUNT; m++) {
        skt_server_config cfg = {0};
        struct errors errors = {0};
        struct serving s;
        skt_socket *c;
        char request[REQUEST] = {0}, reply[4];
        double end = skt_test_now() + 3.0;

        cfg.mode = all_modes[m]->mode;
        cfg.handle = fixed_request;
        cfg.on_open = fixed_request_open;
        cfg.on_event = fixed_request_event;
        cfg.on_close = free_state;
        cfg.handle_error = count_error;
        cfg.user = &errors;
        start(&s, "127.0.0.1:0", &cfg);
        reset_after(s.srv, 10);
        c = connect_to(s.srv);
        SKT_OK(skt_sendall(c, request, sizeof request, 0, NULL));
        SKT_OK(skt_recv_exact(c, reply, sizeof reply, 0, NULL));
        assert_memory_equal(reply, "done", 4);
        hang_up(c);
        /* The reset was reported (in fork mode, in the child). */
        while (all_modes[m]->mode != SKT_SERVER_FORK &&
               read_errors(&errors.total) == 0 && skt_test_now() < end)
            usleep(5000);
        if (all_modes[m]->mode != SKT_SERVER_FORK)
            assert_true(read_errors(&errors.total) >= 1);
        stop(&s);
    }
}

/* ------------------------------------------------------------------------ */
/* Hooks and limits                                                         */
/* ------------------------------------------------------------------------ */

static bool refuse_first(skt_server *srv, skt_socket *conn,
                         const skt_addr *client, void *user)
{
    int *seen = user;
    (void)srv, (void)conn;
    assert_int_equal(skt_addr_family(client), AF_INET);
    return (*seen)++ > 0;
}

static void test_verify_request_drops_refused_clients(void **state)
{
    for (int m = 0; m < MODE_COUNT; m++) {
        skt_server_config cfg = echo_config(all_modes[m]->mode, SOCK_STREAM);
        struct serving s;
        skt_socket *c;
        char byte;
        int seen = 0;

        (void)state;
        cfg.verify_request = refuse_first;
        cfg.user = &seen;
        start(&s, "127.0.0.1:0", &cfg);
        c = connect_to(s.srv);
        /* Refused: shut down and closed without a handler, so no echo,
         * just a clean end (Python's shutdown_request), not a reset. */
        assert_int_equal(skt_send(c, "x", 1, 0), 1);
        assert_int_equal(skt_recv(c, &byte, 1, 0), 0);
        hang_up(c);
        echo_once(s.srv, "verified");
        stop(&s);
        assert_int_equal(seen, 2);
    }
}

static void test_idle_timeout_closes_silent_connections(void **state)
{
    static const skt_server_mode modes[] = {SKT_SERVER_THREADS,
                                            SKT_SERVER_EVENTS};
    (void)state;
    for (int m = 0; m < 2; m++) {
        skt_server_config cfg = echo_config(modes[m], SOCK_STREAM);
        struct errors errors = {0};
        struct serving s;
        skt_socket *silent, *busy;
        double begin;
        char byte;

        cfg.idle_timeout = 0.3;
        cfg.handle_error = count_error;
        cfg.user = &errors;
        start(&s, "127.0.0.1:0", &cfg);
        silent = connect_to(s.srv);
        busy = connect_to(s.srv);
        begin = skt_test_now();
        /* The busy one talks every 100 ms, so it is never idle long. */
        for (int i = 0; i < 6; i++) {
            check_echo(busy, "b");
            usleep(100000);
        }
        ssize_t n = skt_recv(silent, &byte, 1, 0);
        assert_true(n == 0 || n == -ECONNRESET);
        assert_true(skt_test_now() - begin >= 0.25);
        check_echo(busy, "still open");
        assert_true(read_errors(&errors.timedout) >= 1);
        hang_up(silent);
        hang_up(busy);
        stop(&s);
    }
}

static void count_timeout(skt_server *srv, void *user)
{
    (void)srv;
    __atomic_add_fetch((int *)user, 1, __ATOMIC_SEQ_CST);
}

static void test_handle_timeout_runs_when_no_request_comes(void **state)
{
    static const skt_server_mode modes[] = {SKT_SERVER_SEQUENTIAL,
                                            SKT_SERVER_EVENTS};
    (void)state;
    for (int m = 0; m < 2; m++) {
        skt_server_config cfg = echo_config(modes[m], SOCK_STREAM);
        struct serving s;
        int timeouts = 0;

        cfg.timeout = 0.1;
        cfg.handle_timeout = count_timeout;
        cfg.user = &timeouts;
        start(&s, "127.0.0.1:0", &cfg);
        usleep(450000);
        stop(&s);
        assert_true(timeouts >= 2);
        assert_true(timeouts <= 5);
    }
}

static void test_max_connections_pauses_accepting(void **state)
{
    static const skt_server_mode modes[] = {SKT_SERVER_THREADS,
                                            SKT_SERVER_FORK,
                                            SKT_SERVER_EVENTS};
    (void)state;
    for (int m = 0; m < 3; m++) {
        skt_server_config cfg = echo_config(modes[m], SOCK_STREAM);
        skt_socket *first, *second, *third;
        struct serving s;
        char buf[5];

        cfg.max_connections = 2;
        start(&s, "127.0.0.1:0", &cfg);
        first = connect_to(s.srv);
        second = connect_to(s.srv);
        check_echo(first, "one");
        check_echo(second, "two");
        /* The third waits in the backlog, unanswered... */
        third = connect_to(s.srv);
        SKT_OK(skt_sendall(third, "three", 5, 0, NULL));
        SKT_OK(skt_settimeout(third, 0.3));
        assert_int_equal(skt_recv(third, buf, 5, 0), -ETIMEDOUT);
        assert_true(skt_server_connections(s.srv) <= 2);
        /* ...until one of the first two leaves. */
        hang_up(first);
        SKT_OK(skt_settimeout(third, 5.0));
        SKT_OK(skt_recv_exact(third, buf, 5, 0, NULL));
        assert_memory_equal(buf, "three", 5);
        hang_up(second);
        hang_up(third);
        stop(&s);
    }
}

/* Opens count clients, each served (its echo came back). */
static void open_served(skt_server *srv, skt_socket **clients, int count)
{
    for (int i = 0; i < count; i++) {
        clients[i] = connect_to(srv);
        check_echo(clients[i], "served");
    }
}

static void hang_up_all(skt_socket **clients, int count)
{
    for (int i = 0; i < count; i++)
        hang_up(clients[i]);
}

enum { LIMIT = SKT_SERVER_THREADS_LIMIT, EXTRA = 4 };

static void test_threads_mode_default_limits_connections(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_THREADS, SOCK_STREAM);
    static skt_socket *clients[LIMIT], *extra[EXTRA];
    struct serving s;
    char buf[5];

    (void)state;
    if (!raise_fd_limit(2 * (LIMIT + EXTRA) + 64))
        SKT_SKIP("RLIMIT_NOFILE cannot be raised to %d",
                 2 * (LIMIT + EXTRA) + 64);
    assert_int_equal(cfg.max_connections, 0);
    start(&s, "127.0.0.1:0", &cfg);
    /* The default limit of threads, each held by an idle client... */
    open_served(s.srv, clients, LIMIT);
    assert_int_equal(skt_server_connections(s.srv), LIMIT);
    /* ...and the clients past it wait in the backlog, unserved. */
    for (int i = 0; i < EXTRA; i++) {
        extra[i] = connect_to(s.srv);
        SKT_OK(skt_sendall(extra[i], "extra", 5, 0, NULL));
    }
    SKT_OK(skt_settimeout(extra[0], 0.3));
    assert_int_equal(skt_recv(extra[0], buf, 5, 0), -ETIMEDOUT);
    assert_int_equal(skt_server_connections(s.srv), LIMIT);
    /* As idle clients leave, the waiting ones are served. */
    hang_up_all(clients, EXTRA);
    for (int i = 0; i < EXTRA; i++) {
        SKT_OK(skt_settimeout(extra[i], 5.0));
        SKT_OK(skt_recv_exact(extra[i], buf, 5, 0, NULL));
        assert_memory_equal(buf, "extra", 5);
    }
    assert_true(skt_server_connections(s.srv) <= LIMIT);
    hang_up_all(clients + EXTRA, LIMIT - EXTRA);
    hang_up_all(extra, EXTRA);
    stop(&s);
}

static void test_threads_mode_no_limit_serves_past_the_default(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_THREADS, SOCK_STREAM);
    static skt_socket *clients[LIMIT + EXTRA];
    struct serving s;

    (void)state;
    if (!raise_fd_limit(2 * (LIMIT + EXTRA) + 64))
        SKT_SKIP("RLIMIT_NOFILE cannot be raised to %d",
                 2 * (LIMIT + EXTRA) + 64);
    cfg.max_connections = SKT_SERVER_NO_LIMIT;
    start(&s, "127.0.0.1:0", &cfg);
    open_served(s.srv, clients, LIMIT + EXTRA);
    assert_int_equal(skt_server_connections(s.srv), LIMIT + EXTRA);
    hang_up_all(clients, LIMIT + EXTRA);
    stop(&s);
}

static void test_pool_with_idle_timeout_survives_silent_clients(void **state)
{
    enum { POOL = 2, SILENT = 6 };
    skt_server_config cfg = echo_config(SKT_SERVER_POOL, SOCK_STREAM);
    struct errors errors = {0};
    skt_socket *silent[SILENT];
    struct serving s;
    double begin;
    char byte;

    (void)state;
    cfg.pool_size = POOL;
    cfg.idle_timeout = 0.2;
    cfg.handle_error = count_error;
    cfg.user = &errors;
    start(&s, "127.0.0.1:0", &cfg);
    /* Three times as many silent clients as the pool has threads. */
    for (int i = 0; i < SILENT; i++)
        silent[i] = connect_to(s.srv);
    begin = skt_test_now();
    /* A good client is served once the idle timeout has freed a thread
     * for each silent client ahead of it in the queue. */
    echo_once(s.srv, "good client");
    assert_true(skt_test_now() - begin < 3.0);
    /* Every silent client was closed, none is held for good. */
    for (int i = 0; i < SILENT; i++) {
        ssize_t n;
        SKT_OK(skt_settimeout(silent[i], 5.0));
        n = skt_recv(silent[i], &byte, 1, 0);
        assert_true(n == 0 || n == -ECONNRESET);
    }
    assert_true(read_errors(&errors.timedout) >= SILENT);
    echo_once(s.srv, "still serving");
    hang_up_all(silent, SILENT);
    stop(&s);
}

/* ------------------------------------------------------------------------ */
/* Fork mode: what a child holds                                            */
/* ------------------------------------------------------------------------ */

enum { FD_TABLE = 1024, FD_REPORT = 8192 };

/*
 * Lists this process's open fds into out (size bytes) as "FD TARGET"
 * lines, TARGET being what /proc/self/fd/FD links to ("conn" for conn_fd),
 * then "end". The listing's own fd is left out. Returns the length.
 */
static size_t list_fds(char *out, size_t size, int conn_fd)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    size_t len = 0;

    while (dir != NULL && (entry = readdir(dir)) != NULL &&
           len + 300 < size) {
        char path[64], target[256] = "";
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd == dirfd(dir))
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (readlink(path, target, sizeof target - 1) < 0)
            snprintf(target, sizeof target, "?");
        len += (size_t)snprintf(out + len, size - len, "%d %s\n", fd,
                                fd == conn_fd ? "conn" : target);
    }
    if (dir != NULL)
        closedir(dir);
    len += (size_t)snprintf(out + len, size - len, "end\n");
    return len;
}

/* Marks in open[] (FD_TABLE entries) the fds this process has open. */
static void mark_open_fds(bool *open)
{
    char report[FD_REPORT];
    char *line, *rest;

    memset(open, 0, FD_TABLE * sizeof *open);
    list_fds(report, sizeof report, -1);
    for (line = strtok_r(report, "\n", &rest); line != NULL;
         line = strtok_r(NULL, "\n", &rest)) {
        int fd = atoi(line);
        if (strcmp(line, "end") != 0 && fd >= 0 && fd < FD_TABLE)
            open[fd] = true;
    }
}

/* The child's handler: on "l", sends the child's fds (list_fds); then
 * holds the connection until the client closes it. */
static int report_fds(skt_server *srv, skt_socket *conn,
                      const skt_addr *client, void *user)
{
    char report[FD_REPORT], byte;
    size_t len;
    int rc;

    (void)srv, (void)client, (void)user;
    if (skt_recv(conn, &byte, 1, 0) != 1 || byte != 'l')
        return -EPROTO;
    len = list_fds(report, sizeof report, skt_test_fd(conn));
    rc = skt_sendall(conn, report, len, 0, NULL);
    while (rc == 0 && skt_recv(conn, &byte, 1, 0) > 0)
        continue;
    return rc;
}

/* Asks the child serving c for its fds; the report, up to "end". */
static void ask_fds(skt_socket *c, char *report, size_t size)
{
    size_t got = 0;

    SKT_OK(skt_sendall(c, "l", 1, 0, NULL));
    while (got < 4 || strcmp(report + got - 4, "end\n") != 0) {
        ssize_t n = skt_recv(c, report + got, size - 1 - got, 0);
        assert_true(n > 0);
        got += (size_t)n;
        report[got] = '\0';
    }
}

/*
 * Fails on any fd of a child's report but stdin, stdout and stderr, its
 * connection, the test's own (test_fds: open before the server was made;
 * clients: made since), and the selector's wake-up eventfd, which the
 * child keeps so that skt_server_shutdown from its handler wakes the
 * parent. Not the listener, the epoll set, or a sibling's pidfd.
 */
/* What the server leaves a child on purpose: the wake-up eventfd on
 * Linux; on the posix platform the wake-up pipe's write end and the
 * write end of the child's own exit pipe. */
#ifdef SKT_PLATFORM_POSIX
#define CHILD_KEEPS "pipe:["
#define CHILD_KEEPS_COUNT 2
#else
#define CHILD_KEEPS "anon_inode:[eventfd]"
#define CHILD_KEEPS_COUNT 1
#endif

static void check_child_fds(char *report, const bool *test_fds,
                            const int *clients, int client_count)
{
    char *line, *rest;
    int wakeups = 0, count = 0;

    for (line = strtok_r(report, "\n", &rest);
         line != NULL && strcmp(line, "end") != 0;
         line = strtok_r(NULL, "\n", &rest)) {
        int fd = atoi(line);
        const char *target = strchr(line, ' ') + 1;
        bool ours = fd <= 2 || strcmp(target, "conn") == 0 ||
                    (fd < FD_TABLE && test_fds[fd]);
        for (int i = 0; i < client_count; i++)
            ours = ours || fd == clients[i];
        if (!ours && strncmp(target, CHILD_KEEPS, strlen(CHILD_KEEPS)) == 0 &&
            wakeups++ < CHILD_KEEPS_COUNT)
            ours = true;
        if (!ours)
            fail_msg("a fork-mode child holds fd %s", line);
        count++;
    }
    assert_non_null(line);
    print_message("a fork-mode child holds %d fds (%d of the server: the "
                  "wake-up eventfd)\n", count, wakeups);
}

/* A second child is made while the first is alive: it must hold neither
 * the first's pidfd nor anything else of the parent's server. */
static void test_fork_child_holds_only_its_connection(void **state)
{
    skt_server_config cfg = {0};
    bool test_fds[FD_TABLE];
    char report[FD_REPORT];
    struct serving s;
    skt_socket *first, *second;
    int clients[2];

    (void)state;
    mark_open_fds(test_fds);
    cfg.mode = SKT_SERVER_FORK;
    cfg.handle = report_fds;
    cfg.idle_timeout = 10; /* a stuck child ends by itself */
    start(&s, "127.0.0.1:0", &cfg);
    first = connect_to(s.srv);
    clients[0] = skt_test_fd(first);
    ask_fds(first, report, sizeof report);
    check_child_fds(report, test_fds, clients, 1);
    second = connect_to(s.srv);
    clients[1] = skt_test_fd(second);
    ask_fds(second, report, sizeof report);
    check_child_fds(report, test_fds, clients, 2);
    hang_up(first);
    hang_up(second);
    stop(&s);
}

/* The handler stops its server, then goes on: the parent, woken through
 * the wake-up fd the child kept, returns from serve_forever at once. */
static int stop_then_hold(skt_server *srv, skt_socket *conn,
                          const skt_addr *client, void *user)
{
    char byte;

    (void)client, (void)user;
    skt_server_shutdown(srv);
    while (skt_recv(conn, &byte, 1, 0) > 0)
        continue;
    return 0;
}

static void test_fork_child_shutdown_wakes_parent_while_it_runs(void **state)
{
    skt_server_config cfg = {0};
    struct serving s;
    skt_socket *c;
    double asked;

    (void)state;
    cfg.mode = SKT_SERVER_FORK;
    cfg.handle = stop_then_hold;
    cfg.idle_timeout = 10;
    start(&s, "127.0.0.1:0", &cfg);
    asked = skt_test_now();
    c = connect_to(s.srv);
    join_stopped(&s);
    print_message("shutdown from a child that goes on: %.3f ms\n",
                  (s.stopped_at - asked) * 1e3);
    assert_true(s.stopped_at - asked < 1.0);
    hang_up(c);
    SKT_OK(skt_server_close(s.srv));
}

/* ------------------------------------------------------------------------ */
/* Close                                                                    */
/* ------------------------------------------------------------------------ */

static int slow_finish(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    (void)srv, (void)conn, (void)client;
    usleep(200000);
    __atomic_store_n((int *)user, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static void test_close_waits_for_handler_threads(void **state)
{
    skt_server_config cfg = {0};
    struct serving s;
    skt_socket *c;
    int finished = 0;
    char byte;

    (void)state;
    cfg.mode = SKT_SERVER_THREADS;
    cfg.handle = slow_finish;
    cfg.user = &finished;
    start(&s, "127.0.0.1:0", &cfg);
    c = connect_to(s.srv);
    /* Let the handler start its 200 ms, then stop serving at once. */
    usleep(50000);
    SKT_OK(skt_server_shutdown(s.srv));
    join_stopped(&s);
    SKT_OK(skt_server_close(s.srv));
    assert_int_equal(__atomic_load_n(&finished, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(skt_recv(c, &byte, 1, 0), 0);
    hang_up(c);
}

static void test_close_cuts_stuck_handlers_after_close_timeout(void **state)
{
    static const skt_server_mode modes[] = {SKT_SERVER_THREADS,
                                            SKT_SERVER_POOL,
                                            SKT_SERVER_FORK};
    (void)state;
    for (int m = 0; m < 3; m++) {
        skt_server_config cfg = echo_config(modes[m], SOCK_STREAM);
        struct serving s;
        skt_socket *stuck;
        double begin;

        cfg.close_timeout = 0.2;
        start(&s, "127.0.0.1:0", &cfg);
        /* Its handler waits forever for a byte that never comes. */
        stuck = connect_to(s.srv);
        check_echo(stuck, "x");
        SKT_OK(skt_server_shutdown(s.srv));
        join_stopped(&s);
        begin = skt_test_now();
        SKT_OK(skt_server_close(s.srv));
        assert_true(skt_test_now() - begin >= 0.15);
        assert_true(skt_test_now() - begin < 3.0);
        hang_up(stuck);
    }
    /* Every child was reaped. */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

static int close_inside(skt_server *srv, skt_socket *conn,
                        const skt_addr *client, void *user)
{
    (void)conn, (void)client;
    *(int *)user = skt_server_close(srv);
    skt_server_shutdown(srv);
    return 0;
}

static void test_close_from_a_handler_is_refused(void **state)
{
    skt_server_config cfg = {0};
    struct serving s;
    skt_socket *c;
    int rc = 0;

    (void)state;
    cfg.handle = close_inside;
    cfg.user = &rc;
    start(&s, "127.0.0.1:0", &cfg);
    c = connect_to(s.srv);
    join_stopped(&s);
    assert_int_equal(rc, -EBUSY);
    SKT_OK(skt_server_close(s.srv));
    hang_up(c);
}

static void test_serve_forever_twice_is_busy(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_EVENTS, SOCK_STREAM);
    struct serving s;

    (void)state;
    start(&s, "127.0.0.1:0", &cfg);
    echo_once(s.srv, "serving");
    assert_int_equal(skt_server_serve_forever(s.srv), -EBUSY);
    stop(&s);
}

static void test_bad_configs_are_refused(void **state)
{
    skt_server_config cfg = {0};
    skt_server *srv = NULL;
    skt_addr a;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    /* No handler for the mode. */
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_null(srv);
    cfg.handle = echo_stream;
    cfg.mode = SKT_SERVER_EVENTS;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.mode = SKT_SERVER_THREADS;
    cfg.type = SOCK_DGRAM;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.type = SOCK_RAW;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.type = 0;
    cfg.mode = (skt_server_mode)9;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.mode = SKT_SERVER_POOL;
    cfg.idle_timeout = -1;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.idle_timeout = 0.0 / 0.0;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.idle_timeout = 0;
    /* SKT_SERVER_NO_LIMIT (-1) is the one negative limit accepted. */
    cfg.max_connections = -2;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_int_equal(skt_server_new(NULL, &a, &cfg), -EINVAL);
    assert_int_equal(skt_server_close(NULL), 0);
    assert_int_equal(skt_server_shutdown(NULL), -EINVAL);
}

/* The connections of an event-driven server, for closing one another. */
struct conns {
    skt_server_conn *open[8];
    int count;
    int closed;
};

static int remember_conn(skt_server_conn *conn, void *user)
{
    struct conns *all = user;
    skt_server_conn_set_state(conn, all);
    all->open[all->count++] = conn;
    return 0;
}

/* Echoes; a "k" closes every other connection (after its output). */
static int close_others_on_k(skt_server_conn *conn, int events, void *state)
{
    struct conns *all = state;
    char byte;
    ssize_t n = skt_recv(skt_server_conn_socket(conn), &byte, 1, 0);

    (void)events;
    if (n <= 0)
        return n == -EAGAIN ? 0 : SKT_SERVER_CLOSE;
    for (int i = 0; byte == 'k' && i < all->count; i++)
        if (all->open[i] != conn && all->open[i] != NULL)
            skt_server_conn_close(all->open[i]);
    return skt_server_conn_send(conn, &byte, 1);
}

static void forget_conn(skt_server_conn *conn, int reason, void *state)
{
    struct conns *all = state;
    (void)reason;
    for (int i = 0; i < all->count; i++)
        if (all->open[i] == conn)
            all->open[i] = NULL;
    all->closed++;
}

static void test_event_conn_close_ends_another_connection(void **state)
{
    skt_server_config cfg = {0};
    struct conns all = {0};
    struct serving s;
    skt_socket *a, *b;
    char byte;

    (void)state;
    cfg.mode = SKT_SERVER_EVENTS;
    cfg.on_open = remember_conn;
    cfg.on_event = close_others_on_k;
    cfg.on_close = forget_conn;
    cfg.user = &all;
    start(&s, "127.0.0.1:0", &cfg);
    a = connect_to(s.srv);
    b = connect_to(s.srv);
    check_echo(b, "x");
    check_echo(a, "k");
    /* b is closed by a's handler; a goes on. */
    assert_int_equal(skt_recv(b, &byte, 1, 0), 0);
    check_echo(a, "still here");
    hang_up(a);
    hang_up(b);
    stop(&s);
    assert_int_equal(all.closed, 2);
}

static void test_tcp_listener_reuses_address(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_SEQUENTIAL, SOCK_STREAM);
    skt_server *srv;
    skt_addr a;
    int reuse = 0;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    SKT_OK(skt_getsockopt_int(skt_server_socket(srv), SOL_SOCKET,
                              SO_REUSEADDR, &reuse));
    assert_true(reuse != 0);
    /* The port is bound again at once after a close, as Python's is. */
    SKT_OK(skt_server_address(srv, &a));
    SKT_OK(skt_server_close(srv));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    SKT_OK(skt_server_close(srv));
    /* A busy port is a clear error. */
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    skt_server *other;
    assert_int_equal(skt_server_new(&other, &a, &cfg), -EADDRINUSE);
    SKT_OK(skt_server_close(srv));
}

static int reuse_address_of(int setting)
{
    skt_server_config cfg = echo_config(SKT_SERVER_SEQUENTIAL, SOCK_STREAM);
    skt_server *srv;
    skt_addr where;
    int on = -1;

    cfg.reuse_address = setting;
    SKT_OK(skt_addr_parse(&where, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &where, &cfg));
    SKT_OK(skt_getsockopt_int(skt_server_socket(srv), SOL_SOCKET,
                              SO_REUSEADDR, &on));
    SKT_OK(skt_server_close(srv));
    return on != 0;
}

/* On unless asked otherwise (socketserver's default is off). */
static void test_server_reuse_address_is_on_unless_turned_off(void **state)
{
    skt_server_config cfg = echo_config(SKT_SERVER_SEQUENTIAL, SOCK_STREAM);
    skt_server *srv = NULL;
    skt_addr where;
    (void)state;
    assert_int_equal(reuse_address_of(SKT_REUSE_ADDRESS_DEFAULT), 1);
    assert_int_equal(reuse_address_of(SKT_REUSE_ADDRESS_ON), 1);
    assert_int_equal(reuse_address_of(SKT_REUSE_ADDRESS_OFF), 0);
    cfg.reuse_address = 3;
    SKT_OK(skt_addr_parse(&where, "127.0.0.1:0"));
    assert_int_equal(skt_server_new(&srv, &where, &cfg), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "reuse_address"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_server_reuse_address_is_on_unless_turned_off),
    cmocka_unit_test(test_tcp_server_serves_python_in_every_mode),
    cmocka_unit_test(test_udp_server_serves_python_in_every_mode),
    cmocka_unit_test(test_unix_stream_server_serves_python_in_every_mode),
    cmocka_unit_test(test_unix_datagram_server_serves_python_in_every_mode),
    cmocka_unit_test(test_event_server_serves_500_concurrent_connections),
    SKT_MODE_CASE(test_slow_client_does_not_block, threads),
    SKT_MODE_CASE(test_slow_client_does_not_block, pool),
    SKT_MODE_CASE(test_slow_client_does_not_block, fork),
    SKT_MODE_CASE(test_slow_client_does_not_block, events),
    cmocka_unit_test(test_shutdown_from_another_thread_is_fast),
    cmocka_unit_test(test_shutdown_from_inside_a_handler_is_fast),
    cmocka_unit_test(test_shutdown_before_serving_returns_at_once),
    SKT_MODE_CASE(test_accept_under_emfile_keeps_serving, events),
    SKT_MODE_CASE(test_accept_under_emfile_keeps_serving, threads),
    cmocka_unit_test(test_client_reset_mid_request_leaves_server_serving),
    cmocka_unit_test(test_verify_request_drops_refused_clients),
    cmocka_unit_test(test_idle_timeout_closes_silent_connections),
    cmocka_unit_test(test_handle_timeout_runs_when_no_request_comes),
    cmocka_unit_test(test_max_connections_pauses_accepting),
    cmocka_unit_test(test_threads_mode_default_limits_connections),
    cmocka_unit_test(test_threads_mode_no_limit_serves_past_the_default),
    cmocka_unit_test(test_pool_with_idle_timeout_survives_silent_clients),
    cmocka_unit_test(test_fork_child_holds_only_its_connection),
    cmocka_unit_test(test_fork_child_shutdown_wakes_parent_while_it_runs),
    cmocka_unit_test(test_close_waits_for_handler_threads),
    cmocka_unit_test(test_close_cuts_stuck_handlers_after_close_timeout),
    cmocka_unit_test(test_close_from_a_handler_is_refused),
    cmocka_unit_test(test_serve_forever_twice_is_busy),
    cmocka_unit_test(test_bad_configs_are_refused),
    cmocka_unit_test(test_tcp_listener_reuses_address),
    cmocka_unit_test(test_event_conn_close_ends_another_connection),
};

SKT_TEST_MAIN(tests)
