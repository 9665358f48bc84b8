/*
 * server_int.h - what the files of skt_server share: the server object,
 * the jobs of the blocking modes, and the entry points between server.c
 * (the object, the accept loop, shutdown and close), jobs.c (threads, pool
 * and children) and event.c (the event-driven mode).
 */
#ifndef SKT_SERVER_INT_H
#define SKT_SERVER_INT_H

#include "internal.h"

#include <pthread.h>
#include <sys/stat.h>

/*
 * Every object registered with the server's selector starts with one of
 * these, so that a ready key's data says what it is.
 */
enum skt__server_kind {
    SKT__KIND_LISTENER = 1,
    SKT__KIND_CONN,  /* an event-driven connection */
    SKT__KIND_CHILD, /* the pidfd of a forked child */
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

struct skt__event_state; /* event.c */

struct skt_server {
    skt_server_config cfg;
    int type;
    int limit; /* cfg.max_connections resolved: 0 for no limit */
    skt_socket *listener;
    skt_addr address;
    int listener_kind; /* SKT__KIND_LISTENER: the listener key's data */
    skt_selector *sel;
    bool listening; /* the listener is registered with sel */
    int64_t backoff_ns;
    int64_t backoff_until;
    int64_t last_request;
    int *stop;     /* shared with children in fork mode */
    int stop_here; /* where stop points otherwise */
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
    unsigned ended_seen; /* the count the accept back-off last saw */
    pthread_t *pool;
    int pool_started;
    bool pool_stopping;
    int unwatched_children; /* children without a pidfd: polled */
    unsigned char *datagram;
    struct skt__event_state *events;
    bool unix_file;
    struct stat unix_stat;
};

/* The server whose handler or hook this thread is running, if any. */
SKT__HIDDEN extern __thread skt_server *skt__server_current;

/* Reports code to the handle_error hook, if any, from this thread. */
SKT__HIDDEN void skt__server_error(skt_server *srv, const skt_addr *client,
                                   int code);
/* True once skt_server_shutdown was called. */
SKT__HIDDEN bool skt__server_stopping(const skt_server *srv);
/* True when the requests being served or queued have reached the limit
 * (max_connections, or the mode's default). */
SKT__HIDDEN bool skt__server_full(skt_server *srv);
/* Registers or unregisters the listener as the limits allow. */
SKT__HIDDEN void skt__server_update_listener(skt_server *srv, int64_t now);
/* The timeout of the next select: handle_timeout and accept back-off. */
SKT__HIDDEN int64_t skt__server_next_deadline(const skt_server *srv);
/* Calls handle_timeout when it is due. */
SKT__HIDDEN void skt__server_check_timeout(skt_server *srv, int64_t now);
/* Seconds until deadline for a select (SKT_BLOCKING for SKT__NEVER). */
SKT__HIDDEN double skt__server_wait_for(int64_t deadline, int64_t now);

/*
 * Accepts one connection from the non-blocking listener. Returns 0 with
 * *conn and *client, -EAGAIN when there is none left (accepting may have
 * been paused, after handle_error, for a lack of resources), or a code
 * that stops the server.
 */
SKT__HIDDEN int skt__server_accept(skt_server *srv, skt_socket **conn,
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

/* jobs.c: the blocking modes. */
SKT__HIDDEN int skt__server_dispatch(skt_server *srv, skt_socket *conn,
                                     const skt_addr *client,
                                     const void *data, size_t len);
SKT__HIDDEN void skt__server_child_ready(skt_server *srv,
                                         struct skt__job *job);
SKT__HIDDEN void skt__server_reap(skt_server *srv);
SKT__HIDDEN int skt__server_active(skt_server *srv);
SKT__HIDDEN void skt__server_drain(skt_server *srv);

/* event.c: the event-driven mode. */
SKT__HIDDEN int skt__server_event_loop(skt_server *srv);
SKT__HIDDEN void skt__server_event_close_all(skt_server *srv);

#endif
