/*
 * connect.c - create_connection and create_server.
 *
 * create_connection keeps ONE deadline over the lookup and every connect
 * attempt, and races the addresses as RFC 8305 (Happy Eyeballs) says: the
 * families interleaved, starting with the resolver's first; a new attempt
 * when the previous one has neither connected nor failed within the
 * attempt delay, or at once when it failed; the first success wins and the
 * rest are closed. Every address tried keeps its own error, and all of them
 * go into the detail (Python's all_errors).
 */
#include "internal.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many addresses are tried: more is a misconfiguration, and
 * a bounded list keeps the race's bookkeeping on the stack. */
#define MAX_CANDIDATES 16

struct attempt {
    skt_addr addr;
    int family;
    int proto;
    int fd;    /* -1 when not started or finished */
    int error; /* 0 while untried or under way */
    bool tried;
};

struct race {
    struct attempt list[MAX_CANDIDATES];
    size_t count;
    size_t next;   /* the next attempt to start */
    size_t active; /* attempts under way */
    const skt_connect_opts *opts;
    double delay;
    int64_t deadline;
    int64_t next_start;
    int poll_error; /* a poll failure other than EINTR ends the race */
};

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
    if (!skt__timeout_valid(opts->timeout))
        return skt__fail_raw(-EINVAL, "create_connection: timeout %g is "
                             "neither SKT_BLOCKING nor 0..%g seconds",
                             opts->timeout, SKT_TIMEOUT_MAX);
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
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The candidates                                                           */
/* ------------------------------------------------------------------------ */

static void add_candidate(struct race *r, const struct addrinfo *ai)
{
    struct attempt *a = &r->list[r->count++];

    memset(a, 0, sizeof *a);
    skt_addr_from_sockaddr(&a->addr, ai->ai_addr, ai->ai_addrlen);
    a->family = ai->ai_family;
    a->proto = ai->ai_protocol;
    a->fd = -1;
}

/*
 * Orders the resolver's results as RFC 8305 section 4 asks: the families
 * alternate, starting with the family of the first result, each keeping
 * the resolver's order within it.
 */
static void interleave(struct race *r, const struct addrinfo *found)
{
    const struct addrinfo *first[2] = {NULL, NULL}, *ai;
    int first_family = found->ai_family;
    bool more = true;

    for (ai = found; ai != NULL; ai = ai->ai_next)
        if (first[ai->ai_family != first_family] == NULL)
            first[ai->ai_family != first_family] = ai;
    while (more && r->count < MAX_CANDIDATES) {
        more = false;
        for (int side = 0; side < 2 && r->count < MAX_CANDIDATES; side++) {
            ai = first[side];
            if (ai == NULL)
                continue;
            add_candidate(r, ai);
            /* Advance to the next result of the same side. */
            do
                ai = ai->ai_next;
            while (ai != NULL && (ai->ai_family != first_family) != side);
            first[side] = ai;
            more = more || ai != NULL;
        }
    }
}

