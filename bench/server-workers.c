/*
 * server-workers.c - skt_server's workers and drain:
 *
 *   echo     100 connections, each with one 64-byte request in flight,
 *            against an event-driven echo server with 1 worker, and with
 *            2 workers sharing the port both ways: a listener each
 *            (SO_REUSEPORT, the kernel hashes connections to them) and
 *            one listener for both (EPOLLEXCLUSIVE, the kernel wakes one
 *            waiting worker). req/s, the server's CPU time per request
 *            (user + system over the measured interval, from
 *            /proc/PID/stat), and the share of connections and requests
 *            each worker took (skt_server_stats).
 *   churn    a new connection per request (4 client threads: connect,
 *            request, reply, close): connections/s, CPU per connection,
 *            and the balance, for the same three servers.
 *   drain    the time from skt_server_drain to a new listener bound on
 *            the same port, with 100 idle connections open, against the
 *            reference of binding a listener alone; and to the end of the
 *            drain (serve_forever returned).
 *
 * Each server runs in a child process, unpinned: on a 2-CPU machine the
 * load generator and two busy workers share the CPUs, so two workers
 * cannot show a speed-up here; the figures show what a worker costs and
 * how evenly the kernel spreads the work. Rounds are interleaved and the
 * medians printed, with ratios to the 1-worker server.
 *
 *     bench-server-workers                      the whole comparison
 *     bench-server-workers server WORKERS MODE  one server (MODE: own,
 *                                               shared), until SIGTERM
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "skt.h"

/* The library's switch between the two ways of sharing a port, for this
 * comparison: 1 a listener per worker, 0 one for all. */
extern int skt__server_listeners_override;

enum { MESSAGE = 64, ROUNDS = 5, CONNS = 100, CHURNERS = 4, SERVERS = 3 };
#define WARMUP 0.3
#define DURATION 1.2

static const char *const server_names[SERVERS] = {
    "1 worker", "2 workers, a listener each (SO_REUSEPORT)",
    "2 workers, one listener (EPOLLEXCLUSIVE)"};
static const int server_workers[SERVERS] = {1, 2, 2};
static const char *const server_modes[SERVERS] = {"own", "own", "shared"};

