/*
 * tls-common.c - the helpers of the test-tls-* programs (see
 * tls-common.h): certificates, contexts, assertions, the TLS server
 * thread, the poll-loop handshake of a pair, `openssl s_server`, and the
 * fixtures.
 */
#include "tls-common.h"
#include "internal.h"

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static bool openssl_missing(void)
{
    return system("command -v openssl >/dev/null 2>&1") != 0;
}

/* Runs tests/peers/NAME on the certificates' directory. */
static void run_cert_script(const char *name)
{
    char script[512], cmd[1200], path[300];

    snprintf(path, sizeof path, "tests/peers/%s", name);
    skt_test_source_path(path, script, sizeof script);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >&2", script, cert_dir);
    assert_int_equal(system(cmd), 0);
}

static void make_certs_once(void)
{
    const char *tmp = getenv("TMPDIR");

    if (cert_dir[0] != '\0')
        return;
    if (openssl_missing())
        SKT_SKIP("the openssl command is not installed");
    snprintf(cert_dir, sizeof cert_dir, "%s/skt-tls-test.XXXXXX",
             tmp != NULL ? tmp : "/tmp");
    assert_non_null(mkdtemp(cert_dir));
    atexit(remove_cert_dir);
    run_cert_script("make-certs.sh");
}

void make_more_certs(const char *script)
{
    static const char *done[8];
    size_t i;

    make_certs_once();
    for (i = 0; i < 8 && done[i] != NULL; i++)
        if (strcmp(done[i], script) == 0)
            return;
    run_cert_script(script);
    if (i < 8)
        done[i] = script;
}

/* The path of a generated file (a few stay valid at once). */
const char *cert(const char *name)
{
    static char paths[8][512];
    static unsigned next;
    char *path = paths[next++ % 8];

    make_certs_once();
    snprintf(path, sizeof paths[0], "%s/%s", cert_dir, name);
    return path;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

void assert_contains(const char *text, const char *part)
{
    if (text == NULL || strstr(text, part) == NULL)
        print_error("\"%s\" not found in \"%s\"\n", part,
                    text != NULL ? text : "(null)");
    assert_non_null(text);
    assert_non_null(strstr(text, part));
}

void assert_code(long rc, int code)
{
    if (rc != code)
        print_error("got %ld (%s), wanted %s; detail: %s\n", rc,
                    skt_errname((int)rc), skt_errname(code),
                    skt_error_detail());
    assert_int_equal(rc, code);
}

/* A server context with CERTNAME (signed for server.key). */
skt_tls_ctx *server_ctx(const char *certname)
{
    skt_tls_ctx *ctx;

    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_SERVER));
    SKT_OK(skt_tls_ctx_load_cert_chain(ctx, cert(certname),
                                       cert("server.key"), NULL));
    return ctx;
}

/* A client context that trusts the test CA (and the system store). */
skt_tls_ctx *client_ctx(void)
{
    skt_tls_ctx *ctx;

    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT));
    SKT_OK(skt_tls_ctx_load_verify_locations(ctx, cert("ca.pem"), NULL,
                                             NULL));
    return ctx;
}

skt_socket *connect_to(int port, double timeout)
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
size_t read_all(int fd, char *buf, size_t len, double timeout)
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

void note_failure(struct server *srv, int *where, int rc)
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

/* Accepts, wraps and serves connection i; returns false when accepting
 * failed (nothing more will come). */
static bool serve_one(struct server *srv, int i)
{
    skt_socket *conn;
    int rc = skt_accept(srv->listener, &conn, NULL);

    if (rc < 0) {
        note_failure(srv, &srv->wrap_rc, rc);
        return false;
    }
    skt_settimeout(conn, 10);
    rc = skt_tls_wrap(conn, srv->ctx, NULL, true);
    if (rc < 0)
        note_failure(srv, &srv->wrap_rc, rc);
    note_session(srv, conn);
    if (i < (int)(sizeof srv->reused / sizeof *srv->reused))
        srv->reused[i] = skt_tls_session_reused(conn);
    if (rc == 0 && srv->serve != NULL)
        srv->serve(srv, conn);
    skt_close(conn);
    return true;
}

static void *server_main(void *arg)
{
    struct server *srv = arg;
    int count = srv->accepts > 0 ? srv->accepts : 1;

    for (int i = 0; i < count && serve_one(srv, i); i++)
        ;
    return NULL;
}

/* Starts the thread; srv->size and srv->accepts are kept, every other
 * field starts over. */
