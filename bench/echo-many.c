/*
 * echo-many.c - many concurrent connections, each doing 64-byte
 * request/response, against four echo servers:
 *
 *   raw epoll         written here: epoll_wait, then recv + send per
 *                     event, no allocation (the floor)
 *   skt events        skt_server in SKT_SERVER_EVENTS mode
 *   libuv             uv_read_start, uv_try_write (uv_write as fallback),
 *                     in echo-many-libuv.c; left out, with the reason
 *                     printed, where the build found no libuv
 *   python selectors  bench/echo-many.py, Python's selectors module (at
 *                     the small counts only: it would take minutes)
 *
 * One load generator, written on skt (its selector and non-blocking
 * sockets), drives all of them with 100, 1,000 and 10,000 connections and
 * then with the most that the fd limit lets one server process hold: the
 * soft RLIMIT_NOFILE is raised to the hard one (which the servers inherit),
 * and 50,000 connections are made where the hard limit allows them. The
 * generator is the parent process and each server a child, so the server
 * alone holds its connections' fds. The clients bind source addresses of
 * their own (127.0.0.2, 127.0.0.3, ... as the ports of one run short).
 * Each keeps one request in flight.
 *
 * Each server runs pinned to CPU 0, the generator on CPU 1
 * (sched_setaffinity). The runs are interleaved over several rounds and
 * the median req/s is reported with its ratio to raw epoll. On a shared
 * machine req/s moves with whatever else runs on the two CPUs, so the
 * server's own CPU time per request is printed too: it is what the server
 * costs, whoever else runs. It is read from the server process's CPU clock
 * (user + system time, as getrusage sums them) at both ends of the
 * measured window, so that connecting and tearing down are left out.
 * Targets: skt >= 0.95x raw epoll's req/s, <= 1.05x its CPU per request.
 *
 * Then memory: the same servers hold 10,000 and then the most connections,
 * idle after one request each, and report from inside the process (a
 * thread that answers the generator) their resident set (RSS) and the
 * bytes malloc has handed out (mallinfo2); the growth from before the
 * first connection, divided by the connections, is the user-space cost of
 * one. The kernel's own memory for a socket is in neither figure. Target:
 * skt <= 512 bytes per connection.
 *
 *     bench-echo-many                      the whole comparison
 *     bench-echo-many server KIND          one server (raw, skt, libuv),
 *                                          until killed (for strace -c)
 *     bench-echo-many load PORT CONNS SECONDS
 *                                          the generator alone; prints
 *                                          the requests it completed
 */
#include "common.h"
#include "echo-many.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skt.h"

enum {
    MESSAGE = 64,
    ROUNDS = 5,
    MEMORY_ROUNDS = 3,
    KINDS = 4,
    BACKLOG = 4096,
    /* fds a server needs beside its connections (stdio, listener, epoll,
     * the generator's control socket), with room to spare. */
    FD_RESERVE = 500,
    MOST = 50000,
    /* Python is measured up to this many connections. */
    PYTHON_MOST = 1000,
};
#define WARMUP 0.3
#define DURATION 1.5
/* How long the first request on every connection may take in all. */
#define SYNC_SECONDS 60.0

enum kind { RAW, SKT, LIBUV, PYTHON };

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
        listen(fd, BACKLOG) != 0 ||
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
    static struct epoll_event events[1024];
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
                             .on_event = skt_echo, .backlog = BACKLOG};
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
/* The memory report, from inside a server                                  */
/* ------------------------------------------------------------------------ */

/* The resident set of this process in bytes, from /proc/self/statm; read
 * without stdio, which would allocate. */
