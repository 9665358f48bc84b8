/*
 * test-tls-session.c - sessions and resumption: TLS 1.3 tickets, TLS 1.2
 * tickets and session IDs, offering a session (when wrapping, or before
 * a deferred handshake), the client's session cache and create_connection,
 * the server's ticket count and the session statistics; skt on both sides,
 * then against `openssl s_server`/`s_client` and Python's ssl.
 */
#include "tls-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GREETING_LEN 15 /* "hello from skt\n" */

/*
 * A client of cctx on 127.0.0.1:port offering session (may be NULL); it
 * reads the greeting, so that a TLS 1.3 server's tickets are in.
 */
static skt_socket *greeted_client(int port, skt_tls_ctx *cctx,
                                  const skt_tls_session *session)
{
    skt_tls_wrap_opts opts = {.server_hostname = "localhost",
                              .session = session};
    skt_socket *s = connect_to(port, 10);
    char buf[GREETING_LEN];

    SKT_OK(skt_tls_wrap_socket(s, cctx, &opts));
    SKT_OK(skt_recv_exact(s, buf, sizeof buf, 0, NULL));
    assert_memory_equal(buf, "hello from skt\n", sizeof buf);
    return s;
}

/*
 * Two connections of cctx to a server of sctx, the second offering the
 * session of the first, which *first receives (to free) with whether it
 * was resumable; returns whether the client saw the second resume, and
 * checks the server agrees.
 */
static bool resumes(skt_tls_ctx *sctx, skt_tls_ctx *cctx,
                    skt_tls_session **first, bool *resumable)
{
    struct server srv = {.accepts = 2};
    skt_socket *s;
    bool reused;

    server_start(&srv, sctx, serve_greeting);
    s = greeted_client(srv.port, cctx, NULL);
    assert_false(skt_tls_session_reused(s));
    SKT_OK(skt_tls_get_session(s, first));
    /* Before it is used: OpenSSL spends a TLS 1.3 ticket on its first. */
    *resumable = skt_tls_session_is_resumable(*first);
    skt_close(s);
    s = greeted_client(srv.port, cctx, *first);
    reused = skt_tls_session_reused(s);
    skt_close(s);
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_false(srv.reused[0]);
    assert_int_equal(srv.reused[1], reused);
    return reused;
}

/* ------------------------------------------------------------------------ */
/* skt on both sides                                                        */
/* ------------------------------------------------------------------------ */

static void test_tls13_ticket_resumes_on_both_sides(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_session *session;
    bool resumable;

    assert_true(resumes(f->sctx, f->cctx, &session, &resumable));
    assert_true(resumable);
    /* A TLS 1.3 ticket is spent once used. */
    assert_false(skt_tls_session_is_resumable(session));
    assert_true(skt_tls_session_has_ticket(session));
    assert_true(skt_tls_session_ticket_lifetime_hint(session) > 0);
    assert_true(skt_tls_session_timeout(session) > 0);
    assert_true(skt_tls_session_time(session) > 1600000000);
    skt_tls_session_free(session);
}

static void test_tls12_session_id_resumes_without_tickets(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_session_stats stats;
    skt_tls_session *session;
    size_t id_len;
    bool resumable;

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_options(f->sctx, skt_tls_ctx_get_options(f->sctx) |
                                                SKT_TLS_OP_NO_TICKET));
    assert_true(resumes(f->sctx, f->cctx, &session, &resumable));
    assert_true(skt_tls_session_is_resumable(session));
    assert_false(skt_tls_session_has_ticket(session));
    assert_non_null(skt_tls_session_id(session, &id_len));
    assert_int_equal(id_len, 32);
    SKT_OK(skt_tls_ctx_session_stats(f->sctx, &stats));
    assert_int_equal(stats.accept, 2);
    assert_int_equal(stats.accept_good, 2);
    assert_int_equal(stats.hits, 1);
    assert_int_equal(stats.number, 1);
    SKT_OK(skt_tls_ctx_session_stats(f->cctx, &stats));
    assert_int_equal(stats.connect, 2);
    assert_int_equal(stats.connect_good, 2);
    assert_int_equal(stats.hits, 1);
    skt_tls_session_free(session);
}

