/*
 * connect.c - accept and what the new socket inherits, connect and
 * connect_ex in each mode, shutdown, on skt (py/connect.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *errname(int positive)
{
    return positive ? conf_err(-positive) : "0";
}

static const char *timed_rc(double start, long rc)
{
    static char text[64];
    snprintf(text, sizeof text, "%s %s", conf_err(rc),
             conf_bucket(conf_now() - start));
    return text;
}

static void wait_fd(const skt_socket *s, short events)
{
    struct pollfd p = {.fd = skt_fileno(s), .events = events};
    poll(&p, 1, 5000);
}

/* ------------------------------------------------------------------------ */
/* accept                                                                   */
/* ------------------------------------------------------------------------ */

enum accept_report { A_MODE, A_INHERITABLE, A_FAMILY_TYPE, A_PEER,
                     A_SOCKNAME, A_PEER_ONLY };
/* How the listener is set before accepting. */
enum accept_setup { L_TIMEOUT, L_NONBLOCKING, L_BLOCKING, L_INHERITABLE,
                    L_NONE };

static void report_accepted(const char *name, enum accept_report report,
                            skt_socket *l, skt_socket *c, skt_socket *conn,
                            const skt_addr *peer)
{
    skt_addr mine, other;
    int flags = fcntl(skt_fileno(conn), F_GETFL);

    switch (report) {
    case A_MODE:
        conf_emit(name, "%s %s fd_blocking=%s",
                  conf_timeout(skt_gettimeout(conn)),
                  conf_bool(skt_getblocking(conn)),
                  conf_bool(!(flags & O_NONBLOCK)));
        break;
    case A_INHERITABLE:
        conf_emit(name, "%s", conf_bool(skt_get_inheritable(conn) == 1));
        break;
    case A_FAMILY_TYPE:
        conf_emit(name, "%d %d", skt_family(conn), skt_type(conn));
        break;
    case A_PEER:
        skt_getsockname(c, &mine);
        skt_getpeername(conn, &other);
        conf_emit(name, "%s %s %s", conf_addr(peer),
                  conf_bool(skt_addr_equal(peer, &mine)),
                  conf_bool(skt_addr_equal(peer, &other)));
        break;
    case A_SOCKNAME:
        skt_getsockname(l, &mine);
        skt_getsockname(conn, &other);
        conf_emit(name, "%s", conf_bool(skt_addr_equal(&mine, &other)));
        break;
    case A_PEER_ONLY:
        conf_emit(name, "%s", conf_addr(peer));
        break;
    }
}

static void accepted(const char *name, int family, enum accept_setup setup,
                     enum accept_report report)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr a, peer;
    int rc = conf_listener(family, &l, &a);

    if (rc == 0 && setup == L_TIMEOUT)
        rc = skt_settimeout(l, 2);
    if (rc == 0 && setup == L_NONBLOCKING)
        rc = skt_setblocking(l, false);
    if (rc == 0 && setup == L_BLOCKING)
        rc = skt_setblocking(l, true);
    if (rc == 0 && setup == L_INHERITABLE)
        rc = skt_set_inheritable(l, true);
    if (rc == 0)
        rc = skt_open(&c, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(c, 5);
    if (rc == 0)
        rc = skt_connect(c, &a);
    if (rc == 0) {
        wait_fd(l, POLLIN);
        rc = skt_accept(l, &conn, &peer);
    }
    if (rc < 0)
        conf_rc(name, rc);
    else
        report_accepted(name, report, l, c, conn, &peer);
    conf_close(l, c, conn);
}

static void accept_from_timeout_listener(const char *n) { accepted(n, AF_INET, L_TIMEOUT, A_MODE); }
static void accept_from_nonblocking_listener(const char *n) { accepted(n, AF_INET, L_NONBLOCKING, A_MODE); }
static void accept_from_blocking_listener(const char *n) { accepted(n, AF_INET, L_BLOCKING, A_MODE); }

