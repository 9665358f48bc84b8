/*
 * streams.c - skt_makefile's stream: lines, exact and partial reads, peek,
 * buffered writes and flush, the ends of streams, timeouts and
 * non-blocking sockets, on skt (py/streams.py on Python's makefile).
 */
#include "conf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void pause_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* The text of one read: bytes (b'' for 0) or the code. */
static const char *got(const char *buf, long n)
{
    return n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n);
}

typedef void stream_fn(const char *name, skt_stream *f, skt_socket *c,
                       skt_socket *s);

static void on_file(const char *name, const char *peer_sends, bool close_peer,
                    stream_fn *fn)
{
    skt_socket *c, *s;
    skt_stream *f = NULL;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0)
        rc = skt_makefile(s, &f, NULL);
    if (rc < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, rc);
    }
    if (peer_sends && *peer_sends)
        skt_sendall(c, peer_sends, strlen(peer_sends), 0, NULL);
    if (close_peer)
        skt_shutdown(c, SHUT_WR);
    pause_ms(20);
    fn(name, f, c, s);
    skt_stream_close(f);
    conf_close(c, s, NULL);
}

#define STREAM(fn, sends, close_peer)                                          \
    static void fn##_body(const char *, skt_stream *, skt_socket *,            \
                          skt_socket *);                                       \
    static void fn(const char *name)                                           \
    {                                                                          \
        on_file(name, sends, close_peer, fn##_body);                           \
    }                                                                          \
    static void fn##_body(const char *name, skt_stream *f, skt_socket *c,      \
                          skt_socket *s)

#define LINE_MAX_ 256

STREAM(makefile_readline, "one\ntwo\n", false)
{
    char a[LINE_MAX_];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_readline(f, a, sizeof a)));
}

STREAM(makefile_readline_twice, "one\ntwo\n", false)
{
    char a[LINE_MAX_], b[LINE_MAX_];
    ssize_t n = skt_stream_readline(f, a, sizeof a);
    ssize_t m = skt_stream_readline(f, b, sizeof b);
    (void)c, (void)s;
    conf_emit(name, "%s %s", got(a, n), got(b, m));
}

STREAM(makefile_readline_eof_partial, "tail", true)
{
    char a[LINE_MAX_], b[LINE_MAX_];
    ssize_t n = skt_stream_readline(f, a, sizeof a);
    ssize_t m = skt_stream_readline(f, b, sizeof b);
    (void)c, (void)s;
    conf_emit(name, "%s %s", got(a, n), got(b, m));
}

STREAM(makefile_readline_max, "abcdefgh\n", false)
{
    char a[4];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_readline(f, a, sizeof a)));
}

STREAM(makefile_readline_max_exact, "abc\n", false)
{
    char a[4];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_readline(f, a, sizeof a)));
}

STREAM(makefile_readline_crlf, "a\r\nb\n", false)
{
    char a[LINE_MAX_];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_readline(f, a, sizeof a)));
}

STREAM(makefile_readline_empty_line, "\nx\n", false)
{
    char a[LINE_MAX_], b[LINE_MAX_];
    ssize_t n = skt_stream_readline(f, a, sizeof a);
    ssize_t m = skt_stream_readline(f, b, sizeof b);
    (void)c, (void)s;
    conf_emit(name, "%s %s", got(a, n), got(b, m));
}

STREAM(makefile_read_exact, "hello world", false)
{
    char a[5];
    int rc = skt_stream_read_exact(f, a, sizeof a);
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, rc < 0 ? rc : 5));
}

STREAM(makefile_read_exact_then_rest, "hello world", false)
{
    char a[5], b[6];
    int rc = skt_stream_read_exact(f, a, sizeof a);
    int rc2 = rc < 0 ? rc : skt_stream_read_exact(f, b, sizeof b);
    (void)c, (void)s;
    conf_emit(name, "%s %s", got(a, rc < 0 ? rc : 5),
              got(b, rc2 < 0 ? rc2 : 6));
}

STREAM(makefile_read_exact_eof, "hi", true)
{
    char a[5], b[5];
    int rc = skt_stream_read_exact(f, a, sizeof a);
    ssize_t n;

    (void)c, (void)s;
    if (rc == 0)
        return conf_emit(name, "%s", got(a, 5));
    n = skt_stream_read(f, b, sizeof b);
    conf_emit(name, "%s %s", conf_err(rc), got(b, n));
}

STREAM(makefile_read1, "hello", false)
{
    char a[100];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_read(f, a, sizeof a)));
}

STREAM(makefile_read_at_eof, "", true)
{
    char a[10];
    (void)c, (void)s;
    conf_emit(name, "%s", got(a, skt_stream_read(f, a, sizeof a)));
}

STREAM(makefile_peek, "hello", false)
{
    char p[3], a[5];
    ssize_t n = skt_stream_peek(f, p, sizeof p);
    int rc = skt_stream_read_exact(f, a, sizeof a);
    (void)c, (void)s;
    conf_emit(name, "%s %s", got(p, n), got(a, rc < 0 ? rc : 5));
}

STREAM(makefile_iterate_lines, "a\nb\nc\n", true)
{
    char a[LINE_MAX_];
    int count = 0;
    ssize_t n;

    (void)c, (void)s;
    while ((n = skt_stream_readline(f, a, sizeof a)) > 0)
        count++;
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%d", count);
}

struct sender {
    skt_socket *s;
    const char *buf;
    size_t len;
};

