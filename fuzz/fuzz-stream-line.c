/*
 * fuzz-stream-line.c - libFuzzer target for skt_stream's line reader. The
 * first three bytes choose the read buffer's size, the maximum line length
 * and how many bytes each receive may bring (receives are cut short with
 * the fault injector); the rest is written into a socketpair and read back
 * with readline (or readuntil "\r\n" when the first byte is odd). Lines too
 * long are taken with skt_stream_read instead. Every byte must come back
 * once and in order; every record must end with its delimiter (only the
 * last may lack it, at end of stream), hold it nowhere else, and be at
 * most max bytes. A mismatch aborts, which libFuzzer reports.
 */
#include <skt.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The socket buffer holds this much, so the writer never blocks. */
#define INPUT_MAX 32768

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-stream-line: %s (%s)\n", what,
                skt_error_detail());
        abort();
    }
}

/* Checks one record of n bytes ending (or not, at the end) in delim. */
static void check_record(const char *rec, size_t n, const char *delim,
                         size_t dlen, size_t max, bool at_end)
{
    bool ends = n >= dlen && memcmp(rec + n - dlen, delim, dlen) == 0;

    check(n > 0 && n <= max, "record length outside 1..max");
    check(ends || at_end, "record without its delimiter before the end");
    check(memmem(rec, ends ? n - 1 : n, delim, dlen) == NULL,
          "record holds a delimiter before its end");
}

/* Reads everything back through st into out; returns the count. */
static size_t read_back(skt_stream *st, bool crlf, size_t max, char *out)
{
    const char *delim = crlf ? "\r\n" : "\n";
    size_t dlen = crlf ? 2 : 1, got = 0;
    char *rec = malloc(max);

    check(rec != NULL, "out of memory");
    for (;;) {
        ssize_t n = crlf ? skt_stream_readuntil(st, delim, dlen, rec, max)
                         : skt_stream_readline(st, rec, max);
        if (n == SKT_ELINETOOLONG) {
            check(skt_stream_buffered(st) >= max, "too long, too few bytes");
            n = skt_stream_read(st, rec, max);
            check(n == (ssize_t)max, "read after a long line");
        } else if (n > 0) {
            bool at_end = skt_stream_buffered(st) == 0;
            check_record(rec, (size_t)n, delim, dlen, max, at_end);
        }
        check(n >= 0, "read failed");
        if (n == 0)
            break;
        memcpy(out + got, rec, (size_t)n);
        got += (size_t)n;
    }
    free(rec);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    skt_socket *a, *b;
    skt_stream *st;
    skt_stream_opts opts;
    size_t max, n, got;
    char *out;

    if (size < 3 || size - 3 > INPUT_MAX)
        return 0;
    opts = (skt_stream_opts){.read_buffer = 1 + data[0] % 64};
    max = 2 + data[1] % 200;
    n = size - 3;
    check(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0) == 0, "pair");
    check(skt_sendall(a, data + 3, n, 0, NULL) == 0, "sendall");
    skt_close(a);
    check(skt_makefile(b, &st, &opts) == 0, "makefile");
    if (data[2] % 4 != 0)
        skt__sys_inject(SKT__OP_RECV, 0, 0, 1 << 30, data[2] % 17 + 1);
    out = malloc(n + 1);
    got = read_back(st, data[0] & 1, max, out);
    skt__sys_inject_clear();
    check(got == n && memcmp(out, data + 3, n) == 0,
          "bytes read back differ from those written");
    free(out);
    skt_stream_close(st);
    skt_close(b);
    return 0;
}
