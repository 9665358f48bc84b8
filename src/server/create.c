/*
 * create.c - making and freeing a skt_server: the config checked and its
 * zeros resolved, the listener bound (or an inherited one adopted), the
 * memory its threads and processes share, its loops; and everything freed
 * again, on a failure or at skt_server_close.
 */
#include "server/server_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Requests taken per wake-up by default, so that a flood cannot delay a
 * shutdown. */
#define BATCH 32
#define EVENT_BATCH 64

static int check_handlers(const skt_server_config *cfg, int type)
{
    if (type == SOCK_DGRAM)
        return cfg->handle_datagram != NULL ? 0 : -EINVAL;
    if (cfg->mode == SKT_SERVER_EVENTS)
        return cfg->on_event != NULL ? 0 : -EINVAL;
    return cfg->handle != NULL ? 0 : -EINVAL;
}

/* workers, accept_batch and full_reply. */
static int check_scale(const skt_server_config *cfg, int type)
{
    bool several = cfg->workers > 1 || cfg->workers == SKT_WORKERS_PER_CPU;

    if (cfg->workers < SKT_WORKERS_PER_CPU || cfg->workers > SKT_WORKERS_MAX)
        return skt__fail(-EINVAL, "server_new: workers %d is neither "
                         "SKT_WORKERS_PER_CPU nor 0 to %d", cfg->workers,
                         SKT_WORKERS_MAX);
    if (several && cfg->mode != SKT_SERVER_EVENTS &&
        cfg->mode != SKT_SERVER_FORK)
        return skt__fail(-EINVAL, "server_new: workers are for "
                         "SKT_SERVER_EVENTS (event loops) and "
                         "SKT_SERVER_FORK (prefork); the other modes have "
                         "their own threads");
    if (several && type != SOCK_STREAM)
        return skt__fail(-EINVAL, "server_new: workers need a stream "
                         "server");
    if (cfg->accept_batch < 0)
        return skt__fail(-EINVAL, "server_new: accept_batch %d is negative",
                         cfg->accept_batch);
    if (cfg->full_reply != NULL && type != SOCK_STREAM)
        return skt__fail(-EINVAL, "server_new: full_reply needs a stream "
                         "server");
    return 0;
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
    return check_scale(cfg, type);
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

/* The config's zeros made the defaults they stand for. */
static void resolve_config(skt_server *srv, const skt_server_config *cfg,
                           int type)
{
    srv->cfg = *cfg;
    srv->type = type;
    srv->limit = limit_of(cfg);
    srv->batch = cfg->accept_batch > 0 ? cfg->accept_batch
                 : cfg->mode == SKT_SERVER_EVENTS ? EVENT_BATCH
                                                  : BATCH;
    srv->high_water = cfg->output_high_water > 0 ? cfg->output_high_water
                                                 : SKT_SERVER_HIGH_WATER;
    srv->workers = skt__server_workers_of(cfg);
    srv->loop_count = cfg->mode == SKT_SERVER_EVENTS ? srv->workers : 1;
    srv->children_wake[0] = srv->children_wake[1] = -1;
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

void skt__server_remove_unix_file(skt_server *srv)
{
    struct stat now;
    const char *path = srv->address.u.un.sun_path;

    /* stat and unlink only: skt_server_drain calls this from a signal
     * handler too. */
    if (srv->unix_file && stat(path, &now) == 0 &&
        now.st_dev == srv->unix_stat.st_dev &&
        now.st_ino == srv->unix_stat.st_ino)
        unlink(path);
    srv->unix_file = false;
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
    /* The listeners of the other workers bind the same address. */
    if (rc == 0 && skt__server_listener_per_worker(srv))
        rc = skt_setsockopt_int(srv->listener, SOL_SOCKET, SO_REUSEPORT, 1);
    if (rc == 0)
        rc = skt_bind(srv->listener, addr);
    if (rc == 0 && srv->type == SOCK_STREAM)
        rc = skt_listen(srv->listener, srv->cfg.backlog > 0
                                           ? srv->cfg.backlog
                                           : SKT_DEFAULT_BACKLOG);
    if (rc == 0)
        rc = skt_getsockname(srv->listener, &srv->address);
    return rc;
}

/* An inherited socket: checked, never changed until the server is sure
 * to be made (see finish_init). */
static int adopt_listener(skt_server *srv, int fd)
{
    int accepting = 0;
    socklen_t len = sizeof accepting;
    int rc = skt_from_fd(&srv->listener, fd);

    if (rc < 0)
        return rc;
    if (skt_type(srv->listener) != srv->type)
        return skt__fail(-EINVAL, "server_new_from_fd(%d): a socket of "
                         "type %d, not the config's %d", fd,
                         skt_type(srv->listener), srv->type);
    if (srv->type == SOCK_STREAM)
        rc = skt_getsockopt(srv->listener, SOL_SOCKET, SO_ACCEPTCONN,
                            &accepting, &len);
    if (rc == 0 && srv->type == SOCK_STREAM && !accepting)
        return skt__fail(-EINVAL, "server_new_from_fd(%d): the stream "
                         "socket is not listening", fd);
    if (rc == 0)
        rc = skt_getsockname(srv->listener, &srv->address);
    return rc;
}

/* What the server's threads and processes share; a shared mapping in
 * fork mode, so that a child's handler can stop its parent's
 * serve_forever and a prefork child's counters reach skt_server_stats. */
static int place_shared(skt_server *srv)
{
    size_t size = sizeof *srv->shared +
                  (size_t)srv->workers * sizeof srv->shared->counters[0];
    void *page;

    if (srv->cfg.mode != SKT_SERVER_FORK) {
        srv->shared = aligned_alloc(64, (size + 63) / 64 * 64);
        if (srv->shared == NULL)
            return -ENOMEM;
        memset(srv->shared, 0, size);
    } else {
        page = mmap(NULL, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED)
            return -errno;
        srv->shared = page;
        srv->shared_size = size;
    }
    srv->shared->drain_deadline = SKT__NEVER;
    srv->stop = &srv->shared->stop;
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

/* The server around its listener (bound at addr, or the inherited fd
 * when addr is NULL). */
static int init_server(skt_server *srv, const skt_addr *addr, int fd)
{
    size_t size = srv->cfg.max_datagram > 0 ? srv->cfg.max_datagram : 65535;
    int rc;

    pthread_mutex_init(&srv->lock, NULL);
    init_cond(&srv->changed);
    init_cond(&srv->work);
    srv->cfg.max_datagram = size;
    rc = place_shared(srv);
    if (rc < 0)
        return rc;
    rc = addr != NULL ? open_listener(srv, addr) : adopt_listener(srv, fd);
    if (rc < 0)
        return rc;
    if (addr != NULL)
        note_unix_file(srv);
    rc = skt_selector_new(&srv->sel, SKT_SELECTOR_DEFAULT);
    if (rc == 0)
        rc = skt__server_open_loops(srv);
    if (rc == 0 && srv->cfg.mode == SKT_SERVER_FORK && srv->workers > 1)
        rc = skt__server_prefork_open(srv);
    if (rc == 0 && srv->type == SOCK_DGRAM) {
        srv->datagram = malloc(size);
        rc = srv->datagram != NULL ? 0 : -ENOMEM;
    }
    /* The loop accepts until EAGAIN, and a blocking accept would hang it
     * when a client gives up between the wake-up and the accept. */
    if (rc == 0)
        rc = skt_settimeout(srv->listener, 0);
    return rc;
}

void skt__server_free(skt_server *srv)
{
    skt__server_prefork_free(srv);
    skt__server_close_loops(srv);
    skt_selector_close(srv->sel);
    if (srv->listener != NULL) {
        skt_close(srv->listener);
        skt__server_remove_unix_file(srv);
    }
    if (srv->shared_size > 0)
        munmap(srv->shared, srv->shared_size);
    else
        free(srv->shared);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->changed);
    pthread_cond_destroy(&srv->work);
    free(srv->datagram);
    free(srv->pool);
    free(srv);
}

/* skt_server_new and skt_server_new_from_fd: addr, or fd when addr is
 * NULL. */
static int new_server(skt_server **out, const skt_addr *addr, int fd,
                      const skt_server_config *cfg)
{
    skt_server *srv;
    int type, rc;

    SKT__CHECK(out != NULL && cfg != NULL, "NULL argument");
    *out = NULL;
    type = cfg->type != 0 ? cfg->type : SOCK_STREAM;
    rc = check_config(cfg, type);
    if (rc < 0)
        return rc;
    srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return skt__fail(-ENOMEM, "server_new");
    resolve_config(srv, cfg, type);
    srv->inherited = addr == NULL;
    rc = init_server(srv, addr, fd);
    if (rc < 0) {
        char text[SKT_ADDRSTRLEN];
        skt_os_socket kept;
        /* The failing call's detail names the operation already. */
        if (rc == -ENOMEM && addr != NULL)
            skt__fail(rc, "server_new on %s",
                      skt__addr_text(addr, text, sizeof text));
        /* An inherited fd stays the caller's, unchanged. */
        if (addr == NULL && srv->listener != NULL &&
            skt_detach(srv->listener, &kept) == 0)
            srv->listener = NULL;
        skt__server_free(srv);
        return rc;
    }
    *out = srv;
    return 0;
}

int skt_server_new(skt_server **out, const skt_addr *addr,
                   const skt_server_config *cfg)
{
    SKT__CHECK(addr != NULL, "addr is NULL");
    return new_server(out, addr, -1, cfg);
}

int skt_server_new_from_fd(skt_server **out, skt_os_socket fd,
                           const skt_server_config *cfg)
{
    SKT__CHECK(fd >= 0, "server_new_from_fd: a negative fd");
    return new_server(out, NULL, fd, cfg);
}
