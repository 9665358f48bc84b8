/*
 * tls-client.c - fetch a page over HTTPS with HTTP/1.0 and show what came
 * back: the TLS session, the server's certificate subject and the
 * response head.
 *
 *     tls-client HOST PORT [--cafile FILE]
 *     tls-client --help
 *
 * The server's certificate must verify against the system trust store, or
 * against FILE (PEM) when --cafile is given, and must be valid for HOST.
 * Output:
 *
 *     connected to 127.0.0.1:4433 with TLSv1.3, TLS_AES_256_GCM_SHA384
 *     peer certificate subject: CN=localhost
 *     HTTP/1.0 200 ok
 *     Content-type: text/html
 *
 * Exit status 0, or 1 with the reason on stderr, e.g. "tls-client: TLS
 * handshake with 127.0.0.1:4433 (server name localhost): certificate
 * verify failed: unable to get local issuer certificate ...".
 *
 * The Python this follows:
 *
 *     context = ssl.create_default_context(cafile=FILE)
 *     with socket.create_connection((HOST, PORT), 10) as sock:
 *         with context.wrap_socket(sock, server_hostname=HOST) as tls:
 *             tls.sendall(b"GET / HTTP/1.0\r\nHost: ...\r\n\r\n")
 *             ...
 *
 * Build it alone against the installed library:
 *
 *     cc -o tls-client tls-client.c $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One deadline for connecting, then one per operation. */
#define TIMEOUT 10.0
/* A response head longer than this is refused. */
#define HEAD_MAX 65536

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "tls-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* A client context that trusts cafile, or the system store for NULL. */
static int make_context(skt_tls_ctx **ctx, const char *cafile)
{
    int rc = skt_tls_ctx_new(ctx, SKT_TLS_CLIENT);

    if (rc == 0 && cafile != NULL)
        rc = skt_tls_ctx_load_verify_locations(*ctx, cafile, NULL, NULL);
    if (rc < 0) {
        skt_tls_ctx_free(*ctx);
        *ctx = NULL;
    }
    return rc;
}

/* Prints the session and the certificate the server presented. */
static int print_session(skt_socket *tls)
{
    char text[SKT_ADDRSTRLEN];
    skt_tls_cert *cert;
    skt_addr peer;
    int rc;

    rc = skt_getpeername(tls, &peer);
    if (rc == 0)
        rc = skt_addr_format(&peer, text, sizeof text) < 0 ? -1 : 0;
    if (rc == 0)
        rc = skt_tls_getpeercert(tls, &cert);
    if (rc < 0)
        return rc;
    printf("connected to %s with %s, %s\n", text, skt_tls_version(tls),
           skt_tls_cipher(tls));
    printf("peer certificate subject: %s\n", cert->subject);
    skt_tls_freecert(cert);
    return 0;
}

/*
 * Reads until the blank line that ends the head (or the end of the
 * response) and prints the head with its CRLFs as plain newlines.
 */
static int print_head(skt_socket *tls)
{
    static char buf[HEAD_MAX + 1];
    size_t used = 0;
    char *end = NULL;

    while (end == NULL && used < HEAD_MAX) {
        ssize_t got = skt_recv(tls, buf + used, HEAD_MAX - used, 0);
        if (got < 0)
            return (int)got;
        if (got == 0)
            break;
        used += (size_t)got;
        buf[used] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (end == NULL && used == HEAD_MAX) {
        fprintf(stderr, "tls-client: response head over %d bytes\n",
                HEAD_MAX);
        return 1;
    }
    buf[end != NULL ? (size_t)(end - buf) : used] = '\0';
    for (char *line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n"))
        printf("%s\n", line);
    return 0;
}

static int fetch(skt_socket *tls, const char *host, const char *port)
{
    char request[1024];
    int len, rc;

    len = snprintf(request, sizeof request, "GET / HTTP/1.0\r\nHost: %s:%s"
                   "\r\nUser-Agent: skt-tls-client\r\n\r\n", host, port);
    if (len < 0 || (size_t)len >= sizeof request) {
        fprintf(stderr, "tls-client: host name too long\n");
        return 1;
    }
    rc = skt_sendall(tls, request, (size_t)len, 0, NULL);
    if (rc == 0)
        rc = print_session(tls);
    if (rc == 0)
        rc = print_head(tls);
    return rc < 0 ? report(rc) : rc;
}

static int run(const char *host, const char *port, const char *cafile)
{
    skt_connect_opts opts = {.timeout = TIMEOUT};
    skt_tls_ctx *ctx;
    skt_socket *s;
    int rc, status;

    rc = make_context(&ctx, cafile);
    if (rc < 0)
        return report(rc);
    rc = skt_create_connection(&s, host, port, &opts);
    if (rc < 0) {
        skt_tls_ctx_free(ctx);
        return report(rc);
    }
    /* The socket keeps what it needs of the context. */
    rc = skt_tls_wrap(s, ctx, host, false);
    skt_tls_ctx_free(ctx);
    status = rc < 0 ? report(rc) : fetch(s, host, port);
    skt_close(s);
    return status;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: tls-client HOST PORT [--cafile FILE]\n";

static const char help_text[] =
    "\n"
    "Fetches / over HTTPS (HTTP/1.0) from HOST and PORT, as a client of\n"
    "Python's ssl module with create_default_context, and prints the TLS\n"
    "session, the server certificate's subject and the response head. The\n"
    "certificate must verify against the system trust store, or against\n"
    "FILE, and be valid for HOST. The options may come before or after HOST\n"
    "PORT.\n"
    "\n"
    "      --cafile FILE  trust the CAs in FILE (PEM), not the system's\n"
    "  -h, --help         print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "tls-client: %s%s\n%s", what, arg, usage_text);
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
 * Reads the options: -h or --help prints the help on stdout, --cafile
 * FILE sets *cafile. They may come before or after the operands (getopt
 * puts the operands last). Returns -1 when the program is to run with
 * HOST and PORT at argv[optind], or the exit status: 0 after the help, 2
 * after a usage error.
 */
static int read_command_line(int argc, char **argv, const char **cafile)
{
    static const struct option options[] = {
        {"cafile", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    /* The leading ':' makes a missing FILE ':', told from an unknown '?'. */
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (opt == 'c') {
            *cafile = optarg;
        } else if (opt == 'h') {
            printf("%s%s", usage_text, help_text);
            return 0;
        } else if (opt == ':') {
            return usage_error("--cafile needs a FILE", "");
        } else {
            return usage_error("unknown option ", refused_option(argv));
        }
    }
    if (argc - optind < 2)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 2)
        return usage_error("unexpected argument ", argv[optind + 2]);
    return -1;
}

int main(int argc, char **argv)
{
    const char *cafile = NULL;
    int status = read_command_line(argc, argv, &cafile);

    if (status >= 0)
        return status;
    return run(argv[optind], argv[optind + 1], cafile);
}
