/*
 * test-tls-details.c - what a connection tells beyond version and cipher:
 * the peer's certificate in DER, the verified and unverified chains,
 * channel bindings (tls-unique, tls-exporter) agreeing on both sides and
 * with Python's ssl, the shared ciphers, and the context's getters.
 */
#include "tls-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lowercase hex of len bytes into text (2 * len + 1 bytes). */
static void to_hex(const unsigned char *data, size_t len, char *text)
{
    for (size_t i = 0; i < len; i++)
        sprintf(text + 2 * i, "%02x", data[i]);
    text[2 * len] = '\0';
}

/* What the server thread saw, for the main thread after the join. */
static char server_unique[128];
static char server_exporter[128];
static int shared_count;
static bool shared_has_current;
static const char *shared_names[64];

/* Serves: notes the bindings and the shared ciphers, then greets. */
static void serve_noting_details(struct server *srv, skt_socket *conn)
{
    unsigned char data[64];
    const char **names = shared_names;
    int n = skt_tls_get_channel_binding(conn, "tls-unique", data,
                                        sizeof data);

    server_unique[0] = server_exporter[0] = '\0';
    if (n > 0)
        to_hex(data, (size_t)n, server_unique);
    n = skt_tls_get_channel_binding(conn, "tls-exporter", data, sizeof data);
    if (n > 0)
        to_hex(data, (size_t)n, server_exporter);
    shared_count = skt_tls_shared_ciphers(conn, names, 64);
    shared_has_current = false;
    for (int i = 0; i < shared_count && i < 64; i++)
        if (strcmp(names[i], skt_tls_cipher(conn)) == 0)
            shared_has_current = true;
    serve_greeting(srv, conn);
}

/* The binding of type on s as hex, or "" when there is none. */
static const char *binding_hex(skt_socket *s, const char *type,
                               char *text)
{
    unsigned char data[64];
    int n = skt_tls_get_channel_binding(s, type, data, sizeof data);

    text[0] = '\0';
    if (n > 0)
        to_hex(data, (size_t)n, text);
    return text;
}

/* The bytes of a file, to free; *len gets the count. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    unsigned char *data = malloc(65536);

    assert_non_null(file);
    assert_non_null(data);
    *len = fread(data, 1, 65536, file);
    fclose(file);
    return data;
}

/* ------------------------------------------------------------------------ */
/* Certificates and chains                                                  */
/* ------------------------------------------------------------------------ */

static void test_peer_certificate_der_is_the_one_sent(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char cmd[1200], der_path[600];
    struct server srv = {0};
    skt_tls_cert *peer;
    unsigned char *der;
    skt_socket *s;
    size_t len;

    snprintf(der_path, sizeof der_path, "%s.der", cert("server.pem"));
    snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -outform der -out '%s'",
             cert("server.pem"), der_path);
    assert_int_equal(system(cmd), 0);
    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    SKT_OK(skt_tls_getpeercert(s, &peer));
    der = slurp(der_path, &len);
    assert_int_equal(peer->der_len, len);
    assert_memory_equal(peer->der, der, len);
    free(der);
    skt_tls_freecert(peer);
    skt_close(s);
    server_join(&srv);
}

static void test_verified_chain_ends_at_the_trusted_ca(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_cert **chain;
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    assert_int_equal(skt_tls_get_verified_chain(s, &chain), 2);
    assert_string_equal(chain[0]->subject, "CN=localhost");
    assert_string_equal(chain[1]->subject, "CN=skt test CA");
    assert_null(chain[2]);
    skt_tls_freecerts(chain);
    /* The server sent its own certificate only. */
    assert_int_equal(skt_tls_get_unverified_chain(s, &chain), 1);
    assert_string_equal(chain[0]->subject, "CN=localhost");
    skt_tls_freecerts(chain);
    skt_close(s);
    server_join(&srv);
}