static void die(const char *what)
{
    fprintf(stderr, "bench-server-workers: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ------------------------------------------------------------------------ */
/* The server, in its own process                                           */
/* ------------------------------------------------------------------------ */

static skt_server *the_server;

static void stop_server(int signo)
{
    (void)signo;
    skt_server_shutdown(the_server);
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

/* Prints "port N", serves until SIGTERM, then prints one line per
 * worker: "worker CONNECTIONS REQUESTS". */
static int run_server(int workers, const char *mode)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_event = echo_event, .workers = workers,
                             .backlog = 1024};
    skt_server_worker_stats stats[8];
    struct sigaction sa = {0};
    skt_addr a;
    int n;

    skt__server_listeners_override = strcmp(mode, "own") == 0 ? 1 : 0;
    bench_check(skt_addr_parse(&a, "127.0.0.1:0"), "address");
    bench_check(skt_server_new(&the_server, &a, &cfg), "server_new");
    skt_server_address(the_server, &a);
    printf("port %d\n", skt_addr_port(&a));
    fflush(stdout);
    sa.sa_handler = stop_server;
    sigaction(SIGTERM, &sa, NULL);
    bench_check(skt_server_serve_forever(the_server), "serve_forever");
    n = skt_server_stats(the_server, stats, 8);
    for (int i = 0; i < n && i < 8; i++)
        printf("worker %llu %llu\n",
               (unsigned long long)stats[i].connections,
               (unsigned long long)stats[i].requests);
    fflush(stdout);
    skt_server_close(the_server);
    return 0;
}

struct child {
    pid_t pid;
    FILE *out;
    int port;
};

static struct child start_server(int kind)
{
    char workers[8], self[4096], line[64];
    struct child c = {0};
    int fds[2];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);

    if (len < 0 || pipe(fds) != 0)
        die("start_server");
    self[len] = '\0';
    snprintf(workers, sizeof workers, "%d", server_workers[kind]);
    c.pid = fork();
    if (c.pid < 0)
        die("fork");
    if (c.pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(self, self, "server", workers, server_modes[kind],
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    c.out = fdopen(fds[0], "r");
    if (c.out == NULL || fgets(line, sizeof line, c.out) == NULL ||
        sscanf(line, "port %d", &c.port) != 1)
        die("the server's port");
    return c;
}

/* Stops the server; its per-worker counters into conns and reqs. */
static int stop(struct child *c, double *conns, double *reqs)
{
    int n = 0, status;
    unsigned long long a, b;
    char line[128];

    kill(c->pid, SIGTERM);
    while (n < 8 && fgets(line, sizeof line, c->out) != NULL &&
           sscanf(line, "worker %llu %llu", &a, &b) == 2) {
        conns[n] = (double)a;
        reqs[n] = (double)b;
        n++;
    }
    fclose(c->out);
    waitpid(c->pid, &status, 0);
    return n;
}

/* The CPU seconds (user + system, all threads) pid has used. */
static double cpu_of(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long utime, stime;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
        die("/proc/PID/stat");
    fclose(f);
    /* After the command's closing parenthesis: field 3 on; utime and
     * stime are fields 14 and 15. */
    p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                                   "%*u %lu %lu", &utime, &stime) != 2)
        die("/proc/PID/stat fields");
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* ------------------------------------------------------------------------ */
/* Load                                                                     */
/* ------------------------------------------------------------------------ */

static int connect_to(int port, bool nonblocking)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (nonblocking)
        fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

struct echo_conn {
    int fd;
    int got;
};

/* Requests completed by CONNS connections, one in flight each, until
 * end; those after start are counted. */
static long echo_load(int port, double start, double end)
{
    static struct echo_conn conns[CONNS];
    struct epoll_event events[CONNS];
    char msg[MESSAGE] = {0}, buf[MESSAGE];
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    long done = 0;

    for (int i = 0; i < CONNS; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        conns[i] = (struct echo_conn){connect_to(port, true), 0};
        epoll_ctl(epfd, EPOLL_CTL_ADD, conns[i].fd, &ev);
        send(conns[i].fd, msg, MESSAGE, MSG_NOSIGNAL);
    }
    for (double now = bench_now(); now < end; now = bench_now()) {
        int n = epoll_wait(epfd, events, CONNS, 100);
        for (int i = 0; i < n; i++) {
            struct echo_conn *c = events[i].data.ptr;
            ssize_t r = recv(c->fd, buf, (size_t)(MESSAGE - c->got), 0);
            if (r <= 0)
                continue;
            c->got += (int)r;
            if (c->got < MESSAGE)
                continue;
            c->got = 0;
            done += now >= start;
            send(c->fd, msg, MESSAGE, MSG_NOSIGNAL);
        }
    }
    for (int i = 0; i < CONNS; i++)
        close(conns[i].fd);
    close(epfd);
    return done;
}

struct churner {
    pthread_t thread;
    int port;
    double start, end;
    long done;
};

/* Connect, one request, its reply, close with a reset (no TIME_WAIT to
 * run the client out of ports). */
static void *churn_main(void *arg)
{
    struct churner *c = arg;
    struct linger reset = {1, 0};
    char msg[MESSAGE] = {0}, buf[MESSAGE];

    for (double now = bench_now(); now < c->end; now = bench_now()) {
        int fd = connect_to(c->port, false), got = 0;
        send(fd, msg, MESSAGE, MSG_NOSIGNAL);
        while (got < MESSAGE) {
            ssize_t r = recv(fd, buf, (size_t)(MESSAGE - got), 0);
            if (r <= 0)
                break;
            got += (int)r;
        }
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        close(fd);
        c->done += got == MESSAGE && now >= c->start;
    }
    return NULL;
}

static long churn_load(int port, double start, double end)
{
    struct churner c[CHURNERS];
    long done = 0;

    for (int i = 0; i < CHURNERS; i++) {
        c[i] = (struct churner){.port = port, .start = start, .end = end};
        pthread_create(&c[i].thread, NULL, churn_main, &c[i]);
    }
    for (int i = 0; i < CHURNERS; i++) {
        pthread_join(c[i].thread, NULL);
        done += c[i].done;
    }
    return done;
}

/* ------------------------------------------------------------------------ */
/* One measurement                                                          */
/* ------------------------------------------------------------------------ */

struct result {
    double rate;         /* per second */
    double cpu_us;       /* server CPU per request, microseconds */
    double share_conns;  /* the busiest worker's share of connections */
    double share_reqs;   /* and of requests */
};

/* The CPU is read at the start and the end of the measured interval. */
struct sampler {
    pthread_t thread;
    pid_t pid;
    double start, end, cpu_start, cpu_end;
};

static void sleep_until(double when)
{
    double left = when - bench_now();
    struct timespec t;

    if (left <= 0)
        return;
    t.tv_sec = (time_t)left;
    t.tv_nsec = (long)((left - (double)t.tv_sec) * 1e9);
    nanosleep(&t, NULL);
}

static void *sample_main(void *arg)
{
    struct sampler *s = arg;

    sleep_until(s->start);
    s->cpu_start = cpu_of(s->pid);
    sleep_until(s->end);
    s->cpu_end = cpu_of(s->pid);
    return NULL;
}

static double busiest(const double *values, int n)
{
    double total = 0, most = 0;

    for (int i = 0; i < n; i++) {
        total += values[i];
        most = values[i] > most ? values[i] : most;
    }
    return total > 0 ? most / total : 0;
}

static struct result measure(int kind, bool churn)
{
    struct child c = start_server(kind);
    double begin = bench_now(), conns[8], reqs[8];
    struct sampler s = {.pid = c.pid, .start = begin + WARMUP,
                        .end = begin + WARMUP + DURATION};
    struct result r;
    long done;
    int n;

    pthread_create(&s.thread, NULL, sample_main, &s);
    done = churn ? churn_load(c.port, s.start, s.end)
                 : echo_load(c.port, s.start, s.end);
    pthread_join(s.thread, NULL);
    n = stop(&c, conns, reqs);
    r.rate = (double)done / DURATION;
    r.cpu_us = done > 0 ? (s.cpu_end - s.cpu_start) / (double)done * 1e6 : 0;
    r.share_conns = busiest(conns, n);
    r.share_reqs = busiest(reqs, n);
    return r;
}

static void compare(bool churn)
{
    double rate[SERVERS][ROUNDS], cpu[SERVERS][ROUNDS];
    double share_c[SERVERS][ROUNDS], share_r[SERVERS][ROUNDS];
    double base_rate = 0, base_cpu = 0;

    for (int round = 0; round < ROUNDS; round++)
        for (int k = 0; k < SERVERS; k++) {
            struct result r = measure(k, churn);
            rate[k][round] = r.rate;
            cpu[k][round] = r.cpu_us;
            share_c[k][round] = r.share_conns;
            share_r[k][round] = r.share_reqs;
        }
    printf("%s (medians of %d rounds)\n",
           churn ? "churn: a connection per request, 4 client threads"
                 : "echo: 100 connections, 64-byte requests",
           ROUNDS);
    for (int k = 0; k < SERVERS; k++) {
        double m_rate = bench_median(rate[k], ROUNDS);
        double m_cpu = bench_median(cpu[k], ROUNDS);
        if (k == 0) {
            base_rate = m_rate;
            base_cpu = m_cpu;
        }
        printf("  %-44s %9.0f %s/s (%.2fx)  %5.2f us CPU/%s (%.2fx)\n",
               server_names[k], m_rate, churn ? "conn" : "req",
               m_rate / base_rate, m_cpu, churn ? "conn" : "req",
               m_cpu / base_cpu);
        if (server_workers[k] > 1)
            printf("  %-44s busiest worker: %.0f%% of connections, "
                   "%.0f%% of requests\n",
                   "", 100 * bench_median(share_c[k], ROUNDS),
                   100 * bench_median(share_r[k], ROUNDS));
    }
}

/* ------------------------------------------------------------------------ */
/* Drain to port free                                                       */
/* ------------------------------------------------------------------------ */

struct drain_times {
    double call;    /* skt_server_drain itself */
    double free;    /* drain request to a plain listener bound on the port */
    double bind;    /* the reference: the same socket, bind, listen alone */
    double ended;   /* drain request to serve_forever returned */
    int tries;      /* binds until one succeeded */
};

struct drain_run {
    skt_server *srv;
    double ended;
};

/* This thread on one CPU (when there are two), so that the loop the drain
 * wakes does not take the CPU of the thread that measures. */
static void pin(int cpu)
{
    cpu_set_t set;

    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *serve_thread(void *arg)
{
    struct drain_run *run = arg;

    pin(0);
    skt_server_serve_forever(run->srv);
    run->ended = bench_now();
    return NULL;
}

/* socket, SO_REUSEADDR, bind (port 0: any), listen; the fd, or -1 when
 * the port is taken. */
static int plain_listener(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One drain of an event server with 100 idle connections. */
static struct drain_times drain_once(void)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_event = echo_event};
    struct drain_run run;
    struct drain_times t;
    pthread_t thread;
    int fds[CONNS], next;
    double t0;
    skt_addr a;

    bench_check(skt_addr_parse(&a, "127.0.0.1:0"), "address");
    bench_check(skt_server_new(&run.srv, &a, &cfg), "server_new");
    skt_server_address(run.srv, &a);
    pthread_create(&thread, NULL, serve_thread, &run);
    for (int i = 0; i < CONNS; i++)
        fds[i] = connect_to(skt_addr_port(&a), false);
    while (skt_server_connections(run.srv) < CONNS)
        sleep_until(bench_now() + 0.001);
    t0 = bench_now();
    skt_server_drain(run.srv, 5.0);
    t.call = (bench_now() - t0) * 1e6;
    for (t.tries = 1; (next = plain_listener(skt_addr_port(&a))) < 0;
         t.tries++)
        continue;
    t.free = (bench_now() - t0) * 1e6;
    close(next);
    pthread_join(thread, NULL);
    t.ended = (run.ended - t0) * 1e6;
    t0 = bench_now();
    close(plain_listener(0));
    t.bind = (bench_now() - t0) * 1e6;
    skt_server_close(run.srv);
    for (int i = 0; i < CONNS; i++)
        close(fds[i]);
    return t;
}

static void drain_figures(void)
{
    double call[20], free_at[20], bind[20], ended[20];
    int first = 0;

    pin(1);
    for (int i = 0; i < 20; i++) {
        struct drain_times t = drain_once();
        call[i] = t.call;
        free_at[i] = t.free;
        bind[i] = t.bind;
        ended[i] = t.ended;
        first += t.tries == 1;
    }
    printf("drain: an event server with 100 idle connections, its loop on "
           "CPU 0, the drain on CPU 1 (medians of 20)\n");
    printf("  skt_server_drain call                            %7.1f us\n",
           bench_median(call, 20));
    printf("  drain request to the port bound by a new socket  %7.1f us "
           "(%.2fx socket+bind+listen alone: %.1f us)\n",
           bench_median(free_at, 20),
           bench_median(free_at, 20) / bench_median(bind, 20),
           bench_median(bind, 20));
    printf("  the port bound at the first try in %d of 20 drains\n", first);
    printf("  drain request to serve_forever returned          %7.1f us "
           "(the 100 connections closed)\n",
           bench_median(ended, 20));
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && strcmp(argv[1], "server") == 0)
        return run_server(atoi(argv[2]), argv[3]);
    if (argc != 1) {
        fprintf(stderr, "usage: bench-server-workers [server WORKERS "
                        "own|shared]\n");
        return 2;
    }
    printf("bench-server-workers: %ld CPUs; servers unpinned\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    compare(false);
    compare(true);
    drain_figures();
    return 0;
}
