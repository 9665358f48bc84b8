/*
 * server.c - Python's socketserver: the server object, its listener, the
 * loop of the blocking modes (a selector over the listener, so that a
 * shutdown wakes it at once instead of waiting out a poll interval),
 * accepting with a back-off when the process runs out of fds, the hooks,
 * shutdown and close. create.c makes and frees the object; the modes
 * live in jobs.c (threads, pool, children), prefork.c (long-lived
 * children) and event.c (event-driven); workers.c runs several loops,
 * drain.c drains; server_int.h is what they share.
 */
#include "server/server_int.h"

#include <string.h>

/* How often children without a pidfd are looked for. */
#define CHILD_LOOK (50 * SKT__MS)

__thread skt_server *skt__server_current;

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

void skt__server_error(skt_server *srv, const skt_addr *client, int code)
{
    skt_server *outer = skt__server_current;

    if (srv->cfg.handle_error == NULL)
        return;
    skt__server_current = srv;
    srv->cfg.handle_error(srv, client, code, srv->cfg.user);
    skt__server_current = outer;
}

void skt__server_refuse(skt_socket *conn)
{
    skt_shutdown(conn, SHUT_WR);
    skt_close(conn);
}

bool skt__server_verify(skt_server *srv, skt_socket *conn,
                        const skt_addr *client)
{
    bool ok;

    if (srv->cfg.verify_request == NULL)
        return true;
    skt__server_current = srv;
    ok = srv->cfg.verify_request(srv, conn, client, srv->cfg.user);
    skt__server_current = NULL;
    return ok;
}

/* A client refused because the server is full gets full_reply, in one
 * non-blocking send: it is a courtesy, never a wait. */
static void refuse_full(skt_server *srv, skt_socket *conn)
{
    size_t len = strlen(srv->cfg.full_reply);

    if (len > 0 && srv->cfg.tls == NULL)
        skt__sys_sendto(conn->fd, srv->cfg.full_reply, len, MSG_DONTWAIT,
                        NULL, 0);
    skt__server_refuse(conn);
}

bool skt__server_admit(struct skt__loop *loop, skt_socket *conn,
                       const skt_addr *client)
{
    skt_server *srv = loop->srv;

    /* Counted first: the client may see its end before the count. */
    if (srv->cfg.full_reply != NULL && skt__server_full(srv)) {
        skt__count(&loop->counters->refused);
        refuse_full(srv, conn);
        return false;
    }
    if (!skt__server_verify(srv, conn, client)) {
        skt__count(&loop->counters->refused);
        skt__server_refuse(conn);
        return false;
    }
    skt__count(&loop->counters->connections);
    return true;
}

void skt__server_note_request(skt_server *srv, int64_t now)
{
    /* Only handle_timeout reads it: without one, the workers do not
     * write to a shared line on every connection. */
    if (srv->cfg.handle_timeout != NULL && srv->cfg.timeout > 0)
        __atomic_store_n(&srv->shared->last_request, now, __ATOMIC_RELAXED);
}

void skt__server_check_timeout(struct skt__loop *loop, int64_t now)
{
    skt_server *srv = loop->srv;
    int64_t last;

    if (loop->index != 0 || srv->cfg.handle_timeout == NULL ||
        !(srv->cfg.timeout > 0))
        return;
    last = __atomic_load_n(&srv->shared->last_request, __ATOMIC_RELAXED);
    if (now < last + skt__ns_from_seconds(srv->cfg.timeout))
        return;
    skt__server_note_request(srv, now);
    skt__server_current = srv;
    srv->cfg.handle_timeout(srv, srv->cfg.user);
    skt__server_current = NULL;
}

/* ------------------------------------------------------------------------ */
/* Accepting and receiving                                                  */
/* ------------------------------------------------------------------------ */

/* Out of fds or memory: accepting again at once would spin on the same
 * error, so the listener rests, and handle_error hears of it. */
