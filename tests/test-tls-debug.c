/*
 * test-tls-debug.c - looking inside TLS: the key log file opening a
 * capture (a session recorded on loopback with tshark and decrypted with
 * `-o tls.keylog_file:FILE`, the application data then in clear),
 * SSLKEYLOGFILE honoured only when the application asks (its lines the
 * same as `openssl s_server -keylogfile` writes for the session), and the
 * message callback tracing a handshake (with Python's ssl, whose own
 * trace must mirror it).
 */
#include "tls-common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char marker[] = "skt-keylog-marker";

/* The contents of a file (up to len - 1 bytes), NUL-terminated. */
static void read_file(const char *path, char *buf, size_t len)
{
    FILE *file = fopen(path, "r");
    size_t n;

    assert_non_null(file);
    n = fread(buf, 1, len - 1, file);
    buf[n] = '\0';
    fclose(file);
}

/* Output of a shell command (stdout and stderr), NUL-terminated. */
static void run(const char *cmd, char *output, size_t len)
{
    int out;
    pid_t pid = skt_test_spawn((char *const[]){"sh", "-c", (char *)cmd,
                                               NULL},
                               &out);

    read_all(out, output, len, 20);
    close(out);
    skt_test_wait(pid, 20);
}

/* One echo exchange of the marker with the fixture's server on port. */
static void exchange_marker(struct tls_fixture *f, int port)
{
    skt_socket *s = connect_to(port, 10);
    char buf[sizeof marker];

    SKT_OK(skt_tls_wrap(s, f->cctx, "localhost", false));
    SKT_OK(skt_sendall(s, marker, sizeof marker - 1, 0, NULL));
    SKT_OK(skt_recv_exact(s, buf, sizeof marker - 1, 0, NULL));
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* The key log and tshark                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Starts tshark capturing port on loopback into capture; returns its pid
 * once it says it captures, or skips the case (after cleaning up) when it
 * cannot.
 */
static pid_t start_capture(int port, const char *capture,
                           struct server *srv)
{
    char cmd[1024], line[512];
    int out, got;
    pid_t pid;

    snprintf(cmd, sizeof cmd, "exec tshark -i lo -f 'tcp port %d' -w '%s' "
             "2>&1", port, capture);
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    do
        got = skt_test_read_line(out, line, sizeof line, 10);
    while (got > 0 && strstr(line, "Capturing on") == NULL);
    close(out);
    if (got <= 0) {
        kill(pid, SIGTERM);
        skt_test_wait(pid, 5);
        skt_close(connect_to(srv->port, 5)); /* lets the server end */
        server_join(srv);
        SKT_SKIP("tshark cannot capture on loopback here (it needs "
                 "CAP_NET_RAW); last line: %s", got > 0 ? line : "none");
    }
    /* The capture starts just after the message. */
    usleep(300 * 1000);
    return pid;
}

static void test_keylog_lets_tshark_decrypt_a_capture(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char capture[600], keylog[600], cmd[2000], output[65536], hex[64];
    struct server srv = {0};
    pid_t pid;

    if (system("command -v tshark >/dev/null 2>&1") != 0)
        SKT_SKIP("tshark is not installed (scripts/install-deps test adds "
                 "it)");
    snprintf(capture, sizeof capture, "%s.pcapng", cert("capture"));
    snprintf(keylog, sizeof keylog, "%s", cert("keylog.txt"));
    SKT_OK(skt_tls_ctx_set_keylog_filename(f->cctx, keylog));
    assert_string_equal(skt_tls_ctx_get_keylog_filename(f->cctx), keylog);
    server_start(&srv, f->sctx, serve_echo);
    pid = start_capture(srv.port, capture, &srv);
    exchange_marker(f, srv.port);
    server_join(&srv);
    usleep(300 * 1000);
    kill(pid, SIGINT);
    assert_int_equal(skt_test_wait(pid, 10), 0);

    read_file(keylog, output, sizeof output);
    assert_contains(output, "# TLS secrets log file");
    assert_contains(output, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ");
    assert_contains(output, "CLIENT_TRAFFIC_SECRET_0 ");
    for (size_t i = 0; i + 1 < sizeof marker; i++)
        sprintf(hex + 2 * i, "%02x", (unsigned char)marker[i]);
    /* Without the keys the capture shows no data; with them, both ways. */
    snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e data.data -Y "
             "data 2>&1", capture);
    run(cmd, output, sizeof output);
    assert_null(strstr(output, hex));
    snprintf(cmd, sizeof cmd, "tshark -r '%s' -o 'tls.keylog_file:%s' -T "
             "fields -e data.data -Y data 2>&1", capture, keylog);
    run(cmd, output, sizeof output);
    assert_contains(output, hex);
    assert_non_null(strstr(strstr(output, hex) + 1, hex));
}

static void test_sslkeylogfile_only_when_the_application_asks(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    char keylog[600], text[8192];
    skt_tls_ctx *cctx;

    snprintf(keylog, sizeof keylog, "%s", cert("env-keylog.txt"));
    setenv("SSLKEYLOGFILE", keylog, 1);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    assert_null(skt_tls_ctx_get_keylog_filename(cctx));
    SKT_OK(skt_tls_ctx_keylog_from_env(f->cctx));
    assert_string_equal(skt_tls_ctx_get_keylog_filename(f->cctx), keylog);
    server_start(&srv, f->sctx, serve_echo);
    exchange_marker(f, srv.port);
    server_join(&srv);
    read_file(keylog, text, sizeof text);
    assert_contains(text, "SERVER_TRAFFIC_SECRET_0 ");
    /* Unset: nothing changes. */
    unsetenv("SSLKEYLOGFILE");
    SKT_OK(skt_tls_ctx_keylog_from_env(cctx));
    assert_null(skt_tls_ctx_get_keylog_filename(cctx));
    SKT_OK(skt_tls_ctx_set_keylog_filename(f->cctx, NULL));
    assert_null(skt_tls_ctx_get_keylog_filename(f->cctx));
    skt_tls_ctx_free(cctx);
}

/* Sorts the lines of text that are not comments into sorted, one a line;
 * returns their count. */
static int secret_lines(const char *text, char *sorted, size_t len)
{
    char copy[8192], *lines[32], *save = NULL;
    size_t used = 0;
    int count = 0;

    snprintf(copy, sizeof copy, "%s", text);
    for (char *line = strtok_r(copy, "\n", &save); line != NULL && count < 32;
         line = strtok_r(NULL, "\n", &save))
        if (line[0] != '#')
            lines[count++] = line;
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *swap = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = swap;
        }
    sorted[0] = '\0';
    for (int i = 0; i < count; i++)
        used += (size_t)snprintf(sorted + used, len - used, "%s\n", lines[i]);
    return count;
}

