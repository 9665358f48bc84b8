/*
 * options.c - socket options: defaults, setting and reading back, struct
 * values, errors, multicast and broadcast, on skt (py/options.py on
 * Python).
 */
#include "conf.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum opt_op { GET, SET_GET, SET_GET_NONZERO, GET_NONZERO };

static void option(const char *name, int family, int type, enum opt_op op,
                   int level, int opt, int value)
{
    skt_socket *s;
    int got = 0, rc = skt_open(&s, family, type, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    if (op == SET_GET || op == SET_GET_NONZERO)
        rc = skt_setsockopt_int(s, level, opt, value);
    if (rc == 0)
        rc = skt_getsockopt_int(s, level, opt, &got);
    if (rc < 0)
        conf_rc(name, rc);
    else if (op == SET_GET_NONZERO || op == GET_NONZERO)
        conf_emit(name, "%s", conf_bool(got != 0));
    else
        conf_emit(name, "%d", got);
    skt_close(s);
}

#define OPT(fn, family, type, op, level, opt, value)                           \
    static void fn(const char *n)                                              \
    {                                                                          \
        option(n, family, type, op, level, opt, value);                        \
    }
#define T SOCK_STREAM
#define U SOCK_DGRAM
OPT(option_reuseaddr_default, AF_INET, T, GET, SOL_SOCKET, SO_REUSEADDR, 0)
OPT(option_reuseaddr_set, AF_INET, T, SET_GET_NONZERO, SOL_SOCKET, SO_REUSEADDR,
    1)
OPT(option_reuseport_set, AF_INET, T, SET_GET_NONZERO, SOL_SOCKET, SO_REUSEPORT,
    1)
OPT(option_type_tcp, AF_INET, T, GET, SOL_SOCKET, SO_TYPE, 0)
OPT(option_type_udp, AF_INET, U, GET, SOL_SOCKET, SO_TYPE, 0)
OPT(option_error_fresh, AF_INET, T, GET, SOL_SOCKET, SO_ERROR, 0)
OPT(option_domain, AF_INET6, T, GET, SOL_SOCKET, SO_DOMAIN, 0)
OPT(option_protocol, AF_INET, T, GET, SOL_SOCKET, SO_PROTOCOL, 0)
OPT(option_acceptconn_fresh, AF_INET, T, GET, SOL_SOCKET, SO_ACCEPTCONN, 0)
OPT(option_nodelay_default, AF_INET, T, GET, IPPROTO_TCP, TCP_NODELAY, 0)
OPT(option_nodelay_set, AF_INET, T, SET_GET_NONZERO, IPPROTO_TCP, TCP_NODELAY,
    1)
OPT(option_keepalive_set, AF_INET, T, SET_GET_NONZERO, SOL_SOCKET, SO_KEEPALIVE,
    1)
OPT(option_keepidle_set, AF_INET, T, SET_GET, IPPROTO_TCP, TCP_KEEPIDLE, 77)
OPT(option_rcvbuf_set, AF_INET, T, SET_GET, SOL_SOCKET, SO_RCVBUF, 65536)
OPT(option_sndbuf_positive, AF_INET, T, GET_NONZERO, SOL_SOCKET, SO_SNDBUF, 0)
OPT(option_tos_set, AF_INET, T, SET_GET, IPPROTO_IP, IP_TOS, 0x10)
OPT(option_v6only_default, AF_INET6, T, GET, IPPROTO_IPV6, IPV6_V6ONLY, 0)
OPT(option_v6only_set, AF_INET6, T, SET_GET, IPPROTO_IPV6, IPV6_V6ONLY, 1)
OPT(option_broadcast_default, AF_INET, U, GET, SOL_SOCKET, SO_BROADCAST, 0)
OPT(option_mcast_ttl_default, AF_INET, U, GET, IPPROTO_IP, IP_MULTICAST_TTL, 0)
OPT(option_mcast_loop_default, AF_INET, U, GET, IPPROTO_IP, IP_MULTICAST_LOOP,
    0)
OPT(option_mcast_hops_v6_default, AF_INET6, U, GET, IPPROTO_IPV6,
    IPV6_MULTICAST_HOPS, 0)
OPT(option_bad_name, AF_INET, T, GET, SOL_SOCKET, 9999, 0)
OPT(option_bad_level, AF_INET, T, GET, 12345, 1, 0)
OPT(option_tcp_option_on_udp, AF_INET, U, GET, IPPROTO_TCP, TCP_NODELAY, 0)
OPT(option_ipv6_option_on_inet, AF_INET, T, GET, IPPROTO_IPV6, IPV6_V6ONLY, 0)

static void option_acceptconn_listening(const char *name)
{
    skt_socket *l;
    skt_addr a;
    int got = 0, rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_getsockopt_int(l, SOL_SOCKET, SO_ACCEPTCONN, &got);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d", got);
    skt_close(l);
}

static void option_linger_struct(const char *name)
{
    struct linger set = {1, 5}, got = {0, 0};
    socklen_t len = sizeof got;
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_setsockopt(s, SOL_SOCKET, SO_LINGER, &set, sizeof set);
    if (rc == 0)
        rc = skt_getsockopt(s, SOL_SOCKET, SO_LINGER, &got, &len);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d %d", got.l_onoff, got.l_linger);
    skt_close(s);
}

static void option_short_value(const char *name)
{
    unsigned char one = 1;
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_rc(name, skt_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 1));
    skt_close(s);
}

