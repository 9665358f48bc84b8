/*
 * test-tls.c - TLS: contexts and their errors, handshakes and what they
 * tell, the bad-certificate matrix (each failure with its own code and
 * detail), one deadline over a handshake, non-blocking handshakes through
 * a poll loop, transfers through the unchanged send/recv family, unwrap,
 * and interop with Python's ssl, openssl s_server/s_client and curl.
 *
 * Certificates are generated once per test process (each case runs in a
 * process of its own) by tests/peers/make-certs.sh, into a temporary
 * directory removed at exit.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Certificates                                                             */
/* ------------------------------------------------------------------------ */

static char cert_dir[256];

static void remove_cert_dir(void)
{
    char cmd[300];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cert_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", cert_dir);
}

static void make_certs_once(void)
{
    const char *tmp = getenv("TMPDIR");
    char script[512], cmd[1200];

    if (cert_dir[0] != '\0')
        return;
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        SKT_SKIP("the openssl command is not installed");
    snprintf(cert_dir, sizeof cert_dir, "%s/skt-tls-test.XXXXXX",
             tmp != NULL ? tmp : "/tmp");
    assert_non_null(mkdtemp(cert_dir));
    atexit(remove_cert_dir);
    skt_test_source_path("tests/peers/make-certs.sh", script, sizeof script);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >&2", script, cert_dir);
    assert_int_equal(system(cmd), 0);
}

/* The path of a generated file (a few stay valid at once). */
static const char *cert(const char *name)
{
    static char paths[8][512];
    static unsigned next;
    char *path = paths[next++ % 8];

    make_certs_once();
    snprintf(path, sizeof paths[0], "%s/%s", cert_dir, name);
    return path;
}

static char *read_file(const char *path)
{
    static char text[16384];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static void assert_contains(const char *text, const char *part)
{
    if (text == NULL || strstr(text, part) == NULL)
        print_error("\"%s\" not found in \"%s\"\n", part,
                    text != NULL ? text : "(null)");
    assert_non_null(text);
    assert_non_null(strstr(text, part));
}

static void assert_code(long rc, int code)
{
    if (rc != code)
        print_error("got %ld (%s), wanted %s; detail: %s\n", rc,
                    skt_errname((int)rc), skt_errname(code),
                    skt_error_detail());
    assert_int_equal(rc, code);
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 131 + (i >> 16)) % 251);
}

/* A server context with CERTNAME (signed for server.key). */
static skt_tls_ctx *server_ctx(const char *certname)
{
    skt_tls_ctx *ctx;

    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    SKT_OK(skt_tls_ctx_load_cert_chain(ctx, cert(certname),
                                       cert("server.key"), NULL));
    return ctx;
}

/* A client context that trusts the test CA (and the system store). */
static skt_tls_ctx *client_ctx(void)
{
    skt_tls_ctx *ctx;

    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_load_verify_locations(ctx, cert("ca.pem"), NULL,
                                             NULL));
    return ctx;
}

static skt_socket *connect_to(int port, double timeout)
{
    skt_socket *s;
    skt_addr a;

    SKT_OK(skt_addr_from_ip(&a, "127.0.0.1", port));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, timeout));
    SKT_OK(skt_connect(s, &a));
    return s;
}

/* Reads everything fd gives within timeout seconds, NUL-terminated. */
static size_t read_all(int fd, char *buf, size_t len, double timeout)
{
    double end = skt_test_now() + timeout;
    size_t used = 0;

    while (used + 1 < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = (int)((end - skt_test_now()) * 1000);
        ssize_t n;
        if (ms <= 0 || poll(&p, 1, ms) <= 0)
            break;
        n = read(fd, buf + used, len - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    return used;
}

/* ------------------------------------------------------------------------ */
/* A TLS server in a thread                                                 */
/* ------------------------------------------------------------------------ */

/*
 * The thread accepts one connection, wraps it server side and, when the
 * handshake succeeds, runs serve. It records what the tests check; it
 * never asserts (cmocka's asserts belong to the main thread).
 */
struct server {
    skt_socket *listener;
    int port;
    skt_tls_ctx *ctx;
    void (*serve)(struct server *srv, skt_socket *conn);
    size_t size; /* bytes for the transfer servers */
    pthread_t thread;
    int wrap_rc;
    int serve_rc;
    char detail[1024];
    char sni[256];
    char peer_subject[256];
};

static void note_failure(struct server *srv, int *where, int rc)
{
    *where = rc;
    snprintf(srv->detail, sizeof srv->detail, "%s", skt_error_detail());
}

static void note_session(struct server *srv, skt_socket *conn)
{
    const char *sni = skt_tls_server_hostname(conn);
    skt_tls_cert *peer;

    snprintf(srv->sni, sizeof srv->sni, "%s", sni != NULL ? sni : "");
    if (skt_tls_getpeercert(conn, &peer) == 0) {
        snprintf(srv->peer_subject, sizeof srv->peer_subject, "%s",
                 peer->subject);
        skt_tls_freecert(peer);
    }
}

static void *server_main(void *arg)
{
    struct server *srv = arg;
    skt_socket *conn;
    int rc = skt_accept(srv->listener, &conn, NULL);

    if (rc < 0) {
        note_failure(srv, &srv->wrap_rc, rc);
        return NULL;
    }
    skt_settimeout(conn, 10);
    rc = skt_tls_wrap(conn, srv->ctx, NULL, true);
    if (rc < 0)
        note_failure(srv, &srv->wrap_rc, rc);
    note_session(srv, conn);
    if (rc == 0 && srv->serve != NULL)
        srv->serve(srv, conn);
    skt_close(conn);
    return NULL;
}

/* Starts the thread; srv->size is kept, every other field starts over. */
static void server_start(struct server *srv, skt_tls_ctx *ctx,
                         void (*serve)(struct server *, skt_socket *))
{
    size_t size = srv->size;

    memset(srv, 0, sizeof *srv);
    srv->size = size;
    srv->ctx = ctx;
    srv->serve = serve;
    skt_test_tcp_listener(&srv->listener, &srv->port);
    SKT_OK(skt_settimeout(srv->listener, 10));
    assert_int_equal(pthread_create(&srv->thread, NULL, server_main, srv),
                     0);
}

static void server_join(struct server *srv)
{
    pthread_join(srv->thread, NULL);
    skt_close(srv->listener);
}

static void serve_echo(struct server *srv, skt_socket *conn)
{
    char buf[65536];

    for (;;) {
        ssize_t got = skt_recv(conn, buf, sizeof buf, 0);
        int rc;
        if (got <= 0) {
            if (got < 0)
                note_failure(srv, &srv->serve_rc, (int)got);
            return;
        }
        rc = skt_sendall(conn, buf, (size_t)got, 0, NULL);
        if (rc < 0) {
            note_failure(srv, &srv->serve_rc, rc);
            return;
        }
    }
}

static void serve_greeting(struct server *srv, skt_socket *conn)
{
    static const char greeting[] = "hello from skt\n";
    int rc = skt_sendall(conn, greeting, strlen(greeting), 0, NULL);

    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
}

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

/* Receives srv->size pattern bytes, checks them and sends them back. */
static void serve_transfer(struct server *srv, skt_socket *conn)
{
    unsigned char *buf = malloc(srv->size);
    size_t got = 0;
    int rc = buf != NULL ? 0 : -ENOMEM;

    if (rc == 0)
        rc = skt_recv_exact(conn, buf, srv->size, 0, &got);
    for (size_t i = 0; rc == 0 && i < srv->size; i++)
        if (buf[i] != pattern(i))
            rc = -EBADMSG;
    if (rc == 0)
        rc = skt_sendall(conn, buf, srv->size, 0, NULL);
    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
    free(buf);
}

/*
 * Connects a client with cctx and hostname to a server with sctx and
 * serve; returns the client's wrap code. *out receives the socket on
 * success (NULL otherwise; the failed one is closed here).
 */
static int client_against(struct server *srv, skt_tls_ctx *sctx,
                          void (*serve)(struct server *, skt_socket *),
                          skt_tls_ctx *cctx, const char *hostname,
                          skt_socket **out)
{
    skt_socket *s;
    int rc;

    server_start(srv, sctx, serve);
    s = connect_to(srv->port, 10);
    rc = skt_tls_wrap(s, cctx, hostname, false);
    if (rc < 0 || out == NULL) {
        char detail[1024];
        snprintf(detail, sizeof detail, "%s", skt_error_detail());
        skt_close(s);
        s = NULL;
        /* The detail of the failure outlives the close. */
        skt__fail_raw(rc, "%s", detail);
    }
    if (out != NULL)
        *out = s;
    return rc;
}

/*
 * Handshakes a connected pair in one thread, both sides non-blocking,
 * through a poll loop. Returns the number of loop rounds.
 */
static int handshake_pair(skt_socket *client, skt_tls_ctx *cctx,
                          skt_socket *server, skt_tls_ctx *sctx)
{
    int rc[2], rounds = 0;
    skt_socket *side[2] = {client, server};

    SKT_OK(skt_setblocking(client, false));
    SKT_OK(skt_setblocking(server, false));
    rc[0] = skt_tls_wrap(client, cctx, "localhost", false);
    rc[1] = skt_tls_wrap(server, sctx, NULL, true);
    while (rc[0] != 0 || rc[1] != 0) {
        struct pollfd p[2];
        for (int i = 0; i < 2; i++) {
            if (rc[i] != 0 && rc[i] != SKT_EWANTREAD &&
                rc[i] != SKT_EWANTWRITE)
                assert_code(rc[i], 0);
            p[i].fd = rc[i] == 0 ? -1 : skt_fileno(side[i]);
            p[i].events = rc[i] == SKT_EWANTWRITE ? POLLOUT : POLLIN;
        }
        assert_true(poll(p, 2, 5000) > 0);
        for (int i = 0; i < 2; i++)
            if (p[i].fd >= 0 && p[i].revents != 0)
                rc[i] = skt_tls_handshake(side[i]);
        assert_true(++rounds < 100);
    }
    return rounds;
}

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */
/* ------------------------------------------------------------------------ */

static void test_client_context_defaults_are_secure(void **state)
{
    skt_tls_ctx *client, *server;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&client, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_new(&server, SKT_TLS_SERVER));
    assert_int_equal(skt_tls_ctx_get_verify_mode(client),
                     SKT_TLS_CERT_REQUIRED);
    assert_true(skt_tls_ctx_get_check_hostname(client));
    assert_int_equal(skt_tls_ctx_get_verify_mode(server), SKT_TLS_CERT_NONE);
    assert_false(skt_tls_ctx_get_check_hostname(server));
    skt_tls_ctx_free(client);
    skt_tls_ctx_free(server);
    assert_code(skt_tls_ctx_new(&client, 7), -EINVAL);
    assert_null(client);
    skt_tls_ctx_free(NULL);
}

static void test_verify_none_needs_hostname_check_off_first(void **state)
{
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT));
    assert_code(skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE),
                -EINVAL);
    assert_contains(skt_error_detail(), "hostname checking is on");
    SKT_OK(skt_tls_ctx_set_check_hostname(ctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_NONE));
    /* Turning the check back on turns verification back on. */
    SKT_OK(skt_tls_ctx_set_check_hostname(ctx, true));
    assert_int_equal(skt_tls_ctx_get_verify_mode(ctx),
                     SKT_TLS_CERT_REQUIRED);
    assert_code(skt_tls_ctx_set_verify_mode(ctx, 9), -EINVAL);
    skt_tls_ctx_free(ctx);
}

