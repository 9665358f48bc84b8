/*
 * modes.c - the three timeout modes and the default timeout, on skt
 * (py/modes.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const char *fd_blocking(const skt_socket *s)
{
    int flags = fcntl(conf_fd(s), F_GETFL);
    return conf_bool(flags >= 0 && !(flags & O_NONBLOCK));
}

/* ------------------------------------------------------------------------ */
/* modes                                                                    */
/* ------------------------------------------------------------------------ */

/* Each step is a timeout to set (SKT_BLOCKING too), or one of these. */
#define SET_BLOCKING_TRUE  1001.0
#define SET_BLOCKING_FALSE 1002.0

static void mode_after(const char *name, int count, const double *steps)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    for (int i = 0; rc == 0 && i < count; i++) {
        if (steps[i] == SET_BLOCKING_TRUE)
            rc = skt_setblocking(s, true);
        else if (steps[i] == SET_BLOCKING_FALSE)
            rc = skt_setblocking(s, false);
        else
            rc = skt_settimeout(s, steps[i]);
    }
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%s %s fd_blocking=%s", conf_timeout(skt_gettimeout(s)),
                  conf_bool(skt_getblocking(s)), fd_blocking(s));
    skt_close(s);
}

#define MODE(fn, ...)                                                          \
    static void fn(const char *n)                                              \
    {                                                                          \
        const double steps[] = {__VA_ARGS__};                                  \
        mode_after(n, (int)(sizeof steps / sizeof steps[0]), steps);           \
    }
MODE(modes_timeout_2_5, 2.5)
MODE(modes_timeout_1, 1)
MODE(modes_timeout_0, 0)
MODE(modes_timeout_none, 2, SKT_BLOCKING)
MODE(modes_timeout_tiny, 1e-9)
MODE(modes_timeout_5e9, 5e9)
MODE(modes_setblocking_false, SET_BLOCKING_FALSE)
MODE(modes_setblocking_true, 3, SET_BLOCKING_TRUE)
MODE(modes_setblocking_false_after_timeout, 3, SET_BLOCKING_FALSE)
MODE(modes_timeout_after_nonblocking, SET_BLOCKING_FALSE, 4)
MODE(modes_refuse_negative, -2.0)
MODE(modes_refuse_negative_small, -0.5)
MODE(modes_refuse_nan, NAN)
MODE(modes_refuse_infinity, INFINITY)
MODE(modes_timeout_1e10, 1e10)

static void modes_refused_keeps_mode(const char *name)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(s, 2);
    skt_settimeout(s, -3);
    conf_emit(name, "%s", conf_timeout(skt_gettimeout(s)));
    skt_close(s);
}

static void modes_nonblocking_recv(const char *name)
{
    skt_socket *c, *s;
    char buf[10];
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_setblocking(c, false);
    conf_emit(name, "%s", conf_val(skt_recv(c, buf, sizeof buf, 0)));
    conf_close(c, s, NULL);
}

static void modes_timeout_recv(const char *name)
{
    skt_socket *c, *s;
    char buf[10];
    double start;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_settimeout(c, 0.2);
    start = conf_now();
    rc = (int)skt_recv(c, buf, sizeof buf, 0);
    conf_emit(name, "%s %s", conf_err(rc), conf_bucket(conf_now() - start));
    conf_close(c, s, NULL);
}

/* ------------------------------------------------------------------------ */
/* deftimeout                                                               */
/* ------------------------------------------------------------------------ */

static void new_socket_mode(const char *name)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s", conf_timeout(skt_gettimeout(s)),
              conf_bool(skt_getblocking(s)));
    skt_close(s);
}

static void deftimeout_initial(const char *name)
{
    conf_emit(name, "%s", conf_timeout(skt_getdefaulttimeout()));
}

#define WITH_DEFAULT(fn, value, body)                                          \
    static void fn(const char *name)                                           \
    {                                                                          \
        skt_setdefaulttimeout(value);                                          \
        body;                                                                  \
        skt_setdefaulttimeout(SKT_BLOCKING);                                   \
    }
