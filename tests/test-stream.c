/*
 * test-stream.c - skt_stream (makefile): readline against peers that write
 * in large chunks and one byte at a time (threads, a Python peer, and
 * receives cut to one byte), the maximum line length, a timeout in the
 * middle of a line followed by the rest of it, end of stream in the middle
 * of a line, the other readers, and buffered writing with its progress
 * reports.
 */
#include "harness.h"
#include "internal.h"

#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * What a case starts from, in *state: a connected pair, a (the peer) and
 * b, and a stream over one of them. The teardown closes whatever is left;
 * a case that closes something itself sets it to NULL.
 */
struct fixture {
    skt_socket *a, *b;
    skt_stream *st;
};

static struct fixture *new_fixture(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    *state = f;
    return f;
}

/* An AF_UNIX stream pair. */
static int setup_unix_pair(void **state)
{
    struct fixture *f = new_fixture(state);

    SKT_OK(skt_socketpair(&f->a, &f->b, AF_UNIX, SOCK_STREAM, 0));
    return 0;
}

/* A TCP pair on loopback, for what a socketpair does not show (timeouts
 * with partial data, segments from a writing thread). */
static int setup_tcp_pair(void **state)
{
    struct fixture *f = new_fixture(state);

    skt_test_tcp_pair(&f->a, &f->b);
    return 0;
}

/* The pairs with a stream of default options over b. */
static int setup_unix_stream(void **state)
{
    struct fixture *f;

    setup_unix_pair(state);
    f = *state;
    SKT_OK(skt_makefile(f->b, &f->st, NULL));
    return 0;
}

static int setup_tcp_stream(void **state)
{
    struct fixture *f;

    setup_tcp_pair(state);
    f = *state;
    SKT_OK(skt_makefile(f->b, &f->st, NULL));
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    skt_stream_close(f->st);
    skt_close(f->a);
    skt_close(f->b);
    free(f);
    return 0;
}

