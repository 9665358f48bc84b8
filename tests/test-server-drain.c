/*
 * test-server-drain.c - skt_server_drain in every mode: the port is free
 * for a new server as soon as the call returns; a client mid-request gets
 * its whole reply; a client still open at the deadline is closed with the
 * reason "forced"; blocking handlers run to their end (or are cut at the
 * deadline); the request is safe in a signal handler; on_close's
 * reasons (drained, peer closed, program, idle); and forked children seen
 * to end though another process holds what watches them.
 */
#include "server-common.h"
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Reads until the end of the stream; the bytes read, or -1 on an error
 * other than a reset (which a forced close may give). */
static long read_to_end(skt_socket *c, char *keep, size_t keep_len)
{
    char buf[65536];
    long total = 0;

    for (;;) {
        ssize_t n = skt_recv(c, buf, sizeof buf, 0);
        if (n == 0 || n == -ECONNRESET)
            return total;
        if (n < 0)
            return -1;
        if (keep != NULL && (size_t)total < keep_len)
            memcpy(keep + total, buf,
                   (size_t)n < keep_len - (size_t)total
                       ? (size_t)n
                       : keep_len - (size_t)total);
        total += n;
    }
}

/* on_close's reasons, counted. */
struct reasons {
    int drained, forced, peer, program, idle, other, total;
};

static void count_reason(skt_server_conn *conn, int reason, void *state)
{
    struct reasons *r = skt_server_user(skt_server_conn_server(conn));
    int *slot = reason == SKT_SERVER_CLOSED_DRAINED    ? &r->drained
                : reason == SKT_SERVER_CLOSED_FORCED   ? &r->forced
                : reason == SKT_SERVER_CLOSED_BY_PEER  ? &r->peer
                : reason == SKT_SERVER_CLOSED_BY_PROGRAM ? &r->program
                : reason == -ETIMEDOUT                 ? &r->idle
                                                       : &r->other;
    (void)state;
    __atomic_add_fetch(slot, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&r->total, 1, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------------ */
/* The port, in every mode                                                  */
/* ------------------------------------------------------------------------ */

struct mode {
    skt_server_mode mode;
    int workers;
};
static struct mode mode_sequential = {SKT_SERVER_SEQUENTIAL, 0};
static struct mode mode_threads = {SKT_SERVER_THREADS, 0};
static struct mode mode_pool = {SKT_SERVER_POOL, 0};
static struct mode mode_fork = {SKT_SERVER_FORK, 0};
static struct mode mode_prefork = {SKT_SERVER_FORK, 2};
static struct mode mode_events = {SKT_SERVER_EVENTS, 0};
static struct mode mode_event_workers = {SKT_SERVER_EVENTS, 2};
#define SKT_MODE_CASE(body, m) {#body "_" #m, body, NULL, NULL, &mode_##m}

static skt_server_config mode_config(const struct mode *m,
                                     struct reasons *r)
{
    skt_server_config cfg = server_echo_config(m->mode);

    cfg.workers = m->workers;
    cfg.on_close = count_reason;
    cfg.user = r;
    return cfg;
}

static void test_drain_frees_the_port_at_once(void **state)
{
    const struct mode *m = *state;
    struct reasons r = {0};
    skt_server_config cfg = mode_config(m, &r);
    skt_socket *client, *fresh;
    struct serving old, next;
    double asked, bound;
    skt_addr a;

    serving_start(&old, "127.0.0.1:0", &cfg);
    client = server_connect(old.srv);
    server_check_echo(client, "before");
    SKT_OK(skt_server_address(old.srv, &a));
    asked = skt_test_now();
    SKT_OK(skt_server_drain(old.srv, 5.0));
    /* The successor binds the same port while the old server drains. */
    SKT_OK(skt_server_new(&next.srv, &a, &cfg));
    bound = skt_test_now();
    print_message("%s: port free %.0f us after the drain request\n",
                  m->mode == SKT_SERVER_EVENTS ? "events" : "blocking",
                  (bound - asked) * 1e6);
    assert_true(skt_server_draining(old.srv));
    serving_run(&next, next.srv);
    fresh = server_connect(next.srv);
    server_check_echo(fresh, "to the successor");
    server_hang_up(fresh);
    if (m->mode == SKT_SERVER_EVENTS) {
        /* Idle: closed at once, as drained. */
        assert_int_equal(read_to_end(client, NULL, 0), 0);
        assert_true(server_wait_for(&r.drained, 1, 2.0));
    } else {
        /* A handler runs to its end: this one ends with its client. */
        server_check_echo(client, "during the drain");
    }
    server_hang_up(client);
    serving_join(&old);
    /* Well before the 5 s deadline (a loaded machine forks slowly). */
    assert_true(old.stopped_at - asked < 4.0);
    SKT_OK(skt_server_close(old.srv));
    serving_stop(&next);
}

/* ------------------------------------------------------------------------ */
/* The event-driven mode                                                    */
/* ------------------------------------------------------------------------ */

#define BIG_REPLY (1024 * 1024)

/* A request is a line; its reply is BIG_REPLY bytes. The connection is
 * busy from a line's first byte until its reply is queued. */
struct line {
    size_t len;
};

static int line_open(skt_server_conn *conn, void *user)
{
    (void)user;
    skt_server_conn_set_state(conn, calloc(1, sizeof(struct line)));
    return 0;
}

static int line_event(skt_server_conn *conn, int events, void *state)
{
    static char reply[BIG_REPLY];
    struct line *line = state;
    char buf[256];
    ssize_t n = skt_server_conn_recv(conn, buf, sizeof buf);

    (void)events;
    if (n == -EAGAIN)
        return 0;
    if (n <= 0)
        return n == 0 ? SKT_SERVER_CLOSE : (int)n;
    line->len += (size_t)n;
    if (memchr(buf, '\n', (size_t)n) == NULL) {
        skt_server_conn_busy(conn, true);
        return 0;
    }
    line->len = 0;
    memset(reply, 'x', sizeof reply);
    skt_server_conn_busy(conn, false);
    return skt_server_conn_send(conn, reply, sizeof reply);
}

static void line_close(skt_server_conn *conn, int reason, void *state)
{
    free(state);
    count_reason(conn, reason, NULL);
}

static skt_server_config line_config(struct reasons *r)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_open = line_open, .on_event = line_event,
                             .on_close = line_close};
    cfg.user = r;
    return cfg;
}

