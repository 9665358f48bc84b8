/*
 * test-frame.c - message framing: every header size and byte order (the
 * header bytes checked, and against Python's struct), delimiters split
 * across receives, fixed sizes, the maximum size (reported once, skipped,
 * nothing after it misread), the decoder fed one byte at a time, in random
 * pieces and all at once giving the same messages, and receiving over
 * blocking, timeout and non-blocking sockets.
 */
#include "harness.h"
#include "internal.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A small deterministic generator, so that failures repeat. */
static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

/* Receives one message through d and checks it. */
static void expect_message(skt_socket *s, skt_frame_decoder *d,
                           const void *want, size_t want_len)
{
    const void *msg;
    size_t len;
    int rc = skt_frame_recv(s, d, &msg, &len);

    if (rc != 1)
        print_error("frame_recv = %d: %s\n", rc, skt_error_detail());
    assert_int_equal(rc, 1);
    assert_int_equal(len, want_len);
    if (want_len > 0)
        assert_memory_equal(msg, want, want_len);
}

/* ------------------------------------------------------------------------ */
/* Length headers                                                           */
/* ------------------------------------------------------------------------ */

static void test_header_bytes_for_every_size_and_byte_order(void **state)
{
    static const struct {
        int size;
        int flags;
        uint64_t len;
        const char *bytes;
    } cases[] = {
        {1, 0, 0xab, "\xab"},
        {1, SKT_FRAME_LITTLE_ENDIAN, 0xab, "\xab"},
        {2, 0, 0x0102, "\x01\x02"},
        {2, SKT_FRAME_LITTLE_ENDIAN, 0x0102, "\x02\x01"},
        {4, 0, 0x01020304, "\x01\x02\x03\x04"},
        {4, SKT_FRAME_LITTLE_ENDIAN, 0x01020304, "\x04\x03\x02\x01"},
        {8, 0, 0x0102030405060708ull, "\x01\x02\x03\x04\x05\x06\x07\x08"},
        {8, SKT_FRAME_LITTLE_ENDIAN, 0x0102030405060708ull,
         "\x08\x07\x06\x05\x04\x03\x02\x01"},
        {0, 0, 5, "\x00\x00\x00\x05"}, /* 0 means 4 bytes */
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        skt_frame_opts opts = {.header_size = cases[i].size,
                               .flags = cases[i].flags};
        unsigned char out[8];
        int size = cases[i].size ? cases[i].size : 4;
        assert_int_equal(skt_frame_header(&opts, cases[i].len, out), size);
        assert_memory_equal(out, cases[i].bytes, (size_t)size);
    }
}

static void test_header_too_small_for_length_is_emsgtoobig(void **state)
{
    skt_frame_opts one = {.header_size = 1}, two = {.header_size = 2};
    skt_socket *a, *b;
    unsigned char out[8];
    char big[256] = {0};
    size_t sent = 99;
    (void)state;

    assert_int_equal(skt_frame_header(&one, 256, out), SKT_EMSGTOOBIG);
    assert_int_equal(skt_frame_header(&two, 65536, out), SKT_EMSGTOOBIG);
    assert_int_equal(skt_frame_header(&two, 65535, out), 2);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_int_equal(skt_frame_send(a, &one, big, sizeof big, &sent),
                     SKT_EMSGTOOBIG);
    assert_int_equal(sent, 0);
    assert_string_equal(skt_errname(SKT_EMSGTOOBIG), "SKT_EMSGTOOBIG");
    skt_close(a);
    skt_close(b);
}

/* Sends messages of several lengths with opts and receives them. */
static void round_trip(const skt_frame_opts *opts, const size_t *lens,
                       size_t count)
{
    skt_socket *a, *b;
    skt_frame_decoder *d;
    char *data = malloc(70000);

    for (size_t i = 0; i < 70000; i++)
        data[i] = (char)(i * 31 + 7);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 10));
    SKT_OK(skt_frame_decoder_new(&d, opts));
    for (size_t i = 0; i < count; i++) {
        size_t sent;
        SKT_OK(skt_frame_send(a, opts, data, lens[i], &sent));
        expect_message(b, d, data, lens[i]);
    }
    skt_frame_decoder_free(d);
    skt_close(a);
    skt_close(b);
    free(data);
}