/* A case with the fixture made by setup_<fixture>. */
#define SKT_CASE(test, fixture)                                               \
    cmocka_unit_test_setup_teardown(test, setup_##fixture, teardown)

/* Closes the case's stream before the end, for a case that checks it. */
static int close_stream(struct fixture *f)
{
    skt_stream *st = f->st;

    f->st = NULL;
    return skt_stream_close(st);
}

/* Closes the peer before the end. */
static void close_peer(struct fixture *f)
{
    skt_close(f->a);
    f->a = NULL;
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

/* Line i of the test streams: "i:" and i % 97 letters, then '\n'; the
 * Python peer line_writer.py writes the same. */
static size_t make_line(int i, char *out)
{
    int n = sprintf(out, "%d:", i);
    memset(out + n, 'a' + i % 26, (size_t)(i % 97));
    n += i % 97;
    out[n++] = '\n';
    return (size_t)n;
}

static char *make_lines(int count, size_t *len)
{
    char *data = malloc((size_t)count * 110);
    size_t used = 0;

    assert_non_null(data);
    for (int i = 0; i < count; i++)
        used += make_line(i, data + used);
    *len = used;
    return data;
}

/* Reads count lines through st and checks each, then end of stream. */
static void expect_lines(skt_stream *st, int count)
{
    char line[128], want[128];

    for (int i = 0; i < count; i++) {
        size_t len = make_line(i, want);
        ssize_t n = skt_stream_readline(st, line, sizeof line);
        if (n != (ssize_t)len)
            print_error("line %d: got %zd (%s)\n", i, n, skt_error_detail());
        assert_int_equal(n, len);
        assert_memory_equal(line, want, len);
    }
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 0);
}

/* A thread that sends a buffer in pieces of `chunk` bytes, then shuts
 * down its side. */
struct writer {
    skt_socket *s;
    const char *data;
    size_t len;
    size_t chunk;
    useconds_t pause;
};

static void *write_pieces(void *arg)
{
    struct writer *w = arg;

    skt_setsockopt_int(w->s, IPPROTO_TCP, TCP_NODELAY, 1);
    for (size_t off = 0; off < w->len; off += w->chunk) {
        size_t n = w->len - off < w->chunk ? w->len - off : w->chunk;
        if (skt_sendall(w->s, w->data + off, n, 0, NULL) < 0)
            break;
        if (w->pause)
            usleep(w->pause);
    }
    skt_shutdown(w->s, SHUT_WR);
    return NULL;
}

/* Writes `count` lines from a thread over the TCP pair of f in pieces of
 * chunk bytes and reads them back through a stream with the given read
 * buffer. */
static void lines_through_thread(struct fixture *f, int count, size_t chunk,
                                 size_t buffer)
{
    skt_stream_opts opts = {.read_buffer = buffer};
    pthread_t thread;
    struct writer w;
    size_t len;
    char *data = make_lines(count, &len);

    w = (struct writer){f->a, data, len, chunk, 0};
    pthread_create(&thread, NULL, write_pieces, &w);
    SKT_OK(skt_makefile(f->b, &f->st, &opts));
    expect_lines(f->st, count);
    pthread_join(thread, NULL);
    SKT_OK(close_stream(f));
    free(data);
}

/* ------------------------------------------------------------------------ */
/* readline against different writers                                       */
/* ------------------------------------------------------------------------ */

static void test_readline_peer_writes_large_chunks(void **state)
{
    lines_through_thread(*state, 20000, 65536, 0);
}

static void test_readline_peer_writes_one_byte_at_a_time(void **state)
{
    lines_through_thread(*state, 300, 1, 0);
}

static void test_readline_small_buffer_lines_straddle_refills(void **state)
{
    /* A 7-byte buffer: nearly every line crosses a refill and grows it. */
    lines_through_thread(*state, 2000, 4096, 7);
}

static void test_readline_every_recv_cut_to_one_byte(void **state)
{
    struct fixture *f = *state;
    size_t len;
    char *data = make_lines(500, &len);

    SKT_OK(skt_sendall(f->a, data, len, 0, NULL));
    SKT_OK(skt_shutdown(f->a, SHUT_WR));
    /* Every receive brings one byte, whatever is ready. */
    skt__sys_inject(SKT__OP_RECV, 0, 0, 1 << 30, 1);
    expect_lines(f->st, 500);
    skt__sys_inject_clear();
    free(data);
}

/* Accepts the Python line writer's connection and checks its lines. */
static void lines_from_python(int count, int chunk)
{
    char path[512], port_text[16], count_text[16], chunk_text[16];
    const char *python = skt_test_python();
    skt_socket *listener, *conn;
    skt_stream *st;
    int port;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    skt_test_tcp_listener(&listener, &port);
    snprintf(port_text, sizeof port_text, "%d", port);
    snprintf(count_text, sizeof count_text, "%d", count);
    snprintf(chunk_text, sizeof chunk_text, "%d", chunk);
    char *argv[] = {(char *)python,
                    (char *)skt_test_source_path("tests/peers/line_writer.py",
                                                 path, sizeof path),
                    port_text, count_text, chunk_text, NULL};
    pid = skt_test_spawn(argv, NULL);
    SKT_OK(skt_settimeout(listener, 20));
    SKT_OK(skt_accept(listener, &conn, NULL));
    SKT_OK(skt_settimeout(conn, 20));
    SKT_OK(skt_makefile(conn, &st, &(skt_stream_opts){.close_socket = true}));
    expect_lines(st, count);
    SKT_OK(skt_stream_close(st));
    assert_int_equal(skt_test_wait(pid, 20), 0);
    skt_close(listener);
}

static void test_readline_python_peer_large_chunks(void **state)
{
    (void)state;
    lines_from_python(20000, 65536);
}

static void test_readline_python_peer_one_byte_sends(void **state)
{
    (void)state;
    lines_from_python(200, 1);
}

/* ------------------------------------------------------------------------ */
/* The maximum length                                                       */
/* ------------------------------------------------------------------------ */

static void test_readline_line_of_exactly_max_bytes(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char line[8];

    SKT_OK(skt_sendall(f->a, "1234567\nab\n", 11, 0, NULL));
    assert_int_equal(skt_stream_readline(st, line, 8), 8);
    assert_memory_equal(line, "1234567\n", 8);
    assert_int_equal(skt_stream_readline(st, line, 8), 3);
    assert_memory_equal(line, "ab\n", 3);
}

static void test_readline_over_max_is_elinetoolong_bytes_stay(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char line[16];

    SKT_OK(skt_sendall(f->a, "12345678\nnext\n", 14, 0, NULL));
    assert_int_equal(skt_stream_readline(st, line, 8), SKT_ELINETOOLONG);
    assert_string_equal(skt_errname(SKT_ELINETOOLONG), "SKT_ELINETOOLONG");
    assert_non_null(strstr(skt_error_detail(), "first 8 bytes"));
    /* Nothing was taken: the same call fails again, and the bytes can be
     * read in pieces, after which lines go on. */
    assert_true(skt_stream_buffered(st) >= 8);
    assert_int_equal(skt_stream_readline(st, line, 8), SKT_ELINETOOLONG);
    assert_int_equal(skt_stream_read(st, line, 8), 8);
    assert_memory_equal(line, "12345678", 8);
    assert_int_equal(skt_stream_readline(st, line, 8), 1);
    assert_int_equal(skt_stream_readline(st, line, 8), 5);
    assert_memory_equal(line, "next\n", 5);
}

static void test_readline_long_line_grows_the_buffer(void **state)
{
    enum { LONG = 1 << 20 };
    struct fixture *f = *state;
    skt_stream_opts opts = {.read_buffer = 4096};
    char *data = malloc(LONG + 1), *line = malloc(LONG + 1);
    pthread_t thread;
    struct writer w;

    memset(data, 'q', LONG);
    data[LONG - 1] = '\n';
    memcpy(data + LONG, "z", 1);
    w = (struct writer){f->a, data, LONG + 1, 65536, 0};
    pthread_create(&thread, NULL, write_pieces, &w);
    SKT_OK(skt_makefile(f->b, &f->st, &opts));
    assert_int_equal(skt_stream_readline(f->st, line, LONG), LONG);
    assert_memory_equal(line, data, LONG);
    assert_int_equal(skt_stream_readline(f->st, line, LONG), 1);
    assert_int_equal(line[0], 'z');
    pthread_join(thread, NULL);
    free(data);
    free(line);
}

/* ------------------------------------------------------------------------ */
/* Timeouts, non-blocking mode and end of stream                            */
/* ------------------------------------------------------------------------ */

static void test_readline_timeout_mid_line_then_rest(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char line[64];
    double start, elapsed;

    SKT_OK(skt_settimeout(f->b, 0.2));
    SKT_OK(skt_sendall(f->a, "hello wo", 8, 0, NULL));
    start = skt_test_now();
    assert_int_equal(skt_stream_readline(st, line, sizeof line), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.2 && elapsed < 2.0);
    assert_non_null(strstr(skt_error_detail(), "8 bytes of a line"));
    /* Python's makefile would refuse every read from here on. */
    assert_int_equal(skt_stream_buffered(st), 8);
    SKT_OK(skt_sendall(f->a, "rld\nmore\n", 9, 0, NULL));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 12);
    assert_memory_equal(line, "hello world\n", 12);
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 5);
    assert_memory_equal(line, "more\n", 5);
}