static void test_drain_gives_a_client_mid_request_its_full_reply(
    void **state)
{
    struct reasons r = {0};
    skt_server_config cfg = line_config(&r);
    skt_socket *mid, *idle, *pending;
    struct serving s;

    (void)state;
    serving_start(&s, "127.0.0.1:0", &cfg);
    mid = server_connect(s.srv);
    idle = server_connect(s.srv);
    pending = server_connect(s.srv);
    /* One client has sent half a request, one a whole request whose
     * reply it has not read yet, one nothing. */
    SKT_OK(skt_sendall(mid, "GET", 3, 0, NULL));
    SKT_OK(skt_sendall(pending, "GET /\n", 6, 0, NULL));
    pause_ms(100);
    SKT_OK(skt_server_drain(s.srv, 5.0));
    assert_int_equal(read_to_end(idle, NULL, 0), 0);
    pause_ms(100);
    SKT_OK(skt_sendall(mid, " /\n", 3, 0, NULL));
    assert_int_equal(read_to_end(mid, NULL, 0), BIG_REPLY);
    assert_int_equal(read_to_end(pending, NULL, 0), BIG_REPLY);
    serving_join(&s);
    assert_int_equal(r.drained, 3);
    assert_int_equal(r.total, 3);
    server_hang_up(mid);
    server_hang_up(idle);
    server_hang_up(pending);
    SKT_OK(skt_server_close(s.srv));
}

static void test_drain_forces_a_client_still_open_at_the_deadline(
    void **state)
{
    struct reasons r = {0};
    skt_server_config cfg = line_config(&r);
    skt_socket *slow;
    struct serving s;
    double asked;

    (void)state;
    serving_start(&s, "127.0.0.1:0", &cfg);
    slow = server_connect(s.srv);
    SKT_OK(skt_sendall(slow, "GET", 3, 0, NULL));
    pause_ms(100);
    asked = skt_test_now();
    SKT_OK(skt_server_drain(s.srv, 0.3));
    /* The request is never finished: the deadline closes it. */
    assert_int_equal(read_to_end(slow, NULL, 0), 0);
    serving_join(&s);
    assert_true(s.stopped_at - asked >= 0.29);
    assert_true(s.stopped_at - asked < 2.0);
    assert_int_equal(r.forced, 1);
    assert_int_equal(r.total, 1);
    skt_close(slow);
    SKT_OK(skt_server_close(s.srv));
}

