/*
 * sendfile-server.c - serves one file to every client with skt_sendfile:
 * the kernel copies the file to the socket, with no pass through user
 * space. sendfile-client receives it and checks its SHA-256.
 *
 *     sendfile-server HOST PORT FILE
 *     sendfile-server --help
 *
 *     listening on 127.0.0.1:43527
 *     connected by 127.0.0.1:51880
 *     sent 1048576 bytes to 127.0.0.1:51880
 *
 * Each client first gets one line, "SKTF SIZE SHA256\n", then the file's
 * SIZE bytes, then the end of the connection. PORT 0 lets the system
 * choose; the first line says which. With SKT_EXAMPLE_ONCE=1 the server
 * exits after its first client.
 *
 * The Python this follows:
 *
 *     with socket.create_server((HOST, PORT)) as server:
 *         conn, addr = server.accept()
 *         with conn, open(FILE, "rb") as f:
 *             conn.sendall(header)
 *             conn.sendfile(f)
 *
 * Build it alone against the installed library; the SHA-256 is OpenSSL's
 * (libcrypto), which skt itself depends on:
 *
 *     cc -o sendfile-server sendfile-server.c \
 *         $(pkg-config --cflags --libs skt libcrypto)
 */
#include <skt.h>

#include <fcntl.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The digest as 64 hex digits and a NUL. */
#define HEX_SIZE 65

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "sendfile-server: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Reads the whole file once for its SHA-256, as hex. */
static bool file_sha256(int fd, char *hex)
{
    unsigned char buf[65536], digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    ssize_t n = 0;

    while (ok && (n = read(fd, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n);
    ok = ok && n == 0 && EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; ok && i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return ok;
}

/* Sends the header line, then the file with skt_sendfile. */
static int serve_client(skt_socket *conn, int fd, off_t size,
                        const char *hex)
{
    char header[128];
    int len = snprintf(header, sizeof header, "SKTF %lld %s\n",
                       (long long)size, hex);
    size_t sent = 0;
    int rc = skt_sendall(conn, header, (size_t)len, 0, NULL);

    if (rc == 0)
        rc = skt_sendfile(conn, fd, 0, (size_t)size, &sent);
    if (rc == 0 && sent != (size_t)size)
        fprintf(stderr, "sendfile-server: the file shrank to %zu bytes\n",
                sent);
    return rc;
}

/* Says that accepting paused; skt_accept_retry tries again after it. */
static void say_paused(skt_socket *listener, int code, double seconds,
                       void *user)
{
    (void)listener, (void)seconds, (void)user;
    report(code);
}

static int serve(skt_socket *listener, int fd, off_t size, const char *hex,
                 bool once)
{
    /* Out of fds, or a client gone before it was accepted: the loop
     * pauses or retries instead of ending. */
    skt_accept_backoff backoff = {.on_pause = say_paused};

    for (;;) {
        char text[SKT_ADDRSTRLEN];
        skt_socket *conn;
        skt_addr peer;
        int rc = skt_accept_retry(listener, &conn, &peer, &backoff);

        if (rc < 0)
            return report(rc);
        skt_addr_format(&peer, text, sizeof text);
        printf("connected by %s\n", text);
        /* A client that goes away mid-file must not stop the server. */
        if (skt_settimeout(conn, 30) == 0 &&
            (rc = serve_client(conn, fd, size, hex)) == 0)
            printf("sent %lld bytes to %s\n", (long long)size, text);
        else
            report(rc);
        skt_close(conn);
        if (once)
            return rc < 0;
    }
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: sendfile-server HOST PORT FILE\n";

static const char help_text[] =
    "\n"
    "Serves FILE to every client with skt_sendfile, as Python's\n"
    "socket.sendfile: the kernel copies the file to the socket. Each client\n"
    "gets a line \"SKTF SIZE SHA256\", then the file's bytes, then the end of\n"
    "the connection. Listens on HOST and PORT (0: the system chooses; the\n"
    "first line printed says which). With SKT_EXAMPLE_ONCE=1 in the\n"
    "environment it exits after the first client.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "sendfile-server: %s%s\n%s", what, arg, usage_text);
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
 * Returns -1 when the program is to run with HOST, PORT and FILE
 * at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT", "FILE"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 3)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 3)
        return usage_error("unexpected argument ", argv[optind + 3]);
    return -1;
}

int main(int argc, char **argv)
{
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    char hex[HEX_SIZE], text[SKT_ADDRSTRLEN];
    skt_socket *listener;
    struct stat st;
    skt_addr addr;
    int fd, rc, status;

    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    fd = open(argv[optind + 2], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !file_sha256(fd, hex)) {
        perror("sendfile-server: reading the file");
        return 1;
    }
    rc = skt_create_server(&listener, argv[optind], argv[optind + 1], NULL);
    if (rc == 0)
        rc = skt_getsockname(listener, &addr);
    if (rc < 0) {
        close(fd);
        return report(rc);
    }
    skt_addr_format(&addr, text, sizeof text);
    printf("listening on %s\n", text);
    status = serve(listener, fd, st.st_size, hex,
                   once != NULL && strcmp(once, "1") == 0);
    skt_close(listener);
    close(fd);
    return status;
}
