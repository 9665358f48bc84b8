/*
 * tls-echo-server.c - the echo server of the Python socket module's
 * examples, over TLS as the ssl module's server-side examples do it.
 *
 *     tls-echo-server HOST PORT CERT KEY
 *     tls-echo-server --help
 *
 * CERT is the server's certificate chain (PEM) and KEY its private key.
 * PORT 0 lets the system choose a free port, and the first line printed
 * shows which:
 *
 *     listening on 127.0.0.1:43527
 *     connected by 127.0.0.1:51880 (TLSv1.3, TLS_AES_256_GCM_SHA384)
 *     closed 127.0.0.1:51880
 *
 * Connections are served one after another, each until the client closes
 * its side; a client whose handshake fails is reported on stderr and the
 * server goes on. Each connection has 30 seconds per operation, so that a
 * client that stalls cannot hold the server forever. When the process runs
 * out of fds, accepting pauses and says so on stderr, then goes on. With
 * SKT_EXAMPLE_ONCE=1 in the environment the server exits after the first
 * connection, with its status, which is what the tests use.
 *
 * The Python this follows:
 *
 *     context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
 *     context.load_cert_chain(CERT, KEY)
 *     with socket.create_server((HOST, PORT)) as s:
 *         conn, addr = s.accept()
 *         with context.wrap_socket(conn, server_side=True) as tls:
 *             while data := tls.recv(4096):
 *                 tls.sendall(data)
 *
 * Build it alone against the installed library:
 *
 *     cc -o tls-echo-server tls-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECTION_TIMEOUT 30.0

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "tls-echo-server: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

static const char *addr_text(const skt_addr *addr, char *buf, size_t len)
{
    if (skt_addr_format(addr, buf, len) < 0)
        snprintf(buf, len, "(unknown address)");
    return buf;
}

static int make_context(skt_tls_ctx **ctx, const char *cert, const char *key)
{
    int rc = skt_tls_ctx_new(ctx, SKT_TLS_SERVER);

    if (rc == 0)
        rc = skt_tls_ctx_load_cert_chain(*ctx, cert, key, NULL);
    if (rc < 0) {
        skt_tls_ctx_free(*ctx);
        *ctx = NULL;
    }
    return rc;
}

/* Sends back everything the client sends, until it closes its side. */
static int echo(skt_socket *tls)
{
    char buf[16384];

    for (;;) {
        ssize_t got = skt_recv(tls, buf, sizeof buf, 0);
        int rc;

        if (got <= 0)
            return (int)got; /* 0: the client closed; < 0: an error */
        rc = skt_sendall(tls, buf, (size_t)got, 0, NULL);
        if (rc < 0)
            return rc;
    }
}

/* Handshakes, echoes and closes one connection. Returns its status. */
static int serve_connection(skt_socket *conn, const skt_addr *peer,
                            skt_tls_ctx *ctx)
{
    char text[SKT_ADDRSTRLEN];
    int rc;

    addr_text(peer, text, sizeof text);
    rc = skt_settimeout(conn, CONNECTION_TIMEOUT);
    if (rc == 0)
        rc = skt_tls_wrap(conn, ctx, NULL, true);
    if (rc == 0) {
        printf("connected by %s (%s, %s)\n", text, skt_tls_version(conn),
               skt_tls_cipher(conn));
        rc = echo(conn);
    }
    /* Closing a TLS socket sends close_notify first. */
    skt_close(conn);
    printf("closed %s\n", text);
    return rc < 0 ? report(rc) : 0;
}

/* Says that accepting paused; skt_accept_retry tries again after it. */
static void say_paused(skt_socket *listener, int code, double seconds,
                       void *user)
{
    (void)listener, (void)seconds, (void)user;
    report(code);
}

static int serve(skt_socket *listener, skt_tls_ctx *ctx, bool once)
{
    /* Out of fds, or a client gone before it was accepted: the loop
     * pauses or retries instead of ending. */
    skt_accept_backoff backoff = {.on_pause = say_paused};

    for (;;) {
        skt_socket *conn;
        skt_addr peer;
        int status, rc;

        rc = skt_accept_retry(listener, &conn, &peer, &backoff);
        if (rc < 0)
            return report(rc);
        status = serve_connection(conn, &peer, ctx);
        if (once)
            return status;
    }
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: tls-echo-server HOST PORT CERT KEY\n";

static const char help_text[] =
    "\n"
    "The echo server of the Python socket module's examples over TLS, as\n"
    "Python's ssl.SSLContext(PROTOCOL_TLS_SERVER) with\n"
    "load_cert_chain(CERT, KEY): listens on HOST and PORT (0: the system\n"
    "chooses; the first line printed says which) and sends back what each\n"
    "client sends, one client after the other. CERT is the certificate\n"
    "chain (PEM), KEY its private key. With SKT_EXAMPLE_ONCE=1 in the\n"
    "environment it exits after the first client.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "tls-echo-server: %s%s\n%s", what, arg, usage_text);
    return 2;
}

/* The option getopt refused, as it was typed: "--bogus" or "-x". */
static const char *refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/*
 * Reads the options: -h or --help prints the help on stdout. They come
 * before the operands ("+"), so that no operand is taken for an option.
 * Returns -1 when the program is to run with HOST, PORT, CERT
 * and KEY at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT", "CERT", "KEY"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 4)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 4)
        return usage_error("unexpected argument ", argv[optind + 4]);
    return -1;
}

int main(int argc, char **argv)
{
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    char text[SKT_ADDRSTRLEN];
    skt_socket *listener;
    skt_tls_ctx *ctx;
    skt_addr addr;
    int rc, status;

    /* Each line goes out at once, so that a script waiting for
     * "listening on" sees it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    rc = make_context(&ctx, argv[optind + 2], argv[optind + 3]);
    if (rc < 0)
        return report(rc);
    rc = skt_create_server(&listener, argv[optind], argv[optind + 1], NULL);
    if (rc == 0)
        rc = skt_getsockname(listener, &addr);
    if (rc < 0) {
        status = report(rc);
        skt_tls_ctx_free(ctx);
        return status;
    }
    printf("listening on %s\n", addr_text(&addr, text, sizeof text));
    status = serve(listener, ctx, once != NULL && strcmp(once, "1") == 0);
    skt_close(listener);
    skt_tls_ctx_free(ctx);
    return status;
}
