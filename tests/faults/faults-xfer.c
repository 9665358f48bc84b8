/*
 * faults-xfer.c - one side of a transfer across a faulty link (the lossy
 * and dark-link experiments, tests/faults/link.sh): the receiver listens,
 * accepts one connection and receives SIZE bytes of the given kind; the
 * sender connects and sends them. Both print one line of figures that
 * the script compares:
 *
 *     faults-xfer recv KIND HOST:PORT SIZE TIMEOUT [OPTION...]
 *     faults-xfer send KIND HOST:PORT SIZE TIMEOUT [OPTION...]
 *
 *     recv plain: got=4194304 rc=OK match=yes sha256=... seconds=12.1
 *     send plain: sent=4194304 of 4194304 rc=OK sha256=... seconds=12.1
 *
 * KIND is plain, tls, line, frame or sendfile; SIZE takes a K or M
 * suffix; TIMEOUT is the socket's timeout (one deadline per call). The
 * sender's sha256 is that of the bytes it reports sent, the receiver's
 * that of the bytes it got, and match=yes says they are the data's first
 * bytes. Options: --certs DIR (TLS certificates, make-certs.sh), --rate
 * BYTES (the receiver reads at most this many bytes a second, plain and
 * tls only), --buffer BYTES (SO_SNDBUF/SO_RCVBUF). After a failed send
 * the sender shuts its side down and waits for the receiver to close, so
 * that the receiver gets what the kernel had taken. Exit 0 when the
 * figures are printed (the script judges them), 1 on a setup failure.
 */
#include "fault-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct options {
    bool sender;
    int kind;
    const char *address;
    size_t size;
    double timeout;
    const char *certs;
    size_t rate;
    int buffer;
};

static void usage(void)
{
    fprintf(stderr, "usage: faults-xfer recv|send KIND HOST:PORT SIZE "
                    "TIMEOUT [--certs DIR] [--rate BYTES] [--buffer BYTES]\n");
    exit(2);
}

static size_t parse_size(const char *text)
{
    char *end;
    unsigned long long n = strtoull(text, &end, 10);

    if (end == text)
        usage();
    if (*end == 'K')
        n <<= 10, end++;
    else if (*end == 'M')
        n <<= 20, end++;
    if (*end != '\0')
        usage();
    return (size_t)n;
}

static void parse(int argc, char **argv, struct options *o)
{
    if (argc < 6)
        usage();
    memset(o, 0, sizeof *o);
    o->sender = strcmp(argv[1], "send") == 0;
    if (!o->sender && strcmp(argv[1], "recv") != 0)
        usage();
    o->kind = fu_kind_parse(argv[2]);
    o->address = argv[3];
    o->size = parse_size(argv[4]);
    o->timeout = atof(argv[5]);
    if (o->kind < 0 || o->timeout <= 0)
        usage();
    for (int i = 6; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--certs") == 0)
            o->certs = argv[i + 1];
        else if (strcmp(argv[i], "--rate") == 0)
            o->rate = parse_size(argv[i + 1]);
        else if (strcmp(argv[i], "--buffer") == 0)
            o->buffer = (int)parse_size(argv[i + 1]);
        else
            usage();
    }
    if (o->kind == FU_TLS && o->certs == NULL)
        fu_fail("the tls kind needs --certs DIR");
}

static void set_buffers(skt_socket *s, int bytes)
{
    if (bytes <= 0)
        return;
    fu_check(skt_setsockopt_int(s, SOL_SOCKET, SO_SNDBUF, bytes), "SO_SNDBUF");
    fu_check(skt_setsockopt_int(s, SOL_SOCKET, SO_RCVBUF, bytes), "SO_RCVBUF");
}

static void wrap_tls(skt_socket *s, const struct options *o, bool server)
{
    skt_tls_ctx *ctx;

    if (o->kind != FU_TLS)
        return;
    ctx = fu_tls_ctx(o->certs, server);
    fu_check(skt_tls_wrap(s, ctx, server ? NULL : "localhost", server),
             "TLS handshake");
    skt_tls_ctx_free(ctx);
}