static long long resident_bytes(void)
{
    char text[128];
    long long pages = -1;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (n > 0) {
        text[n] = '\0';
        sscanf(text, "%*s %lld", &pages);
    }
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/* Answers each byte the generator writes on the control socket with
 * "RSS MALLOCED\n", until the socket closes. It runs beside the server's
 * loop, which it never touches. */
static void *reporter(void *arg)
{
    int ctl = (int)(intptr_t)arg;
    char request, line[64];

    while (read(ctl, &request, 1) == 1) {
        struct mallinfo2 m = mallinfo2();
        int len = snprintf(line, sizeof line, "%lld %zu\n", resident_bytes(),
                           m.uordblks + m.hblkhd);
        if (write(ctl, line, (size_t)len) != len)
            break;
    }
    return NULL;
}

static void start_reporter(int ctl)
{
    pthread_t thread;

    if (pthread_create(&thread, NULL, reporter, (void *)(intptr_t)ctl) != 0)
        die("pthread_create");
    pthread_detach(thread);
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
    else if (strcmp(kind, "libuv") == 0 && echo_libuv_missing() == NULL)
        echo_serve_libuv(raw_listener(), BACKLOG);
    else if (strcmp(kind, "libuv") == 0)
        fprintf(stderr, "bench-echo-many: no libuv server: %s\n",
                echo_libuv_missing());
    else
        fprintf(stderr, "bench-echo-many: unknown server \"%s\"\n", kind);
    exit(2);
}

struct server {
    pid_t pid;
    int port;
    int ctl;         /* to the reporter thread (C servers only) */
    clockid_t clock; /* the server process's CPU clock */
};

/* Runs a server in this (new) process: on CPU 0, stdout on out. */
static void server_child(enum kind kind, int out, int ctl)
{
    char script[1024];

    dup2(out, STDOUT_FILENO);
    close(out);
    pin(0);
    if (kind == PYTHON) {
        snprintf(script, sizeof script, "%s/bench/echo-many.py",
                 SKT_SOURCE_DIR);
        execlp("python3", "python3", script, (char *)NULL);
        _exit(127);
    }
    start_reporter(ctl);
    serve(kind_args[kind]);
}

/* Starts a server; srv->port is -1 when it did not start. */
static void start_server(enum kind kind, struct server *srv)
{
    char line[128] = "";
    int out[2], ctl[2];
    FILE *from;

    if (pipe2(out, O_CLOEXEC) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) != 0)
        die("pipe");
    srv->port = -1;
    srv->pid = fork();
    if (srv->pid < 0)
        die("fork");
    if (srv->pid == 0) {
        close(out[0]);
        close(ctl[0]);
        server_child(kind, out[1], ctl[1]);
    }
    close(out[1]);
    close(ctl[1]);
    srv->ctl = ctl[0];
    from = fdopen(out[0], "r");
    if (from != NULL && fgets(line, sizeof line, from) != NULL)
        sscanf(line, "listening on 127.0.0.1:%d", &srv->port);
    if (from != NULL)
        fclose(from);
    if (clock_getcpuclockid(srv->pid, &srv->clock) != 0)
        srv->port = -1;
}

