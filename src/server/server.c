/*
 * server.c - Python's socketserver: the server object, its listener, the
 * loop of the blocking modes (a selector over the listener, so that a
 * shutdown wakes it at once instead of waiting out a poll interval),
 * accepting with a back-off when the process runs out of fds, the hooks,
 * shutdown and close. The modes themselves live in jobs.c (threads,
 * pool, children) and event.c (event-driven); server_int.h is what they
 * share.
 */
#include "server/server_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* How often children without a pidfd are looked for. */
#define CHILD_LOOK (50 * SKT__MS)
/* Requests taken per wake-up, so that a flood cannot delay a shutdown. */
#define BATCH 32

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

void skt__server_check_timeout(skt_server *srv, int64_t now)
{
    if (srv->cfg.handle_timeout == NULL || !(srv->cfg.timeout > 0))
        return;
    if (now < srv->last_request + skt__ns_from_seconds(srv->cfg.timeout))
        return;
    srv->last_request = now;
    skt__server_current = srv;
    srv->cfg.handle_timeout(srv, srv->cfg.user);
    skt__server_current = NULL;
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                 */
/* ------------------------------------------------------------------------ */

static int check_handlers(const skt_server_config *cfg, int type)
{
    if (type == SOCK_DGRAM)
        return cfg->handle_datagram != NULL ? 0 : -EINVAL;
    if (cfg->mode == SKT_SERVER_EVENTS)
        return cfg->on_event != NULL ? 0 : -EINVAL;
    return cfg->handle != NULL ? 0 : -EINVAL;
}

static int check_config(const skt_server_config *cfg, int type)
{
    int rc = SKT__CHECK_RESERVED(cfg, "server_new: config");

    if (rc < 0)
        return rc;
    if ((unsigned)cfg->mode > SKT_SERVER_EVENTS)
        return skt__fail(-EINVAL, "server_new: unknown mode %d", cfg->mode);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return skt__fail(-EINVAL, "server_new: type %d is neither "
                         "SOCK_STREAM nor SOCK_DGRAM", type);
    if (check_handlers(cfg, type) < 0)
        return skt__fail(-EINVAL, "server_new: no handler for this mode "
                         "(handle, handle_datagram, or on_event for "
                         "SKT_SERVER_EVENTS)");
    if (!skt__seconds_valid(cfg->timeout) ||
        !skt__seconds_valid(cfg->idle_timeout) ||
        isnan(cfg->close_timeout) ||
        cfg->max_connections < SKT_SERVER_NO_LIMIT ||
        cfg->pool_size < 0 || cfg->backlog < 0)
        return skt__fail(-EINVAL, "server_new: a negative or NaN limit");
    if ((unsigned)cfg->reuse_address > SKT_REUSE_ADDRESS_OFF)
        return skt__fail(-EINVAL, "server_new: reuse_address %d is not a "
                         "SKT_REUSE_ADDRESS_* value", cfg->reuse_address);
    if (cfg->tls != NULL && type != SOCK_STREAM)
        return skt__fail(-EINVAL, "server_new: TLS needs a stream server");
    return 0;
}

/* The limit max_connections asks for: 0 is the mode's default (a
 * thread each in SKT_SERVER_THREADS must not grow without bound), and
 * SKT_SERVER_NO_LIMIT is none, which is 0 here. */
static int limit_of(const skt_server_config *cfg)
{
    if (cfg->max_connections == SKT_SERVER_NO_LIMIT)
        return 0;
    if (cfg->max_connections == 0 && cfg->mode == SKT_SERVER_THREADS)
        return SKT_SERVER_THREADS_LIMIT;
    return cfg->max_connections;
}

/* Remembers which file a Unix path server created, so that close removes
 * that file and not one someone else bound since. */
static void note_unix_file(skt_server *srv)
{
    const struct sockaddr_un *un = &srv->address.u.un;

    if (srv->address.u.sa.sa_family != AF_UNIX ||
        srv->address.len <= offsetof(struct sockaddr_un, sun_path) ||
        un->sun_path[0] == '\0')
        return;
    srv->unix_file = stat(un->sun_path, &srv->unix_stat) == 0;
}

static void remove_unix_file(skt_server *srv)
{
    struct stat now;
    const char *path = srv->address.u.un.sun_path;

    if (srv->unix_file && stat(path, &now) == 0 &&
        now.st_dev == srv->unix_stat.st_dev &&
        now.st_ino == srv->unix_stat.st_ino)
        unlink(path);
}

static int open_listener(skt_server *srv, const skt_addr *addr)
{
    int family = skt_addr_family(addr);
    int rc = skt_open(&srv->listener, family, srv->type, 0);

    if (rc < 0)
        return rc;
    /* As Python's create_server: a restarted TCP server can bind its port
     * while connections of the last run are in TIME_WAIT. */
    if (srv->type == SOCK_STREAM && (family == AF_INET || family == AF_INET6))
        rc = skt_setsockopt_int(srv->listener, SOL_SOCKET, SO_REUSEADDR,
                                srv->cfg.reuse_address !=
                                    SKT_REUSE_ADDRESS_OFF);
    if (rc == 0)
        rc = skt_bind(srv->listener, addr);
    if (rc == 0 && srv->type == SOCK_STREAM)
        rc = skt_listen(srv->listener, srv->cfg.backlog > 0
                                           ? srv->cfg.backlog
                                           : SKT_DEFAULT_BACKLOG);
    if (rc == 0)
        rc = skt_getsockname(srv->listener, &srv->address);
    /* The loop accepts until EAGAIN, and a blocking accept would hang it
     * when a client gives up between the wake-up and the accept. */
    if (rc == 0)
        rc = skt_settimeout(srv->listener, 0);
    return rc;
}

/* The shutdown flag lives in a shared page in fork mode, so that a
 * child's handler can stop its parent's serve_forever. */
static int place_stop_flag(skt_server *srv)
{
    void *page;

    srv->stop = &srv->stop_here;
    if (srv->cfg.mode != SKT_SERVER_FORK)
        return 0;
    page = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return -errno;
    srv->stop = page;
    return 0;
}

/* Conditions on the monotonic clock, as every deadline in skt is. */
static void init_cond(pthread_cond_t *cond)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

static int init_server(skt_server *srv, const skt_addr *addr)
{
    size_t size = srv->cfg.max_datagram > 0 ? srv->cfg.max_datagram : 65535;
    int rc;

    srv->listener_kind = SKT__KIND_LISTENER;
    pthread_mutex_init(&srv->lock, NULL);
    init_cond(&srv->changed);
    init_cond(&srv->work);
    srv->cfg.max_datagram = size;
    rc = open_listener(srv, addr);
    if (rc < 0)
        return rc;
    note_unix_file(srv);
    rc = skt_selector_new(&srv->sel, SKT_SELECTOR_DEFAULT);
    if (rc == 0)
        rc = place_stop_flag(srv);
    if (rc == 0 && srv->type == SOCK_DGRAM) {
        srv->datagram = malloc(size);
        rc = srv->datagram != NULL ? 0 : -ENOMEM;
    }
    return rc;
}

static void free_server(skt_server *srv)
{
    skt_selector_close(srv->sel);
    if (srv->listener != NULL) {
        skt_close(srv->listener);
        remove_unix_file(srv);
    }
    if (srv->stop != NULL && srv->stop != &srv->stop_here)
        munmap(srv->stop, sizeof(int));
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->changed);
    pthread_cond_destroy(&srv->work);
    free(srv->datagram);
    free(srv->pool);
    free(srv);
}

