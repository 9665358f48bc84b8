/*
 * selector.c - Python's selectors: the generic half of skt_selector. It
 * keeps the keys (a table indexed by fd, so every lookup is O(1)), the
 * ready array handed to the caller, the one deadline of a select with its
 * EINTR retries, and the platform's wake-up channel behind
 * skt_selector_wakeup (an eventfd on Linux, a self-pipe on POSIX). The
 * backends (src/linux/epoll.c, poll.c, select.c) only talk to the kernel; see
 * selector_int.h for their interface. The default backend is the
 * platform's: skt__selector_default.
 */
#include "selector/selector_int.h"
#include "sys_int.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#define VALID_EVENTS (SKT_EVENT_READ | SKT_EVENT_WRITE)

/* ------------------------------------------------------------------------ */
/* Creation                                                                 */
/* ------------------------------------------------------------------------ */

static const struct skt__selector_backend *pick_backend(int backend)
{
    switch (backend) {
    case SKT_SELECTOR_DEFAULT:
        return skt__selector_default;
    case SKT_SELECTOR_EPOLL:
        return skt__selector_native;
    case SKT_SELECTOR_POLL:
        return &skt__selector_poll;
    case SKT_SELECTOR_SELECT:
        return &skt__selector_select;
    default:
        return NULL;
    }
}

static int open_wakeup(skt_selector *sel)
{
    int fds[2];
    int rc = skt__sys_wakeup_open(fds);

    sel->wake_fd = fds[0];
    sel->wake_signal_fd = fds[1];
    return rc;
}

static void close_wakeup(skt_selector *sel)
{
    int fds[2] = {sel->wake_fd, sel->wake_signal_fd};
    skt__sys_wakeup_close(fds);
}

int skt_selector_new(skt_selector **out, skt_selector_backend backend)
{
    const struct skt__selector_backend *chosen = pick_backend((int)backend);
    skt_selector *sel;
    int rc;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    SKT__CHECK((unsigned)backend <= SKT_SELECTOR_SELECT,
               "unknown selector backend");
    if (chosen == NULL)
        return skt__fail(-ENOTSUP, "selector_new: backend %d is not on this "
                         "platform (%s)", (int)backend, SKT__PLATFORM_NAME);
    sel = calloc(1, sizeof *sel);
    if (sel == NULL)
        return skt__fail(-ENOMEM, "selector_new");
    sel->backend = chosen;
    rc = open_wakeup(sel);
    if (rc < 0) {
        free(sel);
        return skt__fail(rc, "selector_new: the wake-up channel");
    }
    rc = chosen->open(sel);
    if (rc < 0) {
        close_wakeup(sel);
        free(sel);
        return skt__fail(rc, "selector_new: %s backend", chosen->name);
    }
    *out = sel;
    return 0;
}

int skt_selector_close(skt_selector *sel)
{
    if (sel == NULL)
        return 0;
    sel->backend->close(sel);
    close_wakeup(sel);
    free(sel->slots);
    free(sel->ready);
    free(sel);
    return 0;
}

const char *skt_selector_backend_name(const skt_selector *sel)
{
    return sel != NULL ? sel->backend->name : "";
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */
/* ------------------------------------------------------------------------ */

const skt_selector_key *skt__selector_key(const skt_selector *sel, int fd)
{
    if (fd < 0 || fd >= sel->slots_len || sel->slots[fd].key.events == 0)
        return NULL;
    return &sel->slots[fd].key;
}

/* Makes the slot table reach fd, with every new slot free. */
static int reach_slot(skt_selector *sel, int fd)
{
    int old_len = sel->slots_len;
    int rc;

    if (fd < old_len)
        return 0;
    rc = skt__grow((void **)&sel->slots, &sel->slots_len, fd + 1,
                   sizeof *sel->slots);
    if (rc == 0)
        memset(sel->slots + old_len, 0,
               (size_t)(sel->slots_len - old_len) * sizeof *sel->slots);
    return rc;
}

/* The entry of fd in the last select's array, or NULL. */
static skt_selector_ready *ready_entry(skt_selector *sel, int fd)
{
    struct skt__selector_slot *slot = &sel->slots[fd];

    if (slot->ready_round != sel->round || slot->ready_index >= sel->ready_len)
        return NULL;
    if (sel->ready[slot->ready_index].key.fd != fd)
        return NULL;
    return &sel->ready[slot->ready_index];
}

static int register_key(skt_selector *sel, int fd, int events, void *data,
                        skt_socket *sock, bool exclusive)
{
    int rc;

    SKT__CHECK(sel != NULL && fd >= 0, "NULL selector or negative fd");
    if (events == 0 || (events & ~VALID_EVENTS) != 0)
        return skt__fail(-EINVAL, "selector register fd %d: invalid events "
                         "%#x", fd, (unsigned)events);
    if (skt__selector_key(sel, fd) != NULL || fd == sel->wake_fd ||
        fd == sel->wake_signal_fd)
        return skt__fail(-EEXIST, "selector register fd %d", fd);
    /* The ready array is not grown here: the caller may be walking it.
     * select makes room for every registered fd before it waits. */
    rc = reach_slot(sel, fd);
    if (rc == 0 && exclusive && sel->backend->add_exclusive != NULL)
        rc = sel->backend->add_exclusive(sel, fd, events);
    else if (rc == 0)
        rc = sel->backend->add(sel, fd, events);
    if (rc == -ERANGE)
        return skt__fail(rc, "selector register fd %d: the %s backend "
                         "cannot watch an fd >= FD_SETSIZE (%d); use epoll "
                         "or poll", fd, sel->backend->name, FD_SETSIZE);
    if (rc < 0)
        return skt__fail(rc, "selector register fd %d (%s)", fd,
                         sel->backend->name);
    sel->slots[fd].key = (skt_selector_key){fd, events, data, sock};
    sel->sockets += sock != NULL;
    /* A new registration has no entry in the last select's array, even
     * if an earlier one of the same fd number had. */
    sel->slots[fd].ready_round = sel->round - 1;
    sel->count++;
    return 0;
}

int skt_selector_register(skt_selector *sel, skt_os_socket fd, int events,
                          void *data)
{
    return register_key(sel, fd, events, data, NULL, false);
}

int skt_selector_register_socket(skt_selector *sel, skt_socket *s,
                                 int events, void *data)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    return register_key(sel, s->fd, events, data, s, false);
}