/* Another worker's clients drain too, each on its own worker. */
static void test_drain_reaches_every_worker(void **state)
{
    struct reasons r = {0};
    skt_server_config cfg = line_config(&r);
    skt_server_worker_stats stats[2];
    skt_socket *c[20];
    struct serving s;

    (void)state;
    cfg.workers = 2;
    /* A listener each, on every platform: the kernel's hash puts all 20
     * clients on one worker with odds of 2^-19 (a shared listener, the
     * posix platform's default, may give them all to one). */
    skt__server_listeners_override = 1;
    serving_start(&s, "127.0.0.1:0", &cfg);
    skt__server_listeners_override = -1;
    for (int i = 0; i < 20; i++) {
        c[i] = server_connect(s.srv);
        SKT_OK(skt_sendall(c[i], "GET", 3, 0, NULL));
    }
    pause_ms(100);
    skt_server_stats(s.srv, stats, 2);
    assert_true(stats[0].open > 0 && stats[1].open > 0);
    SKT_OK(skt_server_drain(s.srv, 5.0));
    for (int i = 0; i < 20; i++) {
        SKT_OK(skt_sendall(c[i], "\n", 1, 0, NULL));
        assert_int_equal(read_to_end(c[i], NULL, 0), BIG_REPLY);
        server_hang_up(c[i]);
    }
    serving_join(&s);
    assert_int_equal(r.drained, 20);
    SKT_OK(skt_server_close(s.srv));
}

/* A drain requested from a signal handler, as a service's SIGTERM. */
static skt_server *signalled;

static void drain_on_signal(int signo)
{
    (void)signo;
    skt_server_drain(signalled, 2.0);
}

static void test_drain_is_safe_in_a_signal_handler(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    struct sigaction sa = {0}, old;
    struct serving s;
    skt_socket *c;
    double asked;

    (void)state;
    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    server_check_echo(c, "hello");
    signalled = s.srv;
    sa.sa_handler = drain_on_signal;
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    asked = skt_test_now();
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    assert_int_equal(read_to_end(c, NULL, 0), 0);
    serving_join(&s);
    assert_true(s.stopped_at - asked < 1.5);
    sigaction(SIGUSR1, &old, NULL);
    skt_close(c);
    /* A drained server serves no more, and a second drain is a no-op. */
    SKT_OK(skt_server_drain(s.srv, 1.0));
    SKT_OK(skt_server_serve_forever(s.srv));
    SKT_OK(skt_server_close(s.srv));
}

static void test_drain_removes_the_unix_socket_file(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    char path[64], address[80];
    skt_server *old, *next;
    skt_addr a;

    (void)state;
    snprintf(path, sizeof path, "/tmp/skt-drain-%d.sock", (int)getpid());
    snprintf(address, sizeof address, "unix:%s", path);
    unlink(path);
    SKT_OK(skt_addr_parse(&a, address));
    SKT_OK(skt_server_new(&old, &a, &cfg));
    SKT_OK(skt_server_drain(old, 1.0));
    SKT_OK(skt_server_new(&next, &a, &cfg));
    /* The old server's close leaves its successor's file alone. */
    SKT_OK(skt_server_close(old));
    assert_int_equal(access(path, F_OK), 0);
    SKT_OK(skt_server_close(next));
    assert_int_equal(access(path, F_OK), -1);
}

/* on_close's reasons outside a drain: the client's end of stream read with
 * skt_server_conn_recv, the program's close, idle_timeout. */
static int close_on_c(skt_server_conn *conn, int events, void *state)
{
    char byte;
    ssize_t n = skt_server_conn_recv(conn, &byte, 1);

    (void)events, (void)state;
    if (n == 1 && byte == 'c')
        return SKT_SERVER_CLOSE;
    if (n == 0)
        return SKT_SERVER_CLOSE;
    return n < 0 && n != -EAGAIN ? (int)n : 0;
}

