/*
 * test-server-workers.c - skt_server at scale: event loops on several
 * workers (every callback of a connection on the worker that accepted it,
 * both ways of sharing the port, shutdown reaching every loop), prefork
 * (children serve, a dead child is replaced, shutdown ends them), the
 * per-worker counters, the limits: the accept batch, the output
 * high-water mark, and refusing clients when full; and a connection's own
 * state and interest (skt_server_conn_state, skt_server_conn_want).
 */
#include "server-common.h"

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

/* Waits up to seconds for the server to have count connections open. */
static bool wait_connections(skt_server *srv, int count, double seconds)
{
    double until = skt_test_now() + seconds;

    while (skt_server_connections(srv) != count) {
        if (skt_test_now() > until)
            return false;
        pause_ms(2);
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Event loops on workers                                                   */
/* ------------------------------------------------------------------------ */

#define MAX_WORKERS 8

/* What the callbacks saw, checked after the run. */
struct owners {
    pthread_t threads[MAX_WORKERS]; /* the thread each worker index ran on */
    int seen[MAX_WORKERS];
    int wrong; /* a callback on another thread than its connection's */
    pthread_mutex_t lock;
};

/* The thread of verify_request, for on_open to compare with its own. */
static __thread int verified_port;

static bool note_verify(skt_server *srv, skt_socket *conn,
                        const skt_addr *client, void *user)
{
    (void)srv, (void)conn, (void)user;
    verified_port = skt_addr_port(client);
    return true;
}

static void check_owner(skt_server_conn *conn, struct owners *o)
{
    int worker = skt_server_conn_worker(conn);

    pthread_mutex_lock(&o->lock);
    if (worker < 0 || worker >= MAX_WORKERS)
        o->wrong++;
    else if (!o->seen[worker]) {
        o->seen[worker] = 1;
        o->threads[worker] = pthread_self();
    } else if (!pthread_equal(o->threads[worker], pthread_self())) {
        o->wrong++;
    }
    pthread_mutex_unlock(&o->lock);
}

static int owner_open(skt_server_conn *conn, void *user)
{
    struct owners *o = user;

    if (verified_port != skt_addr_port(skt_server_conn_client(conn)))
        __atomic_add_fetch(&o->wrong, 1, __ATOMIC_SEQ_CST);
    check_owner(conn, o);
    skt_server_conn_set_state(conn, o);
    return 0;
}

static int owner_event(skt_server_conn *conn, int events, void *state)
{
    check_owner(conn, state);
    return server_echo_event(conn, events, state);
}

static void owner_close(skt_server_conn *conn, int reason, void *state)
{
    (void)reason;
    check_owner(conn, state);
}

/* Serves clients connections of two rounds of echo each on workers
 * loops, and checks each callback ran on its connection's worker. */
static void serve_on_workers(skt_server *srv, struct owners *o, int workers,
                             int clients)
{
    skt_server_worker_stats stats[MAX_WORKERS];
    skt_socket **c = calloc((size_t)clients, sizeof *c);
    struct serving s;
    uint64_t total = 0;
    int busy = 0;
    bool listener_each;

    serving_run(&s, srv);
    for (int i = 0; i < clients; i++) {
        c[i] = server_connect(srv);
        server_check_echo(c[i], "first");
    }
    for (int i = 0; i < clients; i++)
        server_check_echo(c[i], "second");
    for (int i = 0; i < clients; i++)
        server_hang_up(c[i]);
    free(c);
    assert_true(wait_connections(srv, 0, 5.0));
    assert_int_equal(skt_server_stats(srv, stats, MAX_WORKERS), workers);
    for (int i = 0; i < workers; i++) {
        total += stats[i].connections;
        busy += stats[i].connections > 0;
        assert_true(stats[i].requests >= 2 * stats[i].connections);
        assert_int_equal(stats[i].open, 0);
    }
    serving_stop(&s);
    assert_int_equal(total, (uint64_t)clients);
    assert_int_equal(o->wrong, 0);
    /* A listener each: set by the case, or the platform's default (posix
     * does not count on SO_REUSEPORT to spread connections). */
#ifdef SKT_PLATFORM_POSIX
    listener_each = skt__server_listeners_override == 1;
#else
    listener_each = skt__server_listeners_override != 0;
#endif
    /* 200 connections all on one worker of two would be a broken
     * balance (the kernel's hash: 2^-199; one waiter woken: the clients
     * connect one at a time, so this can happen there, and is only
     * reported). */
    if (listener_each)
        assert_int_equal(busy, workers);
    else
        print_message("shared listener: %d of %d workers took connections\n",
                      busy, workers);
    for (int i = 0; i < workers; i++)
        for (int j = i + 1; j < workers; j++)
            if (o->seen[i] && o->seen[j])
                assert_false(pthread_equal(o->threads[i], o->threads[j]));
}

static skt_server_config owner_config(struct owners *o, int workers)
{
    skt_server_config cfg = {0};

    memset(o, 0, sizeof *o);
    pthread_mutex_init(&o->lock, NULL);
    cfg.mode = SKT_SERVER_EVENTS;
    cfg.workers = workers;
    cfg.verify_request = note_verify;
    cfg.on_open = owner_open;
    cfg.on_event = owner_event;
    cfg.on_close = owner_close;
    cfg.user = o;
    return cfg;
}

static void test_event_workers_keep_each_connection_on_its_worker(
    void **state)
{
    struct owners o;
    skt_server_config cfg = owner_config(&o, 2);
    skt_server *srv;
    skt_addr a;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    serve_on_workers(srv, &o, 2, 200);
    pthread_mutex_destroy(&o.lock);
}

static void test_event_workers_share_one_listener_when_told(void **state)
{
    struct owners o;
    skt_server_config cfg = owner_config(&o, 3);
    skt_server *srv;
    skt_addr a;

    (void)state;
    skt__server_listeners_override = 0;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    serve_on_workers(srv, &o, 3, 200);
    skt__server_listeners_override = -1;
    pthread_mutex_destroy(&o.lock);
}

static void test_event_workers_serve_a_unix_socket(void **state)
{
    struct owners o;
    skt_server_config cfg = owner_config(&o, 2);
    char path[64], address[80];
    skt_server *srv;
    skt_addr a;

    (void)state;
    snprintf(path, sizeof path, "/tmp/skt-workers-%d.sock", (int)getpid());
    snprintf(address, sizeof address, "unix:%s", path);
    unlink(path);
    SKT_OK(skt_addr_parse(&a, address));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    skt__server_listeners_override = 0; /* only for the balance check */
    serve_on_workers(srv, &o, 2, 100);
    skt__server_listeners_override = -1;
    assert_int_equal(access(path, F_OK), -1);
    pthread_mutex_destroy(&o.lock);
}

static void test_workers_per_cpu_is_one_loop_per_cpu(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    skt_server *srv;
    skt_addr a;

    (void)state;
    cfg.workers = SKT_WORKERS_PER_CPU;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    assert_int_equal(skt_server_stats(srv, NULL, 0), cpus > 1 ? cpus : 1);
    SKT_OK(skt_server_close(srv));
}

static void test_shutdown_stops_every_worker(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    skt_socket *c[4];
    struct serving s;
    double asked;

    (void)state;
    cfg.workers = 4;
    serving_start(&s, "127.0.0.1:0", &cfg);
    for (int i = 0; i < 4; i++) {
        c[i] = server_connect(s.srv);
        server_check_echo(c[i], "hi");
    }
    asked = skt_test_now();
    SKT_OK(skt_server_shutdown(s.srv));
    serving_join(&s);
    assert_true(s.stopped_at - asked < 1.0);
    /* The connections stay open until close, which closes them all. */
    assert_int_equal(skt_server_connections(s.srv), 4);
    SKT_OK(skt_server_close(s.srv));
    for (int i = 0; i < 4; i++) {
        char byte;
        assert_int_equal(skt_recv(c[i], &byte, 1, 0), 0);
        skt_close(c[i]);
    }
}

/* handle_timeout: on the first worker, serve_forever's own thread. */
struct timeouts {
    pthread_t thread;
    int calls;
};

static void note_timeout(skt_server *srv, void *user)
{
    struct timeouts *t = user;

    (void)srv;
    t->thread = pthread_self();
    __atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
}

static void test_handle_timeout_runs_on_the_first_worker(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    struct timeouts t = {0};
    struct serving s;

    (void)state;
    cfg.workers = 3;
    cfg.timeout = 0.05;
    cfg.handle_timeout = note_timeout;
    cfg.user = &t;
    serving_start(&s, "127.0.0.1:0", &cfg);
    assert_true(server_wait_for(&t.calls, 2, 2.0));
    SKT_OK(skt_server_shutdown(s.srv));
    serving_join(&s);
    assert_true(pthread_equal(t.thread, s.thread));
    SKT_OK(skt_server_close(s.srv));
}

static void test_workers_are_refused_outside_events_and_fork(void **state)
{
    static const skt_server_mode modes[] = {
        SKT_SERVER_SEQUENTIAL, SKT_SERVER_THREADS, SKT_SERVER_POOL};
    skt_server_config cfg;
    skt_server *srv;
    skt_addr a;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        cfg = server_echo_config(modes[i]);
        cfg.workers = 2;
        assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
        assert_non_null(strstr(skt_error_detail(), "workers"));
        cfg.workers = SKT_WORKERS_PER_CPU;
        assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    }
    cfg = server_echo_config(SKT_SERVER_EVENTS);
    cfg.type = SOCK_DGRAM;
    cfg.handle_datagram = NULL;
    cfg.workers = 2;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg = server_echo_config(SKT_SERVER_EVENTS);
    cfg.workers = SKT_WORKERS_MAX + 1;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg.workers = -2;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Prefork                                                                  */
/* ------------------------------------------------------------------------ */

/* Echoes, but answers "pid" with the serving process's pid. */
static int pid_or_echo(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    char buf[256];

    (void)srv, (void)client, (void)user;
    for (;;) {
        ssize_t n = skt_recv(conn, buf, sizeof buf, 0);
        int len, rc;
        if (n <= 0)
            return (int)n;
        len = (int)n;
        if (n == 3 && memcmp(buf, "pid", 3) == 0)
            len = snprintf(buf, sizeof buf, "%10d", (int)getpid());
        rc = skt_sendall(conn, buf, (size_t)len, 0, NULL);
        if (rc < 0)
            return rc;
    }
}

static int pid_of_server(skt_socket *c)
{
    char buf[11] = {0};

    SKT_OK(skt_sendall(c, "pid", 3, 0, NULL));
    SKT_OK(skt_recv_exact(c, buf, 10, 0, NULL));
    return atoi(buf);
}

static void count_deaths(skt_server *srv, const skt_addr *client, int code,
                         void *user)
{
    (void)srv, (void)client;
    if (code == -ECHILD)
        __atomic_add_fetch((int *)user, 1, __ATOMIC_SEQ_CST);
}

/* The counters of n prefork workers once each has its child: the parent
 * notes a child's pid after its fork, perhaps after the child served. */
static void stats_of_children(skt_server *srv, skt_server_worker_stats *stats,
                              int n)
{
    double until = skt_test_now() + 5.0;
    bool all;

    do {
        assert_int_equal(skt_server_stats(srv, stats, n), n);
        all = true;
        for (int i = 0; i < n; i++)
            all = all && stats[i].pid != 0;
        if (!all)
            pause_ms(5);
    } while (!all && skt_test_now() < until);
    assert_true(all);
}

/* Waits until worker 0 runs a child other than old. */
static int wait_new_child(skt_server *srv, int old, double seconds)
{
    double until = skt_test_now() + seconds;
    skt_server_worker_stats stats[2];

    do {
        skt_server_stats(srv, stats, 2);
        if (stats[0].pid != 0 && stats[0].pid != old)
            return stats[0].pid;
        pause_ms(10);
    } while (skt_test_now() < until);
    return 0;
}

static void test_prefork_children_serve_and_a_dead_one_is_replaced(
    void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_FORK);
    skt_server_worker_stats stats[2];
    skt_socket *a, *b;
    struct serving s;
    int deaths = 0, pa, pb, old, fresh;

    (void)state;
    cfg.workers = 2;
    cfg.handle = pid_or_echo;
    cfg.handle_error = count_deaths;
    cfg.user = &deaths;
    serving_start(&s, "127.0.0.1:0", &cfg);
    /* Each child serves one connection at a time: two held at once are
     * two children, neither the parent. */
    a = server_connect(s.srv);
    b = server_connect(s.srv);
    pa = pid_of_server(a);
    pb = pid_of_server(b);
    assert_true(pa != pb && pa != getpid() && pb != getpid());
    stats_of_children(s.srv, stats, 2);
    assert_true((stats[0].pid == pa && stats[1].pid == pb) ||
                (stats[0].pid == pb && stats[1].pid == pa));
    assert_int_equal(stats[0].open + stats[1].open, 2);
    assert_int_equal(skt_server_connections(s.srv), 2);
    server_hang_up(a);
    server_hang_up(b);
    old = stats[0].pid;
    assert_int_equal(kill(old, SIGKILL), 0);
    fresh = wait_new_child(s.srv, old, 3.0);
    assert_true(fresh > 0);
    assert_true(server_wait_for(&deaths, 1, 2.0));
    a = server_connect(s.srv);
    b = server_connect(s.srv);
    pa = pid_of_server(a);
    pb = pid_of_server(b);
    assert_true(pa == fresh || pb == fresh);
    server_hang_up(a);
    server_hang_up(b);
    serving_stop(&s);
    assert_int_equal(kill(fresh, 0), -1);
}

/* A child that serves a connection when the shutdown comes finishes it. */
static void test_prefork_shutdown_ends_every_child(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_FORK);
    skt_server_worker_stats stats[3];
    skt_socket *held;
    struct serving s;
    double asked;

    (void)state;
    cfg.workers = 3;
    serving_start(&s, "127.0.0.1:0", &cfg);
    held = server_connect(s.srv);
    server_check_echo(held, "held");
    stats_of_children(s.srv, stats, 3);
    asked = skt_test_now();
    SKT_OK(skt_server_shutdown(s.srv));
    /* The idle children end at once; the one serving ends with its
     * client, which still gets its answers meanwhile. */
    pause_ms(100);
    server_check_echo(held, "still");
    server_hang_up(held);
    serving_join(&s);
    assert_true(s.stopped_at - asked < 4.0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(kill(stats[i].pid, 0), -1);
    SKT_OK(skt_server_close(s.srv));
}

/* True once pid has ended (gone, or a zombie not reaped yet). */
static bool ended(int pid)
{
    char path[64], stat[256];
    FILE *f;
    bool zombie;

    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return true;
    zombie = fgets(stat, sizeof stat, f) != NULL &&
             strstr(strrchr(stat, ')') ? strrchr(stat, ')') : stat, ") Z") !=
                 NULL;
    fclose(f);
    return zombie;
}

/* A process serving in prefork mode, killed: its children do not serve
 * on as orphans. */
static void test_prefork_children_end_with_their_parent(void **state)
{
    skt_server_worker_stats stats[2];
    int fds[2], pids[2];
    pid_t parent;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    parent = fork();
    assert_true(parent >= 0);
    if (parent == 0) {
        skt_server_config cfg = server_echo_config(SKT_SERVER_FORK);
        struct serving s;
        close(fds[0]);
        cfg.workers = 2;
        serving_start(&s, "127.0.0.1:0", &cfg);
        stats_of_children(s.srv, stats, 2);
        for (int i = 0; i < 2; i++)
            pids[i] = stats[i].pid;
        if (write(fds[1], pids, sizeof pids) != (ssize_t)sizeof pids)
            _exit(1);
        pause();
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], pids, sizeof pids), (ssize_t)sizeof pids);
    close(fds[0]);
    assert_false(ended(pids[0]) || ended(pids[1]));
    assert_int_equal(kill(parent, SIGKILL), 0);
    assert_int_equal(waitpid(parent, NULL, 0), parent);
    for (double until = skt_test_now() + 3.0;
         !(ended(pids[0]) && ended(pids[1])) && skt_test_now() < until;)
        pause_ms(10);
    assert_true(ended(pids[0]) && ended(pids[1]));
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