static int resolve(struct race *r, const char *host, const char *port)
{
    struct addrinfo hints = {0}, *found = NULL;
    int rc;

    hints.ai_family = r->opts->family;
    if (r->opts->source.len != 0)
        hints.ai_family = skt_addr_family(&r->opts->source);
    hints.ai_socktype = SOCK_STREAM;
    rc = skt__getaddrinfo_deadline(host, port, &hints, r->deadline, &found);
    if (rc < 0)
        return skt__fail(rc, "create_connection: getaddrinfo \"%s\" port "
                         "\"%s\"", host ? host : "(loopback)", port);
    interleave(r, found);
    freeaddrinfo(found);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The race                                                                 */
/* ------------------------------------------------------------------------ */

static void finish(struct race *r, struct attempt *a, int error)
{
    if (a->fd >= 0) {
        skt__sys_close(a->fd);
        a->fd = -1;
        r->active--;
    }
    a->error = error;
}

/* Opens, binds and starts connecting one attempt; 1 when it connected at
 * once, 0 when under way or failed (a->error then says which). */
static int start(struct race *r, struct attempt *a)
{
    const skt_addr *source = &r->opts->source;
    int fd = skt__sys_socket(a->family, SOCK_STREAM | SOCK_NONBLOCK,
                             a->proto);
    int rc;

    a->tried = true;
    if (fd < 0) {
        a->error = fd;
        return 0;
    }
    a->fd = fd;
    r->active++;
    rc = source->len ? skt__sys_bind(fd, skt_addr_sockaddr(source),
                                     source->len)
                     : 0;
    if (rc == 0)
        rc = skt__sys_connect(fd, skt_addr_sockaddr(&a->addr), a->addr.len);
    if (rc == 0)
        return 1;
    if (rc != -EINPROGRESS && rc != -EINTR)
        finish(r, a, rc);
    return 0;
}

/* Starts the next attempt if it is time; returns the winner's index, or -1. */
static int maybe_start_next(struct race *r)
{
    int64_t now = skt__now();
    struct attempt *a;

    if (r->next >= r->count)
        return -1;
    /* Strictly sequential: only when nothing is under way. Happy
     * Eyeballs: also when the delay has passed. */
    if (r->active > 0 && (r->delay < 0 || now < r->next_start))
        return -1;
    a = &r->list[r->next++];
    if (start(r, a))
        return (int)(a - r->list);
    r->next_start = now + skt__ns_from_seconds(r->delay);
    /* A failure at once lets the next address start at once. */
    if (a->fd < 0)
        r->next_start = now;
    return -1;
}

/* The poll timeout: until the deadline, or the next attempt's start. */
static struct timespec *poll_timeout(struct race *r, struct timespec *ts)
{
    int64_t until = r->deadline, now = skt__now();

    if (r->next < r->count && r->delay >= 0 && r->next_start < until)
        until = r->next_start;
    if (until == SKT__NEVER)
        return NULL;
    *ts = skt__timespec_from_ns(until > now ? until - now : 0);
    return ts;
}

/* Reads the outcome of the attempts poll found ready; the winner or -1. */
static int collect(struct race *r, const struct pollfd *fds,
                   const size_t *which, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct attempt *a = &r->list[which[i]];
        int error = 0;
        socklen_t len = sizeof error;
        if (fds[i].revents == 0)
            continue;
        /* A connecting TCP socket polls writable only once established,
         * and any error adds POLLERR: plain POLLOUT needs no SO_ERROR. */
        if (fds[i].revents == POLLOUT)
            return (int)which[i];
        skt__sys_getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error == 0)
            return (int)which[i];
        finish(r, a, -error);
        r->next_start = skt__now(); /* failed: the next starts now */
    }
    return -1;
}

/* One round: start what is due, wait, collect. The winner or -1. */
static int race_round(struct race *r)
{
    struct pollfd fds[MAX_CANDIDATES];
    size_t which[MAX_CANDIDATES], n = 0;
    struct timespec ts;
    int winner = maybe_start_next(r), rc;

    if (winner >= 0)
        return winner;
    for (size_t i = 0; i < r->next; i++) {
        if (r->list[i].fd < 0)
            continue;
        fds[n] = (struct pollfd){.fd = r->list[i].fd, .events = POLLOUT};
        which[n++] = i;
    }
    if (n == 0)
        return -1;
    rc = skt__sys_poll(fds, n, poll_timeout(r, &ts));
    if (rc > 0)
        return collect(r, fds, which, n);
    /* Any poll failure but EINTR ends the race: retrying would spin. */
    if (rc < 0 && rc != -EINTR)
        r->poll_error = rc;
    return -1;
}

static bool race_over(const struct race *r)
{
    return (r->next >= r->count && r->active == 0) || r->poll_error != 0 ||
           skt__now() >= r->deadline;
}

