/*
 * workers.c - the loops of skt_server: one per worker in
 * SKT_SERVER_EVENTS (each with its selector, its thread and, for TCP, its
 * own SO_REUSEPORT listener), one otherwise; waking them all; running
 * them; and the counters behind skt_server_stats.
 *
 * How connections reach the workers is chosen in one place,
 * skt__server_listener_per_worker: a listener per worker (the kernel
 * hashes each new connection to one of them) or one listener that every
 * worker's selector watches with EPOLLEXCLUSIVE (the kernel wakes one
 * waiting worker per connection). A platform without EPOLLEXCLUSIVE
 * watches the shared listener plainly: every worker wakes, one accepts
 * and the others find nothing (EAGAIN), which is correct, only slower.
 */
#include "server/server_int.h"
#include "sys_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int skt__server_listeners_override = -1;

/* The CPUs online, as the pool's default size counts them. */
static int cpu_count(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    return online > 0 ? (int)online : 1;
}

int skt__server_workers_of(const skt_server_config *cfg)
{
    int n = cfg->workers == SKT_WORKERS_PER_CPU ? cpu_count() : cfg->workers;

    if (n > SKT_WORKERS_MAX)
        n = SKT_WORKERS_MAX;
    return n > 1 ? n : 1;
}

/*
 * A listener per worker for a TCP server of several event loops that
 * bound its own address (an inherited listener is one socket, and a Unix
 * socket has no SO_REUSEPORT), as measured by bench/server-workers: see
 * the header, "Workers", for the figures behind the choice. This relies
 * on Linux's SO_REUSEPORT, which spreads connections over the sockets
 * bound to a port; where the option only lets several sockets bind (the
 * BSDs, macOS), the platform says so (SKT__REUSEPORT_BALANCES 0) and the
 * answer is false.
 */
bool skt__server_listener_per_worker(const skt_server *srv)
{
    int family = srv->listener != NULL ? srv->listener->family : AF_UNSPEC;

    if (srv->cfg.mode != SKT_SERVER_EVENTS || srv->workers < 2 ||
        srv->type != SOCK_STREAM || srv->inherited)
        return false;
    if (srv->listener != NULL && family != AF_INET && family != AF_INET6)
        return false;
    if (skt__server_listeners_override >= 0)
        return skt__server_listeners_override == 1;
    return SKT__REUSEPORT_BALANCES != 0;
}