static void test_on_close_tells_peer_program_and_idle_apart(void **state)
{
    struct reasons r = {0};
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_event = close_on_c,
                             .on_close = count_reason, .idle_timeout = 0.2};
    skt_socket *peer, *program, *idle;
    struct serving s;

    (void)state;
    cfg.user = &r;
    serving_start(&s, "127.0.0.1:0", &cfg);
    peer = server_connect(s.srv);
    program = server_connect(s.srv);
    idle = server_connect(s.srv);
    SKT_OK(skt_shutdown(peer, SHUT_WR));
    SKT_OK(skt_sendall(program, "c", 1, 0, NULL));
    assert_true(server_wait_for(&r.peer, 1, 2.0));
    assert_true(server_wait_for(&r.program, 1, 2.0));
    assert_true(server_wait_for(&r.idle, 1, 2.0));
    assert_int_equal(r.total, 3);
    skt_close(peer);
    skt_close(program);
    skt_close(idle);
    serving_stop(&s);
}

/* ------------------------------------------------------------------------ */
/* The blocking modes                                                       */
/* ------------------------------------------------------------------------ */

/* Reads a request, works on it for 300 ms, answers "done". */
static int slow_answer(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    char buf[16];
    ssize_t n = skt_recv(conn, buf, sizeof buf, 0);

    (void)srv, (void)client, (void)user;
    if (n <= 0)
        return (int)n;
    pause_ms(300);
    return skt_sendall(conn, "done", 4, 0, NULL);
}

static void test_drain_lets_blocking_handlers_finish(void **state)
{
    const struct mode *m = *state;
    struct reasons r = {0};
    skt_server_config cfg = mode_config(m, &r);
    char answer[8] = {0};
    struct serving s;
    skt_socket *c;
    double asked;

    cfg.handle = slow_answer;
    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    SKT_OK(skt_sendall(c, "work", 4, 0, NULL));
    pause_ms(50);
    asked = skt_test_now();
    SKT_OK(skt_server_drain(s.srv, 5.0));
    assert_int_equal(read_to_end(c, answer, sizeof answer - 1), 4);
    assert_string_equal(answer, "done");
    serving_join(&s);
    /* serve_forever returned once the handler had ended, well before the
     * 5 s deadline. */
    assert_true(s.stopped_at - asked < 4.0);
    server_hang_up(c);
    SKT_OK(skt_server_close(s.srv));
}

/* A connection the pool has queued is served too: it was accepted. */
static void test_drain_serves_what_the_pool_has_queued(void **state)
{
    struct reasons r = {0};
    skt_server_config cfg = mode_config(&mode_pool, &r);
    char first[8] = {0}, second[8] = {0};
    skt_socket *a, *b;
    struct serving s;

    (void)state;
    cfg.handle = slow_answer;
    cfg.pool_size = 1;
    serving_start(&s, "127.0.0.1:0", &cfg);
    a = server_connect(s.srv);
    b = server_connect(s.srv);
    SKT_OK(skt_sendall(a, "work", 4, 0, NULL));
    SKT_OK(skt_sendall(b, "work", 4, 0, NULL));
    pause_ms(50);
    SKT_OK(skt_server_drain(s.srv, 5.0));
    assert_int_equal(read_to_end(a, first, sizeof first - 1), 4);
    assert_int_equal(read_to_end(b, second, sizeof second - 1), 4);
    assert_string_equal(first, "done");
    assert_string_equal(second, "done");
    serving_join(&s);
    server_hang_up(a);
    server_hang_up(b);
    SKT_OK(skt_server_close(s.srv));
}

static void test_drain_cuts_blocking_handlers_at_the_deadline(void **state)
{
    const struct mode *m = *state;
    struct reasons r = {0};
    skt_server_config cfg = mode_config(m, &r);
    struct serving s;
    skt_socket *c;
    double asked;

    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    server_check_echo(c, "stay");
    asked = skt_test_now();
    SKT_OK(skt_server_drain(s.srv, 0.3));
    /* The echo handler waits for this client for ever: cut. */
    assert_int_equal(read_to_end(c, NULL, 0), 0);
    serving_join(&s);
    assert_true(s.stopped_at - asked >= 0.29);
    assert_true(s.stopped_at - asked < 2.0);
    server_hang_up(c);
    SKT_OK(skt_server_close(s.srv));
}

