/*
 * event.c - the event-driven mode of skt_server, the multiconn server of
 * the Python HOWTO grown up: a loop per worker, each with its selector and
 * its non-blocking connections, each connection with its handler's state,
 * an output buffer (a struct skt__buf, which allocates only when a send is
 * left over) and an idle clock.
 *
 * The path of a request is kept to what the kernel needs: one epoll_wait
 * for many connections, then per connection the handler's recv and one
 * send. Interest is changed in the selector (epoll_ctl) only when it
 * really changes: output left over, reading paused, a close pending. The
 * connections of a loop form a list ordered by last activity, so finding
 * the idle ones costs nothing per event and O(1) per expiry. A loop
 * touches no other loop's memory: a connection is its loop's alone.
 */
#include "server/server_int.h"

#include <stdlib.h>

/* Packed to 16 bytes before the first pointer: thousands of these are
 * what an idle server holds. */
struct skt_server_conn {
    int kind; /* SKT__KIND_CONN: the key data's tag */
    short want; /* events the handler asked for */
    short interest; /* events registered in the selector; 0: none */
    bool closing;
    bool opened;      /* on_open accepted it, so on_close is owed */
    bool handshaking; /* TLS: on_open waits for the handshake */
    bool busy;        /* skt_server_conn_busy: a request in progress */
    bool peer_ended;  /* skt_server_conn_recv read the end of stream */
    skt_socket *sock;
    struct skt__loop *loop; /* its worker's; loop->srv is the server */
    void *state;
    struct skt__buf out; /* the output the socket did not take yet */
    int64_t last_active;
    struct skt_server_conn *prev, *next;
    skt_addr client;
};

struct skt__event_state {
    skt_server_conn *head, *tail; /* least recently active first */
    skt_server_conn *current;     /* whose callback is running */
    int64_t now;                  /* read once per wake-up, when needed */
    int64_t idle_ns;
};

/* ------------------------------------------------------------------------ */
/* The list of connections                                                  */
/* ------------------------------------------------------------------------ */

static void link_conn(struct skt__event_state *ev, skt_server_conn *conn)
{
    conn->next = NULL;
    conn->prev = ev->tail;
    if (ev->tail != NULL)
        ev->tail->next = conn;
    else
        ev->head = conn;
    ev->tail = conn;
}

static void unlink_conn(struct skt__event_state *ev, skt_server_conn *conn)
{
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        ev->head = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    else
        ev->tail = conn->prev;
}

/* Marks activity: the connection moves to the end of the idle order. */
static void touch(struct skt__event_state *ev, skt_server_conn *conn)
{
    if (ev->idle_ns == 0)
        return;
    conn->last_active = ev->now;
    if (ev->tail != conn) {
        unlink_conn(ev, conn);
        link_conn(ev, conn);
    }
}

static size_t pending(const skt_server_conn *conn)
{
    return skt__buf_len(&conn->out);
}

/* Over TLS a non-blocking send says "would block" with SKT_EWANT*. */
static bool would_block(ssize_t rc)
{
    return rc == -EAGAIN || rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE;
}

/* The events a TLS "in progress" code waits for. */
static int tls_events(int rc)
{
    return rc == SKT_EWANTWRITE ? SKT_EVENT_WRITE : SKT_EVENT_READ;
}

/* ------------------------------------------------------------------------ */
/* Interest, output, closing                                                */
/* ------------------------------------------------------------------------ */

static int update_interest(skt_server_conn *conn)
{
    skt_selector *sel = conn->loop->sel;
    int want = conn->want, fd = conn->sock->fd, rc;

    if (pending(conn) > conn->loop->srv->high_water)
        want &= ~SKT_EVENT_READ;
    if (pending(conn) > 0)
        want |= SKT_EVENT_WRITE;
    /* A closing connection is woken by writability to finish. */
    if (conn->closing)
        want = SKT_EVENT_WRITE;
    if (want == conn->interest)
        return 0;
    if (want == 0)
        rc = skt_selector_unregister(sel, fd);
    else if (conn->interest == 0)
        rc = skt_selector_register_socket(sel, conn->sock, want, conn);
    else
        rc = skt_selector_modify(sel, fd, want, conn);
    if (rc == 0)
        conn->interest = want;
    return rc;
}

