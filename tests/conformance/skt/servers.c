/*
 * servers.c - skt_server: TCP, UDP and Unix servers, the threads and fork
 * modes, verify_request, handle_error, handle_timeout, shutdown from a
 * handler, the listener's settings, on skt (py/servers.py on Python's
 * socketserver).
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

/* Python's StreamRequestHandler that writes back the line it reads. */
static int echo(skt_server *srv, skt_socket *conn, const skt_addr *client,
                void *user)
{
    skt_stream *f;
    char line[256];
    ssize_t n;
    int rc = skt_makefile(conn, &f, NULL);

    (void)srv, (void)client, (void)user;
    if (rc < 0)
        return rc;
    n = skt_stream_readline(f, line, sizeof line);
    rc = n < 0 ? (int)n : skt_sendall(conn, line, (size_t)n, 0, NULL);
    skt_stream_close(f);
    return rc;
}

static int upper(skt_server *srv, skt_socket *sock, const void *data,
                 size_t len, const skt_addr *client, void *user)
{
    char out[256];

    (void)srv, (void)user;
    if (len > sizeof out)
        len = sizeof out;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)toupper(((const unsigned char *)data)[i]);
    return (int)skt_sendto(sock, out, len, 0, client);
}

static int failing(skt_server *srv, skt_socket *conn, const skt_addr *client,
                   void *user)
{
    (void)srv, (void)conn, (void)client, (void)user;
    return -EIO;
}

static int stopper(skt_server *srv, skt_socket *conn, const skt_addr *client,
                   void *user)
{
    (void)client, (void)user;
    skt_sendall(conn, "bye", 3, 0, NULL);
    return skt_server_shutdown(srv);
}

static int reporting(skt_server *srv, skt_socket *conn, const skt_addr *client,
                     void *user)
{
    skt_addr peer;
    char text[64];

    (void)srv, (void)user;
    skt_getpeername(conn, &peer);
    snprintf(text, sizeof text, "%s %s", conf_timeout(skt_gettimeout(conn)),
             conf_bool(skt_addr_equal(&peer, client)));
    return skt_sendall(conn, text, strlen(text), 0, NULL);
}

static int quiet(skt_server *srv, skt_socket *conn, const skt_addr *client,
                 void *user)
{
    (void)srv, (void)client, (void)user;
    return skt_sendall(conn, "done", 4, 0, NULL);
}

static bool refuse(skt_server *srv, skt_socket *conn, const skt_addr *client,
                   void *user)
{
    (void)srv, (void)conn, (void)client, (void)user;
    return false;
}

struct record {
    skt_addr client;
    int errors;
    int timeouts;
};

static void record_error(skt_server *srv, const skt_addr *client, int code,
                         void *user)
{
    struct record *r = user;

    (void)srv, (void)code;
    if (client) {
        r->client = *client;
        r->errors++;
    }
}

static void count_timeout(skt_server *srv, void *user)
{
    (void)srv;
    ((struct record *)user)->timeouts++;
}

/* ------------------------------------------------------------------------ */
/* Serving                                                                  */
/* ------------------------------------------------------------------------ */

struct running {
    skt_server *srv;
    pthread_t thread;
    bool started;
};

static void *serve(void *arg)
{
    skt_server_serve_forever(((struct running *)arg)->srv);
    return NULL;
}

/* A server on `where` (text) with cfg, serving in a thread. */
static int start(struct running *r, const char *where, skt_server_config *cfg)
{
    skt_addr a;
    int rc = skt_addr_parse(&a, where);

    r->started = false;
    if (rc == 0)
        rc = skt_server_new(&r->srv, &a, cfg);
    if (rc < 0)
        return rc;
    r->started = pthread_create(&r->thread, NULL, serve, r) == 0;
    return r->started ? 0 : -EAGAIN;
}

static void stop(struct running *r)
{
    skt_server_shutdown(r->srv);
    if (r->started)
        pthread_join(r->thread, NULL);
    skt_server_close(r->srv);
}