static void test_round_trip_every_header_size_and_byte_order(void **state)
{
    static const int sizes[] = {1, 2, 4, 8};
    static const size_t lens[] = {0, 1, 200, 255, 1000, 65535, 65536};
    (void)state;

    for (int s = 0; s < 4; s++) {
        for (int little = 0; little < 2; little++) {
            skt_frame_opts opts = {
                .header_size = sizes[s],
                .flags = little ? SKT_FRAME_LITTLE_ENDIAN : 0};
            /* Only the lengths the header can hold. */
            size_t count = sizes[s] == 1 ? 4 : sizes[s] == 2 ? 6 : 7;
            round_trip(&opts, lens, count);
        }
    }
}

/* Reads everything from fd until end of file. */
static char *read_fd(int fd, size_t *len)
{
    size_t cap = 1 << 16, used = 0;
    char *data = malloc(cap);
    ssize_t n;

    while ((n = read(fd, data + used, cap - used)) > 0) {
        used += (size_t)n;
        if (used == cap)
            data = realloc(data, cap *= 2);
    }
    *len = used;
    return data;
}

static void test_decoder_reads_python_struct_headers(void **state)
{
    static const char *const formats[] = {">B", "<B", ">H", "<H",
                                          ">I", "<I", ">Q", "<Q"};
    const char *python = skt_test_python();
    (void)state;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    for (int f = 0; f < 8; f++) {
        char script[512];
        skt_frame_opts opts = {
            .header_size = f < 2 ? 1 : f < 4 ? 2 : f < 6 ? 4 : 8,
            .flags = formats[f][0] == '<' ? SKT_FRAME_LITTLE_ENDIAN : 0};
        skt_frame_decoder *d;
        size_t len;
        char *data;
        int fd;

        /* Python frames messages of 0..199 bytes with struct.pack. */
        snprintf(script, sizeof script,
                 "import struct,sys\n"
                 "for n in range(200):\n"
                 "    m = bytes((n + i) %% 256 for i in range(n))\n"
                 "    sys.stdout.buffer.write(struct.pack('%s', n) + m)\n",
                 formats[f]);
        char *argv[] = {(char *)python, "-c", script, NULL};
        pid_t pid = skt_test_spawn(argv, &fd);
        data = read_fd(fd, &len);
        close(fd);
        assert_int_equal(skt_test_wait(pid, 10), 0);
        SKT_OK(skt_frame_decoder_new(&d, &opts));
        SKT_OK(skt_frame_decoder_feed(d, data, len));
        for (size_t n = 0; n < 200; n++) {
            const unsigned char *msg;
            size_t got;
            assert_int_equal(skt_frame_decoder_pop(d, (const void **)&msg,
                                                   &got), 1);
            assert_int_equal(got, n);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(msg[i], (n + i) % 256);
        }
        assert_int_equal(skt_frame_decoder_buffered(d), 0);
        skt_frame_decoder_free(d);
        free(data);
    }
}

/* ------------------------------------------------------------------------ */
/* Delimiters and fixed sizes                                               */
/* ------------------------------------------------------------------------ */

static void test_delimiter_split_across_receives(void **state)
{
    skt_frame_opts opts = {.kind = SKT_FRAME_DELIMITER,
                           .delimiter = "\r\n.\r\n",
                           .delimiter_len = 5};
    skt_socket *a, *b;
    skt_frame_decoder *d;
    size_t sent;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_frame_decoder_new(&d, &opts));
    SKT_OK(skt_frame_send(a, &opts, "first\r\nline", 11, &sent));
    assert_int_equal(sent, 16);
    SKT_OK(skt_frame_send(a, &opts, "", 0, NULL));
    SKT_OK(skt_frame_send(a, &opts, "x\r\n", 3, NULL));
    /* Receives of 1, then 2 bytes: the delimiter always comes in pieces. */
    for (size_t cut = 1; cut <= 2; cut++) {
        skt__sys_inject(SKT__OP_RECV, 0, 0, 1 << 30, cut);
        if (cut == 1) {
            expect_message(b, d, "first\r\nline", 11);
        } else {
            expect_message(b, d, "", 0);
            expect_message(b, d, "x\r\n", 3);
        }
    }
    skt__sys_inject_clear();
    skt_frame_decoder_free(d);
    skt_close(a);
    skt_close(b);
}