static void back_off(struct skt__loop *loop, int code)
{
    char text[SKT_ADDRSTRLEN];
    int64_t now = skt__now();

    /* The back-off of skt_accept_retry: 10 ms, doubling up to 1 s. */
    loop->backoff_ns = skt__accept_backoff_next(loop->backoff_ns);
    loop->backoff_until = now + loop->backoff_ns;
    skt__fail(code, "accept on %s (accepting again within %lld ms)",
              skt__addr_text(&loop->srv->address, text, sizeof text),
              (long long)(loop->backoff_ns / SKT__MS));
    skt__server_error(loop->srv, NULL, code);
    skt__server_update_listener(loop, now);
}

int skt__server_accept(struct skt__loop *loop, skt_socket **conn,
                       skt_addr *client)
{
    skt_server *srv = loop->srv;
    skt_socket *l = loop->listener;
    /* Event-driven connections are born non-blocking: no fcntl later. */
    int flags = srv->cfg.mode == SKT_SERVER_EVENTS ? SOCK_NONBLOCK : 0;
    int fd, rc;

    do {
        client->len = sizeof client->u;
        fd = skt__sys_accept(l->fd, &client->u.sa, &client->len, flags);
    } while (fd < 0 && skt__accept_error_transient(fd));
    /* A drain shuts the listener down under the loop's feet (the flag
     * says so from before the shutdown on): accept then fails (EINVAL),
     * which only means that accepting is over. */
    if (fd == -EAGAIN ||
        (fd < 0 && __atomic_load_n(&srv->shared->drain, __ATOMIC_ACQUIRE)))
        return -EAGAIN;
    if (fd < 0 && skt__accept_error_exhausted(fd)) {
        back_off(loop, fd);
        return -EAGAIN;
    }
    if (fd < 0)
        return skt__fail(fd, "accept on the server's listener");
    /* The same address skt_accept would give (e.g. an unnamed Unix
     * client has an empty one). */
    skt__addr_from_kernel(client, client->len);
    loop->backoff_ns = 0;
    rc = skt__socket_new(conn, fd, l->family, l->type | flags, l->proto);
    if (rc < 0) {
        skt__sys_close(fd);
        back_off(loop, rc);
        return -EAGAIN;
    }
    return 0;
}

ssize_t skt__server_receive(skt_server *srv, skt_addr *client)
{
    ssize_t n;

    do {
        client->len = sizeof client->u;
        n = skt__sys_recvfrom(srv->listener->fd, srv->datagram,
                              srv->cfg.max_datagram, 0, &client->u.sa,
                              &client->len);
    } while (n == -EINTR);
    if (n >= 0)
        skt__addr_from_kernel(client, client->len);
    if (n >= 0 || n == -EAGAIN)
        return n;
    /* A datagram socket reports here the ICMP errors of earlier replies
     * (ECONNREFUSED...): they concern one client, not the server. */
    if (skt__accept_error_transient((int)n) ||
        skt__accept_error_exhausted((int)n) || n == -ECONNREFUSED)
        return -EAGAIN;
    return skt__fail((int)n, "recvfrom on the server's socket");
}

/* ------------------------------------------------------------------------ */
/* The listener and the loop's timers                                       */
/* ------------------------------------------------------------------------ */

bool skt__server_full(skt_server *srv)
{
    return srv->limit > 0 && skt__server_active(srv) >= srv->limit;
}

static int watch_listener(struct skt__loop *loop)
{
    /* A listener several loops (or children) wait on wakes one of them
     * per connection, not all. */
    if (loop->exclusive)
        return skt__selector_register_exclusive(loop->sel, loop->listener,
                                                SKT_EVENT_READ,
                                                &loop->listener_kind);
    return skt_selector_register_socket(loop->sel, loop->listener,
                                        SKT_EVENT_READ, &loop->listener_kind);
}

