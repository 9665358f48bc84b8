/*
 * sockets.c - creation defaults, dup and detach, on skt (py/sockets.py on
 * Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *triple(const skt_socket *s)
{
    static char text[4][48];
    static int next;
    char *out = text[next++ % 4];

    snprintf(out, 48, "%d %d %d", skt_family(s), skt_type(s), skt_proto(s));
    return out;
}

/* ------------------------------------------------------------------------ */
/* defaults                                                                 */
/* ------------------------------------------------------------------------ */

static void open_defaults(const char *name, int family, int type, int proto)
{
    skt_socket *s;
    int rc = skt_open(&s, family, type, proto);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s timeout=%s blocking=%s inheritable=%s", triple(s),
              conf_timeout(skt_gettimeout(s)), conf_bool(skt_getblocking(s)),
              conf_bool(skt_get_inheritable(s) == 1));
    skt_close(s);
}

static void defaults_tcp(const char *n)
{
    open_defaults(n, AF_INET, SOCK_STREAM, 0);
}
static void defaults_udp(const char *n)
{
    open_defaults(n, AF_INET, SOCK_DGRAM, 0);
}
static void defaults_tcp6(const char *n)
{
    open_defaults(n, AF_INET6, SOCK_STREAM, 0);
}
static void defaults_udp6(const char *n)
{
    open_defaults(n, AF_INET6, SOCK_DGRAM, 0);
}
static void defaults_unix_stream(const char *n)
{
    open_defaults(n, AF_UNIX, SOCK_STREAM, 0);
}
static void defaults_unix_dgram(const char *n)
{
    open_defaults(n, AF_UNIX, SOCK_DGRAM, 0);
}
static void defaults_unix_seqpacket(const char *n)
{
    open_defaults(n, AF_UNIX, SOCK_SEQPACKET, 0);
}
static void defaults_tcp_proto(const char *n)
{
    open_defaults(n, AF_INET, SOCK_STREAM, 6);
}
static void defaults_raw_icmp(const char *n)
{
    open_defaults(n, AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

static void defaults_nonblock_in_type(const char *name)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%d %s %s", skt_type(s), conf_timeout(skt_gettimeout(s)),
              conf_bool(skt_getblocking(s)));
    skt_close(s);
}

static void defaults_cloexec_in_type(const char *name)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%d %s", skt_type(s),
              conf_bool(skt_get_inheritable(s) == 1));
    skt_close(s);
}

static void defaults_socketpair(const char *name)
{
    skt_socket *a, *b;
    int rc = skt_socketpair(&a, &b, 0, 0, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s %s %s %s", triple(a), triple(b),
              conf_timeout(skt_gettimeout(a)), conf_timeout(skt_gettimeout(b)),
              conf_bool(skt_get_inheritable(a) == 1));
    conf_close(a, b, NULL);
}

static void defaults_socketpair_dgram(const char *name)
{
    skt_socket *a, *b;
    int rc = skt_socketpair(&a, &b, AF_UNIX, SOCK_DGRAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s", triple(a), triple(b));
    conf_close(a, b, NULL);
}

static void defaults_socketpair_inet(const char *name)
{
    skt_socket *a = NULL, *b = NULL;
    int rc = skt_socketpair(&a, &b, AF_INET, SOCK_STREAM, 0);

    conf_rc(name, rc);
    if (rc == 0)
        conf_close(a, b, NULL);
}

static void open_refused(const char *name, int family, int type, int proto)
{
    skt_socket *s = NULL;
    int rc = skt_open(&s, family, type, proto);

    conf_rc(name, rc);
    if (rc == 0)
        skt_close(s);
}

static void defaults_bad_family(const char *n)
{
    open_refused(n, 12345, SOCK_STREAM, 0);
}
static void defaults_bad_type(const char *n)
{
    open_refused(n, AF_INET, 12345, 0);
}
static void defaults_bad_proto(const char *n)
{
    open_refused(n, AF_INET, SOCK_STREAM, IPPROTO_UDP);
}

/* A socket's fd, the socket object gone. */
static int detached(int family, int type, bool nonblocking)
{
    skt_socket *s;
    skt_os_socket fd = -1;
    int rc = skt_open(&s, family, type, 0);

    if (rc < 0)
        return rc;
    if (nonblocking)
        rc = skt_setblocking(s, false);
    if (rc == 0)
        rc = skt_detach(s, &fd);
    if (rc < 0)
        skt_close(s);
    return rc < 0 ? rc : fd;
}

static void defaults_from_fd_detects(const char *name)
{
    skt_socket *s;
    int fd = detached(AF_INET6, SOCK_DGRAM, false);
    int rc = fd < 0 ? fd : skt_from_fd(&s, fd);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s %s", triple(s), conf_timeout(skt_gettimeout(s)),
              conf_bool(skt_get_inheritable(s) == 1));
    skt_close(s);
}