/* The server's CPU time so far, user + system, in seconds. */
static double server_cpu(const struct server *srv)
{
    struct timespec ts;

    if (clock_gettime(srv->clock, &ts) != 0)
        die("clock_gettime of the server's CPU clock");
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The server's resident and malloc'd bytes, from its reporter thread;
 * false when the server has none (Python) or it did not answer. */
static bool server_memory(const struct server *srv, long long *rss,
                          long long *malloced)
{
    char line[64];
    ssize_t n;

    if (write(srv->ctl, "m", 1) != 1)
        return false;
    n = read(srv->ctl, line, sizeof line - 1);
    if (n <= 0)
        return false;
    line[n] = '\0';
    return sscanf(line, "%lld %lld", rss, malloced) == 2 && *rss >= 0;
}

static void stop_server(struct server *srv)
{
    kill(srv->pid, SIGKILL);
    waitpid(srv->pid, NULL, 0);
    close(srv->ctl);
}

/* ------------------------------------------------------------------------ */
/* The load generator, on skt                                               */
/* ------------------------------------------------------------------------ */

struct client {
    skt_socket *sock;
    unsigned got;     /* bytes of the current response */
    unsigned answers; /* responses received */
};

struct load {
    struct client *clients;
    int count;
    skt_selector *sel;
    long done;    /* responses received */
    int answered; /* clients with at least one response */
};

static const char request[MESSAGE] = "0123456789abcdef";

/*
 * Where the clients connect from. Letting connect() choose an ephemeral
 * port gets slow as the range fills (the kernel searches it for a free
 * port: a third of a millisecond a connection at 19,000), so each client
 * binds an address of its own: 127.0.0.2, 127.0.0.3, ... and ports from
 * FIRST_PORT up to just below the ephemeral range, which connect() never
 * hands out, so that the benchmark and other programs do not take each
 * other's ports. A port something else holds is skipped.
 */
#define FIRST_PORT 10000

struct source {
    int address; /* 0 is 127.0.0.2 */
    int port;
};

/* The first ephemeral port (ip_local_port_range), above which none is
 * bound here. */
static int ephemeral_low(void)
{
    static int low;
    int high;
    FILE *f;

    if (low > 0)
        return low;
    low = 32768;
    f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f != NULL) {
        if (fscanf(f, "%d %d", &low, &high) != 2 || low <= FIRST_PORT)
            low = 32768;
        fclose(f);
    }
    return low;
}

/* How many source addresses count connections take. */
static int sources_for(int count)
{
    int per_address = ephemeral_low() - FIRST_PORT;

    return (count + per_address - 1) / per_address;
}

/* Binds sock to the next free source address and port. */
static int bind_next_source(skt_socket *sock, struct source *next)
{
    int low = ephemeral_low(), rc = -EADDRINUSE;

    while (rc == -EADDRINUSE && next->address < 250) {
        char text[32];
        skt_addr a;
        snprintf(text, sizeof text, "127.0.0.%d:%d", 2 + next->address,
                 next->port);
        if (++next->port >= low) {
            next->address++;
            next->port = FIRST_PORT;
        }
        rc = skt_addr_parse(&a, text);
        if (rc == 0)
            rc = skt_bind(sock, &a);
    }
    return rc;
}

/* One client connection: an abortive close (SO_LINGER 0) leaves no
 * TIME_WAIT behind, which tens of thousands of connections a run would
 * otherwise pile up. */
static int open_client(skt_socket **out, const skt_addr *server,
                       struct source *next)
{
    struct linger abort_close = {1, 0};
    skt_socket *sock;
    int rc = skt_open(&sock, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return rc;
    rc = bind_next_source(sock, next);
    if (rc == 0)
        rc = skt_setsockopt(sock, SOL_SOCKET, SO_LINGER, &abort_close,
                            sizeof abort_close);
    if (rc == 0)
        rc = skt_connect(sock, server);
    if (rc == 0)
        rc = skt_setblocking(sock, false);
    if (rc < 0) {
        skt_close(sock);
        return rc;
    }
    *out = sock;
    return 0;
}

/* Connects count clients; stops at the first failure, which it names, and
 * returns how many connected. */
static int connect_clients(struct load *l, int port, int count)
{
    struct source next = {0, FIRST_PORT};
    skt_addr a;

    bench_check(skt_addr_from_ip(&a, "127.0.0.1", port), "address");
    for (int i = 0; i < count; i++) {
        struct client *c = &l->clients[i];
        int rc = open_client(&c->sock, &a, &next);
        if (rc == 0)
            rc = skt_selector_register_socket(l->sel, c->sock,
                                              SKT_EVENT_READ, c);
        if (rc < 0) {
            fprintf(stderr, "bench-echo-many: connection %d of %d to %s: "
                    "%s\n", i + 1, count, current, skt_error_detail());
            return i;
        }
        c->got = c->answers = 0;
        l->count = i + 1;
    }
    return count;
}

/* Reads the echo; when a whole response came, counts it and, if again,
 * sends the next request. */
static void serve_client(struct load *l, struct client *c, bool again)
{
    char buf[MESSAGE];
    ssize_t n = skt_recv(c->sock, buf, MESSAGE - c->got, 0);

    if (n == -EAGAIN)
        return;
    if (n <= 0) {
        fprintf(stderr, "bench-echo-many: %s closed a connection (%s)\n",
                current, n == 0 ? "EOF" : skt_strerror((int)n));
        exit(1);
    }
    c->got += (unsigned)n;
    if (c->got < MESSAGE)
        return;
    c->got = 0;
    l->done++;
    if (c->answers++ == 0)
        l->answered++;
    if (again && skt_send(c->sock, request, MESSAGE, 0) != MESSAGE)
        die("send");
}

/* Serves responses until the time is up, or (until_answered) every
 * client has had one. */
static void drive(struct load *l, double seconds, bool again,
                  bool until_answered)
{
    double end = bench_now() + seconds;

    while (bench_now() < end) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(l->sel, 0.1, &ready);
        if (n < 0)
            bench_check(n, "select");
        for (int i = 0; i < n; i++)
            serve_client(l, ready[i].key.data, again);
        if (until_answered && l->answered == l->count)
            return;
    }
}

