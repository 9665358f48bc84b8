/*
 * test-tls-sni.c - the server name callback: one skt server serving three
 * certificates, each chosen by the name the client sends, refusing an
 * unknown name with an alert, and keeping its own certificate for a client
 * that sends no name; with skt, `openssl s_client -servername` and
 * Python's ssl as clients.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const names[] = {"alpha.test", "beta.test", "gamma.test"};
#define NAME_COUNT 3

/* The server's contexts by name, for the callback. */
struct sni_table {
    skt_tls_ctx *by_name[NAME_COUNT];
    int calls;
    bool saw_no_name;
};

static struct sni_table table;

/* Serves the three names, refuses any other, keeps the default context
 * for a hello without a name. */
static int choose(skt_socket *s, const char *server_name,
                  skt_tls_ctx **context, void *arg)
{
    struct sni_table *t = arg;

    (void)s;
    t->calls++;
    if (server_name == NULL) {
        t->saw_no_name = true;
        return 0;
    }
    for (int i = 0; i < NAME_COUNT; i++) {
        if (strcmp(server_name, names[i]) == 0) {
            *context = t->by_name[i];
            return 0;
        }
    }
    return SKT_TLS_ALERT_UNRECOGNIZED_NAME;
}

/* Makes NAME.pem for the three names, once per process. */
static void make_sni_certs(void)
{
    static bool made;
    char dir[512], script[512], cmd[1400], *slash;

    if (made)
        return;
    snprintf(dir, sizeof dir, "%s", cert("ca.pem"));
    slash = strrchr(dir, '/');
    *slash = '\0';
    skt_test_source_path("tests/peers/make-sni-certs.sh", script,
                         sizeof script);
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' %s %s %s >&2", script, dir,
             names[0], names[1], names[2]);
    assert_int_equal(system(cmd), 0);
    made = true;
}

/* The fixture's server context gets the callback and the three others. */
static void serve_three_names(struct tls_fixture *f)
{
    char file[64];

    make_sni_certs();
    memset(&table, 0, sizeof table);
    for (int i = 0; i < NAME_COUNT; i++) {
        snprintf(file, sizeof file, "%s.pem", names[i]);
        table.by_name[i] = server_ctx(file);
    }
    SKT_OK(skt_tls_ctx_set_sni_callback(f->sctx, choose, &table));
}

static void free_names(void)
{
    for (int i = 0; i < NAME_COUNT; i++)
        skt_tls_ctx_free(table.by_name[i]);
}

/* Serves: notes which context serves the connection, then greets. */
static skt_tls_ctx *served_with[4];
static int served;

static void serve_noting_context(struct server *srv, skt_socket *conn)
{
    if (served < 4)
        served_with[served++] = skt_tls_get_context(conn);
    serve_greeting(srv, conn);
}

/* ------------------------------------------------------------------------ */
/* skt as the client                                                        */
/* ------------------------------------------------------------------------ */

static void test_sni_chooses_among_three_certificates(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {.accepts = NAME_COUNT};

    serve_three_names(f);
    served = 0;
    server_start(&srv, f->sctx, serve_noting_context);
    for (int i = 0; i < NAME_COUNT; i++) {
        /* Hostname checking proves which certificate came. */
        skt_socket *s = connect_to(srv.port, 10);
        skt_tls_cert *peer;
        char cn[64];
        SKT_OK(skt_tls_wrap(s, f->cctx, names[i], false));
        SKT_OK(skt_tls_getpeercert(s, &peer));
        snprintf(cn, sizeof cn, "CN=%s", names[i]);
        assert_string_equal(peer->subject, cn);
        skt_tls_freecert(peer);
        skt_close(s);
    }
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_int_equal(table.calls, NAME_COUNT);
    for (int i = 0; i < NAME_COUNT; i++)
        assert_ptr_equal(served_with[i], table.by_name[i]);
    assert_string_equal(srv.sni, "gamma.test");
    free_names();
}