static void test_readline_timeout_is_one_deadline(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    pthread_t thread;
    struct writer w;
    char line[64];
    double start, elapsed;

    /* Bytes trickle in every 50 ms, never a newline: each receive
     * succeeds, but the call as a whole must end at its deadline. */
    SKT_OK(skt_settimeout(f->b, 0.3));
    w = (struct writer){f->a, "abcdefghijklmnopqrst", 20, 1, 50000};
    pthread_create(&thread, NULL, write_pieces, &w);
    start = skt_test_now();
    assert_int_equal(skt_stream_readline(st, line, sizeof line), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    if (elapsed >= 0.8)
        print_error("readline took %.3f s for a 0.3 s timeout\n", elapsed);
    assert_true(elapsed >= 0.3 && elapsed < 0.8);
    pthread_join(thread, NULL);
    /* All twenty bytes are still there, then end of stream. */
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 20);
    assert_memory_equal(line, "abcdefghijklmnopqrst", 20);
}

static void test_readline_nonblocking_partial_line_is_eagain(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char line[64];

    SKT_OK(skt_setblocking(f->b, false));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), -EAGAIN);
    SKT_OK(skt_sendall(f->a, "par", 3, 0, NULL));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), -EAGAIN);
    assert_int_equal(skt_stream_buffered(st), 3);
    SKT_OK(skt_sendall(f->a, "tial\n", 5, 0, NULL));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 8);
    assert_memory_equal(line, "partial\n", 8);
}