static void test_tls12_ticket_resumes(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_session *session;
    bool resumable;

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    assert_true(resumes(f->sctx, f->cctx, &session, &resumable));
    assert_true(skt_tls_session_has_ticket(session));
    skt_tls_session_free(session);
}

static void test_no_tickets_means_no_tls13_resumption(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_session *session;
    bool resumable;

    SKT_OK(skt_tls_ctx_set_num_tickets(f->sctx, 0));
    assert_int_equal(skt_tls_ctx_get_num_tickets(f->sctx), 0);
    assert_false(resumes(f->sctx, f->cctx, &session, &resumable));
    assert_false(resumable);
    skt_tls_session_free(session);
}

static void test_num_tickets_is_for_servers(void **state)
{
    struct tls_fixture *f = tls_fixture(state);

    assert_int_equal(skt_tls_ctx_get_num_tickets(f->sctx), 2);
    assert_code(skt_tls_ctx_set_num_tickets(f->cctx, 1), -EINVAL);
    assert_contains(skt_error_detail(), "client context");
}

static void test_session_offered_before_a_deferred_handshake(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts deferred = {.server_hostname = "localhost",
                                  .defer_handshake = true};
    struct server srv = {.accepts = 2};
    skt_tls_session *session;
    skt_socket *s;

    server_start(&srv, f->sctx, serve_greeting);
    s = greeted_client(srv.port, f->cctx, NULL);
    SKT_OK(skt_tls_get_session(s, &session));
    skt_close(s);
    s = connect_to(srv.port, 10);
    SKT_OK(skt_tls_wrap_socket(s, f->cctx, &deferred));
    assert_code(skt_tls_get_session(s, &(skt_tls_session *){NULL}),
                -ENOTCONN);
    SKT_OK(skt_tls_set_session(s, session));
    SKT_OK(skt_tls_handshake(s));
    assert_true(skt_tls_session_reused(s));
    /* Too late once the handshake has begun. */
    assert_code(skt_tls_set_session(s, session), -EINVAL);
    skt_close(s);
    server_join(&srv);
    assert_true(srv.reused[1]);
    skt_tls_session_free(session);
}

static void test_session_of_another_context_is_refused(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts opts = {.server_hostname = "localhost"};
    skt_tls_ctx *other = client_ctx();
    struct server srv = {0};
    skt_tls_session *session;
    skt_socket *s;

    server_start(&srv, f->sctx, serve_greeting);
    s = greeted_client(srv.port, f->cctx, NULL);
    SKT_OK(skt_tls_get_session(s, &session));
    skt_close(s);
    server_join(&srv);
    opts.session = session;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_code(skt_tls_wrap_socket(s, other, &opts), -EINVAL);
    assert_contains(skt_error_detail(), "another context");
    /* Nothing was installed: the socket is still plain. */
    assert_int_equal(skt_tls_pending(s), 0);
    assert_code(skt_tls_handshake(s), -EINVAL);
    skt_close(s);
    skt_tls_session_free(session);
    skt_tls_ctx_free(other);
}

