/*
 * app.c - the messages of the Real Python sockets tutorial's application
 * protocol and their wire format: a 2-byte big-endian header length, a
 * UTF-8 JSON header with "byteorder", "content-type", "content-encoding"
 * and "content-length", then the content. Messages are encoded byte for
 * byte as the tutorial's Python writes them, and decoded from a socket
 * (exactly their bytes, under one deadline) or incrementally from bytes
 * fed in. The tutorial's requests and responses are in app_tutorial.c.
 */
#include "app_int.h"
/* For the byte queue only: src/buf.c is compiled into this library too
 * (it calls nothing of libskt, and its symbols are hidden, so each library
 * holds its own copy). Nothing else of libskt's private header is used:
 * its other functions are not exported. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The 2-byte header length cannot announce more. */
#define HEADER_LIMIT 65535

/* The largest integer a JSON number (a double) holds exactly. */
#define EXACT_INTEGER_MAX 9007199254740992.0

struct limits {
    size_t header;
    size_t content;
};

/* ------------------------------------------------------------------------ */
/* Failures                                                                 */
/* ------------------------------------------------------------------------ */

int skt_app__fail(int code, const char *fmt, ...)
{
    /* As long as the detail itself, so that a long text is cut where
     * libskt would cut it. */
    char text[1024];
    int saved = errno;
    va_list ap;

    /* Reporting a failure never changes errno. */
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    errno = saved;
    return skt_set_error_detail(code, "%s: %s", text, skt_strerror(code));
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * One allocation holding the message, its three strings and room for
 * content_length bytes of content and a NUL; *content is that room.
 */
static skt_app_message *message_new(const char *byteorder, const char *type,
                                    const char *encoding,
                                    size_t content_length, char **content)
{
    size_t lb = strlen(byteorder) + 1, lt = strlen(type) + 1;
    size_t le = strlen(encoding) + 1, fixed = sizeof(skt_app_message);
    skt_app_message *m;
    char *p;

    if (content_length > SIZE_MAX - fixed - lb - lt - le - 1)
        return NULL;
    m = malloc(fixed + lb + lt + le + content_length + 1);
    if (m == NULL)
        return NULL;
    p = (char *)(m + 1);
    m->byteorder = memcpy(p, byteorder, lb);
    m->content_type = memcpy(p += lb, type, lt);
    m->content_encoding = memcpy(p += lt, encoding, le);
    *content = p += le;
    p[content_length] = '\0';
    m->content = p;
    m->content_length = content_length;
    return m;
}

/* A message of this machine's byte order with a copy of the content. */
int skt_app__message_of(skt_app_message **out, const char *type,
                        const char *encoding, const void *data, size_t len)
{
    char *content;

    *out = message_new(skt_app__machine_byteorder(), type, encoding, len,
                       &content);
    if (*out == NULL)
        return skt_app__fail(-ENOMEM, "app message of %zu bytes", len);
    if (len > 0)
        memcpy(content, data, len);
    return 0;
}

int skt_app_message_new(skt_app_message **out, const char *content_type,
                        const char *content_encoding, const void *content,
                        size_t len)
{
    SKT_APP__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT_APP__CHECK(content_type != NULL && content_encoding != NULL &&
                       (content != NULL || len == 0),
                   "NULL argument");
    return skt_app__message_of(out, content_type, content_encoding, content,
                               len);
}

void skt_app_message_free(skt_app_message *m)
{
    free(m);
}

/* The JSON header of m, as the tutorial's Python writes it. */
static char *header_text(const skt_app_message *m, size_t *len)
{
    cJSON *json = cJSON_CreateObject();
    const char *order = m->byteorder ? m->byteorder
                                     : skt_app__machine_byteorder();
    char *text = NULL;

    /* The tutorial's order of the fields. */
    if (json != NULL &&
        cJSON_AddStringToObject(json, "byteorder", order) &&
        cJSON_AddStringToObject(json, "content-type", m->content_type) &&
        cJSON_AddStringToObject(json, "content-encoding",
                                m->content_encoding) &&
        cJSON_AddNumberToObject(json, "content-length",
                                (double)m->content_length))
        text = skt_app__json_dumps(json, len);
    cJSON_Delete(json);
    return text;
}

static int check_outgoing(const skt_app_message *m)
{
    if (m->content_type == NULL || m->content_encoding == NULL ||
        (m->content == NULL && m->content_length > 0))
        return skt_app__fail(-EINVAL, "app encode: a NULL field");
    if (!skt_app__valid_text(m->content_type) ||
        !skt_app__valid_text(m->content_encoding) ||
        (m->byteorder != NULL && !skt_app__valid_text(m->byteorder)))
        return skt_app__fail(-EINVAL, "app encode: a header field that "
                             "is not UTF-8");
    if ((double)m->content_length > EXACT_INTEGER_MAX)
        return skt_app__fail(SKT_EMSGTOOBIG, "app encode: content of %zu "
                             "bytes", m->content_length);
    return 0;
}

int skt_app_encode(const skt_app_message *m, void **out, size_t *len)
{
    unsigned char *wire;
    size_t header_len;
    char *header;
    int rc;

    SKT_APP__CHECK(m != NULL && out != NULL && len != NULL, "NULL argument");
    *out = NULL;
    *len = 0;
    rc = check_outgoing(m);
    if (rc < 0)
        return rc;
    header = header_text(m, &header_len);
    if (header == NULL)
        return skt_app__fail(-ENOMEM, "app encode");
    if (header_len > HEADER_LIMIT) {
        free(header);
        return skt_app__fail(SKT_EMSGTOOBIG, "app encode: a header of %zu "
                             "bytes (at most %d)", header_len, HEADER_LIMIT);
    }
    wire = malloc(2 + header_len + m->content_length);
    if (wire == NULL) {
        free(header);
        return skt_app__fail(-ENOMEM, "app encode");
    }
    wire[0] = (unsigned char)(header_len >> 8);
    wire[1] = (unsigned char)header_len;
    memcpy(wire + 2, header, header_len);
    if (m->content_length > 0)
        memcpy(wire + 2 + header_len, m->content, m->content_length);
    free(header);
    *out = wire;
    *len = 2 + header_len + m->content_length;
    return 0;
}

int skt_app_send(skt_socket *s, const skt_app_message *m, size_t *sent)
{
    size_t len, done = 0;
    int64_t deadline = 0;
    void *wire;
    int rc;

    if (sent != NULL)
        *sent = 0;
    SKT_APP__CHECK(s != NULL && m != NULL, "NULL argument");
    rc = skt_app_encode(m, &wire, &len);
    if (rc < 0)
        return rc;
    rc = skt_sendall_until(s, wire, len, &deadline, &done);
    free(wire);
    if (sent != NULL)
        *sent = done;
    if (rc < 0)
        return skt_app__fail(rc, "app send: %zu of %zu bytes sent", done,
                             len);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading headers                                                          */
/* ------------------------------------------------------------------------ */

static int check_limits(const skt_app_opts *opts, struct limits *l)
{
    for (size_t i = 0; opts != NULL && i < sizeof opts->reserved /
                                             sizeof opts->reserved[0]; i++)
        if (opts->reserved[i] != NULL)
            return skt_app__fail(-EINVAL, "app options: reserved field %zu "
                                 "is not zero (an option this library "
                                 "does not know?)", i);
    l->header = opts && opts->max_header ? opts->max_header
                                         : SKT_APP_HEADER_MAX_DEFAULT;
    l->content = opts && opts->max_content ? opts->max_content
                                           : SKT_APP_CONTENT_MAX_DEFAULT;
    if (l->header > HEADER_LIMIT)
        return skt_app__fail(-EINVAL, "app options: max_header %zu over %d",
                             l->header, HEADER_LIMIT);
    return 0;
}

static int check_header_length(size_t len, const struct limits *l)
{
    if (len > l->header)
        return skt_app__fail(SKT_EMSGTOOBIG, "app header of %zu bytes, "
                             "over the maximum of %zu", len, l->header);
    return 0;
}

/* The string field name of the header, or NULL with the detail set. */
static const char *string_field(const cJSON *json, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, name);

    if (item == NULL)
        skt_app__fail(SKT_EBADHEADER, "app header: no \"%s\" field", name);
    else if (!cJSON_IsString(item))
        skt_app__fail(SKT_EBADHEADER, "app header: \"%s\" is not a string",
                      name);
    return item != NULL && cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Reads "content-length": a non-negative integer within the limit. */
static int content_length(const cJSON *json, const struct limits *l,
                          size_t *len)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json,
                                                         "content-length");
    double value;

    if (item == NULL)
        return skt_app__fail(SKT_EBADHEADER, "app header: no "
                             "\"content-length\" field");
    value = cJSON_IsNumber(item) ? item->valuedouble : -1;
    if (!(value >= 0 && value <= EXACT_INTEGER_MAX) ||
        value != (double)(uint64_t)value)
        return skt_app__fail(SKT_EBADHEADER, "app header: "
                             "\"content-length\" is not a non-negative "
                             "integer");
    if (value > (double)l->content)
        return skt_app__fail(SKT_EMSGTOOBIG, "app header: content of %.0f "
                             "bytes, over the maximum of %zu", value,
                             l->content);
    *len = (size_t)value;
    return 0;
}