/* A per-mode case: the body finds its mode in *state. */
struct mode {
    skt_server_mode mode;
};
static struct mode mode_events = {SKT_SERVER_EVENTS};
static struct mode mode_threads = {SKT_SERVER_THREADS};
#define SKT_MODE_CASE(body, m) {#body "_" #m, body, NULL, NULL, &mode_##m}

/* Twenty connections wait in the backlog before serving starts: how many
 * wake-ups it takes to accept them, for an accept batch. */
static uint64_t wakeups_to_accept(skt_server_mode mode, int batch)
{
    skt_server_config cfg = server_echo_config(mode);
    skt_server_worker_stats stats;
    skt_socket *c[20];
    struct serving s;
    skt_server *srv;
    skt_addr a;

    cfg.accept_batch = batch;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    for (int i = 0; i < 20; i++)
        c[i] = server_connect(srv);
    serving_run(&s, srv);
    assert_true(wait_connections(srv, 20, 5.0));
    skt_server_stats(srv, &stats, 1);
    assert_int_equal(stats.connections, 20);
    for (int i = 0; i < 20; i++)
        server_hang_up(c[i]);
    serving_stop(&s);
    return stats.wakeups;
}

static void test_accept_batch_bounds_accepts_per_wakeup(void **state)
{
    skt_server_mode mode = ((struct mode *)*state)->mode;
    uint64_t one = wakeups_to_accept(mode, 1);
    uint64_t many = wakeups_to_accept(mode, 0);

    assert_true(one >= 20);
    assert_true(many <= 3);
}

