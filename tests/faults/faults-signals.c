/*
 * faults-signals.c - a SIGALRM storm over a transfer: setitimer fires
 * every 100 us, and the handler is installed without SA_RESTART, so that
 * nearly every blocking system call of the transfer is interrupted. skt
 * retries EINTR itself (PEP 475): no call may return -EINTR to the
 * caller, and the bytes must arrive identical (SHA-256) both ways.
 *
 *     faults-signals VARIANT [MIB]
 *
 * VARIANT: blocking (sendall/recv_exact, blocking mode), timeout (the
 * same in timeout mode), stream (lines through skt_makefile), frame
 * (length-prefixed messages), tls (handshake and transfer), sendfile.
 * Under the storm we accept the connection, (for tls) handshake, send
 * MIB MiB (default 8), then receive as much; the peer, a child without
 * the timer, receives and sends them back with different contents.
 * Prints the signals taken and the seconds.
 */
#include "fault-util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t signals_taken;

static void on_alarm(int signo)
{
    (void)signo;
    signals_taken++;
}

struct variant {
    const char *name;
    int kind;
    double timeout; /* SKT_BLOCKING, or seconds */
};

static const struct variant variants[] = {
    {"blocking", FU_PLAIN, SKT_BLOCKING},
    {"timeout", FU_PLAIN, 30.0},
    {"stream", FU_LINE, 30.0},
    {"frame", FU_FRAME, 30.0},
    {"tls", FU_TLS, 30.0},
    {"sendfile", FU_SENDFILE, SKT_BLOCKING},
};

static const char *certs;

/* Fails on -EINTR, which must never reach the caller, and on any error. */
static void check_call(int rc, const char *what)
{
    if (rc == -EINTR)
        fu_fail("%s returned -EINTR to the caller", what);
    fu_check(rc, what);
}

/* The peer's kind of the transfer: what it receives, what it sends. */
static int receiving_kind(int kind)
{
    return kind == FU_SENDFILE ? FU_PLAIN : kind;
}

static void peer(const struct variant *v, int port, size_t len)
{
    uint8_t *expected = fu_pattern(len, 11, v->kind == FU_LINE);
    uint8_t *reply = fu_pattern(len, 12, v->kind == FU_LINE);
    uint8_t *buf = malloc(len);
    char target[64];
    skt_socket *s;

    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    s = fu_connect(target, 60);
    if (v->kind == FU_TLS) {
        skt_tls_ctx *ctx = fu_tls_ctx(certs, true);
        fu_check(skt_tls_wrap(s, ctx, NULL, true), "peer: TLS handshake");
        skt_tls_ctx_free(ctx);
    }
    if (buf == NULL)
        fu_fail("peer: out of memory");
    fu_check(fu_recv(receiving_kind(v->kind), s, buf, len, NULL),
             "peer: receive");
    if (memcmp(buf, expected, len) != 0)
        fu_fail("peer: the bytes that came differ from those sent");
    fu_check(fu_send(v->kind == FU_SENDFILE ? FU_PLAIN : v->kind, s, reply,
                     len, NULL),
             "peer: send");
    skt_close(s);
    _exit(0);
}

static void start_storm(void)
{
    struct sigaction sa;
    struct itimerval every = {.it_interval = {0, 100}, .it_value = {0, 100}};

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: system calls get EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0 ||
        setitimer(ITIMER_REAL, &every, NULL) < 0)
        fu_fail("the SIGALRM storm: %s", strerror(errno));
}

static void stop_storm(void)
{
    struct itimerval none = {{0, 0}, {0, 0}};

    setitimer(ITIMER_REAL, &none, NULL);
}

static void run(const struct variant *v, size_t len)
{
    uint8_t *data = fu_pattern(len, 11, v->kind == FU_LINE);
    uint8_t *expected = fu_pattern(len, 12, v->kind == FU_LINE);
    uint8_t *buf = malloc(len);
    skt_socket *listener, *conn;
    double start, elapsed;
    int status, port;
    char sha[65], want[65];
    skt_addr a;
    pid_t pid;

    if (buf == NULL)
        fu_fail("out of memory");
    fu_check(skt_create_server(&listener, "127.0.0.1", "0", NULL),
             "create_server");
    fu_check(skt_getsockname(listener, &a), "getsockname");
    port = skt_addr_port(&a);
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        fu_fail("fork: %s", strerror(errno));
    if (pid == 0)
        peer(v, port, len); /* interval timers are not inherited */

    start_storm();
    start = fu_now();
    check_call(skt_accept(listener, &conn, NULL), "skt_accept");
    check_call(skt_settimeout(conn, v->timeout), "skt_settimeout");
    if (v->kind == FU_TLS) {
        skt_tls_ctx *ctx = fu_tls_ctx(certs, false);
        check_call(skt_tls_wrap(conn, ctx, "localhost", false),
                   "skt_tls_wrap");
        skt_tls_ctx_free(ctx);
    }
    check_call(fu_send(v->kind, conn, data, len, NULL), "send");
    check_call(fu_recv(receiving_kind(v->kind), conn, buf, len, NULL),
               "receive");
    elapsed = fu_now() - start;
    stop_storm();

    fu_sha256(buf, len, sha);
    fu_sha256(expected, len, want);
    if (strcmp(sha, want) != 0)
        fu_fail("the bytes that came back differ: %s, not %s", sha, want);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fu_fail("the peer failed (status %d)", status);
    printf("signals %s: %zu MiB each way in %.3f s under %d SIGALRMs "
           "(%.0f a second), no -EINTR, sha256 %.16s... equal\n", v->name,
           len >> 20, elapsed, (int)signals_taken,
           (double)signals_taken / elapsed, sha);
    if (signals_taken < 100)
        fu_fail("only %d signals came: the storm did not happen",
                (int)signals_taken);
    skt_close(conn);
    skt_close(listener);
    free(data);
    free(expected);
    free(buf);
}

/* The certificates go with the test, on failure too (not the peer's). */
static pid_t main_pid;

static void remove_certs(void)
{
    if (certs != NULL && getpid() == main_pid)
        fu_remove_dir(certs);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 2 ? (size_t)atoi(argv[2]) : 8;

    setvbuf(stdout, NULL, _IOLBF, 0);
    main_pid = getpid();
    atexit(remove_certs);
    if (argc < 2 || mib == 0) {
        fprintf(stderr, "usage: faults-signals VARIANT [MIB]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (strcmp(argv[1], variants[i].name) != 0)
            continue;
        if (variants[i].kind == FU_TLS)
            certs = fu_make_certs();
        run(&variants[i], mib << 20);
        return 0;
    }
    fprintf(stderr, "faults-signals: no variant \"%s\"\n", argv[1]);
    return 2;
}
