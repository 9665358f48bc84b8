/*
 * faults-scale.c - many concurrent connections to an echo server: COUNT
 * connections are opened (non-blocking, from the loopback sources
 * 127.0.0.2 to 127.0.0.9 so that ephemeral ports never run short) and
 * all kept open; each sends a message and must get it back, then all of
 * them at once send a second one. The server's RSS and fd count are
 * read from /proc with every connection open, and again after they all
 * closed (the fds must come back to what they were).
 *
 *     faults-scale SERVER COUNT
 *
 * SERVER is an echo example (event-echo-server) started here with the
 * soft RLIMIT_NOFILE raised to the hard limit, as ours is. Prints the
 * times, the second round's latency p50/p99 and the RSS per connection.
 */
#include "fault-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MESSAGE 32
#define SOURCES 8
/* Connections opened and not yet echoed, at most: fewer than the
 * server's listen backlog (128, skt_server's default), so that the
 * kernel's accept queue never overflows while the server is busy. An
 * overflow is the kernel's answer to a burst, not the server's (dropped
 * handshakes, then SYN cookies, and a reset for a cookie that aged). */
#define OPENING_AT_ONCE 100
#define TIMEOUT 120.0

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum state { IDLE, CONNECTING, WAITING, DONE };

struct conn {
    skt_socket *sock;
    enum state state;
    int round;
    size_t got;
    double sent_at, latency;
    char expect[MESSAGE];
};

static struct conn *conns;
static int count;
static skt_selector *sel;
static int done_count, opening;
static pid_t server_pid;

/* At exit, a failure's too: the server must not outlive the test. */
static void kill_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

/* The server: started with stdout in a file, read for its address. */
static pid_t start_server(const char *path, int *port)
{
    char out[] = "/tmp/skt-faults-scale.XXXXXX", line[256];
    int fd = mkstemp(out);
    double end = fu_now() + 20;
    pid_t pid;

    if (fd < 0)
        fu_fail("mkstemp: %s", strerror(errno));
    pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        execl(path, path, "127.0.0.1", "0", (char *)NULL);
        _exit(127);
    }
    close(fd);
    while (fu_now() < end) {
        FILE *f = fopen(out, "r");
        while (f != NULL && fgets(line, sizeof line, f) != NULL) {
            const char *colon = strrchr(line, ':');
            if (strncmp(line, "listening on ", 13) == 0 && colon != NULL) {
                *port = atoi(colon + 1);
                fclose(f);
                unlink(out);
                return pid;
            }
        }
        if (f != NULL)
            fclose(f);
        if (waitpid(pid, NULL, WNOHANG) == pid)
            fu_fail("%s exited before listening", path);
        fu_sleep(0.05);
    }
    kill(pid, SIGKILL);
    fu_fail("%s printed no \"listening on\" line", path);
}

static void fill_message(struct conn *c, int i)
{
    char text[64];
    size_t n;

    snprintf(text, sizeof text, "conn %06d round %d ..........", i,
             c->round);
    n = strlen(text) < MESSAGE - 1 ? strlen(text) : MESSAGE - 1;
    memset(c->expect, 0, sizeof c->expect);
    memcpy(c->expect, text, n);
    c->expect[MESSAGE - 1] = '\n';
}

static void send_message(struct conn *c, int i)
{
    ssize_t n;

    c->round++;
    fill_message(c, i);
    c->got = 0;
    c->sent_at = fu_now();
    n = skt_send(c->sock, c->expect, MESSAGE, 0);
    if (n != MESSAGE)
        fu_fail("send on connection %d: %s", i, fu_rcname((int)n));
    c->state = WAITING;
    fu_check(skt_selector_modify_socket(sel, c->sock, SKT_EVENT_READ,
                                 c), "selector_modify");
}