static void test_no_verified_chain_without_verification(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("self-signed.pem");
    skt_tls_cert **chain;
    skt_socket *s;

    SKT_OK(skt_tls_ctx_set_check_hostname(f->cctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(f->cctx, SKT_TLS_CERT_NONE));
    SKT_OK(client_against(&srv, sctx, serve_greeting, f->cctx, "localhost",
                          &s));
    assert_code(skt_tls_get_verified_chain(s, &chain), -ENOENT);
    assert_null(chain);
    assert_int_equal(skt_tls_get_unverified_chain(s, &chain), 1);
    skt_tls_freecerts(chain);
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(sctx);
}

static void test_chains_need_a_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_cert **chain;
    char buf[64];

    assert_code(skt_tls_get_verified_chain(f->client, &chain), -EINVAL);
    assert_code(skt_tls_get_channel_binding(f->client, NULL, buf,
                                            sizeof buf), -EINVAL);
    assert_code(skt_tls_shared_ciphers(f->client, NULL, 0), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Channel bindings and shared ciphers                                      */
/* ------------------------------------------------------------------------ */

static void test_tls_unique_agrees_on_both_sides_of_tls12(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char text[128];
    skt_socket *s;

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    binding_hex(s, "tls-unique", text);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(strlen(text), 24); /* 12 bytes of Finished */
    assert_string_equal(text, server_unique);
    /* OpenSSL uses the extended master secret: tls-exporter works too. */
    assert_int_equal(strlen(server_exporter), 64);
}

static void test_tls_exporter_agrees_on_both_sides_of_tls13(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    unsigned char small[8];
    char text[128];
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    binding_hex(s, "tls-exporter", text);
    assert_code(skt_tls_get_channel_binding(s, "tls-unique", small,
                                            sizeof small), -EOPNOTSUPP);
    assert_contains(skt_error_detail(), "RFC 9266");
    assert_code(skt_tls_get_channel_binding(s, "tls-exporter", small,
                                            sizeof small), SKT_ETRUNCATED);
    assert_code(skt_tls_get_channel_binding(s, "tls-server-end-point",
                                            small, sizeof small), -EINVAL);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(strlen(text), 64);
    assert_string_equal(text, server_exporter);
    assert_string_equal(server_unique, "");
}

static void test_shared_ciphers_are_a_servers(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_noting_details, f->cctx,
                          "localhost", &s));
    assert_code(skt_tls_shared_ciphers(s, NULL, 0), -EOPNOTSUPP);
    skt_close(s);
    server_join(&srv);
    assert_true(shared_count >= 3); /* at least the TLS 1.3 suites */
    assert_true(shared_has_current);
}

/* The certificate an skt client receives from the fixture's server. */
static skt_tls_cert *peer_certificate(struct tls_fixture *f)
{
    struct server srv = {0};
    skt_tls_cert *peer;
    skt_socket *s;

    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    SKT_OK(skt_tls_getpeercert(s, &peer));
    skt_close(s);
    server_join(&srv);
    return peer;
}

static void test_tls_unique_and_der_agree_with_python(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    char script[512], port[16], output[8192], want[4096];
    struct server srv = {0};
    skt_tls_cert *own;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    server_start(&srv, f->sctx, serve_noting_details);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_info_client.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"), NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_contains(output, "version TLSv1.2\n");
    snprintf(want, sizeof want, "tls-unique %s\n", server_unique);
    assert_contains(output, want);
    /* Python's binary form of the certificate is skt's der. */
    own = peer_certificate(f);
    assert_true(own->der_len * 2 < sizeof want - 8);
    strcpy(want, "der ");
    to_hex(own->der, own->der_len, want + 4);
    assert_contains(output, want);
    skt_tls_freecert(own);
}

/* ------------------------------------------------------------------------ */
/* Against openssl s_server and s_client                                    */
/* ------------------------------------------------------------------------ */

/* Makes inter.pem, inter-leaf.pem, ... (tests/peers/make-chain.sh), once
 * a process. */
static void make_chain(void)
{
    make_more_certs("make-chain.sh");
}