static void test_delimiter_default_is_newline(void **state)
{
    skt_frame_opts opts = {.kind = SKT_FRAME_DELIMITER};
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    (void)state;

    SKT_OK(skt_frame_decoder_new(&d, &opts));
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 0);
    SKT_OK(skt_frame_decoder_feed(d, "ab\ncd", 5));
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 1);
    assert_int_equal(len, 2);
    assert_memory_equal(msg, "ab", 2);
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 0);
    assert_int_equal(skt_frame_decoder_buffered(d), 2);
    skt_frame_decoder_free(d);
}

static void test_message_holding_the_delimiter_is_refused(void **state)
{
    skt_frame_opts opts = {.kind = SKT_FRAME_DELIMITER};
    skt_socket *a, *b;
    size_t sent = 99;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_int_equal(skt_frame_send(a, &opts, "two\nlines", 9, &sent),
                     -EINVAL);
    assert_int_equal(sent, 0);
    assert_non_null(strstr(skt_error_detail(), "delimiter at byte 3"));
    skt_close(a);
    skt_close(b);
}

static void test_fixed_size_messages(void **state)
{
    skt_frame_opts opts = {.kind = SKT_FRAME_FIXED, .size = 4};
    skt_socket *a, *b;
    skt_frame_decoder *d;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_frame_decoder_new(&d, &opts));
    SKT_OK(skt_frame_send(a, &opts, "abcd", 4, NULL));
    SKT_OK(skt_frame_send(a, &opts, "efgh", 4, NULL));
    assert_int_equal(skt_frame_send(a, &opts, "xyz", 3, NULL), -EINVAL);
    skt__sys_inject(SKT__OP_RECV, 0, 0, 1 << 30, 3);
    expect_message(b, d, "abcd", 4);
    expect_message(b, d, "efgh", 4);
    skt__sys_inject_clear();
    skt_frame_decoder_free(d);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* The maximum size                                                         */
/* ------------------------------------------------------------------------ */

/* Builds a stream of length-prefixed (2-byte) messages of these lengths. */
static char *length_stream(const size_t *lens, size_t count, size_t *total)
{
    char *data = malloc(70000 * count + 16);
    size_t used = 0;

    for (size_t i = 0; i < count; i++) {
        data[used++] = (char)(lens[i] >> 8);
        data[used++] = (char)lens[i];
        memset(data + used, 'a' + (int)i, lens[i]);
        used += lens[i];
    }
    *total = used;
    return data;
}

static void test_max_size_length_prefixed_skips_the_message(void **state)
{
    static const size_t lens[] = {5, 100, 3, 60000, 10};
    skt_frame_opts opts = {.header_size = 2, .max_size = 10};
    size_t total;
    char *data = length_stream(lens, 5, &total);
    (void)state;

    /* All at once, then one byte at a time: the same results. */
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        skt_frame_decoder *d;
        int results[16], count = 0;
        size_t sizes[16];
        SKT_OK(skt_frame_decoder_new(&d, &opts));
        for (size_t off = 0; off < total;) {
            size_t n = bytewise ? 1 : total;
            const void *msg;
            int rc;
            SKT_OK(skt_frame_decoder_feed(d, data + off, n));
            off += n;
            while ((rc = skt_frame_decoder_pop(d, &msg, &sizes[count])) != 0)
                results[count++] = rc;
        }
        assert_int_equal(count, 5);
        assert_int_equal(results[0], 1);
        assert_int_equal(sizes[0], 5);
        assert_int_equal(results[1], SKT_EMSGTOOBIG);
        assert_int_equal(results[2], 1);
        assert_int_equal(sizes[2], 3);
        assert_int_equal(results[3], SKT_EMSGTOOBIG);
        assert_int_equal(results[4], 1);
        assert_int_equal(sizes[4], 10);
        /* The skipped message was never buffered whole. */
        assert_int_equal(skt_frame_decoder_buffered(d), 0);
        skt_frame_decoder_free(d);
    }
    free(data);
}

