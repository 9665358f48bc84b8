/*
 * deadline.c - the monotonic clock, absolute deadlines, and the one helper
 * that waits for an fd to become ready. Every timeout in skt becomes one
 * deadline per operation here, so retries never restart the clock.
 */
#include "internal.h"

#include <errno.h>
#include <time.h>

int64_t skt__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t skt__deadline(double timeout)
{
    if (timeout < 0)
        return SKT__NEVER;
    /* Timeouts are capped at SKT_TIMEOUT_MAX (1e9 s = 1e18 ns), so the
     * sum stays far below INT64_MAX. */
    double ns = timeout * 1e9;
    int64_t whole = (int64_t)ns;
    /* Rounded up, so a wait never ends before the timeout. */
    if ((double)whole < ns)
        whole++;
    return skt__now() + whole;
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
            ts.tv_sec = (time_t)(remaining / 1000000000);
            ts.tv_nsec = (long)(remaining % 1000000000);
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