/* Accepts the one connection, in timeout mode, with its buffers set. */
static skt_socket *accept_one(const struct options *o)
{
    char host[128], text[SKT_ADDRSTRLEN];
    const char *colon = strrchr(o->address, ':');
    skt_socket *listener, *conn;
    skt_addr a;

    if (colon == NULL || (size_t)(colon - o->address) >= sizeof host)
        usage();
    memcpy(host, o->address, (size_t)(colon - o->address));
    host[colon - o->address] = '\0';
    fu_check(skt_create_server(&listener, host, colon + 1, NULL),
             "create_server");
    set_buffers(listener, o->buffer);
    fu_check(skt_getsockname(listener, &a), "getsockname");
    skt_addr_format(&a, text, sizeof text);
    printf("listening on %s\n", text);
    fflush(stdout);
    fu_check(skt_settimeout(listener, 60), "settimeout");
    fu_check(skt_accept(listener, &conn, NULL), "accept");
    skt_close(listener);
    fu_check(skt_settimeout(conn, o->timeout), "settimeout");
    set_buffers(conn, o->buffer);
    return conn;
}

/* Receives in pieces, never faster than o->rate bytes a second. */
static int recv_paced(skt_socket *s, const struct options *o, uint8_t *buf,
                      size_t *got)
{
    size_t piece = o->rate / 100 > 0 ? o->rate / 100 : 1;
    double start = fu_now();
    int rc = 0;

    *got = 0;
    while (rc == 0 && *got < o->size) {
        size_t n = o->size - *got < piece ? o->size - *got : piece, part = 0;
        double due = start + (double)(*got + n) / (double)o->rate;
        rc = fu_recv(o->kind, s, buf + *got, n, &part);
        *got += part;
        if (due > fu_now())
            fu_sleep(due - fu_now());
    }
    return rc;
}

static int receiver(const struct options *o)
{
    uint8_t *expected = fu_pattern(o->size, (uint32_t)o->size,
                                   o->kind == FU_LINE);
    uint8_t *buf = malloc(o->size > 0 ? o->size : 1);
    skt_socket *conn = accept_one(o);
    double start = fu_now();
    size_t got = 0;
    char sha[65];
    int rc;

    if (buf == NULL)
        fu_fail("out of memory");
    wrap_tls(conn, o, true);
    rc = o->rate > 0 ? recv_paced(conn, o, buf, &got)
                     : fu_recv(o->kind, conn, buf, o->size, &got);
    fu_sha256(buf, got, sha);
    printf("recv %s: got=%zu rc=%s match=%s sha256=%s seconds=%.3f\n",
           fu_kind_name(o->kind), got, fu_rcname(rc),
           memcmp(buf, expected, got) == 0 ? "yes" : "no", sha,
           fu_now() - start);
    if (rc < 0)
        printf("recv detail: %s\n", skt_error_detail());
    skt_close(conn);
    free(buf);
    free(expected);
    return 0;
}

/* After the data: our side shut, then the receiver's close awaited. */
static double await_close(skt_socket *s, double start)
{
    char byte;

    skt_shutdown(s, SHUT_WR);
    skt_settimeout(s, 60);
    while (skt_recv(s, &byte, 1, 0) > 0) {
    }
    return fu_now() - start;
}

static int sender(const struct options *o)
{
    uint8_t *data = fu_pattern(o->size, (uint32_t)o->size,
                               o->kind == FU_LINE);
    skt_socket *s = fu_connect(o->address, o->timeout);
    double start, elapsed;
    size_t sent = 0;
    char sha[65];
    int rc;

    set_buffers(s, o->buffer);
    wrap_tls(s, o, false);
    start = fu_now();
    rc = fu_send(o->kind, s, data, o->size, &sent);
    elapsed = fu_now() - start;
    fu_sha256(data, sent, sha);
    printf("send %s: sent=%zu of %zu rc=%s sha256=%s seconds=%.3f\n",
           fu_kind_name(o->kind), sent, o->size, fu_rcname(rc), sha,
           elapsed);
    if (rc < 0)
        printf("send detail: %s\n", skt_error_detail());
    printf("send %s: receiver closed after %.3f s\n", fu_kind_name(o->kind),
           await_close(s, start));
    skt_close(s);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;

    setvbuf(stdout, NULL, _IOLBF, 0);
    parse(argc, argv, &o);
    return o.sender ? sender(&o) : receiver(&o);
}