static int run_race(struct race *r)
{
    int winner = -1;

    while (winner < 0 && !race_over(r))
        winner = race_round(r);
    for (size_t i = 0; i < r->count; i++) {
        struct attempt *a = &r->list[i];
        if ((int)i != winner && a->fd >= 0)
            finish(r, a, -ETIMEDOUT);
    }
    return winner;
}

/* ------------------------------------------------------------------------ */
/* Reporting                                                                */
/* ------------------------------------------------------------------------ */

/* Lower is more telling: the host answered, or at least exists. */
static int error_rank(int code)
{
    static const int order[] = {-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH,
                                -ENETUNREACH};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == code)
            return (int)i;
    return 100;
}

/* Appends "; ADDR: message" to text, stopping quietly when it is full. */
static void append_attempt(char *text, size_t len, const struct attempt *a)
{
    char where[SKT_ADDRSTRLEN];
    size_t used = strlen(text);

    snprintf(text + used, len - used, "%s%s: %s", used ? "; " : "",
             skt__addr_text(&a->addr, where, sizeof where),
             skt_strerror(a->error));
}

static int report_failure(const struct race *r, const char *host,
                          const char *port, bool timed_out)
{
    char text[900] = "";
    int best = 0;

    for (size_t i = 0; i < r->count; i++) {
        const struct attempt *a = &r->list[i];
        if (!a->tried)
            continue;
        if (a->error < 0 &&
            (best == 0 || error_rank(a->error) < error_rank(best)))
            best = a->error;
        append_attempt(text, sizeof text, a);
    }
    /* -ETIMEDOUT means the deadline passed, or that nothing else said. */
    if (timed_out || best == 0)
        best = -ETIMEDOUT;
    if (r->count == 0)
        best = SKT_EAI_NODATA;
    return skt__fail_raw(best, "create_connection to %s port %s: %s%s",
                         host ? host : "(loopback)", port,
                         timed_out ? "timed out; " : "",
                         text[0] ? text : "no address to try");
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
    int error = 0;
    socklen_t len = sizeof error;

    a->tried = true;
    if (fd >= 0 && source->len != 0)
        rc = skt__sys_bind(fd, skt_addr_sockaddr(source), source->len);
    if (rc >= 0)
        rc = skt__sys_connect(fd, skt_addr_sockaddr(&a->addr), a->addr.len);
    if (rc == -EINTR && (rc = skt__wait(fd, POLLOUT, SKT__NEVER)) == 0 &&
        (rc = skt__sys_getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len)) ==
            0)
        rc = -error;
    if (rc >= 0)
        rc = skt__socket_adopt(out, fd, a->family, SOCK_STREAM, a->proto,
                               SKT_BLOCKING);
    if (rc < 0 && fd >= 0)
        skt__sys_close(fd);
    a->error = rc < 0 ? rc : 0;
    return rc;
}

/* The TLS handshake, under the deadline that covered the connect. */
static int handshake(skt_socket **out, const skt_connect_opts *opts,
                     const char *host, int64_t deadline)
{
    const char *name = opts->tls_hostname ? opts->tls_hostname : host;
    int rc = skt__tls_client_handshake(*out, opts->tls, name, deadline);

    if (rc < 0) {
        /* Closing a failed TLS socket may report its own trouble; the
         * handshake's detail is the one the caller needs. */
        char detail[1024];
        snprintf(detail, sizeof detail, "%s", skt_error_detail());
        skt_close(*out);
        *out = NULL;
        skt__fail_raw(rc, "%s", detail);
    }
    return rc;
}

