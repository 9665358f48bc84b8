/*
 * echo-many.c - many concurrent connections, each doing 64-byte
 * request/response, against four echo servers:
 *
 *   raw epoll         written here: epoll_wait, then recv + send per
 *                     event, no allocation (the floor)
 *   skt events        skt_server in SKT_SERVER_EVENTS mode
 *   libuv             uv_read_start, uv_try_write (uv_write as fallback)
 *   python selectors  bench/echo-many.py, Python's selectors module
 *
 * One load generator, written on skt (its selector and non-blocking
 * sockets), drives all of them with 100 and then 1000 connections, each
 * keeping one request in flight. Each server runs in a child process
 * pinned to CPU 0, the generator on CPU 1 (sched_setaffinity). The runs
 * are interleaved over several rounds and the median req/s is reported
 * with its ratio to raw epoll. Target: skt >= 0.95x raw epoll.
 *
 * On a shared machine req/s moves with whatever else runs on the two
 * CPUs, so the server's own CPU time per request (user + system, from
 * wait4) is printed too: it is what the server costs, whoever else runs.
 *
 *     bench-echo-many                      the whole comparison
 *     bench-echo-many server KIND          one server (raw, skt, libuv),
 *                                          until killed (for strace -c)
 *     bench-echo-many load PORT CONNS SECONDS
 *                                          the generator alone; prints
 *                                          the requests it completed
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "skt.h"

enum { MESSAGE = 64, ROUNDS = 5, KINDS = 4 };
#define WARMUP 0.3
#define DURATION 1.5

static const char *const kind_names[KINDS] = {"raw epoll", "skt events",
                                              "libuv", "python selectors"};
static const char *const kind_args[KINDS] = {"raw", "skt", "libuv",
                                             "python"};

/* The server being measured, for messages. */
static const char *current = "the server";