static void test_max_size_delimited_skips_to_the_delimiter(void **state)
{
    skt_frame_opts opts = {.kind = SKT_FRAME_DELIMITER, .delimiter = "||",
                           .delimiter_len = 2, .max_size = 4};
    const char *text = "abcd||abcde||x|y||||";
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    (void)state;

    SKT_OK(skt_frame_decoder_new(&d, &opts));
    SKT_OK(skt_frame_decoder_feed(d, text, strlen(text)));
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 1);
    assert_memory_equal(msg, "abcd", 4);
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), SKT_EMSGTOOBIG);
    assert_non_null(strstr(skt_error_detail(), "no delimiter within"));
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(msg, "x|y", 3);
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 1);
    assert_int_equal(len, 0);
    assert_int_equal(skt_frame_decoder_pop(d, &msg, &len), 0);
    skt_frame_decoder_free(d);
}

/* A thread that sends a 300000-byte message, then "next". */
static void *send_big_then_next(void *arg)
{
    skt_socket *a = arg;
    char *data = calloc(1, 300000);

    skt_frame_send(a, NULL, data, 300000, NULL);
    skt_frame_send(a, NULL, "next", 4, NULL);
    free(data);
    return NULL;
}

static void test_max_size_over_a_socket_then_next_message(void **state)
{
    skt_frame_opts opts = {.max_size = 1000};
    skt_socket *a, *b;
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    pthread_t thread;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(a, 10));
    SKT_OK(skt_settimeout(b, 10));
    SKT_OK(skt_frame_decoder_new(&d, &opts));
    SKT_OK(skt_frame_send(a, NULL, "ok", 2, NULL));
    expect_message(b, d, "ok", 2);
    /* 300000 bytes do not fit in the socket: the receiver must drop them
     * while the sender is still sending. */
    pthread_create(&thread, NULL, send_big_then_next, a);
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), SKT_EMSGTOOBIG);
    assert_non_null(strstr(skt_error_detail(), "300000 bytes"));
    expect_message(b, d, "next", 4);
    pthread_join(thread, NULL);
    skt_close(a);
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), 0);
    skt_frame_decoder_free(d);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Feeding in pieces                                                        */
/* ------------------------------------------------------------------------ */

/* Feeds data in pieces (0: random sizes) and records what pops out. */
static size_t decode_in_pieces(const skt_frame_opts *opts, const char *data,
                               size_t total, size_t piece, uint32_t seed,
                               char *log, size_t log_cap)
{
    skt_frame_decoder *d;
    size_t used = 0;

    SKT_OK(skt_frame_decoder_new(&d, opts));
    for (size_t off = 0; off < total;) {
        size_t n = piece ? piece : 1 + next_random(&seed) % 700;
        const void *msg;
        size_t len;
        int rc;
        if (n > total - off)
            n = total - off;
        SKT_OK(skt_frame_decoder_feed(d, data + off, n));
        off += n;
        while ((rc = skt_frame_decoder_pop(d, &msg, &len)) != 0) {
            /* A record: the code, the length, the bytes. */
            assert_true(used + 16 + len <= log_cap);
            used += (size_t)snprintf(log + used, 16, "%d:%zu:", rc, len);
            if (len > 0)
                memcpy(log + used, msg, len);
            used += len;
        }
    }
    skt_frame_decoder_free(d);
    return used;
}

