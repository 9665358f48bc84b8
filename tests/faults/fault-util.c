/*
 * fault-util.c - the helpers of the fault drivers (see fault-util.h): the
 * test's verdicts, the data and its digest, the transfer kinds, TLS
 * contexts from generated certificates, and /proc figures of a process.
 */
#include "fault-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* The largest message of the frame kind, and the line kind's longest
 * line (fu_pattern makes them at most 200 bytes). */
#define FRAME_MAX_MESSAGE 65536
#define LINE_MAX_BYTES 4096

static const char *const kind_names[FU_KINDS] = {
    [FU_PLAIN] = "plain", [FU_TLS] = "tls", [FU_LINE] = "line",
    [FU_FRAME] = "frame", [FU_SENDFILE] = "sendfile",
};

void fu_fail(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void fu_skip(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("SKIP: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(FU_SKIP_STATUS);
}

void fu_check(int rc, const char *what)
{
    if (rc < 0)
        fu_fail("%s: %s (%s)", what, skt_errname(rc), skt_error_detail());
}

const char *fu_rcname(int rc)
{
    return rc >= 0 ? "OK" : skt_errname(rc);
}

double fu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fu_sleep(double seconds)
{
    struct timespec ts = {.tv_sec = (time_t)seconds};

    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* xorshift32: the same bytes for the same seed, on every machine. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint8_t *fu_pattern(size_t len, uint32_t seed, bool lines)
{
    uint8_t *p = malloc(len > 0 ? len : 1);
    uint32_t state = seed != 0 ? seed : 1;
    size_t line_left = 0;

    if (p == NULL)
        fu_fail("out of memory for %zu bytes", len);
    for (size_t i = 0; i < len; i++) {
        uint32_t r = next_random(&state);
        if (!lines) {
            p[i] = (uint8_t)(r >> 7);
            continue;
        }
        if (line_left == 0)
            line_left = 1 + r % 200;
        p[i] = --line_left == 0 || i == len - 1 ? '\n'
                                                 : (uint8_t)(' ' + r % 95);
    }
    return p;
}

void fu_sha256(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
        fu_fail("EVP_Digest failed");
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int fu_kind_parse(const char *text)
{
    for (int k = 0; k < FU_KINDS; k++)
        if (strcmp(text, kind_names[k]) == 0)
            return k;
    return -1;
}

const char *fu_kind_name(int kind)
{
    return kind >= 0 && kind < FU_KINDS ? kind_names[kind] : "?";
}

/* Lines through a stream's buffered writer, in pieces of 10000 bytes. */
static int send_lines(skt_socket *s, const uint8_t *data, size_t len,
                      size_t *sent)
{
    skt_stream *st;
    size_t taken = 0;
    int rc = skt_makefile(s, &st, NULL);

    *sent = 0;
    if (rc < 0)
        return rc;
    while (rc == 0 && taken < len) {
        size_t piece = len - taken < 10000 ? len - taken : 10000, part = 0;
        rc = skt_stream_write(st, data + taken, piece, &part);
        taken += part;
    }
    if (rc == 0)
        rc = skt_stream_flush(st);
    *sent = taken - skt_stream_pending(st);
    /* After a failure the held bytes must not go out later, uncounted. */
    if (rc < 0)
        skt_shutdown(s, SHUT_WR);
    skt_stream_close(st);
    return rc;
}

/* Length-prefixed messages of 1..FRAME_MAX_MESSAGE bytes. */
static int send_frames(skt_socket *s, const uint8_t *data, size_t len,
                       size_t *sent)
{
    uint32_t state = (uint32_t)len | 1;
    size_t off = 0;

    *sent = 0;
    while (off < len) {
        size_t n = 1 + next_random(&state) % FRAME_MAX_MESSAGE, wire = 0;
        int rc;
        if (n > len - off)
            n = len - off;
        rc = skt_frame_send(s, NULL, data + off, n, &wire);
        if (rc < 0) {
            *sent = off + (wire > 4 ? wire - 4 : 0);
            return rc;
        }
        off += n;
        *sent = off;
    }
    return 0;
}

/* skt_sendfile from an unlinked temporary file holding the data. */
static int send_file(skt_socket *s, const uint8_t *data, size_t len,
                     size_t *sent)
{
    char path[] = "/tmp/skt-faults-file.XXXXXX";
    int fd = mkstemp(path), rc;
    size_t off = 0;

    *sent = 0;
    if (fd < 0)
        fu_fail("mkstemp: %s", strerror(errno));
    unlink(path);
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fu_fail("write to the temporary file: %s", strerror(errno));
        off += (size_t)n;
    }
    rc = skt_sendfile(s, fd, 0, len, sent);
    close(fd);
    return rc;
}

int fu_send(int kind, skt_socket *s, const uint8_t *data, size_t len,
            size_t *sent)
{
    size_t ignored;

    if (sent == NULL)
        sent = &ignored;
    switch (kind) {
    case FU_LINE:
        return send_lines(s, data, len, sent);
    case FU_FRAME:
        return send_frames(s, data, len, sent);
    case FU_SENDFILE:
        return send_file(s, data, len, sent);
    default:
        return skt_sendall(s, data, len, 0, sent);
    }
}

/* Lines with skt_stream_readline; each must end with '\n' and fit. */
static int recv_lines(skt_socket *s, uint8_t *buf, size_t len, size_t *got)
{
    static uint8_t line[LINE_MAX_BYTES];
    skt_stream *st;
    ssize_t n = 0;
    int rc = skt_makefile(s, &st, NULL);

    *got = 0;
    if (rc < 0)
        return rc;
    while (*got < len) {
        n = skt_stream_readline(st, line, sizeof line);
        if (n <= 0)
            break;
        if ((size_t)n > len - *got)
            fu_fail("a line of %zd bytes runs past the %zu expected", n,
                    len);
        if (line[n - 1] != '\n')
            fu_fail("a line without its newline at byte %zu", *got);
        memcpy(buf + *got, line, (size_t)n);
        *got += (size_t)n;
    }
    skt_stream_close(st);
    return *got == len ? 0 : n == 0 ? SKT_EEOF : (int)n;
}

/* Messages with skt_frame_recv, appended in order. */
static int recv_frames(skt_socket *s, uint8_t *buf, size_t len, size_t *got)
{
    skt_frame_decoder *d;
    int rc = skt_frame_decoder_new(&d, NULL);

    *got = 0;
    while (rc == 0 && *got < len) {
        const void *msg;
        size_t n;
        rc = skt_frame_recv(s, d, &msg, &n);
        if (rc == 0)
            rc = SKT_EEOF; /* closed between two messages */
        if (rc < 0)
            break;
        if (n > len - *got)
            fu_fail("a message of %zu bytes runs past the %zu expected", n,
                    len);
        memcpy(buf + *got, msg, n);
        *got += n;
        rc = 0;
    }
    skt_frame_decoder_free(d);
    return rc;
}

int fu_recv(int kind, skt_socket *s, uint8_t *buf, size_t len, size_t *got)
{
    size_t ignored;

    if (got == NULL)
        got = &ignored;
    switch (kind) {
    case FU_LINE:
        return recv_lines(s, buf, len, got);
    case FU_FRAME:
        return recv_frames(s, buf, len, got);
    default:
        return skt_recv_exact(s, buf, len, 0, got);
    }
}

const char *fu_make_certs(void)
{
    static char dir[] = "/tmp/skt-faults-certs.XXXXXX";
    char cmd[512];

    if (system("command -v openssl >/dev/null 2>&1") != 0)
        fu_skip("the openssl command is not installed");
    if (mkdtemp(dir) == NULL)
        fu_fail("mkdtemp: %s", strerror(errno));
    snprintf(cmd, sizeof cmd, "sh '%s/make-certs.sh' '%s' 2>/dev/null",
             FU_PEERS_DIR, dir);
    if (system(cmd) != 0)
        fu_fail("make-certs.sh failed in %s", dir);
    return dir;
}

skt_tls_ctx *fu_tls_ctx(const char *certs, bool server)
{
    char cert[512], key[512];
    skt_tls_ctx *ctx;

    fu_check(skt_tls_ctx_new(&ctx, server ? SKT_TLS_SERVER : SKT_TLS_CLIENT),
             "skt_tls_ctx_new");
    snprintf(cert, sizeof cert, "%s/%s", certs,
             server ? "server.pem" : "ca.pem");
    snprintf(key, sizeof key, "%s/server.key", certs);
    if (server)
        fu_check(skt_tls_ctx_load_cert_chain(ctx, cert, key, NULL),
                 "load_cert_chain");
    else
        fu_check(skt_tls_ctx_load_verify_locations(ctx, cert, NULL, NULL),
                 "load_verify_locations");
    return ctx;
}

void fu_remove_dir(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

long fu_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        fu_fail("getrlimit: %s", strerror(errno));
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        fu_fail("setrlimit: %s", strerror(errno));
    return (long)rl.rlim_cur;
}

long fu_rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

int fu_fd_count(pid_t pid)
{
    char path[64];
    struct dirent *e;
    int n = 0;
    DIR *d;

    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return pid == getpid() ? n - 1 : n; /* not the one reading the dir */
}

double fu_cpu_seconds(pid_t pid)
{
    char path[64], text[1024];
    unsigned long utime, stime;
    const char *after;
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces; the fields follow its ')'. */
    after = strrchr(text, ')');
    if (after == NULL ||
        sscanf(after + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

skt_socket *fu_connect(const char *target, double timeout)
{
    skt_connect_opts opts = {.timeout = timeout};
    skt_socket *s;

    fu_check(skt_create_connection_to(&s, target, &opts), target);
    return s;
}
