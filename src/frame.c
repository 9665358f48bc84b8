/*
 * frame.c - message framing: length-prefixed (1, 2, 4 or 8-byte header,
 * either byte order), delimiter-terminated and fixed-size messages.
 * Sending builds the frame and sends it under one deadline; the decoder
 * finds messages in bytes fed to it or received into it. A message over
 * the decoder's maximum is reported once and then skipped byte for byte,
 * so that what follows it is never misread as a message start.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Bytes gathered on the stack so that a header and a short message, or a
 * message and its delimiter, leave in one send (two small sends would meet
 * Nagle's algorithm and the peer's delayed ACK). */
#define STAGE_SIZE 8192

/* Room made in the decoder's buffer before each receive. */
#define RECV_ROOM 16384

/* The options, checked and with the defaults filled in. */
struct framing {
    int kind;
    int header_size;
    bool little_endian;
    size_t delimiter_len;
    size_t size;
    uint64_t max;
    char delimiter[SKT_FRAME_DELIMITER_MAX];
};

struct skt_frame_decoder {
    struct framing f;
    struct skt__buf buf;
    /* Bytes of an oversized length-prefixed message still to drop. */
    uint64_t skip;
    /* Dropping an oversized delimited message up to its delimiter. */
    bool skip_to_delimiter;
    /* Bytes at the front of buf known to hold no delimiter. */
    size_t searched;
};

/* ------------------------------------------------------------------------ */
/* Options and headers                                                      */
/* ------------------------------------------------------------------------ */

/* The largest length a header of n bytes can hold. */
static uint64_t header_limit(int n)
{
    return n == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * n)) - 1;
}

static int check_kind(const skt_frame_opts *o, struct framing *f)
{
    switch (o->kind) {
    case SKT_FRAME_LENGTH:
        f->header_size = o->header_size ? o->header_size : 4;
        if (f->header_size != 1 && f->header_size != 2 &&
            f->header_size != 4 && f->header_size != 8)
            return skt__fail(-EINVAL, "frame options: header size %d "
                             "(1, 2, 4 or 8)", o->header_size);
        if (f->max > header_limit(f->header_size))
            f->max = header_limit(f->header_size);
        return 0;
    case SKT_FRAME_DELIMITER:
        f->delimiter_len = o->delimiter ? o->delimiter_len : 1;
        if (f->delimiter_len == 0 ||
            f->delimiter_len > SKT_FRAME_DELIMITER_MAX)
            return skt__fail(-EINVAL, "frame options: delimiter of %zu "
                             "bytes (1..%d)", o->delimiter_len,
                             SKT_FRAME_DELIMITER_MAX);
        memcpy(f->delimiter, o->delimiter ? o->delimiter : "\n",
               f->delimiter_len);
        return 0;
    case SKT_FRAME_FIXED:
        f->size = o->size;
        if (o->size == 0 || o->size > f->max)
            return skt__fail(-EINVAL, "frame options: fixed size %zu "
                             "(1..max_size %llu)", o->size,
                             (unsigned long long)f->max);
        return 0;
    default:
        return skt__fail(-EINVAL, "frame options: unknown kind %d", o->kind);
    }
}

/* Checks opts (NULL: the defaults) into f. Returns 0 or -EINVAL. */
static int check_opts(const skt_frame_opts *opts, struct framing *f)
{
    static const skt_frame_opts defaults;

    int rc;

    if (opts == NULL)
        opts = &defaults;
    memset(f, 0, offsetof(struct framing, delimiter));
    if ((rc = SKT__CHECK_RESERVED(opts, "frame options")) < 0)
        return rc;
    if (opts->flags & ~SKT_FRAME_LITTLE_ENDIAN)
        return skt__fail(-EINVAL, "frame options: unknown flags %#x",
                         (unsigned)opts->flags);
    f->kind = opts->kind;
    f->little_endian = (opts->flags & SKT_FRAME_LITTLE_ENDIAN) != 0;
    f->max = opts->max_size ? opts->max_size : SKT_FRAME_MAX_DEFAULT;
    return check_kind(opts, f);
}