/*
 * Parses a JSON header into a new message with room for its content.
 * Returns 0, SKT_EBADHEADER, SKT_EMSGTOOBIG or -ENOMEM, with the detail.
 */
static int parse_header(const char *data, size_t len, const struct limits *l,
                        skt_app_message **out, char **content)
{
    cJSON *json = skt_app__json_loads(data, len);
    const char *order = NULL, *type = NULL, *encoding = NULL;
    size_t clen = 0;
    int rc = 0;

    *out = NULL;
    if (!cJSON_IsObject(json))
        rc = skt_app__fail(SKT_EBADHEADER, "app header: not a UTF-8 JSON "
                           "object");
    else if ((order = string_field(json, "byteorder")) == NULL ||
             (type = string_field(json, "content-type")) == NULL ||
             (encoding = string_field(json, "content-encoding")) == NULL)
        rc = SKT_EBADHEADER;
    else if ((rc = content_length(json, l, &clen)) == 0 &&
             (*out = message_new(order, type, encoding, clen,
                                 content)) == NULL)
        rc = skt_app__fail(-ENOMEM, "app header: content of %zu bytes",
                           clen);
    cJSON_Delete(json);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Receiving from a socket                                                  */
/* ------------------------------------------------------------------------ */

/* Reads len bytes of what; fails with a sentence saying how far it got. */
static int read_part(skt_socket *s, void *buf, size_t len, int64_t *deadline,
                     const char *what)
{
    size_t done;
    int rc = skt_recv_exact_until(s, buf, len, deadline, &done);

    if (rc < 0)
        return skt_app__fail(rc, "app recv: %s: %zu of %zu bytes received",
                             what, done, len);
    return 0;
}

/* Reads the header length and the header, and parses it. */
static int recv_header(skt_socket *s, const struct limits *l,
                       int64_t *deadline, skt_app_message **m,
                       char **content)
{
    unsigned char prefix[2];
    size_t len;
    char *header;
    int rc;

    rc = read_part(s, prefix, 2, deadline, "header length");
    if (rc < 0)
        return rc;
    len = (size_t)prefix[0] << 8 | prefix[1];
    rc = check_header_length(len, l);
    if (rc < 0)
        return rc;
    header = malloc(len + 1);
    if (header == NULL)
        return skt_app__fail(-ENOMEM, "app recv");
    rc = read_part(s, header, len, deadline, "header");
    if (rc == 0)
        rc = parse_header(header, len, l, m, content);
    free(header);
    return rc;
}

int skt_app_recv(skt_socket *s, const skt_app_opts *opts,
                 skt_app_message **out)
{
    struct limits l;
    skt_app_message *m;
    /* One deadline over the length, the header and the content, started
     * at the first wait. */
    int64_t deadline = 0;
    char *content;
    int rc;

    SKT_APP__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT_APP__CHECK(s != NULL, "NULL argument");
    rc = check_limits(opts, &l);
    if (rc < 0)
        return rc;
    rc = recv_header(s, &l, &deadline, &m, &content);
    if (rc < 0)
        return rc;
    rc = read_part(s, content, m->content_length, &deadline, "content");
    if (rc < 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The incremental decoder                                                  */
/* ------------------------------------------------------------------------ */

struct skt_app_decoder {
    struct limits limits;
    struct skt__buf buf;
    /* The header's length once known, else 0 with have_length false. */
    size_t header_len;
    bool have_length;
    /* The message whose header was read, waiting for its content. */
    skt_app_message *pending;
    char *content;
    /* A failure is final: the stream cannot be read in step after it. */
    int error;
    char reason[256];
};

int skt_app_decoder_new(skt_app_decoder **out, const skt_app_opts *opts)
{
    skt_app_decoder *d;
    struct limits l;
    int rc;

    SKT_APP__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    rc = check_limits(opts, &l);
    if (rc < 0)
        return rc;
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return skt_app__fail(-ENOMEM, "app decoder");
    d->limits = l;
    *out = d;
    return 0;
}

void skt_app_decoder_free(skt_app_decoder *d)
{
    if (d == NULL)
        return;
    skt__buf_free(&d->buf);
    free(d->pending);
    free(d);
}

int skt_app_decoder_feed(skt_app_decoder *d, const void *data, size_t len)
{
    int rc;

    SKT_APP__CHECK(d != NULL && (data != NULL || len == 0), "NULL argument");
    rc = skt__buf_append(&d->buf, data, len);
    if (rc < 0)
        return skt_app__fail(rc, "app decoder: feeding %zu bytes", len);
    return 0;
}

size_t skt_app_decoder_buffered(const skt_app_decoder *d)
{
    return d != NULL ? skt__buf_len(&d->buf) : 0;
}

/* Records a failure as final and returns it. */
static int decoder_fail(skt_app_decoder *d, int rc)
{
    if (rc != -ENOMEM) {
        d->error = rc;
        snprintf(d->reason, sizeof d->reason, "%s", skt_error_detail());
    }
    return rc;
}

/* Reads the header length and then the header, when they are there.
 * Returns 1 once the header is parsed, 0 for more bytes, or a code. */
static int decode_header(skt_app_decoder *d)
{
    struct skt__buf *b = &d->buf;
    const unsigned char *p;
    int rc;

    if (!d->have_length) {
        if (skt__buf_len(b) < 2)
            return 0;
        p = (const unsigned char *)b->data + b->start;
        d->header_len = (size_t)p[0] << 8 | p[1];
        d->have_length = true;
        skt__buf_consume(b, 2);
        rc = check_header_length(d->header_len, &d->limits);
        if (rc < 0)
            return rc;
    }
    if (skt__buf_len(b) < d->header_len)
        return 0;
    /* The buffer has held the length, so it has storage. */
    p = (const unsigned char *)b->data + b->start;
    rc = parse_header((const char *)p, d->header_len, &d->limits,
                      &d->pending, &d->content);
    if (rc < 0)
        return rc;
    skt__buf_consume(b, d->header_len);
    return 1;
}

int skt_app_decoder_pop(skt_app_decoder *d, skt_app_message **out)
{
    size_t clen;
    int rc;

    SKT_APP__CHECK(d != NULL && out != NULL, "NULL argument");
    *out = NULL;
    if (d->error != 0)
        return skt_set_error_detail(d->error, "%s", d->reason);
    if (d->pending == NULL) {
        rc = decode_header(d);
        if (rc <= 0)
            return rc < 0 ? decoder_fail(d, rc) : 0;
    }
    clen = d->pending->content_length;
    if (skt__buf_len(&d->buf) < clen)
        return 0;
    if (clen > 0)
        memcpy(d->content, d->buf.data + d->buf.start, clen);
    skt__buf_consume(&d->buf, clen);
    *out = d->pending;
    d->pending = NULL;
    d->have_length = false;
    return 1;
}