/* Per connection, with output_high_water in the server's user: every byte
 * read asks for 8 KiB, and the most output ever pending is recorded. */
struct flood {
    int most_pending;
    int requests;
};

static int flood_open(skt_server_conn *conn, void *user)
{
    /* A small send buffer, so that pending output is the server's. */
    skt_setsockopt_int(skt_server_conn_socket(conn), SOL_SOCKET, SO_SNDBUF,
                       4096);
    skt_server_conn_set_state(conn, user);
    return 0;
}

static int flood_event(skt_server_conn *conn, int events, void *state)
{
    static char reply[8192];
    struct flood *f = state;
    char byte;
    ssize_t n = skt_server_conn_recv(conn, &byte, 1);
    int rc, now;

    (void)events;
    if (n <= 0)
        return n == -EAGAIN ? 0 : n == 0 ? SKT_SERVER_CLOSE : (int)n;
    __atomic_add_fetch(&f->requests, 1, __ATOMIC_SEQ_CST);
    rc = skt_server_conn_send(conn, reply, sizeof reply);
    now = (int)skt_server_conn_pending(conn);
    if (now > __atomic_load_n(&f->most_pending, __ATOMIC_SEQ_CST))
        __atomic_store_n(&f->most_pending, now, __ATOMIC_SEQ_CST);
    return rc;
}