static void put_length(const struct framing *f, uint64_t len,
                       unsigned char *out)
{
    for (int i = 0; i < f->header_size; i++) {
        int shift = f->little_endian ? i : f->header_size - 1 - i;
        out[i] = (unsigned char)(len >> (8 * shift));
    }
}

static uint64_t get_length(const struct framing *f, const unsigned char *in)
{
    uint64_t len = 0;

    for (int i = 0; i < f->header_size; i++) {
        int shift = f->little_endian ? i : f->header_size - 1 - i;
        len |= (uint64_t)in[i] << (8 * shift);
    }
    return len;
}

int skt_frame_header(const skt_frame_opts *opts, uint64_t len, void *out)
{
    struct framing f;
    int rc;

    SKT__CHECK(out != NULL, "NULL argument");
    rc = check_opts(opts, &f);
    if (rc < 0)
        return rc;
    if (f.kind != SKT_FRAME_LENGTH)
        return skt__fail(-EINVAL, "frame header: the options are not "
                         "SKT_FRAME_LENGTH");
    if (len > header_limit(f.header_size))
        return skt__fail(SKT_EMSGTOOBIG, "frame header: %llu bytes do not "
                         "fit in a %d-byte length", (unsigned long long)len,
                         f.header_size);
    put_length(&f, len, out);
    return f.header_size;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */
/* ------------------------------------------------------------------------ */

struct part {
    const void *data;
    size_t len;
};

/* Sends the staged bytes; counts them into *sent as they go. */
static int send_stage(skt_socket *s, const char *stage, size_t *used,
                      int64_t *deadline, size_t *sent)
{
    size_t done;
    int rc = skt__sendall_until(s, stage, *used, deadline, &done);

    *sent += done;
    *used = 0;
    return rc;
}

/*
 * Sends the parts in order as one stream of bytes, gathering short ones
 * on the stack so that they leave together; a long part goes out from
 * where it is, without a copy.
 */
static int send_parts(skt_socket *s, const struct part *parts, int count,
                      int64_t *deadline, size_t *sent)
{
    char stage[STAGE_SIZE];
    size_t used = 0, done;
    int rc = 0;

    for (int i = 0; i < count && rc == 0; i++) {
        if (used + parts[i].len <= STAGE_SIZE) {
            memcpy(stage + used, parts[i].data, parts[i].len);
            used += parts[i].len;
            continue;
        }
        if (used > 0)
            rc = send_stage(s, stage, &used, deadline, sent);
        if (rc == 0) {
            rc = skt__sendall_until(s, parts[i].data, parts[i].len, deadline,
                                    &done);
            *sent += done;
        }
    }
    if (rc == 0 && used > 0)
        rc = send_stage(s, stage, &used, deadline, sent);
    return rc;
}

/* Splits one message into the parts of its frame: header or delimiter. */
static int frame_parts(const struct framing *f, const void *msg, size_t len,
                       unsigned char *header, struct part *parts)
{
    parts[0] = (struct part){msg, len};
    switch (f->kind) {
    case SKT_FRAME_LENGTH:
        if (len > header_limit(f->header_size))
            return skt__fail(SKT_EMSGTOOBIG, "frame send: %zu bytes do not "
                             "fit in a %d-byte length", len, f->header_size);
        put_length(f, len, header);
        parts[1] = parts[0];
        parts[0] = (struct part){header, (size_t)f->header_size};
        return 2;
    case SKT_FRAME_DELIMITER: {
        const char *hit = skt__memmem(msg, len, f->delimiter,
                                      f->delimiter_len);
        if (hit != NULL)
            return skt__fail(-EINVAL, "frame send: the message holds the "
                             "delimiter at byte %zu",
                             (size_t)(hit - (const char *)msg));
        parts[1] = (struct part){f->delimiter, f->delimiter_len};
        return 2;
    }
    default:
        if (len != f->size)
            return skt__fail(-EINVAL, "frame send: %zu bytes for a fixed "
                             "size of %zu", len, f->size);
        return 1;
    }
}

int skt_frame_send(skt_socket *s, const skt_frame_opts *opts,
                   const void *msg, size_t len, size_t *sent)
{
    struct framing f;
    struct part parts[2];
    unsigned char header[8];
    size_t done = 0;
    int64_t deadline;
    int count, rc;

    if (sent != NULL)
        *sent = 0;
    SKT__CHECK(s != NULL && (msg != NULL || len == 0), "NULL argument");
    rc = check_opts(opts, &f);
    if (rc < 0)
        return rc;
    count = frame_parts(&f, msg != NULL ? msg : "", len, header, parts);
    if (count < 0)
        return count;
    deadline = skt__op_deadline(s);
    rc = send_parts(s, parts, count, &deadline, &done);
    if (sent != NULL)
        *sent = done;
    if (rc < 0)
        return skt__fail(rc, "frame send of %zu bytes: %zu bytes of the "
                         "frame sent", len, done);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The decoder                                                              */
/* ------------------------------------------------------------------------ */

int skt_frame_decoder_new(skt_frame_decoder **out,
                          const skt_frame_opts *opts)
{
    skt_frame_decoder *d;
    struct framing f;
    int rc;

    SKT__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    rc = check_opts(opts, &f);
    if (rc < 0)
        return rc;
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return skt__fail(-ENOMEM, "frame decoder");
    d->f = f;
    *out = d;
    return 0;
}

void skt_frame_decoder_free(skt_frame_decoder *d)
{
    if (d == NULL)
        return;
    skt__buf_free(&d->buf);
    free(d);
}

size_t skt_frame_decoder_buffered(const skt_frame_decoder *d)
{
    return d != NULL ? skt__buf_len(&d->buf) : 0;
}

int skt_frame_decoder_feed(skt_frame_decoder *d, const void *data,
                           size_t len)
{
    const char *p = data;
    int rc;

    SKT__CHECK(d != NULL && (data != NULL || len == 0), "NULL argument");
    /* Bytes of an oversized message are dropped before they are copied,
     * so skipping even a huge one costs no memory. */
    if (d->skip > 0 && skt__buf_len(&d->buf) == 0) {
        size_t drop = d->skip < len ? (size_t)d->skip : len;
        d->skip -= drop;
        p += drop;
        len -= drop;
    }
    rc = skt__buf_append(&d->buf, p, len);
    if (rc < 0)
        return skt__fail(rc, "frame decoder: feeding %zu bytes", len);
    return 0;
}

/* Drops what is known to belong to an oversized message. Returns true
 * while there is more of it to come. */
static bool drop_skipped(skt_frame_decoder *d)
{
    struct skt__buf *b = &d->buf;
    size_t len = skt__buf_len(b), keep;
    const char *hit;

    if (d->skip > 0) {
        size_t drop = d->skip < len ? (size_t)d->skip : len;
        d->skip -= drop;
        skt__buf_consume(b, drop);
        return d->skip > 0;
    }
    if (!d->skip_to_delimiter)
        return false;
    hit = skt__memmem(b->data + b->start, len, d->f.delimiter,
                      d->f.delimiter_len);
    if (hit != NULL) {
        skt__buf_consume(b, (size_t)(hit - (b->data + b->start)) +
                                d->f.delimiter_len);
        d->skip_to_delimiter = false;
        return false;
    }
    /* The last bytes may be the start of the delimiter. */
    keep = d->f.delimiter_len - 1;
    skt__buf_consume(b, len > keep ? len - keep : 0);
    return true;
}

static int too_big(uint64_t len, uint64_t max)
{
    return skt__fail(SKT_EMSGTOOBIG, "frame decoder: a message of %llu "
                     "bytes, over the maximum of %llu (skipped)",
                     (unsigned long long)len, (unsigned long long)max);
}

static int no_delimiter(uint64_t max)
{
    return skt__fail(SKT_EMSGTOOBIG, "frame decoder: no delimiter within "
                     "the maximum of %llu bytes (message skipped)",
                     (unsigned long long)max);
}

/* Hands out the first len bytes as a message. */
static int give(skt_frame_decoder *d, size_t skip_front, size_t len,
                size_t trailer, const void **msg, size_t *out_len)
{
    struct skt__buf *b = &d->buf;

    *msg = b->data + b->start + skip_front;
    *out_len = len;
    skt__buf_consume(b, skip_front + len + trailer);
    d->searched = 0;
    return 1;
}

static int pop_length(skt_frame_decoder *d, const void **msg, size_t *len)
{
    struct skt__buf *b = &d->buf;
    size_t have = skt__buf_len(b), h = (size_t)d->f.header_size;
    uint64_t want;

    if (have < h)
        return 0;
    want = get_length(&d->f, (const unsigned char *)b->data + b->start);
    if (want > d->f.max) {
        skt__buf_consume(b, h);
        d->skip = want;
        drop_skipped(d);
        return too_big(want, d->f.max);
    }
    if (have - h < want)
        return 0;
    return give(d, h, (size_t)want, 0, msg, len);
}

/*
 * A message of at most max bytes has its delimiter within the first max +
 * delimiter_len bytes; bytes searched once are not searched again, so a
 * message fed one byte at a time costs linear time.
 */
static int pop_delimited(skt_frame_decoder *d, const void **msg,
                         size_t *len)
{
    struct skt__buf *b = &d->buf;
    size_t have = skt__buf_len(b), dlen = d->f.delimiter_len;
    size_t window, from;
    const char *start, *hit = NULL;

    if (have < dlen)
        return 0;
    start = b->data + b->start;
    window = have - dlen < d->f.max ? have : (size_t)d->f.max + dlen;
    from = d->searched >= dlen ? d->searched - (dlen - 1) : 0;
    if (window > from)
        hit = skt__memmem(start + from, window - from, d->f.delimiter,
                          dlen);
    if (hit != NULL)
        return give(d, 0, (size_t)(hit - start), dlen, msg, len);
    d->searched = window;
    if (have - dlen < d->f.max)
        return 0;
    d->skip_to_delimiter = true;
    d->searched = 0;
    drop_skipped(d);
    return no_delimiter(d->f.max);
}

int skt_frame_decoder_pop(skt_frame_decoder *d, const void **msg,
                          size_t *len)
{
    SKT__CHECK(d != NULL && msg != NULL && len != NULL, "NULL argument");
    *msg = NULL;
    *len = 0;
    if (drop_skipped(d))
        return 0;
    switch (d->f.kind) {
    case SKT_FRAME_LENGTH:
        return pop_length(d, msg, len);
    case SKT_FRAME_DELIMITER:
        return pop_delimited(d, msg, len);
    default:
        if (skt__buf_len(&d->buf) < d->f.size)
            return 0;
        return give(d, 0, d->f.size, 0, msg, len);
    }
}

/* One receive into the decoder's buffer under the caller's deadline. */
static ssize_t receive(skt_frame_decoder *d, skt_socket *s,
                       int64_t *deadline)
{
    struct skt__buf *b = &d->buf;
    ssize_t n;
    int rc;

    rc = skt__buf_reserve(b, RECV_ROOM);
    if (rc < 0)
        return rc;
    n = skt__recv_once(s, b->data + b->end, b->cap - b->end, deadline);
    if (n > 0)
        b->end += (size_t)n;
    return n;
}

ssize_t skt_frame_decoder_recv(skt_frame_decoder *d, skt_socket *s)
{
    int64_t deadline = 0;
    ssize_t n;

    SKT__CHECK(d != NULL && s != NULL, "NULL argument");
    n = receive(d, s, &deadline);
    if (n < 0)
        return skt__fail((int)n, "frame decoder: recv (%zu bytes held)",
                         skt__buf_len(&d->buf));
    return n;
}

int skt_frame_recv(skt_socket *s, skt_frame_decoder *d, const void **msg,
                   size_t *len)
{
    int64_t deadline = 0;

    SKT__CHECK(s != NULL && d != NULL && msg != NULL && len != NULL,
               "NULL argument");
    for (;;) {
        int rc = skt_frame_decoder_pop(d, msg, len);
        ssize_t n;

        if (rc != 0)
            return rc;
        n = receive(d, s, &deadline);
        if (n < 0)
            return skt__fail((int)n, "frame recv: %zu bytes of a message "
                             "held", skt__buf_len(&d->buf));
        if (n == 0 && (skt__buf_len(&d->buf) > 0 || d->skip > 0 ||
                       d->skip_to_delimiter))
            return skt__fail(SKT_EEOF, "frame recv: closed with %zu bytes "
                             "of a message held", skt__buf_len(&d->buf));
        if (n == 0)
            return 0;
    }
}
