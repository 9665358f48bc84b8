/*
 * connections.c - skt_create_server and skt_create_connection: options,
 * modes, source addresses, errors, and several addresses, one of them
 * black-holed, on skt (py/connections.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *port_text(const skt_addr *a)
{
    static char text[4][8];
    static int next;
    char *out = text[next++ % 4];

    snprintf(out, 8, "%d", skt_addr_port(a));
    return out;
}

/* ------------------------------------------------------------------------ */
/* create_server                                                            */
/* ------------------------------------------------------------------------ */

enum srv_report {
    R_REUSEADDR,
    R_LISTENING,
    R_FAMILY_NAME,
    R_NAME,
    R_NAME_V6ONLY,
    R_REUSEPORT,
    R_MODE_TYPE,
    R_PLAIN_OK
};

static void served(const char *name, const char *host,
                   const skt_server_opts *opts, enum srv_report report)
{
    skt_socket *s;
    skt_addr a;
    int v = 0, rc = skt_create_server(&s, host, "0", opts);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_getsockname(s, &a);
    switch (report) {
    case R_REUSEADDR:
        skt_getsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, &v);
        conf_emit(name, "%s", conf_bool(v != 0));
        break;
    case R_LISTENING:
        skt_getsockopt_int(s, SOL_SOCKET, SO_ACCEPTCONN, &v);
        conf_emit(name, "%d", v);
        break;
    case R_FAMILY_NAME:
        conf_emit(name, "%d %s", skt_family(s), conf_addr(&a));
        break;
    case R_NAME:
        conf_emit(name, "%s", conf_addr(&a));
        break;
    case R_NAME_V6ONLY:
        skt_getsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, &v);
        conf_emit(name, "%s %d", conf_addr(&a), v);
        break;
    case R_REUSEPORT:
        skt_getsockopt_int(s, SOL_SOCKET, SO_REUSEPORT, &v);
        conf_emit(name, "%s", conf_bool(v != 0));
        break;
    case R_MODE_TYPE:
        conf_emit(name, "%d %s %s", skt_type(s),
                  conf_timeout(skt_gettimeout(s)),
                  conf_bool(skt_get_inheritable(s) == 1));
        break;
    case R_PLAIN_OK:
        conf_emit(name, "ok");
        break;
    }
    skt_close(s);
}

static const skt_server_opts v6 = {.family = AF_INET6};
static const skt_server_opts v6_dual = {.family = AF_INET6, .dualstack = true};
static const skt_server_opts reuse_port = {.reuse_port = true};
static const skt_server_opts v4_dual = {.family = AF_INET, .dualstack = true};

static void server_reuseaddr(const char *n)
{
    served(n, "127.0.0.1", NULL, R_REUSEADDR);
}
static void server_listening(const char *n)
{
    served(n, "127.0.0.1", NULL, R_LISTENING);
}
static void server_empty_host(const char *n)
{
    served(n, "", NULL, R_FAMILY_NAME);
}
static void server_localhost(const char *n)
{
    served(n, "localhost", NULL, R_NAME);
}
static void server_ipv6_v6only(const char *n)
{
    served(n, "::1", &v6, R_NAME_V6ONLY);
}
static void server_dualstack(const char *n)
{
    served(n, "", &v6_dual, R_NAME_V6ONLY);
}
static void server_reuse_port(const char *n)
{
    served(n, "127.0.0.1", &reuse_port, R_REUSEPORT);
}
static void server_mode_and_type(const char *n)
{
    served(n, "127.0.0.1", NULL, R_MODE_TYPE);
}
static void server_dualstack_with_inet(const char *n)
{
    served(n, "127.0.0.1", &v4_dual, R_PLAIN_OK);
}

static void server_has_dualstack_ipv6(const char *name)
{
    conf_emit(name, "%s", conf_bool(skt_has_dualstack_ipv6()));
}

