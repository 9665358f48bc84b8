/*
 * connect.c - create_connection: ONE deadline over the lookup, every
 * connect attempt (the race in happy.c) and the TLS handshake; a single
 * address in blocking mode connects with a hand-written client's system
 * calls. Every address tried keeps its own error, and all of them go into
 * the detail (Python's all_errors).
 */
#include "happy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/* The mode the options ask for: 0 means the default timeout. */
static double effective_timeout(const skt_connect_opts *opts)
{
    return opts->timeout == 0 ? skt_getdefaulttimeout() : opts->timeout;
}

static int check_connect_opts(const skt_connect_opts *opts)
{
    if (skt__check_timeout(opts->timeout, "create_connection") < 0)
        return -EINVAL;
    if (opts->family != 0 && opts->family != AF_INET &&
        opts->family != AF_INET6)
        return skt__fail_raw(-EINVAL, "create_connection: family %d is "
                             "not AF_INET, AF_INET6 or 0", opts->family);
    if (!(opts->attempt_delay <= SKT_TIMEOUT_MAX))
        return skt__fail_raw(-EINVAL, "create_connection: attempt_delay "
                             "%g is out of range", opts->attempt_delay);
    if (opts->source.len != 0 && opts->family != 0 &&
        skt_addr_family(&opts->source) != opts->family)
        return skt__fail_raw(-EINVAL, "create_connection: the source "
                             "address is not of the family asked for");
    if (SKT__CHECK_RESERVED(opts, "create_connection") < 0)
        return -EINVAL;
    if (opts->report != NULL && opts->report->capacity != 0 &&
        opts->report->attempts == NULL)
        return skt__fail_raw(-EINVAL, "create_connection: the report has "
                             "a capacity but no attempts array");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* create_connection                                                        */
/* ------------------------------------------------------------------------ */

static int adopt_winner(struct race *r, struct attempt *a, double timeout,
                        skt_socket **out)
{
    int fd = a->fd, rc = 0;

    a->fd = -1;
    r->active--;
    /* The fd was made with SOCK_NONBLOCK and nothing else: one fcntl at
     * most makes it blocking. */
    if (timeout < 0)
        rc = skt__sys_clear_status_flags(fd);
    if (rc == 0)
        rc = skt__socket_adopt(out, fd, a->family, SOCK_STREAM, a->proto,
                               timeout);
    if (rc < 0) {
        skt__sys_close(fd);
        return skt__fail(rc, "create_connection: adopting the connection");
    }
    return 0;
}

/*
 * One address and no deadline: there is nothing to race, so a blocking
 * connect does it with the system calls of a hand-written one (no poll,
 * no fcntl). A signal does not restart it: the same attempt is waited for.
 */
static int connect_alone(struct race *r, skt_socket **out)
{
    struct attempt *a = &r->list[0];
    const skt_addr *source = &r->opts->source;
    int fd = skt__sys_socket(a->family, SOCK_STREAM, a->proto), rc = fd;

    a->tried = true;
    a->started = skt__now();
    if (fd >= 0 && source->len != 0)
        rc = skt__sys_bind(fd, skt_addr_sockaddr(source), source->len);
    if (rc >= 0)
        rc = skt__connect_wait(fd, &a->addr, SKT_BLOCKING);
    if (rc >= 0)
        rc = skt__socket_adopt(out, fd, a->family, SOCK_STREAM, a->proto,
                               SKT_BLOCKING);
    if (rc < 0 && fd >= 0)
        skt__sys_close(fd);
    a->error = rc < 0 ? rc : 0;
    a->ended = skt__now();
    return rc;
}

/* The TLS handshake, under the deadline that covered the connect. */
static int handshake(skt_socket **out, const skt_connect_opts *opts,
                     const char *host, const char *port, int64_t deadline)
{
    const char *name = opts->tls_hostname ? opts->tls_hostname : host;
    int rc = skt__tls_client_handshake_cached(*out, opts->tls, name,
                                              opts->tls_sessions, port,
                                              deadline);

    if (rc < 0) {
        /* Closing a failed TLS socket may report its own trouble; the
         * handshake's detail is the one the caller needs. */
        struct skt__detail_copy detail;
        skt__detail_save(&detail);
        skt_close(*out);
        *out = NULL;
        skt__detail_restore(&detail, rc);
    }
    return rc;
}

/* The connect attempts, after the lookup: alone or as a race. */
static int connect_resolved(struct race *r, const char *host,
                            const char *port, double timeout,
                            skt_socket **out)
{
    int rc, winner;

    if (r->count == 1 && timeout < 0) {
        rc = connect_alone(r, out);
        return rc < 0 ? skt__race_report(r, host, port, false) : 0;
    }
    winner = skt__race_run(r);
    if (winner >= 0)
        return adopt_winner(r, &r->list[winner], timeout, out);
    if (r->poll_error != 0)
        return skt__fail(r->poll_error, "create_connection: poll");
    return skt__race_report(r, host, port, skt__now() >= r->deadline);
}

/* The times of one create_connection, for the caller's report. */
struct timeline {
    int64_t start, resolved, handshake_start, handshake_end;
    int handshake_code;
};

static void fill_report(const struct race *r, const struct timeline *t,
                        skt_connect_report *report)
{
    skt__race_fill_report(r, report);
    report->resolve_seconds = skt__seconds_from_ns(t->resolved - t->start);
    report->handshake_seconds =
        skt__seconds_from_ns(t->handshake_end - t->handshake_start);
    report->handshake_code = t->handshake_code;
}

int skt_create_connection(skt_socket **out, const char *host,
                          const char *port, const skt_connect_opts *opts)
{
    static const skt_connect_opts defaults;
    struct timeline t = {0};
    struct race *r;
    double timeout;
    int rc;

    SKT__CHECK(out != NULL && port != NULL, "out and port are required");
    *out = NULL;
    opts = opts != NULL ? opts : &defaults;
    if ((rc = check_connect_opts(opts)) < 0)
        return rc;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return skt__fail(-ENOMEM, "create_connection");
    timeout = effective_timeout(opts);
    r->opts = opts;
    r->delay = opts->attempt_delay == 0 ? SKT_ATTEMPT_DELAY_DEFAULT
                                        : opts->attempt_delay;
    r->deadline = skt__deadline(timeout > 0 ? timeout : -1);
    t.start = skt__now();
    rc = skt__race_resolve(r, host, port);
    t.resolved = skt__now();
    if (rc == 0)
        rc = connect_resolved(r, host, port, timeout, out);
    if (rc == 0 && opts->tls != NULL) {
        t.handshake_start = skt__now();
        rc = t.handshake_code = handshake(out, opts, host, port,
                                          r->deadline);
        t.handshake_end = skt__now();
    }
    if (opts->report != NULL)
        fill_report(r, &t, opts->report);
    free(r);
    return rc;
}

/* Splits "[v6]:port" in place; buf starts with '['. */
static int split_bracketed(char *buf, const char *target, const char **host,
                           const char **port)
{
    char *close = strchr(buf, ']');

    if (close == NULL)
        return skt__fail(SKT_EADDRSYNTAX, "create_connection: target "
                         "\"%s\" has an unclosed '['", target);
    if (close[1] == '\0' || (close[1] == ':' && close[2] == '\0'))
        return skt__fail(SKT_ENOPORT, "create_connection: target \"%s\" "
                         "has no port", target);
    if (close[1] != ':')
        return skt__fail(SKT_EADDRSYNTAX, "create_connection: target "
                         "\"%s\": ':' must follow ']'", target);
    *close = '\0';
    *host = buf + 1;
    *port = close + 2;
    return 0;
}

/* Splits "host:port" or "[v6]:port" into its parts, in buf. */
static int split_target(const char *target, char *buf, size_t len,
                        const char **host, const char **port)
{
    char *colon;

    if (strlen(target) >= len)
        return skt__fail(SKT_EADDRSYNTAX, "create_connection: target "
                         "\"%.60s...\" is too long", target);
    strcpy(buf, target);
    if (buf[0] == '[')
        return split_bracketed(buf, target, host, port);
    colon = strchr(buf, ':');
    if (colon == NULL || colon[1] == '\0')
        return skt__fail(SKT_ENOPORT, "create_connection: target \"%s\" "
                         "has no port", target);
    if (strchr(colon + 1, ':') != NULL)
        return skt__fail(SKT_EADDRSYNTAX, "create_connection: target "
                         "\"%s\": an IPv6 address needs brackets", target);
    *colon = '\0';
    *host = buf;
    *port = colon + 1;
    return 0;
}

int skt_create_connection_to(skt_socket **out, const char *target,
                             const skt_connect_opts *opts)
{
    char buf[512];
    const char *host = NULL, *port = NULL;
    int rc;

    SKT__CHECK(out != NULL && target != NULL, "NULL argument");
    *out = NULL;
    rc = split_target(target, buf, sizeof buf, &host, &port);
    return rc < 0 ? rc : skt_create_connection(out, host, port, opts);
}
