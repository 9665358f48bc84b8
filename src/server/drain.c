/*
 * drain.c - skt_server_drain: the request (async-signal-safe: atomics,
 * shutdown(2), stat, unlink and eventfd writes only), and the end of the
 * blocking modes, whose handlers finish under a deadline: the drain's,
 * or close_timeout at skt_server_close. The event-driven mode drains its
 * connections in event.c.
 *
 * The listener is shut down, not closed, by the request itself: a
 * listening socket that is shut down stops listening at once, in every
 * process that holds it (prefork children too), and its port can be bound
 * again by a new server, while its fd stays valid for the loop that may
 * be waiting on it in another thread. That loop unregisters it on its next
 * turn (the request wakes it); the fd is closed with the server.
 */
#include "server/server_int.h"

#include <math.h>

bool skt__server_drain_on(const skt_server *srv)
{
    return __atomic_load_n(&srv->shared->drain, __ATOMIC_ACQUIRE) ==
           SKT__DRAIN_ON;
}

int64_t skt__server_drain_deadline(const skt_server *srv)
{
    return srv->shared->drain_deadline;
}

int64_t skt__server_close_deadline(const skt_server *srv)
{
    double seconds = srv->cfg.close_timeout;

    if (seconds < 0)
        return SKT__NEVER;
    return skt__deadline(seconds > 0 ? seconds : 5.0);
}

/* Every listener of a stream server stops listening. Done again by the
 * first loop when it sees the drain (harmless twice): a request from a
 * forked child's handler reaches no listener, the child having closed its
 * copy. */
void skt__server_shut_listeners(skt_server *srv)
{
    if (srv->type != SOCK_STREAM)
        return;
    for (int i = 0; i < srv->loop_count; i++)
        if (srv->loops[i].own_listener)
            skt__sys_shutdown(srv->loops[i].listener->fd, SHUT_RDWR);
    skt__sys_shutdown(srv->listener->fd, SHUT_RDWR);
    /* A Unix socket file would keep the path taken: a new server could
     * not bind it. */
    skt__server_remove_unix_file(srv);
}

int skt_server_drain(skt_server *srv, double deadline_seconds)
{
    int none = SKT__DRAIN_NONE;

    if (srv == NULL || isnan(deadline_seconds))
        return -EINVAL;
    /* The first request shuts the listeners down; a second one, perhaps
     * from a signal handler meanwhile, must not touch them again (their
     * fds may be closed by then). */
    if (!__atomic_compare_exchange_n(&srv->shared->drain, &none,
                                     SKT__DRAIN_STARTING, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 0;
    srv->shared->drain_deadline = skt__deadline(deadline_seconds);
    skt__server_shut_listeners(srv);
    __atomic_store_n(&srv->shared->drain, SKT__DRAIN_ON, __ATOMIC_RELEASE);
    skt__server_wake_all(srv);
    return 0;
}

bool skt_server_draining(const skt_server *srv)
{
    return srv != NULL && __atomic_load_n(&srv->shared->drain,
                                          __ATOMIC_ACQUIRE) != 0;
}

void skt__server_finish_blocking(skt_server *srv, int64_t deadline)
{
    if (srv->prefork != NULL)
        skt__server_prefork_finish(srv, deadline);
    else
        skt__server_drain(srv, deadline);
}
