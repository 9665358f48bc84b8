/*
 * framing.c - what --frame needs besides the library's framing: the lines
 * of a byte stream (stdin, or -e's program) taken one by one as messages,
 * the rule that a message must fit the framing (fixed:N), and a message
 * as one datagram and back (-u: each frame one datagram).
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

size_t frame_max(const struct config *c)
{
    return c->frame.max_size ? c->frame.max_size : SKT_FRAME_MAX_DEFAULT;
}

void lines_init(struct lines *l, const struct config *c)
{
    memset(l, 0, sizeof *l);
    l->max = frame_max(c);
}

void lines_free(struct lines *l)
{
    free(l->buf);
    memset(l, 0, sizeof *l);
}

/* A line over --frame-max; returns SKT_EMSGTOOBIG. */
static int too_long(const struct lines *l)
{
    return skt_set_error_detail(SKT_EMSGTOOBIG, "--frame: a line of more "
                                "than %zu bytes (--frame-max)", l->max);
}

int lines_add(struct lines *l, const char *buf, size_t len)
{
    size_t held = l->len - l->start;
    char *grown;

    if (len == 0)
        return 0;
    if (l->start > 0) {
        memmove(l->buf, l->buf + l->start, held);
        l->start = 0;
        l->len = held;
    }
    if (held + len > l->cap) {
        size_t cap = held + len < 4096 ? 4096 : 2 * (held + len);
        if ((grown = realloc(l->buf, cap)) == NULL)
            return skt_set_error_detail(-ENOMEM, "--frame: out of memory");
        l->buf = grown;
        l->cap = cap;
    }
    memcpy(l->buf + l->len, buf, len);
    l->len += len;
    return 0;
}

int lines_next(struct lines *l, bool at_end, const char **line,
               size_t *len)
{
    const char *begin = l->buf + l->start;
    size_t held = l->len - l->start;
    const char *end = held ? memchr(begin, '\n', held) : NULL;
    size_t n = end ? (size_t)(end - begin) : held;

    if (n > l->max)
        return too_long(l);
    if (end == NULL && (!at_end || held == 0))
        return 0;
    *line = begin;
    *len = n;
    l->start += end ? n + 1 : n;
    return 1;
}

int message_fits(const struct config *c, size_t len)
{
    const skt_frame_opts *f = &c->frame;

    if (f->kind == SKT_FRAME_FIXED && len != f->size)
        return skt_set_error_detail(-EINVAL, "--frame fixed:%zu: a line of "
                                    "%zu bytes (not sent)", f->size, len);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Datagrams                                                                */
/* ------------------------------------------------------------------------ */

int frame_datagram(const struct config *c, const char *msg, size_t len,
                   char *out, size_t cap)
{
    const skt_frame_opts *f = &c->frame;
    size_t trailer = f->kind == SKT_FRAME_DELIMITER ? f->delimiter_len : 0;
    char header[8];
    int header_len = 0, rc = message_fits(c, len);

    if (rc == 0 && f->kind == SKT_FRAME_LENGTH)
        rc = header_len = skt_frame_header(f, len, header);
    if (rc < 0)
        return rc;
    if ((size_t)header_len + len + trailer > cap)
        return skt_set_error_detail(-EMSGSIZE, "--frame: a message of %zu "
                                    "bytes does not fit in a datagram",
                                    len);
    memcpy(out, header, (size_t)header_len);
    memcpy(out + header_len, msg, len);
    if (trailer > 0)
        memcpy(out + header_len + len, f->delimiter, trailer);
    return (int)((size_t)header_len + len + trailer);
}

int unframe_datagram(const struct config *c, const char *buf, size_t len,
                     int (*each)(void *arg, const void *msg, size_t len),
                     void *arg)
{
    skt_frame_decoder *d;
    const void *msg;
    size_t msg_len;
    int rc = skt_frame_decoder_new(&d, &c->frame);

    if (rc == 0)
        rc = skt_frame_decoder_feed(d, buf, len);
    while (rc == 0 && (rc = skt_frame_decoder_pop(d, &msg, &msg_len)) == 1)
        rc = each(arg, msg, msg_len);
    if (rc == 0 && skt_frame_decoder_buffered(d) > 0)
        rc = skt_set_error_detail(-EPROTO, "--frame: a datagram of %zu "
                                  "bytes that is not whole messages", len);
    skt_frame_decoder_free(d);
    return rc;
}
