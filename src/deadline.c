/*
 * deadline.c - the monotonic clock, absolute deadlines, every conversion
 * between seconds, nanoseconds and timespecs, the validity of a timeout,
 * and the one helper that waits for an fd to become ready. Every timeout
 * in skt becomes one deadline per operation here, so retries never
 * restart the clock.
 */
#include "internal.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <time.h>

#define NS_PER_SECOND 1000000000

int64_t skt__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

int64_t skt__ns_from_seconds(double seconds)
{
    /* Capped at SKT_TIMEOUT_MAX (1e9 s = 1e18 ns), so that now plus the
     * span stays far below INT64_MAX. */
    double ns = (seconds < SKT_TIMEOUT_MAX ? seconds : SKT_TIMEOUT_MAX) *
                NS_PER_SECOND;
    int64_t whole = (int64_t)ns;

    /* Rounded up, so a wait never ends before the timeout. */
    if ((double)whole < ns)
        whole++;
    return whole;
}

struct timespec skt__timespec_from_ns(int64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / NS_PER_SECOND),
                          .tv_nsec = (long)(ns % NS_PER_SECOND)};
    return ts;
}

int skt__ms_from_ns(int64_t ns)
{
    int64_t ms;

    if (ns < 0)
        return -1;
    ms = ns / SKT__MS + (ns % SKT__MS != 0);
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

double skt__seconds_from_ns(int64_t ns)
{
    return (double)ns / NS_PER_SECOND;
}

bool skt__seconds_valid(double seconds)
{
    /* NaN fails both comparisons, so it is refused with the rest; so is
     * infinity. A finite value past SKT_TIMEOUT_MAX waits that long. */
    return seconds >= 0 && seconds <= DBL_MAX;
}

bool skt__timeout_valid(double timeout)
{
    return timeout == SKT_BLOCKING || skt__seconds_valid(timeout);
}

int skt__check_timeout(double timeout, const char *op)
{
    if (skt__timeout_valid(timeout))
        return 0;
    return skt__fail_raw(-EINVAL, "%s: timeout %g is neither SKT_BLOCKING "
                         "nor a finite number of seconds >= 0", op, timeout);
}

int64_t skt__deadline(double timeout)
{
    if (timeout < 0)
        return SKT__NEVER;
    return skt__now() + skt__ns_from_seconds(timeout);
}

int skt__wait(int fd, short events, int64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};

    for (;;) {
        struct timespec ts, *timeout = NULL;
        int r;

        if (deadline != SKT__NEVER) {
            int64_t remaining = deadline - skt__now();
            if (remaining <= 0)
                return -ETIMEDOUT;
            ts = skt__timespec_from_ns(remaining);
            timeout = &ts;
        }
        r = skt__sys_poll(&p, 1, timeout);
        if (r > 0)
            return 0;
        /* On EINTR or an early return the loop recomputes the remaining
         * time from the same deadline (PEP 475). */
        if (r < 0 && r != -EINTR)
            return r;
    }
}
