/*
 * accepting.c - accept and what the new socket inherits, and shutdown, on
 * skt (py/accepting.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *timed_rc(double start, long rc)
{
    static char text[64];
    snprintf(text, sizeof text, "%s %s", conf_err(rc),
             conf_bucket(conf_now() - start));
    return text;
}

static void wait_fd(const skt_socket *s, short events)
{
    struct pollfd p = {.fd = conf_fd(s), .events = events};
    poll(&p, 1, 5000);
}

/* ------------------------------------------------------------------------ */
/* accept                                                                   */
/* ------------------------------------------------------------------------ */

enum accept_report {
    A_MODE,
    A_INHERITABLE,
    A_FAMILY_TYPE,
    A_PEER,
    A_SOCKNAME,
    A_PEER_ONLY
};
/* How the listener is set before accepting. */
enum accept_setup {
    L_TIMEOUT,
    L_NONBLOCKING,
    L_BLOCKING,
    L_INHERITABLE,
    L_NONE
};

static void report_accepted(const char *name, enum accept_report report,
                            skt_socket *l, skt_socket *c, skt_socket *conn,
                            const skt_addr *peer)
{
    skt_addr mine, other;
    int flags = fcntl(conf_fd(conn), F_GETFL);

    switch (report) {
    case A_MODE:
        conf_emit(
            name, "%s %s fd_blocking=%s", conf_timeout(skt_gettimeout(conn)),
            conf_bool(skt_getblocking(conn)), conf_bool(!(flags & O_NONBLOCK)));
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

static void accept_from_timeout_listener(const char *n)
{
    accepted(n, AF_INET, L_TIMEOUT, A_MODE);
}
static void accept_from_nonblocking_listener(const char *n)
{
    accepted(n, AF_INET, L_NONBLOCKING, A_MODE);
}
static void accept_from_blocking_listener(const char *n)
{
    accepted(n, AF_INET, L_BLOCKING, A_MODE);
}

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

static void accept_inheritable(const char *n)
{
    accepted(n, AF_INET, L_INHERITABLE, A_INHERITABLE);
}
static void accept_family_type(const char *n)
{
    accepted(n, AF_INET, L_NONE, A_FAMILY_TYPE);
}
static void accept_peer_is_client(const char *n)
{
    accepted(n, AF_INET, L_NONE, A_PEER);
}
static void accept_sockname_is_listener(const char *n)
{
    accepted(n, AF_INET, L_NONE, A_SOCKNAME);
}
static void accept_ipv6_peer(const char *n)
{
    accepted(n, AF_INET6, L_NONE, A_PEER_ONLY);
}

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

static void accept_nonblocking_empty(const char *n)
{
    accept_empty(n, 0);
}
static void accept_timeout_empty(const char *n)
{
    accept_empty(n, 0.2);
}

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

static void accept_not_listening(const char *n)
{
    accept_on(n, SOCK_STREAM, true, 1);
}
static void accept_udp(const char *n)
{
    accept_on(n, SOCK_DGRAM, false, SKT_BLOCKING);
}
static void accept_udp_timeout(const char *n)
{
    accept_on(n, SOCK_DGRAM, false, 0.2);
}

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
/* shutdown                                                                 */
/* ------------------------------------------------------------------------ */

enum shut_case {
    WR_PEER_EOF,
    WR_THEN_SEND,
    RD_THEN_RECV,
    RDWR_THEN_SEND,
    WR_PEER_STILL_SENDS,
    WR_TWICE,
    BAD_HOW
};

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
    if (which == WR_THEN_SEND || which == RDWR_THEN_SEND || which == WR_TWICE ||
        which == BAD_HOW || rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_bytes(buf, (size_t)rc));
    conf_close(c, s, NULL);
}

static void shutdown_wr_peer_eof(const char *n)
{
    on_pair(n, AF_INET, WR_PEER_EOF);
}
static void shutdown_wr_then_send(const char *n)
{
    on_pair(n, AF_INET, WR_THEN_SEND);
}
static void shutdown_rd_then_recv(const char *n)
{
    on_pair(n, AF_INET, RD_THEN_RECV);
}
static void shutdown_rdwr_then_send(const char *n)
{
    on_pair(n, AF_INET, RDWR_THEN_SEND);
}
static void shutdown_wr_peer_still_sends(const char *n)
{
    on_pair(n, AF_INET, WR_PEER_STILL_SENDS);
}
static void shutdown_wr_twice(const char *n)
{
    on_pair(n, AF_INET, WR_TWICE);
}
static void shutdown_bad_how(const char *n)
{
    on_pair(n, AF_INET, BAD_HOW);
}
static void shutdown_ipv6_wr_peer_eof(const char *n)
{
    on_pair(n, AF_INET6, WR_PEER_EOF);
}

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

static void shutdown_not_connected(const char *n)
{
    shutdown_fresh(n, SOCK_STREAM, NULL);
}
static void shutdown_udp_connected(const char *n)
{
    shutdown_fresh(n, SOCK_DGRAM, "127.0.0.1:9");
}
static void shutdown_udp_unconnected(const char *n)
{
    shutdown_fresh(n, SOCK_DGRAM, NULL);
}

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

/* ------------------------------------------------------------------------ */
/* listen                                                                   */
/* ------------------------------------------------------------------------ */

/* A socket of type bound on 127.0.0.1 and listening with each backlog in
 * turn (none: SKT_DEFAULT_BACKLOG); its backlog as ss shows it. */
static void listened(const char *name, int type, int count, const int *backlogs)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_addr_parse(&a, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_open(&s, AF_INET, type, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(s, &a);
    for (int i = 0; rc == 0 && i < (count ? count : 1); i++)
        rc = skt_listen(s, count ? backlogs[i] : SKT_DEFAULT_BACKLOG);
    if (rc == 0)
        rc = skt_getsockname(s, &a);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_listen_backlog(skt_addr_port(&a)));
    skt_close(s);
}

#define LISTEN(fn, type, ...)                                                  \
    static void fn(const char *n)                                              \
    {                                                                          \
        const int backlogs[] = {__VA_ARGS__};                                  \
        listened(n, type, (int)(sizeof backlogs / sizeof backlogs[0]),         \
                 backlogs);                                                    \
    }
LISTEN(listen_backlog_5, SOCK_STREAM, 5)
LISTEN(listen_backlog_0, SOCK_STREAM, 0)
LISTEN(listen_minus_one, SOCK_STREAM, -1)
LISTEN(listen_twice_changes_backlog, SOCK_STREAM, 3, 7)

static void listen_default_backlog(const char *n)
{
    listened(n, SOCK_STREAM, 0, NULL);
}

static void listen_udp(const char *n)
{
    listened(n, SOCK_DGRAM, 0, NULL);
}

const conf_scenario conf_accepting[] = {
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
    {"listen.default_backlog", listen_default_backlog},
    {"listen.backlog_5", listen_backlog_5},
    {"listen.backlog_0", listen_backlog_0},
    {"listen.minus_one", listen_minus_one},
    {"listen.udp", listen_udp},
    {"listen.twice_changes_backlog", listen_twice_changes_backlog},
    {NULL, NULL},
};