/* Sends 100 one-byte requests without reading for 300 ms, then reads the
 * 100 replies; returns the most output pending at the server. */
static int flood_against(size_t high_water)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_open = flood_open, .on_event = flood_event,
                             .output_high_water = high_water};
    struct flood f = {0};
    char requests[100], buf[65536];
    size_t total = 0;
    struct serving s;
    skt_socket *c;
    skt_addr a;

    cfg.user = &f;
    memset(requests, 'r', sizeof requests);
    serving_start(&s, "127.0.0.1:0", &cfg);
    SKT_OK(skt_server_address(s.srv, &a));
    SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_setsockopt_int(c, SOL_SOCKET, SO_RCVBUF, 4096));
    SKT_OK(skt_settimeout(c, 5.0));
    SKT_OK(skt_connect(c, &a));
    SKT_OK(skt_sendall(c, requests, sizeof requests, 0, NULL));
    pause_ms(300);
    /* Reading paused: not every request has been read. */
    assert_true(__atomic_load_n(&f.requests, __ATOMIC_SEQ_CST) < 100);
    while (total < sizeof requests * 8192) {
        ssize_t n = skt_recv(c, buf, sizeof buf, 0);
        assert_true(n > 0);
        total += (size_t)n;
    }
    assert_int_equal(__atomic_load_n(&f.requests, __ATOMIC_SEQ_CST), 100);
    server_hang_up(c);
    serving_stop(&s);
    return f.most_pending;
}