static void test_verified_chain_through_s_servers_intermediate(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char chain_file[512];
    const char *args[] = {"-naccept", "1", "-www", "-cert_chain",
                          chain_file};
    skt_tls_cert **chain;
    skt_socket *s;
    int port = 0;
    pid_t pid;

    make_chain();
    snprintf(chain_file, sizeof chain_file, "%s", cert("inter.pem"));
    pid = start_s_server_cert("inter-leaf.pem", args, 5, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, f->cctx, "localhost", false));
    assert_int_equal(skt_tls_get_verified_chain(s, &chain), 3);
    assert_string_equal(chain[0]->subject, "CN=localhost");
    assert_string_equal(chain[1]->subject, "CN=skt test intermediate");
    assert_string_equal(chain[2]->subject, "CN=skt test CA");
    assert_null(chain[3]);
    skt_tls_freecerts(chain);
    /* s_server sent the leaf and the intermediate, not the root. */
    assert_int_equal(skt_tls_get_unverified_chain(s, &chain), 2);
    assert_string_equal(chain[1]->subject, "CN=skt test intermediate");
    skt_tls_freecerts(chain);
    skt_close(s);
    skt_test_wait(pid, 5);
}

/*
 * start_s_server_output, with s_server's standard input a pipe whose
 * other end goes to *input: s_server (without -www) stops at the end of
 * its input, so it must not see one until the case is done with it.
 */
static pid_t s_server_with_input(const char *certname,
                                 const char *const *extra, size_t count,
                                 int *port, int *out, int *input)
{
    int fds[2], saved = dup(STDIN_FILENO);
    pid_t pid;

    assert_true(saved >= 0);
    /* Close-on-exec: only the duplicate below reaches s_server. */
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    /* The child inherits this process's standard input for a moment. */
    assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
    close(fds[0]);
    pid = start_s_server_output(certname, extra, count, port, out);
    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);
    *input = fds[1];
    return pid;
}

/* The tls-exporter binding of an skt client of s_server (with
 * version_option, NULL for none) and the keying material that s_server
 * prints for the same label and length, both as lowercase hex. */
static void exporter_with_s_server(struct tls_fixture *f,
                                   const char *version_option, char *ours,
                                   char *theirs)
{
    const char *args[] = {"-naccept", "1", "-keymatexport",
                          "EXPORTER-Channel-Binding", "-keymatexportlen",
                          "32", version_option};
    static const char label[] = "Keying material: ";
    char line[512];
    const char *hex = NULL;
    skt_socket *s;
    int port = 0, out, input;
    pid_t pid;

    pid = s_server_with_input("server.pem", args,
                                version_option != NULL ? 7 : 6, &port, &out,
                                &input);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, f->cctx, "localhost", false));
    binding_hex(s, "tls-exporter", ours);
    while (hex == NULL && skt_test_read_line(out, line, sizeof line, 5) >= 0)
        hex = strstr(line, label);
    assert_non_null(hex);
    hex += strlen(label);
    for (size_t i = 0; hex[i] != '\0' && i < 127; i++)
        theirs[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] + 32
                                                            : hex[i]);
    theirs[strlen(hex) < 127 ? strlen(hex) : 127] = '\0';
    skt_close(s);
    close(out);
    /* The end of its input ends s_server. */
    close(input);
    skt_test_wait(pid, 5);
}

static void test_tls_exporter_is_the_keying_material_of_s_server(
    void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char ours[128], theirs[128];

    exporter_with_s_server(f, NULL, ours, theirs);
    assert_int_equal(strlen(ours), 64);
    assert_string_equal(ours, theirs);
    /* TLS 1.2 with the extended master secret defines it too. */
    exporter_with_s_server(f, "-tls1_2", ours, theirs);
    assert_int_equal(strlen(ours), 64);
    assert_string_equal(ours, theirs);
}