static void server_default_timeout(const char *name)
{
    skt_socket *s;
    int rc;

    skt_setdefaulttimeout(2);
    rc = skt_create_server(&s, "127.0.0.1", "0", NULL);
    skt_setdefaulttimeout(SKT_BLOCKING);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", conf_timeout(skt_gettimeout(s)));
    skt_close(s);
}

static void server_dualstack_accepts_v4(const char *name)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr a, peer;
    skt_connect_opts opts = {.timeout = 5};
    int rc = skt_create_server(&l, "", "0", &v6_dual);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(l, 5);
    skt_getsockname(l, &a);
    rc = skt_create_connection(&c, "127.0.0.1", port_text(&a), &opts);
    if (rc == 0)
        rc = skt_accept(l, &conn, &peer);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s", conf_addr(&peer));
    conf_close(l, c, conn);
}

static void server_addrinuse(const char *name)
{
    skt_socket *l, *s = NULL;
    skt_addr a;
    int rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_create_server(&s, "127.0.0.1", port_text(&a), NULL);
    conf_rc(name, rc);
    conf_close(l, s, NULL);
}

static void server_addrnotavail(const char *name)
{
    skt_socket *s = NULL;
    int rc = skt_create_server(&s, "192.0.2.1", "0", NULL);

    conf_rc(name, rc);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* create_connection                                                        */
/* ------------------------------------------------------------------------ */

enum conn_report { C_PEER_MODE, C_MODE, C_PEER, C_NAME, C_TYPE };

static void connected(const char *name, const char *host, int family,
                      const skt_connect_opts *opts, enum conn_report report)
{
    skt_socket *l, *c = NULL;
    skt_addr a, other;
    int rc = conf_listener(family, &l, &a);

    if (rc == 0)
        rc = skt_create_connection(&c, host, port_text(&a), opts);
    if (rc < 0) {
        skt_close(l);
        return conf_rc(name, rc);
    }
    switch (report) {
    case C_PEER_MODE:
        skt_getpeername(c, &other);
        conf_emit(name, "%s %s", conf_addr(&other),
                  conf_timeout(skt_gettimeout(c)));
        break;
    case C_MODE:
        conf_emit(name, "%s", conf_timeout(skt_gettimeout(c)));
        break;
    case C_PEER:
        skt_getpeername(c, &other);
        conf_emit(name, "%s", conf_addr(&other));
        break;
    case C_NAME:
        skt_getsockname(c, &other);
        conf_emit(name, "%s", conf_addr(&other));
        break;
    case C_TYPE:
        conf_emit(name, "%d %d %s", skt_family(c), skt_type(c),
                  conf_bool(skt_get_inheritable(c) == 1));
        break;
    }
    conf_close(l, c, NULL);
}

static const skt_connect_opts five = {.timeout = 5};
static const skt_connect_opts two = {.timeout = 2};

static void connection_ok(const char *n)
{
    connected(n, "127.0.0.1", AF_INET, NULL, C_PEER_MODE);
}
static void connection_timeout_mode(const char *n)
{
    connected(n, "127.0.0.1", AF_INET, &two, C_MODE);
}
static void connection_localhost(const char *n)
{
    connected(n, "localhost", AF_INET, &five, C_PEER);
}
static void connection_ipv6(const char *n)
{
    connected(n, "::1", AF_INET6, &five, C_PEER);
}
static void connection_type_and_inheritable(const char *n)
{
    connected(n, "127.0.0.1", AF_INET, &five, C_TYPE);
}

static void connection_source_address(const char *name)
{
    skt_connect_opts opts = {.timeout = 5};

    skt_addr_parse(&opts.source, "127.0.0.2:0");
    connected(name, "127.0.0.1", AF_INET, &opts, C_NAME);
}

static void connection_default_timeout(const char *name)
{
    skt_setdefaulttimeout(3);
    connected(name, "127.0.0.1", AF_INET, NULL, C_MODE);
    skt_setdefaulttimeout(SKT_BLOCKING);
}

static void connection_refused(const char *name)
{
    skt_socket *c = NULL;
    skt_addr a;
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_create_connection(&c, "127.0.0.1", port_text(&a), &five);
    conf_rc(name, rc);
    skt_close(c);
}

static void connection_refused_fd_count(const char *name)
{
    int before = conf_fds();
    skt_socket *c = NULL;
    skt_addr a;
    int rc = conf_closed_port(&a);

    if (rc == 0 &&
        skt_create_connection(&c, "127.0.0.1", port_text(&a), &five) == 0)
        skt_close(c);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%d", conf_fds() - before);
}

static void connection_fd_count(const char *name)
{
    skt_socket *l, *c = NULL;
    skt_addr a;
    int before, more, rc = conf_listener(AF_INET, &l, &a);

    if (rc < 0)
        return conf_rc(name, rc);
    before = conf_fds();
    rc = skt_create_connection(&c, "127.0.0.1", port_text(&a), &five);
    more = conf_fds() - before;
    skt_close(c);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d %d", more, conf_fds() - before);
    skt_close(l);
}

static void connection_unknown_service(const char *name)
{
    skt_socket *c = NULL;
    conf_rc(name, skt_create_connection(&c, "127.0.0.1", "skt-no-such-service",
                                        &five));
    skt_close(c);
}

static void connection_port_over_65535(const char *name)
{
    skt_socket *c = NULL;
    skt_addr a;
    char port[16];
    int rc = conf_closed_port(&a);

    snprintf(port, sizeof port, "%d", 65536 + skt_addr_port(&a));
    if (rc == 0)
        rc = skt_create_connection(&c, "127.0.0.1", port, &five);
    conf_rc(name, rc);
    skt_close(c);
}

static void connection_timeout_blackhole(const char *name)
{
    skt_socket *l, *filler, *c = NULL;
    skt_connect_opts opts = {.timeout = 0.2};
    skt_addr a;
    double start;
    int rc = conf_blackhole(AF_INET, &l, &filler, &a);

    if (rc < 0)
        return conf_rc(name, rc);
    start = conf_now();
    rc = skt_create_connection(&c, "127.0.0.1", port_text(&a), &opts);
    conf_emit(name, "%s %s", conf_err(rc), conf_bucket(conf_now() - start));
    conf_close(l, filler, c);
}

static void connection_loopback_host_none(const char *name)
{
    connected(name, NULL, AF_INET, &five, C_PEER);
}

static void connection_all_refused(const char *name)
{
    skt_socket *c = NULL;
    skt_addr a;
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_create_connection(&c, NULL, port_text(&a), &five);
    conf_rc(name, rc);
    skt_close(c);
}

static void connection_all_errors(const char *name)
{
    skt_connect_attempt attempts[8];
    skt_connect_report report = {.attempts = attempts, .capacity = 8};
    skt_connect_opts opts = {.timeout = 5, .report = &report};
    skt_socket *c = NULL;
    skt_addr a;
    char text[256] = "";
    int rc = conf_closed_port(&a);

    if (rc == 0)
        rc = skt_create_connection(&c, NULL, port_text(&a), &opts);
    if (rc == 0) {
        skt_close(c);
        return conf_emit(name, "ok");
    }
    for (size_t i = 0; i < report.count && i < 8; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), " %s",
                 conf_err(attempts[i].code));
    conf_emit(name, "%zu%s", report.count, text);
}

