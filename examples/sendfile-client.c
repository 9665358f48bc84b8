/*
 * sendfile-client.c - receives the file sendfile-server serves and checks
 * its SHA-256 against the one the server announced.
 *
 *     sendfile-client HOST PORT [OUTPUT]
 *     sendfile-client --help
 *
 *     received 1048576 bytes, sha256 5b2c...: ok
 *
 * The server sends "SKTF SIZE SHA256\n", then SIZE bytes, then closes.
 * With OUTPUT the bytes are written there too. Exits 0 when the size and
 * the digest match, 1 otherwise (a short file, a bad digest, an error).
 *
 * The Python this follows:
 *
 *     with socket.create_connection((HOST, PORT), timeout=30) as s:
 *         header = s.makefile("rb").readline()
 *         ...  # then the file's bytes, into hashlib.sha256()
 *
 * Build it alone against the installed library; the SHA-256 is OpenSSL's
 * (libcrypto), which skt itself depends on:
 *
 *     cc -o sendfile-client sendfile-client.c \
 *         $(pkg-config --cflags --libs skt libcrypto)
 */
#include <skt.h>

#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "sendfile-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Reads the header line a byte at a time, so that no file byte is taken
 * with it. Returns 0, or a negative code. */
static int read_header(skt_socket *s, long long *size, char *hex)
{
    char line[128];
    size_t used = 0;

    while (used + 1 < sizeof line) {
        int rc = skt_recv_exact(s, line + used, 1, 0, NULL);
        if (rc < 0)
            return rc;
        if (line[used] == '\n')
            break;
        used++;
    }
    line[used] = '\0';
    if (sscanf(line, "SKTF %lld %64s", size, hex) != 2 || *size < 0 ||
        strlen(hex) != 64)
        return SKT_EBADHEADER;
    return 0;
}

/* Receives size bytes into the digest (and out, when given), then checks
 * that the server closed. */
static int receive(skt_socket *s, long long size, EVP_MD_CTX *ctx,
                   FILE *out, long long *got)
{
    static char buf[1 << 20];

    *got = 0;
    while (*got < size) {
        ssize_t n = skt_recv(s, buf, sizeof buf, 0);
        if (n <= 0)
            return n == 0 ? SKT_EEOF : (int)n;
        if (*got + n > size)
            return SKT_EMSGTOOBIG;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        if (out != NULL && fwrite(buf, 1, (size_t)n, out) != (size_t)n)
            return -EIO;
        *got += n;
    }
    return skt_recv(s, buf, 1, 0) == 0 ? 0 : SKT_EMSGTOOBIG;
}

static void hex_digest(EVP_MD_CTX *ctx, char *hex)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    EVP_DigestFinal_ex(ctx, digest, &len);
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static int fetch(skt_socket *s, FILE *out)
{
    char expected[65], actual[65];
    long long size, got = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = ctx != NULL ? read_header(s, &size, expected) : -ENOMEM;

    if (rc == 0 && !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        rc = -ENOMEM;
    if (rc == 0)
        rc = receive(s, size, ctx, out, &got);
    if (rc < 0) {
        EVP_MD_CTX_free(ctx);
        fprintf(stderr, "sendfile-client: after %lld bytes: %s\n", got,
                skt_strerror(rc));
        return 1;
    }
    hex_digest(ctx, actual);
    EVP_MD_CTX_free(ctx);
    if (strcmp(actual, expected) != 0) {
        printf("received %lld bytes, sha256 %s: MISMATCH (expected %s)\n",
               got, actual, expected);
        return 1;
    }
    printf("received %lld bytes, sha256 %s: ok\n", got, actual);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: sendfile-client HOST PORT [OUTPUT]\n";

static const char help_text[] =
    "\n"
    "Receives the file sendfile-server serves from HOST and PORT and checks\n"
    "its SHA-256 against the one the server announced; with OUTPUT, writes\n"
    "the bytes there too. Exits 0 when the size and the digest match.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "sendfile-client: %s%s\n%s", what, arg, usage_text);
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
 * Returns -1 when the program is to run with HOST, PORT (and
 * OUTPUT) from argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 2)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 3)
        return usage_error("unexpected argument ", argv[optind + 3]);
    return -1;
}

int main(int argc, char **argv)
{
    skt_connect_opts opts = {.timeout = 30};
    const char *output;
    FILE *out = NULL;
    skt_socket *s;
    int rc, status;

    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    output = argc - optind == 3 ? argv[optind + 2] : NULL;
    if (output != NULL && (out = fopen(output, "wb")) == NULL) {
        perror("sendfile-client: OUTPUT");
        return 1;
    }
    rc = skt_create_connection(&s, argv[optind], argv[optind + 1], &opts);
    if (rc < 0) {
        if (out != NULL)
            fclose(out);
        return report(rc);
    }
    status = fetch(s, out);
    skt_close(s);
    if (out != NULL && fclose(out) != 0)
        status = 1;
    return status;
}
