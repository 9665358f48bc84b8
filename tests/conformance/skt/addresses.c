/*
 * addresses.c - the address of every family this kernel has, as
 * getsockname and getpeername give it, on skt (py/addresses.py on
 * Python).
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/netlink.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

#define ETH_P_SKT_TEST 0x88b5
#define RTMGRP_LINK    1

/* conf_addr with this process's pid written "PID". */
static const char *name_text(const skt_addr *a)
{
    static char text[SKT_ADDRSTRLEN];
    char pid[16];
    const char *t = conf_addr(a), *at;

    snprintf(pid, sizeof pid, "%d", (int)getpid());
    at = strstr(t, pid);
    if (!at)
        return t;
    snprintf(text, sizeof text, "%.*sPID%s", (int)(at - t), t,
             at + strlen(pid));
    return text;
}

/* Opens a socket, binds it to `where` (text, or NULL), prints its name. */
static void bound_to(const char *name, int family, int type, int proto,
                     const skt_addr *where)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_open(&s, family, type, proto);

    if (rc < 0)
        return conf_rc(name, rc);
    if (where)
        rc = skt_bind(s, where);
    if (rc == 0)
        rc = skt_getsockname(s, &a);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", name_text(&a));
    skt_close(s);
}

static void bound(const char *name, int family, int type, int proto,
                  const char *text)
{
    skt_addr where;
    int rc = text ? skt_addr_parse(&where, text) : 0;

    if (rc < 0)
        return conf_rc(name, rc);
    bound_to(name, family, type, proto, text ? &where : NULL);
}

/* ------------------------------------------------------------------------ */
/* family                                                                   */
/* ------------------------------------------------------------------------ */

static void family_inet_unbound(const char *n)
{
    bound(n, AF_INET, SOCK_STREAM, 0, NULL);
}
static void family_inet_bound(const char *n)
{
    bound(n, AF_INET, SOCK_STREAM, 0, "127.0.0.1:0");
}
static void family_inet_any(const char *n)
{
    bound(n, AF_INET, SOCK_DGRAM, 0, "0.0.0.0:0");
}
static void family_inet6_unbound(const char *n)
{
    bound(n, AF_INET6, SOCK_STREAM, 0, NULL);
}
static void family_inet6_bound(const char *n)
{
    bound(n, AF_INET6, SOCK_STREAM, 0, "[::1]:0");
}
static void family_inet6_any(const char *n)
{
    bound(n, AF_INET6, SOCK_DGRAM, 0, "[::]:0");
}

static void family_unix_path(const char *name)
{
    char text[300];
    snprintf(text, sizeof text, "unix:%s", conf_path("family.sock"));
    bound(name, AF_UNIX, SOCK_STREAM, 0, text);
}

static void family_unix_abstract(const char *name)
{
    char text[64];
    snprintf(text, sizeof text, "unix:@skt-conf-%d", (int)getpid());
    bound(name, AF_UNIX, SOCK_STREAM, 0, text);
}

static void family_unix_abstract_binary(const char *name)
{
    char raw[64];
    skt_addr a;
    int len = snprintf(raw, sizeof raw,
                       "skt\x01"
                       "conf\\%d",
                       (int)getpid());
    int rc = skt_addr_from_unix(&a, raw, (size_t)len, true);

    if (rc < 0)
        return conf_rc(name, rc);
    bound_to(name, AF_UNIX, SOCK_DGRAM, 0, &a);
}

static void family_unix_autobind(const char *n)
{
    bound(n, AF_UNIX, SOCK_STREAM, 0, "unix:");
}
static void family_unix_unbound(const char *n)
{
    bound(n, AF_UNIX, SOCK_STREAM, 0, NULL);
}
static void family_netlink(const char *n)
{
    bound(n, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "netlink:0:0");
}
static void family_netlink_groups(const char *n)
{
    bound(n, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "netlink:0:1");
}
static void family_netlink_unbound(const char *n)
{
    bound(n, AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE, NULL);
}
static void family_packet_bound(const char *n)
{
    bound(n, AF_PACKET, SOCK_RAW, htons(ETH_P_SKT_TEST), "packet:lo:0x88b5");
}
static void family_packet_unbound(const char *n)
{
    bound(n, AF_PACKET, SOCK_DGRAM, 0, NULL);
}
static void family_vsock_unbound(const char *n)
{
    bound(n, AF_VSOCK, SOCK_STREAM, 0, NULL);
}
static void family_can(const char *n)
{
    bound(n, AF_CAN, SOCK_RAW, CAN_RAW, NULL);
}
static void family_tipc(const char *n)
{
    bound(n, AF_TIPC, SOCK_RDM, 0, NULL);
}
static void family_alg(const char *n)
{
    bound(n, AF_ALG, SOCK_SEQPACKET, 0, "alg:hash:sha256");
}