/* One more listener on the server's address, for one more worker. */
static int open_sibling(skt_server *srv, skt_socket **out)
{
    skt_socket *s;
    int rc = skt_open(&s, srv->listener->family, SOCK_STREAM, 0);

    if (rc < 0)
        return rc;
    rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR,
                            srv->cfg.reuse_address != SKT_REUSE_ADDRESS_OFF);
    if (rc == 0)
        rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEPORT, 1);
    if (rc == 0)
        rc = skt_bind(s, &srv->address);
    if (rc == 0)
        rc = skt_listen(s, srv->cfg.backlog > 0 ? srv->cfg.backlog
                                                : SKT_DEFAULT_BACKLOG);
    if (rc == 0)
        rc = skt_settimeout(s, 0);
    if (rc < 0) {
        skt_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Worker i > 0: a selector and a listener, its own or the shared one. */
static int open_worker(skt_server *srv, struct skt__loop *loop, bool own)
{
    int rc = skt_selector_new(&loop->sel, SKT_SELECTOR_DEFAULT);

    if (rc == 0 && own) {
        rc = open_sibling(srv, &loop->listener);
        loop->own_listener = rc == 0;
    } else if (rc == 0) {
        loop->listener = srv->listener;
    }
    loop->exclusive = !own;
    return rc;
}

int skt__server_open_loops(skt_server *srv)
{
    bool own = skt__server_listener_per_worker(srv);
    int rc = 0;

    srv->loops = calloc((size_t)srv->loop_count, sizeof *srv->loops);
    if (srv->loops == NULL)
        return -ENOMEM;
    for (int i = 0; i < srv->loop_count; i++) {
        struct skt__loop *loop = &srv->loops[i];
        loop->listener_kind = SKT__KIND_LISTENER;
        loop->index = i;
        loop->srv = srv;
        loop->counters = &srv->shared->counters[i];
    }
    srv->loops[0].sel = srv->sel;
    srv->loops[0].listener = srv->listener;
    srv->loops[0].exclusive = srv->loop_count > 1 && !own;
    for (int i = 1; i < srv->loop_count && rc == 0; i++)
        rc = open_worker(srv, &srv->loops[i], own);
    return rc;
}

void skt__server_close_loops(skt_server *srv)
{
    if (srv->loops == NULL)
        return;
    for (int i = 1; i < srv->loop_count; i++) {
        skt_selector_close(srv->loops[i].sel);
        if (srv->loops[i].own_listener)
            skt_close(srv->loops[i].listener);
    }
    free(srv->loops);
    srv->loops = NULL;
}

void skt__server_wake_all(skt_server *srv)
{
    /* The loops are fixed from skt_server_new on: reading them here is
     * safe in a signal handler. */
    for (int i = 0; i < srv->loop_count; i++)
        if (srv->loops[i].sel != NULL)
            skt_selector_wakeup(srv->loops[i].sel);
    if (srv->children_wake[1] >= 0)
        skt__sys_wakeup_signal(srv->children_wake[1]);
}

/* ------------------------------------------------------------------------ */
/* Running the loops                                                        */
/* ------------------------------------------------------------------------ */

static void *worker_main(void *arg)
{
    struct skt__loop *loop = arg;

    loop->rc = skt__server_event_loop(loop);
    /* A loop that fails stops the others: serve_forever returns its
     * error, as it would with one loop. */
    if (loop->rc < 0)
        skt_server_shutdown(loop->srv);
    return NULL;
}

/* Starts the threads of loops 1 to n - 1; returns how many started, and
 * the error of the first that did not in *rc. */
static int start_workers(skt_server *srv, int *rc)
{
    int started = 1;

    *rc = 0;
    while (started < srv->loop_count) {
        struct skt__loop *loop = &srv->loops[started];
        int err = pthread_create(&loop->thread, NULL, worker_main, loop);
        if (err != 0) {
            *rc = skt__fail(-err, "serve_forever: a thread for worker %d",
                            started);
            break;
        }
        started++;
    }
    return started;
}

int skt__server_run_loops(skt_server *srv)
{
    int rc, started = start_workers(srv, &rc);

    /* Without all its workers the server does not serve: the error is
     * reported, the ones started stop at once. */
    if (rc < 0)
        skt_server_shutdown(srv);
    srv->loops[0].rc = skt__server_event_loop(&srv->loops[0]);
    if (srv->loops[0].rc < 0)
        skt_server_shutdown(srv);
    for (int i = 1; i < started; i++)
        pthread_join(srv->loops[i].thread, NULL);
    for (int i = 0; i < started && rc == 0; i++)
        rc = srv->loops[i].rc;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Counters                                                                 */
/* ------------------------------------------------------------------------ */

static void read_counters(const struct skt__counters *c,
                          skt_server_worker_stats *out)
{
    out->connections = __atomic_load_n(&c->connections, __ATOMIC_RELAXED);
    out->refused = __atomic_load_n(&c->refused, __ATOMIC_RELAXED);
    out->requests = __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
    out->wakeups = __atomic_load_n(&c->wakeups, __ATOMIC_RELAXED);
    out->open = __atomic_load_n(&c->open, __ATOMIC_RELAXED);
    out->pid = __atomic_load_n(&c->pid, __ATOMIC_RELAXED);
}

int skt_server_stats(skt_server *srv, skt_server_worker_stats *out, int max)
{
    SKT__CHECK(srv != NULL && max >= 0 && (out != NULL || max == 0),
               "server_stats: NULL server, or no room for max entries");
    for (int i = 0; i < srv->workers && i < max; i++)
        read_counters(&srv->shared->counters[i], &out[i]);
    return srv->workers;
}