/* A connection ended: when the server was full and paused accepting, the
 * other workers, which wait without their listener, are told. */
static void count_close(skt_server *srv, struct skt__loop *loop)
{
    int before = __atomic_fetch_sub(&srv->active, 1, __ATOMIC_RELEASE);

    __atomic_add_fetch(&srv->ended, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&loop->counters->open, loop->counters->open - 1,
                     __ATOMIC_RELAXED);
    if (srv->limit > 0 && before == srv->limit && srv->loop_count > 1 &&
        srv->cfg.full_reply == NULL)
        for (int i = 0; i < srv->loop_count; i++)
            if (&srv->loops[i] != loop)
                skt_selector_wakeup(srv->loops[i].sel);
}

static void close_conn(skt_server_conn *conn, int reason)
{
    skt_server *srv = conn->loop->srv;

    if (reason < 0)
        skt__server_error(srv, &conn->client, reason);
    if (reason == SKT_SERVER_CLOSED_BY_PROGRAM && conn->peer_ended)
        reason = SKT_SERVER_CLOSED_BY_PEER;
    if (conn->interest != 0)
        skt_selector_unregister(conn->loop->sel, conn->sock->fd);
    unlink_conn(conn->loop->events, conn);
    count_close(srv, conn->loop);
    if (conn->opened && srv->cfg.on_close != NULL) {
        skt__server_current = srv;
        srv->cfg.on_close(conn, reason, conn->state);
        skt__server_current = NULL;
    }
    skt_close(conn->sock);
    skt__buf_free(&conn->out);
    free(conn);
}

/* Sends what the buffer holds, as far as the socket takes it. The
 * storage stays for the next time: a connection that once had to buffer
 * is likely to again. */