static void test_bad_settings_have_codes_and_details(void **state)
{
    static const char *const long_alpn[] = {
        "x23456789012345678901234567890123456789012345678901234567890123456"
        "78901234567890123456789012345678901234567890123456789012345678901"
        "23456789012345678901234567890123456789012345678901234567890123456"
        "7890123456789012345678901234567890123456789012345678901234567",
        NULL};
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    assert_code(skt_tls_ctx_load_verify_locations(ctx, "/nonexistent/ca.pem",
                                                  NULL, NULL), -ENOENT);
    assert_contains(skt_error_detail(), "/nonexistent/ca.pem");
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, cert("ca.pem"),
                                                  NULL), -ENOTDIR);
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, NULL, NULL),
                -EINVAL);
    assert_code(skt_tls_ctx_load_verify_locations(ctx, NULL, NULL,
                                                  "not a certificate"),
                SKT_ETLS_CONFIG);
    assert_code(skt_tls_ctx_load_cert_chain(ctx, "/nonexistent/c.pem", NULL,
                                            NULL), -ENOENT);
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("client.pem"),
                                            cert("server.key"), NULL),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "does not match");
    assert_code(skt_tls_ctx_set_ciphers(ctx, "NO-SUCH-CIPHER"),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "NO-SUCH-CIPHER");
    assert_code(skt_tls_ctx_set_alpn_protocols(ctx, long_alpn), -EINVAL);
    assert_code(skt_tls_ctx_set_minimum_version(ctx, 0x0305), -EINVAL);
    assert_code(skt_tls_ctx_set_maximum_version(ctx, 2), -EINVAL);
    skt_tls_ctx_free(ctx);
}

static void test_encrypted_key_needs_its_password(void **state)
{
    skt_tls_ctx *ctx;
    (void)state;
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    /* Without a password nothing prompts: the load fails. */
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                            cert("server-enc.key"), NULL),
                SKT_ETLS_CONFIG);
    assert_contains(skt_error_detail(), "no password given");
    assert_code(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                            cert("server-enc.key"), "wrong"),
                SKT_ETLS_CONFIG);
    SKT_OK(skt_tls_ctx_load_cert_chain(ctx, cert("server.pem"),
                                       cert("server-enc.key"), "secret"));
    skt_tls_ctx_free(ctx);
}

