/*
 * happy.c - the race of create_connection, as RFC 8305 (Happy Eyeballs)
 * says: the families interleaved, starting with the resolver's first; a
 * new attempt when the previous one has neither connected nor failed
 * within the attempt delay, or at once when it failed; the first success
 * wins and the rest are closed. The whole race keeps one deadline, and
 * every address tried keeps its own error for the report.
 */
#include "happy.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

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

int skt__race_resolve(struct race *r, const char *host, const char *port)
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
    a->ended = skt__now();
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
    a->started = skt__now();
    if (fd < 0) {
        finish(r, a, fd);
        return 0;
    }
    a->fd = fd;
    r->active++;
    rc = source->len ? skt__sys_bind(fd, skt_addr_sockaddr(source),
                                     source->len)
                     : 0;
    /* Non-blocking: under way (-EINPROGRESS) or decided at once. */
    if (rc == 0)
        rc = skt__connect_wait(fd, &a->addr, 0);
    if (rc == 0)
        return 1;
    if (rc != -EINPROGRESS)
        finish(r, a, rc);
    return 0;
}

/*
 * The fair share of what is left of the deadline for an attempt starting
 * now: the time left divided by the addresses left, this one included, so
 * that one deadline never means "only the first address". SKT__NEVER
 * without a deadline, or for the last address (it gets the rest).
 */
static int64_t fair_share(const struct race *r, int64_t now)
{
    size_t left = r->count - r->next;

    if (r->deadline == SKT__NEVER || left <= 1)
        return SKT__NEVER;
    return (r->deadline > now ? r->deadline - now : 0) / (int64_t)left;
}

/* Strictly sequential: an attempt whose share is spent gives way to the
 * next address, with -ETIMEDOUT as its own error. */
static void give_way(struct race *r, int64_t now)
{
    if (r->delay >= 0 || r->next >= r->count)
        return;
    for (size_t i = 0; i < r->next; i++) {
        struct attempt *a = &r->list[i];
        if (a->fd >= 0 && a->give_up <= now)
            finish(r, a, -ETIMEDOUT);
    }
}

/* Starts the next attempt if it is time; returns the winner's index, or -1. */
static int maybe_start_next(struct race *r)
{
    int64_t now = skt__now(), share;
    struct attempt *a;

    give_way(r, now);
    if (r->next >= r->count)
        return -1;
    /* Strictly sequential: only when nothing is under way. Happy
     * Eyeballs: also when the delay has passed. */
    if (r->active > 0 && (r->delay < 0 || now < r->next_start))
        return -1;
    share = fair_share(r, now);
    a = &r->list[r->next++];
    a->give_up = share == SKT__NEVER ? SKT__NEVER : now + share;
    if (start(r, a))
        return (int)(a - r->list);
    /* Happy Eyeballs: the next starts after the attempt delay, or sooner
     * when the delay is longer than this attempt's share. */
    r->next_start = now + skt__ns_from_seconds(r->delay);
    if (r->next_start > a->give_up)
        r->next_start = a->give_up;
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
    /* Strictly sequential: wake when the attempt under way must give way. */
    for (size_t i = 0; r->delay < 0 && r->next < r->count && i < r->next;
         i++)
        if (r->list[i].fd >= 0 && r->list[i].give_up < until)
            until = r->list[i].give_up;
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

int skt__race_run(struct race *r)
{
    int winner = -1;

    while (winner < 0 && !race_over(r))
        winner = race_round(r);
    if (winner >= 0)
        r->list[winner].ended = skt__now();
    for (size_t i = 0; i < r->count; i++) {
        struct attempt *a = &r->list[i];
        if ((int)i != winner && a->fd >= 0)
            finish(r, a, winner >= 0 ? -ECANCELED : -ETIMEDOUT);
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

int skt__race_report(const struct race *r, const char *host,
                      const char *port, bool timed_out)
{
    char text[SKT__DETAIL_MAX] = "";
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

void skt__race_fill_report(const struct race *r, skt_connect_report *report)
{
    size_t n = 0;

    for (size_t i = 0; i < r->count; i++) {
        const struct attempt *a = &r->list[i];
        if (!a->tried)
            continue;
        if (n < report->capacity && report->attempts != NULL)
            report->attempts[n] = (skt_connect_attempt){
                .addr = a->addr,
                .code = a->error,
                .seconds = skt__seconds_from_ns(a->ended - a->started),
            };
        n++;
    }
    report->count = n;
}