/* Connects count clients and has every one make a request; with again,
 * each sends the next as soon as it has its response. Returns the clients
 * that got an answer (the server holds that many). */
static int start_load(struct load *l, int port, int count, bool again)
{
    *l = (struct load){calloc((size_t)count, sizeof *l->clients), 0, NULL,
                       0, 0};
    if (l->clients == NULL)
        die("calloc");
    bench_check(skt_selector_new(&l->sel, SKT_SELECTOR_EPOLL), "selector");
    connect_clients(l, port, count);
    for (int i = 0; i < l->count; i++)
        if (skt_send(l->clients[i].sock, request, MESSAGE, 0) != MESSAGE)
            die("send");
    drive(l, SYNC_SECONDS, again, true);
    if (l->answered < l->count)
        fprintf(stderr, "bench-echo-many: %s answered %d of %d connections "
                "in %.0f s\n", current, l->answered, l->count, SYNC_SECONDS);
    return l->answered;
}

static void end_load(struct load *l)
{
    for (int i = 0; i < l->count; i++)
        skt_close(l->clients[i].sock);
    skt_selector_close(l->sel);
    free(l->clients);
}

/* ------------------------------------------------------------------------ */
/* Throughput                                                               */
/* ------------------------------------------------------------------------ */

struct result {
    double rate;   /* requests per second */
    double cpu_us; /* server CPU microseconds per request */
    int reached;   /* connections the server held */
};

/* One run of a server kind with count connections; rate -1 if it failed.
 * After every connection has had its first answer, a warm-up, then the
 * measured window, with the server's CPU clock read at both ends. */
static struct result measure(enum kind kind, int count)
{
    struct result r = {-1, -1, 0};
    struct server srv;
    struct load l;
    double begin, elapsed, cpu;
    long before;

    current = kind_names[kind];
    start_server(kind, &srv);
    if (srv.port <= 0) {
        stop_server(&srv);
        return r;
    }
    r.reached = start_load(&l, srv.port, count, true);
    drive(&l, WARMUP, true, false);
    before = l.done;
    cpu = server_cpu(&srv);
    begin = bench_now();
    drive(&l, DURATION, true, false);
    elapsed = bench_now() - begin;
    cpu = server_cpu(&srv) - cpu;
    stop_server(&srv);
    end_load(&l);
    if (l.done > before) {
        r.rate = (double)(l.done - before) / elapsed;
        r.cpu_us = cpu * 1e6 / (double)(l.done - before);
    }
    return r;
}

static bool kind_runs(enum kind kind, int count)
{
    if (kind == LIBUV)
        return echo_libuv_missing() == NULL;
    if (kind == PYTHON)
        return count <= PYTHON_MOST;
    return true;
}

/* The figures of one kind over the rounds: each round's, and each
 * round's against another kind's in the same round. */
struct rounds {
    double rate[ROUNDS];
    double cpu_us[ROUNDS];
};