static void test_readline_eof_mid_line_returns_the_rest(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char line[64];

    SKT_OK(skt_sendall(f->a, "one\ntwo wi", 10, 0, NULL));
    close_peer(f);
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 4);
    /* As Python: the last bytes without their newline, then 0. */
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 6);
    assert_memory_equal(line, "two wi", 6);
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 0);
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 0);
}

/* ------------------------------------------------------------------------ */
/* Delimiters, views and the other readers                                  */
/* ------------------------------------------------------------------------ */

static void test_readuntil_crlf_split_across_receives(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char rec[32];

    SKT_OK(skt_sendall(f->a, "GET / HTTP/1.0\r\nHost: x\r\n\r\n", 27, 0,
                       NULL));
    /* Receives of 3 bytes put "\r" and "\n" in different receives. */
    skt__sys_inject(SKT__OP_RECV, 0, 0, 1 << 30, 3);
    assert_int_equal(skt_stream_readuntil(st, "\r\n", 2, rec, sizeof rec),
                     16);
    assert_memory_equal(rec, "GET / HTTP/1.0\r\n", 16);
    assert_int_equal(skt_stream_readuntil(st, "\r\n", 2, rec, sizeof rec), 9);
    assert_memory_equal(rec, "Host: x\r\n", 9);
    assert_int_equal(skt_stream_readuntil(st, "\r\n", 2, rec, sizeof rec), 2);
    skt__sys_inject_clear();
    /* A lone "\r" or "\n" is not the delimiter. */
    SKT_OK(skt_sendall(f->a, "a\rb\nc\r\n", 7, 0, NULL));
    assert_int_equal(skt_stream_readuntil(st, "\r\n", 2, rec, sizeof rec), 7);
    assert_int_equal(skt_stream_readuntil(st, "", 0, rec, sizeof rec),
                     -EINVAL);
}

static void test_readline_view_points_into_the_buffer(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    const void *line;

    SKT_OK(skt_sendall(f->a, "alpha\nbeta\n", 11, 0, NULL));
    close_peer(f);
    assert_int_equal(skt_stream_readline_view(st, 64, &line), 6);
    assert_memory_equal(line, "alpha\n", 6);
    assert_int_equal(skt_stream_readline_view(st, 64, &line), 5);
    assert_memory_equal(line, "beta\n", 5);
    assert_int_equal(skt_stream_readline_view(st, 64, &line), 0);
    assert_null(line);
}

static void test_read_returns_buffered_bytes_first(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char buf[64];

    SKT_OK(skt_sendall(f->a, "line\nrest", 9, 0, NULL));
    assert_int_equal(skt_stream_readline(st, buf, sizeof buf), 5);
    SKT_OK(skt_sendall(f->a, "MORE", 4, 0, NULL));
    /* "rest" was buffered with the line: it comes alone, no receive. */
    assert_int_equal(skt_stream_read(st, buf, sizeof buf), 4);
    assert_memory_equal(buf, "rest", 4);
    assert_int_equal(skt_stream_read(st, buf, 2), 2);
    assert_memory_equal(buf, "MO", 2);
    assert_int_equal(skt_stream_read(st, buf, sizeof buf), 2);
    assert_int_equal(skt_stream_read(st, buf, 0), 0);
    close_peer(f);
    assert_int_equal(skt_stream_read(st, buf, sizeof buf), 0);
}

static void test_read_larger_than_buffer_goes_straight_through(void **state)
{
    struct fixture *f = *state;
    skt_stream_opts opts = {.read_buffer = 16};
    char buf[64];

    SKT_OK(skt_sendall(f->a, "0123456789abcdefghijklmnopqrstuvwxyz", 36, 0,
                       NULL));
    SKT_OK(skt_makefile(f->b, &f->st, &opts));
    assert_int_equal(skt_stream_read(f->st, buf, sizeof buf), 36);
    assert_memory_equal(buf, "0123456789abcdefghijklmnopqrstuvwxyz", 36);
    assert_int_equal(skt_stream_buffered(f->st), 0);
}