static void test_output_high_water_pauses_reading_at_the_mark(void **state)
{
    int low = flood_against(16384);
    int standard = flood_against(0);

    (void)state;
    /* Reading stops once the mark is passed: at most one reply beyond. */
    assert_true(low > 16384 && low <= 16384 + 8192);
    assert_true(standard > SKT_SERVER_HIGH_WATER &&
                standard <= SKT_SERVER_HIGH_WATER + 8192);
}

/* A held client, then one that the full server refuses; what the refused
 * one reads is returned in buf (NUL-terminated). */
static void refused_reads(skt_server_mode mode, const char *reply,
                          char *buf, size_t size)
{
    skt_server_config cfg = server_echo_config(mode);
    skt_server_worker_stats stats;
    skt_socket *held, *refused, *later;
    size_t got = 0;
    struct serving s;

    cfg.max_connections = 1;
    cfg.full_reply = reply;
    serving_start(&s, "127.0.0.1:0", &cfg);
    held = server_connect(s.srv);
    server_check_echo(held, "held");
    refused = server_connect(s.srv);
    for (;;) {
        ssize_t n = skt_recv(refused, buf + got, size - 1 - got, 0);
        assert_true(n >= 0);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    skt_close(refused);
    server_check_echo(held, "served still");
    skt_server_stats(s.srv, &stats, 1);
    assert_int_equal(stats.refused, 1);
    assert_int_equal(stats.connections, 1);
    server_hang_up(held);
    assert_true(wait_connections(s.srv, 0, 5.0));
    later = server_connect(s.srv);
    server_check_echo(later, "room again");
    server_hang_up(later);
    serving_stop(&s);
}

static void test_full_server_refuses_with_its_reply(void **state)
{
    char buf[64];

    refused_reads(((struct mode *)*state)->mode, "busy, try later\n", buf,
                  sizeof buf);
    assert_string_equal(buf, "busy, try later\n");
}

static void test_full_server_refuses_at_once_without_a_reply(void **state)
{
    char buf[64];

    refused_reads(((struct mode *)*state)->mode, SKT_SERVER_REFUSE, buf,
                  sizeof buf);
    assert_string_equal(buf, "");
}

static void test_bad_limits_are_refused(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    skt_server *srv;
    skt_addr a;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    cfg.accept_batch = -1;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "accept_batch"));
    cfg = server_echo_config(SKT_SERVER_EVENTS);
    cfg.type = SOCK_DGRAM;
    cfg.handle_datagram = NULL;
    cfg.full_reply = "busy";
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    cfg = server_echo_config(SKT_SERVER_EVENTS);
    cfg.reserved[0] = &cfg;
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_int_equal(skt_server_stats(NULL, NULL, 0), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* A connection's own state and interest                                    */
/* ------------------------------------------------------------------------ */

/* What the callbacks of one connection saw (the server's user pointer). */
struct watch {
    int null_at_open;  /* skt_server_conn_state was NULL in on_open */
    int state_wrong;   /* a callback got another state than conn's own */
    int events_first;  /* the events of the first on_event */
    int events_later;  /* the events of every later one, or'ed */
    int calls;
    int bad_bits_rc;   /* skt_server_conn_want with an unknown bit */
    int closes;
    int close_reason;
    void *close_state;
    skt_server_conn *paused;
    int markers[2];    /* the two states a connection goes through */
};

static struct watch *watch_of(skt_server_conn *conn)
{
    return skt_server_user(skt_server_conn_server(conn));
}

static int watch_open(skt_server_conn *conn, void *user)
{
    struct watch *w = user;

    w->null_at_open = skt_server_conn_state(conn) == NULL;
    skt_server_conn_set_state(conn, &w->markers[0]);
    return 0;
}

/* Checks the state on_event is given, and notes the events. */
static void watch_event(skt_server_conn *conn, int events, void *state)
{
    struct watch *w = watch_of(conn);

    if (state != skt_server_conn_state(conn) ||
        (state != &w->markers[0] && state != &w->markers[1]))
        w->state_wrong++;
    if (w->calls++ == 0)
        w->events_first = events;
    else
        w->events_later |= events;
}

static void watch_close(skt_server_conn *conn, int reason, void *state)
{
    struct watch *w = watch_of(conn);

    if (state != skt_server_conn_state(conn))
        w->state_wrong++;
    w->close_reason = reason;
    w->close_state = state;
    __atomic_add_fetch(&w->closes, 1, __ATOMIC_SEQ_CST);
}

/* Echo; the first request also moves the connection to its second state,
 * which on_close then gets. */
static int state_event(skt_server_conn *conn, int events, void *state)
{
    struct watch *w = watch_of(conn);

    watch_event(conn, events, state);
    skt_server_conn_set_state(conn, &w->markers[1]);
    return server_echo_event(conn, events, state);
}

/* Echo; a request "pause" stops reading this connection (after its echo),
 * and a request "resume", on another connection, reads it again. */
static int pause_event(skt_server_conn *conn, int events, void *state)
{
    struct watch *w = watch_of(conn);
    char buf[64];
    ssize_t n = skt_server_conn_recv(conn, buf, sizeof buf);
    int rc;

    watch_event(conn, events, state);
    if (n == 0)
        return SKT_SERVER_CLOSE;
    if (n < 0)
        return n == -EAGAIN ? 0 : (int)n;
    rc = skt_server_conn_send(conn, buf, (size_t)n);
    if (rc == 0 && n == 5 && memcmp(buf, "pause", 5) == 0) {
        w->paused = conn;
        rc = skt_server_conn_want(conn, 0);
    }
    if (rc == 0 && n == 6 && memcmp(buf, "resume", 6) == 0)
        rc = skt_server_conn_want(w->paused, SKT_EVENT_READ);
    return rc;
}

/* A greeting: on_open asks for writability, the first on_event (with no
 * input yet) says hello and goes back to reading. An unknown event bit
 * is refused on the way. */
static int greet_open(skt_server_conn *conn, void *user)
{
    struct watch *w = user;

    w->bad_bits_rc = skt_server_conn_want(conn, SKT_EVENT_READ | 4);
    watch_open(conn, user);
    return skt_server_conn_want(conn, SKT_EVENT_WRITE);
}

static int greet_event(skt_server_conn *conn, int events, void *state)
{
    int rc;

    watch_event(conn, events, state);
    if (!(events & SKT_EVENT_WRITE))
        return server_echo_event(conn, events, state);
    rc = skt_server_conn_send(conn, "hello\n", 6);
    return rc < 0 ? rc : skt_server_conn_want(conn, SKT_EVENT_READ);
}

static skt_server_config watch_config(struct watch *w,
                                      skt_server_open_handler on_open,
                                      skt_server_event_handler on_event)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS, .on_open = on_open,
                             .on_event = on_event,
                             .on_close = watch_close};
    cfg.user = w;
    return cfg;
}

