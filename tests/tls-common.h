/*
 * tls-common.h - what the test-tls-* programs share: the generated
 * certificates, contexts made from them, assertions that print the
 * detail, a TLS server in a thread, a pair handshaken through a poll
 * loop, `openssl s_server` as a peer, and the fixtures that make and free
 * a case's contexts and sockets.
 *
 * Certificates are generated once per test process (each case runs in a
 * process of its own) by tests/peers/make-certs.sh, into a temporary
 * directory removed at exit.
 */
#ifndef SKT_TEST_TLS_COMMON_H
#define SKT_TEST_TLS_COMMON_H

#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ------------------------------------------------------------------------ */
/* Certificates and contexts                                                */
/* ------------------------------------------------------------------------ */

/* The path of a generated file (a few stay valid at once); skips the case
 * when the openssl command is missing. */
const char *cert(const char *name);
/* Runs tests/peers/SCRIPT (make-crl.sh, make-chain.sh, make-dh.sh) on the
 * same directory, once a process for each script. */
void make_more_certs(const char *script);

/* A server context with CERTNAME (signed for server.key). */
skt_tls_ctx *server_ctx(const char *certname);

/* A client context that trusts the test CA (and the system store). */
skt_tls_ctx *client_ctx(void);

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* Asserts that text holds part, printing both when it does not. */
void assert_contains(const char *text, const char *part);

/* Asserts rc == code, printing both names and the detail when not. */
void assert_code(long rc, int code);

/* A TCP socket connected to 127.0.0.1:port, in timeout mode timeout. */
skt_socket *connect_to(int port, double timeout);

/* Reads everything fd gives within timeout seconds, NUL-terminated. */
size_t read_all(int fd, char *buf, size_t len, double timeout);

/* Starts `openssl s_server` with extra arguments; returns its pid and
 * the port it listens on, or -1 when it does not start. */
pid_t start_s_server(const char *const *extra, size_t count, int *port);
/* The same, serving the generated certificate certname (signed for
 * server.key) instead of server.pem. */
pid_t start_s_server_cert(const char *certname, const char *const *extra,
                          size_t count, int *port);
/* start_s_server_cert that leaves *out open on s_server's standard
 * output (what it prints after "ACCEPT"), for the caller to read and
 * close. */
pid_t start_s_server_output(const char *certname, const char *const *extra,
                            size_t count, int *port, int *out);

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
    int accepts; /* connections to serve, one after another (0: one) */
    pthread_t thread;
    int wrap_rc;
    int serve_rc;
    char detail[1024];
    char sni[256];
    char peer_subject[256];
    bool reused[4]; /* whether connection i resumed a session */
};

/* Keeps rc in *where and the detail in srv->detail. */
void note_failure(struct server *srv, int *where, int rc);

/* Starts the thread; srv->size and srv->accepts are kept, every other
 * field starts over. */
void server_start(struct server *srv, skt_tls_ctx *ctx,
                  void (*serve)(struct server *, skt_socket *));

/* Waits for the thread and closes the listener. */
void server_join(struct server *srv);

/* Serves: echoes what comes until the end of the stream. */
void serve_echo(struct server *srv, skt_socket *conn);

/* Serves: sends "hello from skt\n". */
void serve_greeting(struct server *srv, skt_socket *conn);

/*
 * Connects a client with cctx and hostname to a server with sctx and
 * serve; returns the client's wrap code. *out receives the socket on
 * success (NULL otherwise; the failed one is closed here).
 */
int client_against(struct server *srv, skt_tls_ctx *sctx,
                   void (*serve)(struct server *, skt_socket *),
                   skt_tls_ctx *cctx, const char *hostname,
                   skt_socket **out);

/*
 * Handshakes a connected pair in one thread, both sides non-blocking,
 * through a poll loop. Returns the number of loop rounds.
 */
int handshake_pair(skt_socket *client, skt_tls_ctx *cctx,
                   skt_socket *server, skt_tls_ctx *sctx);

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * What a case's setup made, in *state; teardown_tls frees whatever is not
 * NULL, so a case that frees or detaches something itself sets it NULL.
 */
struct tls_fixture {
    skt_tls_ctx *sctx;    /* a server context with server.pem */
    skt_tls_ctx *cctx;    /* a client context trusting the test CA */
    skt_socket *client;   /* a connected TCP pair, blocking */
    skt_socket *server;
    skt_socket *listener; /* a TCP listener on 127.0.0.1 */
    int port;             /* the listener's */
};

/* The case's fixture; skips the case when the setup could not make the
 * certificates (the openssl command is missing). */
struct tls_fixture *tls_fixture(void **state);

/* Setups: sctx only; sctx and cctx; both and a connected TCP pair. */
int setup_server_ctx(void **state);
int setup_contexts(void **state);
int setup_pair(void **state);

/* Frees what the setup made (and what the case left in the fixture). */
int teardown_tls(void **state);

/* A case with the fixture made by setup_<fixture>, freed by teardown_tls. */
#define SKT_CASE(test, fixture)                                               \
    cmocka_unit_test_setup_teardown(test, setup_##fixture, teardown_tls)

#endif
