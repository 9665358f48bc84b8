/*
 * faults-peer.c - peer faults: a peer (a forked child on raw system calls,
 * or on skt for TLS) resets the connection (SO_LINGER 0, then close or
 * exit) in the middle of each kind of operation, closes half of it, or
 * stops reading. The skt side must get -ECONNRESET or -EPIPE (SKT_EEOF
 * where the peer's close can look orderly), never a crash or a hang, and
 * report its progress exactly: what it says it received is what the peer
 * sent, what it says it sent covers what the peer read.
 *
 *     faults-peer CASE
 *
 * runs one case (the list is in main); CTest runs each as its own test.
 * Each prints its figures on stdout; exit 0 on success, 1 on failure.
 */
#include "fault-util.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG ((size_t)64 << 20) /* more than any socket buffer holds */
#define K_READ ((size_t)1 << 20)
#define K_SENT ((size_t)100000)
#define TIMEOUT 20.0

/* The peer process: its pid and the pipes to and from it. */
struct peer {
    pid_t pid;
    int report; /* the peer's lines to us */
    int go;     /* a byte from us: "go on" */
};

/* What a peer does with its connected fd. */
typedef void peer_body(int fd, struct peer *p);

static skt_socket *listener;
static int listen_port;
static const char *certs;

/* ------------------------------------------------------------------------ */
/* The peer's side: raw system calls                                        */
/* ------------------------------------------------------------------------ */

static void peer_fail(const char *what)
{
    fprintf(stderr, "FAIL: peer: %s: %s\n", what, strerror(errno));
    _exit(1);
}

static void read_exact(int fd, void *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            peer_fail("read");
        got += (size_t)n;
    }
}

static void write_all(int fd, const void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = send(fd, (const char *)buf + done, len - done,
                         MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            peer_fail("send");
        done += (size_t)n;
    }
}

/* Reads to the end of the stream; returns the bytes (malloc'd). */
static uint8_t *read_to_end(int fd, size_t *len)
{
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap);

    *len = 0;
    for (;;) {
        ssize_t n;
        if (buf == NULL)
            peer_fail("malloc");
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
        if (buf == NULL)
            peer_fail("realloc");
        n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            peer_fail("read to the end");
        if (n == 0)
            return buf;
        *len += (size_t)n;
    }
}

/* The next close of fd (or the exit) resets the connection. */
static void arm_reset(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
        peer_fail("SO_LINGER");
}

static void reset_close(int fd)
{
    arm_reset(fd);
    close(fd);
}