static void test_wrap_socket_refuses_reserved_fields(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_wrap_opts opts = {.server_hostname = "localhost"};

    opts.reserved[0] = &opts;
    assert_code(skt_tls_wrap_socket(f->client, f->cctx, &opts), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* The session cache                                                        */
/* ------------------------------------------------------------------------ */

/* create_connection to 127.0.0.1:port as "localhost" with the cache. */
static skt_socket *cached_connection(int port, skt_tls_ctx *cctx,
                                     skt_tls_session_cache *cache)
{
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost",
                             .tls_sessions = cache};
    char service[16], buf[GREETING_LEN];
    skt_socket *s;

    snprintf(service, sizeof service, "%d", port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", service, &opts));
    SKT_OK(skt_recv_exact(s, buf, sizeof buf, 0, NULL));
    return s;
}

static void test_create_connection_resumes_from_the_cache(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {.accepts = 3};
    skt_tls_session_cache *cache;
    skt_socket *s;

    SKT_OK(skt_tls_session_cache_new(&cache, 0));
    server_start(&srv, f->sctx, serve_greeting);
    for (int i = 0; i < 3; i++) {
        s = cached_connection(srv.port, f->cctx, cache);
        /* The first is a full handshake; each later one uses the ticket
         * that the one before it filed. */
        assert_int_equal(skt_tls_session_reused(s), i > 0);
        skt_close(s);
    }
    server_join(&srv);
    assert_false(srv.reused[0]);
    assert_true(srv.reused[1]);
    assert_true(srv.reused[2]);
    skt_tls_session_cache_free(cache);
}

static void test_close_with_unread_data_keeps_the_session(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_connect_opts opts = {.timeout = 10, .tls = f->cctx,
                             .tls_hostname = "localhost"};
    struct server srv = {.accepts = 2};
    char service[16], buf[5];
    skt_socket *s;

    SKT_OK(skt_tls_session_cache_new(&opts.tls_sessions, 0));
    server_start(&srv, f->sctx, serve_greeting);
    snprintf(service, sizeof service, "%d", srv.port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", service, &opts));
    /* Part of the greeting is left unread: the close resets, without
     * close_notify, which must not spoil the session filed. */
    SKT_OK(skt_recv_exact(s, buf, sizeof buf, 0, NULL));
    skt_close(s);
    s = cached_connection(srv.port, f->cctx, opts.tls_sessions);
    assert_true(skt_tls_session_reused(s));
    skt_close(s);
    server_join(&srv);
    assert_true(srv.reused[1]);
    skt_tls_session_cache_free(opts.tls_sessions);
}

static void test_cache_hands_out_a_tls13_ticket_once(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {0};
    skt_tls_session_cache *cache;
    skt_tls_session *got;
    skt_socket *s;
    char service[16];

    SKT_OK(skt_tls_session_cache_new(&cache, 0));
    server_start(&srv, f->sctx, serve_greeting);
    s = cached_connection(srv.port, f->cctx, cache);
    skt_close(s);
    server_join(&srv);
    snprintf(service, sizeof service, "%d", srv.port);
    assert_code(skt_tls_session_cache_get(cache, f->cctx, "127.0.0.1",
                                          service, &got), -ENOENT);
    SKT_OK(skt_tls_session_cache_get(cache, f->cctx, "localhost", service,
                                     &got));
    assert_true(skt_tls_session_is_resumable(got));
    assert_code(skt_tls_session_cache_get(cache, f->cctx, "localhost",
                                          service, &(skt_tls_session *){0}),
                -ENOENT);
    skt_tls_session_free(got);
    skt_tls_session_cache_free(cache);
}

static void test_cache_keeps_tls12_sessions_forgets_oldest(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    skt_tls_session_cache *cache;
    skt_tls_session *session, *got;
    bool resumable;

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    assert_true(resumes(f->sctx, f->cctx, &session, &resumable));
    SKT_OK(skt_tls_session_cache_new(&cache, 2));
    SKT_OK(skt_tls_session_cache_put(cache, "a", "443", session));
    SKT_OK(skt_tls_session_cache_put(cache, "b", "443", session));
    /* a is used again, so b is the one to go when c comes. */
    SKT_OK(skt_tls_session_cache_get(cache, f->cctx, "a", "443", &got));
    skt_tls_session_free(got);
    SKT_OK(skt_tls_session_cache_put(cache, "c", "443", session));
    SKT_OK(skt_tls_session_cache_get(cache, f->cctx, "a", "443", &got));
    skt_tls_session_free(got);
    assert_code(skt_tls_session_cache_get(cache, f->cctx, "b", "443", &got),
                -ENOENT);
    SKT_OK(skt_tls_session_cache_get(cache, f->cctx, "c", "443", &got));
    skt_tls_session_free(got);
    /* Another context's lookup misses. */
    assert_code(skt_tls_session_cache_get(cache, f->sctx, "c", "443", &got),
                -ENOENT);
    skt_tls_session_free(session);
    skt_tls_session_cache_free(cache);
}

/* ------------------------------------------------------------------------ */
/* openssl s_server and s_client                                            */
/* ------------------------------------------------------------------------ */

/* GET / from s_server -www as "localhost", offering session; the page
 * (which tells "New" or "Reused") into page. */
static skt_socket *get_page(int port, skt_tls_ctx *cctx,
                            const skt_tls_session *session, char *page,
                            size_t len)
{
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    skt_tls_wrap_opts opts = {.server_hostname = "localhost",
                              .session = session};
    skt_socket *s = connect_to(port, 10);
    size_t used = 0;
    ssize_t got;

    SKT_OK(skt_tls_wrap_socket(s, cctx, &opts));
    SKT_OK(skt_sendall(s, request, strlen(request), 0, NULL));
    while (used + 1 < len &&
           (got = skt_recv(s, page + used, len - 1 - used, 0)) > 0)
        used += (size_t)got;
    page[used] = '\0';
    return s;
}

/* Two GETs from s_server started with extra, the second offering the
 * first's session and resuming; *kept (if not NULL) receives the client
 * context, to free. */
static void s_server_resumes(const char *const *extra, size_t count,
                             const char *reused_line, skt_tls_ctx **kept)
{
    skt_tls_ctx *cctx = client_ctx();
    skt_tls_session *session;
    char page[16384];
    skt_socket *s;
    int port = 0;
    pid_t pid = start_s_server(extra, count, &port);

    assert_true(pid > 0);
    s = get_page(port, cctx, NULL, page, sizeof page);
    assert_contains(page, "New, TLSv1.");
    SKT_OK(skt_tls_get_session(s, &session));
    skt_close(s);
    s = get_page(port, cctx, session, page, sizeof page);
    assert_true(skt_tls_session_reused(s));
    assert_contains(page, reused_line);
    skt_close(s);
    skt_test_wait(pid, 5);
    skt_tls_session_free(session);
    if (kept != NULL)
        *kept = cctx;
    else
        skt_tls_ctx_free(cctx);
}

static void test_skt_client_resumes_tls13_with_s_server(void **state)
{
    static const char *const args[] = {"-naccept", "2", "-www"};

    (void)state;
    s_server_resumes(args, 3, "Reused, TLSv1.3", NULL);
}

/* The counters Python's session_stats() reports for a client context
 * after a full and a resumed handshake with s_server: the resumption is
 * a hit; a client keeps no session cache of its own (number 0). */
static void test_session_stats_count_a_resumption_with_s_server(
    void **state)
{
    static const char *const args[] = {"-naccept", "2", "-www"};
    skt_tls_session_stats stats;
    skt_tls_ctx *cctx;

    (void)state;
    s_server_resumes(args, 3, "Reused, TLSv1.3", &cctx);
    SKT_OK(skt_tls_ctx_session_stats(cctx, &stats));
    assert_int_equal(stats.number, 0);
    assert_int_equal(stats.connect, 2);
    assert_int_equal(stats.connect_good, 2);
    assert_int_equal(stats.connect_renegotiate, 0);
    assert_int_equal(stats.accept, 0);
    assert_int_equal(stats.accept_good, 0);
    assert_int_equal(stats.hits, 1);
    assert_int_equal(stats.misses, 0);
    assert_int_equal(stats.timeouts, 0);
    assert_int_equal(stats.cache_full, 0);
    skt_tls_ctx_free(cctx);
}

/* GET / from s_server -www through create_connection with the cache;
 * the page into page. */
static skt_socket *get_page_cached(int port, skt_tls_ctx *cctx,
                                   skt_tls_session_cache *cache, char *page,
                                   size_t len)
{
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    skt_connect_opts opts = {.timeout = 10, .tls = cctx,
                             .tls_hostname = "localhost",
                             .tls_sessions = cache};
    char service[16];
    size_t used = 0;
    skt_socket *s;
    ssize_t got;

    snprintf(service, sizeof service, "%d", port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", service, &opts));
    SKT_OK(skt_sendall(s, request, strlen(request), 0, NULL));
    while (used + 1 < len &&
           (got = skt_recv(s, page + used, len - 1 - used, 0)) > 0)
        used += (size_t)got;
    page[used] = '\0';
    return s;
}

static void test_create_connection_cache_resumes_with_s_server(
    void **state)
{
    static const char *const args[] = {"-naccept", "3", "-www"};
    skt_tls_ctx *cctx = client_ctx();
    skt_tls_session_cache *cache;
    char page[16384];
    skt_socket *s;
    int port = 0;
    pid_t pid;

    (void)state;
    SKT_OK(skt_tls_session_cache_new(&cache, 0));
    pid = start_s_server(args, 3, &port);
    assert_true(pid > 0);
    for (int i = 0; i < 3; i++) {
        s = get_page_cached(port, cctx, cache, page, sizeof page);
        /* Both sides tell: the first is new, each later one resumes with
         * the ticket that the one before it filed. */
        assert_int_equal(skt_tls_session_reused(s), i > 0);
        assert_contains(page, i > 0 ? "Reused, TLSv1.3" : "New, TLSv1.3");
        skt_close(s);
    }
    assert_int_equal(skt_test_wait(pid, 5), 0);
    skt_tls_session_cache_free(cache);
    skt_tls_ctx_free(cctx);
}

static void test_skt_client_resumes_tls12_id_with_s_server(void **state)
{
    static const char *const args[] = {"-naccept", "2", "-www", "-tls1_2",
                                       "-no_ticket"};

    (void)state;
    s_server_resumes(args, 5, "Reused, TLSv1.2", NULL);
}

/* Runs s_client once against port with -sess_out or -sess_in FILE. */
static void s_client(int port, const char *sess_option, char *output,
                     size_t len)
{
    char cmd[1024];
    int out;
    pid_t pid;

    snprintf(cmd, sizeof cmd, "openssl s_client -connect 127.0.0.1:%d "
             "-servername localhost -CAfile '%s' -verify_return_error %s "
             "'%s' -ign_eof </dev/null 2>&1", port, cert("ca.pem"),
             sess_option, cert("s_client.session"));
    pid = skt_test_spawn((char *const[]){"sh", "-c", cmd, NULL}, &out);
    read_all(out, output, len, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
}

static void test_openssl_s_client_resumes_with_skt_server(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct server srv = {.accepts = 2};
    char output[16384];

    server_start(&srv, f->sctx, serve_greeting);
    s_client(srv.port, "-sess_out", output, sizeof output);
    assert_contains(output, "New, TLSv1.3");
    s_client(srv.port, "-sess_in", output, sizeof output);
    assert_contains(output, "Reused, TLSv1.3");
    assert_contains(output, "hello from skt");
    server_join(&srv);
    assert_int_equal(srv.wrap_rc, 0);
    assert_false(srv.reused[0]);
    assert_true(srv.reused[1]);
}

/* ------------------------------------------------------------------------ */
/* Python's ssl                                                             */
/* ------------------------------------------------------------------------ */

/* tls_resume.py's client, twice against a server of sctx; its output in
 * output. */
static void python_client_resumes(skt_tls_ctx *sctx, char *output,
                                  size_t len)
{
    const char *python = skt_test_python();
    char script[512], port[16];
    struct server srv = {.accepts = 2};
    int out;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    server_start(&srv, sctx, serve_greeting);
    snprintf(port, sizeof port, "%d", srv.port);
    skt_test_source_path("tests/peers/tls_resume.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "client",
                                         "--port", port, "--cafile",
                                         (char *)cert("ca.pem"), NULL},
                         &out);
    read_all(out, output, len, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    server_join(&srv);
    assert_false(srv.reused[0]);
    assert_true(srv.reused[1]);
}

static void test_python_client_resumes_with_skt_server(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char output[2048];

    python_client_resumes(f->sctx, output, sizeof output);
    assert_contains(output, "connection 1 reused False TLSv1.3\n"
                            "connection 2 reused True TLSv1.3\n");
}

static void test_python_client_resumes_tls12_id_with_skt_server(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    char output[2048];

    SKT_OK(skt_tls_ctx_set_maximum_version(f->sctx, SKT_TLS_VERSION_1_2));
    SKT_OK(skt_tls_ctx_set_options(f->sctx, skt_tls_ctx_get_options(f->sctx) |
                                                SKT_TLS_OP_NO_TICKET));
    python_client_resumes(f->sctx, output, sizeof output);
    assert_contains(output, "connection 2 reused True TLSv1.2\n");
}

/* Two connections to tls_resume.py's server with extra arguments; the
 * second offers the first's session. */
static void python_server_resumes(const char *extra1, const char *extra2,
                                  const char *version)
{
    const char *python = skt_test_python();
    skt_tls_ctx *cctx = client_ctx();
    skt_tls_session *session = NULL;
    char script[512], line[256], output[1024], want[128];
    int out, port = 0;
    pid_t pid;

    skt_test_source_path("tests/peers/tls_resume.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "server",
                                         "--cert", (char *)cert("server.pem"),
                                         "--key", (char *)cert("server.key"),
                                         (char *)extra1, (char *)extra2,
                                         NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%d", &port), 1);
    for (int i = 0; i < 2; i++) {
        skt_tls_wrap_opts opts = {.server_hostname = "localhost",
                                  .session = session};
        skt_socket *s = connect_to(port, 10);
        char hello[8];
        SKT_OK(skt_tls_wrap_socket(s, cctx, &opts));
        SKT_OK(skt_recv_exact(s, hello, sizeof hello, 0, NULL));
        assert_int_equal(skt_tls_session_reused(s), i == 1);
        skt_tls_session_free(session);
        SKT_OK(skt_tls_get_session(s, &session));
        skt_close(s);
    }
    read_all(out, output, sizeof output, 10);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    snprintf(want, sizeof want, "connection 2 reused True %s", version);
    assert_contains(output, want);
    skt_tls_session_free(session);
    skt_tls_ctx_free(cctx);
}

static void test_skt_client_resumes_tls13_with_python_server(void **state)
{
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    python_server_resumes("--connections=2", NULL, "TLSv1.3");
}

/* Python's server resumes TLS 1.2 with tickets only: it keeps no
 * session IDs. */
static void test_skt_client_resumes_tls12_ticket_with_python_server(
    void **state)
{
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("python3 is not installed");
    python_server_resumes("--max-tls12", NULL, "TLSv1.2");
}

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_tls13_ticket_resumes_on_both_sides, contexts),
    SKT_CASE(test_tls12_session_id_resumes_without_tickets, contexts),
    SKT_CASE(test_tls12_ticket_resumes, contexts),
    SKT_CASE(test_no_tickets_means_no_tls13_resumption, contexts),
    SKT_CASE(test_num_tickets_is_for_servers, contexts),
    SKT_CASE(test_session_offered_before_a_deferred_handshake, contexts),
    SKT_CASE(test_session_of_another_context_is_refused, contexts),
    SKT_CASE(test_wrap_socket_refuses_reserved_fields, pair),
    SKT_CASE(test_create_connection_resumes_from_the_cache, contexts),
    SKT_CASE(test_close_with_unread_data_keeps_the_session, contexts),
    SKT_CASE(test_cache_hands_out_a_tls13_ticket_once, contexts),
    SKT_CASE(test_cache_keeps_tls12_sessions_forgets_oldest, contexts),
    cmocka_unit_test(test_skt_client_resumes_tls13_with_s_server),
    cmocka_unit_test(test_skt_client_resumes_tls12_id_with_s_server),
    cmocka_unit_test(test_session_stats_count_a_resumption_with_s_server),
    cmocka_unit_test(test_create_connection_cache_resumes_with_s_server),
    SKT_CASE(test_openssl_s_client_resumes_with_skt_server, server_ctx),
    SKT_CASE(test_python_client_resumes_with_skt_server, server_ctx),
    cmocka_unit_test(test_skt_client_resumes_tls13_with_python_server),
    cmocka_unit_test(test_skt_client_resumes_tls12_ticket_with_python_server),
    SKT_CASE(test_python_client_resumes_tls12_id_with_skt_server, server_ctx),
};

SKT_TEST_MAIN(tests)