/* Connects to the server, sends data, returns what one recv brings. */
static long ask(skt_server *srv, const char *data, double wait, char *buf,
                size_t len)
{
    skt_socket *c;
    skt_addr a;
    long rc = skt_server_address(srv, &a);

    if (rc == 0)
        rc = skt_open(&c, skt_addr_family(&a), SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = skt_settimeout(c, wait);
    if (rc == 0)
        rc = skt_connect(c, &a);
    if (rc == 0 && *data)
        rc = skt_sendall(c, data, strlen(data), 0, NULL);
    if (rc == 0)
        rc = skt_recv(c, buf, len, 0);
    skt_close(c);
    return rc;
}

static const char *got(const char *buf, long n)
{
    return n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n);
}

static void served_echo(const char *name, const char *where,
                        skt_server_mode mode, const char *line)
{
    skt_server_config cfg = {.mode = mode, .handle = echo, .idle_timeout = 5};
    struct running r;
    char buf[100];
    int rc = start(&r, where, &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", got(buf, ask(r.srv, line, 5, buf, sizeof buf)));
    stop(&r);
}

static void socketserver_tcp_echo(const char *n)
{
    served_echo(n, "127.0.0.1:0", SKT_SERVER_SEQUENTIAL, "ping\n");
}
static void socketserver_tcp_ipv6(const char *n)
{
    served_echo(n, "[::1]:0", SKT_SERVER_SEQUENTIAL, "six\n");
}
static void socketserver_forking_echo(const char *n)
{
    served_echo(n, "127.0.0.1:0", SKT_SERVER_FORK, "fork\n");
}

static void socketserver_server_address(const char *name)
{
    skt_server_config cfg = {.handle = echo, .idle_timeout = 5};
    struct running r;
    skt_addr a;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_server_address(r.srv, &a);
    conf_emit(name, "%s", rc < 0 ? conf_err(rc) : conf_addr(&a));
    stop(&r);
}

static void reuse(const char *name, int reuse_address)
{
    skt_server_config cfg = {
        .handle = echo, .idle_timeout = 5, .reuse_address = reuse_address};
    struct running r;
    int v = 0, rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_getsockopt_int(skt_server_socket(r.srv), SOL_SOCKET, SO_REUSEADDR,
                            &v);
    conf_emit(name, "%s", rc < 0 ? conf_err(rc) : conf_bool(v != 0));
    stop(&r);
}

static void socketserver_reuse_address_default(const char *n)
{
    reuse(n, SKT_REUSE_ADDRESS_DEFAULT);
}
static void socketserver_reuse_address_on(const char *n)
{
    reuse(n, SKT_REUSE_ADDRESS_ON);
}
static void socketserver_reuse_address_off(const char *n)
{
    reuse(n, SKT_REUSE_ADDRESS_OFF);
}

static void socketserver_listen_backlog(const char *name)
{
    skt_server_config cfg = {.handle = echo, .idle_timeout = 5};
    struct running r;
    skt_addr a;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_address(r.srv, &a);
    conf_emit(name, "%s", conf_listen_backlog(skt_addr_port(&a)));
    stop(&r);
}

static void socketserver_udp_echo(const char *name)
{
    skt_server_config cfg = {.type = SOCK_DGRAM, .handle_datagram = upper};
    struct running r;
    skt_socket *c;
    skt_addr a, src;
    char buf[100];
    long n = start(&r, "127.0.0.1:0", &cfg);

    if (n < 0)
        return conf_rc(name, n);
    skt_server_address(r.srv, &a);
    n = skt_open(&c, AF_INET, SOCK_DGRAM, 0);
    if (n == 0) {
        skt_settimeout(c, 5);
        n = skt_sendto(c, "ping", 4, 0, &a);
        if (n >= 0)
            n = skt_recvfrom(c, buf, sizeof buf, 0, &src);
        skt_close(c);
    }
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%s %s", got(buf, n),
                  conf_bool(skt_addr_equal(&src, &a)));
    stop(&r);
}

static void socketserver_unix_stream_echo(const char *name)
{
    char where[300];
    snprintf(where, sizeof where, "unix:%s", conf_path("server-stream.sock"));
    served_echo(name, where, SKT_SERVER_SEQUENTIAL, "unix\n");
}