static void accept_takes_default_timeout(const char *n)
{
    skt_setdefaulttimeout(1.5);
    accepted(n, AF_INET, L_NONBLOCKING, A_MODE);
    skt_setdefaulttimeout(SKT_BLOCKING);
}

static void accept_takes_default_nonblocking(const char *n)
{
    skt_setdefaulttimeout(0);
    accepted(n, AF_INET, L_TIMEOUT, A_MODE);
    skt_setdefaulttimeout(SKT_BLOCKING);
}

static void accept_inheritable(const char *n) { accepted(n, AF_INET, L_INHERITABLE, A_INHERITABLE); }
static void accept_family_type(const char *n) { accepted(n, AF_INET, L_NONE, A_FAMILY_TYPE); }
static void accept_peer_is_client(const char *n) { accepted(n, AF_INET, L_NONE, A_PEER); }
static void accept_sockname_is_listener(const char *n) { accepted(n, AF_INET, L_NONE, A_SOCKNAME); }
static void accept_ipv6_peer(const char *n) { accepted(n, AF_INET6, L_NONE, A_PEER_ONLY); }

static void accept_empty(const char *name, double mode)
{
    skt_socket *l, *conn = NULL;
    skt_addr a;
    double start;
    int rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_settimeout(l, mode);
    if (rc < 0)
        return conf_rc(name, rc);
    start = conf_now();
    rc = skt_accept(l, &conn, NULL);
    if (mode > 0)
        conf_emit(name, "%s", timed_rc(start, rc));
    else
        conf_rc(name, rc);
    conf_close(l, conn, NULL);
}

static void accept_nonblocking_empty(const char *n) { accept_empty(n, 0); }
static void accept_timeout_empty(const char *n) { accept_empty(n, 0.2); }

static void accept_on(const char *name, int type, bool listening_bind,
                      double mode)
{
    skt_socket *s, *conn = NULL;
    skt_addr a;
    double start;
    int rc = skt_open(&s, AF_INET, type, 0);

    if (rc == 0 && listening_bind && skt_addr_parse(&a, "127.0.0.1:0") == 0)
        rc = skt_bind(s, &a);
    if (rc == 0)
        rc = skt_settimeout(s, mode);
    if (rc < 0)
        return conf_rc(name, rc);
    start = conf_now();
    rc = skt_accept(s, &conn, NULL);
    if (mode == 0.2)
        conf_emit(name, "%s", timed_rc(start, rc));
    else
        conf_rc(name, rc);
    conf_close(s, conn, NULL);
}

static void accept_not_listening(const char *n) { accept_on(n, SOCK_STREAM, true, 1); }
static void accept_udp(const char *n) { accept_on(n, SOCK_DGRAM, false, SKT_BLOCKING); }
static void accept_udp_timeout(const char *n) { accept_on(n, SOCK_DGRAM, false, 0.2); }