static void *send_all(void *arg)
{
    struct sender *w = arg;
    skt_sendall(w->s, w->buf, w->len, 0, NULL);
    return NULL;
}

STREAM(makefile_readline_long_line, "", false)
{
    size_t len = 100001;
    char *line = malloc(len), *into = malloc(len + 1);
    struct sender w = {c, line, len};
    pthread_t t;
    ssize_t n;

    (void)s;
    if (!line || !into) {
        free(line), free(into);
        return conf_rc(name, -ENOMEM);
    }
    memset(line, 'x', len - 1);
    line[len - 1] = '\n';
    pthread_create(&t, NULL, send_all, &w);
    n = skt_stream_readline(f, into, len + 1);
    pthread_join(t, NULL);
    conf_emit(name, "%s", conf_val(n));
    free(line), free(into);
}

STREAM(makefile_write_flush, "", false)
{
    char a[10];
    int rc = skt_stream_write(f, "abc", 3, NULL);

    (void)s;
    if (rc == 0)
        rc = skt_stream_flush(f);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", got(a, skt_recv(c, a, sizeof a, 0)));
}

STREAM(makefile_write_held_until_flush, "", false)
{
    char a[10], b[10];
    ssize_t n;
    int rc = skt_stream_write(f, "abc", 3, NULL);

    (void)s;
    if (rc < 0)
        return conf_rc(name, rc);
    skt_setblocking(c, false);
    n = skt_recv(c, a, sizeof a, 0);
    skt_stream_flush(f);
    skt_settimeout(c, 5);
    conf_emit(name, "%s %s", n < 0 ? conf_err(n) : "data",
              got(b, skt_recv(c, b, sizeof b, 0)));
}

struct reader {
    skt_socket *s;
    size_t total;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    char buf[65536];
    ssize_t n;

    while (r->total < 200000 && (n = skt_recv(r->s, buf, sizeof buf, 0)) > 0)
        r->total += (size_t)n;
    return NULL;
}

STREAM(makefile_write_large, "", false)
{
    struct reader r = {c, 0};
    char *data = malloc(200000);
    pthread_t t;
    int rc;

    (void)s;
    if (!data)
        return conf_rc(name, -ENOMEM);
    memset(data, 'y', 200000);
    pthread_create(&t, NULL, read_all, &r);
    rc = skt_stream_write(f, data, 200000, NULL);
    if (rc == 0)
        rc = skt_stream_flush(f);
    pthread_join(t, NULL);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%zu", r.total);
    free(data);
}

static void makefile_close_keeps_socket(const char *name)
{
    skt_socket *c, *s;
    skt_stream *f = NULL;
    char a[10];
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0)
        rc = skt_makefile(s, &f, NULL);
    if (rc == 0)
        rc = skt_stream_close(f);
    if (rc == 0)
        rc = skt_sendall(s, "after", 5, 0, NULL);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", got(a, skt_recv(c, a, sizeof a, 0)));
    conf_close(c, s, NULL);
}

STREAM(makefile_timeout_keeps_partial_line, "par", false)
{
    char a[LINE_MAX_], b[LINE_MAX_];
    ssize_t n, m;

    skt_settimeout(s, 0.2);
    n = skt_stream_readline(f, a, sizeof a);
    skt_sendall(c, "t\n", 2, 0, NULL);
    m = skt_stream_readline(f, b, sizeof b);
    conf_emit(name, "%s %s", got(a, n), got(b, m));
}

STREAM(makefile_nonblocking_partial_line, "par", false)
{
    char a[LINE_MAX_];
    (void)c;
    skt_setblocking(s, false);
    conf_rc(name, skt_stream_readline(f, a, sizeof a));
}

STREAM(makefile_nonblocking_whole_line, "line\n", false)
{
    char a[LINE_MAX_];
    (void)c;
    skt_setblocking(s, false);
    conf_emit(name, "%s", got(a, skt_stream_readline(f, a, sizeof a)));
}

const conf_scenario conf_streams[] = {
    {"makefile.readline", makefile_readline},
    {"makefile.readline_twice", makefile_readline_twice},
    {"makefile.readline_eof_partial", makefile_readline_eof_partial},
    {"makefile.readline_max", makefile_readline_max},
    {"makefile.readline_max_exact", makefile_readline_max_exact},
    {"makefile.readline_crlf", makefile_readline_crlf},
    {"makefile.readline_empty_line", makefile_readline_empty_line},
    {"makefile.read_exact", makefile_read_exact},
    {"makefile.read_exact_then_rest", makefile_read_exact_then_rest},
    {"makefile.read_exact_eof", makefile_read_exact_eof},
    {"makefile.read1", makefile_read1},
    {"makefile.read_at_eof", makefile_read_at_eof},
    {"makefile.peek", makefile_peek},
    {"makefile.iterate_lines", makefile_iterate_lines},
    {"makefile.readline_long_line", makefile_readline_long_line},
    {"makefile.write_flush", makefile_write_flush},
    {"makefile.write_held_until_flush", makefile_write_held_until_flush},
    {"makefile.write_large", makefile_write_large},
    {"makefile.close_keeps_socket", makefile_close_keeps_socket},
    {"makefile.timeout_keeps_partial_line",
     makefile_timeout_keeps_partial_line},
    {"makefile.nonblocking_partial_line", makefile_nonblocking_partial_line},
    {"makefile.nonblocking_whole_line", makefile_nonblocking_whole_line},
    {NULL, NULL},
};
