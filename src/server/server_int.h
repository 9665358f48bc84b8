/*
 * server_int.h - what the files of skt_server share: the server object,
 * its loops (one per worker), the jobs of the blocking modes, and the entry
 * points between server.c (the accept loop, shutdown and close),
 * create.c (making and freeing the object), workers.c (the loops of the workers, their listeners, the
 * counters), drain.c (draining), jobs.c (threads, pool and children),
 * prefork.c (long-lived children), event.c (the event-driven mode) and
 * activate.c (socket activation).
 */
#ifndef SKT_SERVER_INT_H
#define SKT_SERVER_INT_H

#include "internal.h"

#include <pthread.h>
#include <sys/stat.h>

/*
 * Every object registered with a server's selector starts with one of
 * these, so that a ready key's data says what it is.
 */
enum skt__server_kind {
    SKT__KIND_LISTENER = 1,
    SKT__KIND_CONN,    /* an event-driven connection */
    SKT__KIND_CHILD,   /* the pidfd of a forked child */
    SKT__KIND_PREFORK, /* the pidfd of a prefork child */
    SKT__KIND_WAKE,    /* prefork children: the parent's call to stop */
    SKT__KIND_PARENT,  /* prefork children: the end of their parent */
};

/* One request in a blocking mode: a connection or a copied datagram,
 * served by a thread, a pool worker or a child. */
struct skt__job {
    int kind; /* SKT__KIND_CHILD while it waits on a pidfd */
    struct skt__job *prev, *next;
    skt_server *srv;
    skt_socket *conn; /* stream servers */
    skt_addr client;
    unsigned char *data; /* datagram servers: a copy of the datagram */
    size_t len;
    pthread_t thread;
    pid_t pid;
    int pidfd;
};

struct skt__job_list {
    struct skt__job *head, *tail;
    int len;
};

/*
 * One worker's counters (skt_server_stats), on a cache line of their own
 * so that workers never write to the same line. Each is written by its
 * worker alone (skt__count), or with an atomic add where several threads
 * of the blocking modes write.
 */
struct skt__counters {
    uint64_t connections;
    uint64_t refused;
    uint64_t requests;
    uint64_t wakeups;
    int open;
    int pid;
} __attribute__((aligned(64)));

/* srv->shared->drain: not asked, being set up by skt_server_drain, on. */
enum { SKT__DRAIN_NONE, SKT__DRAIN_STARTING, SKT__DRAIN_ON };

/*
 * What every thread and process of a server shares; in fork mode it lives
 * in a MAP_SHARED mapping, so that a child's shutdown reaches its parent
 * and a prefork child's counters reach skt_server_stats.
 */
struct skt__shared {
    int stop;
    int drain;
    int64_t drain_deadline; /* SKT__NEVER for none */
    int64_t last_request;   /* for handle_timeout */
    struct skt__counters counters[];
};

struct skt__event_state; /* event.c */

/*
 * One loop: serve_forever's, and with workers one per worker, each with
 * its selector, its listener (its own, or the server's shared with the
 * other loops) and, in SKT_SERVER_EVENTS, its connections.
 */
struct skt__loop {
    int listener_kind; /* SKT__KIND_LISTENER: the listener key's data */
    int index;
    skt_server *srv;
    skt_selector *sel;
    skt_socket *listener;
    bool own_listener; /* a listener of its own, closed with the server */
    bool exclusive;    /* the listener is shared with other loops */
    bool listening;    /* the listener is registered with sel */
    bool drained;      /* the loop has begun its part of a drain */
    int64_t backoff_ns;
    int64_t backoff_until;
    unsigned ended_seen; /* the count the accept back-off last saw */
    struct skt__event_state *events;
    struct skt__counters *counters;
    pthread_t thread;
    int rc;
};

struct skt__prefork; /* prefork.c */

struct skt_server {
    skt_server_config cfg;
    int type;
    int limit;         /* cfg.max_connections resolved: 0 for no limit */
    int batch;         /* cfg.accept_batch resolved */
    size_t high_water; /* cfg.output_high_water resolved */
    int workers;       /* cfg.workers resolved: loops or prefork children */
    skt_socket *listener; /* the first loop's */
    skt_addr address;
    skt_selector *sel;    /* the first loop's */
    struct skt__loop *loops; /* workers of them in SKT_SERVER_EVENTS */
    int loop_count;
    struct skt__shared *shared;
    size_t shared_size; /* > 0: shared is a mapping of this size */
    int *stop;          /* &shared->stop */
    bool serving;
    pthread_t serving_thread;
    pthread_mutex_t lock; /* guards the lists, active and serving */
    pthread_cond_t changed; /* a request ended, or serving stopped */
    pthread_cond_t work;    /* the pool's queue has a job */
    struct skt__job_list running;
    struct skt__job_list finished; /* threads to join */
    struct skt__job_list queue;    /* pool mode */
    int active;          /* atomic: requests being served or queued */
    unsigned ended;      /* atomic: requests finished */
    pthread_t *pool;
    int pool_started;
    bool pool_stopping;
    int unwatched_children; /* children without a pidfd: polled */
    unsigned char *datagram;
    struct skt__prefork *prefork; /* SKT_SERVER_FORK with workers */
    bool inherited;    /* skt_server_new_from_fd: the listener is given */
    /* prefork: the wake-up channel that stops the children (read end,
     * write end); -1 without */
    int children_wake[2];
    bool unix_file;
    struct stat unix_stat;
};

/* The server whose handler or hook this thread is running, if any. */
SKT__HIDDEN extern __thread skt_server *skt__server_current;

/* Adds one to a counter only its own worker writes: no atomic
 * read-modify-write, but a store another thread may read at any time. */
static inline void skt__count(uint64_t *counter)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
}