int skt__selector_register_exclusive(skt_selector *sel, skt_socket *s,
                                     int events, void *data)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    return register_key(sel, s->fd, events, data, s, true);
}

int skt_selector_modify(skt_selector *sel, skt_os_socket fd, int events,
                        void *data)
{
    skt_selector_key *key;
    skt_selector_ready *entry;
    int rc = 0;

    SKT__CHECK(sel != NULL, "selector is NULL");
    if (events == 0 || (events & ~VALID_EVENTS) != 0)
        return skt__fail(-EINVAL, "selector modify fd %d: invalid events "
                         "%#x", fd, (unsigned)events);
    key = (skt_selector_key *)skt__selector_key(sel, fd);
    if (key == NULL)
        return skt__fail(-ENOENT, "selector modify fd %d: not registered",
                         fd);
    /* A change of data alone needs no system call, as in Python. */
    if (events != key->events)
        rc = sel->backend->modify(sel, fd, events);
    if (rc < 0)
        return skt__fail(rc, "selector modify fd %d (%s)", fd,
                         sel->backend->name);
    key->events = events;
    key->data = data;
    entry = ready_entry(sel, fd);
    if (entry != NULL) {
        entry->key = *key;
        entry->events &= events;
    }
    return 0;
}

int skt_selector_unregister(skt_selector *sel, skt_os_socket fd)
{
    skt_selector_ready *entry;

    SKT__CHECK(sel != NULL, "selector is NULL");
    if (skt__selector_key(sel, fd) == NULL)
        return skt__fail(-ENOENT, "selector unregister fd %d: not "
                         "registered", fd);
    sel->backend->remove(sel, fd);
    /* The caller may free the data next: an entry still waiting in the
     * ready array must not lead anyone to it. */
    entry = ready_entry(sel, fd);
    if (entry != NULL)
        entry->events = 0;
    sel->sockets -= sel->slots[fd].key.sock != NULL;
    sel->slots[fd].key = (skt_selector_key){0};
    sel->count--;
    return 0;
}

int skt_selector_modify_socket(skt_selector *sel, const skt_socket *s,
                               int events, void *data)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    return skt_selector_modify(sel, s->fd, events, data);
}

int skt_selector_unregister_socket(skt_selector *sel, const skt_socket *s)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    return skt_selector_unregister(sel, s->fd);
}

int skt_selector_get_key(const skt_selector *sel, skt_os_socket fd,
                         skt_selector_key *key)
{
    const skt_selector_key *found;

    SKT__CHECK(sel != NULL && key != NULL, "NULL argument");
    found = skt__selector_key(sel, fd);
    if (found == NULL)
        return skt__fail(-ENOENT, "selector get_key fd %d: not registered",
                         fd);
    *key = *found;
    return 0;
}