static void defaults_from_fd_nonblocking(const char *name)
{
    skt_socket *s;
    int fd = detached(AF_INET, SOCK_STREAM, true);
    int rc = fd < 0 ? fd : skt_from_fd(&s, fd);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s", conf_timeout(skt_gettimeout(s)),
              conf_bool(skt_getblocking(s)));
    skt_close(s);
}

static void defaults_from_fd_not_socket(const char *name)
{
    skt_socket *s = NULL;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int rc = skt_from_fd(&s, fd);

    conf_rc(name, rc);
    if (rc == 0)
        skt_close(s);
    else
        close(fd);
}

static void defaults_fd_count(const char *name)
{
    int before = conf_fds();
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    int opened = conf_fds() - before;

    if (rc < 0)
        return conf_rc(name, rc);
    skt_close(s);
    conf_emit(name, "%d %d", opened, conf_fds() - before);
}

/* ------------------------------------------------------------------------ */
/* dup and detach                                                           */
/* ------------------------------------------------------------------------ */

enum dup_report {
    DUP_TRIPLE,
    DUP_TIMEOUT,
    DUP_MODE,
    DUP_INHERITABLE,
    DUP_NEW_FD,
    DUP_SHARES
};

static void dup_of(const char *name, double mode, bool inheritable,
                   enum dup_report report)
{
    skt_socket *c, *s, *d = NULL;
    char buf[100];
    ssize_t n;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0 && mode != 0.5)
        rc = skt_settimeout(c, mode);
    if (rc == 0 && inheritable)
        rc = skt_set_inheritable(c, true);
    if (rc == 0)
        rc = skt_dup(c, &d);
    if (rc < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, rc);
    }
    switch (report) {
    case DUP_TRIPLE:
        conf_emit(name, "%s", triple(d));
        break;
    case DUP_TIMEOUT:
        conf_emit(name, "%s", conf_timeout(skt_gettimeout(d)));
        break;
    case DUP_MODE:
        conf_emit(name, "%s %s", conf_timeout(skt_gettimeout(d)),
                  conf_bool(skt_getblocking(d)));
        break;
    case DUP_INHERITABLE:
        conf_emit(name, "%s %s", conf_bool(skt_get_inheritable(c) == 1),
                  conf_bool(skt_get_inheritable(d) == 1));
        break;
    case DUP_NEW_FD:
        conf_emit(name, "%s", conf_bool(conf_fd(d) != conf_fd(c)));
        break;
    case DUP_SHARES:
        rc = skt_sendall(d, "via-dup", 7, 0, NULL);
        n = rc < 0 ? rc : skt_recv(s, buf, sizeof buf, 0);
        conf_emit(name, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
        break;
    }
    conf_close(c, s, d);
}

/* 0.5 leaves the pair's mode (CONF_SAFETY) as it is. */
static void dup_family_type_proto(const char *n)
{
    dup_of(n, 0.5, false, DUP_TRIPLE);
}
static void dup_timeout(const char *n)
{
    dup_of(n, 2.5, false, DUP_TIMEOUT);
}
static void dup_nonblocking(const char *n)
{
    dup_of(n, 0, false, DUP_MODE);
}
static void dup_blocking(const char *n)
{
    dup_of(n, SKT_BLOCKING, false, DUP_TIMEOUT);
}
static void dup_inheritable(const char *n)
{
    dup_of(n, 0.5, true, DUP_INHERITABLE);
}
static void dup_new_fd(const char *n)
{
    dup_of(n, 0.5, false, DUP_NEW_FD);
}
static void dup_shares_connection(const char *n)
{
    dup_of(n, 0.5, false, DUP_SHARES);
}