static void die(const char *what)
{
    fprintf(stderr, "bench-echo-many: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Pins this process to one CPU, when the machine has more than one. */
static void pin(int cpu)
{
    cpu_set_t set;

    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity");
}

/* A listening socket on 127.0.0.1, port 0; prints its address. */
static int raw_listener(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("listener");
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

/* ------------------------------------------------------------------------ */
/* (a) raw epoll                                                            */
/* ------------------------------------------------------------------------ */

static void raw_accept(int epfd, int listener)
{
    int fd;

    while ((fd = accept4(listener, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void raw_echo(int fd)
{
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);

    if (n > 0)
        send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    else if (n == 0 || errno != EAGAIN)
        close(fd);
}

static void serve_raw(void)
{
    struct epoll_event events[1024];
    int listener = raw_listener();
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};

    fcntl(listener, F_SETFL, O_NONBLOCK);
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
    for (;;) {
        int n = epoll_wait(epfd, events, 1024, -1);
        for (int i = 0; i < n; i++) {
            if (events[i].data.fd == listener)
                raw_accept(epfd, listener);
            else
                raw_echo(events[i].data.fd);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* (b) skt's event-driven server                                            */
/* ------------------------------------------------------------------------ */

static int skt_echo(skt_server_conn *conn, int events, void *state)
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

static void serve_skt(void)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_event = skt_echo, .backlog = 1024};
    char text[SKT_ADDRSTRLEN];
    skt_server *srv;
    skt_addr a;

    bench_check(skt_addr_parse(&a, "127.0.0.1:0"), "address");
    bench_check(skt_server_new(&srv, &a, &cfg), "skt_server_new");
    skt_server_address(srv, &a);
    skt_addr_format(&a, text, sizeof text);
    printf("listening on %s\n", text);
    fflush(stdout);
    bench_check(skt_server_serve_forever(srv), "serve_forever");
}

/* ------------------------------------------------------------------------ */
/* (c) libuv                                                                */
/* ------------------------------------------------------------------------ */

struct uv_client {
    uv_tcp_t handle;
    char buf[4096];
};

struct uv_pending_write {
    uv_write_t req;
    char data[];
};

static void uv_on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    struct uv_client *c = (struct uv_client *)h;
    (void)size;
    *buf = uv_buf_init(c->buf, sizeof c->buf);
}

static void uv_on_close(uv_handle_t *h)
{
    free(h);
}

static void uv_on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

/* What uv_try_write did not take is copied and queued with uv_write. */
static void uv_send_rest(uv_stream_t *s, const char *data, size_t len)
{
    struct uv_pending_write *w = malloc(sizeof *w + len);
    uv_buf_t b;

    if (w == NULL)
        return;
    memcpy(w->data, data, len);
    b = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, s, &b, 1, uv_on_written) != 0)
        free(w);
}

static void uv_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    uv_buf_t b;
    int sent;

    if (n < 0) {
        uv_close((uv_handle_t *)s, uv_on_close);
        return;
    }
    if (n == 0)
        return;
    b = uv_buf_init(buf->base, (unsigned)n);
    sent = uv_try_write(s, &b, 1);
    if (sent < 0)
        sent = 0;
    if (sent < n)
        uv_send_rest(s, buf->base + sent, (size_t)(n - sent));
}

static void uv_on_connection(uv_stream_t *server, int status)
{
    struct uv_client *c = malloc(sizeof *c);

    if (status < 0 || c == NULL) {
        free(c);
        return;
    }
    uv_tcp_init(server->loop, &c->handle);
    if (uv_accept(server, (uv_stream_t *)&c->handle) != 0) {
        uv_close((uv_handle_t *)&c->handle, uv_on_close);
        return;
    }
    uv_read_start((uv_stream_t *)&c->handle, uv_on_alloc, uv_on_read);
}

static void serve_libuv(void)
{
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_os_fd_t fd = raw_listener();

    uv_tcp_init(loop, &server);
    if (uv_tcp_open(&server, fd) != 0 ||
        uv_listen((uv_stream_t *)&server, 1024, uv_on_connection) != 0)
        die("libuv listen");
    uv_run(loop, UV_RUN_DEFAULT);
}

/* ------------------------------------------------------------------------ */
/* The load generator, on skt                                               */
/* ------------------------------------------------------------------------ */

struct client {
    skt_socket *sock;
    size_t got;
};

static const char request[MESSAGE] = "0123456789abcdef";

static void connect_clients(struct client *clients, int count, int port,
                            skt_selector *sel)
{
    skt_addr a;

    bench_check(skt_addr_from_ip(&a, "127.0.0.1", port), "address");
    for (int i = 0; i < count; i++) {
        bench_check(skt_open(&clients[i].sock, AF_INET, SOCK_STREAM, 0),
                    "open");
        bench_check(skt_connect(clients[i].sock, &a), "connect");
        bench_check(skt_setblocking(clients[i].sock, false), "setblocking");
        bench_check(skt_selector_register_socket(sel, clients[i].sock,
                                                 SKT_EVENT_READ, &clients[i]),
                    "register");
        clients[i].got = 0;
    }
}

/* Reads the echo; returns 1 when a whole response came (and sends the
 * next request), 0 when more is to come. */
static int serve_client(struct client *c)
{
    char buf[MESSAGE];
    ssize_t n = skt_recv(c->sock, buf, MESSAGE - c->got, 0);

    if (n == -EAGAIN)
        return 0;
    if (n <= 0) {
        fprintf(stderr, "bench-echo-many: %s closed a connection (%s)\n",
                current, n == 0 ? "EOF" : skt_strerror((int)n));
        exit(1);
    }
    c->got += (size_t)n;
    if (c->got < MESSAGE)
        return 0;
    c->got = 0;
    if (skt_send(c->sock, request, MESSAGE, 0) != MESSAGE)
        die("send");
    return 1;
}

/* Runs warmup + seconds; returns the requests completed in `seconds`. */
static long run_load(int port, int count, double warmup, double seconds)
{
    struct client *clients = calloc((size_t)count, sizeof *clients);
    double begin, end;
    skt_selector *sel;
    long done = 0;

    if (clients == NULL)
        die("calloc");
    bench_check(skt_selector_new(&sel, SKT_SELECTOR_EPOLL), "selector");
    connect_clients(clients, count, port, sel);
    for (int i = 0; i < count; i++)
        if (skt_send(clients[i].sock, request, MESSAGE, 0) != MESSAGE)
            die("send");
    begin = bench_now() + warmup;
    end = begin + seconds;
    for (double now = bench_now(); now < end; now = bench_now()) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(sel, 0.1, &ready);
        bool counting = now >= begin;
        for (int i = 0; i < n; i++)
            if (serve_client(ready[i].key.data) && counting)
                done++;
    }
    for (int i = 0; i < count; i++)
        skt_close(clients[i].sock);
    skt_selector_close(sel);
    free(clients);
    return done;
}

/* ------------------------------------------------------------------------ */
/* Running the servers                                                      */
/* ------------------------------------------------------------------------ */

static void serve(const char *kind)
{
    if (strcmp(kind, "raw") == 0)
        serve_raw();
    else if (strcmp(kind, "skt") == 0)
        serve_skt();
    else if (strcmp(kind, "libuv") == 0)
        serve_libuv();
    fprintf(stderr, "bench-echo-many: unknown server \"%s\"\n", kind);
    exit(2);
}

/* Starts a server on CPU 0 with its stdout on a pipe; returns its port. */
static int start_server(int kind, pid_t *pid)
{
    char script[1024], line[128] = "";
    int fds[2], port = -1;
    FILE *out;

    if (pipe(fds) != 0)
        die("pipe");
    *pid = fork();
    if (*pid < 0)
        die("fork");
    if (*pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        pin(0);
        if (kind == 3) {
            snprintf(script, sizeof script, "%s/bench/echo-many.py",
                     SKT_SOURCE_DIR);
            execlp("python3", "python3", script, (char *)NULL);
            _exit(127);
        }
        serve(kind_args[kind]);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
    if (out != NULL && fgets(line, sizeof line, out) != NULL)
        sscanf(line, "listening on 127.0.0.1:%d", &port);
    if (out != NULL)
        fclose(out);
    return port;
}

/* Stops the server; returns the CPU seconds it used, all told. */
static double stop_server(pid_t pid)
{
    struct rusage usage;

    kill(pid, SIGKILL);
    if (wait4(pid, NULL, 0, &usage) != pid)
        return 0;
    return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

struct result {
    double rate;    /* requests per second */
    double cpu_us;  /* server CPU microseconds per request */
};

/* One run of server kind with count connections; rate -1 if it failed. */
static struct result measure(int kind, int count)
{
    struct result r = {-1, -1};
    pid_t pid;
    int port = start_server(kind, &pid);
    long done;
    double cpu;

    current = kind_names[kind];
    if (port <= 0) {
        stop_server(pid);
        return r;
    }
    /* The warm-up is not timed; its requests cost CPU too. */
    done = run_load(port, count, WARMUP, DURATION);
    cpu = stop_server(pid);
    r.rate = (double)done / DURATION;
    r.cpu_us = done > 0 ? cpu * 1e6 / ((double)done * (1 + WARMUP /
                                                          DURATION))
                        : -1;
    return r;
}

static void raise_fd_limit(void)
{
    struct rlimit limit;

    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096) {
        limit.rlim_cur = limit.rlim_max < 4096 ? limit.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static void compare(int count)
{
    double rates[KINDS][ROUNDS], cpu[KINDS][ROUNDS];
    double rate[KINDS], cost[KINDS];

    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < KINDS; k++) {
            struct result one = measure(k, count);
            rates[k][r] = one.rate;
            cpu[k][r] = one.cpu_us;
        }
    for (int k = 0; k < KINDS; k++) {
        rate[k] = bench_median(rates[k], ROUNDS);
        cost[k] = bench_median(cpu[k], ROUNDS);
    }
    for (int k = 0; k < KINDS; k++) {
        if (rate[k] < 0) {
            printf("  %5d  %-17s  not measured (did not start)\n", count,
                   kind_names[k]);
            continue;
        }
        printf("  %5d  %-17s %8.0f req/s %6.3fx   %5.2f us CPU/req %6.3fx"
               "%s\n", count, kind_names[k], rate[k], rate[k] / rate[0],
               cost[k], cost[k] / cost[0],
               k == 1 ? "  (target >= 0.95x req/s)" : "");
    }
    printf("  %5d  skt vs libuv %.2fx, skt vs python %.2fx (req/s)\n",
           count, rate[1] / rate[2], rate[1] / rate[3]);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        serve(argv[2]);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "load") == 0) {
        pin(1);
        printf("%ld\n", run_load(atoi(argv[2]), atoi(argv[3]), 0,
                                 atof(argv[4])));
        return 0;
    }
    pin(1);
    printf("echo-many: %d-byte request/response, one request in flight per "
           "connection; %.1f s per run after %.1f s warm-up, median of %d "
           "interleaved rounds; servers on CPU 0, the skt load generator "
           "on CPU 1\n", MESSAGE, DURATION, WARMUP, ROUNDS);
    printf("  conns  server               req/s  vs raw   server CPU/req  "
           "vs raw\n");
    compare(100);
    compare(1000);
    return 0;
}
