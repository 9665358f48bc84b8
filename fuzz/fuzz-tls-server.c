/*
 * fuzz-tls-server.c - libFuzzer target for the server side of skt's TLS
 * transport: the input is what a client sends, written into one end of a
 * socketpair (then shut for writing), and the other end is a non-blocking
 * skt socket wrapped with skt_tls_wrap(server_side) that runs
 * skt_tls_handshake and then skt_recv until they fail or the bytes end.
 * The first byte chooses where the bytes go in: even, from the first byte
 * of the connection (ClientHello parsing, the handshake's records); odd,
 * after a real handshake with skt's own client, as raw records into the
 * established connection (the record layer, alerts, decryption failures).
 *
 * What must hold, besides no crash, leak or sanitizer report: the
 * non-blocking calls only ever say SKT_EWANTREAD/SKT_EWANTWRITE or fail,
 * never block, and within a bounded number of steps reach an end; a
 * failed handshake leaves the layer failed, so that every later call
 * returns the same code; a failed recv after the handshake says the same
 * on the next call too. A broken promise aborts, which libFuzzer reports.
 * The certificate is a throwaway one, for this target only.
 */
#include <skt.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The socket buffer holds this much, so the writer never blocks. */
#define INPUT_MAX 32768
/* Steps of the non-blocking loop before it must have ended. */
#define STEPS_MAX 256

static const char cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgDCCASWgAwIBAgIUHpeEukvaXyuwlIfZmkyJ+NQzOnowCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTIxNDkxNVoYDzIxMjYxMTA3\n"
    "MjE0OTE1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAASfFaFr9IB3ch68BC/IKakkzuoplFni4OdMDR4RyWFhFp8mNT3hSCLB\n"
    "I59W16iFgDoPx+h5pAHltjcK/xg7SrWko1MwUTAdBgNVHQ4EFgQU9OZjw/Y0rAX0\n"
    "WAIV3cKw3sVm4eUwHwYDVR0jBBgwFoAU9OZjw/Y0rAX0WAIV3cKw3sVm4eUwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA07VpG4katJ2QSeg+YRt3\n"
    "Kv9pq+krBrafUcbvjoYqN6YCIQCiGMjPTLAeOBPBF+dohtkVBtoJ0ifyaKPlVSal\n"
    "775xuw==\n"
    "-----END CERTIFICATE-----\n";

static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaPen3/9eVg8KORB3\n"
    "DrZyPo1WmtUf+zGUVC7hBZigqd2hRANCAASfFaFr9IB3ch68BC/IKakkzuoplFni\n"
    "4OdMDR4RyWFhFp8mNT3hSCLBI59W16iFgDoPx+h5pAHltjcK/xg7SrWk\n"
    "-----END PRIVATE KEY-----\n";

static skt_tls_ctx *server_ctx, *client_ctx;

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-tls-server: %s (%s)\n", what,
                skt_error_detail());
        abort();
    }
}

/* Writes text into a new temporary file; returns its path (static). */
static const char *temp_file(const char *text, char *path)
{
    int fd = mkstemp(path);
    size_t len = strlen(text);

    check(fd >= 0, "mkstemp");
    check(write(fd, text, len) == (ssize_t)len, "write");
    close(fd);
    return path;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char cert[] = "/tmp/skt-fuzz-cert.XXXXXX";
    char key[] = "/tmp/skt-fuzz-key.XXXXXX";

    (void)argc, (void)argv;
    check(skt_tls_ctx_new(&server_ctx, SKT_TLS_SERVER) == 0, "ctx_new");
    check(skt_tls_ctx_load_cert_chain(server_ctx, temp_file(cert_pem, cert),
                                      temp_file(key_pem, key), NULL) == 0,
          "load_cert_chain");
    unlink(cert);
    unlink(key);
    check(skt_tls_ctx_new(&client_ctx, SKT_TLS_CLIENT) == 0, "ctx_new");
    skt_tls_ctx_set_check_hostname(client_ctx, false);
    skt_tls_ctx_set_verify_mode(client_ctx, SKT_TLS_CERT_NONE);
    return 0;
}

static bool wants(int rc)
{
    return rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE;
}

/* Drops what the server wrote to the client's end (its own records). */
static void drain(skt_socket *client_end)
{
    char buf[4096];

    while (skt_recv(client_end, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
}

/* Runs the server's handshake on the fuzzer's bytes, step by step. */
static int handshake(skt_socket *server, skt_socket *client_end)
{
    int rc = skt_tls_wrap(server, server_ctx, NULL, true);

    for (int step = 0; wants(rc); step++) {
        check(step < STEPS_MAX, "the handshake never ends");
        drain(client_end);
        rc = skt_tls_handshake(server);
    }
    return rc;
}

/* Reads what the bytes hold as application data, until a failure or
 * the end; a failure must say the same on the next call. */
static void read_all(skt_socket *server, skt_socket *client_end)
{
    char buf[16384];

    for (int step = 0; step < STEPS_MAX; step++) {
        ssize_t n = skt_recv(server, buf, sizeof buf, 0);
        check(n <= (ssize_t)sizeof buf, "recv returned more than asked");
        if (n > 0 || wants((int)n)) {
            drain(client_end);
            if (n == SKT_EWANTREAD && step > 4)
                return; /* nothing more will come but a non-blocking wait */
            continue;
        }
        if (n < 0)
            check(skt_recv(server, buf, sizeof buf, 0) == n,
                  "a failed recv said something else the next time");
        return;
    }
}

/* A real handshake between skt's client (on a) and the server (on b),
 * both non-blocking, stepped in turn. */
static bool real_handshake(skt_socket *a, skt_socket *b)
{
    int rc_a = skt_tls_wrap(a, client_ctx, NULL, false);
    int rc_b = skt_tls_wrap(b, server_ctx, NULL, true);

    for (int step = 0; step < STEPS_MAX; step++) {
        if (wants(rc_a))
            rc_a = skt_tls_handshake(a);
        if (wants(rc_b))
            rc_b = skt_tls_handshake(b);
        if (rc_a == 0 && rc_b == 0)
            return true;
        if (!wants(rc_a) && rc_a != 0)
            return false;
        if (!wants(rc_b) && rc_b != 0)
            return false;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    skt_socket *client_end, *server;
    bool established;
    int fd, rc;

    if (size < 1 || size > INPUT_MAX + 1)
        return 0;
    established = data[0] & 1;
    check(skt_socketpair(&client_end, &server, AF_UNIX, SOCK_STREAM, 0) == 0,
          "socketpair");
    check(skt_setblocking(server, false) == 0, "setblocking");
    check(skt_setblocking(client_end, false) == 0, "setblocking");
    if (established && !real_handshake(client_end, server))
        check(false, "the real handshake failed");
    /* The client's TLS layer is bypassed: the fuzzer's bytes go raw. */
    check(skt_fileno(client_end, &fd) == 0, "fileno");
    check(write(fd, data + 1, size - 1) == (ssize_t)(size - 1),
          "write the input");
    check(shutdown(fd, SHUT_WR) == 0, "shutdown");
    if (!established) {
        rc = handshake(server, client_end);
        if (rc < 0) {
            char byte;
            check(skt_recv(server, &byte, 1, 0) == rc,
                  "a failed handshake's layer said something else");
            check(skt_send(server, "x", 1, 0) == rc,
                  "a failed handshake's layer let a send through");
        } else {
            read_all(server, client_end);
        }
    } else {
        read_all(server, client_end);
    }
    skt_close(server);
    skt_close(client_end);
    return 0;
}