void skt__server_update_listener(struct skt__loop *loop, int64_t now)
{
    skt_server *srv = loop->srv;
    unsigned ended = __atomic_load_n(&srv->ended, __ATOMIC_ACQUIRE);
    bool want;

    /* A request that ended freed an fd: no need to wait out a back-off. */
    if (ended != loop->ended_seen) {
        loop->ended_seen = ended;
        loop->backoff_until = 0;
    }
    /* When full, a server that refuses keeps accepting to refuse. */
    want = !skt__server_stopping(srv) && !skt__server_drain_on(srv) &&
           now >= loop->backoff_until &&
           (srv->cfg.full_reply != NULL || !skt__server_full(srv));
    if (want == loop->listening)
        return;
    if (want)
        loop->listening = watch_listener(loop) == 0;
    else
        loop->listening = skt_selector_unregister_socket(
                              loop->sel, loop->listener) != 0;
}

int64_t skt__server_next_deadline(const struct skt__loop *loop)
{
    const skt_server *srv = loop->srv;
    int64_t deadline = SKT__NEVER;

    if (loop->index == 0 && srv->cfg.handle_timeout != NULL &&
        srv->cfg.timeout > 0)
        deadline = __atomic_load_n(&srv->shared->last_request,
                                   __ATOMIC_RELAXED) +
                   skt__ns_from_seconds(srv->cfg.timeout);
    if (!loop->listening && loop->backoff_until > 0 &&
        loop->backoff_until < deadline)
        deadline = loop->backoff_until;
    if (loop->drained && srv->shared->drain_deadline < deadline)
        deadline = srv->shared->drain_deadline;
    return deadline;
}

double skt__server_wait_for(int64_t deadline, int64_t now)
{
    if (deadline == SKT__NEVER)
        return SKT_BLOCKING;
    return deadline > now ? skt__seconds_from_ns(deadline - now) : 0.0;
}

/* ------------------------------------------------------------------------ */
/* The loop of the blocking modes                                           */
/* ------------------------------------------------------------------------ */

static bool taking(const skt_server *srv)
{
    return !skt__server_stopping(srv) && !skt__server_drain_on(srv);
}