static void socketserver_unix_datagram_echo(const char *name)
{
    skt_server_config cfg = {.type = SOCK_DGRAM, .handle_datagram = upper};
    struct running r;
    skt_socket *c;
    skt_addr a, mine;
    char where[300], buf[100];
    const char *cp = conf_path("client-dgram.sock");
    long n;

    snprintf(where, sizeof where, "unix:%s", conf_path("server-dgram.sock"));
    n = start(&r, where, &cfg);
    if (n < 0)
        return conf_rc(name, n);
    skt_server_address(r.srv, &a);
    n = skt_open(&c, AF_UNIX, SOCK_DGRAM, 0);
    if (n == 0) {
        skt_addr_from_unix(&mine, cp, strlen(cp), false);
        n = skt_bind(c, &mine);
        skt_settimeout(c, 5);
        if (n == 0)
            n = skt_sendto(c, "dgram", 5, 0, &a);
        if (n >= 0)
            n = skt_recv(c, buf, sizeof buf, 0);
        skt_close(c);
    }
    conf_emit(name, "%s", got(buf, n));
    stop(&r);
}

static void socketserver_unix_socket_file_after_close(const char *name)
{
    skt_server_config cfg = {.handle = echo};
    skt_server *srv;
    skt_addr a;
    const char *p = conf_path("server-left.sock");
    int rc = skt_addr_from_unix(&a, p, strlen(p), false);

    if (rc == 0)
        rc = skt_server_new(&srv, &a, &cfg);
    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_close(srv);
    conf_emit(name, "%s", conf_bool(access(p, F_OK) == 0));
}

/* One client connects and says nothing; a second one asks; then the first
 * one asks too (a forked child holds a copy of the first client's
 * socket, and must not be left waiting for it). */
static void silent_then_second(const char *name, skt_server_mode mode)
{
    skt_server_config cfg = {.mode = mode, .handle = echo, .idle_timeout = 5};
    skt_connect_opts opts = {.timeout = 5};
    struct running r;
    skt_socket *c = NULL;
    skt_addr a;
    char port[8], buf[10], second[10];
    long n, m;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_address(r.srv, &a);
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    rc = skt_create_connection(&c, "127.0.0.1", port, &opts);
    if (rc < 0) {
        stop(&r);
        return conf_rc(name, rc);
    }
    pause_ms(50);
    n = ask(r.srv, "b\n", 0.3, second, sizeof second);
    m = skt_sendall(c, "a\n", 2, 0, NULL);
    if (m == 0)
        m = skt_recv(c, buf, sizeof buf, 0);
    conf_emit(name, "%s %s", got(second, n), got(buf, m));
    skt_close(c);
    stop(&r);
}

static void socketserver_sequential_waits_for_first(const char *n)
{
    silent_then_second(n, SKT_SERVER_SEQUENTIAL);
}
static void socketserver_threading_serves_second(const char *n)
{
    silent_then_second(n, SKT_SERVER_THREADS);
}
static void socketserver_forking_serves_second(const char *n)
{
    silent_then_second(n, SKT_SERVER_FORK);
}

static void socketserver_verify_request_false(const char *name)
{
    skt_server_config cfg = {
        .handle = echo, .verify_request = refuse, .idle_timeout = 5};
    struct running r;
    char buf[10];
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", got(buf, ask(r.srv, "no\n", 5, buf, sizeof buf)));
    stop(&r);
}

static void socketserver_handle_error(const char *name)
{
    struct record rec = {0};
    skt_server_config cfg = {
        .handle = failing, .handle_error = record_error, .user = &rec};
    skt_connect_opts opts = {.timeout = 5};
    struct running r;
    skt_socket *c = NULL;
    skt_addr a, mine;
    char port[8], buf[10];
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_address(r.srv, &a);
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    rc = skt_create_connection(&c, "127.0.0.1", port, &opts);
    if (rc == 0) {
        skt_recv(c, buf, sizeof buf, 0);
        skt_getsockname(c, &mine);
        skt_close(c);
    }
    pause_ms(50);
    stop(&r);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s", rec.errors ? conf_addr(&rec.client) : "none",
              conf_bool(rec.errors && skt_addr_equal(&rec.client, &mine)));
}

static void socketserver_handle_timeout_in_serve_forever(const char *name)
{
    struct record rec = {0};
    skt_server_config cfg = {.handle = echo,
                             .handle_timeout = count_timeout,
                             .user = &rec,
                             .timeout = 0.1};
    struct running r;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    pause_ms(350);
    stop(&r);
    if (rec.timeouts >= 2)
        conf_emit(name, "called");
    else
        conf_emit(name, "%d calls", rec.timeouts);
}

