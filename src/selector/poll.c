/*
 * poll.c - the poll backend of skt_selector: one pollfd array, the
 * wake-up fd first, and a table from fd to its place in the array so that
 * modify and remove need no search (remove moves the last entry into the
 * hole).
 */
#include "selector/selector_int.h"

#include <stdlib.h>
#include <time.h>

struct poll_state {
    struct pollfd *fds;
    int len;
    int cap;
    int *place; /* place[fd]: index of fd in fds */
    int place_cap;
};

static short to_poll(int events)
{
    return (short)(((events & SKT_EVENT_READ) ? POLLIN : 0) |
                   ((events & SKT_EVENT_WRITE) ? POLLOUT : 0));
}

/* POLLNVAL (a closed fd) is reported too, so that the caller's next call
 * on the fd says -EBADF instead of the fd going silent. */
static int from_poll(short revents)
{
    int result = 0;

    if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
        result |= SKT_EVENT_READ;
    if (revents & (POLLOUT | POLLHUP | POLLERR | POLLNVAL))
        result |= SKT_EVENT_WRITE;
    return result;
}

static int append(struct poll_state *st, int fd, int events)
{
    int rc = skt__grow((void **)&st->fds, &st->cap, st->len + 1,
                       sizeof *st->fds);

    if (rc == 0)
        rc = skt__grow((void **)&st->place, &st->place_cap, fd + 1,
                       sizeof *st->place);
    if (rc < 0)
        return rc;
    st->fds[st->len] = (struct pollfd){.fd = fd, .events = to_poll(events)};
    st->place[fd] = st->len++;
    return 0;
}

static int poll_open(skt_selector *sel)
{
    struct poll_state *st = calloc(1, sizeof *st);
    int rc;

    if (st == NULL)
        return -ENOMEM;
    rc = append(st, sel->wake_fd, SKT_EVENT_READ);
    if (rc < 0) {
        free(st->fds);
        free(st->place);
        free(st);
        return rc;
    }
    sel->state = st;
    return 0;
}

static void poll_close(skt_selector *sel)
{
    struct poll_state *st = sel->state;

    free(st->fds);
    free(st->place);
    free(st);
}

static int poll_add(skt_selector *sel, int fd, int events)
{
    /* poll itself would accept a closed fd and report POLLNVAL later;
     * refusing it now gives every backend the same answer as epoll. */
    int rc = skt__sys_fd_valid(fd);

    return rc < 0 ? rc : append(sel->state, fd, events);
}

static int poll_modify(skt_selector *sel, int fd, int events)
{
    struct poll_state *st = sel->state;

    st->fds[st->place[fd]].events = to_poll(events);
    return 0;
}

static void poll_remove(skt_selector *sel, int fd)
{
    struct poll_state *st = sel->state;
    int hole = st->place[fd];
    struct pollfd last = st->fds[--st->len];

    st->fds[hole] = last;
    st->place[last.fd] = hole;
}

static int poll_wait_ready(skt_selector *sel, int64_t timeout_ns)
{
    struct poll_state *st = sel->state;
    struct timespec ts, *limit = NULL;
    int n, left;

    if (timeout_ns >= 0) {
        ts = skt__timespec_from_ns(timeout_ns);
        limit = &ts;
    }
    n = skt__sys_poll(st->fds, (nfds_t)st->len, limit);
    left = n;
    /* The wake-up fd is drained inside report; nothing here changes the
     * array, so the walk can stop once every ready fd is seen. */
    for (int i = 0; i < st->len && left > 0; i++) {
        if (st->fds[i].revents == 0)
            continue;
        left--;
        skt__selector_report(sel, st->fds[i].fd,
                             from_poll(st->fds[i].revents));
    }
    return n;
}

const struct skt__selector_backend skt__selector_poll = {
    .name = "poll",
    .open = poll_open,
    .close = poll_close,
    .add = poll_add,
    .modify = poll_modify,
    .remove = poll_remove,
    .wait = poll_wait_ready,
};
