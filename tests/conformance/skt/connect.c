/*
 * connect.c - connect and connect_ex in each mode, on skt (py/connect.py
 * on Python).
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
    struct pollfd p = {.fd = conf_fd(s), .events = events};
    poll(&p, 1, 5000);
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

static void connect_refused(const char *n)
{
    connect_refused_in(n, 5, false);
}
static void connect_refused_blocking(const char *n)
{
    connect_refused_in(n, SKT_BLOCKING, false);
}
static void connect_ex_refused(const char *n)
{
    connect_refused_in(n, 5, true);
}

/* A fresh socket in mode `mode` connecting to a fresh listener. */
static void connect_listener(const char *name, int family, double mode, bool ex)
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

static void connect_ex_ok(const char *n)
{
    connect_listener(n, AF_INET, 5, true);
}
static void connect_nonblocking(const char *n)
{
    connect_listener(n, AF_INET, 0, false);
}
static void connect_ex_nonblocking(const char *n)
{
    connect_listener(n, AF_INET, 0, true);
}

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

static void connect_isconn(const char *n)
{
    connect_again(n, false);
}
static void connect_ex_isconn(const char *n)
{
    connect_again(n, true);
}

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

static void connect_timeout_blackhole(const char *n)
{
    connect_blackhole(n, false);
}
static void connect_ex_timeout_blackhole(const char *n)
{
    connect_blackhole(n, true);
}

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
    int rc = conf_listener(family == AF_INET6 && to ? AF_INET : family, &l, &a);

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

static void connect_ipv6(const char *n)
{
    connect_peer_of(n, AF_INET6, NULL);
}
static void connect_v4_mapped(const char *n)
{
    connect_peer_of(n, AF_INET6, "::ffff:127.0.0.1");
}

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

const conf_scenario conf_connect[] = {
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
    {NULL, NULL},
};