static void report(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(struct peer *p, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    if (write(p->report, line, (size_t)n) != n)
        peer_fail("report");
}

/* Reports the count and digest of bytes the peer read. */
static void report_bytes(struct peer *p, const void *buf, size_t len)
{
    char sha[65];
    int unread = 0;

    fu_sha256(buf, len, sha);
    report(p, "read=%zu sha256=%s unread=%d", len, sha, unread);
}

static void wait_go(struct peer *p)
{
    char byte;

    while (read(p->go, &byte, 1) < 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------------ */
/* Our side                                                                 */
/* ------------------------------------------------------------------------ */

static void open_listener(void)
{
    skt_addr a;

    fu_check(skt_create_server(&listener, "127.0.0.1", "0", NULL),
             "create_server");
    fu_check(skt_getsockname(listener, &a), "getsockname");
    listen_port = skt_addr_port(&a);
    fu_check(skt_settimeout(listener, TIMEOUT), "settimeout");
}

static int peer_connect(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)listen_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
        peer_fail("connect");
    return fd;
}

/* Forks the peer, which connects and runs body; returns our side of the
 * connection, in timeout mode. */
static skt_socket *start_peer(struct peer *p, peer_body *body)
{
    int up[2], down[2];
    skt_socket *conn;

    if (pipe(up) < 0 || pipe(down) < 0)
        fu_fail("pipe: %s", strerror(errno));
    fflush(stdout);
    p->pid = fork();
    if (p->pid < 0)
        fu_fail("fork: %s", strerror(errno));
    if (p->pid == 0) {
        close(up[0]);
        close(down[1]);
        p->report = up[1];
        p->go = down[0];
        body(peer_connect(), p);
        _exit(0);
    }
    close(up[1]);
    close(down[0]);
    p->report = up[0];
    p->go = down[1];
    fu_check(skt_accept(listener, &conn, NULL), "accept");
    fu_check(skt_settimeout(conn, TIMEOUT), "settimeout");
    return conn;
}

/* The peer's next report line, within TIMEOUT. */
static const char *peer_line(struct peer *p)
{
    static char line[512];
    size_t n = 0;

    while (n < sizeof line - 1) {
        struct pollfd pfd = {.fd = p->report, .events = POLLIN};
        if (poll(&pfd, 1, (int)(TIMEOUT * 1000)) <= 0)
            fu_fail("no report from the peer within %.0f s", TIMEOUT);
        if (read(p->report, line + n, 1) != 1)
            fu_fail("the peer ended without its report");
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return line;
}

/* The peer's report "read=N sha256=H ..." parsed. */
static size_t peer_read(struct peer *p, char sha[65])
{
    const char *line = peer_line(p);
    size_t n;

    if (sscanf(line, "read=%zu sha256=%64s", &n, sha) != 2)
        fu_fail("bad peer report \"%s\"", line);
    return n;
}

static void tell_go(struct peer *p)
{
    if (write(p->go, "g", 1) != 1)
        fu_fail("write to the peer: %s", strerror(errno));
}

static void end_peer(struct peer *p)
{
    int status;
    pid_t r;
    double end = fu_now() + TIMEOUT;

    while ((r = waitpid(p->pid, &status, WNOHANG)) == 0 && fu_now() < end)
        fu_sleep(0.01);
    if (r == 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
        fu_fail("the peer did not finish within %.0f s", TIMEOUT);
    }
    close(p->report);
    close(p->go);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fu_fail("the peer failed (status %d)", status);
}

static bool is_reset(int rc)
{
    return rc == -ECONNRESET || rc == -EPIPE;
}

static void expect_reset(int rc, bool eof_too, const char *what)
{
    if (is_reset(rc) || (eof_too && rc == SKT_EEOF))
        return;
    fu_fail("%s returned %s (%s), not -ECONNRESET/-EPIPE%s", what,
            fu_rcname(rc), skt_error_detail(), eof_too ? "/SKT_EEOF" : "");
}

static void expect_same(const void *data, size_t len, const char *sha,
                        const char *what)
{
    char mine[65];

    fu_sha256(data, len, mine);
    if (strcmp(mine, sha) != 0)
        fu_fail("%s: the peer's SHA-256 %s is not that of the %zu bytes "
                "sent (%s)", what, sha, len, mine);
}

static int sndbuf_of(skt_socket *s)
{
    int v = 0;

    skt_getsockopt_int(s, SOL_SOCKET, SO_SNDBUF, &v);
    return v;
}

/* ------------------------------------------------------------------------ */
/* Resets                                                                   */
/* ------------------------------------------------------------------------ */

/* Reads K_READ bytes, says how many more wait unread, resets. */
static void peer_read_then_reset(int fd, struct peer *p)
{
    uint8_t *buf = malloc(K_READ);
    int unread = 0;
    char sha[65];

    if (buf == NULL)
        peer_fail("malloc");
    read_exact(fd, buf, K_READ);
    fu_sleep(0.2); /* the sender fills our buffer again */
    ioctl(fd, FIONREAD, &unread);
    fu_sha256(buf, K_READ, sha);
    report(p, "read=%zu sha256=%s unread=%d", K_READ, sha, unread);
    reset_close(fd);
}

/*
 * Checks a send that the peer reset: the code, and that the count covers
 * the bytes the peer read and the ones waiting unread in its buffer, and
 * exceeds them by no more than our send buffer could hold.
 */
static void check_reset_send(struct peer *p, skt_socket *s, int rc,
                             size_t sent, const uint8_t *data,
                             const char *what, double seconds)
{
    char sha[65];
    const char *line = peer_line(p);
    size_t read_n;
    int unread, sndbuf = sndbuf_of(s);

    if (sscanf(line, "read=%zu sha256=%64s unread=%d", &read_n, sha,
               &unread) != 3)
        fu_fail("bad peer report \"%s\"", line);
    printf("%s: rc=%s sent=%zu peer_read=%zu peer_unread=%d sndbuf=%d "
           "seconds=%.3f\n", what, fu_rcname(rc), sent, read_n, unread,
           sndbuf, seconds);
    expect_reset(rc, false, what);
    expect_same(data, read_n, sha, what);
    if (sent < read_n + (size_t)unread)
        fu_fail("%s reported %zu sent, but the peer had %zu", what, sent,
                read_n + (size_t)unread);
    if (sent >= BIG || sent > read_n + (size_t)unread + (size_t)sndbuf)
        fu_fail("%s reported %zu sent: more than the peer read (%zu), "
                "held (%d) and our buffer (%d) add up to", what, sent,
                read_n, unread, sndbuf);
}

static void case_reset_during_sendall(void)
{
    uint8_t *data = fu_pattern(BIG, 1, false);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_read_then_reset);
    double start = fu_now();
    size_t sent = 0;
    int rc = skt_sendall(s, data, BIG, 0, &sent);

    check_reset_send(&p, s, rc, sent, data, "skt_sendall",
                     fu_now() - start);
    skt_close(s);
    end_peer(&p);
    free(data);
}

static void case_reset_during_sendfile(void)
{
    uint8_t *data = fu_pattern(BIG, 2, false);
    char path[] = "/tmp/skt-faults-sendfile.XXXXXX";
    int fd = mkstemp(path), rc;
    struct peer p;
    skt_socket *s;
    size_t sent = 0;
    double start;
    off_t pos;

    if (fd < 0 || write(fd, data, BIG) != (ssize_t)BIG)
        fu_fail("the file to send: %s", strerror(errno));
    unlink(path);
    s = start_peer(&p, peer_read_then_reset);
    start = fu_now();
    rc = skt_sendfile(s, fd, 0, 0, &sent);
    check_reset_send(&p, s, rc, sent, data, "skt_sendfile",
                     fu_now() - start);
    /* As Python: the file's position is left just after what was sent. */
    pos = lseek(fd, 0, SEEK_CUR);
    if (pos != (off_t)sent)
        fu_fail("the file position is %lld after %zu bytes sent",
                (long long)pos, sent);
    close(fd);
    skt_close(s);
    end_peer(&p);
    free(data);
}

/* Sends K_SENT bytes, lets them arrive, resets. */
static void peer_send_then_reset(int fd, struct peer *p)
{
    uint8_t *data = fu_pattern(K_SENT, 3, false);

    (void)p;
    write_all(fd, data, K_SENT);
    fu_sleep(0.3);
    reset_close(fd);
    free(data);
}

static void case_reset_during_recv_exact(void)
{
    uint8_t *data = fu_pattern(K_SENT, 3, false), *buf = malloc(K_READ);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_send_then_reset);
    size_t got = 0;
    int rc = skt_recv_exact(s, buf, K_READ, 0, &got);

    printf("skt_recv_exact: rc=%s got=%zu peer_sent=%zu\n", fu_rcname(rc),
           got, K_SENT);
    expect_reset(rc, false, "skt_recv_exact");
    if (got != K_SENT || memcmp(buf, data, got) != 0)
        fu_fail("skt_recv_exact reported %zu bytes; the peer sent %zu",
                got, K_SENT);
    skt_close(s);
    end_peer(&p);
    free(data);
    free(buf);
}

static const char lines_sent[] = "line one\nline two\npartial";

static void peer_lines_then_reset(int fd, struct peer *p)
{
    (void)p;
    write_all(fd, lines_sent, sizeof lines_sent - 1);
    fu_sleep(0.3);
    reset_close(fd);
}

static void case_reset_during_readline(void)
{
    struct peer p;
    skt_socket *s = start_peer(&p, peer_lines_then_reset);
    skt_stream *st;
    char line[64];
    const void *held;
    size_t held_len = 0;
    ssize_t n1, n2, n3;

    fu_check(skt_makefile(s, &st, NULL), "makefile");
    n1 = skt_stream_readline(st, line, sizeof line);
    if (n1 != 9 || memcmp(line, "line one\n", 9) != 0)
        fu_fail("first line: %zd", n1);
    n2 = skt_stream_readline(st, line, sizeof line);
    if (n2 != 9 || memcmp(line, "line two\n", 9) != 0)
        fu_fail("second line: %zd", n2);
    n3 = skt_stream_readline(st, line, sizeof line);
    held = skt_stream_buffer(st, &held_len);
    printf("skt_stream_readline: lines 9 and 9 bytes, then rc=%s with "
           "%zu bytes held\n", fu_rcname((int)n3), held_len);
    expect_reset((int)n3, false, "skt_stream_readline");
    /* The part of the line that came stays readable. */
    if (held_len != 7 || memcmp(held, "partial", 7) != 0)
        fu_fail("%zu bytes held after the reset, not \"partial\"", held_len);
    skt_stream_close(st);
    skt_close(s);
    end_peer(&p);
}

/* ------------------------------------------------------------------------ */
/* Resets over TLS                                                          */
/* ------------------------------------------------------------------------ */

/* A real ClientHello, made by skt's client side on a socketpair. */
static size_t client_hello(uint8_t *out, size_t max)
{
    skt_socket *a, *b;
    skt_tls_ctx *ctx;
    ssize_t n;

    fu_check(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0), "socketpair");
    fu_check(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT), "ctx_new");
    skt_tls_ctx_set_check_hostname(ctx, false);
    skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE);
    fu_check(skt_setblocking(a, false), "setblocking");
    if (skt_tls_wrap(a, ctx, NULL, false) != SKT_EWANTREAD)
        fu_fail("a non-blocking client wrap did not wait for the server");
    n = skt_recv(b, out, max, 0);
    if (n <= 0)
        fu_fail("no ClientHello came");
    skt_close(a);
    skt_close(b);
    skt_tls_ctx_free(ctx);
    return (size_t)n;
}