int skt_create_connection(skt_socket **out, const char *host,
                          const char *port, const skt_connect_opts *opts)
{
    static const skt_connect_opts defaults;
    struct race *r;
    double timeout;
    int rc, winner;

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
    rc = resolve(r, host, port);
    if (rc == 0 && r->count == 1 && timeout < 0) {
        rc = connect_alone(r, out);
        if (rc < 0)
            rc = report_failure(r, host, port, false);
    } else if (rc == 0) {
        winner = run_race(r);
        if (winner >= 0)
            rc = adopt_winner(r, &r->list[winner], timeout, out);
        else if (r->poll_error != 0)
            rc = skt__fail(r->poll_error, "create_connection: poll");
        else
            rc = report_failure(r, host, port, skt__now() >= r->deadline);
    }
    if (rc == 0 && opts->tls != NULL)
        rc = handshake(out, opts, host, r->deadline);
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

/* ------------------------------------------------------------------------ */
/* create_server                                                            */
/* ------------------------------------------------------------------------ */

static int server_family(const char *host, const skt_server_opts *opts)
{
    if (opts->dualstack && opts->family != 0 && opts->family != AF_INET6)
        return skt__fail_raw(-EINVAL, "create_server: dualstack needs "
                             "AF_INET6, not family %d", opts->family);
    if (opts->family != 0)
        return opts->family;
    if (opts->dualstack)
        return AF_INET6;
    return host == NULL || *host == '\0' ? AF_INET : 0;
}

/* The address to bind: the first the host resolves to (AI_PASSIVE, so an
 * empty host means every interface). */
static int server_address(const char *host, const char *port, int family,
                          int type, skt_addr *a)
{
    struct addrinfo hints = {0}, *found = NULL;
    int rc;

    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_flags = AI_PASSIVE;
    if (host != NULL && *host == '\0')
        host = NULL;
    rc = skt__getaddrinfo_deadline(host, port ? port : "0", &hints,
                                   SKT__NEVER, &found);
    if (rc < 0)
        return skt__fail(rc, "create_server: getaddrinfo \"%s\" port "
                         "\"%s\"", host ? host : "", port ? port : "0");
    rc = skt_addr_from_sockaddr(a, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return rc;
}

static int set_server_options(skt_socket *s, int type,
                              const skt_server_opts *opts)
{
    int rc = 0;

    if (type == SOCK_STREAM)
        rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0 && opts->reuse_port &&
        skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
        rc = skt__fail(-EOPNOTSUPP, "create_server: SO_REUSEPORT");
    if (rc == 0 && skt_family(s) == AF_INET6) {
        /* Set either way, so the system's default (a sysctl) never
         * decides; where it cannot be cleared, dualstack is refused. */
        rc = skt_setsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY,
                                !opts->dualstack);
        if (rc < 0 && opts->dualstack)
            rc = skt__fail(-EOPNOTSUPP, "create_server: dualstack "
                           "(IPV6_V6ONLY=0) is not supported here");
    }
    return rc;
}

static int open_server(skt_socket **out, const char *host, const char *port,
                       int type, const skt_server_opts *opts)
{
    static const skt_server_opts defaults;
    skt_addr a;
    int family, rc;

    opts = opts != NULL ? opts : &defaults;
    if ((family = server_family(host, opts)) < 0)
        return family;
    if ((rc = server_address(host, port, family, type, &a)) < 0)
        return rc;
    if ((rc = skt_open(out, skt_addr_family(&a), type, 0)) < 0)
        return rc;
    rc = set_server_options(*out, type, opts);
    if (rc == 0 && (rc = skt_bind(*out, &a)) < 0)
        skt__fail_addr(rc, "create_server: bind to", &a);
    if (rc == 0 && type == SOCK_STREAM)
        rc = skt_listen(*out, opts->backlog > 0 ? opts->backlog
                                                : SKT_DEFAULT_BACKLOG);
    if (rc < 0) {
        skt_close(*out);
        *out = NULL;
    }
    return rc;
}

int skt_create_server(skt_socket **out, const char *host, const char *port,
                      const skt_server_opts *opts)
{
    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    return open_server(out, host, port, SOCK_STREAM, opts);
}

int skt_create_datagram_server(skt_socket **out, const char *host,
                               const char *port, const skt_server_opts *opts)
{
    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    return open_server(out, host, port, SOCK_DGRAM, opts);
}
