/*
 * happy.h - the Happy Eyeballs race of create_connection (happy.c), shared
 * with connect.c: the candidate addresses, their attempts, the race's one
 * deadline, and the report of a race that nobody won.
 */
#ifndef SKT_HAPPY_H
#define SKT_HAPPY_H

#include "internal.h"

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
    int64_t started; /* monotonic ns: when it started, and its outcome */
    int64_t ended;
    int64_t give_up; /* strictly sequential: when the next address takes
                      * over (its fair share of the deadline is spent) */
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

/*
 * Resolves host and port under r->deadline into r->list, the families
 * interleaved as RFC 8305 says, starting with the resolver's first.
 * Returns 0 (r->count may be 0) or a resolver code, with a detail.
 */
SKT__HIDDEN int skt__race_resolve(struct race *r, const char *host,
                                  const char *port);
/* Runs the attempts until one connects, all fail, poll fails or the
 * deadline passes; every other attempt is closed, with -ECANCELED when
 * one won and -ETIMEDOUT when none did. The winner's index, or -1
 * (r->poll_error then says whether poll failed). */
SKT__HIDDEN int skt__race_run(struct race *r);
/* Sets the detail of a race nobody won, listing every address tried with
 * its own error, and returns the most telling code (-ETIMEDOUT when the
 * deadline passed). */
SKT__HIDDEN int skt__race_report(const struct race *r, const char *host,
                                 const char *port, bool timed_out);

/* Copies the attempts tried, in the order they started, into the
 * caller's report (when opts->report is set). */
SKT__HIDDEN void skt__race_fill_report(const struct race *r,
                                       skt_connect_report *report);

#endif