/* Reads the start of our ClientHello, resets. */
static void peer_reset_on_hello(int fd, struct peer *p)
{
    uint8_t buf[5];

    (void)p;
    read_exact(fd, buf, sizeof buf);
    reset_close(fd);
}

static void case_reset_during_tls_handshake_client(void)
{
    skt_tls_ctx *ctx = fu_tls_ctx(certs, false);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_reset_on_hello);
    double start = fu_now();
    int rc = skt_tls_wrap(s, ctx, "localhost", false);

    printf("skt_tls_wrap (client): rc=%s seconds=%.3f detail: %s\n",
           fu_rcname(rc), fu_now() - start, skt_error_detail());
    expect_reset(rc, true, "skt_tls_wrap (client)");
    /* The failed layer stays and says the same thing again. */
    if (skt_send(s, "x", 1, 0) != rc)
        fu_fail("a send after the failed handshake did not return %s",
                fu_rcname(rc));
    skt_close(s);
    skt_tls_ctx_free(ctx);
    end_peer(&p);
}

/* Sends half a ClientHello (or all of it), resets. */
static void peer_hello_then_reset(int fd, struct peer *p, bool whole)
{
    uint8_t hello[4096], reply[5];
    size_t n = client_hello(hello, sizeof hello);

    (void)p;
    write_all(fd, hello, whole ? n : n / 2);
    if (whole)
        read_exact(fd, reply, sizeof reply); /* the server answered */
    else
        fu_sleep(0.3);
    reset_close(fd);
}