static void dup_outlives_original(const char *name)
{
    skt_socket *c, *s, *d = NULL;
    char buf[100];
    ssize_t n;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0)
        rc = skt_dup(c, &d);
    if (rc < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, rc);
    }
    skt_close(c);
    rc = skt_sendall(d, "still", 5, 0, NULL);
    n = rc < 0 ? rc : skt_recv(s, buf, sizeof buf, 0);
    conf_emit(name, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
    conf_close(s, d, NULL);
}

static void dup_fd_count(const char *name)
{
    skt_socket *c, *s, *d = NULL;
    int before, more, rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    before = conf_fds();
    rc = skt_dup(c, &d);
    more = conf_fds() - before;
    skt_close(d);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d %d", more, conf_fds() - before);
    conf_close(c, s, NULL);
}

static void detach_returns_fd(const char *name)
{
    skt_socket *s;
    struct stat st;
    int fd, got, rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    fd = conf_fd(s);
    rc = skt_detach(s, &got);
    if (rc < 0)
        return conf_rc(name, rc);
    rc = fstat(got, &st);
    close(got);
    conf_emit(name, "%s", rc < 0 ? conf_err(-errno) : conf_bool(got == fd));
}

static void detach_from_fd_roundtrip(const char *name)
{
    skt_socket *c, *s, *t = NULL;
    skt_addr peer, again;
    int fd, rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc == 0)
        rc = skt_getpeername(c, &peer);
    if (rc < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, rc);
    }
    rc = skt_detach(c, &fd);
    if (rc == 0)
        rc = skt_from_fd(&t, fd);
    if (rc == 0)
        rc = skt_getpeername(t, &again);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s", triple(t),
                  conf_bool(skt_addr_equal(&peer, &again)));
    conf_close(s, t, NULL);
}

static void detach_fd_stays_open(const char *name)
{
    int before = conf_fds();
    int fd = detached(AF_INET, SOCK_STREAM, false);
    int kept = conf_fds() - before;

    if (fd < 0)
        return conf_rc(name, fd);
    close(fd);
    conf_emit(name, "%d %d", kept, conf_fds() - before);
}

const conf_scenario conf_sockets[] = {
    {"defaults.tcp", defaults_tcp},
    {"defaults.udp", defaults_udp},
    {"defaults.tcp6", defaults_tcp6},
    {"defaults.udp6", defaults_udp6},
    {"defaults.unix_stream", defaults_unix_stream},
    {"defaults.unix_dgram", defaults_unix_dgram},
    {"defaults.unix_seqpacket", defaults_unix_seqpacket},
    {"defaults.tcp_explicit_proto", defaults_tcp_proto},
    {"defaults.raw_icmp", defaults_raw_icmp},
    {"defaults.nonblock_in_type", defaults_nonblock_in_type},
    {"defaults.cloexec_in_type", defaults_cloexec_in_type},
    {"defaults.socketpair", defaults_socketpair},
    {"defaults.socketpair_dgram", defaults_socketpair_dgram},
    {"defaults.socketpair_inet", defaults_socketpair_inet},
    {"defaults.bad_family", defaults_bad_family},
    {"defaults.bad_type", defaults_bad_type},
    {"defaults.bad_proto", defaults_bad_proto},
    {"defaults.from_fd_detects", defaults_from_fd_detects},
    {"defaults.from_fd_nonblocking", defaults_from_fd_nonblocking},
    {"defaults.from_fd_not_socket", defaults_from_fd_not_socket},
    {"defaults.fd_count", defaults_fd_count},
    {"dup.family_type_proto", dup_family_type_proto},
    {"dup.timeout", dup_timeout},
    {"dup.nonblocking", dup_nonblocking},
    {"dup.blocking", dup_blocking},
    {"dup.inheritable", dup_inheritable},
    {"dup.new_fd", dup_new_fd},
    {"dup.shares_connection", dup_shares_connection},
    {"dup.outlives_original", dup_outlives_original},
    {"dup.fd_count", dup_fd_count},
    {"detach.returns_fd", detach_returns_fd},
    {"detach.from_fd_roundtrip", detach_from_fd_roundtrip},
    {"detach.fd_stays_open", detach_fd_stays_open},
    {NULL, NULL},
};
