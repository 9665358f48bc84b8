/*
 * transfer.c - skt send and skt recv: one file over one connection, made
 * or (with -l) accepted, plain or TLS. On the wire, all numbers
 * big-endian:
 *
 *     "SKTF"       4 bytes, the magic
 *     version      1 byte, 1
 *     name length  2 bytes, 1..4096
 *     name         the sender's base name of the file (no NUL)
 *     size         8 bytes
 *     data         size bytes
 *     SHA-256      32 bytes, of the data: a trailer, so the file is read
 *                  once
 *
 * then the sender half-closes and waits for the receiver to close. The
 * receiver keeps only the base name of the name sent, refuses to
 * overwrite a file unless -f, writes to a temporary file beside the
 * destination and renames it only when size and SHA-256 match; otherwise
 * it removes it and exits 5.
 */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "SKTF"
#define VERSION 1
#define NAME_MAX_LEN 4096
#define FIXED_HEADER 7 /* magic, version, name length */
#define DIGEST_LEN SKT_SHA256_SIZE
#define CHUNK (256 * 1024)

/* ------------------------------------------------------------------------ */
/* Shared                                                                   */
/* ------------------------------------------------------------------------ */

static void put_be(unsigned char *out, uint64_t value, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        out[i] = (unsigned char)(value >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const unsigned char *in, size_t bytes)
{
    uint64_t value = 0;

    for (size_t i = 0; i < bytes; i++)
        value = value << 8 | in[i];
    return value;
}

static const char *hex_text(const unsigned char *digest, char *buf)
{
    for (size_t i = 0; i < DIGEST_LEN; i++)
        snprintf(buf + 2 * i, 3, "%02x", digest[i]);
    return buf;
}

/* The text after the last '/' (the whole text without one). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* The connection: made, or with -l the first client the rules let in. */
static int transfer_connection(const struct config *c, skt_socket **out)
{
    skt_socket *listener = NULL;
    skt_tls_ctx *tls = NULL;
    int status = 0, rc;

    if (!c->listen)
        status = open_connection(c, out);
    else if (!c->tls || (status = tls_context(c, true, &tls)) == 0)
        status = open_listener(c, SOCK_STREAM, &listener);
    if (c->listen && status == 0) {
        do
            rc = accept_client(c, listener, tls, out);
        while (rc == 1);
        close_listener(c, listener);
        status = rc < 0 ? fail(rc, c->wait > 0) : 0;
    }
    skt_tls_ctx_free(tls);
    if (status == 0 && c->idle > 0 && (rc = skt_settimeout(*out, c->idle)))
        status = fail(rc, false);
    return status;
}

/* ------------------------------------------------------------------------ */
/* skt send                                                                 */
/* ------------------------------------------------------------------------ */

struct outgoing {
    const struct config *c;
    skt_socket *s;
    int fd;
    const char *name;
    uint64_t size;
    skt_sha256 *hash;
    struct progress bar;
};

/* The file to send: open, regular, and its size. */
static int open_file(struct outgoing *o)
{
    struct stat st;

    o->name = base_name(o->c->file);
    o->fd = open(o->c->file, O_RDONLY | O_CLOEXEC);
    if (o->fd < 0)
        return fail(skt_set_error_detail(-errno, "send: open %s: %s",
                                         o->c->file, strerror(errno)),
                    false);
    if (fstat(o->fd, &st) < 0 || !S_ISREG(st.st_mode) || o->name[0] == 0 ||
        strlen(o->name) > NAME_MAX_LEN)
        return fail(skt_set_error_detail(-EINVAL, "send: %s is not a "
                                         "regular file with a name",
                                         o->c->file),
                    false);
    o->size = (uint64_t)st.st_size;
    return 0;
}

static int send_header(struct outgoing *o)
{
    size_t len = strlen(o->name);
    unsigned char head[FIXED_HEADER + NAME_MAX_LEN + 8];

    memcpy(head, MAGIC, 4);
    head[4] = VERSION;
    put_be(head + 5, len, 2);
    memcpy(head + FIXED_HEADER, o->name, len);
    put_be(head + FIXED_HEADER + len, o->size, 8);
    return skt_sendall(o->s, head, FIXED_HEADER + len + 8, 0, NULL);
}

/* The data, read once: each chunk is hashed and sent. */
static int send_data(struct outgoing *o)
{
    static unsigned char buf[CHUNK];
    uint64_t sent = 0;
    int rc = 0;

    while (rc == 0 && sent < o->size) {
        size_t want = o->size - sent < CHUNK ? (size_t)(o->size - sent)
                                             : CHUNK;
        ssize_t got = read(o->fd, buf, want);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return skt_set_error_detail(got < 0 ? -errno : -EIO,
                                        "send: reading %s: %s", o->c->file,
                                        got < 0 ? strerror(errno)
                                                : "it became shorter");
        rc = skt_sha256_update(o->hash, buf, (size_t)got);
        if (rc == 0)
            rc = skt_sendall(o->s, buf, (size_t)got, 0, NULL);
        sent += (uint64_t)got;
        progress_update(&o->bar, sent);
    }
    return rc;
}

/* The SHA-256, then the half-close, then the receiver's close. */
static int send_trailer(struct outgoing *o)
{
    unsigned char digest[DIGEST_LEN], scratch[256];
    ssize_t got;
    int rc = skt_sha256_digest(o->hash, digest);

    if (rc == 0)
        rc = skt_sendall(o->s, digest, DIGEST_LEN, 0, NULL);
    if (rc == 0)
        rc = shutdown_write(o->s);
    while (rc == 0 && (got = skt_recv(o->s, scratch, sizeof scratch, 0)) != 0)
        rc = got < 0 ? (int)got : 0;
    return rc;
}

int run_send(const struct config *c)
{
    struct outgoing o = {.c = c, .fd = -1};
    char what[NAME_MAX_LEN + 16];
    int status = open_file(&o), rc = 0;

    if (status == 0)
        status = transfer_connection(c, &o.s);
    if (status == 0 && (rc = skt_sha256_new(&o.hash)) == 0) {
        snprintf(what, sizeof what, "sent %s", o.name);
        progress_start(&o.bar, c, what, o.size);
        rc = send_header(&o);
        if (rc == 0)
            rc = send_data(&o);
        if (rc == 0)
            rc = send_trailer(&o);
        progress_end(&o.bar, rc == 0);
        status = rc < 0 ? fail(rc, c->idle > 0) : 0;
    } else if (status == 0) {
        status = fail(rc, false);
    }
    skt_sha256_free(o.hash);
    skt_close(o.s);
    if (o.fd >= 0)
        close(o.fd);
    return status;
}

/* ------------------------------------------------------------------------ */
/* skt recv                                                                 */
/* ------------------------------------------------------------------------ */

struct incoming {
    const struct config *c;
    skt_socket *s;
    char name[NAME_MAX_LEN + 1];
    uint64_t size, got;
    char path[PATH_MAX], temp[PATH_MAX + 32];
    int fd;
    skt_sha256 *hash;
    struct progress bar;
};

/* A stream that is not skt send's: exit status 1, with the reason. */
static int bad_stream(const char *why)
{
    return skt_set_error_detail(SKT_EBADHEADER, "recv: not a skt send "
                                "stream: %s", why);
}

static int recv_header(struct incoming *in)
{
    unsigned char fixed[FIXED_HEADER], size[8];
    size_t len;
    int rc = skt_recv_exact(in->s, fixed, sizeof fixed, 0, NULL);

    if (rc < 0)
        return rc;
    if (memcmp(fixed, MAGIC, 4) != 0)
        return bad_stream("no SKTF magic");
    if (fixed[4] != VERSION)
        return bad_stream("an unknown version");
    len = (size_t)get_be(fixed + 5, 2);
    if (len == 0 || len > NAME_MAX_LEN)
        return bad_stream("a name of no or too many bytes");
    rc = skt_recv_exact(in->s, in->name, len, 0, NULL);
    if (rc == 0)
        rc = skt_recv_exact(in->s, size, 8, 0, NULL);
    if (rc < 0)
        return rc;
    in->name[len] = '\0';
    in->size = get_be(size, 8);
    if (memchr(in->name, '\0', len) != NULL)
        return bad_stream("a name with a NUL byte");
    return 0;
}

/* Where the file goes: DEST (a directory, or the file), else the base
 * name of the name sent, in the current directory. */
static int destination(struct incoming *in)
{
    const char *name = base_name(in->name), *dest = in->c->file;
    struct stat st;
    int n;

    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return bad_stream("a name that is no file name");
    if (dest == NULL)
        n = snprintf(in->path, sizeof in->path, "%s", name);
    else if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
        n = snprintf(in->path, sizeof in->path, "%s/%s", dest, name);
    else
        n = snprintf(in->path, sizeof in->path, "%s", dest);
    if (n < 0 || (size_t)n >= sizeof in->path)
        return skt_set_error_detail(-ENAMETOOLONG, "recv: the path of %s "
                                    "is too long", name);
    if (!in->c->force && lstat(in->path, &st) == 0)
        return skt_set_error_detail(-EEXIST, "recv: %s exists; -f "
                                    "overwrites it", in->path);
    return 0;
}

/* The temporary file beside the destination, removed on a signal. */
static int open_temp(struct incoming *in)
{
    const char *slash = strrchr(in->path, '/');
    int dir_len = slash ? (int)(slash - in->path + 1) : 0;
    mode_t mask = umask(0);

    umask(mask);
    snprintf(in->temp, sizeof in->temp, "%.*s.%s.skt-XXXXXX", dir_len,
             in->path, in->path + dir_len);
    in->fd = mkstemp(in->temp);
    if (in->fd < 0)
        return skt_set_error_detail(-errno, "recv: creating %s: %s",
                                    in->temp, strerror(errno));
    signals_unlink_at_exit(in->temp);
    fchmod(in->fd, 0666 & ~mask);
    return 0;
}

/* The data into the temporary file; a close before its end is exit 5. */
static int recv_data(struct incoming *in)
{
    static unsigned char buf[CHUNK];
    int rc = 0;

    while (rc == 0 && in->got < in->size) {
        size_t want = in->size - in->got < CHUNK
                          ? (size_t)(in->size - in->got)
                          : CHUNK;
        ssize_t got = skt_recv(in->s, buf, want, 0);
        if (got <= 0)
            return got < 0 ? (int)got : SKT_EEOF;
        rc = skt_sha256_update(in->hash, buf, (size_t)got);
        if (rc < 0)
            return rc;
        rc = write_all(in->fd, buf, (size_t)got);
        if (rc < 0)
            return skt_set_error_detail(rc, "recv: writing %s: %s",
                                        in->temp, skt_strerror(rc));
        in->got += (uint64_t)got;
        progress_update(&in->bar, in->got);
    }
    return rc;
}

/* The trailer against the data's SHA-256. Returns 0, SKT_EEOF, or
 * EXIT_CHECKSUM (printed). */
static int check_digest(struct incoming *in)
{
    unsigned char sent[DIGEST_LEN], digest[DIGEST_LEN];
    char want[2 * DIGEST_LEN + 1], have[2 * DIGEST_LEN + 1];
    int rc = skt_recv_exact(in->s, sent, DIGEST_LEN, 0, NULL);

    if (rc == 0)
        rc = skt_sha256_digest(in->hash, digest);
    if (rc < 0)
        return rc;
    if (memcmp(sent, digest, DIGEST_LEN) == 0)
        return 0;
    note("recv: %s: SHA-256 mismatch: sent %s, received %s; not kept",
         in->name, hex_text(sent, want), hex_text(digest, have));
    return EXIT_CHECKSUM;
}

/* Moves the temporary file into place (without -f, never over a file
 * that appeared meanwhile). */
static int keep_file(struct incoming *in)
{
    int rc = in->c->force ? rename(in->temp, in->path)
                          : renameat2(AT_FDCWD, in->temp, AT_FDCWD, in->path,
                                      RENAME_NOREPLACE);

    /* A file system without renameat2's flag: a hard link is as safe. */
    if (rc < 0 && !in->c->force && (errno == EINVAL || errno == ENOSYS) &&
        (rc = link(in->temp, in->path)) == 0)
        unlink(in->temp);
    if (rc < 0)
        return skt_set_error_detail(-errno, "recv: %s: %s", in->path,
                                    strerror(errno));
    return 0;
}

/* The data, its check and the file; returns an exit status (printed). */
static int receive(struct incoming *in)
{
    char what[NAME_MAX_LEN + 16];
    int rc;

    snprintf(what, sizeof what, "received %s", in->path);
    progress_start(&in->bar, in->c, what, in->size);
    rc = recv_data(in);
    if (rc == 0)
        rc = check_digest(in);
    if (rc == 0 && close(in->fd) < 0)
        rc = skt_set_error_detail(-errno, "recv: closing %s: %s", in->temp,
                                  strerror(errno));
    in->fd = -1;
    if (rc == 0)
        rc = keep_file(in);
    progress_end(&in->bar, rc == 0);
    if (rc == SKT_EEOF) {
        note("recv: %s: the sender closed after %llu of %llu bytes%s; not "
             "kept", in->name, (unsigned long long)in->got,
             (unsigned long long)in->size,
             in->got == in->size ? " and no SHA-256" : "");
        return EXIT_CHECKSUM;
    }
    return rc < 0 ? fail(rc, in->c->idle > 0) : rc;
}

int run_recv(const struct config *c)
{
    struct incoming *in = calloc(1, sizeof *in);
    int status, rc = 0;

    if (in == NULL)
        return fail(skt_set_error_detail(-ENOMEM, "recv"), false);
    *in = (struct incoming){.c = c, .fd = -1};
    status = transfer_connection(c, &in->s);
    if (status == 0 && (rc = recv_header(in)) == 0)
        rc = destination(in);
    if (status == 0 && rc == 0)
        rc = open_temp(in);
    if (status == 0 && rc == 0)
        rc = skt_sha256_new(&in->hash);
    if (status == 0)
        status = rc < 0 ? fail(rc, c->idle > 0) : receive(in);
    if (in->fd >= 0)
        close(in->fd);
    if (in->temp[0] != '\0' && status != 0)
        unlink(in->temp);
    signals_unlink_at_exit(NULL);
    skt_sha256_free(in->hash);
    skt_close(in->s);
    free(in);
    return status;
}