static void test_read_exact_timeout_keeps_every_byte(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char buf[16];

    SKT_OK(skt_settimeout(f->b, 0.1));
    SKT_OK(skt_sendall(f->a, "abcdef", 6, 0, NULL));
    assert_int_equal(skt_stream_read_exact(st, buf, 10), -ETIMEDOUT);
    assert_int_equal(skt_stream_buffered(st), 6);
    SKT_OK(skt_sendall(f->a, "ghij", 4, 0, NULL));
    SKT_OK(skt_stream_read_exact(st, buf, 10));
    assert_memory_equal(buf, "abcdefghij", 10);
}

static void test_read_exact_eof_keeps_bytes_readable(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char buf[16];

    SKT_OK(skt_sendall(f->a, "abc", 3, 0, NULL));
    close_peer(f);
    assert_int_equal(skt_stream_read_exact(st, buf, 10), SKT_EEOF);
    assert_non_null(strstr(skt_error_detail(), "3 of 10 bytes"));
    assert_int_equal(skt_stream_read(st, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
}

static void test_read_exact_larger_than_buffer(void **state)
{
    enum { SIZE = 300000 };
    struct fixture *f = *state;
    skt_stream_opts opts = {.read_buffer = 1000};
    char *data = malloc(SIZE), *got = malloc(SIZE);
    pthread_t thread;
    struct writer w;

    for (size_t i = 0; i < SIZE; i++)
        data[i] = (char)(i * 7);
    w = (struct writer){f->a, data, SIZE, 10000, 0};
    pthread_create(&thread, NULL, write_pieces, &w);
    SKT_OK(skt_makefile(f->b, &f->st, &opts));
    SKT_OK(skt_stream_read_exact(f->st, got, 10));
    SKT_OK(skt_stream_read_exact(f->st, got + 10, SIZE - 10));
    assert_memory_equal(got, data, SIZE);
    pthread_join(thread, NULL);
    free(data);
    free(got);
}

static void test_peek_does_not_take(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char buf[16];

    SKT_OK(skt_sendall(f->a, "peekaboo\n", 9, 0, NULL));
    assert_int_equal(skt_stream_peek(st, buf, 4), 4);
    assert_memory_equal(buf, "peek", 4);
    assert_int_equal(skt_stream_peek(st, buf, sizeof buf), 9);
    assert_int_equal(skt_stream_readline(st, buf, sizeof buf), 9);
    assert_memory_equal(buf, "peekaboo\n", 9);
    close_peer(f);
    assert_int_equal(skt_stream_peek(st, buf, sizeof buf), 0);
}

static void test_buffer_exposes_bytes_and_consume_drops_them(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = f->st;
    char buf[16];
    const char *p;
    size_t len = 99;

    assert_null(skt_stream_buffer(st, &len));
    assert_int_equal(len, 0);
    SKT_OK(skt_sendall(f->a, "head\nraw tail", 13, 0, NULL));
    assert_int_equal(skt_stream_readline(st, buf, sizeof buf), 5);
    /* What the stream read ahead is visible, and can be handed over. */
    p = skt_stream_buffer(st, &len);
    assert_int_equal(len, 8);
    assert_int_equal(skt_stream_buffered(st), 8);
    assert_memory_equal(p, "raw tail", 8);
    SKT_OK(skt_stream_consume(st, 4));
    assert_int_equal(skt_stream_consume(st, 5), -EINVAL);
    assert_int_equal(skt_stream_read(st, buf, sizeof buf), 4);
    assert_memory_equal(buf, "tail", 4);
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

static void test_write_holds_bytes_until_flush(void **state)
{
    struct fixture *f = *state;
    skt_socket *b = f->b;
    skt_stream *st;
    char buf[16];
    size_t taken;

    SKT_OK(skt_setblocking(b, false));
    SKT_OK(skt_makefile(f->a, &f->st, NULL));
    st = f->st;
    SKT_OK(skt_stream_write(st, "hello ", 6, &taken));
    assert_int_equal(taken, 6);
    SKT_OK(skt_stream_write(st, "world", 5, NULL));
    assert_int_equal(skt_stream_pending(st), 11);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), -EAGAIN);
    SKT_OK(skt_stream_flush(st));
    assert_int_equal(skt_stream_pending(st), 0);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 11);
    assert_memory_equal(buf, "hello world", 11);
}