/* The state is NULL until set, each callback gets the connection's own
 * (as skt_server_conn_state reads it), and a change made in on_event is
 * what on_close gets. */
static void test_conn_state_starts_null_and_reaches_each_callback(
    void **state)
{
    struct watch w = {0};
    skt_server_config cfg = watch_config(&w, watch_open, state_event);
    struct serving s;
    skt_socket *c;

    (void)state;
    assert_null(skt_server_conn_state(NULL));
    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    server_check_echo(c, "one");
    server_check_echo(c, "two");
    server_hang_up(c);
    assert_true(server_wait_for(&w.closes, 1, 5.0));
    serving_stop(&s);
    assert_true(w.null_at_open);
    assert_true(w.calls >= 2);
    assert_int_equal(w.state_wrong, 0);
    assert_ptr_equal(w.close_state, &w.markers[1]);
}

/* Asked for SKT_EVENT_WRITE, on_event is called with it and no input;
 * by default, on a socket that is always writable, it gets only
 * SKT_EVENT_READ. */
static void test_conn_want_write_calls_on_event_before_any_input(
    void **state)
{
    struct watch w = {0};
    skt_server_config cfg = watch_config(&w, greet_open, greet_event);
    struct serving s;
    skt_socket *c;
    char hello[6];

    (void)state;
    assert_int_equal(skt_server_conn_want(NULL, SKT_EVENT_READ), -EINVAL);
    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    /* Nothing was sent: the greeting comes from writability alone. */
    SKT_OK(skt_recv_exact(c, hello, sizeof hello, 0, NULL));
    assert_memory_equal(hello, "hello\n", 6);
    server_check_echo(c, "after the greeting");
    server_hang_up(c);
    assert_true(server_wait_for(&w.closes, 1, 5.0));
    serving_stop(&s);
    assert_int_equal(w.bad_bits_rc, -EINVAL);
    assert_int_equal(w.events_first, SKT_EVENT_WRITE);
    assert_int_equal(w.events_later, SKT_EVENT_READ);
}