static void family_unix_socketpair(const char *name)
{
    skt_socket *a, *b;
    skt_addr mine, peer;
    int rc = skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_getsockname(a, &mine);
    if (rc == 0)
        rc = skt_getpeername(a, &peer);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s", conf_addr(&mine), conf_addr(&peer));
    conf_close(a, b, NULL);
}

static void family_unix_peer_path(const char *name)
{
    skt_socket *l, *c = NULL;
    skt_addr a, peer;
    const char *p = conf_path("peer.sock");
    int rc = skt_addr_from_unix(&a, p, strlen(p), false);

    if (rc == 0)
        rc = skt_open(&l, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(l, &a);
    if (rc == 0)
        rc = skt_listen(l, -1);
    if (rc == 0)
        rc = skt_open(&c, AF_UNIX, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_connect(c, &a);
    if (rc == 0)
        rc = skt_getpeername(c, &peer);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_addr(&peer));
    conf_close(l, c, NULL);
}

/* A path of total bytes inside conf_tmpdir(). */
static size_t long_path(char *out, size_t total)
{
    const char *d = conf_tmpdir();
    size_t n = strlen(d);

    memcpy(out, d, n);
    out[n] = '/';
    memset(out + n + 1, 'a', total - n - 1);
    out[total] = '\0';
    return total;
}

static void family_unix_path_108(const char *name)
{
    char p[200];
    skt_socket *s;
    skt_addr a, got;
    size_t len = long_path(p, 108);
    int rc = skt_addr_from_unix(&a, p, len, false);

    if (rc == 0)
        rc = skt_open(&s, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(s, &a);
    if (rc == 0)
        rc = skt_getsockname(s, &got);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%zu %s",
                  strnlen(got.u.un.sun_path, sizeof got.u.un.sun_path),
                  conf_bool(skt_addr_equal(&a, &got)));
    skt_close(s);
}

static void family_unix_path_109(const char *name)
{
    char p[200];
    skt_addr a;
    size_t len = long_path(p, 109);

    conf_rc(name, skt_addr_from_unix(&a, p, len, false));
}

static void family_unix_abstract_107(const char *name)
{
    char raw[108];
    skt_socket *s;
    skt_addr a, got;
    int rc;

    memset(raw, 'b', 100);
    snprintf(raw + 100, 8, "%07d", (int)getpid());
    rc = skt_addr_from_unix(&a, raw, 107, true);
    if (rc == 0)
        rc = skt_open(&s, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(s, &a);
    if (rc == 0)
        rc = skt_getsockname(s, &got);
    if (rc < 0)
        conf_rc(name, rc);
    else /* Python's len() counts the leading NUL. */
        conf_emit(name, "%zu",
                  (size_t)got.len - offsetof(struct sockaddr_un, sun_path));
    skt_close(s);
}

static void family_unix_abstract_108(const char *name)
{
    char raw[108];
    skt_addr a;

    memset(raw, 'c', sizeof raw);
    conf_rc(name, skt_addr_from_unix(&a, raw, sizeof raw, true));
}

static void scope_text(const char *name, const char *host)
{
    skt_addr a;
    char text[SKT_ADDRSTRLEN];
    int rc = skt_addr_from_ip(&a, host, 80);

    if (rc == 0)
        rc = skt_addr_format(&a, text, sizeof text);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", text);
}

static void family_inet6_scope_name(const char *n)
{
    scope_text(n, "fe80::1%lo");
}
static void family_inet6_scope_number(const char *n)
{
    scope_text(n, "fe80::1%1");
}

static void family_inet_connected_udp(const char *name)
{
    skt_socket *s;
    skt_addr to, a;
    int rc = skt_open(&s, AF_INET, SOCK_DGRAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_addr_parse(&to, "127.0.0.1:9");
    rc = skt_connect(s, &to);
    if (rc == 0)
        rc = skt_getsockname(s, &a);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_addr(&a));
    skt_close(s);
}

static void family_dualstack_v4_peer(const char *name)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr any, a, peer, mine;
    char port[8];
    skt_connect_opts opts = {.timeout = 5};
    int rc = skt_addr_parse(&any, "[::]:0");

    if (rc == 0)
        rc = skt_open(&l, AF_INET6, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_setsockopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY, 0);
    if (rc == 0)
        rc = skt_bind(l, &any);
    if (rc == 0)
        rc = skt_listen(l, -1);
    if (rc == 0)
        rc = skt_settimeout(l, 5);
    if (rc == 0)
        rc = skt_getsockname(l, &a);
    snprintf(port, sizeof port, "%d", skt_addr_port(&a));
    if (rc == 0)
        rc = skt_create_connection(&c, "127.0.0.1", port, &opts);
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

static void family_packet_peer_of_frame(const char *name)
{
    skt_socket *rx, *tx = NULL;
    skt_addr here, to, src;
    char buf[100];
    long n = skt_open(&rx, AF_PACKET, SOCK_DGRAM, htons(ETH_P_SKT_TEST));

    if (n < 0)
        return conf_rc(name, n);
    n = skt_open(&tx, AF_PACKET, SOCK_DGRAM, htons(ETH_P_SKT_TEST));
    if (n == 0)
        n = skt_addr_parse(&here, "packet:lo:0x88b5");
    if (n == 0)
        n = skt_bind(rx, &here);
    if (n == 0)
        n = skt_settimeout(rx, 2);
    if (n == 0)
        n = skt_addr_parse(&to, "packet:lo:0x88b5:0:0:00:00:00:00:00:00");
    if (n == 0)
        n = skt_sendto(tx, "frame", 5, 0, &to);
    if (n >= 0)
        n = skt_recvfrom(rx, buf, sizeof buf, 0, &src);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %s", (int)n, buf, conf_addr(&src));
    conf_close(rx, tx, NULL);
}

const conf_scenario conf_addresses[] = {
    {"family.inet_unbound", family_inet_unbound},
    {"family.inet_bound", family_inet_bound},
    {"family.inet_any", family_inet_any},
    {"family.inet6_unbound", family_inet6_unbound},
    {"family.inet6_bound", family_inet6_bound},
    {"family.inet6_any", family_inet6_any},
    {"family.unix_path", family_unix_path},
    {"family.unix_abstract", family_unix_abstract},
    {"family.unix_abstract_binary", family_unix_abstract_binary},
    {"family.unix_autobind", family_unix_autobind},
    {"family.unix_unbound", family_unix_unbound},
    {"family.netlink", family_netlink},
    {"family.netlink_groups", family_netlink_groups},
    {"family.netlink_unbound", family_netlink_unbound},
    {"family.packet_bound", family_packet_bound},
    {"family.packet_unbound", family_packet_unbound},
    {"family.vsock_unbound", family_vsock_unbound},
    {"family.can", family_can},
    {"family.tipc", family_tipc},
    {"family.alg", family_alg},
    {"family.unix_socketpair", family_unix_socketpair},
    {"family.unix_peer_path", family_unix_peer_path},
    {"family.unix_path_108", family_unix_path_108},
    {"family.unix_path_109", family_unix_path_109},
    {"family.unix_abstract_107", family_unix_abstract_107},
    {"family.unix_abstract_108", family_unix_abstract_108},
    {"family.inet6_scope_name", family_inet6_scope_name},
    {"family.inet6_scope_number", family_inet6_scope_number},
    {"family.inet_connected_udp", family_inet_connected_udp},
    {"family.dualstack_v4_peer", family_dualstack_v4_peer},
    {"family.packet_peer_of_frame", family_packet_peer_of_frame},
    {NULL, NULL},
};