/* A random stream for opts: messages of random lengths, some too big. */
static char *random_stream(const skt_frame_opts *opts, uint32_t seed,
                           size_t *total)
{
    char *data = malloc(1 << 20);
    size_t used = 0;

    for (int i = 0; i < 300; i++) {
        size_t len = next_random(&seed) % 300;
        unsigned char header[8];
        int h = 0;
        if (opts->kind == SKT_FRAME_FIXED)
            len = opts->size;
        if (opts->kind == SKT_FRAME_LENGTH && opts->header_size == 1)
            len %= 256;
        if (opts->kind == SKT_FRAME_LENGTH)
            h = skt_frame_header(opts, len, header);
        memcpy(data + used, header, (size_t)h);
        used += (size_t)h;
        for (size_t j = 0; j < len; j++)
            data[used++] = (char)('a' + next_random(&seed) % 3);
        if (opts->kind == SKT_FRAME_DELIMITER) {
            memcpy(data + used, opts->delimiter, opts->delimiter_len);
            used += opts->delimiter_len;
        }
    }
    *total = used;
    return data;
}

static void test_decoder_bytewise_random_and_whole_agree(void **state)
{
    const skt_frame_opts cases[] = {
        {.header_size = 1, .max_size = 200},
        {.header_size = 2, .flags = SKT_FRAME_LITTLE_ENDIAN, .max_size = 250},
        {.header_size = 4, .max_size = 150},
        {.header_size = 8, .flags = SKT_FRAME_LITTLE_ENDIAN},
        {.kind = SKT_FRAME_DELIMITER, .delimiter = "ab", .delimiter_len = 2,
         .max_size = 100},
        {.kind = SKT_FRAME_DELIMITER, .delimiter = "c", .delimiter_len = 1,
         .max_size = 5},
        {.kind = SKT_FRAME_FIXED, .size = 7},
    };
    enum { LOG = 4 << 20 };
    char *whole = malloc(LOG), *other = malloc(LOG);
    (void)state;

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t total, n_whole, n_other;
        char *data = random_stream(&cases[c], 42 + (uint32_t)c, &total);
        n_whole = decode_in_pieces(&cases[c], data, total, total, 0, whole,
                                   LOG);
        assert_true(n_whole > 0);
        n_other = decode_in_pieces(&cases[c], data, total, 1, 0, other, LOG);
        assert_int_equal(n_other, n_whole);
        assert_memory_equal(other, whole, n_whole);
        n_other = decode_in_pieces(&cases[c], data, total, 0, 7, other, LOG);
        assert_int_equal(n_other, n_whole);
        assert_memory_equal(other, whole, n_whole);
        free(data);
    }
    free(whole);
    free(other);
}

/* ------------------------------------------------------------------------ */
/* Receiving over sockets                                                   */
/* ------------------------------------------------------------------------ */

static void test_frame_recv_timeout_keeps_the_partial_message(void **state)
{
    skt_socket *a, *b;
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    double start;
    (void)state;

    skt_test_tcp_pair(&a, &b);
    SKT_OK(skt_settimeout(b, 0.2));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    SKT_OK(skt_sendall(a, "\x00\x00\x00\x0bhello", 9, 0, NULL));
    start = skt_test_now();
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), -ETIMEDOUT);
    assert_true(skt_test_now() - start >= 0.2);
    assert_int_equal(skt_frame_decoder_buffered(d), 9);
    SKT_OK(skt_sendall(a, " world", 6, 0, NULL));
    expect_message(b, d, "hello world", 11);
    skt_frame_decoder_free(d);
    skt_close(a);
    skt_close(b);
}

static void test_frame_recv_end_of_stream(void **state)
{
    skt_socket *a, *b;
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    (void)state;

    /* Between messages: 0, like recv. */
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    SKT_OK(skt_frame_send(a, NULL, "last", 4, NULL));
    skt_close(a);
    expect_message(b, d, "last", 4);
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), 0);
    skt_frame_decoder_free(d);
    skt_close(b);
    /* In the middle of one: SKT_EEOF. */
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    SKT_OK(skt_sendall(a, "\x00\x00\x00\x09half", 8, 0, NULL));
    skt_close(a);
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), SKT_EEOF);
    assert_non_null(strstr(skt_error_detail(), "8 bytes"));
    skt_frame_decoder_free(d);
    skt_close(b);
}