static void peer_half_hello(int fd, struct peer *p)
{
    peer_hello_then_reset(fd, p, false);
}

static void peer_whole_hello(int fd, struct peer *p)
{
    peer_hello_then_reset(fd, p, true);
}

static void server_handshake_reset(peer_body *body, const char *what)
{
    skt_tls_ctx *ctx = fu_tls_ctx(certs, true);
    struct peer p;
    skt_socket *s = start_peer(&p, body);
    double start = fu_now();
    int rc = skt_tls_wrap(s, ctx, NULL, true);

    printf("skt_tls_wrap (server, %s): rc=%s seconds=%.3f detail: %s\n",
           what, fu_rcname(rc), fu_now() - start, skt_error_detail());
    expect_reset(rc, true, "skt_tls_wrap (server)");
    skt_close(s);
    skt_tls_ctx_free(ctx);
    end_peer(&p);
}

static void case_reset_during_tls_handshake_server(void)
{
    server_handshake_reset(peer_half_hello, "half a ClientHello");
    server_handshake_reset(peer_whole_hello, "after the ServerHello");
}

/* The peer as a TLS server on skt over its fd (no timer, no faults). */
static skt_socket *peer_tls(int fd)
{
    skt_tls_ctx *ctx = fu_tls_ctx(certs, true);
    skt_socket *s;

    if (skt_from_fd(&s, fd) < 0 || skt_settimeout(s, TIMEOUT) < 0 ||
        skt_tls_wrap(s, ctx, NULL, true) < 0) {
        fprintf(stderr, "FAIL: peer: TLS: %s\n", skt_error_detail());
        _exit(1);
    }
    skt_tls_ctx_free(ctx);
    return s;
}