static int accept_ready(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;

    for (int i = 0; i < srv->batch && taking(srv); i++) {
        skt_socket *conn;
        skt_addr client;
        int rc = skt__server_accept(loop, &conn, &client);

        if (rc == -EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        skt__server_note_request(srv, skt__now());
        if (!skt__server_admit(loop, conn, &client))
            continue;
        skt__count(&loop->counters->requests);
        skt__server_dispatch(srv, conn, &client, NULL, 0);
        if (skt__server_full(srv) && srv->cfg.full_reply == NULL)
            return 0;
    }
    return 0;
}

static int receive_ready(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;

    for (int i = 0; i < srv->batch && taking(srv); i++) {
        skt_addr client;
        ssize_t n = skt__server_receive(srv, &client);

        if (n == -EAGAIN)
            return 0;
        if (n < 0)
            return (int)n;
        skt__server_note_request(srv, skt__now());
        if (skt__server_verify(srv, srv->listener, &client)) {
            skt__count(&loop->counters->requests);
            skt__server_dispatch(srv, NULL, &client, srv->datagram,
                                 (size_t)n);
        } else {
            skt__count(&loop->counters->refused);
        }
        if (skt__server_full(srv))
            return 0;
    }
    return 0;
}

static int serve_turn(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;
    const skt_selector_ready *ready;
    int64_t now = skt__now();
    int64_t deadline;
    int n, rc = 0;

    skt__server_reap(srv);
    skt__server_update_listener(loop, now);
    deadline = skt__server_next_deadline(loop);
    /* Children without a pidfd are looked for now and then. */
    if (srv->unwatched_children > 0 && deadline > now + CHILD_LOOK)
        deadline = now + CHILD_LOOK;
    n = skt_selector_select(loop->sel, skt__server_wait_for(deadline, now),
                            &ready);
    if (n < 0)
        return n;
    skt__count(&loop->counters->wakeups);
    for (int i = 0; i < n && rc == 0; i++) {
        int kind = ready[i].events != 0 ? *(int *)ready[i].key.data : 0;
        if (kind == SKT__KIND_CHILD)
            skt__server_child_ready(srv, ready[i].key.data);
        else if (kind == SKT__KIND_LISTENER)
            rc = srv->type == SOCK_STREAM ? accept_ready(loop)
                                          : receive_ready(loop);
    }
    if (rc == 0)
        skt__server_check_timeout(loop, skt__now());
    return rc;
}

static int serve_blocking(skt_server *srv)
{
    struct skt__loop *loop = &srv->loops[0];
    int rc = 0;

    while (rc == 0 && taking(srv))
        rc = serve_turn(loop);
    if (rc == 0 && skt__server_drain_on(srv)) {
        /* The listener leaves the selector; the handlers finish. */
        skt__server_shut_listeners(srv);
        skt__server_update_listener(loop, skt__now());
        skt__server_finish_blocking(srv, skt__server_drain_deadline(srv));
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Serving, shutting down, closing                                          */
/* ------------------------------------------------------------------------ */

bool skt__server_stopping(const skt_server *srv)
{
    return __atomic_load_n(srv->stop, __ATOMIC_ACQUIRE) != 0;
}

static int serve(skt_server *srv)
{
    if (srv->prefork != NULL)
        return skt__server_prefork_serve(srv);
    if (srv->cfg.mode == SKT_SERVER_EVENTS && srv->type == SOCK_STREAM)
        return skt__server_run_loops(srv);
    return serve_blocking(srv);
}

int skt_server_serve_forever(skt_server *srv)
{
    int rc;

    SKT__CHECK(srv != NULL, "server is NULL");
    pthread_mutex_lock(&srv->lock);
    rc = srv->serving ? -EBUSY : 0;
    srv->serving = true;
    srv->serving_thread = pthread_self();
    pthread_mutex_unlock(&srv->lock);
    if (rc < 0)
        return skt__fail(rc, "serve_forever: the server is already serving");
    skt__server_note_request(srv, skt__now());
    rc = serve(srv);
    pthread_mutex_lock(&srv->lock);
    srv->serving = false;
    __atomic_store_n(srv->stop, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&srv->changed);
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

int skt_server_shutdown(skt_server *srv)
{
    /* A flag and eventfd writes: safe in a signal handler and in a
     * forked child, and it never waits, so it cannot deadlock. */
    if (srv == NULL)
        return -EINVAL;
    __atomic_store_n(srv->stop, 1, __ATOMIC_RELEASE);
    skt__server_wake_all(srv);
    return 0;
}

int skt_server_close(skt_server *srv)
{
    int64_t deadline;

    if (srv == NULL)
        return 0;
    if (skt__server_current == srv)
        return skt__fail(-EBUSY, "server_close from inside one of the "
                         "server's own handlers");
    skt_server_shutdown(srv);
    pthread_mutex_lock(&srv->lock);
    while (srv->serving)
        pthread_cond_wait(&srv->changed, &srv->lock);
    pthread_mutex_unlock(&srv->lock);
    for (int i = 0; i < srv->loop_count; i++)
        if (srv->loops[i].listening)
            skt_selector_unregister_socket(srv->loops[i].sel,
                                           srv->loops[i].listener);
    deadline = skt__server_close_deadline(srv);
    skt__server_finish_blocking(srv, deadline);
    for (int i = 0; i < srv->loop_count; i++)
        skt__server_event_close_all(&srv->loops[i]);
    skt__server_free(srv);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Accessors                                                                */
/* ------------------------------------------------------------------------ */

int skt_server_address(const skt_server *srv, skt_addr *out)
{
    SKT__CHECK(srv != NULL && out != NULL, "NULL argument");
    *out = srv->address;
    return 0;
}

skt_socket *skt_server_socket(skt_server *srv)
{
    return srv != NULL ? srv->listener : NULL;
}

void *skt_server_user(const skt_server *srv)
{
    return srv != NULL ? srv->cfg.user : NULL;
}

int skt_server_connections(skt_server *srv)
{
    int open = 0;

    if (srv == NULL)
        return -EINVAL;
    if (srv->prefork == NULL)
        return skt__server_active(srv);
    for (int i = 0; i < srv->workers; i++)
        open += __atomic_load_n(&srv->shared->counters[i].open,
                                __ATOMIC_RELAXED);
    return open;
}