/* Interest 0 pauses a connection: its request waits unread until another
 * connection's callback asks for SKT_EVENT_READ again. */
static void test_conn_want_zero_pauses_until_read_is_asked_again(
    void **state)
{
    struct watch w = {0};
    skt_server_config cfg = watch_config(&w, watch_open, pause_event);
    skt_socket *paused, *other;
    struct serving s;
    char buf[8];

    (void)state;
    serving_start(&s, "127.0.0.1:0", &cfg);
    paused = server_connect(s.srv);
    other = server_connect(s.srv);
    server_check_echo(paused, "pause");
    SKT_OK(skt_sendall(paused, "later", 5, 0, NULL));
    SKT_OK(skt_settimeout(paused, 0.3));
    assert_int_equal(skt_recv(paused, buf, sizeof buf, 0), -ETIMEDOUT);
    SKT_OK(skt_settimeout(paused, 5.0));
    server_check_echo(other, "resume");
    SKT_OK(skt_recv_exact(paused, buf, 5, 0, NULL));
    assert_memory_equal(buf, "later", 5);
    server_hang_up(paused);
    server_hang_up(other);
    assert_true(server_wait_for(&w.closes, 2, 5.0));
    serving_stop(&s);
}

/* A paused connection still has its idle clock: unread input does not
 * keep it open past idle_timeout. */
