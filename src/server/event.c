/*
 * event.c - the event-driven mode of skt_server, the multiconn server of
 * the Python HOWTO grown up: one thread, the selector, and non-blocking
 * connections, each with its handler's state, an output buffer (a struct
 * skt__buf, which allocates only when a send is left over) and an idle
 * clock.
 *
 * The path of a request is kept to what the kernel needs: one epoll_wait
 * for many connections, then per connection the handler's recv and one
 * send. Interest is changed in the selector (epoll_ctl) only when it
 * really changes: output left over, reading paused, a close pending. The
 * connections form a list ordered by last activity, so finding the idle
 * ones costs nothing per event and O(1) per expiry.
 */
#include "server/server_int.h"

#include <stdlib.h>

/* Above this much unsent output, a connection is not read from. */
#define HIGH_WATER (256 * 1024)
#define BATCH 64

struct skt_server_conn {
    int kind; /* SKT__KIND_CONN: the key data's tag */
    int want; /* events the handler asked for */
    int interest; /* events registered in the selector; 0: none */
    bool closing;
    bool opened;      /* on_open accepted it, so on_close is owed */
    bool handshaking; /* TLS: on_open waits for the handshake */
    skt_socket *sock;
    skt_server *srv;
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
    skt_selector *sel = conn->srv->sel;
    int want = conn->want, fd = conn->sock->fd, rc;

    if (pending(conn) > HIGH_WATER)
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

static void close_conn(skt_server_conn *conn, int reason)
{
    skt_server *srv = conn->srv;

    if (reason < 0)
        skt__server_error(srv, &conn->client, reason);
    if (conn->interest != 0)
        skt_selector_unregister(srv->sel, conn->sock->fd);
    unlink_conn(srv->events, conn);
    __atomic_sub_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&srv->ended, 1, __ATOMIC_RELEASE);
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
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

static int call_handler(skt_server_conn *conn, int events)
{
    skt_server *srv = conn->srv;
    int mine = events & conn->want, rc;

    if (pending(conn) > HIGH_WATER)
        mine &= ~SKT_EVENT_READ;
    if (mine == 0)
        return 0;
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
    touch(conn->srv->events, conn);
    start_conn(conn);
}

static void conn_ready(skt_server_conn *conn, int events)
{
    struct skt__event_state *ev = conn->srv->events;
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
        close_conn(conn, 0);
    else if (rc < 0 || (rc = update_interest(conn)) < 0)
        close_conn(conn, rc);
}

static void open_conn(skt_server *srv, skt_socket *sock,
                      const skt_addr *client)
{
    struct skt__event_state *ev = srv->events;
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
                              .sock = sock, .srv = srv, .client = *client,
                              .last_active = ev->now};
    link_conn(ev, conn);
    __atomic_add_fetch(&srv->active, 1, __ATOMIC_RELEASE);
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
    skt_server *srv = conn->srv;
    struct skt__event_state *ev = srv->events;
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
}

static int accept_conns(skt_server *srv)
{
    for (int i = 0; i < BATCH && !skt__server_stopping(srv); i++) {
        skt_socket *sock;
        skt_addr client;
        int rc = skt__server_accept(srv, &sock, &client);

        if (rc == -EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        srv->last_request = srv->events->now;
        if (!skt__server_verify(srv, sock, &client)) {
            skt__server_refuse(sock);
            continue;
        }
        open_conn(srv, sock, &client);
        if (skt__server_full(srv))
            return 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

static void expire_idle(skt_server *srv, int64_t now)
{
    struct skt__event_state *ev = srv->events;
    char text[SKT_ADDRSTRLEN];

    while (ev->head != NULL && ev->head->last_active + ev->idle_ns <= now) {
        skt_server_conn *conn = ev->head;
        skt__fail(-ETIMEDOUT, "connection from %s idle for %g s",
                  skt__addr_text(&conn->client, text, sizeof text),
                  srv->cfg.idle_timeout);
        close_conn(conn, -ETIMEDOUT);
    }
}

/* The clock is read only when a timer is set, so that a plain echo
 * server pays nothing for timers it does not use. */
static bool timers_on(const skt_server *srv)
{
    return srv->events->idle_ns > 0 || srv->backoff_until > 0 ||
           (srv->cfg.handle_timeout != NULL && srv->cfg.timeout > 0);
}

static int64_t next_deadline(const skt_server *srv)
{
    const struct skt__event_state *ev = srv->events;
    int64_t deadline = skt__server_next_deadline(srv);

    if (ev->idle_ns > 0 && ev->head != NULL &&
        ev->head->last_active + ev->idle_ns < deadline)
        deadline = ev->head->last_active + ev->idle_ns;
    return deadline;
}

static int handle_ready(skt_server *srv, const skt_selector_ready *ready,
                        int n)
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
            int rc = accept_conns(srv);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int start_events(skt_server *srv)
{
    if (srv->events != NULL)
        return 0;
    srv->events = calloc(1, sizeof *srv->events);
    if (srv->events == NULL)
        return skt__fail(-ENOMEM, "serve_forever");
    srv->events->idle_ns = skt__ns_from_seconds(srv->cfg.idle_timeout);
    return 0;
}

int skt__server_event_loop(skt_server *srv)
{
    int rc = start_events(srv);

    while (rc == 0 && !skt__server_stopping(srv)) {
        struct skt__event_state *ev = srv->events;
        const skt_selector_ready *ready;
        bool timed = timers_on(srv);
        int n;

        ev->now = timed ? skt__now() : 0;
        skt__server_update_listener(srv, ev->now);
        n = skt_selector_select(srv->sel,
                                skt__server_wait_for(next_deadline(srv),
                                                     ev->now),
                                &ready);
        if (n < 0)
            return n;
        if (timed)
            ev->now = skt__now();
        rc = handle_ready(srv, ready, n);
        if (timed && ev->idle_ns > 0)
            expire_idle(srv, ev->now);
        if (timed)
            skt__server_check_timeout(srv, ev->now);
    }
    return rc;
}

void skt__server_event_close_all(skt_server *srv)
{
    if (srv->events == NULL)
        return;
    while (srv->events->head != NULL)
        close_conn(srv->events->head, 0);
    free(srv->events);
    srv->events = NULL;
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
    return conn != NULL ? conn->srv : NULL;
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

/* The connection whose callback runs has its interest updated when the
 * callback returns; any other one now. */
static int settle(skt_server_conn *conn)
{
    return conn->srv->events->current == conn ? 0 : update_interest(conn);
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