WITH_DEFAULT(deftimeout_applies, 3, new_socket_mode(name))
WITH_DEFAULT(deftimeout_applies_zero, 0, new_socket_mode(name))
WITH_DEFAULT(deftimeout_applies_fraction, 0.25, new_socket_mode(name))
WITH_DEFAULT(deftimeout_getter, 7,
             conf_emit(name, "%s", conf_timeout(skt_getdefaulttimeout())))

static void pair_modes(const char *name)
{
    skt_socket *a, *b;
    int rc = skt_socketpair(&a, &b, 0, 0, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s", conf_timeout(skt_gettimeout(a)),
              conf_timeout(skt_gettimeout(b)));
    conf_close(a, b, NULL);
}
WITH_DEFAULT(deftimeout_socketpair, 2, pair_modes(name))

static void from_fd_mode(const char *name)
{
    skt_socket *s;
    int fd = detached(AF_INET, SOCK_DGRAM, false);
    int rc = fd < 0 ? fd : skt_from_fd(&s, fd);

    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s", conf_timeout(skt_gettimeout(s)));
    skt_close(s);
}
WITH_DEFAULT(deftimeout_from_fd, 1.5, from_fd_mode(name))

static void deftimeout_existing_unchanged(const char *name)
{
    skt_socket *s;
    int rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_setdefaulttimeout(4);
    conf_emit(name, "%s", conf_timeout(skt_gettimeout(s)));
    skt_setdefaulttimeout(SKT_BLOCKING);
    skt_close(s);
}

static void deftimeout_back_to_none(const char *name)
{
    skt_setdefaulttimeout(5);
    skt_setdefaulttimeout(SKT_BLOCKING);
    new_socket_mode(name);
}

static void refuse_default(const char *name, double value)
{
    int rc = skt_setdefaulttimeout(value);

    conf_emit(name, "%s %s", conf_err(rc),
              conf_timeout(skt_getdefaulttimeout()));
    skt_setdefaulttimeout(SKT_BLOCKING);
}

static void deftimeout_refuse_negative(const char *n)
{
    refuse_default(n, -2);
}
static void deftimeout_refuse_nan(const char *n)
{
    refuse_default(n, NAN);
}

const conf_scenario conf_modes[] = {
    {"modes.timeout_2.5", modes_timeout_2_5},
    {"modes.timeout_1", modes_timeout_1},
    {"modes.timeout_0", modes_timeout_0},
    {"modes.timeout_none", modes_timeout_none},
    {"modes.timeout_tiny", modes_timeout_tiny},
    {"modes.timeout_5e9", modes_timeout_5e9},
    {"modes.setblocking_false", modes_setblocking_false},
    {"modes.setblocking_true", modes_setblocking_true},
    {"modes.setblocking_false_after_timeout",
     modes_setblocking_false_after_timeout},
    {"modes.timeout_after_nonblocking", modes_timeout_after_nonblocking},
    {"modes.refuse_negative", modes_refuse_negative},
    {"modes.refuse_negative_small", modes_refuse_negative_small},
    {"modes.refuse_nan", modes_refuse_nan},
    {"modes.refuse_infinity", modes_refuse_infinity},
    {"modes.timeout_1e10", modes_timeout_1e10},
    {"modes.refused_keeps_mode", modes_refused_keeps_mode},
    {"modes.nonblocking_recv", modes_nonblocking_recv},
    {"modes.timeout_recv", modes_timeout_recv},
    {"deftimeout.initial", deftimeout_initial},
    {"deftimeout.applies", deftimeout_applies},
    {"deftimeout.applies_zero", deftimeout_applies_zero},
    {"deftimeout.applies_fraction", deftimeout_applies_fraction},
    {"deftimeout.getter", deftimeout_getter},
    {"deftimeout.socketpair", deftimeout_socketpair},
    {"deftimeout.from_fd", deftimeout_from_fd},
    {"deftimeout.existing_unchanged", deftimeout_existing_unchanged},
    {"deftimeout.back_to_none", deftimeout_back_to_none},
    {"deftimeout.refuse_negative", deftimeout_refuse_negative},
    {"deftimeout.refuse_nan", deftimeout_refuse_nan},
    {NULL, NULL},
};