static void accept_unix_unnamed_peer(const char *name)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr a, peer, mine;
    int rc = skt_addr_from_unix(&a, conf_path("accept.sock"),
                                strlen(conf_path("accept.sock")), false);

    if (rc == 0)
        rc = skt_open(&l, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(l, &a);
    if (rc == 0)
        rc = skt_listen(l, -1);
    if (rc == 0)
        rc = skt_settimeout(l, 5);
    if (rc == 0)
        rc = skt_open(&c, AF_UNIX, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_connect(c, &a);
    if (rc == 0)
        rc = skt_accept(l, &conn, &peer);
    if (rc == 0)
        rc = skt_getsockname(conn, &mine);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s", conf_addr(&peer), conf_addr(&mine));
    conf_close(l, c, conn);
}

static void accept_fd_count(const char *name)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr a;
    int before, more, rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_open(&c, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_connect(c, &a);
    before = conf_fds();
    if (rc == 0)
        rc = skt_accept(l, &conn, NULL);
    more = conf_fds() - before;
    skt_close(conn);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d %d", more, conf_fds() - before);
    conf_close(l, c, NULL);
}

/* ------------------------------------------------------------------------ */
/* connect and connect_ex                                                   */
/* ------------------------------------------------------------------------ */

static void connect_refused_in(const char *name, double mode, bool ex)
{
    skt_socket *s;
    skt_addr a;
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(s, mode);
    if (ex)
        conf_emit(name, "%s", errname(skt_connect_ex(s, &a)));
    else
        conf_rc(name, skt_connect(s, &a));
    skt_close(s);
}

static void connect_refused(const char *n) { connect_refused_in(n, 5, false); }
static void connect_refused_blocking(const char *n) { connect_refused_in(n, SKT_BLOCKING, false); }
static void connect_ex_refused(const char *n) { connect_refused_in(n, 5, true); }

/* A fresh socket in mode `mode` connecting to a fresh listener. */
static void connect_listener(const char *name, int family, double mode,
                             bool ex)
{
    skt_socket *l, *s = NULL;
    skt_addr a;
    int rc = conf_listener(family, &l, &a);

    if (rc == 0)
        rc = skt_open(&s, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(s, mode);
    if (rc < 0)
        conf_rc(name, rc);
    else if (ex)
        conf_emit(name, "%s", errname(skt_connect_ex(s, &a)));
    else
        conf_rc(name, skt_connect(s, &a));
    conf_close(l, s, NULL);
}

static void connect_ex_ok(const char *n) { connect_listener(n, AF_INET, 5, true); }
static void connect_nonblocking(const char *n) { connect_listener(n, AF_INET, 0, false); }
static void connect_ex_nonblocking(const char *n) { connect_listener(n, AF_INET, 0, true); }

static void connect_nonblocking_completes(const char *name)
{
    skt_socket *l, *s = NULL;
    skt_addr a;
    int first, err = -1, rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (rc < 0) {
        conf_close(l, s, NULL);
        return conf_rc(name, rc);
    }
    first = skt_connect_ex(s, &a);
    wait_fd(s, POLLOUT);
    skt_getsockopt_int(s, SOL_SOCKET, SO_ERROR, &err);
    conf_emit(name, "%s %s %s", errname(first), errname(err),
              errname(skt_connect_ex(s, &a)));
    conf_close(l, s, NULL);
}

static void connect_nonblocking_refused(const char *name)
{
    skt_socket *s;
    skt_addr a;
    int first, err = -1, rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    first = skt_connect_ex(s, &a);
    wait_fd(s, POLLOUT);
    skt_getsockopt_int(s, SOL_SOCKET, SO_ERROR, &err);
    conf_emit(name, "%s %s", errname(first), errname(err));
    skt_close(s);
}

static void connect_again(const char *name, bool ex)
{
    skt_socket *c, *s;
    skt_addr a;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0)
        rc = skt_getsockname(s, &a);
    if (rc < 0)
        conf_rc(name, rc);
    else if (ex)
        conf_emit(name, "%s", errname(skt_connect_ex(c, &a)));
    else
        conf_rc(name, skt_connect(c, &a));
    conf_close(c, s, NULL);
}

static void connect_isconn(const char *n) { connect_again(n, false); }
static void connect_ex_isconn(const char *n) { connect_again(n, true); }

static void connect_unix(const char *name, const char *text, bool bind_it)
{
    skt_socket *s, *b = NULL;
    skt_addr a;
    int rc = skt_addr_parse(&a, text);

    if (rc == 0)
        rc = skt_open(&s, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    if (bind_it && (rc = skt_open(&b, AF_UNIX, SOCK_STREAM, 0)) == 0)
        rc = skt_bind(b, &a);
    conf_rc(name, rc < 0 ? rc : skt_connect(s, &a));
    conf_close(s, b, NULL);
}

static void connect_unix_missing(const char *name)
{
    char text[300];
    snprintf(text, sizeof text, "unix:%s", conf_path("missing.sock"));
    connect_unix(name, text, false);
}

static void connect_unix_not_listening(const char *name)
{
    char text[300];
    snprintf(text, sizeof text, "unix:%s", conf_path("bound-only.sock"));
    connect_unix(name, text, true);
}

static void connect_unix_abstract_unbound(const char *name)
{
    char text[300];
    snprintf(text, sizeof text, "unix:@skt-conf-nobody-%d", (int)getpid());
    connect_unix(name, text, false);
}

static void connect_blackhole(const char *name, bool ex)
{
    skt_socket *l, *filler, *s = NULL;
    skt_addr a;
    double start;
    int rc = conf_blackhole(AF_INET, &l, &filler, &a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(s, 0.2);
    if (rc < 0) {
        conf_close(l, filler, s);
        return conf_rc(name, rc);
    }
    start = conf_now();
    if (ex) {
        int e = skt_connect_ex(s, &a);
        conf_emit(name, "%s %s", errname(e), conf_bucket(conf_now() - start));
    } else {
        conf_emit(name, "%s", timed_rc(start, skt_connect(s, &a)));
    }
    conf_close(l, filler, s);
}

static void connect_timeout_blackhole(const char *n) { connect_blackhole(n, false); }
static void connect_ex_timeout_blackhole(const char *n) { connect_blackhole(n, true); }

static void connect_timeout_ok_keeps_mode(const char *name)
{
    skt_socket *l, *s = NULL;
    skt_addr a;
    int rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(s, 2);
    if (rc == 0)
        rc = skt_connect(s, &a);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_timeout(skt_gettimeout(s)));
    conf_close(l, s, NULL);
}

static void connect_peer_of(const char *name, int family, const char *to)
{
    skt_socket *l, *s = NULL;
    skt_addr a, peer;
    int rc = conf_listener(family == AF_INET6 && to ? AF_INET : family, &l,
                           &a);

    if (rc == 0 && to) {
        int port = skt_addr_port(&a);
        rc = skt_addr_from_ip(&a, to, port);
    }
    if (rc == 0)
        rc = skt_open(&s, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(s, 5);
    if (rc == 0)
        rc = skt_connect(s, &a);
    if (rc == 0)
        rc = skt_getpeername(s, &peer);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_addr(&peer));
    conf_close(l, s, NULL);
}

static void connect_ipv6(const char *n) { connect_peer_of(n, AF_INET6, NULL); }
static void connect_v4_mapped(const char *n) { connect_peer_of(n, AF_INET6, "::ffff:127.0.0.1"); }

static void connect_udp_peer(const char *name)
{
    skt_socket *s;
    skt_addr a, peer, mine;
    int rc = skt_addr_parse(&a, "127.0.0.1:9");

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_DGRAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_connect(s, &a);
    if (rc == 0)
        rc = skt_getpeername(s, &peer);
    if (rc == 0)
        rc = skt_getsockname(s, &mine);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s", conf_addr(&peer),
                  conf_bool(skt_addr_port(&mine) != 0));
    skt_close(s);
}

static void connect_udp_refused_on_recv(const char *name)
{
    skt_socket *s;
    skt_addr a;
    char buf[10];
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_DGRAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(s, 2);
    rc = skt_connect(s, &a);
    if (rc == 0)
        rc = (int)skt_send(s, "x", 1, 0);
    if (rc >= 0)
        rc = (int)skt_recv(s, buf, sizeof buf, 0);
    conf_emit(name, "%s", rc < 0 ? conf_err(rc) : conf_bytes(buf, (size_t)rc));
    skt_close(s);
}

static void connect_getpeername_unconnected(const char *name)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_rc(name, skt_getpeername(s, &a));
    skt_close(s);
}

