/*
 * fuzz-frame.c - libFuzzer target for the frame decoder. The first four
 * bytes choose the framing (kind, header size and byte order, or the
 * delimiter's length, and a small maximum size); the rest is the byte
 * stream. It is decoded three times, fed all at once, one byte at a time,
 * and in pieces whose sizes come from the input: the three must give the
 * same messages and the same SKT_EMSGTOOBIG reports, and every message
 * must fit the framing (no longer than the maximum, the right size, no
 * delimiter inside). A mismatch aborts, which libFuzzer reports.
 */
#include <skt.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What pops out of a decoder, one record per pop: code, length, bytes. */
struct log {
    uint8_t *bytes;
    size_t len;
    size_t cap;
};

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-frame: %s (%s)\n", what, skt_error_detail());
        abort();
    }
}

static void log_add(struct log *log, int rc, const void *msg, size_t len)
{
    size_t need = log->len + sizeof rc + sizeof len + len;

    if (need > log->cap) {
        log->cap = need * 2;
        log->bytes = realloc(log->bytes, log->cap);
        check(log->bytes != NULL, "out of memory");
    }
    memcpy(log->bytes + log->len, &rc, sizeof rc);
    memcpy(log->bytes + log->len + sizeof rc, &len, sizeof len);
    if (len > 0)
        memcpy(log->bytes + log->len + sizeof rc + sizeof len, msg, len);
    log->len = need;
}

static bool same_log(const struct log *x, const struct log *y)
{
    return x->len == y->len &&
           (x->len == 0 || memcmp(x->bytes, y->bytes, x->len) == 0);
}

/* Checks one message against the framing's promises. */
static void check_message(const skt_frame_opts *o, const void *msg,
                          size_t len)
{
    check(len <= o->max_size, "message over the maximum");
    if (o->kind == SKT_FRAME_FIXED)
        check(len == o->size, "fixed-size message of another size");
    if (o->kind == SKT_FRAME_DELIMITER)
        check(memmem(msg, len, o->delimiter, o->delimiter_len) == NULL,
              "message holds the delimiter");
}

/* Decodes the stream fed in pieces: step 0 means sizes from the seed. */
static void decode(const skt_frame_opts *o, const uint8_t *s, size_t n,
                   size_t step, struct log *log)
{
    skt_frame_decoder *d;
    uint32_t seed = (uint32_t)n;

    check(skt_frame_decoder_new(&d, o) == 0, "decoder_new failed");
    check(skt_frame_decoder_pop(d, &(const void *){NULL}, &(size_t){0}) == 0,
          "a message from nothing");
    for (size_t off = 0; off < n;) {
        size_t piece = step ? step : 1 + (seed = seed * 1103515245u +
                                                 12345u) % 37;
        const void *msg;
        size_t len;
        int rc;
        if (piece > n - off)
            piece = n - off;
        check(skt_frame_decoder_feed(d, s + off, piece) == 0, "feed failed");
        off += piece;
        while ((rc = skt_frame_decoder_pop(d, &msg, &len)) != 0) {
            check(rc == 1 || rc == SKT_EMSGTOOBIG, "unexpected pop code");
            if (rc == 1)
                check_message(o, msg, len);
            log_add(log, rc, msg, len);
        }
    }
    skt_frame_decoder_free(d);
}

/* Reads the framing from the first bytes; returns how many it used. */
static size_t choose_opts(const uint8_t *data, size_t size,
                          skt_frame_opts *o)
{
    static const int sizes[] = {1, 2, 4, 8};

    if (size < 4)
        return 0;
    memset(o, 0, sizeof *o);
    o->kind = data[0] % 3;
    o->header_size = sizes[data[1] & 3];
    o->flags = data[1] & 4 ? SKT_FRAME_LITTLE_ENDIAN : 0;
    o->max_size = 1 + (size_t)(data[2] | (data[3] & 1) << 8);
    if (o->kind == SKT_FRAME_FIXED)
        o->size = 1 + data[1] % o->max_size;
    if (o->kind != SKT_FRAME_DELIMITER)
        return 4;
    /* The delimiter is the next 1..4 bytes of the input. */
    o->delimiter_len = 1 + (data[1] >> 4) % 4;
    o->delimiter = data + 4;
    return size >= 4 + o->delimiter_len ? 4 + o->delimiter_len : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct log whole = {0}, bytewise = {0}, pieces = {0};
    skt_frame_opts o;
    size_t used = choose_opts(data, size, &o);

    if (used == 0)
        return 0;
    decode(&o, data + used, size - used, size - used + 1, &whole);
    decode(&o, data + used, size - used, 1, &bytewise);
    decode(&o, data + used, size - used, 0, &pieces);
    check(same_log(&whole, &bytewise),
          "one byte at a time differs from all at once");
    check(same_log(&whole, &pieces), "pieces differ from all at once");
    free(whole.bytes);
    free(bytewise.bytes);
    free(pieces.bytes);
    return 0;
}