int skt_selector_count(const skt_selector *sel)
{
    return sel != NULL ? sel->count : -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                  */
/* ------------------------------------------------------------------------ */

void skt__selector_report(skt_selector *sel, int fd, int events)
{
    struct skt__selector_slot *slot;

    if (fd == sel->wake_fd) {
        skt__sys_wakeup_drain(fd);
        return;
    }
    if (fd < 0 || fd >= sel->slots_len || sel->ready_len >= sel->ready_cap)
        return;
    slot = &sel->slots[fd];
    events &= slot->key.events;
    if (events == 0)
        return;
    /* An fd reported twice in a round (pending TLS bytes, then the
     * kernel) keeps one entry with both reports' events. */
    if (slot->ready_round == sel->round &&
        slot->ready_index < sel->ready_len) {
        sel->ready[slot->ready_index].events |= events;
        return;
    }
    slot->ready_round = sel->round;
    slot->ready_index = sel->ready_len;
    sel->ready[sel->ready_len++] = (skt_selector_ready){slot->key, events};
}

/*
 * Bytes a transport (TLS) has already decrypted never wake the kernel, so
 * such a socket is reported readable here, before any wait; the wait then
 * only polls. Returns the number reported.
 */
static int report_pending(skt_selector *sel)
{
    int found = 0;

    /* Raw fds have no transport, and without a TLS socket anywhere in
     * the process nothing can be pending: both skip the scan. */
    if (sel->sockets == 0 ||
        __atomic_load_n(&skt__buffering_transports, __ATOMIC_RELAXED) == 0)
        return 0;
    for (int fd = 0; fd < sel->slots_len; fd++) {
        const skt_selector_key *key = &sel->slots[fd].key;
        const skt_socket *s = key->sock;
        if (s == NULL || !(key->events & SKT_EVENT_READ) ||
            s->transport->pending == NULL || s->transport->pending(s) == 0)
            continue;
        skt__selector_report(sel, fd, SKT_EVENT_READ);
        found++;
    }
    return found;
}

/*
 * Waits under one deadline. A wait that ends early without any fd (EINTR,
 * or a backend whose resolution cut a very long timeout) goes on with the
 * time that remains; a wake-up counts as an fd, so it ends the wait.
 */
static int wait_until(skt_selector *sel, double timeout)
{
    int64_t deadline = timeout > 0 ? skt__deadline(timeout) : 0;
    /* Entries made before the wait (pending TLS bytes) are kept. */
    int base = sel->ready_len;

    for (;;) {
        int64_t remaining = timeout < 0 ? -1 : 0;
        int rc;

        if (timeout > 0) {
            remaining = deadline - skt__now();
            remaining = remaining > 0 ? remaining : 0;
        }
        rc = sel->backend->wait(sel, remaining);
        if (rc > 0 || (rc < 0 && rc != -EINTR))
            return rc;
        if (rc == 0 && remaining >= 0 && skt__now() >= deadline)
            return 0;
        sel->ready_len = base;
    }
}

int skt_selector_select(skt_selector *sel, double timeout,
                        const skt_selector_ready **ready)
{
    int rc;

    SKT__CHECK(sel != NULL && ready != NULL, "NULL argument");
    *ready = NULL;
    SKT__CHECK(!isnan(timeout), "the timeout is NaN");
    rc = skt__grow((void **)&sel->ready, &sel->ready_cap, sel->count + 1,
                   sizeof *sel->ready);
    if (rc < 0)
        return skt__fail(rc, "selector select");
    sel->round++;
    sel->ready_len = 0;
    if (report_pending(sel) > 0)
        timeout = 0;
    rc = wait_until(sel, timeout > SKT_TIMEOUT_MAX ? SKT_TIMEOUT_MAX
                                                    : timeout);
    *ready = sel->ready;
    if (rc < 0) {
        sel->ready_len = 0;
        return skt__fail(rc, "selector select (%s)", sel->backend->name);
    }
    return sel->ready_len;
}

int skt_selector_wakeup(skt_selector *sel)
{
    /* No detail is set here: this must stay async-signal-safe. */
    if (sel == NULL)
        return -EINVAL;
    return skt__sys_wakeup_signal(sel->wake_signal_fd);
}

/* ------------------------------------------------------------------------ */
/* In a forked child                                                        */
/* ------------------------------------------------------------------------ */

/* The backend of a selector that kept only its wake-up fd: it watches
 * nothing, and every request to watch or wait is refused. */
static int wake_only_add(skt_selector *sel, int fd, int events)
{
    (void)sel, (void)fd, (void)events;
    return -EBADF;
}

static void wake_only_forget(skt_selector *sel)
{
    (void)sel;
}

static void wake_only_remove(skt_selector *sel, int fd)
{
    (void)sel, (void)fd;
}

static int wake_only_wait(skt_selector *sel, int64_t timeout_ns)
{
    (void)sel, (void)timeout_ns;
    return -EBADF;
}

static const struct skt__selector_backend wake_only = {
    .name = "wake-up only",
    .close = wake_only_forget,
    .add = wake_only_add,
    .modify = wake_only_add,
    .remove = wake_only_remove,
    .wait = wake_only_wait,
};

void skt__selector_keep_only_wakeup(skt_selector *sel)
{
    /* A backend's close only closes and frees (epoll's never calls
     * EPOLL_CTL_DEL), so the parent's watch list is left as it was. */
    sel->backend->close(sel);
    sel->state = NULL;
    sel->backend = &wake_only;
    /* The child only signals: a pipe's watched end goes (one eventfd is
     * both ends, and stays). */
    if (sel->wake_fd != sel->wake_signal_fd) {
        skt__sys_close(sel->wake_fd);
        sel->wake_fd = -1;
    }
}