static void option_getsockopt_buffer_length(const char *name)
{
    char buf[8];
    socklen_t len = sizeof buf;
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_getsockopt(s, SOL_SOCKET, SO_LINGER, buf, &len);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%u", (unsigned)len);
    skt_close(s);
}

static void option_broadcast_set(const char *name)
{
    skt_socket *s;
    int got = 0, rc = skt_open(&s, AF_INET, SOCK_DGRAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_set_broadcast(s, true);
    if (rc == 0)
        rc = skt_getsockopt_int(s, SOL_SOCKET, SO_BROADCAST, &got);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d", got);
    skt_close(s);
}

static void option_broadcast_send_refused(const char *name)
{
    skt_socket *s;
    skt_addr to;
    int rc = skt_open(&s, AF_INET, SOCK_DGRAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_addr_parse(&to, "255.255.255.255:9");
    conf_rc(name, skt_sendto(s, "x", 1, 0, &to));
    skt_close(s);
}

static void option_peercred(const char *name)
{
    skt_socket *a, *b;
    skt_cred cred;
    int rc = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_getpeercred(a, &cred);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s %s", conf_bool(cred.pid == getpid()),
                  conf_bool(cred.uid == getuid()),
                  conf_bool(cred.gid == getgid()));
    conf_close(a, b, NULL);
}

/* ------------------------------------------------------------------------ */
/* Multicast                                                                */
/* ------------------------------------------------------------------------ */

enum mcast_case {
    JOIN,
    JOIN_TWICE,
    JOIN_UNICAST,
    LEAVE,
    JOIN_V6,
    TTL_5,
    TTL_300,
    LOOP_OFF,
    INTERFACE,
    LOOPBACK
};

static long mcast_run(skt_socket *s, enum mcast_case which, int *value)
{
    skt_addr group, any, here;
    long rc;

    switch (which) {
    case JOIN:
    case JOIN_TWICE:
    case JOIN_UNICAST:
        skt_addr_parse(&group,
                       which == JOIN_UNICAST ? "10.1.2.3:0" : "239.1.2.3:0");
        rc = skt_mcast_join(s, &group, 1);
        if (rc == 0 && which == JOIN_TWICE)
            rc = skt_mcast_join(s, &group, 1);
        return rc;
    case LEAVE:
        skt_addr_parse(&group, "239.1.2.3:0");
        return skt_mcast_leave(s, &group, 1);
    case JOIN_V6:
        skt_addr_parse(&group, "[ff12::5c07]:0");
        return skt_mcast_join(s, &group, 1);
    case TTL_5:
    case TTL_300:
        rc = skt_mcast_set_ttl(s, which == TTL_5 ? 5 : 300);
        return rc < 0
                   ? rc
                   : skt_getsockopt_int(s, IPPROTO_IP, IP_MULTICAST_TTL, value);
    case LOOP_OFF:
        rc = skt_mcast_set_loop(s, false);
        return rc < 0 ? rc
                      : skt_getsockopt_int(s, IPPROTO_IP, IP_MULTICAST_LOOP,
                                           value);
    case INTERFACE:
        return skt_mcast_set_interface(s, 1);
    case LOOPBACK:
        skt_addr_parse(&any, "0.0.0.0:0");
        skt_addr_parse(&group, "239.1.2.4:0");
        rc = skt_bind(s, &any);
        if (rc == 0)
            rc = skt_mcast_join(s, &group, 1);
        if (rc == 0)
            rc = skt_mcast_set_interface(s, 1);
        if (rc == 0)
            rc = skt_settimeout(s, 2);
        if (rc == 0)
            rc = skt_getsockname(s, &here);
        if (rc == 0)
            rc = skt_addr_set_port(&group, skt_addr_port(&here));
        if (rc == 0)
            rc = skt_sendto(s, "group", 5, 0, &group);
        return rc;
    }
    return -EINVAL;
}

static void mcast(const char *name, int family, enum mcast_case which)
{
    skt_socket *s;
    char buf[10];
    int value = -1;
    long rc = skt_open(&s, family, SOCK_DGRAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = mcast_run(s, which, &value);
    if (rc >= 0 && which == LOOPBACK)
        rc = skt_recv(s, buf, sizeof buf, 0);
    if (rc < 0)
        conf_rc(name, rc);
    else if (which == LOOPBACK)
        conf_emit(name, "%s", conf_bytes(buf, (size_t)rc));
    else if (value >= 0)
        conf_emit(name, "%d", value);
    else
        conf_rc(name, rc);
    skt_close(s);
}

static void option_mcast_join(const char *n)
{
    mcast(n, AF_INET, JOIN);
}
static void option_mcast_join_twice(const char *n)
{
    mcast(n, AF_INET, JOIN_TWICE);
}
static void option_mcast_join_unicast(const char *n)
{
    mcast(n, AF_INET, JOIN_UNICAST);
}
static void option_mcast_leave_not_joined(const char *n)
{
    mcast(n, AF_INET, LEAVE);
}
static void option_mcast_join_v6(const char *n)
{
    mcast(n, AF_INET6, JOIN_V6);
}
static void option_mcast_set_ttl(const char *n)
{
    mcast(n, AF_INET, TTL_5);
}
static void option_mcast_ttl_out_of_range(const char *n)
{
    mcast(n, AF_INET, TTL_300);
}
static void option_mcast_loop_off(const char *n)
{
    mcast(n, AF_INET, LOOP_OFF);
}
static void option_mcast_interface(const char *n)
{
    mcast(n, AF_INET, INTERFACE);
}
static void option_mcast_loopback(const char *n)
{
    mcast(n, AF_INET, LOOPBACK);
}

const conf_scenario conf_options[] = {
    {"option.reuseaddr_default", option_reuseaddr_default},
    {"option.reuseaddr_set", option_reuseaddr_set},
    {"option.reuseport_set", option_reuseport_set},
    {"option.type_tcp", option_type_tcp},
    {"option.type_udp", option_type_udp},
    {"option.error_fresh", option_error_fresh},
    {"option.domain", option_domain},
    {"option.protocol", option_protocol},
    {"option.acceptconn_fresh", option_acceptconn_fresh},
    {"option.nodelay_default", option_nodelay_default},
    {"option.nodelay_set", option_nodelay_set},
    {"option.keepalive_set", option_keepalive_set},
    {"option.keepidle_set", option_keepidle_set},
    {"option.rcvbuf_set", option_rcvbuf_set},
    {"option.sndbuf_positive", option_sndbuf_positive},
    {"option.tos_set", option_tos_set},
    {"option.v6only_default", option_v6only_default},
    {"option.v6only_set", option_v6only_set},
    {"option.broadcast_default", option_broadcast_default},
    {"option.mcast_ttl_default", option_mcast_ttl_default},
    {"option.mcast_loop_default", option_mcast_loop_default},
    {"option.mcast_hops_v6_default", option_mcast_hops_v6_default},
    {"option.bad_name", option_bad_name},
    {"option.bad_level", option_bad_level},
    {"option.tcp_option_on_udp", option_tcp_option_on_udp},
    {"option.ipv6_option_on_inet", option_ipv6_option_on_inet},
    {"option.acceptconn_listening", option_acceptconn_listening},
    {"option.linger_struct", option_linger_struct},
    {"option.short_value", option_short_value},
    {"option.getsockopt_buffer_length", option_getsockopt_buffer_length},
    {"option.broadcast_set", option_broadcast_set},
    {"option.broadcast_send_refused", option_broadcast_send_refused},
    {"option.peercred", option_peercred},
    {"option.mcast_join", option_mcast_join},
    {"option.mcast_join_twice", option_mcast_join_twice},
    {"option.mcast_join_unicast", option_mcast_join_unicast},
    {"option.mcast_leave_not_joined", option_mcast_leave_not_joined},
    {"option.mcast_join_v6", option_mcast_join_v6},
    {"option.mcast_set_ttl", option_mcast_set_ttl},
    {"option.mcast_ttl_out_of_range", option_mcast_ttl_out_of_range},
    {"option.mcast_loop_off", option_mcast_loop_off},
    {"option.mcast_interface", option_mcast_interface},
    {"option.mcast_loopback", option_mcast_loopback},
    {NULL, NULL},
};