/* TLS: sends K_SENT bytes, lets them arrive, exits with a reset (no
 * close_notify). */
static void peer_tls_send_then_reset(int fd, struct peer *p)
{
    skt_socket *s = peer_tls(fd);
    uint8_t *data = fu_pattern(K_SENT, 4, false);

    (void)p;
    if (skt_sendall(s, data, K_SENT, 0, NULL) < 0)
        peer_fail("TLS sendall");
    fu_sleep(0.3);
    arm_reset(fd);
    _exit(0);
}

static void case_reset_during_tls_recv(void)
{
    skt_tls_ctx *ctx = fu_tls_ctx(certs, false);
    uint8_t *data = fu_pattern(K_SENT, 4, false), *buf = malloc(K_READ);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_tls_send_then_reset);
    size_t got = 0;
    int rc;

    fu_check(skt_tls_wrap(s, ctx, "localhost", false), "TLS handshake");
    rc = skt_recv_exact(s, buf, K_READ, 0, &got);
    printf("skt_recv_exact over TLS: rc=%s got=%zu peer_sent=%zu\n",
           fu_rcname(rc), got, K_SENT);
    expect_reset(rc, false, "skt_recv_exact over TLS");
    if (got != K_SENT || memcmp(buf, data, got) != 0)
        fu_fail("skt_recv_exact over TLS reported %zu bytes; the peer "
                "sent %zu", got, K_SENT);
    skt_close(s);
    skt_tls_ctx_free(ctx);
    end_peer(&p);
    free(data);
    free(buf);
}

/* TLS: reads K_READ bytes, reports, exits with a reset. */
static void peer_tls_read_then_reset(int fd, struct peer *p)
{
    skt_socket *s = peer_tls(fd);
    uint8_t *buf = malloc(K_READ);
    char sha[65];

    if (buf == NULL || skt_recv_exact(s, buf, K_READ, 0, NULL) < 0)
        peer_fail("TLS recv_exact");
    fu_sha256(buf, K_READ, sha);
    report(p, "read=%zu sha256=%s unread=0", K_READ, sha);
    arm_reset(fd);
    _exit(0);
}

static void case_reset_during_tls_send(void)
{
    skt_tls_ctx *ctx = fu_tls_ctx(certs, false);
    uint8_t *data = fu_pattern(BIG, 5, false);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_tls_read_then_reset);
    size_t sent = 0, read_n;
    char sha[65];
    int rc;

    fu_check(skt_tls_wrap(s, ctx, "localhost", false), "TLS handshake");
    rc = skt_sendall(s, data, BIG, 0, &sent);
    read_n = peer_read(&p, sha);
    printf("skt_sendall over TLS: rc=%s sent=%zu peer_read=%zu\n",
           fu_rcname(rc), sent, read_n);
    expect_reset(rc, false, "skt_sendall over TLS");
    expect_same(data, read_n, sha, "skt_sendall over TLS");
    if (sent < read_n || sent >= BIG)
        fu_fail("skt_sendall over TLS reported %zu sent; the peer read %zu",
                sent, read_n);
    skt_close(s);
    skt_tls_ctx_free(ctx);
    end_peer(&p);
    free(data);
}

/* ------------------------------------------------------------------------ */
/* Half-close                                                               */
/* ------------------------------------------------------------------------ */

#define HALF ((size_t)1 << 20)