static void test_write_over_buffer_sends_in_order(void **state)
{
    struct fixture *f = *state;
    skt_socket *a = f->a, *b = f->b;
    skt_stream *st;
    skt_stream_opts opts = {.write_buffer = 8};
    char buf[64];

    SKT_OK(skt_makefile(a, &f->st, &opts));
    st = f->st;
    SKT_OK(skt_stream_write(st, "abc", 3, NULL));
    SKT_OK(skt_stream_write(st, "defghi", 6, NULL)); /* flushes "abc" */
    SKT_OK(skt_stream_write(st, "0123456789", 10, NULL)); /* direct */
    SKT_OK(skt_stream_write(st, "!", 1, NULL));
    assert_int_equal(skt_stream_pending(st), 1);
    SKT_OK(close_stream(f)); /* flushes; a stays open */
    SKT_OK(skt_shutdown(a, SHUT_WR));
    SKT_OK(skt_recv_exact(b, buf, 20, 0, NULL));
    assert_memory_equal(buf, "abcdefghi0123456789!", 20);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 0);
}

/* A thread that receives everything until end of stream. */
struct reader {
    skt_socket *s;
    char *got;
    size_t len;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    ssize_t n;

    while ((n = skt_recv(r->s, r->got + r->len, 65536, 0)) > 0)
        r->len += (size_t)n;
    return NULL;
}

static void test_write_timeout_reports_taken_and_loses_nothing(void **state)
{
    enum { SIZE = 8 << 20 };
    struct fixture *f = *state;
    skt_socket *a = f->a;
    skt_stream *st;
    char *data = malloc(SIZE);
    struct reader r;
    pthread_t thread;
    size_t taken, off = 0;
    int rc;

    for (size_t i = 0; i < SIZE; i++)
        data[i] = (char)(i % 251);
    SKT_OK(skt_settimeout(a, 0.1));
    SKT_OK(skt_makefile(a, &f->st, NULL));
    st = f->st;
    /* Nobody reads yet: the socket fills and the write times out. */
    rc = skt_stream_write(st, data, SIZE, &taken);
    assert_int_equal(rc, -ETIMEDOUT);
    assert_true(taken > 0 && taken < SIZE);
    off = taken;
    r = (struct reader){f->b, malloc(SIZE + 65536), 0};
    pthread_create(&thread, NULL, read_all, &r);
    SKT_OK(skt_settimeout(a, 10));
    SKT_OK(skt_stream_write(st, data + off, SIZE - off, &taken));
    assert_int_equal(taken, SIZE - off);
    SKT_OK(skt_stream_flush(st));
    SKT_OK(skt_shutdown(a, SHUT_WR));
    pthread_join(thread, NULL);
    assert_int_equal(r.len, SIZE);
    assert_memory_equal(r.got, data, SIZE);
    free(r.got);
    free(data);
}

static void test_flush_timeout_keeps_the_rest_held(void **state)
{
    enum { SIZE = 4 << 20 };
    struct fixture *f = *state;
    skt_socket *a = f->a;
    skt_stream *st;
    skt_stream_opts opts = {.write_buffer = SIZE + 1};
    char *data = malloc(SIZE);
    struct reader r;
    pthread_t thread;

    for (size_t i = 0; i < SIZE; i++)
        data[i] = (char)(i % 253);
    SKT_OK(skt_settimeout(a, 0.1));
    SKT_OK(skt_makefile(a, &f->st, &opts));
    st = f->st;
    SKT_OK(skt_stream_write(st, data, SIZE, NULL));
    assert_int_equal(skt_stream_flush(st), -ETIMEDOUT);
    assert_true(skt_stream_pending(st) > 0 && skt_stream_pending(st) < SIZE);
    r = (struct reader){f->b, malloc(SIZE + 65536), 0};
    pthread_create(&thread, NULL, read_all, &r);
    SKT_OK(skt_settimeout(a, 10));
    SKT_OK(skt_stream_flush(st));
    SKT_OK(skt_shutdown(a, SHUT_WR));
    pthread_join(thread, NULL);
    assert_int_equal(r.len, SIZE);
    assert_memory_equal(r.got, data, SIZE);
    free(r.got);
    free(data);
}

/* ------------------------------------------------------------------------ */
/* Over TLS                                                                 */
/* ------------------------------------------------------------------------ */