static void socketserver_shutdown_from_handler(const char *name)
{
    skt_server_config cfg = {.mode = SKT_SERVER_THREADS, .handle = stopper};
    struct running r;
    struct timespec until;
    char buf[10];
    long n;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    n = ask(r.srv, "", 5, buf, sizeof buf);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    rc = pthread_timedjoin_np(r.thread, NULL, &until);
    r.started = rc != 0;
    conf_emit(name, "%s %s", got(buf, n),
              rc == 0 ? "returned" : "still serving");
    stop(&r);
}

/* Reads what the handler sends, then what follows (b'' when the server
 * closed the connection). */
static void one_handler(const char *name, skt_server_handler handler)
{
    skt_server_config cfg = {.handle = handler};
    skt_connect_opts opts = {.timeout = 5};
    struct running r;
    skt_socket *c = NULL;
    skt_addr a;
    char port[8], buf[100], more[10];
    long n, m = 0;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_address(r.srv, &a);
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    rc = skt_create_connection(&c, "127.0.0.1", port, &opts);
    n = rc < 0 ? rc : skt_recv(c, buf, sizeof buf, 0);
    if (n >= 0)
        m = skt_recv(c, more, sizeof more, 0);
    conf_emit(name, "%s %s", got(buf, n), got(more, m));
    skt_close(c);
    stop(&r);
}

static void socketserver_handler_socket(const char *name)
{
    skt_server_config cfg = {.handle = reporting};
    struct running r;
    char buf[100];
    long n;
    int rc = start(&r, "127.0.0.1:0", &cfg);

    if (rc < 0)
        return conf_rc(name, rc);
    n = ask(r.srv, "", 5, buf, sizeof buf);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s", (int)n, buf);
    stop(&r);
}

static void socketserver_closed_after_handler(const char *name)
{
    one_handler(name, quiet);
}

static void socketserver_address_in_use(const char *name)
{
    skt_server_config cfg = {.handle = echo};
    skt_server *a, *b = NULL;
    skt_addr where;
    int rc = skt_addr_parse(&where, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_server_new(&a, &where, &cfg);
    if (rc < 0)
        return conf_rc(name, rc);
    skt_server_address(a, &where);
    rc = skt_server_new(&b, &where, &cfg);
    conf_rc(name, rc);
    if (rc == 0)
        skt_server_close(b);
    skt_server_close(a);
}

const conf_scenario conf_servers[] = {
    {"socketserver.tcp_echo", socketserver_tcp_echo},
    {"socketserver.server_address", socketserver_server_address},
    {"socketserver.tcp_ipv6", socketserver_tcp_ipv6},
    {"socketserver.reuse_address_default", socketserver_reuse_address_default},
    {"socketserver.reuse_address_on", socketserver_reuse_address_on},
    {"socketserver.reuse_address_off", socketserver_reuse_address_off},
    {"socketserver.listen_backlog", socketserver_listen_backlog},
    {"socketserver.udp_echo", socketserver_udp_echo},
    {"socketserver.unix_stream_echo", socketserver_unix_stream_echo},
    {"socketserver.unix_datagram_echo", socketserver_unix_datagram_echo},
    {"socketserver.unix_socket_file_after_close",
     socketserver_unix_socket_file_after_close},
    {"socketserver.sequential_waits_for_first",
     socketserver_sequential_waits_for_first},
    {"socketserver.threading_serves_second",
     socketserver_threading_serves_second},
    {"socketserver.forking_serves_second", socketserver_forking_serves_second},
    {"socketserver.forking_echo", socketserver_forking_echo},
    {"socketserver.verify_request_false", socketserver_verify_request_false},
    {"socketserver.handle_error", socketserver_handle_error},
    {"socketserver.handle_timeout_in_serve_forever",
     socketserver_handle_timeout_in_serve_forever},
    {"socketserver.shutdown_from_handler", socketserver_shutdown_from_handler},
    {"socketserver.handler_socket", socketserver_handler_socket},
    {"socketserver.closed_after_handler", socketserver_closed_after_handler},
    {"socketserver.address_in_use", socketserver_address_in_use},
    {NULL, NULL},
};