static void test_client_trusts_the_system_store_by_default(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx;
    (void)state;
    /* OpenSSL's default store is where SSL_CERT_FILE points. */
    setenv("SSL_CERT_FILE", cert("ca.pem"), 1);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", NULL));
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    /* And without it the same server is not trusted. */
    setenv("SSL_CERT_FILE", "/nonexistent", 1);
    setenv("SSL_CERT_DIR", "/nonexistent", 1);
    SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
    assert_code(client_against(&srv, sctx, NULL, cctx, "localhost", NULL),
                SKT_ETLS_UNKNOWN_CA);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_ca_from_directory_and_from_memory(void **state)
{
    const char *kinds[] = {"capath", "cadata"};
    skt_tls_ctx *sctx = server_ctx("server.pem");
    (void)state;
    for (int i = 0; i < 2; i++) {
        struct server srv = {0};
        skt_tls_ctx *cctx;
        SKT_OK(skt_tls_ctx_new(&cctx, SKT_TLS_CLIENT));
        if (i == 0)
            SKT_OK(skt_tls_ctx_load_verify_locations(cctx, NULL,
                                                     cert("cadir"), NULL));
        else
            SKT_OK(skt_tls_ctx_load_verify_locations(
                cctx, NULL, NULL, read_file(cert("ca.pem"))));
        if (client_against(&srv, sctx, NULL, cctx, "localhost", NULL) != 0)
            print_error("trust from %s failed: %s\n", kinds[i],
                        skt_error_detail());
        assert_int_equal(srv.wrap_rc, 0);
        server_join(&srv);
        skt_tls_ctx_free(cctx);
    }
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Handshakes and what they tell                                            */
/* ------------------------------------------------------------------------ */

static void test_handshake_reports_session_and_peer_cert(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_tls_cert *peer;
    const char *reason;
    skt_socket *s;
    time_t now = time(NULL);
    (void)state;
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    /* The socket keeps what it needs: the contexts may go at once. */
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    assert_contains(skt_tls_cipher(s), "GCM");
    assert_null(skt_tls_selected_alpn_protocol(s));
    assert_string_equal(skt_tls_server_hostname(s), "localhost");
    assert_int_equal(skt_tls_verify_result(s, &reason), 0);
    assert_string_equal(reason, "ok");
    SKT_OK(skt_tls_getpeercert(s, &peer));
    assert_string_equal(peer->subject, "CN=localhost");
    assert_string_equal(peer->issuer, "CN=skt test CA");
    assert_string_equal(peer->subject_alt_names[0], "DNS:localhost");
    assert_string_equal(peer->subject_alt_names[1], "IP:127.0.0.1");
    assert_string_equal(peer->subject_alt_names[2], "IP:::1");
    assert_null(peer->subject_alt_names[3]);
    assert_string_equal(peer->serial_number, "1001");
    assert_true(peer->not_before <= now && peer->not_before > now - 3600);
    assert_true(peer->not_after > now + 364 * 86400);
    skt_tls_freecert(peer);
    assert_int_equal(skt_send(s, "ping", 4, 0), 4);
    {
        char buf[8];
        SKT_OK(skt_recv_exact(s, buf, 4, 0, NULL));
        assert_memory_equal(buf, "ping", 4);
    }
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.sni, "localhost");
    assert_string_equal(srv.peer_subject, ""); /* no client certificate */
}

static void test_information_of_plain_socket_is_empty(void **state)
{
    skt_socket *a, *b;
    skt_tls_cert *peer;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_null(skt_tls_version(a));
    assert_null(skt_tls_cipher(a));
    assert_null(skt_tls_server_hostname(a));
    assert_int_equal(skt_tls_pending(a), 0);
    assert_code(skt_tls_verify_result(a, NULL), -EINVAL);
    assert_code(skt_tls_getpeercert(a, &peer), -EINVAL);
    assert_code(skt_tls_handshake(a), -EINVAL);
    assert_code(skt_tls_unwrap(a), -EINVAL);
    skt_close(a);
    skt_close(b);
}

static void test_wrap_refuses_bad_arguments_and_changes_nothing(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    skt_socket *a, *b, *udp;
    int fd;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_code(skt_tls_wrap(a, cctx, NULL, false), -EINVAL);
    assert_contains(skt_error_detail(), "no server_hostname");
    assert_code(skt_tls_wrap(a, sctx, NULL, false), -EINVAL);
    assert_code(skt_tls_wrap(a, cctx, "localhost", true), -EINVAL);
    assert_code(skt_tls_wrap(a, sctx, "localhost", true), -EINVAL);
    assert_code(skt_tls_wrap(NULL, cctx, "localhost", false), -EINVAL);
    SKT_OK(skt_open(&udp, AF_INET, SOCK_DGRAM, 0));
    assert_code(skt_tls_wrap(udp, cctx, "localhost", false), -EOPNOTSUPP);
    skt_close(udp);
    /* Nothing was installed: the socket still detaches. */
    fd = skt_detach(a);
    assert_true(fd >= 0);
    close(fd);
    skt_close(b);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_alpn_server_preference_and_no_overlap(void **state)
{
    static const char *const offered[] = {"h2", "http/1.1", NULL};
    static const char *const served[] = {"http/1.1", "h2", NULL};
    static const char *const other[] = {"imap", NULL};
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s;
    (void)state;
    SKT_OK(skt_tls_ctx_set_alpn_protocols(cctx, offered));
    SKT_OK(skt_tls_ctx_set_alpn_protocols(sctx, served));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_string_equal(skt_tls_selected_alpn_protocol(s), "http/1.1");
    skt_close(s);
    server_join(&srv);
    /* No overlap: no protocol, and no failure (Python's rule). */
    SKT_OK(skt_tls_ctx_set_alpn_protocols(sctx, other));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_null(skt_tls_selected_alpn_protocol(s));
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_version_bounds_and_cipher_list_apply(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s;
    (void)state;
    SKT_OK(skt_tls_ctx_set_maximum_version(cctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_ciphers(cctx, "ECDHE-ECDSA-AES128-GCM-SHA256"));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_string_equal(skt_tls_version(s), "TLSv1.2");
    assert_string_equal(skt_tls_cipher(s), "ECDHE-ECDSA-AES128-GCM-SHA256");
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_no_common_version_is_version_error(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    (void)state;
    SKT_OK(skt_tls_ctx_set_maximum_version(sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_minimum_version(cctx, SKT_TLS_VERSION_1_3));
    assert_code(client_against(&srv, sctx, NULL, cctx, "localhost", NULL),
                SKT_ETLS_VERSION);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1:");
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_VERSION);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_sni_sent_for_names_not_for_addresses(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    (void)state;
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", NULL));
    server_join(&srv);
    assert_string_equal(srv.sni, "localhost");
    /* An address goes out as no SNI and is checked against IP entries. */
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "127.0.0.1", NULL));
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.sni, "");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_hostname_checked_even_without_sni(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    (void)state;
    assert_code(client_against(&srv, sctx, NULL, cctx, "127.0.0.2", NULL),
                SKT_ETLS_HOSTNAME);
    assert_contains(skt_error_detail(), "not valid for '127.0.0.2'");
    server_join(&srv);
    assert_string_equal(srv.sni, "");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_sni_sent_with_hostname_check_off(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    (void)state;
    SKT_OK(skt_tls_ctx_set_check_hostname(cctx, false));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "wrong.example", NULL));
    server_join(&srv);
    assert_string_equal(srv.sni, "wrong.example");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* The bad-certificate matrix                                               */
/* ------------------------------------------------------------------------ */

/* A default client against a server presenting certname fails with code
 * and a detail holding reason. */
static void expect_client_failure(const char *certname, const char *host,
                                  int code, const char *reason)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx(certname), *cctx = client_ctx();

    assert_code(client_against(&srv, sctx, NULL, cctx, host, NULL), code);
    assert_contains(skt_error_detail(), reason);
    assert_contains(skt_error_detail(), "certificate verify failed");
    assert_contains(skt_error_detail(), "(depth 0, subject CN=");
    assert_contains(skt_error_detail(), skt_strerror(code));
    server_join(&srv);
    /* The server hears of it through an alert. */
    assert_true(srv.wrap_rc < 0);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_expired_certificate_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("expired.pem", "localhost", SKT_ETLS_CERT_EXPIRED,
                          "certificate has expired");
}

static void test_wrong_host_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("wrong-name.pem", "localhost", SKT_ETLS_HOSTNAME,
                          "hostname mismatch, the certificate is not valid "
                          "for 'localhost'");
}

static void test_self_signed_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("self-signed.pem", "localhost",
                          SKT_ETLS_SELF_SIGNED, "self-signed certificate");
}

static void test_unknown_ca_fails_with_its_code(void **state)
{
    (void)state;
    expect_client_failure("unknown-ca.pem", "localhost", SKT_ETLS_UNKNOWN_CA,
                          "unable to get local issuer certificate");
}

static skt_tls_ctx *mutual_server_ctx(void)
{
    skt_tls_ctx *ctx = server_ctx("server.pem");

    SKT_OK(skt_tls_ctx_load_verify_locations(ctx, cert("ca.pem"), NULL,
                                             NULL));
    SKT_OK(skt_tls_ctx_set_verify_mode(ctx, SKT_TLS_CERT_REQUIRED));
    return ctx;
}

static void test_missing_client_cert_fails_when_required(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = mutual_server_ctx(), *cctx = client_ctx();
    skt_socket *s;
    char buf[8];
    int rc;
    (void)state;
    /* In TLS 1.3 the client finishes first and hears the server's alert
     * on its first read. */
    rc = client_against(&srv, sctx, NULL, cctx, "localhost", &s);
    if (rc == 0) {
        rc = (int)skt_recv(s, buf, sizeof buf, 0);
        skt_close(s);
    }
    assert_code(rc, SKT_ETLS_NO_CLIENT_CERT);
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_NO_CLIENT_CERT);
    assert_contains(srv.detail, "peer did not return a certificate");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_client_cert_accepted_when_required(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = mutual_server_ctx(), *cctx = client_ctx();
    skt_socket *s;
    char buf[8];
    (void)state;
    SKT_OK(skt_tls_ctx_load_cert_chain(cctx, cert("client.pem"),
                                       cert("client.key"), NULL));
    SKT_OK(client_against(&srv, sctx, serve_greeting, cctx, "localhost",
                          &s));
    SKT_OK(skt_recv_exact(s, buf, 5, 0, NULL));
    assert_memory_equal(buf, "hello", 5);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_string_equal(srv.peer_subject, "CN=skt test client");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_verify_none_connects_and_reports_result(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("self-signed.pem"), *cctx = client_ctx();
    const char *reason;
    skt_socket *s;
    (void)state;
    SKT_OK(skt_tls_ctx_set_check_hostname(cctx, false));
    SKT_OK(skt_tls_ctx_set_verify_mode(cctx, SKT_TLS_CERT_NONE));
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    assert_int_equal(skt_tls_verify_result(s, &reason), SKT_ETLS_SELF_SIGNED);
    assert_contains(reason, "self-signed");
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_failed_handshake_allows_no_plaintext(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("unknown-ca.pem"), *cctx = client_ctx();
    skt_socket *s;
    char buf[4];
    int fd;
    (void)state;
    server_start(&srv, sctx, NULL);
    s = connect_to(srv.port, 10);
    assert_code(skt_tls_wrap(s, cctx, "localhost", false),
                SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_send(s, "x", 1, 0), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_recv(s, buf, sizeof buf, 0), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_tls_handshake(s), SKT_ETLS_UNKNOWN_CA);
    assert_code(skt_detach(s), -EBUSY);
    /* Nor do the calls that go around the transport. */
    assert_code(skt_sendto(s, "x", 1, 0, NULL), -EOPNOTSUPP);
    assert_code(skt_recvfrom(s, buf, sizeof buf, 0, NULL), -EOPNOTSUPP);
    /* The layer is only removed on request. */
    SKT_OK(skt_tls_unwrap(s));
    fd = skt_detach(s);
    assert_true(fd >= 0);
    close(fd);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* Starts `openssl s_server` with extra arguments; returns its pid and
 * the port it listens on. */
static pid_t start_s_server(const char *const *extra, size_t count,
                            int *port)
{
    char *argv[32] = {"openssl", "s_server", "-accept", "0", "-cert",
                      (char *)cert("server.pem"), "-key",
                      (char *)cert("server.key")};
    size_t n = 8;
    char line[256];
    const char *colon;
    int out;
    pid_t pid;

    for (size_t i = 0; i < count; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    pid = skt_test_spawn(argv, &out);
    /* It says "ACCEPT [::]:PORT" once it listens. */
    do {
        if (skt_test_read_line(out, line, sizeof line, 5) < 0) {
            close(out);
            skt_test_wait(pid, 0);
            return -1;
        }
    } while (strncmp(line, "ACCEPT", 6) != 0);
    close(out);
    colon = strrchr(line, ':');
    *port = colon != NULL ? atoi(colon + 1) : 0;
    return pid;
}

static void test_tls10_only_peer_fails_with_version_code(void **state)
{
    static const char *const tls10[] = {"-tls1", "-cipher",
                                        "DEFAULT@SECLEVEL=0", "-naccept",
                                        "2", "-www"};
    skt_tls_ctx *cctx = client_ctx();
    char probe[512];
    skt_socket *s;
    pid_t pid;
    int port = 0;
    (void)state;
    pid = start_s_server(tls10, 6, &port);
    if (pid < 0)
        SKT_SKIP("openssl s_server -tls1 does not start here");
    /* A TLS 1.0 client proves the peer really offers TLS 1.0. */
    snprintf(probe, sizeof probe, "openssl s_client -connect 127.0.0.1:%d "
             "-tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1",
             port);
    if (system(probe) != 0) {
        skt_test_wait(pid, 0);
        SKT_SKIP("the local OpenSSL cannot offer TLS 1.0, even at security "
                 "level 0");
    }
    s = connect_to(port, 10);
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), SKT_ETLS_VERSION);
    assert_contains(skt_error_detail(), "protocol version");
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_tls_ctx_free(cctx);
}

static void test_tls10_only_client_fails_with_version_code(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem");
    char cmd[512];
    (void)state;
    server_start(&srv, sctx, NULL);
    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null >/dev/null 2>&1",
             srv.port);
    assert_true(system(cmd) != 0);
    server_join(&srv);
    assert_code(srv.wrap_rc, SKT_ETLS_VERSION);
    assert_contains(srv.detail, "unsupported protocol");
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* One deadline                                                             */
/* ------------------------------------------------------------------------ */

static void test_stalled_handshake_times_out_at_deadline(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *listener, *s;
    double start, elapsed;
    int port = 0;
    (void)state;
    /* The kernel completes the connection; nobody ever answers. */
    skt_test_tcp_listener(&listener, &port);
    s = connect_to(port, 0.4);
    start = skt_test_now();
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.4 && elapsed < 2.0);
    assert_contains(skt_error_detail(), "TLS handshake with 127.0.0.1:");
    skt_close(s);
    skt_close(listener);
    skt_tls_ctx_free(cctx);
}

struct trickle {
    skt_socket *listener;
};

/* A peer that sends the start of a TLS record one byte at a time: a
 * timeout per read would never expire. */
static void *trickle_main(void *arg)
{
    static const unsigned char record[] = {0x16, 0x03, 0x03, 0x40, 0x00};
    struct trickle *t = arg;
    skt_socket *conn;

    if (skt_accept(t->listener, &conn, NULL) < 0)
        return NULL;
    for (size_t i = 0; i < 40; i++) {
        unsigned char byte = i < sizeof record ? record[i] : 0;
        if (skt_send(conn, &byte, 1, 0) != 1)
            break;
        usleep(100000);
    }
    skt_close(conn);
    return NULL;
}

static void test_trickling_peer_cannot_stretch_the_deadline(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    struct trickle t;
    pthread_t thread;
    skt_socket *s;
    double start, elapsed;
    int port = 0;
    (void)state;
    skt_test_tcp_listener(&t.listener, &port);
    SKT_OK(skt_settimeout(t.listener, 10));
    pthread_create(&thread, NULL, trickle_main, &t);
    s = connect_to(port, 0.5);
    start = skt_test_now();
    assert_code(skt_tls_wrap(s, cctx, "localhost", false), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.5 && elapsed < 2.0);
    skt_close(s);
    pthread_join(thread, NULL);
    skt_close(t.listener);
    skt_tls_ctx_free(cctx);
}

static void test_hook_keeps_callers_deadline_on_blocking_socket(void **state)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_socket *listener, *s;
    double start, elapsed;
    int port = 0;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    s = connect_to(port, SKT_BLOCKING);
    start = skt_test_now();
    assert_code(skt__tls_client_handshake(s, cctx, "localhost",
                                          skt__deadline(0.3)),
                -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.3 && elapsed < 2.0);
    /* The socket is given back as it was: blocking. */
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    assert_int_equal(fcntl(skt_fileno(s), F_GETFL) & O_NONBLOCK, 0);
    skt_close(s);
    skt_close(listener);
    skt_tls_ctx_free(cctx);
}

struct hook_server {
    skt_socket *listener;
    skt_tls_ctx *ctx;
    int rc;
};

static void *hook_server_main(void *arg)
{
    struct hook_server *h = arg;
    skt_socket *conn;

    h->rc = skt_accept(h->listener, &conn, NULL);
    if (h->rc < 0)
        return NULL;
    h->rc = skt__tls_server_handshake(conn, h->ctx, skt__deadline(10));
    if (h->rc == 0)
        h->rc = skt_sendall(conn, "hook", 4, 0, NULL);
    skt_close(conn);
    return NULL;
}

static void test_hooks_handshake_both_sides_under_deadline(void **state)
{
    struct hook_server h = {.ctx = server_ctx("server.pem")};
    skt_tls_ctx *cctx = client_ctx();
    pthread_t thread;
    skt_socket *s;
    char buf[4];
    int port = 0;
    (void)state;
    skt_test_tcp_listener(&h.listener, &port);
    SKT_OK(skt_settimeout(h.listener, 10));
    pthread_create(&thread, NULL, hook_server_main, &h);
    s = connect_to(port, SKT_BLOCKING);
    SKT_OK(skt__tls_client_handshake(s, cctx, "localhost",
                                     skt__deadline(10)));
    assert_string_equal(skt_tls_version(s), "TLSv1.3");
    SKT_OK(skt_recv_exact(s, buf, 4, 0, NULL));
    assert_memory_equal(buf, "hook", 4);
    skt_close(s);
    pthread_join(thread, NULL);
    assert_int_equal(h.rc, 0);
    skt_close(h.listener);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(h.ctx);
}

/* ------------------------------------------------------------------------ */
/* Non-blocking mode                                                        */
/* ------------------------------------------------------------------------ */

static void test_nonblocking_handshake_completes_in_poll_loop(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    skt_socket *client, *server;
    struct pollfd p;
    char buf[16];
    (void)state;
    skt_test_tcp_pair(&client, &server);
    assert_true(handshake_pair(client, cctx, server, sctx) >= 2);
    assert_string_equal(skt_tls_version(client), "TLSv1.3");
    SKT_OK(skt_tls_handshake(client)); /* done: 0 at once */
    /* Nothing to read yet: the want code, not -EAGAIN. */
    assert_code(skt_recv(client, buf, sizeof buf, 0), SKT_EWANTREAD);
    assert_int_equal(skt_send(server, "ping", 4, 0), 4);
    p = (struct pollfd){.fd = skt_fileno(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(skt_recv(client, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "ping", 4);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_errors_left_by_other_openssl_code_are_ignored(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    static char chunk[16384];
    skt_socket *client, *server;
    ssize_t n;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    while ((n = skt_send(client, chunk, sizeof chunk, 0)) > 0)
        ;
    assert_code(n, SKT_EWANTWRITE);
    /* The application's own OpenSSL use left an error in this thread's
     * queue: a would-block must still read as one, not as a failure. */
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
    assert_code(skt_send(client, chunk, sizeof chunk, 0), SKT_EWANTWRITE);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_pending_reports_decrypted_bytes(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    skt_socket *client, *server;
    char out[100], in[200];
    struct pollfd p;
    (void)state;
    memset(out, 'p', sizeof out);
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    SKT_OK(skt_settimeout(client, 10));
    assert_int_equal(skt_send(server, out, sizeof out, 0), 100);
    assert_int_equal(skt_recv(client, in, 10, 0), 10);
    /* 90 bytes wait inside TLS, where poll cannot see them. */
    assert_int_equal(skt_tls_pending(client), 90);
    p = (struct pollfd){.fd = skt_fileno(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0);
    SKT_OK(skt_setblocking(client, false));
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 90);
    assert_int_equal(skt_tls_pending(client), 0);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* The selector events that a want code asks for. */
static int want_events(int rc)
{
    return rc == SKT_EWANTWRITE ? SKT_EVENT_WRITE : SKT_EVENT_READ;
}

static void test_nonblocking_handshake_completes_through_selector(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    skt_socket *client, *server;
    skt_selector *sel;
    int rc[2], rounds = 0;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_setblocking(client, false));
    SKT_OK(skt_setblocking(server, false));
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    rc[0] = skt_tls_wrap(client, cctx, "localhost", false);
    rc[1] = skt_tls_wrap(server, sctx, NULL, true);
    assert_code(rc[0], SKT_EWANTREAD);
    SKT_OK(skt_selector_register_socket(sel, client, want_events(rc[0]),
                                        &rc[0]));
    SKT_OK(skt_selector_register_socket(sel, server, want_events(rc[1]),
                                        &rc[1]));
    while (rc[0] != 0 || rc[1] != 0) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(sel, 5.0, &ready);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            int *code = ready[i].key.data;
            skt_socket *s = ready[i].key.sock;
            if (ready[i].events == 0 || *code == 0)
                continue;
            *code = skt_tls_handshake(s);
            if (*code == 0)
                SKT_OK(skt_selector_unregister(sel, skt_fileno(s)));
            else if (*code == SKT_EWANTREAD || *code == SKT_EWANTWRITE)
                SKT_OK(skt_selector_modify(sel, skt_fileno(s),
                                           want_events(*code), code));
            else
                assert_code(*code, 0);
        }
        assert_true(++rounds < 100);
    }
    assert_string_equal(skt_tls_version(client), "TLSv1.3");
    assert_string_equal(skt_tls_version(server), "TLSv1.3");
    skt_selector_close(sel);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_selector_reports_pending_bytes_as_readable(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    const skt_selector_ready *ready;
    skt_socket *client, *server;
    skt_selector *sel;
    char out[100] = {0}, in[10];
    (void)state;
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    assert_int_equal(skt_send(server, out, sizeof out, 0), 100);
    SKT_OK(skt_settimeout(client, 10));
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 10);
    assert_int_equal(skt_tls_pending(client), 90);
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    SKT_OK(skt_selector_register_socket(sel, client, SKT_EVENT_READ, NULL));
    /* The fd has nothing; the 90 bytes inside TLS must count, at once
     * even with a long timeout. */
    assert_int_equal(skt_selector_select(sel, 10, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    assert_ptr_equal(ready[0].key.sock, client);
    /* Once they are read, the socket is no longer ready. */
    assert_int_equal(skt_recv(client, in, sizeof in, 0), 10);
    while (skt_tls_pending(client) > 0)
        assert_true(skt_recv(client, in, sizeof in, 0) > 0);
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
    skt_selector_close(sel);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* Reads what the server has, checking that byte i of the stream is
 * chunk[i % size]; returns the new count. */
static size_t drain_checking(skt_socket *server, const unsigned char *chunk,
                             size_t size, size_t received)
{
    static unsigned char buf[65536];
    ssize_t n;

    while ((n = skt_recv(server, buf, sizeof buf, 0)) > 0)
        for (ssize_t i = 0; i < n; i++, received++)
            assert_int_equal(buf[i], chunk[received % size]);
    assert_code(n, SKT_EWANTREAD);
    return received;
}

static void test_nonblocking_send_wants_write_and_resumes(void **state)
{
    enum { SIZE = 65536 };
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    static unsigned char chunk[SIZE];
    skt_socket *client, *server;
    size_t total = 0, sent = 0, received = 0;
    int rc;
    (void)state;
    for (size_t i = 0; i < SIZE; i++)
        chunk[i] = pattern(i);
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    /* Nobody reads yet: the socket buffers fill up. */
    for (;;) {
        ssize_t n = skt_send(client, chunk + total % SIZE,
                             SIZE - total % SIZE, 0);
        if (n < 0) {
            assert_code(n, SKT_EWANTWRITE);
            break;
        }
        total += (size_t)n;
        assert_true(total < (256u << 20));
    }
    /* sendall stops with the same code and tells how far it got; calls
     * that pass the same bytes again go on where it stopped. */
    do {
        struct pollfd p = {.fd = skt_fileno(client), .events = POLLOUT};
        size_t more = 0;
        received = drain_checking(server, chunk, SIZE, received);
        rc = skt_sendall(client, chunk + (total + sent) % SIZE,
                         SIZE - (total + sent) % SIZE, 0, &more);
        sent += more;
        if (rc == SKT_EWANTWRITE)
            poll(&p, 1, 1000);
        else
            SKT_OK(rc);
    } while (rc != 0);
    while (received < total + sent) {
        struct pollfd p = {.fd = skt_fileno(server), .events = POLLIN};
        assert_int_equal(poll(&p, 1, 5000), 1);
        received = drain_checking(server, chunk, SIZE, received);
    }
    assert_int_equal(received, total + sent);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_closed_peer_gives_eof_then_error_not_sigpipe(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    static char chunk[65536];
    skt_socket *s;
    ssize_t n = 0;
    char buf[8];
    (void)state;
    /* The server closes at once, with close_notify. */
    SKT_OK(client_against(&srv, sctx, NULL, cctx, "localhost", &s));
    server_join(&srv);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 0);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 0);
    /* Writing on is allowed by TLS; the kernel soon says no, and the
     * process gets an error code, never SIGPIPE. */
    for (int i = 0; i < 100 && n >= 0; i++)
        n = skt_send(s, chunk, sizeof chunk, 0);
    assert_true(n == -EPIPE || n == -ECONNRESET);
    assert_code(skt_send(s, chunk, 1, 0), (int)n);
    skt_close(s);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Transfers                                                                */
/* ------------------------------------------------------------------------ */

/* Sends size pattern bytes with sendall and reads them back with
 * recv_exact, through a server that checks them on the way. */
static void round_trip(size_t size)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    unsigned char *out = malloc(size), *in = malloc(size);
    size_t done = 0;
    skt_socket *s;

    assert_non_null(out);
    assert_non_null(in);
    for (size_t i = 0; i < size; i++)
        out[i] = pattern(i);
    srv.size = size;
    server_start(&srv, sctx, serve_transfer);
    s = connect_to(srv.port, 30);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    SKT_OK(skt_sendall(s, out, size, 0, &done));
    assert_int_equal(done, size);
    SKT_OK(skt_recv_exact(s, in, size, 0, &done));
    assert_int_equal(done, size);
    assert_memory_equal(in, out, size);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    free(out);
    free(in);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_sendall_recv_exact_large_transfer(void **state)
{
    (void)state;
    round_trip((size_t)24 << 20);
}

static void test_sendall_recv_exact_small_transfer(void **state)
{
    (void)state;
    round_trip(1);
}

static void test_zero_length_send_and_recv_return_zero(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s;
    char buf[1];
    (void)state;
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    assert_int_equal(skt_send(s, buf, 0, 0), 0);
    assert_int_equal(skt_recv(s, buf, 0, 0), 0);
    SKT_OK(skt_sendall(s, buf, 0, 0, NULL));
    SKT_OK(skt_recv_exact(s, buf, 0, 0, NULL));
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_blocking_mode_round_trip_and_peek(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s;
    char buf[16];
    (void)state;
    server_start(&srv, sctx, serve_echo);
    s = connect_to(srv.port, SKT_BLOCKING);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    assert_true(skt_getblocking(s));
    SKT_OK(skt_sendall(s, "blocking", 8, 0, NULL));
    /* MSG_PEEK looks without taking (SSL_peek). */
    SKT_OK(skt_recv_exact(s, buf, 8, MSG_PEEK, NULL));
    assert_memory_equal(buf, "blocking", 8);
    assert_int_equal(skt_tls_pending(s), 8);
    assert_int_equal(skt_recv(s, buf, sizeof buf, 0), 8);
    assert_memory_equal(buf, "blocking", 8);
    assert_code(skt_recv(s, buf, sizeof buf, MSG_WAITALL), -EINVAL);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_nonblocking_unwrap_waits_for_the_peer(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    skt_socket *client, *server;
    struct pollfd p;
    int fd;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    /* Our close_notify is out; the peer's has not come. */
    assert_code(skt_tls_unwrap(client), SKT_EWANTREAD);
    assert_non_null(skt_tls_version(client));
    p = (struct pollfd){.fd = skt_fileno(server), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    SKT_OK(skt_tls_unwrap(server));
    p = (struct pollfd){.fd = skt_fileno(client), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    SKT_OK(skt_tls_unwrap(client));
    assert_null(skt_tls_version(client));
    fd = skt_detach(client);
    assert_true(fd >= 0);
    close(fd);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_recv_timeout_over_tls(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s;
    double start, elapsed;
    char buf[8];
    (void)state;
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    SKT_OK(skt_settimeout(s, 0.3));
    start = skt_test_now();
    assert_code(skt_recv(s, buf, sizeof buf, 0), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.3 && elapsed < 2.0);
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_injected_faults_lose_nothing(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    enum { SIZE = 1 << 20 };
    unsigned char *out = malloc(SIZE), *in = malloc(SIZE);
    skt_socket *s;
    (void)state;
    for (size_t i = 0; i < SIZE; i++)
        out[i] = pattern(i);
    srv.size = SIZE;
    server_start(&srv, sctx, serve_transfer);
    s = connect_to(srv.port, 30);
    SKT_OK(skt_tls_wrap(s, cctx, "localhost", false));
    /* EINTR is retried; a spurious EAGAIN goes back to poll. */
    skt__sys_inject(SKT__OP_SEND, -EINTR, 1, 5, 0);
    skt__sys_inject(SKT__OP_RECV, -EAGAIN, 2, 5, 0);
    SKT_OK(skt_sendall(s, out, SIZE, 0, NULL));
    skt__sys_inject(SKT__OP_RECV, -EINTR, 3, 5, 0);
    skt__sys_inject(SKT__OP_SEND, -EAGAIN, 1, 5, 0);
    SKT_OK(skt_recv_exact(s, in, SIZE, 0, NULL));
    skt__sys_inject_clear();
    assert_memory_equal(in, out, SIZE);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    free(out);
    free(in);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* Answers one line read through a stream with the line upper-cased,
 * then echoes framed messages until the client closes. */
static void serve_stream_and_frames(struct server *srv, skt_socket *conn)
{
    char line[64];
    const void *msg;
    size_t len;
    skt_stream *st;
    skt_frame_decoder *d = NULL;
    ssize_t n;
    int rc = skt_makefile(conn, &st, NULL);

    n = rc == 0 ? skt_stream_readline(st, line, sizeof line) : rc;
    for (ssize_t i = 0; i < n; i++)
        line[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ? line[i] - 32
                                                           : line[i]);
    rc = n < 0 ? (int)n : skt_stream_write(st, line, (size_t)n, NULL);
    if (rc == 0)
        rc = skt_stream_flush(st);
    skt_stream_close(st);
    if (rc == 0)
        rc = skt_frame_decoder_new(&d, NULL);
    while (rc == 0 && (rc = skt_frame_recv(conn, d, &msg, &len)) == 1)
        rc = skt_frame_send(conn, NULL, msg, len, NULL);
    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
    skt_frame_decoder_free(d);
}

static void test_streams_and_frames_work_over_tls(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    static char big[200000];
    skt_frame_decoder *d;
    skt_stream *st;
    const void *msg;
    size_t len;
    char line[64];
    skt_socket *s;
    (void)state;
    memset(big, 'f', sizeof big);
    SKT_OK(client_against(&srv, sctx, serve_stream_and_frames, cctx,
                          "localhost", &s));
    SKT_OK(skt_makefile(s, &st, NULL));
    SKT_OK(skt_stream_write(st, "hello stream\n", 13, NULL));
    SKT_OK(skt_stream_flush(st));
    assert_int_equal(skt_stream_readline(st, line, sizeof line), 13);
    assert_memory_equal(line, "HELLO STREAM\n", 13);
    SKT_OK(skt_stream_close(st));
    SKT_OK(skt_frame_decoder_new(&d, NULL));
    SKT_OK(skt_frame_send(s, NULL, "one", 3, NULL));
    SKT_OK(skt_frame_send(s, NULL, big, sizeof big, NULL));
    assert_int_equal(skt_frame_recv(s, d, &msg, &len), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(msg, "one", 3);
    assert_int_equal(skt_frame_recv(s, d, &msg, &len), 1);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(msg, big, sizeof big);
    skt_frame_decoder_free(d);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.serve_rc, 0);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

struct unwrap_server {
    skt_socket *conn;
    int rc;
    char plain[8];
};

static void *unwrap_server_main(void *arg)
{
    struct unwrap_server *u = arg;

    u->rc = skt_tls_unwrap(u->conn);
    if (u->rc == 0)
        u->rc = skt_recv_exact(u->conn, u->plain, 5, 0, NULL);
    return NULL;
}

static void test_unwrap_returns_to_plaintext(void **state)
{
    skt_tls_ctx *cctx = client_ctx(), *sctx = server_ctx("server.pem");
    struct unwrap_server u = {0};
    skt_socket *client, *server;
    pthread_t thread;
    char buf[8];
    (void)state;
    skt_test_tcp_pair(&client, &server);
    handshake_pair(client, cctx, server, sctx);
    SKT_OK(skt_settimeout(client, 10));
    SKT_OK(skt_settimeout(server, 10));
    /* Data still in flight when the client unwraps is dropped. */
    assert_int_equal(skt_send(server, "late", 4, 0), 4);
    u.conn = server;
    pthread_create(&thread, NULL, unwrap_server_main, &u);
    SKT_OK(skt_tls_unwrap(client));
    SKT_OK(skt_sendall(client, "plain", 5, 0, NULL));
    pthread_join(thread, NULL);
    assert_int_equal(u.rc, 0);
    assert_memory_equal(u.plain, "plain", 5);
    /* Both are plain sockets again. */
    assert_null(skt_tls_version(client));
    assert_int_equal(skt_send(server, "back", 4, 0), 4);
    SKT_OK(skt_recv_exact(client, buf, 4, 0, NULL));
    assert_memory_equal(buf, "back", 4);
    skt_close(client);
    skt_close(server);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Interop with peers that are not skt                                      */
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
    skt_tls_ctx *sctx = server_ctx("server.pem");
    char cmd[1024], output[16384];
    int out;
    pid_t pid;
    (void)state;
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
    skt_tls_ctx_free(sctx);
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

/* ------------------------------------------------------------------------ */
/* create_connection with TLS, and dup                                      */
/* ------------------------------------------------------------------------ */

static void test_create_connection_tls_handshakes_and_echoes(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *s;
    char port[8], echo[5];
    (void)state;
    server_start(&srv, sctx, serve_echo);
    snprintf(port, sizeof port, "%d", srv.port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
    assert_non_null(skt_tls_version(s));
    assert_true(skt_gettimeout(s) == 10);
    SKT_OK(skt_sendall(s, "hello", 5, 0, NULL));
    SKT_OK(skt_recv_exact(s, echo, 5, 0, NULL));
    assert_memory_equal(echo, "hello", 5);
    skt_close(s);
    server_join(&srv);
    assert_string_equal(srv.sni, "localhost");
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_create_connection_tls_checks_the_hostname(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("wrong-name.pem"), *cctx = client_ctx();
    skt_connect_opts opts = {.timeout = 10, .tls = cctx};
    skt_socket *s = (skt_socket *)&s;
    char port[8];
    (void)state;
    server_start(&srv, sctx, NULL);
    snprintf(port, sizeof port, "%d", srv.port);
    /* No tls_hostname: the host given to create_connection is checked. */
    assert_code(skt_create_connection(&s, "localhost", port, &opts),
                SKT_ETLS_HOSTNAME);
    assert_null(s);
    assert_contains(skt_error_detail(), "hostname mismatch");
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_create_connection_tls_one_deadline_covers_handshake(void **st)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_connect_opts opts = {.timeout = 0.5, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *listener, *s = (skt_socket *)&s;
    char port[8];
    double start, elapsed;
    int p = 0;
    (void)st;
    /* The kernel accepts the connection; nobody ever answers the hello. */
    skt_test_tcp_listener(&listener, &p);
    snprintf(port, sizeof port, "%d", p);
    start = skt_test_now();
    assert_code(skt_create_connection(&s, "127.0.0.1", port, &opts),
                -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_null(s);
    assert_true(elapsed >= 0.5 && elapsed < 1.0);
    skt_close(listener);
    skt_tls_ctx_free(cctx);
}

static void test_dup_of_tls_socket_is_refused(void **state)
{
    struct server srv = {0};
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_socket *s, *copy = (skt_socket *)&copy;
    (void)state;
    SKT_OK(client_against(&srv, sctx, serve_echo, cctx, "localhost", &s));
    assert_code(skt_dup(s, &copy), -EOPNOTSUPP);
    assert_null(copy);
    skt_close(s);
    server_join(&srv);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* skt_server with TLS, every mode                                          */
/* ------------------------------------------------------------------------ */

static int echo_handler(skt_server *srv, skt_socket *conn,
                        const skt_addr *client, void *user)
{
    char buf[4096];
    ssize_t n;
    (void)srv, (void)client, (void)user;
    while ((n = skt_recv(conn, buf, sizeof buf, 0)) > 0) {
        int rc = skt_sendall(conn, buf, (size_t)n, 0, NULL);
        if (rc < 0)
            return rc;
    }
    return (int)n;
}

/* Event mode: over TLS a non-blocking recv says "nothing yet" with
 * SKT_EWANTREAD (Python's SSLWantReadError) rather than -EAGAIN. */
static int echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    (void)events, (void)state;
    for (;;) {
        ssize_t n = skt_recv(skt_server_conn_socket(conn), buf, sizeof buf,
                             0);
        if (n == 0)
            return 1;
        if (n == -EAGAIN || n == SKT_EWANTREAD || n == SKT_EWANTWRITE)
            return 0;
        if (n < 0)
            return (int)n;
        if (skt_server_conn_send(conn, buf, (size_t)n) < 0)
            return -EIO;
    }
}

static void *serve_main(void *arg)
{
    skt_server_serve_forever(arg);
    return NULL;
}

/* An skt_server serving in a thread of its own. */
struct running {
    skt_server *srv;
    pthread_t thread;
    skt_addr addr;
    char port[16];
};

static void open_server(struct running *r, const skt_server_config *cfg)
{
    SKT_OK(skt_addr_parse(&r->addr, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&r->srv, &r->addr, cfg));
    SKT_OK(skt_server_address(r->srv, &r->addr));
    snprintf(r->port, sizeof r->port, "%d", skt_addr_port(&r->addr));
}

static void start_serving(struct running *r)
{
    assert_int_equal(pthread_create(&r->thread, NULL, serve_main, r->srv),
                     0);
}

static void run_server(struct running *r, const skt_server_config *cfg)
{
    open_server(r, cfg);
    start_serving(r);
}

static void stop_server(struct running *r)
{
    SKT_OK(skt_server_shutdown(r->srv));
    pthread_join(r->thread, NULL);
    SKT_OK(skt_server_close(r->srv));
}

/*
 * The clients' side: two connections at once, each with its own handshake
 * and stream, three rounds of echoes. Returns 0 or the first failure's
 * code, so that it can also run in a child process.
 */
static int echo_clients(const char *port, skt_tls_ctx *cctx)
{
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    skt_socket *c[2] = {NULL, NULL};
    char echo[64];
    int rc = 0;

    for (int i = 0; i < 2 && rc == 0; i++)
        rc = skt_create_connection(&c[i], "127.0.0.1", port, &opts);
    for (int round = 0; round < 3 && rc == 0; round++) {
        for (int i = 0; i < 2 && rc == 0; i++) {
            char msg[32];
            int len = snprintf(msg, sizeof msg, "client %d round %d", i,
                               round);
            rc = skt_sendall(c[i], msg, (size_t)len, 0, NULL);
            if (rc == 0)
                rc = skt_recv_exact(c[i], echo, (size_t)len, 0, NULL);
            if (rc == 0 && memcmp(echo, msg, (size_t)len) != 0)
                rc = -EPROTO;
        }
    }
    if (rc != 0)
        print_error("echo_clients: %s\n", skt_error_detail());
    for (int i = 0; i < 2; i++)
        skt_close(c[i]);
    return rc;
}

static void tls_server_echoes_in_mode(skt_server_mode mode)
{
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .tls = sctx,
                             .idle_timeout = 10};
    struct running r;
    pid_t pid;

    if (mode != SKT_SERVER_FORK) {
        run_server(&r, &cfg);
        SKT_OK(echo_clients(r.port, cctx));
    } else {
        /* A fork server forks while the process's other threads run: a
         * TLS client in a sibling thread could hold a lock (allocator,
         * OpenSSL) at that instant and leave the child stuck on it. The
         * clients get their own process, made before the server thread. */
        open_server(&r, &cfg);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(echo_clients(r.port, cctx) == 0 ? 0 : 1);
        start_serving(&r);
        assert_int_equal(skt_test_wait(pid, 60), 0);
    }
    stop_server(&r);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_server_tls_sequential_mode(void **state)
{
    /* Sequential serves one connection at a time: one client suffices. */
    skt_tls_ctx *sctx = server_ctx("server.pem"), *cctx = client_ctx();
    skt_server_config cfg = {.mode = SKT_SERVER_SEQUENTIAL,
                             .handle = echo_handler, .tls = sctx,
                             .idle_timeout = 10};
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost"};
    struct running r;
    skt_socket *c;
    char echo[5];
    (void)state;

    run_server(&r, &cfg);
    SKT_OK(skt_create_connection(&c, "127.0.0.1", r.port, &opts));
    SKT_OK(skt_sendall(c, "hello", 5, 0, NULL));
    SKT_OK(skt_recv_exact(c, echo, 5, 0, NULL));
    assert_memory_equal(echo, "hello", 5);
    skt_close(c);
    stop_server(&r);
    skt_tls_ctx_free(cctx);
    skt_tls_ctx_free(sctx);
}

static void test_server_tls_threads_mode(void **state)
{
    (void)state;
    tls_server_echoes_in_mode(SKT_SERVER_THREADS);
}

static void test_server_tls_pool_mode(void **state)
{
    (void)state;
    tls_server_echoes_in_mode(SKT_SERVER_POOL);
}

static void test_server_tls_fork_mode(void **state)
{
    (void)state;
    tls_server_echoes_in_mode(SKT_SERVER_FORK);
}

static void test_server_tls_events_mode(void **state)
{
    (void)state;
    tls_server_echoes_in_mode(SKT_SERVER_EVENTS);
}

struct error_log {
    int code;
    int calls;
};

static void note_error(skt_server *srv, const skt_addr *client, int code,
                       void *user)
{
    struct error_log *log = user;
    (void)srv, (void)client;
    log->code = code;
    __atomic_add_fetch(&log->calls, 1, __ATOMIC_SEQ_CST);
}

static void server_rejects_plaintext_client(skt_server_mode mode)
{
    skt_tls_ctx *sctx = server_ctx("server.pem");
    struct error_log log = {0, 0};
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .tls = sctx,
                             .idle_timeout = 10, .handle_error = note_error,
                             .user = &log};
    struct running r;
    skt_socket *c;
    char buf[64];
    ssize_t n;

    run_server(&r, &cfg);
    SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 10));
    SKT_OK(skt_connect(c, &r.addr));
    /* Plain text is not a ClientHello: the handshake fails, the handler
     * never sees it, and handle_error hears of it. */
    SKT_OK(skt_sendall(c, "GET / HTTP/1.0\r\n\r\n", 18, 0, NULL));
    do
        n = skt_recv(c, buf, sizeof buf, 0);
    while (n > 0);
    skt_close(c);
    for (int i = 0; i < 200 && __atomic_load_n(&log.calls, __ATOMIC_SEQ_CST)
                                   == 0; i++)
        usleep(10000);
    stop_server(&r);
    assert_int_equal(log.calls, 1);
    assert_true(log.code < 0);
    skt_tls_ctx_free(sctx);
}

static void test_server_tls_rejects_plaintext_in_threads(void **state)
{
    (void)state;
    server_rejects_plaintext_client(SKT_SERVER_THREADS);
}

static void test_server_tls_rejects_plaintext_in_events(void **state)
{
    (void)state;
    server_rejects_plaintext_client(SKT_SERVER_EVENTS);
}

static int drop_datagram(skt_server *srv, skt_socket *sock, const void *data,
                         size_t len, const skt_addr *client, void *user)
{
    (void)srv, (void)sock, (void)data, (void)len, (void)client, (void)user;
    return 0;
}

static void test_server_tls_refused_for_datagrams(void **state)
{
    skt_tls_ctx *sctx = server_ctx("server.pem");
    skt_server_config cfg = {.type = SOCK_DGRAM, .tls = sctx,
                             .handle_datagram = drop_datagram};
    skt_server *srv;
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    assert_int_equal(skt_server_new(&srv, &a, &cfg), -EINVAL);
    assert_contains(skt_error_detail(), "TLS needs a stream server");
    skt_tls_ctx_free(sctx);
}

static void python_client_against_server_in_mode(skt_server_mode mode)
{
    const char *python = skt_test_python();
    char script[512], output[2048];
    skt_tls_ctx *sctx;
    skt_server_config cfg = {.mode = mode, .handle = echo_handler,
                             .on_event = echo_event, .idle_timeout = 10};
    struct running r;
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    sctx = server_ctx("server.pem");
    cfg.tls = sctx;
    /* The peer is started before the server's thread: no fork happens
     * while another thread of this process runs (see the echo cases). */
    open_server(&r, &cfg);
    skt_test_source_path("tests/peers/tls_client.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         r.port, "--cafile",
                                         (char *)cert("ca.pem"), "ping",
                                         NULL},
                         &out);
    start_serving(&r);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    stop_server(&r);
    assert_contains(output, "received \"ping\"\n");
    /* The server's close_notify came before its end of file. */
    assert_contains(output, "clean close");
    skt_tls_ctx_free(sctx);
}

static void test_server_tls_threads_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_THREADS);
}

static void test_server_tls_fork_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_FORK);
}

static void test_server_tls_events_sends_close_notify(void **state)
{
    (void)state;
    python_client_against_server_in_mode(SKT_SERVER_EVENTS);
}

static void test_server_tls_handshake_bounded_by_default_timeout(void **st)
{
    skt_tls_ctx *sctx = server_ctx("server.pem");
    struct error_log log = {0, 0};
    skt_server_config cfg = {.mode = SKT_SERVER_THREADS,
                             .handle = echo_handler, .tls = sctx,
                             .handle_error = note_error, .user = &log};
    struct running r;
    skt_socket *c;
    double start, elapsed;
    (void)st;
    /* No idle timeout: the accepted connection's mode, the default
     * timeout, bounds the handshake as it would bound a recv. */
    SKT_OK(skt_setdefaulttimeout(0.5));
    run_server(&r, &cfg);
    SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 10));
    SKT_OK(skt_connect(c, &r.addr));
    start = skt_test_now();
    /* The client never says hello. */
    while (__atomic_load_n(&log.calls, __ATOMIC_SEQ_CST) == 0 &&
           skt_test_now() - start < 5)
        usleep(10000);
    elapsed = skt_test_now() - start;
    skt_close(c);
    stop_server(&r);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.code, -ETIMEDOUT);
    assert_true(elapsed >= 0.4 && elapsed < 1.5);
    skt_tls_ctx_free(sctx);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_client_context_defaults_are_secure),
    cmocka_unit_test(test_verify_none_needs_hostname_check_off_first),
    cmocka_unit_test(test_bad_settings_have_codes_and_details),
    cmocka_unit_test(test_encrypted_key_needs_its_password),
    cmocka_unit_test(test_client_trusts_the_system_store_by_default),
    cmocka_unit_test(test_ca_from_directory_and_from_memory),
    cmocka_unit_test(test_handshake_reports_session_and_peer_cert),
    cmocka_unit_test(test_information_of_plain_socket_is_empty),
    cmocka_unit_test(test_wrap_refuses_bad_arguments_and_changes_nothing),
    cmocka_unit_test(test_alpn_server_preference_and_no_overlap),
    cmocka_unit_test(test_version_bounds_and_cipher_list_apply),
    cmocka_unit_test(test_no_common_version_is_version_error),
    cmocka_unit_test(test_sni_sent_for_names_not_for_addresses),
    cmocka_unit_test(test_hostname_checked_even_without_sni),
    cmocka_unit_test(test_sni_sent_with_hostname_check_off),
    cmocka_unit_test(test_expired_certificate_fails_with_its_code),
    cmocka_unit_test(test_wrong_host_fails_with_its_code),
    cmocka_unit_test(test_self_signed_fails_with_its_code),
    cmocka_unit_test(test_unknown_ca_fails_with_its_code),
    cmocka_unit_test(test_missing_client_cert_fails_when_required),
    cmocka_unit_test(test_client_cert_accepted_when_required),
    cmocka_unit_test(test_verify_none_connects_and_reports_result),
    cmocka_unit_test(test_failed_handshake_allows_no_plaintext),
    cmocka_unit_test(test_tls10_only_peer_fails_with_version_code),
    cmocka_unit_test(test_tls10_only_client_fails_with_version_code),
    cmocka_unit_test(test_stalled_handshake_times_out_at_deadline),
    cmocka_unit_test(test_trickling_peer_cannot_stretch_the_deadline),
    cmocka_unit_test(test_hook_keeps_callers_deadline_on_blocking_socket),
    cmocka_unit_test(test_hooks_handshake_both_sides_under_deadline),
    cmocka_unit_test(test_nonblocking_handshake_completes_in_poll_loop),
    cmocka_unit_test(test_errors_left_by_other_openssl_code_are_ignored),
    cmocka_unit_test(test_pending_reports_decrypted_bytes),
    cmocka_unit_test(test_nonblocking_handshake_completes_through_selector),
    cmocka_unit_test(test_selector_reports_pending_bytes_as_readable),
    cmocka_unit_test(test_nonblocking_send_wants_write_and_resumes),
    cmocka_unit_test(test_closed_peer_gives_eof_then_error_not_sigpipe),
    cmocka_unit_test(test_sendall_recv_exact_large_transfer),
    cmocka_unit_test(test_sendall_recv_exact_small_transfer),
    cmocka_unit_test(test_zero_length_send_and_recv_return_zero),
    cmocka_unit_test(test_blocking_mode_round_trip_and_peek),
    cmocka_unit_test(test_nonblocking_unwrap_waits_for_the_peer),
    cmocka_unit_test(test_recv_timeout_over_tls),
    cmocka_unit_test(test_create_connection_tls_handshakes_and_echoes),
    cmocka_unit_test(test_create_connection_tls_checks_the_hostname),
    cmocka_unit_test(test_create_connection_tls_one_deadline_covers_handshake),
    cmocka_unit_test(test_dup_of_tls_socket_is_refused),
    cmocka_unit_test(test_server_tls_sequential_mode),
    cmocka_unit_test(test_server_tls_threads_mode),
    cmocka_unit_test(test_server_tls_pool_mode),
    cmocka_unit_test(test_server_tls_fork_mode),
    cmocka_unit_test(test_server_tls_events_mode),
    cmocka_unit_test(test_server_tls_rejects_plaintext_in_threads),
    cmocka_unit_test(test_server_tls_rejects_plaintext_in_events),
    cmocka_unit_test(test_server_tls_refused_for_datagrams),
    cmocka_unit_test(test_server_tls_threads_sends_close_notify),
    cmocka_unit_test(test_server_tls_fork_sends_close_notify),
    cmocka_unit_test(test_server_tls_events_sends_close_notify),
    cmocka_unit_test(test_server_tls_handshake_bounded_by_default_timeout),
    cmocka_unit_test(test_injected_faults_lose_nothing),
    cmocka_unit_test(test_streams_and_frames_work_over_tls),
    cmocka_unit_test(test_unwrap_returns_to_plaintext),
    cmocka_unit_test(test_skt_client_against_python_ssl_server),
    cmocka_unit_test(test_python_ssl_client_against_skt_server),
    cmocka_unit_test(test_skt_client_against_openssl_s_server),
    cmocka_unit_test(test_openssl_s_client_against_skt_server),
    cmocka_unit_test(test_curl_against_skt_server),
};

SKT_TEST_MAIN(tests)