/* A TLS server thread: "hello wo", then (once told) the rest of the line
 * and 2000 numbered lines in pieces of 777 bytes. */
struct tls_writer {
    skt_socket *s;
    skt_tls_ctx *ctx;
    int go[2]; /* a pipe: the reader's word to go on */
    int rc;
};

static void *write_over_tls(void *arg)
{
    struct tls_writer *w = arg;
    size_t len;
    char *data = make_lines(2000, &len), go;

    w->rc = skt_tls_wrap(w->s, w->ctx, NULL, true);
    if (w->rc == 0)
        w->rc = skt_sendall(w->s, "hello wo", 8, 0, NULL);
    if (w->rc == 0 && read(w->go[0], &go, 1) == 1)
        w->rc = skt_sendall(w->s, "rld\n", 4, 0, NULL);
    for (size_t off = 0; w->rc == 0 && off < len; off += 777)
        w->rc = skt_sendall(w->s, data + off, len - off < 777 ? len - off
                                                             : 777, 0, NULL);
    skt_tls_unwrap(w->s);
    free(data);
    return NULL;
}

/* Generates the TLS test certificates into dir; false if it cannot. */
static bool make_certs(char *dir, size_t len)
{
    char script[512], cmd[1200];

    if (system("command -v openssl >/dev/null 2>&1") != 0)
        return false;
    snprintf(dir, len, "/tmp/skt-stream-tls.XXXXXX");
    assert_non_null(mkdtemp(dir));
    skt_test_source_path("tests/peers/make-certs.sh", script, sizeof script);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >/dev/null 2>&1", script, dir);
    return system(cmd) == 0;
}

static skt_tls_ctx *tls_context(const char *dir, int side)
{
    char a[600], b[600];
    skt_tls_ctx *ctx;

    SKT_OK(skt_tls_ctx_new(&ctx, side));
    if (side == SKT_TLS_SERVER) {
        snprintf(a, sizeof a, "%s/server.pem", dir);
        snprintf(b, sizeof b, "%s/server.key", dir);
        SKT_OK(skt_tls_ctx_load_cert_chain(ctx, a, b, NULL));
    } else {
        snprintf(a, sizeof a, "%s/ca.pem", dir);
        SKT_OK(skt_tls_ctx_load_verify_locations(ctx, a, NULL, NULL));
    }
    return ctx;
}

static void test_readline_over_tls_with_a_timeout_mid_line(void **state)
{
    struct fixture *f = *state;
    char dir[64], cmd[128], line[128];
    struct tls_writer w;
    skt_tls_ctx *client;
    skt_socket *a = f->a;
    skt_stream *st;
    pthread_t thread;

    if (!make_certs(dir, sizeof dir))
        SKT_SKIP("cannot make certificates (is openssl installed?)");
    w = (struct tls_writer){.s = f->b,
                            .ctx = tls_context(dir, SKT_TLS_SERVER)};
    assert_int_equal(pipe(w.go), 0);
    pthread_create(&thread, NULL, write_over_tls, &w);
    client = tls_context(dir, SKT_TLS_CLIENT);
    SKT_OK(skt_settimeout(a, 10));
    SKT_OK(skt_tls_wrap(a, client, "localhost", false));
    SKT_OK(skt_settimeout(a, 0.2));
    SKT_OK(skt_makefile(a, &f->st, NULL));
    st = f->st;
    /* The same stream code, through the TLS transport. */
    assert_int_equal(skt_stream_readline(st, line, sizeof line), -ETIMEDOUT);
    assert_int_equal(skt_stream_buffered(st), 8);
    assert_int_equal(write(w.go[1], "g", 1), 1);
    SKT_OK(skt_settimeout(a, 10));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 12);
    assert_memory_equal(line, "hello world\n", 12);
    expect_lines(st, 2000);
    /* Both sides end TLS: the writer waits for our close_notify. */
    SKT_OK(skt_tls_unwrap(a));
    pthread_join(thread, NULL);
    assert_int_equal(w.rc, 0);
    close(w.go[0]);
    close(w.go[1]);
    skt_tls_ctx_free(client);
    skt_tls_ctx_free(w.ctx);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

