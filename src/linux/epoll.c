/*
 * epoll.c - the epoll backend of skt_selector, and the default backend on
 * Linux (skt__selector_default, see src/selector/selector_int.h).
 * Level-triggered, as Python's EpollSelector: an fd is reported until it
 * is read or written. Each epoll event carries its fd, so a ready fd finds
 * its key in selector.c's table without a search.
 */
#include "selector/selector_int.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>

struct epoll_state {
    int epfd;
    struct epoll_event *events;
    int events_cap;
};

static uint32_t to_epoll(int events)
{
    return ((events & SKT_EVENT_READ) ? EPOLLIN : 0) |
           ((events & SKT_EVENT_WRITE) ? EPOLLOUT : 0);
}

/* A hang-up or an error makes the fd "ready" for whatever it waits for,
 * so that the next I/O call reports what happened. */
static int from_epoll(uint32_t events)
{
    int result = 0;

    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        result |= SKT_EVENT_READ;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        result |= SKT_EVENT_WRITE;
    return result;
}

static int control(skt_selector *sel, int op, int fd, int events)
{
    struct epoll_state *st = sel->state;
    struct epoll_event ev = {.events = to_epoll(events)};

    ev.data.u64 = (uint64_t)fd;
    return skt__sys_epoll_ctl(st->epfd, op, fd, &ev);
}

static int epoll_open(skt_selector *sel)
{
    struct epoll_state *st = calloc(1, sizeof *st);
    int rc;

    if (st == NULL)
        return -ENOMEM;
    st->epfd = skt__sys_epoll_create();
    if (st->epfd < 0) {
        rc = st->epfd;
        free(st);
        return rc;
    }
    sel->state = st;
    rc = control(sel, EPOLL_CTL_ADD, sel->wake_fd, SKT_EVENT_READ);
    if (rc < 0) {
        skt__sys_close(st->epfd);
        free(st);
        sel->state = NULL;
    }
    return rc;
}

static void epoll_close(skt_selector *sel)
{
    struct epoll_state *st = sel->state;

    skt__sys_close(st->epfd);
    free(st->events);
    free(st);
}

static int epoll_add(skt_selector *sel, int fd, int events)
{
    return control(sel, EPOLL_CTL_ADD, fd, events);
}

/* One waiter woken per event among the epoll sets watching fd. Such an
 * fd cannot be modified later (EINVAL); the server never does. */
static int epoll_add_exclusive(skt_selector *sel, int fd, int events)
{
    struct epoll_state *st = sel->state;
    struct epoll_event ev = {.events = to_epoll(events) | EPOLLEXCLUSIVE};

    ev.data.u64 = (uint64_t)fd;
    return skt__sys_epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int epoll_modify(skt_selector *sel, int fd, int events)
{
    return control(sel, EPOLL_CTL_MOD, fd, events);
}

static void epoll_remove(skt_selector *sel, int fd)
{
    /* A closed fd has left the epoll set already (EBADF, or ENOENT after
     * its number was reused): either way it is not watched any more. */
    control(sel, EPOLL_CTL_DEL, fd, 0);
}

static int epoll_wait_ready(skt_selector *sel, int64_t timeout_ns)
{
    struct epoll_state *st = sel->state;
    int n, rc;

    /* Room for every registered fd and the wake-up fd, so one call
     * reports all that is ready, as Python's selector asks for. */
    rc = skt__grow((void **)&st->events, &st->events_cap, sel->count + 1,
                   sizeof *st->events);
    if (rc < 0)
        return rc;
    n = skt__sys_epoll_wait(st->epfd, st->events, sel->count + 1,
                            skt__ms_from_ns(timeout_ns));
    for (int i = 0; i < n; i++)
        skt__selector_report(sel, (int)st->events[i].data.u64,
                             from_epoll(st->events[i].events));
    return n;
}

static const struct skt__selector_backend epoll_backend = {
    .name = "epoll",
    .open = epoll_open,
    .close = epoll_close,
    .add = epoll_add,
    .add_exclusive = epoll_add_exclusive,
    .modify = epoll_modify,
    .remove = epoll_remove,
    .wait = epoll_wait_ready,
};

/* Linux has epoll, so it is the default. */
const struct skt__selector_backend *const skt__selector_default =
    &epoll_backend;
const struct skt__selector_backend *const skt__selector_native =
    &epoll_backend;