static void start_connect(int i, const skt_addr *server)
{
    struct conn *c = &conns[i];
    char source[32];
    skt_addr from;
    int rc;

    snprintf(source, sizeof source, "127.0.0.%d:0", 2 + i % SOURCES);
    fu_check(skt_open(&c->sock, AF_INET, SOCK_STREAM, 0), "skt_open");
    fu_check(skt_setblocking(c->sock, false), "setblocking");
    /* The port is chosen at connect, per destination: no shortage. */
    skt_setsockopt_int(c->sock, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
    fu_check(skt_addr_parse(&from, source), "addr_parse");
    fu_check(skt_bind(c->sock, &from), "bind to a loopback source");
    rc = skt_connect(c->sock, server);
    if (rc < 0 && rc != -EINPROGRESS)
        fu_fail("connect %d: %s (%s)", i, fu_rcname(rc), skt_error_detail());
    c->state = CONNECTING;
    opening++;
    fu_check(skt_selector_register_socket(sel, c->sock, SKT_EVENT_WRITE, c),
             "selector_register");
}

static void on_ready(struct conn *c, int events)
{
    int i = (int)(c - conns), err = 0;
    char buf[MESSAGE];
    ssize_t n;

    if (c->state == CONNECTING && (events & SKT_EVENT_WRITE)) {
        skt_getsockopt_int(c->sock, SOL_SOCKET, SO_ERROR, &err);
        if (err != 0)
            fu_fail("connection %d failed: %s", i, strerror(err));
        send_message(c, i);
        return;
    }
    if (c->state != WAITING)
        fu_fail("connection %d (done) became readable: the server closed "
                "it?", i);
    n = skt_recv(c->sock, buf, MESSAGE - c->got, 0);
    if (n == -EAGAIN)
        return;
    if (n <= 0)
        fu_fail("connection %d: recv returned %s", i, fu_rcname((int)n));
    if (memcmp(buf, c->expect + c->got, (size_t)n) != 0)
        fu_fail("connection %d: the echo differs", i);
    c->got += (size_t)n;
    if (c->got == MESSAGE) {
        c->latency = fu_now() - c->sent_at;
        c->state = DONE;
        done_count++;
        if (c->round == 1)
            opening--;
    }
}

/* Runs the selector until every connection is DONE; opens the IDLE ones,
 * at most OPENING_AT_ONCE of them not yet echoed at a time. */
static void run_until_done(const skt_addr *server)
{
    int next = 0;
    double end = fu_now() + TIMEOUT;

    while (done_count < count) {
        const skt_selector_ready *ready;
        int n;
        while (next < count && conns[next].state == IDLE &&
               opening < OPENING_AT_ONCE)
            start_connect(next++, server);
        if (fu_now() > end)
            fu_fail("only %d of %d connections echoed within %.0f s",
                    done_count, count, TIMEOUT);
        n = skt_selector_select(sel, 1.0, &ready);
        fu_check(n, "selector_select");
        for (int k = 0; k < n; k++)
            if (ready[k].events != 0)
                on_ready(ready[k].key.data, ready[k].events);
    }
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void print_latencies(void)
{
    double *l = malloc(sizeof *l * (size_t)count);

    if (l == NULL)
        fu_fail("out of memory");
    for (int i = 0; i < count; i++)
        l[i] = conns[i].latency;
    qsort(l, (size_t)count, sizeof *l, compare_double);
    printf("scale: second round, all %d at once: latency p50=%.1f ms "
           "p99=%.1f ms max=%.1f ms\n", count, l[count / 2] * 1e3,
           l[count * 99 / 100] * 1e3, l[count - 1] * 1e3);
    free(l);
}

static void stop_server(pid_t pid)
{
    double end = fu_now() + 20;
    int status;

    kill(pid, SIGTERM);
    server_pid = 0; /* reaped below, whatever happens */
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (fu_now() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fu_fail("the server did not stop within 20 s of SIGTERM");
        }
        fu_sleep(0.05);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fu_fail("the server ended with status %d on SIGTERM", status);
}

int main(int argc, char **argv)
{
    long limit = fu_raise_nofile(), rss0, rss1, rss2;
    int port, fds0, fds1, fds2;
    double start, connected, second;
    char target[32];
    skt_addr server;
    pid_t pid;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3 || (count = atoi(argv[2])) <= 0) {
        fprintf(stderr, "usage: faults-scale SERVER COUNT\n");
        return 2;
    }
    if (limit < count + 64L)
        fu_skip("RLIMIT_NOFILE's hard limit %ld is below %d connections",
                limit, count);
    conns = calloc((size_t)count, sizeof *conns);
    if (conns == NULL)
        fu_fail("out of memory");
    pid = start_server(argv[1], &port);
    server_pid = pid;
    atexit(kill_server);
    fu_sleep(0.2);
    rss0 = fu_rss_kib(pid);
    fds0 = fu_fd_count(pid);
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    fu_check(skt_addr_parse(&server, target), "addr_parse");
    fu_check(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT), "selector_new");

    start = fu_now();
    run_until_done(&server);
    connected = fu_now() - start;
    done_count = 0;
    start = fu_now();
    for (int i = 0; i < count; i++)
        send_message(&conns[i], i);
    run_until_done(&server);
    second = fu_now() - start;
    fu_sleep(0.2);
    rss1 = fu_rss_kib(pid);
    fds1 = fu_fd_count(pid);
    printf("scale: %d connections opened and echoed in %.2f s; a second "
           "message on all of them at once in %.2f s\n", count, connected,
           second);
    print_latencies();
    printf("scale: server RSS %ld KiB idle, %ld KiB with %d connections: "
           "%.1f KiB per connection; server fds %d -> %d\n", rss0, rss1,
           count, (double)(rss1 - rss0) / count, fds0, fds1);
    if (fds1 < fds0 + count)
        fu_fail("the server holds %d fds for %d connections", fds1, count);

    for (int i = 0; i < count; i++) {
        skt_selector_unregister_socket(sel, conns[i].sock);
        skt_close(conns[i].sock);
    }
    start = fu_now();
    while ((fds2 = fu_fd_count(pid)) > fds0 && fu_now() - start < 20)
        fu_sleep(0.1);
    rss2 = fu_rss_kib(pid);
    printf("scale: all closed: server fds back to %d in %.2f s, RSS %ld "
           "KiB\n", fds2, fu_now() - start, rss2);
    if (fds2 != fds0)
        fu_fail("the server holds %d fds after every connection closed, "
                "%d before", fds2, fds0);
    stop_server(pid);
    skt_selector_close(sel);
    free(conns);
    return 0;
}