/* Processes forked inside the fork window of the server's children: each
 * holds, for 3 s, whatever the child's watch had open at that moment (on
 * the posix platform, the write end of the pipe that reads as the child's
 * exit), as a process forked by another thread of the program would. */
#define SLEEPERS_MAX 16
static pid_t sleepers[SLEEPERS_MAX];
static int sleeper_count;

static void fork_a_sleeper(void)
{
    pid_t pid;

    if (sleeper_count == SLEEPERS_MAX)
        return;
    pid = fork();
    if (pid == 0) {
        pause_ms(3000);
        _exit(0);
    }
    if (pid > 0)
        sleepers[sleeper_count++] = pid;
}

static void end_sleepers(void)
{
    for (int i = 0; i < sleeper_count; i++) {
        kill(sleepers[i], SIGKILL);
        waitpid(sleepers[i], NULL, 0);
    }
    sleeper_count = 0;
}

/* A child's end is seen at once even when another process holds its exit
 * fd's other end: the drain ends well before the sleepers do (3 s). */
static void test_drain_sees_children_whose_watch_is_shared(void **state)
{
    const struct mode *m = *state;
    struct reasons r = {0};
    skt_server_config cfg = mode_config(m, &r);
    struct serving s;
    double asked, took;

    skt__sys_fork_hook = fork_a_sleeper;
    serving_start(&s, "127.0.0.1:0", &cfg);
    for (int i = 0; i < 3; i++) {
        skt_socket *c = server_connect(s.srv);
        server_check_echo(c, "a request in its own child");
        server_hang_up(c);
    }
    asked = skt_test_now();
    SKT_OK(skt_server_drain(s.srv, 10.0));
    serving_join(&s);
    skt__sys_fork_hook = NULL;
    took = s.stopped_at - asked;
    print_message("%d sleepers forked; the drain took %.3f s\n",
                  sleeper_count, took);
    assert_true(sleeper_count > 0);
    end_sleepers();
    assert_true(took < 1.5);
    SKT_OK(skt_server_close(s.srv));
}

static const struct CMUnitTest tests[] = {
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, sequential),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, threads),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, pool),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, fork),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, prefork),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, events),
    SKT_MODE_CASE(test_drain_frees_the_port_at_once, event_workers),
    cmocka_unit_test(test_drain_gives_a_client_mid_request_its_full_reply),
    cmocka_unit_test(test_drain_forces_a_client_still_open_at_the_deadline),
    cmocka_unit_test(test_drain_reaches_every_worker),
    cmocka_unit_test(test_drain_is_safe_in_a_signal_handler),
    cmocka_unit_test(test_drain_removes_the_unix_socket_file),
    cmocka_unit_test(test_on_close_tells_peer_program_and_idle_apart),
    SKT_MODE_CASE(test_drain_lets_blocking_handlers_finish, sequential),
    SKT_MODE_CASE(test_drain_lets_blocking_handlers_finish, threads),
    SKT_MODE_CASE(test_drain_lets_blocking_handlers_finish, pool),
    SKT_MODE_CASE(test_drain_lets_blocking_handlers_finish, fork),
    SKT_MODE_CASE(test_drain_lets_blocking_handlers_finish, prefork),
    cmocka_unit_test(test_drain_serves_what_the_pool_has_queued),
    SKT_MODE_CASE(test_drain_cuts_blocking_handlers_at_the_deadline, threads),
    SKT_MODE_CASE(test_drain_cuts_blocking_handlers_at_the_deadline, fork),
    SKT_MODE_CASE(test_drain_cuts_blocking_handlers_at_the_deadline, prefork),
    SKT_MODE_CASE(test_drain_sees_children_whose_watch_is_shared, fork),
    SKT_MODE_CASE(test_drain_sees_children_whose_watch_is_shared, prefork),
};

SKT_TEST_MAIN(tests)