static void test_sni_refuses_an_unknown_name_with_an_alert(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    int rc;

    serve_three_names(f);
    rc = client_against(&srv, f->sctx, serve_greeting, f->cctx,
                        "unknown.test", NULL);
    assert_code(rc, SKT_ETLS_HANDSHAKE);
    assert_contains(skt_error_detail(), "unrecognized name");
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, SKT_ETLS_HANDSHAKE);
    assert_contains(srv.detail, "the server name callback refused "
                                "\"unknown.test\" (alert 112)");
    free_names();
}

static void test_sni_without_a_name_keeps_the_default(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_socket *s;

    serve_three_names(f);
    served = 0;
    /* No SNI goes out for an address; server.pem has IP:127.0.0.1. */
    SKT_OK(client_against(&srv, f->sctx, serve_noting_context, f->cctx,
                          "127.0.0.1", &s));
    skt_close(s);
    server_join(&srv);
    assert_true(table.saw_no_name);
    assert_ptr_equal(served_with[0], f->sctx);
    free_names();
}

static void test_sni_callback_is_for_servers(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    assert_code(skt_tls_ctx_set_sni_callback(f->cctx, choose, NULL),
                -EINVAL);
    assert_contains(skt_error_detail(), "client context");
    SKT_OK(skt_tls_ctx_set_sni_callback(f->sctx, NULL, NULL));
    assert_null(skt_tls_get_context(f->client));
}

/* ------------------------------------------------------------------------ */
/* Foreign clients                                                          */
/* ------------------------------------------------------------------------ */

/* `openssl s_client -servername name` against port; its output. */
static int s_client(int port, const char *name, char *output, size_t len)
{
    char cmd[1024];
    int out;
    pid_t pid;

    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername %s -verify_hostname %s -CAfile '%s' "
             "-verify_return_error </dev/null 2>&1", port, name, name,
             cert("ca.pem"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, len, 10);
    close(out);
    return skt_test_wait(pid, 10);
}

static void test_s_client_gets_the_certificate_for_its_name(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {.accepts = NAME_COUNT + 1};
    char output[16384], subject[64];

    serve_three_names(f);
    server_start(&srv, f->sctx, serve_greeting);
    for (int i = 0; i < NAME_COUNT; i++) {
        assert_int_equal(s_client(srv.port, names[i], output, sizeof output),
                         0);
        snprintf(subject, sizeof subject, "subject=CN = %s", names[i]);
        assert_contains(output, subject);
        assert_contains(output, "Verify return code: 0 (ok)");
    }
    assert_int_not_equal(s_client(srv.port, "unknown.test", output,
                                  sizeof output), 0);
    assert_contains(output, "unrecognized name");
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, SKT_ETLS_HANDSHAKE);
    free_names();
}

static void test_python_gets_the_certificate_for_its_name(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    const char *python = skt_test_python();
    struct server srv = {.accepts = NAME_COUNT + 1};
    char script[512], port[16], output[2048];
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    serve_three_names(f);
    server_start(&srv, f->sctx, serve_greeting);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_sni_client.py", script,
                         sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "--port",
                                         port, "--cafile",
                                         (char *)cert("ca.pem"),
                                         (char *)names[0], (char *)names[1],
                                         (char *)names[2], "unknown.test",
                                         NULL},
                         &out);
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_contains(output, "alpha.test: CN=alpha.test\n"
                            "beta.test: CN=beta.test\n"
                            "gamma.test: CN=gamma.test\n"
                            "unknown.test: refused "
                            "TLSV1_UNRECOGNIZED_NAME\n");
    free_names();
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_sni_chooses_among_three_certificates, contexts),
    SKT_CASE(test_sni_refuses_an_unknown_name_with_an_alert, contexts),
    SKT_CASE(test_sni_without_a_name_keeps_the_default, contexts),
    SKT_CASE(test_sni_callback_is_for_servers, pair),
    SKT_CASE(test_s_client_gets_the_certificate_for_its_name, contexts),
    SKT_CASE(test_python_gets_the_certificate_for_its_name, contexts),
};

SKT_TEST_MAIN(tests)