/* Reads to our end of stream, reports it, then sends HALF bytes back. */
static void peer_read_to_end_then_answer(int fd, struct peer *p)
{
    uint8_t *answer = fu_pattern(HALF, 7, false);
    size_t len;
    uint8_t *buf = read_to_end(fd, &len);

    report_bytes(p, buf, len);
    write_all(fd, answer, HALF);
    close(fd);
    free(buf);
    free(answer);
}

static void case_half_close_our_side(void)
{
    uint8_t *data = fu_pattern(HALF, 6, false);
    uint8_t *answer = fu_pattern(HALF, 7, false), *buf = malloc(HALF + 1);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_read_to_end_then_answer);
    size_t sent = 0, got = 0, read_n;
    char sha[65];
    ssize_t end;

    fu_check(skt_sendall(s, data, HALF, 0, &sent), "sendall");
    fu_check(skt_shutdown(s, SHUT_WR), "shutdown(SHUT_WR)");
    read_n = peer_read(&p, sha);
    if (read_n != HALF)
        fu_fail("the peer read %zu bytes up to our shutdown, not %zu",
                read_n, HALF);
    expect_same(data, HALF, sha, "before our shutdown");
    /* Our reading side still works after we shut our writing side. */
    fu_check(skt_recv_exact(s, buf, HALF, 0, &got), "recv_exact after "
                                                    "shutdown(SHUT_WR)");
    if (memcmp(buf, answer, HALF) != 0)
        fu_fail("the answer after our shutdown differs");
    end = skt_recv(s, buf, 1, 0);
    if (end != 0)
        fu_fail("no end of stream after the answer (%zd)", end);
    printf("half-close (ours): sent=%zu peer_read=%zu got_back=%zu\n", sent,
           read_n, got);
    skt_close(s);
    end_peer(&p);
    free(data);
    free(answer);
    free(buf);
}

/* Sends HALF bytes, shuts its writing side, reads what comes back. */
static void peer_send_shut_then_read(int fd, struct peer *p)
{
    uint8_t *data = fu_pattern(HALF, 8, false), *buf;
    size_t len;

    write_all(fd, data, HALF);
    if (shutdown(fd, SHUT_WR) < 0)
        peer_fail("shutdown");
    buf = read_to_end(fd, &len);
    report_bytes(p, buf, len);
    close(fd);
    free(buf);
    free(data);
}

static void case_half_close_peer_side(void)
{
    uint8_t *data = fu_pattern(HALF, 8, false), *buf = malloc(HALF + 1);
    uint8_t *reply = fu_pattern(HALF, 9, false);
    struct peer p;
    skt_socket *s = start_peer(&p, peer_send_shut_then_read);
    size_t got = 0, sent = 0, read_n;
    char sha[65];
    int rc = skt_recv_exact(s, buf, HALF + 1, 0, &got);

    if (rc != SKT_EEOF || got != HALF || memcmp(buf, data, HALF) != 0)
        fu_fail("recv_exact past the peer's shutdown: %s, %zu bytes",
                fu_rcname(rc), got);
    /* Our writing side still works after the peer shut its one. */
    fu_check(skt_sendall(s, reply, HALF, 0, &sent), "sendall after the "
                                                    "peer's shutdown");
    fu_check(skt_shutdown(s, SHUT_WR), "shutdown");
    read_n = peer_read(&p, sha);
    if (read_n != HALF)
        fu_fail("the peer read %zu of %zu bytes", read_n, HALF);
    expect_same(reply, HALF, sha, "after the peer's shutdown");
    printf("half-close (peer's): got=%zu rc=%s then sent=%zu peer_read=%zu\n",
           got, fu_rcname(rc), sent, read_n);
    skt_close(s);
    end_peer(&p);
    free(data);
    free(buf);
    free(reply);
}

/* ------------------------------------------------------------------------ */
/* A peer that stops reading                                                */
/* ------------------------------------------------------------------------ */

/* Reads nothing until told, then everything to the end. */
static void peer_stall_then_read(int fd, struct peer *p)
{
    uint8_t *buf;
    size_t len;

    wait_go(p);
    buf = read_to_end(fd, &len);
    report_bytes(p, buf, len);
    close(fd);
    free(buf);
}