/* [::1]:P black-holed and 127.0.0.1:P listening, for one P. */
static int split_port(skt_socket **bh, skt_socket **filler, skt_socket **good,
                      skt_addr *a)
{
    for (int i = 0; i < 50; i++) {
        skt_addr v4;
        int rc = conf_blackhole(AF_INET6, bh, filler, a);

        if (rc < 0)
            return rc;
        rc = skt_addr_from_ip(&v4, "127.0.0.1", skt_addr_port(a));
        if (rc == 0)
            rc = skt_open(good, AF_INET, SOCK_STREAM, 0);
        if (rc == 0 && (rc = skt_bind(*good, &v4)) == 0 &&
            (rc = skt_listen(*good, 8)) == 0)
            return 0;
        if (rc == 0 || *good)
            skt_close(*good);
        conf_close(*bh, *filler, NULL);
        *good = NULL;
    }
    return -EADDRINUSE;
}

/* Host NULL gives ::1 (black-holed) then 127.0.0.1 (listening), one
 * timeout of 0.5 s. */
static void first_blackholed(const char *name, double attempt_delay, bool timed)
{
    skt_socket *bh, *filler, *good = NULL, *c = NULL;
    skt_connect_opts opts = {.timeout = 0.5, .attempt_delay = attempt_delay};
    skt_addr a, peer;
    double start;
    int rc = split_port(&bh, &filler, &good, &a);

    if (rc < 0)
        return conf_rc(name, rc);
    start = conf_now();
    rc = skt_create_connection(&c, NULL, port_text(&a), &opts);
    if (rc == 0)
        rc = skt_getpeername(c, &peer);
    if (timed)
        conf_emit(name, "%s %s", rc < 0 ? conf_err(rc) : conf_addr(&peer),
                  conf_bucket(conf_now() - start));
    else
        conf_emit(name, "%s", rc < 0 ? conf_err(rc) : conf_addr(&peer));
    conf_close(bh, filler, good);
    skt_close(c);
}