static void test_close_leaves_the_socket_open(void **state)
{
    struct fixture *f = *state;
    char buf[8];

    assert_ptr_equal(skt_stream_socket(f->st), f->b);
    SKT_OK(close_stream(f));
    SKT_OK(skt_sendall(f->a, "ok", 2, 0, NULL));
    assert_int_equal(skt_recv(f->b, buf, sizeof buf, 0), 2);
}

static void test_close_socket_option_closes_it(void **state)
{
    skt_socket *a, *b;
    skt_stream *st;
    int before = skt_test_count_fds();
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_makefile(b, &st, &(skt_stream_opts){.close_socket = true}));
    SKT_OK(skt_stream_close(st));
    assert_int_equal(skt_test_count_fds(), before + 1);
    skt_close(a);
    SKT_OK(skt_stream_close(NULL));
}

static void test_null_arguments_are_einval(void **state)
{
    struct fixture *f = *state;
    skt_stream *st = (skt_stream *)1;
    char buf[4];

    assert_int_equal(skt_makefile(NULL, &st, NULL), -EINVAL);
    assert_null(st);
    SKT_OK(skt_makefile(f->a, &f->st, NULL));
    st = f->st;
    assert_int_equal(skt_stream_readline(st, NULL, 4), -EINVAL);
    assert_int_equal(skt_stream_readline(st, buf, 0), -EINVAL);
    assert_int_equal(skt_stream_read(NULL, buf, 4), -EINVAL);
    assert_int_equal(skt_stream_write(st, NULL, 4, NULL), -EINVAL);
    assert_int_equal(skt_stream_flush(NULL), -EINVAL);
    assert_int_equal(skt_stream_buffered(NULL), 0);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_readline_peer_writes_large_chunks, tcp_pair),
    SKT_CASE(test_readline_peer_writes_one_byte_at_a_time, tcp_pair),
    SKT_CASE(test_readline_small_buffer_lines_straddle_refills, tcp_pair),
    SKT_CASE(test_readline_every_recv_cut_to_one_byte, unix_stream),
    cmocka_unit_test(test_readline_python_peer_large_chunks),
    cmocka_unit_test(test_readline_python_peer_one_byte_sends),
    SKT_CASE(test_readline_line_of_exactly_max_bytes, unix_stream),
    SKT_CASE(test_readline_over_max_is_elinetoolong_bytes_stay, unix_stream),
    SKT_CASE(test_readline_long_line_grows_the_buffer, tcp_pair),
    SKT_CASE(test_readline_timeout_mid_line_then_rest, tcp_stream),
    SKT_CASE(test_readline_timeout_is_one_deadline, tcp_stream),
    SKT_CASE(test_readline_nonblocking_partial_line_is_eagain, unix_stream),
    SKT_CASE(test_readline_eof_mid_line_returns_the_rest, unix_stream),
    SKT_CASE(test_readuntil_crlf_split_across_receives, unix_stream),
    SKT_CASE(test_readline_view_points_into_the_buffer, unix_stream),
    SKT_CASE(test_read_returns_buffered_bytes_first, unix_stream),
    SKT_CASE(test_read_larger_than_buffer_goes_straight_through, unix_pair),
    SKT_CASE(test_read_exact_timeout_keeps_every_byte, tcp_stream),
    SKT_CASE(test_read_exact_eof_keeps_bytes_readable, unix_stream),
    SKT_CASE(test_read_exact_larger_than_buffer, tcp_pair),
    SKT_CASE(test_peek_does_not_take, unix_stream),
    SKT_CASE(test_buffer_exposes_bytes_and_consume_drops_them, unix_stream),
    SKT_CASE(test_write_holds_bytes_until_flush, unix_pair),
    SKT_CASE(test_write_over_buffer_sends_in_order, unix_pair),
    SKT_CASE(test_write_timeout_reports_taken_and_loses_nothing, unix_pair),
    SKT_CASE(test_flush_timeout_keeps_the_rest_held, unix_pair),
    SKT_CASE(test_readline_over_tls_with_a_timeout_mid_line, tcp_pair),
    SKT_CASE(test_close_leaves_the_socket_open, unix_stream),
    cmocka_unit_test(test_close_socket_option_closes_it),
    SKT_CASE(test_null_arguments_are_einval, unix_pair),
};

SKT_TEST_MAIN(tests)