int skt_server_new(skt_server **out, const skt_addr *addr,
                   const skt_server_config *cfg)
{
    skt_server *srv;
    int type, rc;

    SKT__CHECK(out != NULL && addr != NULL && cfg != NULL, "NULL argument");
    *out = NULL;
    type = cfg->type != 0 ? cfg->type : SOCK_STREAM;
    rc = check_config(cfg, type);
    if (rc < 0)
        return rc;
    srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return skt__fail(-ENOMEM, "server_new");
    srv->cfg = *cfg;
    srv->type = type;
    srv->limit = limit_of(cfg);
    rc = init_server(srv, addr);
    if (rc < 0) {
        char text[SKT_ADDRSTRLEN];
        /* The failing call's detail names the operation already. */
        if (rc == -ENOMEM)
            skt__fail(rc, "server_new on %s",
                      skt__addr_text(addr, text, sizeof text));
        free_server(srv);
        return rc;
    }
    *out = srv;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Accepting and receiving                                                  */
/* ------------------------------------------------------------------------ */

/* Out of fds or memory: accepting again at once would spin on the same
 * error, so the listener rests, and handle_error hears of it. */
static void back_off(skt_server *srv, int code)
{
    char text[SKT_ADDRSTRLEN];
    int64_t now = skt__now();

    /* The back-off of skt_accept_retry: 10 ms, doubling up to 1 s. */
    srv->backoff_ns = skt__accept_backoff_next(srv->backoff_ns);
    srv->backoff_until = now + srv->backoff_ns;
    skt__fail(code, "accept on %s (accepting again within %lld ms)",
              skt__addr_text(&srv->address, text, sizeof text),
              (long long)(srv->backoff_ns / SKT__MS));
    skt__server_error(srv, NULL, code);
    skt__server_update_listener(srv, now);
}

int skt__server_accept(skt_server *srv, skt_socket **conn, skt_addr *client)
{
    skt_socket *l = srv->listener;
    /* Event-driven connections are born non-blocking: no fcntl later. */
    int flags = srv->cfg.mode == SKT_SERVER_EVENTS ? SOCK_NONBLOCK : 0;
    int fd, rc;

    do {
        client->len = sizeof client->u;
        fd = skt__sys_accept(l->fd, &client->u.sa, &client->len, flags);
    } while (fd < 0 && skt__accept_error_transient(fd));
    if (fd == -EAGAIN)
        return -EAGAIN;
    if (fd < 0 && skt__accept_error_exhausted(fd)) {
        back_off(srv, fd);
        return -EAGAIN;
    }
    if (fd < 0)
        return skt__fail(fd, "accept on the server's listener");
    /* The same address skt_accept would give (e.g. an unnamed Unix
     * client has an empty one). */
    skt__addr_from_kernel(client, client->len);
    srv->backoff_ns = 0;
    rc = skt__socket_new(conn, fd, l->family, l->type | flags, l->proto);
    if (rc < 0) {
        skt__sys_close(fd);
        back_off(srv, rc);
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

void skt__server_update_listener(skt_server *srv, int64_t now)
{
    unsigned ended = __atomic_load_n(&srv->ended, __ATOMIC_ACQUIRE);
    bool want;

    /* A request that ended freed an fd: no need to wait out a back-off. */
    if (ended != srv->ended_seen) {
        srv->ended_seen = ended;
        srv->backoff_until = 0;
    }
    want = !skt__server_stopping(srv) && now >= srv->backoff_until &&
           !skt__server_full(srv);
    if (want == srv->listening)
        return;
    if (want)
        srv->listening = skt_selector_register_socket(
                             srv->sel, srv->listener, SKT_EVENT_READ,
                             &srv->listener_kind) == 0;
    else
        srv->listening = skt_selector_unregister_socket(srv->sel, srv->listener) != 0;
}

int64_t skt__server_next_deadline(const skt_server *srv)
{
    int64_t deadline = SKT__NEVER;

    if (srv->cfg.handle_timeout != NULL && srv->cfg.timeout > 0)
        deadline = srv->last_request + skt__ns_from_seconds(srv->cfg.timeout);
    if (!srv->listening && srv->backoff_until > 0 &&
        srv->backoff_until < deadline)
        deadline = srv->backoff_until;
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

static int accept_ready(skt_server *srv)
{
    for (int i = 0; i < BATCH && !skt__server_stopping(srv); i++) {
        skt_socket *conn;
        skt_addr client;
        int rc = skt__server_accept(srv, &conn, &client);

        if (rc == -EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        srv->last_request = skt__now();
        if (!skt__server_verify(srv, conn, &client)) {
            skt__server_refuse(conn);
            continue;
        }
        skt__server_dispatch(srv, conn, &client, NULL, 0);
        if (skt__server_full(srv))
            return 0;
    }
    return 0;
}

static int receive_ready(skt_server *srv)
{
    for (int i = 0; i < BATCH && !skt__server_stopping(srv); i++) {
        skt_addr client;
        ssize_t n = skt__server_receive(srv, &client);

        if (n == -EAGAIN)
            return 0;
        if (n < 0)
            return (int)n;
        srv->last_request = skt__now();
        if (skt__server_verify(srv, srv->listener, &client))
            skt__server_dispatch(srv, NULL, &client, srv->datagram,
                                 (size_t)n);
        if (skt__server_full(srv))
            return 0;
    }
    return 0;
}

static int serve_blocking(skt_server *srv)
{
    while (!skt__server_stopping(srv)) {
        const skt_selector_ready *ready;
        int64_t now = skt__now();
        int64_t deadline;
        int n, rc = 0;

        skt__server_reap(srv);
        skt__server_update_listener(srv, now);
        deadline = skt__server_next_deadline(srv);
        /* Children without a pidfd are looked for now and then. */
        if (srv->unwatched_children > 0 && deadline > now + CHILD_LOOK)
            deadline = now + CHILD_LOOK;
        n = skt_selector_select(srv->sel, skt__server_wait_for(deadline, now),
                                &ready);
        if (n < 0)
            return n;
        for (int i = 0; i < n && rc == 0; i++) {
            int kind = ready[i].events != 0 ? *(int *)ready[i].key.data : 0;
            if (kind == SKT__KIND_CHILD)
                skt__server_child_ready(srv, ready[i].key.data);
            else if (kind == SKT__KIND_LISTENER)
                rc = srv->type == SOCK_STREAM ? accept_ready(srv)
                                              : receive_ready(srv);
        }
        if (rc < 0)
            return rc;
        skt__server_check_timeout(srv, skt__now());
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Serving, shutting down, closing                                          */
/* ------------------------------------------------------------------------ */

bool skt__server_stopping(const skt_server *srv)
{
    return __atomic_load_n(srv->stop, __ATOMIC_ACQUIRE) != 0;
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
    srv->last_request = skt__now();
    if (srv->cfg.mode == SKT_SERVER_EVENTS && srv->type == SOCK_STREAM)
        rc = skt__server_event_loop(srv);
    else
        rc = serve_blocking(srv);
    pthread_mutex_lock(&srv->lock);
    srv->serving = false;
    __atomic_store_n(srv->stop, 0, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&srv->changed);
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

int skt_server_shutdown(skt_server *srv)
{
    /* A flag and an eventfd write: safe in a signal handler and in a
     * forked child, and it never waits, so it cannot deadlock. */
    if (srv == NULL)
        return -EINVAL;
    __atomic_store_n(srv->stop, 1, __ATOMIC_RELEASE);
    skt_selector_wakeup(srv->sel);
    return 0;
}

int skt_server_close(skt_server *srv)
{
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
    if (srv->listening)
        skt_selector_unregister_socket(srv->sel, srv->listener);
    srv->listening = false;
    skt__server_drain(srv);
    skt__server_event_close_all(srv);
    free_server(srv);
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
    return srv != NULL ? skt__server_active(srv) : -EINVAL;
}