static void connect_fd_count_after_refused(const char *name)
{
    int before = conf_fds(), during;
    skt_socket *s;
    skt_addr a;
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(s, 5);
    skt_connect_ex(s, &a);
    during = conf_fds() - before;
    skt_close(s);
    conf_emit(name, "%d %d", during, conf_fds() - before);
}

/* ------------------------------------------------------------------------ */
/* shutdown                                                                 */
/* ------------------------------------------------------------------------ */

enum shut_case { WR_PEER_EOF, WR_THEN_SEND, RD_THEN_RECV, RDWR_THEN_SEND,
                 WR_PEER_STILL_SENDS, WR_TWICE, BAD_HOW };

static long shut_run(enum shut_case which, skt_socket *c, skt_socket *s,
                     char *buf, size_t len)
{
    long rc;

    switch (which) {
    case WR_PEER_EOF:
        rc = skt_shutdown(c, SHUT_WR);
        return rc < 0 ? rc : skt_recv(s, buf, len, 0);
    case WR_THEN_SEND:
        rc = skt_shutdown(c, SHUT_WR);
        return rc < 0 ? rc : skt_send(c, "x", 1, 0);
    case RD_THEN_RECV:
        rc = skt_shutdown(c, SHUT_RD);
        return rc < 0 ? rc : skt_recv(c, buf, len, 0);
    case RDWR_THEN_SEND:
        rc = skt_shutdown(c, SHUT_RDWR);
        return rc < 0 ? rc : skt_send(c, "x", 1, 0);
    case WR_PEER_STILL_SENDS:
        rc = skt_shutdown(c, SHUT_WR);
        if (rc == 0)
            rc = skt_sendall(s, "back", 4, 0, NULL);
        return rc < 0 ? rc : skt_recv(c, buf, len, 0);
    case WR_TWICE:
        rc = skt_shutdown(c, SHUT_WR);
        return rc < 0 ? rc : skt_shutdown(c, SHUT_WR);
    case BAD_HOW:
        return skt_shutdown(c, 7);
    }
    return -EINVAL;
}