/* The median of one figure over the rounds, leaving them in round order
 * (bench_median sorts what it is given). */
static double median_of(const double values[ROUNDS])
{
    double copy[ROUNDS];

    memcpy(copy, values, sizeof copy);
    return bench_median(copy, ROUNDS);
}

/* The median over the rounds of a's figures against b's: runs of the same
 * round share the machine's load of the moment, which drifts on a shared
 * host, so these ratios move less than those of the medians. */
static struct result paired(const struct rounds *a, const struct rounds *b)
{
    double rate[ROUNDS], cpu[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        rate[r] = a->rate[r] / b->rate[r];
        cpu[r] = a->cpu_us[r] / b->cpu_us[r];
    }
    return (struct result){bench_median(rate, ROUNDS),
                           bench_median(cpu, ROUNDS), 0};
}

static void print_row(int count, enum kind k, struct rounds *all)
{
    struct result ratio = paired(&all[k], &all[RAW]);
    double rate = median_of(all[k].rate);
    double cpu = median_of(all[k].cpu_us);

    printf("  %6d  %-17s %8.0f req/s %6.3fx   %5.2f us CPU/req %6.3fx%s\n",
           count, kind_names[k], rate, ratio.rate, cpu, ratio.cpu_us,
           k == SKT ? "  (targets >= 0.95x, <= 1.05x)" : "");
}

/* The medians of every kind at count connections; returns the smallest
 * number of connections any server held. */
static int compare(int count)
{
    struct rounds all[KINDS];
    int reached = count;

    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < KINDS; k++) {
            struct result one = {-1, -1, count};
            if (kind_runs((enum kind)k, count))
                one = measure((enum kind)k, count);
            all[k].rate[r] = one.rate;
            all[k].cpu_us[r] = one.cpu_us;
            if (kind_runs((enum kind)k, count) && one.reached < reached)
                reached = one.reached;
        }
    for (int k = 0; k < KINDS; k++) {
        if (!kind_runs((enum kind)k, count))
            continue;
        if (median_of(all[k].rate) < 0)
            printf("  %6d  %-17s not measured (did not start)\n", count,
                   kind_names[k]);
        else
            print_row(count, (enum kind)k, all);
    }
    if (kind_runs(LIBUV, count)) {
        struct result ratio = paired(&all[SKT], &all[LIBUV]);
        printf("  %6d  skt vs libuv: %.3fx req/s, %.3fx CPU/req\n", count,
               ratio.rate, ratio.cpu_us);
    }
    if (reached < count)
        printf("  %6d  (a server held only %d connections)\n", count,
               reached);
    return reached;
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

struct memory {
    double rss;      /* resident bytes per connection */
    double malloced; /* malloc'd bytes per connection */
};

/* The growth of a server from no connection to count idle ones (each
 * answered once), per connection; rss -1 if it failed. */
static struct memory measure_memory(enum kind kind, int count)
{
    struct memory m = {-1, -1};
    long long rss0, malloc0, rss1, malloc1;
    struct server srv;
    struct load l;
    int held;

    current = kind_names[kind];
    start_server(kind, &srv);
    if (srv.port <= 0 || !server_memory(&srv, &rss0, &malloc0)) {
        stop_server(&srv);
        return m;
    }
    held = start_load(&l, srv.port, count, false);
    if (held > 0 && server_memory(&srv, &rss1, &malloc1)) {
        m.rss = (double)(rss1 - rss0) / held;
        m.malloced = (double)(malloc1 - malloc0) / held;
    }
    stop_server(&srv);
    end_load(&l);
    return m;
}