static void test_shared_ciphers_with_s_client_in_server_order(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char cmd[1024], output[16384];
    int out;
    pid_t pid;

    server_start(&srv, f->sctx, serve_noting_details);
    /* The client's order is the reverse of the server's. */
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername localhost -CAfile '%s' -brief -tls1_2 -cipher "
             "AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:"
             "ECDHE-ECDSA-AES256-GCM-SHA384 </dev/null 2>&1", srv.port,
             cert("ca.pem"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    skt_test_wait(pid, 10);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    /* The suite follows the client's order (no server preference, as
     * skt's default); AES128-SHA needs an RSA certificate. */
    assert_contains(output, "Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_int_equal(shared_count, 3);
    assert_string_equal(shared_names[0], "ECDHE-ECDSA-AES256-GCM-SHA384");
    assert_string_equal(shared_names[1], "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_string_equal(shared_names[2], "AES128-SHA");
    assert_true(shared_has_current);
}

/* ------------------------------------------------------------------------ */
/* The context's getters                                                    */
/* ------------------------------------------------------------------------ */

static void test_context_versions_and_options_read_back(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    uint64_t options = skt_tls_ctx_get_options(f->cctx);

    assert_int_equal(skt_tls_ctx_get_minimum_version(f->cctx),
                     SKT_TLS_VERSION_1_2);
    assert_int_equal(skt_tls_ctx_get_maximum_version(f->cctx),
                     SKT_TLS_VERSION_ANY);
    SKT_OK(skt_tls_ctx_set_minimum_version(f->cctx, SKT_TLS_VERSION_1_3));
    SKT_OK(skt_tls_ctx_set_maximum_version(f->cctx, SKT_TLS_VERSION_1_3));
    assert_int_equal(skt_tls_ctx_get_minimum_version(f->cctx),
                     SKT_TLS_VERSION_1_3);
    assert_int_equal(skt_tls_ctx_get_maximum_version(f->cctx),
                     SKT_TLS_VERSION_1_3);
    assert_int_equal(options & (SKT_TLS_OP_NO_COMPRESSION |
                                SKT_TLS_OP_NO_RENEGOTIATION |
                                SKT_TLS_OP_IGNORE_UNEXPECTED_EOF),
                     SKT_TLS_OP_NO_COMPRESSION | SKT_TLS_OP_NO_RENEGOTIATION |
                         SKT_TLS_OP_IGNORE_UNEXPECTED_EOF);
    SKT_OK(skt_tls_ctx_set_options(f->cctx, options | SKT_TLS_OP_NO_TICKET));
    assert_int_equal(skt_tls_ctx_get_options(f->cctx),
                     options | SKT_TLS_OP_NO_TICKET);
    SKT_OK(skt_tls_ctx_set_options(f->cctx, options));
    assert_int_equal(skt_tls_ctx_get_options(f->cctx), options);
    assert_code(skt_tls_ctx_set_options(f->cctx, UINT64_C(1) << 40),
                -EINVAL);
    assert_code(skt_tls_ctx_get_minimum_version(NULL), -EINVAL);
}

/* Python's names of the options, as tls_context_info.py prints them. */
static const struct {
    uint64_t bit;
    const char *name;
} option_names[] = {
    {SKT_TLS_OP_NO_COMPRESSION, "OP_NO_COMPRESSION"},
    {SKT_TLS_OP_NO_TICKET, "OP_NO_TICKET"},
    {SKT_TLS_OP_NO_RENEGOTIATION, "OP_NO_RENEGOTIATION"},
    {SKT_TLS_OP_CIPHER_SERVER_PREFERENCE, "OP_CIPHER_SERVER_PREFERENCE"},
    {SKT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT, "OP_ENABLE_MIDDLEBOX_COMPAT"},
    {SKT_TLS_OP_IGNORE_UNEXPECTED_EOF, "OP_IGNORE_UNEXPECTED_EOF"},
};

/* Python's number for a bound: SKT_TLS_VERSION_ANY is MINIMUM_SUPPORTED
 * (-2) as a minimum, MAXIMUM_SUPPORTED (-1) as a maximum. */
static int python_version(int version, int any)
{
    return version == SKT_TLS_VERSION_ANY ? any : version;
}

/* What ctx's getters say, as a line of tls_context_info.py, appended;
 * the options of mask only. */
static void describe_context(const skt_tls_ctx *ctx, uint64_t mask,
                             char *text, size_t len)
{
    uint64_t options = skt_tls_ctx_get_options(ctx) & mask;
    size_t used = strlen(text);

    used += (size_t)snprintf(
        text + used, len - used, "minimum %d maximum %d options",
        python_version(skt_tls_ctx_get_minimum_version(ctx), -2),
        python_version(skt_tls_ctx_get_maximum_version(ctx), -1));
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++)
        if (options & option_names[i].bit)
            used += (size_t)snprintf(text + used, len - used, " %s",
                                     option_names[i].name);
    snprintf(text + used, len - used, "\n");
}

/* Drops the options outside mask from a line of tls_context_info.py. */
static void mask_python_line(char *line, uint64_t mask)
{
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++) {
        char name[64], *at;
        snprintf(name, sizeof name, " %s", option_names[i].name);
        at = strstr(line, name);
        if (!(mask & option_names[i].bit) && at != NULL)
            memmove(at, at + strlen(name), strlen(at + strlen(name)) + 1);
    }
}

static void test_context_getters_agree_with_python(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    /* Defaults skt chooses on purpose: no renegotiation, a close without
     * close_notify read as an end of file, the client's cipher order. */
    uint64_t own = SKT_TLS_OP_NO_RENEGOTIATION |
                   SKT_TLS_OP_IGNORE_UNEXPECTED_EOF |
                   SKT_TLS_OP_CIPHER_SERVER_PREFERENCE;
    char script[512], output[4096], got[8200], want[4096] = "", *rest;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    describe_context(f->cctx, ~own, want, sizeof want);
    SKT_OK(skt_tls_ctx_set_minimum_version(f->cctx, SKT_TLS_VERSION_1_3));
    SKT_OK(skt_tls_ctx_set_maximum_version(f->cctx, SKT_TLS_VERSION_1_3));
    SKT_OK(skt_tls_ctx_set_options(
        f->cctx, SKT_TLS_OP_NO_COMPRESSION | SKT_TLS_OP_NO_TICKET |
                     SKT_TLS_OP_CIPHER_SERVER_PREFERENCE |
                     SKT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT));
    describe_context(f->cctx, ~UINT64_C(0), want, sizeof want);
    SKT_OK(skt_tls_ctx_set_minimum_version(f->cctx, SKT_TLS_VERSION_ANY));
    SKT_OK(skt_tls_ctx_set_maximum_version(f->cctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_options(f->cctx,
                                   SKT_TLS_OP_NO_RENEGOTIATION |
                                       SKT_TLS_OP_IGNORE_UNEXPECTED_EOF));
    describe_context(f->cctx, ~UINT64_C(0), want, sizeof want);
    skt_test_source_path("tests/peers/tls_context_info.py", script,
                         sizeof script);
    pid = skt_test_spawn(
        (char *const[]){(char *)python, script, "772", "772",
                        "OP_NO_COMPRESSION+OP_NO_TICKET+"
                        "OP_CIPHER_SERVER_PREFERENCE+"
                        "OP_ENABLE_MIDDLEBOX_COMPAT",
                        "-2", "771",
                        "OP_NO_RENEGOTIATION+OP_IGNORE_UNEXPECTED_EOF",
                        NULL},
        &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    /* The first line, the defaults, without skt's own choices. */
    rest = strchr(output, '\n');
    assert_non_null(rest);
    *rest++ = '\0';
    mask_python_line(output, ~own);
    snprintf(got, sizeof got, "%s\n%s", output, rest);
    assert_string_equal(got, want);
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_peer_certificate_der_is_the_one_sent, contexts),
    SKT_CASE(test_verified_chain_ends_at_the_trusted_ca, contexts),
    SKT_CASE(test_no_verified_chain_without_verification, contexts),
    SKT_CASE(test_chains_need_a_handshake, pair),
    SKT_CASE(test_tls_unique_agrees_on_both_sides_of_tls12, contexts),
    SKT_CASE(test_tls_exporter_agrees_on_both_sides_of_tls13, contexts),
    SKT_CASE(test_shared_ciphers_are_a_servers, contexts),
    SKT_CASE(test_tls_unique_and_der_agree_with_python, contexts),
    SKT_CASE(test_context_versions_and_options_read_back, contexts),
    SKT_CASE(test_verified_chain_through_s_servers_intermediate, contexts),
    SKT_CASE(test_tls_exporter_is_the_keying_material_of_s_server, contexts),
    SKT_CASE(test_shared_ciphers_with_s_client_in_server_order, contexts),
    SKT_CASE(test_context_getters_agree_with_python, contexts),
};

SKT_TEST_MAIN(tests)