static int flush(skt_server_conn *conn)
{
    struct skt__buf *out = &conn->out;

    while (skt__buf_len(out) > 0) {
        ssize_t n = skt_send(conn->sock, out->data + out->start,
                             skt__buf_len(out), 0);
        if (would_block(n))
            return 0;
        if (n < 0)
            return (int)n;
        skt__buf_consume(out, (size_t)n);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Draining                                                                 */
/* ------------------------------------------------------------------------ */

/* Whether the client has sent something the handler has not read yet (or
 * ended the stream, or the connection failed: the handler is to see that
 * too). Only a drain asks, once per event. */
static bool input_waiting(const skt_server_conn *conn)
{
    const skt_socket *s = conn->sock;
    char byte;

    if (s->transport->pending != NULL && s->transport->pending(s) > 0)
        return true;
    return skt__sys_recvfrom(s->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT, NULL,
                             NULL) != -EAGAIN;
}

/* During a drain, a connection that has finished is closed: its output
 * sent, nothing waiting to be read, no request in progress. */
static void drain_conn(skt_server_conn *conn)
{
    if (conn->closing || conn->busy || conn->handshaking ||
        pending(conn) > 0 || input_waiting(conn))
        return;
    close_conn(conn, SKT_SERVER_CLOSED_DRAINED);
}

/* The loop's part of a drain: the listener leaves the selector (the
 * first loop shuts the listeners down again, for a request that came
 * from a forked child), and the connections that are idle now close. */
static void begin_drain(struct skt__loop *loop)
{
    skt_server_conn *conn = loop->events->head;

    loop->drained = true;
    if (loop->index == 0)
        skt__server_shut_listeners(loop->srv);
    skt__server_update_listener(loop, 0);
    while (conn != NULL) {
        skt_server_conn *next = conn->next;
        drain_conn(conn);
        conn = next;
    }
}

static void force_all(struct skt__loop *loop)
{
    char text[SKT_ADDRSTRLEN];

    while (loop->events->head != NULL) {
        skt_server_conn *conn = loop->events->head;
        skt__fail(-ETIMEDOUT, "connection from %s still open at the "
                  "drain's deadline",
                  skt__addr_text(&conn->client, text, sizeof text));
        close_conn(conn, SKT_SERVER_CLOSED_FORCED);
    }
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

static int call_handler(skt_server_conn *conn, int events)
{
    skt_server *srv = conn->loop->srv;
    int mine = events & conn->want, rc;

    if (pending(conn) > srv->high_water)
        mine &= ~SKT_EVENT_READ;
    if (mine == 0)
        return 0;
    skt__count(&conn->loop->counters->requests);
    skt__server_current = srv;
    rc = srv->cfg.on_event(conn, mine, conn->state);
    skt__server_current = NULL;
    if (rc > 0) {
        conn->closing = true;
        rc = 0;
    }
    return rc;
}

static void start_conn(skt_server_conn *conn);

/* One more step of a TLS handshake; when it completes, on_open. */
static void continue_handshake(skt_server_conn *conn)
{
    int rc = skt_tls_handshake(conn->sock);

    if (rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE) {
        conn->want = tls_events(rc);
        rc = update_interest(conn);
        if (rc < 0)
            close_conn(conn, rc);
        return;
    }
    if (rc < 0) {
        close_conn(conn, rc);
        return;
    }
    conn->handshaking = false;
    conn->want = SKT_EVENT_READ;
    touch(conn->loop->events, conn);
    start_conn(conn);
}

static void conn_ready(skt_server_conn *conn, int events)
{
    struct skt__event_state *ev = conn->loop->events;
    int rc = 0;

    /* A handshake is not activity: idle_timeout bounds it from accept,
     * so a peer trickling bytes cannot hold it open. */
    if (conn->handshaking) {
        continue_handshake(conn);
        return;
    }
    touch(ev, conn);
    ev->current = conn;
    if ((events & SKT_EVENT_WRITE) && pending(conn) > 0)
        rc = flush(conn);
    if (rc == 0 && !conn->closing)
        rc = call_handler(conn, events);
    ev->current = NULL;
    if (rc == 0 && conn->closing && pending(conn) == 0)
        close_conn(conn, SKT_SERVER_CLOSED_BY_PROGRAM);
    else if (rc < 0 || (rc = update_interest(conn)) < 0)
        close_conn(conn, rc);
    else if (conn->loop->drained)
        drain_conn(conn);
}

static void open_conn(struct skt__loop *loop, skt_socket *sock,
                      const skt_addr *client)
{
    skt_server *srv = loop->srv;
    skt_server_conn *conn = calloc(1, sizeof *conn);
    int rc;

    /* The socket is non-blocking already (accept4 with SOCK_NONBLOCK). */
    if (conn == NULL) {
        skt__server_error(srv, client,
                          skt__fail(-ENOMEM, "a new connection"));
        skt_close(sock);
        return;
    }
    *conn = (skt_server_conn){.kind = SKT__KIND_CONN, .want = SKT_EVENT_READ,
                              .sock = sock, .loop = loop,
                              .client = *client,
                              .last_active = loop->events->now};
    link_conn(loop->events, conn);
    __atomic_add_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&loop->counters->open, loop->counters->open + 1,
                     __ATOMIC_RELAXED);
    if (srv->cfg.tls != NULL) {
        /* The handshake runs step by step on readiness, as any other
         * I/O here; on_open comes when it completes. */
        rc = skt_tls_wrap(sock, srv->cfg.tls, NULL, true);
        conn->handshaking = rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE;
        if (conn->handshaking) {
            conn->want = tls_events(rc);
            rc = update_interest(conn);
        }
        if (rc < 0)
            close_conn(conn, rc);
        if (rc < 0 || conn->handshaking)
            return;
    }
    start_conn(conn);
}

/* Hands a connection (its handshake done, if any) to on_open. */
static void start_conn(skt_server_conn *conn)
{
    skt_server *srv = conn->loop->srv;
    struct skt__event_state *ev = conn->loop->events;
    int rc;

    ev->current = conn;
    skt__server_current = srv;
    rc = srv->cfg.on_open != NULL ? srv->cfg.on_open(conn, srv->cfg.user) : 0;
    skt__server_current = NULL;
    ev->current = NULL;
    /* A refused connection never opened, so it gets no on_close. */
    conn->opened = rc >= 0;
    if (rc >= 0)
        rc = update_interest(conn);
    if (rc < 0)
        close_conn(conn, rc);
    else if (conn->loop->drained)
        drain_conn(conn);
}

static int accept_conns(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;

    for (int i = 0; i < srv->batch && !skt__server_stopping(srv) &&
                    !skt__server_drain_on(srv);
         i++) {
        skt_socket *sock;
        skt_addr client;
        int rc = skt__server_accept(loop, &sock, &client);

        if (rc == -EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        skt__server_note_request(srv, loop->events->now);
        if (!skt__server_admit(loop, sock, &client))
            continue;
        open_conn(loop, sock, &client);
        if (skt__server_full(srv) && srv->cfg.full_reply == NULL)
            return 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

static void expire_idle(struct skt__loop *loop, int64_t now)
{
    struct skt__event_state *ev = loop->events;
    char text[SKT_ADDRSTRLEN];

    while (ev->head != NULL && ev->head->last_active + ev->idle_ns <= now) {
        skt_server_conn *conn = ev->head;
        skt__fail(-ETIMEDOUT, "connection from %s idle for %g s",
                  skt__addr_text(&conn->client, text, sizeof text),
                  loop->srv->cfg.idle_timeout);
        close_conn(conn, -ETIMEDOUT);
    }
}

/* The clock is read only when a timer is set, so that a plain echo
 * server pays nothing for timers it does not use. */
static bool timers_on(const struct skt__loop *loop)
{
    const skt_server *srv = loop->srv;

    return loop->events->idle_ns > 0 || loop->backoff_until > 0 ||
           (loop->drained && srv->shared->drain_deadline != SKT__NEVER) ||
           (srv->cfg.handle_timeout != NULL && srv->cfg.timeout > 0);
}

static int64_t next_deadline(const struct skt__loop *loop)
{
    const struct skt__event_state *ev = loop->events;
    int64_t deadline = skt__server_next_deadline(loop);

    if (ev->idle_ns > 0 && ev->head != NULL &&
        ev->head->last_active + ev->idle_ns < deadline)
        deadline = ev->head->last_active + ev->idle_ns;
    return deadline;
}

static int handle_ready(struct skt__loop *loop,
                        const skt_selector_ready *ready, int n)
{
    for (int i = 0; i < n; i++) {
        int kind;
        /* With many connections their objects are rarely in cache; the
         * next one's are fetched while this one is served. */
        if (i + 1 < n) {
            __builtin_prefetch(ready[i + 1].key.data);
            __builtin_prefetch(ready[i + 1].key.sock);
        }
        if (ready[i].events == 0)
            continue;
        kind = *(int *)ready[i].key.data;
        if (kind == SKT__KIND_CONN) {
            conn_ready(ready[i].key.data, ready[i].events);
        } else if (kind == SKT__KIND_LISTENER) {
            int rc = accept_conns(loop);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int start_events(struct skt__loop *loop)
{
    if (loop->events != NULL)
        return 0;
    loop->events = calloc(1, sizeof *loop->events);
    if (loop->events == NULL)
        return skt__fail(-ENOMEM, "serve_forever");
    loop->events->idle_ns = skt__ns_from_seconds(loop->srv->cfg.idle_timeout);
    return 0;
}

/* After the wait: the timers that the clock makes due. */
static void run_timers(struct skt__loop *loop, int64_t now)
{
    if (loop->events->idle_ns > 0)
        expire_idle(loop, now);
    if (loop->drained && now >= loop->srv->shared->drain_deadline)
        force_all(loop);
    skt__server_check_timeout(loop, now);
}

/* One wake-up of the loop. */
static int turn(struct skt__loop *loop)
{
    struct skt__event_state *ev = loop->events;
    const skt_selector_ready *ready;
    bool timed = timers_on(loop);
    int n, rc;

    ev->now = timed ? skt__now() : 0;
    skt__server_update_listener(loop, ev->now);
    n = skt_selector_select(loop->sel,
                            skt__server_wait_for(next_deadline(loop),
                                                 ev->now),
                            &ready);
    if (n < 0)
        return n;
    skt__count(&loop->counters->wakeups);
    if (timed)
        ev->now = skt__now();
    rc = handle_ready(loop, ready, n);
    if (timed)
        run_timers(loop, ev->now);
    return rc;
}

int skt__server_event_loop(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;
    int rc = start_events(loop);

    while (rc == 0 && !skt__server_stopping(srv)) {
        if (skt__server_drain_on(srv) && !loop->drained)
            begin_drain(loop);
        /* A drain is over for this loop when its last connection is. */
        if (loop->drained && loop->events->head == NULL)
            break;
        rc = turn(loop);
    }
    return rc;
}

void skt__server_event_close_all(struct skt__loop *loop)
{
    if (loop->events == NULL)
        return;
    while (loop->events->head != NULL)
        close_conn(loop->events->head, SKT_SERVER_CLOSED_BY_PROGRAM);
    free(loop->events);
    loop->events = NULL;
}

/* ------------------------------------------------------------------------ */
/* The connection API                                                       */
/* ------------------------------------------------------------------------ */

skt_socket *skt_server_conn_socket(skt_server_conn *conn)
{
    return conn != NULL ? conn->sock : NULL;
}

const skt_addr *skt_server_conn_client(const skt_server_conn *conn)
{
    return conn != NULL ? &conn->client : NULL;
}

skt_server *skt_server_conn_server(skt_server_conn *conn)
{
    return conn != NULL ? conn->loop->srv : NULL;
}

int skt_server_conn_worker(const skt_server_conn *conn)
{
    return conn != NULL ? conn->loop->index : -EINVAL;
}

void *skt_server_conn_state(const skt_server_conn *conn)
{
    return conn != NULL ? conn->state : NULL;
}

void skt_server_conn_set_state(skt_server_conn *conn, void *state)
{
    if (conn != NULL)
        conn->state = state;
}

size_t skt_server_conn_pending(const skt_server_conn *conn)
{
    return conn != NULL ? pending(conn) : 0;
}

ssize_t skt_server_conn_recv(skt_server_conn *conn, void *buf, size_t len)
{
    ssize_t n;

    SKT__CHECK(conn != NULL, "conn is NULL");
    n = skt_recv(conn->sock, buf, len, 0);
    if (n == 0 && len > 0)
        conn->peer_ended = true;
    return n;
}

int skt_server_conn_busy(skt_server_conn *conn, bool busy)
{
    SKT__CHECK(conn != NULL, "conn is NULL");
    conn->busy = busy;
    return 0;
}

/* The connection whose callback runs has its interest updated when the
 * callback returns; any other one now. */
static int settle(skt_server_conn *conn)
{
    return conn->loop->events->current == conn ? 0 : update_interest(conn);
}

int skt_server_conn_send(skt_server_conn *conn, const void *buf, size_t len)
{
    const char *p = buf;
    int rc;

    SKT__CHECK(conn != NULL && (buf != NULL || len == 0), "NULL argument");
    if (conn->closing)
        return skt__fail(-EPIPE, "server_conn_send: the connection is "
                         "closing");
    if (pending(conn) == 0 && len > 0) {
        ssize_t n = skt_send(conn->sock, p, len, 0);
        if (n == (ssize_t)len)
            return 0;
        if (n < 0 && !would_block(n))
            return (int)n;
        p += n > 0 ? n : 0;
        len -= n > 0 ? (size_t)n : 0;
    }
    rc = skt__buf_append(&conn->out, p, len);
    if (rc < 0)
        return skt__fail(rc, "server_conn_send: buffering %zu bytes", len);
    return settle(conn);
}

int skt_server_conn_want(skt_server_conn *conn, int events)
{
    SKT__CHECK(conn != NULL, "conn is NULL");
    SKT__CHECK((events & ~(SKT_EVENT_READ | SKT_EVENT_WRITE)) == 0,
               "unknown event bits");
    conn->want = events;
    return settle(conn);
}

void skt_server_conn_close(skt_server_conn *conn)
{
    if (conn == NULL || conn->closing)
        return;
    conn->closing = true;
    settle(conn);
}
