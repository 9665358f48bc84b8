/*
 * stream.c - skt_stream, Python's makefile() without its flaws: a read
 * buffer that a failed call never drains (so a timeout loses nothing and
 * the next call goes on), a write buffer, and one deadline per call. All
 * I/O goes through the socket's transport (skt__recv_once and friends in
 * io.c), so a stream works over TLS unchanged.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Longest delimiter skt_stream_readuntil accepts. */
#define DELIM_MAX 256

/* A read buffer grown past this many times its initial size is given back
 * once it empties, so that one long line does not pin memory for good. */
#define SHRINK_FACTOR 4

/* ------------------------------------------------------------------------ */
/* The object                                                               */
/* ------------------------------------------------------------------------ */

struct skt_stream {
    skt_socket *socket;
    bool close_socket;
    size_t read_size;  /* the read buffer's initial capacity */
    size_t write_size; /* bytes held before a write sends */
    struct skt__buf in;
    struct skt__buf out;
};

int skt_makefile(skt_socket *s, skt_stream **out, const skt_stream_opts *opts)
{
    static const skt_stream_opts defaults;
    skt_stream *st;
    int rc;

    SKT__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT__CHECK(s != NULL, "NULL argument");
    if (opts == NULL)
        opts = &defaults;
    if ((rc = SKT__CHECK_RESERVED(opts, "makefile options")) < 0)
        return rc;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return skt__fail(-ENOMEM, "makefile");
    st->socket = s;
    st->close_socket = opts->close_socket;
    st->read_size = opts->read_buffer ? opts->read_buffer
                                      : SKT_STREAM_BUFFER_DEFAULT;
    st->write_size = opts->write_buffer ? opts->write_buffer
                                        : SKT_STREAM_BUFFER_DEFAULT;
    *out = st;
    return 0;
}

int skt_stream_close(skt_stream *st)
{
    int rc = 0;

    if (st == NULL)
        return 0;
    if (skt__buf_len(&st->out) > 0)
        rc = skt_stream_flush(st);
    if (st->close_socket) {
        int closed = skt_close(st->socket);
        if (rc == 0)
            rc = closed;
    }
    skt__buf_free(&st->in);
    skt__buf_free(&st->out);
    free(st);
    return rc;
}

skt_socket *skt_stream_socket(const skt_stream *st)
{
    return st != NULL ? st->socket : NULL;
}

/* ------------------------------------------------------------------------ */
/* Receiving into the read buffer                                           */
/* ------------------------------------------------------------------------ */

/*
 * Prepares the read buffer for a receive: the bytes move to the front (a
 * partial line is short, so this costs little), and a full buffer grows,
 * doubling but not past `want` bytes when the caller needs no more.
 */
static int make_room(skt_stream *st, size_t want)
{
    struct skt__buf *b = &st->in;
    size_t cap;

    skt__buf_compact(b);
    if (b->end < b->cap)
        return 0;
    if (b->cap == 0)
        return skt__buf_resize(b, st->read_size);
    cap = b->cap <= SIZE_MAX / 2 ? b->cap * 2 : SIZE_MAX;
    if (want > b->cap && cap > want)
        cap = want;
    return cap > b->cap ? skt__buf_resize(b, cap) : -ENOMEM;
}

/* Receives once into the read buffer. Returns the count (0 at end of
 * stream) or a code; on failure the buffered bytes are untouched. */
static ssize_t fill(skt_stream *st, size_t want, int64_t *deadline)
{
    struct skt__buf *b = &st->in;
    ssize_t n;
    int rc;

    rc = make_room(st, want);
    if (rc < 0)
        return rc;
    n = skt__recv_once(st->socket, b->data + b->end, b->cap - b->end,
                       deadline);
    if (n > 0)
        b->end += (size_t)n;
    return n;
}