static void on_pair(const char *name, int family, enum shut_case which)
{
    skt_socket *c, *s;
    char buf[10];
    long rc = conf_tcp_pair(family, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = shut_run(which, c, s, buf, sizeof buf);
    if (which == WR_THEN_SEND || which == RDWR_THEN_SEND ||
        which == WR_TWICE || which == BAD_HOW || rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_bytes(buf, (size_t)rc));
    conf_close(c, s, NULL);
}

static void shutdown_wr_peer_eof(const char *n) { on_pair(n, AF_INET, WR_PEER_EOF); }
static void shutdown_wr_then_send(const char *n) { on_pair(n, AF_INET, WR_THEN_SEND); }
static void shutdown_rd_then_recv(const char *n) { on_pair(n, AF_INET, RD_THEN_RECV); }
static void shutdown_rdwr_then_send(const char *n) { on_pair(n, AF_INET, RDWR_THEN_SEND); }
static void shutdown_wr_peer_still_sends(const char *n) { on_pair(n, AF_INET, WR_PEER_STILL_SENDS); }
static void shutdown_wr_twice(const char *n) { on_pair(n, AF_INET, WR_TWICE); }
static void shutdown_bad_how(const char *n) { on_pair(n, AF_INET, BAD_HOW); }
static void shutdown_ipv6_wr_peer_eof(const char *n) { on_pair(n, AF_INET6, WR_PEER_EOF); }

static void shutdown_fresh(const char *name, int type, const char *peer)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_open(&s, AF_INET, type, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    if (peer && (rc = skt_addr_parse(&a, peer)) == 0)
        rc = skt_connect(s, &a);
    conf_rc(name, rc < 0 ? rc : skt_shutdown(s, SHUT_RDWR));
    skt_close(s);
}

static void shutdown_not_connected(const char *n) { shutdown_fresh(n, SOCK_STREAM, NULL); }
static void shutdown_udp_connected(const char *n) { shutdown_fresh(n, SOCK_DGRAM, "127.0.0.1:9"); }
static void shutdown_udp_unconnected(const char *n) { shutdown_fresh(n, SOCK_DGRAM, NULL); }

static void shutdown_unix_wr_peer_eof(const char *name)
{
    skt_socket *a, *b;
    char buf[10];
    long rc = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_shutdown(a, SHUT_WR);
    if (rc == 0)
        rc = skt_recv(b, buf, sizeof buf, 0);
    conf_emit(name, "%s", rc < 0 ? conf_err(rc) : conf_bytes(buf, (size_t)rc));
    conf_close(a, b, NULL);
}

static void shutdown_listener(const char *name)
{
    skt_socket *l;
    skt_addr a;
    int rc = conf_listener(AF_INET, &l, &a);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_rc(name, skt_shutdown(l, SHUT_RDWR));
    skt_close(l);
}

const conf_scenario conf_connect[] = {
    {"accept.from_timeout_listener", accept_from_timeout_listener},
    {"accept.from_nonblocking_listener", accept_from_nonblocking_listener},
    {"accept.from_blocking_listener", accept_from_blocking_listener},
    {"accept.takes_default_timeout", accept_takes_default_timeout},
    {"accept.takes_default_nonblocking", accept_takes_default_nonblocking},
    {"accept.inheritable", accept_inheritable},
    {"accept.family_type", accept_family_type},
    {"accept.peer_is_client", accept_peer_is_client},
    {"accept.sockname_is_listener", accept_sockname_is_listener},
    {"accept.ipv6_peer", accept_ipv6_peer},
    {"accept.nonblocking_empty", accept_nonblocking_empty},
    {"accept.timeout_empty", accept_timeout_empty},
    {"accept.not_listening", accept_not_listening},
    {"accept.udp", accept_udp},
    {"accept.udp_timeout", accept_udp_timeout},
    {"accept.unix_unnamed_peer", accept_unix_unnamed_peer},
    {"accept.fd_count", accept_fd_count},
    {"connect.refused", connect_refused},
    {"connect.refused_blocking", connect_refused_blocking},
    {"connect_ex.refused", connect_ex_refused},
    {"connect_ex.ok", connect_ex_ok},
    {"connect.nonblocking", connect_nonblocking},
    {"connect_ex.nonblocking", connect_ex_nonblocking},
    {"connect.nonblocking_completes", connect_nonblocking_completes},
    {"connect.nonblocking_refused", connect_nonblocking_refused},
    {"connect.isconn", connect_isconn},
    {"connect_ex.isconn", connect_ex_isconn},
    {"connect.unix_missing", connect_unix_missing},
    {"connect.unix_not_listening", connect_unix_not_listening},
    {"connect.unix_abstract_unbound", connect_unix_abstract_unbound},
    {"connect.timeout_blackhole", connect_timeout_blackhole},
    {"connect_ex.timeout_blackhole", connect_ex_timeout_blackhole},
    {"connect.timeout_ok_keeps_mode", connect_timeout_ok_keeps_mode},
    {"connect.ipv6", connect_ipv6},
    {"connect.v4_mapped", connect_v4_mapped},
    {"connect.udp_peer", connect_udp_peer},
    {"connect.udp_refused_on_recv", connect_udp_refused_on_recv},
    {"connect.getpeername_unconnected", connect_getpeername_unconnected},
    {"connect.fd_count_after_refused", connect_fd_count_after_refused},
    {"shutdown.wr_peer_eof", shutdown_wr_peer_eof},
    {"shutdown.wr_then_send", shutdown_wr_then_send},
    {"shutdown.rd_then_recv", shutdown_rd_then_recv},
    {"shutdown.rdwr_then_send", shutdown_rdwr_then_send},
    {"shutdown.wr_peer_still_sends", shutdown_wr_peer_still_sends},
    {"shutdown.wr_twice", shutdown_wr_twice},
    {"shutdown.bad_how", shutdown_bad_how},
    {"shutdown.ipv6_wr_peer_eof", shutdown_ipv6_wr_peer_eof},
    {"shutdown.not_connected", shutdown_not_connected},
    {"shutdown.unix_wr_peer_eof", shutdown_unix_wr_peer_eof},
    {"shutdown.udp_connected", shutdown_udp_connected},
    {"shutdown.udp_unconnected", shutdown_udp_unconnected},
    {"shutdown.listener", shutdown_listener},
    {NULL, NULL},
};