static void test_conn_want_zero_keeps_the_idle_timeout(void **state)
{
    struct watch w = {0};
    skt_server_config cfg = watch_config(&w, watch_open, pause_event);
    struct serving s;
    skt_socket *c;
    double start, waited;
    char buf[8];
    ssize_t n;

    (void)state;
    cfg.idle_timeout = 0.4;
    serving_start(&s, "127.0.0.1:0", &cfg);
    c = server_connect(s.srv);
    server_check_echo(c, "pause");
    start = skt_test_now();
    SKT_OK(skt_sendall(c, "unread", 6, 0, NULL));
    /* The end of the stream, or a reset: the server closed it with input
     * unread. Never an echo. */
    n = skt_recv(c, buf, sizeof buf, 0);
    waited = skt_test_now() - start;
    assert_true(n == 0 || n == -ECONNRESET);
    assert_true(waited >= 0.3 && waited < 3.0);
    assert_true(server_wait_for(&w.closes, 1, 5.0));
    assert_int_equal(w.close_reason, -ETIMEDOUT);
    server_hang_up(c);
    serving_stop(&s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_event_workers_keep_each_connection_on_its_worker),
    cmocka_unit_test(test_event_workers_share_one_listener_when_told),
    cmocka_unit_test(test_event_workers_serve_a_unix_socket),
    cmocka_unit_test(test_workers_per_cpu_is_one_loop_per_cpu),
    cmocka_unit_test(test_shutdown_stops_every_worker),
    cmocka_unit_test(test_handle_timeout_runs_on_the_first_worker),
    cmocka_unit_test(test_workers_are_refused_outside_events_and_fork),
    cmocka_unit_test(test_prefork_children_serve_and_a_dead_one_is_replaced),
    cmocka_unit_test(test_prefork_shutdown_ends_every_child),
    cmocka_unit_test(test_prefork_children_end_with_their_parent),
    SKT_MODE_CASE(test_accept_batch_bounds_accepts_per_wakeup, events),
    SKT_MODE_CASE(test_accept_batch_bounds_accepts_per_wakeup, threads),
    cmocka_unit_test(test_output_high_water_pauses_reading_at_the_mark),
    SKT_MODE_CASE(test_full_server_refuses_with_its_reply, events),
    SKT_MODE_CASE(test_full_server_refuses_with_its_reply, threads),
    SKT_MODE_CASE(test_full_server_refuses_at_once_without_a_reply, events),
    SKT_MODE_CASE(test_full_server_refuses_at_once_without_a_reply, threads),
    cmocka_unit_test(test_bad_limits_are_refused),
    cmocka_unit_test(test_conn_state_starts_null_and_reaches_each_callback),
    cmocka_unit_test(test_conn_want_write_calls_on_event_before_any_input),
    cmocka_unit_test(test_conn_want_zero_pauses_until_read_is_asked_again),
    cmocka_unit_test(test_conn_want_zero_keeps_the_idle_timeout),
};

SKT_TEST_MAIN(tests)