static void test_nonblocking_decoder_recv_and_pop(void **state)
{
    skt_socket *a, *b;
    skt_frame_decoder *d;
    const void *msg;
    size_t len;
    struct pollfd p;
    int got = 0;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_setblocking(b, false));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    assert_int_equal(skt_frame_decoder_recv(d, b), -EAGAIN);
    assert_int_equal(skt_frame_recv(b, d, &msg, &len), -EAGAIN);
    SKT_OK(skt_frame_send(a, NULL, "one", 3, NULL));
    SKT_OK(skt_frame_send(a, NULL, "two", 3, NULL));
    skt_close(a);
    /* An event loop: wait, receive, pop until nothing is left. */
    for (;;) {
        ssize_t n;
        p = (struct pollfd){.fd = skt_test_fd(b), .events = POLLIN};
        assert_int_equal(poll(&p, 1, 5000), 1);
        n = skt_frame_decoder_recv(d, b);
        while (skt_frame_decoder_pop(d, &msg, &len) == 1) {
            assert_memory_equal(msg, got == 0 ? "one" : "two", 3);
            got++;
        }
        if (n == 0)
            break;
        assert_true(n > 0);
    }
    assert_int_equal(got, 2);
    skt_frame_decoder_free(d);
    skt_close(b);
}

static void test_frame_send_timeout_reports_bytes_sent(void **state)
{
    enum { SIZE = 4 << 20 };
    skt_socket *a, *b;
    char *data = calloc(1, SIZE);
    size_t sent = 0;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(a, 0.1));
    assert_int_equal(skt_frame_send(a, NULL, data, SIZE, &sent), -ETIMEDOUT);
    assert_true(sent > 4 && sent < SIZE + 4);
    assert_non_null(strstr(skt_error_detail(), "of the frame sent"));
    skt_close(a);
    skt_close(b);
    free(data);
}

static void test_bad_options_are_einval(void **state)
{
    static const skt_frame_opts bad[] = {
        {.kind = 7},
        {.header_size = 3},
        {.flags = 0x10},
        {.kind = SKT_FRAME_DELIMITER, .delimiter = "x", .delimiter_len = 0},
        {.kind = SKT_FRAME_DELIMITER, .delimiter = "x", .delimiter_len = 257},
        {.kind = SKT_FRAME_FIXED},
        {.kind = SKT_FRAME_FIXED, .size = 100, .max_size = 99},
    };
    skt_frame_decoder *d = (skt_frame_decoder *)1;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(skt_frame_decoder_new(&d, &bad[i]), -EINVAL);
        assert_null(d);
        assert_non_null(strstr(skt_error_detail(), "frame options"));
    }
    assert_int_equal(skt_frame_decoder_new(NULL, NULL), -EINVAL);
    assert_int_equal(skt_frame_send(NULL, NULL, "x", 1, NULL), -EINVAL);
    skt_frame_decoder_free(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_header_bytes_for_every_size_and_byte_order),
    cmocka_unit_test(test_header_too_small_for_length_is_emsgtoobig),
    cmocka_unit_test(test_round_trip_every_header_size_and_byte_order),
    cmocka_unit_test(test_decoder_reads_python_struct_headers),
    cmocka_unit_test(test_delimiter_split_across_receives),
    cmocka_unit_test(test_delimiter_default_is_newline),
    cmocka_unit_test(test_message_holding_the_delimiter_is_refused),
    cmocka_unit_test(test_fixed_size_messages),
    cmocka_unit_test(test_max_size_length_prefixed_skips_the_message),
    cmocka_unit_test(test_max_size_delimited_skips_to_the_delimiter),
    cmocka_unit_test(test_max_size_over_a_socket_then_next_message),
    cmocka_unit_test(test_decoder_bytewise_random_and_whole_agree),
    cmocka_unit_test(test_frame_recv_timeout_keeps_the_partial_message),
    cmocka_unit_test(test_frame_recv_end_of_stream),
    cmocka_unit_test(test_nonblocking_decoder_recv_and_pop),
    cmocka_unit_test(test_frame_send_timeout_reports_bytes_sent),
    cmocka_unit_test(test_bad_options_are_einval),
};

SKT_TEST_MAIN(tests)
