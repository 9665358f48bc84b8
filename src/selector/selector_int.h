/*
 * selector_int.h - the small interface between the generic selector
 * (selector.c: keys, the ready array, deadlines, wake-up) and its
 * backends (poll.c and select.c here, epoll.c in src/linux/).
 *
 * A backend only tells the kernel which fds to watch and, when waiting,
 * hands each ready fd to skt__selector_report. Keys, data, EINTR and
 * deadlines are handled once, in selector.c. Which backend is the default
 * is the platform's choice, made in the platform's files.
 */
#ifndef SKT_SELECTOR_INT_H
#define SKT_SELECTOR_INT_H

#include "internal.h"

struct skt__selector_backend {
    const char *name;
    /* Creates sel->state and starts watching sel->wake_fd for reading. */
    int (*open)(skt_selector *sel);
    /* Frees sel->state and its fds. */
    void (*close)(skt_selector *sel);
    /* Starts watching fd; events are SKT_EVENT_* bits. */
    int (*add)(skt_selector *sel, int fd, int events);
    /* Optional: add, for an fd that selectors of other threads or
     * processes watch too, so that the kernel wakes one of them per event
     * rather than all (epoll's EPOLLEXCLUSIVE). NULL: add. */
    int (*add_exclusive)(skt_selector *sel, int fd, int events);
    /* Changes the events of a watched fd. */
    int (*modify)(skt_selector *sel, int fd, int events);
    /* Stops watching fd, which may have been closed already: the backend
     * forgets it whatever the kernel says. */
    void (*remove)(skt_selector *sel, int fd);
    /*
     * Waits up to timeout_ns (negative: without limit) and calls
     * skt__selector_report for each ready fd. Returns the number of fds
     * the kernel reported, or -errno (-EINTR included: selector.c retries).
     */
    int (*wait)(skt_selector *sel, int64_t timeout_ns);
};

/* The POSIX backends (src/selector/poll.c, select.c). */
SKT__HIDDEN extern const struct skt__selector_backend skt__selector_poll;
SKT__HIDDEN extern const struct skt__selector_backend skt__selector_select;

/*
 * The platform's backends: skt__selector_default is SKT_SELECTOR_DEFAULT's,
 * the platform's best, and skt__selector_native is the kernel-specific one
 * (SKT_SELECTOR_EPOLL on Linux), NULL where the platform has none. The
 * platform's files define both (src/linux/epoll.c: epoll for each;
 * src/posix/selector_posix.c: poll, and none).
 */
SKT__HIDDEN extern const struct skt__selector_backend
    *const skt__selector_default;
SKT__HIDDEN extern const struct skt__selector_backend
    *const skt__selector_native;

/* What the selector knows of one fd; the table is indexed by fd. */
struct skt__selector_slot {
    skt_selector_key key; /* key.events == 0: the slot is free */
    unsigned ready_round; /* the select round that last reported it */
    int ready_index;      /* its entry in the ready array in that round */
};

struct skt_selector {
    const struct skt__selector_backend *backend;
    void *state;
    struct skt__selector_slot *slots;
    int slots_len;
    int count;   /* registered fds */
    int sockets; /* of which registered with register_socket */
    int wake_fd;        /* the wake-up channel's end that is watched */
    int wake_signal_fd; /* and the end that is signalled (the same fd on
                         * Linux, a pipe's other end on POSIX) */
    skt_selector_ready *ready;
    int ready_len;
    int ready_cap;
    unsigned round;
};

/*
 * Called by a backend's wait for each fd the kernel reports, with the
 * events already mapped to SKT_EVENT_* (hang-ups and errors as both). The
 * wake-up fd is drained here; other fds are added to the ready array.
 */
SKT__HIDDEN void skt__selector_report(skt_selector *sel, int fd, int events);

/* The key of fd, or NULL when fd is not registered. */
SKT__HIDDEN const skt_selector_key *skt__selector_key(const skt_selector *sel,
                                                      int fd);

#endif