void server_start(struct server *srv, skt_tls_ctx *ctx,
                  void (*serve)(struct server *, skt_socket *))
{
    size_t size = srv->size;
    int accepts = srv->accepts;

    memset(srv, 0, sizeof *srv);
    srv->size = size;
    srv->accepts = accepts;
    srv->ctx = ctx;
    srv->serve = serve;
    skt_test_tcp_listener(&srv->listener, &srv->port);
    SKT_OK(skt_settimeout(srv->listener, 10));
    assert_int_equal(pthread_create(&srv->thread, NULL, server_main, srv),
                     0);
}

void server_join(struct server *srv)
{
    pthread_join(srv->thread, NULL);
    skt_close(srv->listener);
}

void serve_echo(struct server *srv, skt_socket *conn)
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

void serve_greeting(struct server *srv, skt_socket *conn)
{
    static const char greeting[] = "hello from skt\n";
    int rc = skt_sendall(conn, greeting, strlen(greeting), 0, NULL);

    if (rc < 0)
        note_failure(srv, &srv->serve_rc, rc);
}

/*
 * Connects a client with cctx and hostname to a server with sctx and
 * serve; returns the client's wrap code. *out receives the socket on
 * success (NULL otherwise; the failed one is closed here).
 */
int client_against(struct server *srv, skt_tls_ctx *sctx,
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
int handshake_pair(skt_socket *client, skt_tls_ctx *cctx,
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
            p[i].fd = rc[i] == 0 ? -1 : skt_test_fd(side[i]);
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

/* Starts `openssl s_server` with extra arguments; returns its pid and
 * the port it listens on. */
pid_t start_s_server(const char *const *extra, size_t count, int *port)
{
    return start_s_server_cert("server.pem", extra, count, port);
}

/* start_s_server serving the generated certificate certname. */
pid_t start_s_server_cert(const char *certname, const char *const *extra,
                          size_t count, int *port)
{
    int out;
    pid_t pid = start_s_server_output(certname, extra, count, port, &out);

    if (pid > 0)
        close(out);
    return pid;
}

/* start_s_server_cert, *out left open on s_server's output. */
pid_t start_s_server_output(const char *certname, const char *const *extra,
                            size_t count, int *port, int *out)
{
    char *argv[32] = {"openssl", "s_server", "-accept", "0", "-cert",
                      (char *)cert(certname), "-key",
                      (char *)cert("server.key")};
    size_t n = 8;
    char line[256];
    const char *colon;
    pid_t pid;

    for (size_t i = 0; i < count; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    pid = skt_test_spawn(argv, out);
    /* It says "ACCEPT [::]:PORT" once it listens. */
    do {
        if (skt_test_read_line(*out, line, sizeof line, 5) < 0) {
            close(*out);
            skt_test_wait(pid, 0);
            return -1;
        }
    } while (strncmp(line, "ACCEPT", 6) != 0);
    colon = strrchr(line, ':');
    *port = colon != NULL ? atoi(colon + 1) : 0;
    return pid;
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * A new fixture in *state, or NULL (and *state NULL) when the machine
 * cannot make certificates: a skip in a setup would count as a failure,
 * so tls_fixture skips in the case itself.
 */
static struct tls_fixture *fixture_new(void **state)
{
    struct tls_fixture *f;

    *state = NULL;
    if (openssl_missing())
        return NULL;
    f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    return f;
}

struct tls_fixture *tls_fixture(void **state)
{
    if (*state == NULL)
        SKT_SKIP("the openssl command is not installed");
    return *state;
}

int setup_server_ctx(void **state)
{
    struct tls_fixture *f = fixture_new(state);

    if (f != NULL)
        f->sctx = server_ctx("server.pem");
    return 0;
}

int setup_contexts(void **state)
{
    struct tls_fixture *f = fixture_new(state);

    if (f != NULL) {
        f->sctx = server_ctx("server.pem");
        f->cctx = client_ctx();
    }
    return 0;
}

int setup_pair(void **state)
{
    struct tls_fixture *f;

    setup_contexts(state);
    f = *state;
    if (f != NULL)
        skt_test_tcp_pair(&f->client, &f->server);
    return 0;
}

int teardown_tls(void **state)
{
    struct tls_fixture *f = *state;

    if (f == NULL)
        return 0;
    skt_close(f->client);
    skt_close(f->server);
    skt_close(f->listener);
    skt_tls_ctx_free(f->cctx);
    skt_tls_ctx_free(f->sctx);
    free(f);
    *state = NULL;
    return 0;
}