static void compare_memory(int count)
{
    double rss[KINDS][MEMORY_ROUNDS], malloced[KINDS][MEMORY_ROUNDS];

    for (int r = 0; r < MEMORY_ROUNDS; r++)
        for (int k = RAW; k <= LIBUV; k++) {
            struct memory one = {-1, -1};
            if (kind_runs((enum kind)k, count))
                one = measure_memory((enum kind)k, count);
            rss[k][r] = one.rss;
            malloced[k][r] = one.malloced;
        }
    for (int k = RAW; k <= LIBUV; k++) {
        if (!kind_runs((enum kind)k, count))
            continue;
        printf("  %6d  %-17s %8.0f B RSS/conn   %8.0f B malloc'd/conn%s\n",
               count, kind_names[k], bench_median(rss[k], MEMORY_ROUNDS),
               bench_median(malloced[k], MEMORY_ROUNDS),
               k == SKT ? "  (target <= 512)" : "");
    }
}

/* ------------------------------------------------------------------------ */
/* The counts                                                               */
/* ------------------------------------------------------------------------ */

/* Raises the soft fd limit to the hard one (children inherit it) and
 * returns the most connections one server process can then hold, in
 * thousands, at most MOST. */
static int raise_fd_limit(rlim_t *hard)
{
    struct rlimit limit;
    rlim_t most;

    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        die("getrlimit");
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            die("setrlimit");
    }
    *hard = limit.rlim_max;
    if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= MOST + FD_RESERVE)
        return MOST;
    most = limit.rlim_max > FD_RESERVE ? limit.rlim_max - FD_RESERVE : 0;
    return (int)(most / 1000 * 1000);
}

/* The connection counts to measure: 100, 1,000, 10,000 and the most; none
 * above the most. Returns how many. */
static int counts_up_to(int most, int counts[4])
{
    static const int fixed[] = {100, 1000, 10000};
    int n = 0;

    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (fixed[i] <= most)
            counts[n++] = fixed[i];
    if (n == 0 || counts[n - 1] < most)
        counts[n++] = most;
    return n;
}

static void print_limits(rlim_t hard, int most)
{
    printf("  fd limit: soft raised to the hard limit, %llu; the most "
           "connections one server holds here: %d", (unsigned long long)hard,
           most);
    if (most < MOST)
        printf(" (%d would need a hard limit of %d)", MOST,
               MOST + FD_RESERVE);
    printf("; source addresses at the most: %d\n", sources_for(most));
    if (echo_libuv_missing() != NULL)
        printf("  libuv: not measured: %s\n", echo_libuv_missing());
    printf("  python selectors: measured up to %d connections only\n",
           PYTHON_MOST);
}

int main(int argc, char **argv)
{
    int counts[4], ncounts, most, reached = 0;
    rlim_t hard;

    signal(SIGPIPE, SIG_IGN);
    most = raise_fd_limit(&hard);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        serve(argv[2]);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "load") == 0) {
        struct load l;
        pin(1);
        start_load(&l, atoi(argv[2]), atoi(argv[3]), true);
        l.done = 0;
        drive(&l, atof(argv[4]), true, false);
        printf("%ld\n", l.done);
        end_load(&l);
        return 0;
    }
    pin(1);
    ncounts = counts_up_to(most, counts);
    printf("echo-many: %d-byte request/response, one request in flight per "
           "connection; %.1f s measured after %.1f s warm-up, median of %d "
           "interleaved rounds; servers on CPU 0, the skt load generator "
           "on CPU 1\n", MESSAGE, DURATION, WARMUP, ROUNDS);
    print_limits(hard, most);
    printf("  req/s and CPU/req are medians; \"vs raw\" is the median of each "
           "round's ratio\n");
    printf("   conns  server               req/s  vs raw   server CPU/req  "
           "vs raw\n");
    for (int i = 0; i < ncounts; i++)
        reached = compare(counts[i]);
    printf("  largest count reached: %d connections\n", reached);
    printf("memory: idle connections (one request each), growth of the "
           "server process per connection, median of %d runs; the kernel's "
           "own socket memory is in neither figure\n", MEMORY_ROUNDS);
    for (int i = 0; i < ncounts; i++)
        if (counts[i] >= 10000 || i == ncounts - 1)
            compare_memory(counts[i]);
    return 0;
}
