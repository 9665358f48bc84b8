/*
 * sendfile-client.c - receives the file sendfile-server serves and checks
 * its SHA-256 against the one the server announced.
 *
 *     sendfile-client HOST PORT [OUTPUT]
 *
 *     received 1048576 bytes, sha256 5b2c...: ok
 *
 * The server sends "SKTF SIZE SHA256\n", then SIZE bytes, then closes.
 * With OUTPUT the bytes are written there too. Exits 0 when the size and
 * the digest match, 1 otherwise (a short file, a bad digest, an error).
 */
#include <skt.h>

#include <errno.h>
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

int main(int argc, char **argv)
{
    skt_connect_opts opts = {.timeout = 30};
    FILE *out = NULL;
    skt_socket *s;
    int rc, status;

    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: sendfile-client HOST PORT [OUTPUT]\n");
        return 2;
    }
    if (argc == 4 && (out = fopen(argv[3], "wb")) == NULL) {
        perror("sendfile-client: OUTPUT");
        return 1;
    }
    rc = skt_create_connection(&s, argv[1], argv[2], &opts);
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