static void peer_tls_stall_then_read(int fd, struct peer *p)
{
    skt_socket *s = peer_tls(fd);
    uint8_t *buf = malloc(BIG);
    size_t len = 0;
    int rc;

    wait_go(p);
    if (buf == NULL)
        peer_fail("malloc");
    rc = skt_recv_exact(s, buf, BIG, 0, &len);
    report_bytes(p, buf, len);
    fprintf(stderr, "peer: TLS reading to the end: %s (%s)\n",
            fu_rcname(rc), skt_error_detail());
    skt_close(s);
    free(buf);
}

static void stalled_peer(peer_body *body, bool tls)
{
    uint8_t *data = fu_pattern(BIG, 10, false);
    skt_tls_ctx *ctx = tls ? fu_tls_ctx(certs, false) : NULL;
    struct peer p;
    skt_socket *s = start_peer(&p, body);
    size_t sent = 0, read_n;
    double start, elapsed;
    char sha[65];
    int rc;

    if (tls)
        fu_check(skt_tls_wrap(s, ctx, "localhost", false), "TLS handshake");
    fu_check(skt_settimeout(s, 1.0), "settimeout");
    start = fu_now();
    rc = skt_sendall(s, data, BIG, 0, &sent);
    elapsed = fu_now() - start;
    if (rc != -ETIMEDOUT)
        fu_fail("sendall to a peer that reads nothing returned %s",
                fu_rcname(rc));
    if (elapsed < 0.9 || elapsed > 3.0)
        fu_fail("a 1 s deadline took %.3f s", elapsed);
    /* What the peer reads once it reads again is exactly what we were
     * told had been sent. */
    fu_check(skt_shutdown(s, SHUT_WR), "shutdown");
    tell_go(&p);
    read_n = peer_read(&p, sha);
    printf("peer stops reading%s: rc=%s after %.3f s, sent=%zu, the peer "
           "then read %zu\n", tls ? " (TLS)" : "", fu_rcname(rc), elapsed,
           sent, read_n);
    if (read_n != sent)
        fu_fail("reported sent %zu, but the peer read %zu", sent, read_n);
    expect_same(data, sent, sha, "after the timeout");
    skt_close(s);
    skt_tls_ctx_free(ctx);
    end_peer(&p);
    free(data);
}

static void case_peer_stops_reading(void)
{
    stalled_peer(peer_stall_then_read, false);
}

static void case_peer_stops_reading_tls(void)
{
    stalled_peer(peer_tls_stall_then_read, true);
}

/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    void (*run)(void);
    bool tls;
} cases[] = {
    {"reset_during_sendall", case_reset_during_sendall, false},
    {"reset_during_recv_exact", case_reset_during_recv_exact, false},
    {"reset_during_readline", case_reset_during_readline, false},
    {"reset_during_sendfile", case_reset_during_sendfile, false},
    {"reset_during_tls_handshake_client",
     case_reset_during_tls_handshake_client, true},
    {"reset_during_tls_handshake_server",
     case_reset_during_tls_handshake_server, true},
    {"reset_during_tls_recv", case_reset_during_tls_recv, true},
    {"reset_during_tls_send", case_reset_during_tls_send, true},
    {"half_close_our_side", case_half_close_our_side, false},
    {"half_close_peer_side", case_half_close_peer_side, false},
    {"peer_stops_reading", case_peer_stops_reading, false},
    {"peer_stops_reading_tls", case_peer_stops_reading_tls, true},
};

/* The certificates go with the test, on failure too (not the peer's). */
static pid_t main_pid;

static void remove_certs(void)
{
    if (certs != NULL && getpid() == main_pid)
        fu_remove_dir(certs);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_pid = getpid();
    atexit(remove_certs);
    if (argc != 2) {
        fprintf(stderr, "usage: faults-peer CASE\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) != 0)
            continue;
        if (cases[i].tls)
            certs = fu_make_certs();
        open_listener();
        cases[i].run();
        skt_close(listener);
        printf("%s: ok\n", cases[i].name);
        return 0;
    }
    fprintf(stderr, "faults-peer: no case \"%s\"\n", argv[1]);
    return 2;
}