static void connection_sequential_first_blackholed(const char *n)
{
    first_blackholed(n, -1, false);
}
static void connection_sequential_first_blackholed_time(const char *n)
{
    first_blackholed(n, -1, true);
}
static void connection_happy_first_blackholed(const char *n)
{
    first_blackholed(n, 0, true);
}

const conf_scenario conf_connections[] = {
    {"server.reuseaddr", server_reuseaddr},
    {"server.listening", server_listening},
    {"server.empty_host", server_empty_host},
    {"server.localhost", server_localhost},
    {"server.ipv6_v6only", server_ipv6_v6only},
    {"server.dualstack", server_dualstack},
    {"server.reuse_port", server_reuse_port},
    {"server.mode_and_type", server_mode_and_type},
    {"server.dualstack_with_inet", server_dualstack_with_inet},
    {"server.has_dualstack_ipv6", server_has_dualstack_ipv6},
    {"server.default_timeout", server_default_timeout},
    {"server.dualstack_accepts_v4", server_dualstack_accepts_v4},
    {"server.addrinuse", server_addrinuse},
    {"server.addrnotavail", server_addrnotavail},
    {"connection.ok", connection_ok},
    {"connection.timeout_mode", connection_timeout_mode},
    {"connection.localhost", connection_localhost},
    {"connection.ipv6", connection_ipv6},
    {"connection.source_address", connection_source_address},
    {"connection.type_and_inheritable", connection_type_and_inheritable},
    {"connection.default_timeout", connection_default_timeout},
    {"connection.refused", connection_refused},
    {"connection.refused_fd_count", connection_refused_fd_count},
    {"connection.fd_count", connection_fd_count},
    {"connection.unknown_service", connection_unknown_service},
    {"connection.port_over_65535", connection_port_over_65535},
    {"connection.timeout_blackhole", connection_timeout_blackhole},
    {"connection.loopback_host_none", connection_loopback_host_none},
    {"connection.all_refused", connection_all_refused},
    {"connection.all_errors", connection_all_errors},
    {"connection.sequential_first_blackholed",
     connection_sequential_first_blackholed},
    {"connection.sequential_first_blackholed_time",
     connection_sequential_first_blackholed_time},
    {"connection.happy_first_blackholed", connection_happy_first_blackholed},
    {NULL, NULL},
};