/* Copies n buffered bytes out and takes them. */
static void take(skt_stream *st, void *buf, size_t n)
{
    if (n == 0)
        return;
    memcpy(buf, st->in.data + st->in.start, n);
    skt__buf_consume(&st->in, n);
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Called first by every read: a buffer that grew for one long line or
 * exact read is given back once it is empty. Doing it here, not when the
 * bytes are taken, keeps a pointer from readline_view valid until the next
 * call.
 */
static void relax(skt_stream *st)
{
    if (st->in.start == st->in.end &&
        st->in.cap > SHRINK_FACTOR * st->read_size)
        skt__buf_free(&st->in);
}

ssize_t skt_stream_read(skt_stream *st, void *buf, size_t len)
{
    int64_t deadline = 0;
    bool direct;
    size_t have;
    ssize_t n;

    SKT__CHECK(st != NULL && (buf != NULL || len == 0), "NULL argument");
    if (len == 0)
        return 0;
    relax(st);
    if (skt__buf_len(&st->in) == 0) {
        /* A read as large as the buffer skips it: one copy fewer. */
        direct = len >= st->read_size;
        n = direct ? skt__recv_once(st->socket, buf, len, &deadline)
                   : fill(st, 0, &deadline);
        if (n < 0)
            return skt__fail((int)n, "stream read of up to %zu bytes", len);
        if (n == 0 || direct)
            return n;
    }
    have = skt__buf_len(&st->in);
    n = (ssize_t)(have < len ? have : len);
    take(st, buf, (size_t)n);
    return n;
}

ssize_t skt_stream_peek(skt_stream *st, void *buf, size_t len)
{
    int64_t deadline = 0;
    size_t have;

    SKT__CHECK(st != NULL && (buf != NULL || len == 0), "NULL argument");
    if (len == 0)
        return 0;
    relax(st);
    if (skt__buf_len(&st->in) == 0) {
        ssize_t n = fill(st, 0, &deadline);
        if (n <= 0)
            return n < 0 ? skt__fail((int)n, "stream peek of up to %zu "
                                     "bytes", len) : 0;
    }
    have = skt__buf_len(&st->in);
    if (have > len)
        have = len;
    memcpy(buf, st->in.data + st->in.start, have);
    return (ssize_t)have;
}

/* Makes the read buffer able to hold want bytes at once. */
static int ensure_capacity(skt_stream *st, size_t want)
{
    if (st->in.cap >= want)
        return 0;
    return skt__buf_resize(&st->in,
                           want > st->read_size ? want : st->read_size);
}

int skt_stream_read_exact(skt_stream *st, void *buf, size_t len)
{
    int64_t deadline;
    int rc;

    SKT__CHECK(st != NULL && (buf != NULL || len == 0), "NULL argument");
    if (len == 0)
        return 0;
    relax(st);
    deadline = skt__op_deadline(st->socket);
    rc = ensure_capacity(st, len);
    while (rc == 0 && skt__buf_len(&st->in) < len) {
        ssize_t n = fill(st, len, &deadline);
        if (n <= 0)
            rc = n == 0 ? SKT_EEOF : (int)n;
    }
    if (rc < 0)
        return skt__fail(rc, "stream read_exact: %zu of %zu bytes "
                         "received (kept buffered)",
                         skt__buf_len(&st->in) < len ? skt__buf_len(&st->in)
                                                     : len, len);
    take(st, buf, len);
    return 0;
}

/* The first occurrence of delim in data[0, len), or NULL. */
static const char *search(const char *data, size_t len, const char *delim,
                          size_t delim_len)
{
    if (delim_len == 1)
        return memchr(data, delim[0], len);
    return skt__memmem(data, len, delim, delim_len);
}

/*
 * Waits until the buffer holds a record: bytes up to and including the
 * first delimiter, at most max in all. Returns the record's length, or at
 * end of stream the length of what is left (0 when nothing is), or a code.
 * Bytes already searched are not searched again, so a line that arrives
 * one byte at a time costs linear time.
 */
static ssize_t find_record(skt_stream *st, const char *delim,
                           size_t delim_len, size_t max)
{
    struct skt__buf *b = &st->in;
    int64_t deadline = 0;
    size_t searched = 0;

    relax(st);
    for (;;) {
        size_t len = skt__buf_len(b);
        size_t limit = len < max ? len : max;
        /* A delimiter may straddle the end of what was searched. */
        size_t from = searched >= delim_len ? searched - (delim_len - 1) : 0;
        const char *hit = NULL;
        ssize_t n;

        if (limit > from)
            hit = search(b->data + b->start + from, limit - from, delim,
                         delim_len);
        if (hit != NULL)
            return hit - (b->data + b->start) + (ssize_t)delim_len;
        if (len >= max)
            return SKT_ELINETOOLONG;
        searched = limit;
        n = fill(st, max, &deadline);
        if (n <= 0)
            return n == 0 ? (ssize_t)skt__buf_len(b) : n;
    }
}

/* Fails a readline-style call with a sentence that tells what is kept. */
static ssize_t fail_record(const skt_stream *st, ssize_t rc, const char *op,
                           size_t max)
{
    if (rc == SKT_ELINETOOLONG)
        return skt__fail((int)rc, "%s: no delimiter in the first %zu bytes "
                         "(kept buffered)", op, max);
    return skt__fail((int)rc, "%s: %zu bytes of a line received (kept "
                     "buffered)", op, skt__buf_len(&st->in));
}

ssize_t skt_stream_readuntil(skt_stream *st, const void *delim,
                             size_t delim_len, void *buf, size_t max)
{
    ssize_t n;

    SKT__CHECK(st != NULL && buf != NULL && delim != NULL, "NULL argument");
    if (delim_len == 0 || delim_len > DELIM_MAX)
        return skt__fail(-EINVAL, "stream readuntil: delimiter length %zu "
                         "outside 1..%d", delim_len, DELIM_MAX);
    SKT__CHECK(max > 0, "max 0");
    n = find_record(st, delim, delim_len, max);
    if (n < 0)
        return fail_record(st, n, "stream readuntil", max);
    take(st, buf, (size_t)n);
    return n;
}

/* The length of the first buffered line when it is whole and at most max
 * bytes long, else 0: the common case, checked without a call. */
static inline size_t buffered_line(const skt_stream *st, size_t max)
{
    size_t have = skt__buf_len(&st->in);
    const char *start, *nl;

    if (have == 0)
        return 0;
    start = st->in.data + st->in.start;
    nl = memchr(start, '\n', have < max ? have : max);
    return nl != NULL ? (size_t)(nl - start) + 1 : 0;
}

ssize_t skt_stream_readline(skt_stream *st, void *buf, size_t max)
{
    ssize_t n;

    SKT__CHECK(st != NULL && buf != NULL, "NULL argument");
    SKT__CHECK(max > 0, "max 0");
    n = (ssize_t)buffered_line(st, max);
    if (n == 0)
        n = find_record(st, "\n", 1, max);
    if (n < 0)
        return fail_record(st, n, "stream readline", max);
    take(st, buf, (size_t)n);
    return n;
}

ssize_t skt_stream_readline_view(skt_stream *st, size_t max,
                                 const void **line)
{
    ssize_t n;

    SKT__CHECK(st != NULL && line != NULL, "NULL argument");
    SKT__CHECK(max > 0, "max 0");
    *line = NULL;
    n = (ssize_t)buffered_line(st, max);
    if (n == 0)
        n = find_record(st, "\n", 1, max);
    if (n < 0)
        return fail_record(st, n, "stream readline", max);
    if (n > 0)
        *line = st->in.data + st->in.start;
    skt__buf_consume(&st->in, (size_t)n);
    return n;
}

size_t skt_stream_buffered(const skt_stream *st)
{
    return st != NULL ? skt__buf_len(&st->in) : 0;
}

const void *skt_stream_buffer(const skt_stream *st, size_t *len)
{
    size_t have = skt_stream_buffered(st);

    if (len != NULL)
        *len = have;
    return have > 0 ? st->in.data + st->in.start : NULL;
}

int skt_stream_consume(skt_stream *st, size_t n)
{
    SKT__CHECK(st != NULL, "NULL argument");
    if (n > skt__buf_len(&st->in))
        return skt__fail(-EINVAL, "stream consume of %zu bytes: only %zu "
                         "buffered", n, skt__buf_len(&st->in));
    skt__buf_consume(&st->in, n);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/* Sends what is held. On failure the bytes not sent stay held. */
static int send_held(skt_stream *st, int64_t *deadline)
{
    struct skt__buf *b = &st->out;
    size_t done;
    int rc;

    if (skt__buf_len(b) == 0)
        return 0;
    rc = skt__sendall_until(st->socket, b->data + b->start, skt__buf_len(b),
                            deadline, &done);
    skt__buf_consume(b, done);
    return rc;
}

/* Holds len bytes; the caller made sure they fit. */
static int hold(skt_stream *st, const void *buf, size_t len)
{
    struct skt__buf *b = &st->out;

    if (b->cap == 0) {
        b->data = malloc(st->write_size);
        if (b->data == NULL)
            return -ENOMEM;
        b->cap = st->write_size;
    }
    memcpy(b->data + b->end, buf, len);
    b->end += len;
    return 0;
}

int skt_stream_write(skt_stream *st, const void *buf, size_t len,
                     size_t *taken)
{
    int64_t deadline;
    size_t done = 0;
    int rc;

    if (taken != NULL)
        *taken = 0;
    SKT__CHECK(st != NULL && (buf != NULL || len == 0), "NULL argument");
    if (len == 0)
        return 0;
    /* The common case: the bytes fit, and no system call is made. */
    if (st->out.cap - st->out.end >= len) {
        memcpy(st->out.data + st->out.end, buf, len);
        st->out.end += len;
        done = len;
        rc = 0;
        goto out;
    }
    deadline = skt__op_deadline(st->socket);
    rc = send_held(st, &deadline);
    if (rc == 0 && len < st->write_size) {
        rc = hold(st, buf, len);
        done = rc == 0 ? len : 0;
    } else if (rc == 0) {
        rc = skt__sendall_until(st->socket, buf, len, &deadline, &done);
    }
out:
    if (taken != NULL)
        *taken = done;
    if (rc < 0)
        return skt__fail(rc, "stream write: %zu of %zu bytes taken, %zu "
                         "held", done, len, skt__buf_len(&st->out));
    return 0;
}

int skt_stream_flush(skt_stream *st)
{
    int64_t deadline;
    int rc;

    SKT__CHECK(st != NULL, "NULL argument");
    deadline = skt__op_deadline(st->socket);
    rc = send_held(st, &deadline);
    if (rc < 0)
        return skt__fail(rc, "stream flush: %zu bytes still held",
                         skt__buf_len(&st->out));
    return 0;
}

size_t skt_stream_pending(const skt_stream *st)
{
    return st != NULL ? skt__buf_len(&st->out) : 0;
}