/* Reports code to the handle_error hook, if any, from this thread. */
SKT__HIDDEN void skt__server_error(skt_server *srv, const skt_addr *client,
                                   int code);
/* True once skt_server_shutdown was called. */
SKT__HIDDEN bool skt__server_stopping(const skt_server *srv);
/* True once skt_server_drain was called (and its listeners shut down). */
SKT__HIDDEN bool skt__server_drain_on(const skt_server *srv);
/* True when the requests being served or queued have reached the limit
 * (max_connections, or the mode's default). */
SKT__HIDDEN bool skt__server_full(skt_server *srv);
/* Registers or unregisters the loop's listener as the limits allow. */
SKT__HIDDEN void skt__server_update_listener(struct skt__loop *loop,
                                             int64_t now);
/* The timeout of the loop's next select: handle_timeout, accept back-off
 * and a drain's deadline. */
SKT__HIDDEN int64_t skt__server_next_deadline(const struct skt__loop *loop);
/* Calls handle_timeout when it is due (the first loop only). */
SKT__HIDDEN void skt__server_check_timeout(struct skt__loop *loop,
                                           int64_t now);
/* Notes a request for handle_timeout's clock. */
SKT__HIDDEN void skt__server_note_request(skt_server *srv, int64_t now);
/* Seconds until deadline for a select (SKT_BLOCKING for SKT__NEVER). */
SKT__HIDDEN double skt__server_wait_for(int64_t deadline, int64_t now);

/*
 * Accepts one connection from the loop's non-blocking listener. Returns 0
 * with *conn and *client, -EAGAIN when there is none left (accepting may
 * have been paused, after handle_error, for a lack of resources; or the
 * listener was shut down by a drain), or a code that stops the server.
 */
SKT__HIDDEN int skt__server_accept(struct skt__loop *loop, skt_socket **conn,
                                   skt_addr *client);
/* Receives one datagram into srv->datagram; the length, -EAGAIN, or a
 * code that stops the server. */
SKT__HIDDEN ssize_t skt__server_receive(skt_server *srv, skt_addr *client);
/* Runs verify_request; false means the request is dropped. */
SKT__HIDDEN bool skt__server_verify(skt_server *srv, skt_socket *conn,
                                    const skt_addr *client);
/* Drops a refused connection as Python's shutdown_request does:
 * shutdown(SHUT_WR) first, so the client reads a clean end of stream
 * before the close, not only a reset for its unread request. */
SKT__HIDDEN void skt__server_refuse(skt_socket *conn);
/*
 * The checks every accepted connection passes before it is served: when
 * the server is full and full_reply is set, the client is refused with
 * that reply; then verify_request. Counts what it refuses. True when the
 * connection is to be served; false when it was refused (and closed).
 */
SKT__HIDDEN bool skt__server_admit(struct skt__loop *loop, skt_socket *conn,
                                   const skt_addr *client);

/* create.c: frees the server and all it holds. */
SKT__HIDDEN void skt__server_free(skt_server *srv);

/* workers.c: the loops, their listeners, their threads, the counters. */
SKT__HIDDEN int skt__server_workers_of(const skt_server_config *cfg);
SKT__HIDDEN int skt__server_open_loops(skt_server *srv);
SKT__HIDDEN void skt__server_close_loops(skt_server *srv);
SKT__HIDDEN int skt__server_run_loops(skt_server *srv);
SKT__HIDDEN void skt__server_wake_all(skt_server *srv);
/* Whether the workers of a TCP server get a listener each
 * (SO_REUSEPORT), rather than sharing one (EPOLLEXCLUSIVE). */
SKT__HIDDEN bool skt__server_listener_per_worker(const skt_server *srv);
/* Benchmarks only: 1 a listener per worker, 0 one shared, -1 the choice
 * of skt__server_listener_per_worker. */
SKT__HIDDEN extern int skt__server_listeners_override;

/* drain.c: the drain of the blocking modes and its deadline. */
SKT__HIDDEN int64_t skt__server_drain_deadline(const skt_server *srv);
SKT__HIDDEN void skt__server_finish_blocking(skt_server *srv,
                                             int64_t deadline);
SKT__HIDDEN int64_t skt__server_close_deadline(const skt_server *srv);
SKT__HIDDEN void skt__server_remove_unix_file(skt_server *srv);
SKT__HIDDEN void skt__server_shut_listeners(skt_server *srv);

/* jobs.c: the blocking modes. */
SKT__HIDDEN int skt__server_dispatch(skt_server *srv, skt_socket *conn,
                                     const skt_addr *client,
                                     const void *data, size_t len);
SKT__HIDDEN void skt__server_run_job(skt_server *srv, skt_socket *conn,
                                     const skt_addr *client,
                                     const void *data, size_t len);
SKT__HIDDEN void skt__server_finish_conn(skt_socket *conn);
SKT__HIDDEN void skt__server_child_ready(skt_server *srv,
                                         struct skt__job *job);
SKT__HIDDEN void skt__server_reap(skt_server *srv);
SKT__HIDDEN int skt__server_active(skt_server *srv);
SKT__HIDDEN void skt__server_drain(skt_server *srv, int64_t deadline);

/* prefork.c: SKT_SERVER_FORK with workers. */
SKT__HIDDEN int skt__server_prefork_open(skt_server *srv);
SKT__HIDDEN int skt__server_prefork_serve(skt_server *srv);
SKT__HIDDEN void skt__server_prefork_finish(skt_server *srv,
                                            int64_t deadline);
SKT__HIDDEN void skt__server_prefork_free(skt_server *srv);

/* event.c: the event-driven mode. */
SKT__HIDDEN int skt__server_event_loop(struct skt__loop *loop);
SKT__HIDDEN void skt__server_event_close_all(struct skt__loop *loop);

#endif
