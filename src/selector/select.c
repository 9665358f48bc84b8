/*
 * select.c - the select backend of skt_selector, for portability and for
 * tests. select(2) cannot watch an fd >= FD_SETSIZE: such fds are refused
 * at register with -ERANGE rather than corrupting memory, which is what
 * FD_SET does with them.
 */
#include "selector/selector_int.h"

#include <stdlib.h>
#include <sys/select.h>
#include <time.h>

struct select_state {
    fd_set readable;
    fd_set writable;
    int max_fd;
};

static void set_events(struct select_state *st, int fd, int events)
{
    FD_CLR(fd, &st->readable);
    FD_CLR(fd, &st->writable);
    if (events & SKT_EVENT_READ)
        FD_SET(fd, &st->readable);
    if (events & SKT_EVENT_WRITE)
        FD_SET(fd, &st->writable);
    if (fd > st->max_fd)
        st->max_fd = fd;
}

static bool watched(const struct select_state *st, int fd)
{
    return FD_ISSET(fd, &st->readable) || FD_ISSET(fd, &st->writable);
}

static int select_open(skt_selector *sel)
{
    struct select_state *st;

    if (sel->wake_fd >= FD_SETSIZE)
        return -ERANGE;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return -ENOMEM;
    FD_ZERO(&st->readable);
    FD_ZERO(&st->writable);
    st->max_fd = -1;
    set_events(st, sel->wake_fd, SKT_EVENT_READ);
    sel->state = st;
    return 0;
}

static void select_close(skt_selector *sel)
{
    free(sel->state);
}

static int select_add(skt_selector *sel, int fd, int events)
{
    int rc;

    if (fd >= FD_SETSIZE)
        return -ERANGE;
    /* select would fail as a whole with EBADF on every later call. */
    rc = skt__sys_fd_valid(fd);
    if (rc == 0)
        set_events(sel->state, fd, events);
    return rc;
}

static int select_modify(skt_selector *sel, int fd, int events)
{
    set_events(sel->state, fd, events);
    return 0;
}

static void select_remove(skt_selector *sel, int fd)
{
    struct select_state *st = sel->state;

    FD_CLR(fd, &st->readable);
    FD_CLR(fd, &st->writable);
    while (st->max_fd >= 0 && !watched(st, st->max_fd))
        st->max_fd--;
}

/* Reports the fds of the sets in the result of a select. */
static void report_sets(skt_selector *sel, int max_fd, const fd_set *readable,
                        const fd_set *writable)
{
    for (int fd = 0; fd <= max_fd; fd++) {
        int events = (FD_ISSET(fd, readable) ? SKT_EVENT_READ : 0) |
                     (FD_ISSET(fd, writable) ? SKT_EVENT_WRITE : 0);
        if (events != 0)
            skt__selector_report(sel, fd, events);
    }
}

/*
 * select fails as a whole when a watched fd was closed. The closed fds
 * are reported ready, as the poll backend reports POLLNVAL, so that their
 * owners see -EBADF; the others are then looked at without them, so that
 * they keep being served.
 */
static int report_closed(skt_selector *sel)
{
    struct select_state *st = sel->state;
    fd_set readable = st->readable, writable = st->writable;
    struct timespec now = {0, 0};
    int found = 0, n;

    for (int fd = 0; fd <= st->max_fd; fd++) {
        if (!watched(st, fd) || skt__sys_fd_valid(fd) == 0)
            continue;
        found++;
        FD_CLR(fd, &readable);
        FD_CLR(fd, &writable);
        skt__selector_report(sel, fd, SKT_EVENT_READ | SKT_EVENT_WRITE);
    }
    if (found == 0)
        return -EBADF;
    n = skt__sys_select(st->max_fd + 1, &readable, &writable, &now);
    if (n > 0)
        report_sets(sel, st->max_fd, &readable, &writable);
    return found + (n > 0 ? n : 0);
}

static int select_wait_ready(skt_selector *sel, int64_t timeout_ns)
{
    struct select_state *st = sel->state;
    fd_set readable = st->readable, writable = st->writable;
    struct timespec ts, *limit = NULL;
    int n;

    if (timeout_ns >= 0) {
        ts = skt__timespec_from_ns(timeout_ns);
        limit = &ts;
    }
    n = skt__sys_select(st->max_fd + 1, &readable, &writable, limit);
    if (n == -EBADF)
        return report_closed(sel);
    if (n > 0)
        report_sets(sel, st->max_fd, &readable, &writable);
    return n;
}

const struct skt__selector_backend skt__selector_select = {
    .name = "select",
    .open = select_open,
    .close = select_close,
    .add = select_add,
    .modify = select_modify,
    .remove = select_remove,
    .wait = select_wait_ready,
};
