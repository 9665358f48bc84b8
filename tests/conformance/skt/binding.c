/*
 * binding.c - bind and its errors: addresses in use, TIME_WAIT and
 * SO_REUSEADDR, SO_REUSEPORT, Unix paths and abstract names, ports out of
 * range, on skt (py/binding.py on Python).
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------ */
/* bind                                                                     */
/* ------------------------------------------------------------------------ */

/* Binds a second socket of `type` to the address of a first one. */
static void bind_same(const char *name, int type, bool reuseport,
                      bool listen_first)
{
    skt_socket *a, *b = NULL;
    skt_addr any, where;
    int rc = skt_addr_parse(&any, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_open(&a, AF_INET, type, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_open(&b, AF_INET, type, 0);
    if (rc == 0 && reuseport)
        rc = skt_setsockopt_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
    if (rc == 0 && reuseport)
        rc = skt_setsockopt_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
    if (rc == 0)
        rc = skt_bind(a, &any);
    if (rc == 0 && listen_first)
        rc = skt_listen(a, 8);
    if (rc == 0)
        rc = skt_getsockname(a, &where);
    conf_rc(name, rc < 0 ? rc : skt_bind(b, &where));
    conf_close(a, b, NULL);
}

static void bind_addrinuse(const char *n)
{
    bind_same(n, SOCK_STREAM, false, true);
}
static void bind_udp_addrinuse(const char *n)
{
    bind_same(n, SOCK_DGRAM, false, false);
}
static void bind_reuseport_both(const char *n)
{
    bind_same(n, SOCK_DGRAM, true, false);
}

/* A port with a connection in TIME_WAIT on the listener's side (a
 * listener with SO_REUSEADDR, which its connections keep). */
static int time_wait_port(skt_addr *where)
{
    skt_socket *l, *c = NULL, *conn = NULL;
    skt_addr any;
    char port[8];
    skt_connect_opts opts = {.timeout = 5};
    int rc = skt_addr_parse(&any, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_open(&l, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = skt_setsockopt_int(l, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(l, &any);
    if (rc == 0)
        rc = skt_listen(l, 8);
    if (rc == 0)
        rc = skt_settimeout(l, 5);
    if (rc == 0)
        rc = skt_getsockname(l, where);
    snprintf(port, sizeof port, "%d", skt_addr_port(where));
    if (rc == 0)
        rc = skt_create_connection(&c, "127.0.0.1", port, &opts);
    if (rc == 0)
        rc = skt_accept(l, &conn, NULL);
    skt_close(conn); /* the accepted side closes first: TIME_WAIT here */
    pause_ms(50);
    skt_close(c);
    skt_close(l);
    pause_ms(50);
    return rc;
}

static void bind_time_wait(const char *name, bool reuseaddr)
{
    skt_socket *s;
    skt_addr where;
    int rc = time_wait_port(&where);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    if (reuseaddr)
        rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(s, &where);
    if (rc == 0)
        rc = skt_listen(s, 8);
    conf_rc(name, rc);
    skt_close(s);
}

static void bind_time_wait_without_reuseaddr(const char *n)
{
    bind_time_wait(n, false);
}
static void bind_time_wait_with_reuseaddr(const char *n)
{
    bind_time_wait(n, true);
}

static void bind_one(const char *name, int family, const char *text)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_addr_parse(&a, text);

    if (rc == 0)
        rc = skt_open(&s, family, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_rc(name, skt_bind(s, &a));
    skt_close(s);
}

static void bind_addrnotavail(const char *n)
{
    bind_one(n, AF_INET, "192.0.2.1:0");
}

static void bind_twice(const char *name)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_addr_parse(&a, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_bind(s, &a);
    conf_rc(name, rc < 0 ? rc : skt_bind(s, &a));
    skt_close(s);
}

static void bind_two_unix(const char *name, const skt_addr *a)
{
    skt_socket *x, *y = NULL;
    int rc = skt_open(&x, AF_UNIX, SOCK_STREAM, 0);

    if (rc == 0)
        rc = skt_open(&y, AF_UNIX, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_bind(x, a);
    conf_rc(name, rc < 0 ? rc : skt_bind(y, a));
    conf_close(x, y, NULL);
}

static void bind_unix_exists(const char *name)
{
    skt_addr a;
    const char *p = conf_path("exists.sock");
    int rc = skt_addr_from_unix(&a, p, strlen(p), false);

    if (rc < 0)
        return conf_rc(name, rc);
    bind_two_unix(name, &a);
}

static void bind_unix_no_dir(const char *name)
{
    char text[300];
    snprintf(text, sizeof text, "unix:%s", conf_path("no-such-dir/x.sock"));
    bind_one(name, AF_UNIX, text);
}

static void bind_unix_abstract_inuse(const char *name)
{
    char text[64];
    skt_addr a;
    int rc;

    snprintf(text, sizeof text, "unix:@skt-conf-inuse-%d", (int)getpid());
    rc = skt_addr_parse(&a, text);
    if (rc < 0)
        return conf_rc(name, rc);
    bind_two_unix(name, &a);
}

static void bind_port_out_of_range(const char *name)
{
    skt_addr a;
    conf_rc(name, skt_addr_from_ip(&a, "127.0.0.1", 70000));
}

static void bind_v4_mapped_on_v6only(const char *name)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_addr_parse(&a, "[::ffff:127.0.0.1]:0");

    if (rc == 0)
        rc = skt_open(&s, AF_INET6, SOCK_STREAM, 0);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = skt_setsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    conf_rc(name, rc < 0 ? rc : skt_bind(s, &a));
    skt_close(s);
}

static void bind_fd_count_after_failure(const char *name)
{
    int before = conf_fds();
    skt_socket *l, *s = NULL;
    skt_addr a;
    int rc = conf_listener(AF_INET, &l, &a);

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        skt_bind(s, &a);
    conf_close(l, s, NULL);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%d", conf_fds() - before);
}

const conf_scenario conf_binding[] = {
    {"bind.addrinuse", bind_addrinuse},
    {"bind.udp_addrinuse", bind_udp_addrinuse},
    {"bind.reuseport_both", bind_reuseport_both},
    {"bind.time_wait_without_reuseaddr", bind_time_wait_without_reuseaddr},
    {"bind.time_wait_with_reuseaddr", bind_time_wait_with_reuseaddr},
    {"bind.addrnotavail", bind_addrnotavail},
    {"bind.twice", bind_twice},
    {"bind.unix_exists", bind_unix_exists},
    {"bind.unix_no_dir", bind_unix_no_dir},
    {"bind.unix_abstract_inuse", bind_unix_abstract_inuse},
    {"bind.port_out_of_range", bind_port_out_of_range},
    {"bind.v4_mapped_on_v6only", bind_v4_mapped_on_v6only},
    {"bind.fd_count_after_failure", bind_fd_count_after_failure},
    {NULL, NULL},
};