/* One GET from `openssl s_server -www -keylogfile` (with version_option,
 * NULL for none) by a client whose key log comes from SSLKEYLOGFILE;
 * both files' secret lines, sorted, into ours and theirs. */
static int keylogs_with_s_server(const char *version_option, char *ours,
                                 char *theirs, size_t len)
{
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    char keylog[600], server_log[620], text[8192], page[4096];
    const char *args[] = {"-naccept", "1", "-www", "-keylogfile",
                          server_log, version_option};
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *s;
    int port = 0, count;
    pid_t pid;

    snprintf(keylog, sizeof keylog, "%s%s", cert("env-keylog"),
             version_option != NULL ? version_option : "");
    snprintf(server_log, sizeof server_log, "%s.server", keylog);
    assert_int_equal(setenv("SSLKEYLOGFILE", keylog, 1), 0);
    SKT_OK(skt_tls_ctx_keylog_from_env(cctx));
    pid = start_s_server(args, version_option != NULL ? 6 : 5, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    SKT_OK(skt_sendall(s, request, strlen(request), 0, NULL));
    while (skt_recv(s, page, sizeof page, 0) > 0)
        ;
    skt_close(s);
    assert_int_equal(skt_test_wait(pid, 5), 0);
    read_file(keylog, text, sizeof text);
    count = secret_lines(text, ours, len);
    read_file(server_log, text, sizeof text);
    assert_int_equal(secret_lines(text, theirs, len), count);
    skt_tls_ctx_free(cctx);
    return count;
}

static void test_sslkeylogfile_lines_match_s_servers_key_log(void **state)
{
    char ours[8192], theirs[8192];

    (void)state;

    /* TLS 1.3: two handshake and two traffic secrets, the exporter's. */
    assert_int_equal(keylogs_with_s_server(NULL, ours, theirs, sizeof ours),
                     5);
    assert_contains(ours, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ");
    assert_contains(ours, "EXPORTER_SECRET ");
    assert_string_equal(ours, theirs);
    /* TLS 1.2: the master secret, by client random. */
    assert_int_equal(
        keylogs_with_s_server("-tls1_2", ours, theirs, sizeof ours), 1);
    assert_contains(ours, "CLIENT_RANDOM ");
    assert_string_equal(ours, theirs);
}

static void test_keylog_in_a_missing_directory_fails(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    assert_code(skt_tls_ctx_set_keylog_filename(f->cctx,
                                                "/nonexistent/skt/keys"),
                -ENOENT);
    assert_contains(skt_error_detail(), "/nonexistent/skt/keys");
    assert_null(skt_tls_ctx_get_keylog_filename(f->cctx));
}

/* ------------------------------------------------------------------------ */
/* The message callback                                                     */
/* ------------------------------------------------------------------------ */

struct trace {
    skt_socket *socket; /* the socket the calls named */
    int count;
    int first_written; /* the first handshake message written */
    bool read_server_hello, read_certificate, wrote_finished;
};

static void note_message(skt_socket *s, int direction, int version,
                         int content_type, int msg_type, const void *data,
                         size_t len, void *arg)
{
    struct trace *trace = arg;

    (void)version;
    (void)data;
    (void)len;
    trace->socket = s;
    trace->count++;
    if (content_type != 22)
        return;
    if (direction == SKT_TLS_MSG_WRITE && trace->first_written == 0)
        trace->first_written = msg_type;
    if (direction == SKT_TLS_MSG_READ && msg_type == 2)
        trace->read_server_hello = true;
    if (direction == SKT_TLS_MSG_READ && msg_type == 11)
        trace->read_certificate = true;
    if (direction == SKT_TLS_MSG_WRITE && msg_type == 20)
        trace->wrote_finished = true;
}

static void test_msg_callback_traces_the_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct trace trace = {0};
    struct server srv = {0};
    skt_socket *s;

    SKT_OK(skt_tls_ctx_set_msg_callback(f->cctx, note_message, &trace));
    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    assert_ptr_equal(trace.socket, s);
    assert_int_equal(trace.first_written, 1); /* ClientHello */
    assert_true(trace.read_server_hello);
    assert_true(trace.read_certificate);
    assert_true(trace.wrote_finished);
    skt_close(s);
    server_join(&srv);
    /* Connections made after the removal are not traced. */
    SKT_OK(skt_tls_ctx_set_msg_callback(f->cctx, NULL, NULL));
    trace.count = 0;
    SKT_OK(client_against(&srv, f->sctx, serve_greeting, f->cctx,
                          "localhost", &s));
    skt_close(s);
    server_join(&srv);
    assert_int_equal(trace.count, 0);
}

/* The types of the handshake messages a connection read and wrote, in
 * order, as text ("1 20"). */
struct handshake_log {
    char read[128];
    char wrote[128];
};

static void log_handshake(skt_socket *s, int direction, int version,
                          int content_type, int msg_type, const void *data,
                          size_t len, void *arg)
{
    struct handshake_log *log = arg;
    char *text = direction == SKT_TLS_MSG_READ ? log->read : log->wrote;
    size_t used = strlen(text);

    (void)s;
    (void)version;
    (void)data;
    (void)len;
    if (content_type == 22 && used + 8 < sizeof log->read)
        snprintf(text + used, sizeof log->read - used, "%s%d",
                 used > 0 ? " " : "", msg_type);
}

static void test_msg_callback_sees_pythons_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    struct handshake_log log = {{0}, {0}};
    char script[512], line[256], output[1024], want[512];
    skt_socket *s;
    char buf[5];
    int out, port = 0;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    SKT_OK(skt_tls_ctx_set_msg_callback(f->cctx, log_handshake, &log));
    skt_test_source_path("tests/peers/tls_server.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--cert",
                                         (char *)cert("server.pem"), "--key",
                                         (char *)cert("server.key"),
                                         "--trace", "--timeout", "10", NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%d", &port), 1);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, f->cctx, "localhost", false));
    /* ClientHello out; ServerHello, EncryptedExtensions, Certificate,
     * CertificateVerify, Finished in; then our Finished. */
    assert_string_equal(log.wrote, "1 20");
    assert_string_equal(log.read, "2 8 11 15 20");
    /* The echo brings Python's session tickets in first. */
    SKT_OK(skt_sendall(s, "hello", 5, 0, NULL));
    SKT_OK(skt_recv_exact(s, buf, sizeof buf, 0, NULL));
    SKT_OK(skt_tls_unwrap(s));
    skt_close(s);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    /* What Python wrote is what skt read, and the other way round. */
    snprintf(want, sizeof want, "wrote %s\nread %s\n", log.read, log.wrote);
    assert_string_equal(output, want);
    assert_contains(log.read, "20 4");
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_keylog_lets_tshark_decrypt_a_capture, contexts),
    SKT_CASE(test_sslkeylogfile_only_when_the_application_asks, contexts),
    SKT_CASE(test_keylog_in_a_missing_directory_fails, contexts),
    SKT_CASE(test_msg_callback_traces_the_handshake, contexts),
    cmocka_unit_test(test_sslkeylogfile_lines_match_s_servers_key_log),
    SKT_CASE(test_msg_callback_sees_pythons_handshake, contexts),
};

SKT_TEST_MAIN(tests)
