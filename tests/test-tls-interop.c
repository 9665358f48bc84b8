/*
 * test-tls-interop.c - skt's TLS against peers that are not skt: Python's
 * ssl module as server and as client, `openssl s_server` and
 * `openssl s_client`, and curl.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads one request head and answers it, HTTP/1.0 style. */
static void serve_http(struct server *srv, skt_socket *conn)
{
    static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: "
                                "text/plain\r\nContent-Length: 15\r\n\r\n"
                                "hello over TLS\n";
    char head[4096] = "";
    size_t used = 0;

    while (strstr(head, "\r\n\r\n") == NULL && used + 1 < sizeof head) {
        ssize_t got = skt_recv(conn, head + used, sizeof head - 1 - used, 0);
        if (got <= 0) {
            note_failure(srv, &srv->serve_rc, got < 0 ? (int)got : SKT_EEOF);
            return;
        }
        used += (size_t)got;
        head[used] = '\0';
    }
    if (skt_sendall(conn, reply, strlen(reply), 0, NULL) < 0)
        note_failure(srv, &srv->serve_rc, -EIO);
}

/* ------------------------------------------------------------------------ */
/* Python's ssl                                                             */
/* ------------------------------------------------------------------------ */

static void test_skt_client_against_python_ssl_server(void **state)
{
    const char *python = skt_test_python();
    char script[512], line[256];
    skt_tls_ctx *cctx;
    skt_socket *s;
    char buf[32];
    int out, port = 0;
    pid_t pid;
    (void)state;
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    cctx = client_ctx();
    skt_test_source_path("tests/peers/tls_server.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--cert",
                                         (char *)cert("server.pem"), "--key",
                                         (char *)cert("server.key"),
                                         "--timeout", "10", NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    close(out);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%d", &port), 1);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    SKT_OK(skt_sendall(s, "hello python", 12, 0, NULL));
    SKT_OK(skt_recv_exact(s, buf, 12, 0, NULL));
    assert_memory_equal(buf, "hello python", 12);
    /* unwrap: the Python side answers our close_notify with its own. */
    SKT_OK(skt_tls_unwrap(s));
    skt_close(s);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    skt_tls_ctx_free(cctx);
}

static void test_python_ssl_client_against_skt_server(void **state)
{
    const char *python = skt_test_python();
    char script[512], port[16], output[2048];
    struct server srv = {0};
    skt_tls_ctx *sctx;
    int out;
    pid_t pid;
    (void)state;
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    sctx = server_ctx("server.pem");
    server_start(&srv, sctx, serve_echo);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_client.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"), "one",
                                         "two words", NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_contains(output, "received \"one\"\nreceived \"two words\"\n");
    assert_contains(output, "version TLSv1.3");
    /* Python demanded our close_notify (no ragged end of file). */
    assert_contains(output, "clean close");
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* openssl s_server, s_client, and curl                                     */
/* ------------------------------------------------------------------------ */

static void test_skt_client_against_openssl_s_server(void **state)
{
    static const char *const www[] = {"-naccept", "1", "-www"};
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    skt_tls_ctx *cctx = client_ctx();
    char page[8192];
    size_t used = 0;
    skt_socket *s;
    pid_t pid;
    int port = 0;
    (void)state;
    pid = start_s_server(www, 3, &port);
    assert_true(pid > 0);
    s = connect_to(port, 10);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    SKT_OK(skt_sendall(s, request, strlen(request), 0, NULL));
    for (;;) {
        ssize_t got = skt_recv(s, page + used, sizeof page - 1 - used, 0);
        assert_true(got >= 0);
        if (got == 0 || used + (size_t)got + 1 >= sizeof page)
            break;
        used += (size_t)got;
    }
    page[used] = '\0';
    assert_contains(page, "HTTP/1.0 200 ok");
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_tls_ctx_free(cctx);
}

static void test_openssl_s_client_against_skt_server(void **state)
{
    struct server srv = {0};
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_ctx *sctx = f->sctx;
    char cmd[1024], output[16384];
    int out;
    pid_t pid;
    server_start(&srv, sctx, serve_greeting);
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername localhost -CAfile '%s' -verify_return_error "
             "-ign_eof </dev/null 2>&1", srv.port, cert("ca.pem"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.sni, "localhost");
    assert_contains(output, "hello from skt");
    assert_contains(output, "Verify return code: 0 (ok)");
}

static void test_curl_against_skt_server(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx;
    char url[64], resolve[64], output[1024];
    int out;
    pid_t pid;
    (void)state;
    if (system("command -v curl >/dev/null 2>&1") != 0)
        SKT_SKIP("curl is not installed (scripts/install-deps adds it)");
    sctx = server_ctx("server.pem");
    server_start(&srv, sctx, serve_http);
    snprintf(url, sizeof url, "https://localhost:%d/", srv.port);
    snprintf(resolve, sizeof resolve, "localhost:%d:127.0.0.1", srv.port);
    pid = skt_test_spawn((char *const[]){"curl", "-sS", "--max-time", "10",
                                         "--cacert", (char *)cert("ca.pem"),
                                         "--resolve", resolve, url, NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    /* curl on OpenSSL 3 fails a body cut short without close_notify. */
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    assert_string_equal(output, "hello over TLS\n");
    skt_tls_ctx_free(sctx);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_skt_client_against_python_ssl_server),
    cmocka_unit_test(test_python_ssl_client_against_skt_server),
    cmocka_unit_test(test_skt_client_against_openssl_s_server),
    SKT_CASE(test_openssl_s_client_against_skt_server, server_ctx),
    cmocka_unit_test(test_curl_against_skt_server),
};

SKT_TEST_MAIN(tests)
