/*
 * fuzz-cmsg.c - libFuzzer target for the ancillary-data parser and
 * builder. The input is read as received control data: the parser must
 * never read outside it, must always move forward, and must either reach
 * the end or refuse with -EINVAL and a detail. Every message it returns is
 * then added again with the builder, and the built buffer must parse to
 * the same messages, byte for byte. The fd and credential readers run on
 * what they are meant for; no fd is ever closed here.
 */
#include <skt.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-cmsg: %s: %s\n", what, skt_error_detail());
        abort();
    }
}

/* Runs the typed readers on a message and checks what they answer. */
static void read_typed(const skt_cmsg *c)
{
    int fds[4];
    skt_cred cred;
    ssize_t n = skt_cmsg_fds(c, fds, 4);
    int rc = skt_cmsg_creds(c, &cred);

    if (c->level == SOL_SOCKET && c->type == SCM_RIGHTS)
        check(n == (ssize_t)(c->len / sizeof(int)), "fd count");
    else
        check(n == -EINVAL, "fds of another message");
    check(rc == 0 || rc == -EINVAL, "creds");
}

/* Parses in, copying each message into out with the builder. Returns the
 * number of messages. */
static size_t parse_and_rebuild(const skt_ancbuf *in, skt_ancbuf *out)
{
    const unsigned char *start = in->data, *end = start + in->len;
    size_t pos = 0, count = 0;
    skt_cmsg c;
    int rc;

    while ((rc = skt_ancbuf_next(in, &pos, &c)) == 1) {
        const unsigned char *p = c.data;
        check(p >= start && p <= end && c.len <= (size_t)(end - p),
              "data outside the buffer");
        check(pos <= in->len, "position past the end");
        read_typed(&c);
        check(skt_ancbuf_add(out, c.level, c.type, c.data, c.len) == 0,
              "rebuild");
        count++;
    }
    check(rc == 0 || (rc == -EINVAL && skt_error_detail()[0] != '\0'),
          "parse result");
    return count;
}

/* The rebuilt buffer holds the same messages in the same order. */
static void compare(const skt_ancbuf *in, const skt_ancbuf *out,
                    size_t count)
{
    size_t pos_in = 0, pos_out = 0;
    skt_cmsg a, b;

    for (size_t i = 0; i < count; i++) {
        check(skt_ancbuf_next(in, &pos_in, &a) == 1, "first pass");
        check(skt_ancbuf_next(out, &pos_out, &b) == 1, "rebuilt message");
        check(a.level == b.level && a.type == b.type && a.len == b.len &&
                  memcmp(a.data, b.data, a.len) == 0,
              "rebuilt message differs");
    }
    check(skt_ancbuf_next(out, &pos_out, &b) == 0, "rebuilt buffer ends");
    check(pos_out == out->len, "rebuilt buffer fully read");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact sizes, so that AddressSanitizer sees any read past the end.
     * A rebuilt message needs at most 7 more bytes than it took. */
    unsigned char *copy = malloc(size > 0 ? size : 1);
    unsigned char *built = malloc(size + 8);
    skt_ancbuf in = {copy, size, size};
    skt_ancbuf out = {built, size + 8, 0};
    size_t count;

    if (copy == NULL || built == NULL) {
        free(copy);
        free(built);
        return 0;
    }
    if (size > 0)
        memcpy(copy, data, size);
    count = parse_and_rebuild(&in, &out);
    compare(&in, &out, count);
    free(copy);
    free(built);
    return 0;
}
