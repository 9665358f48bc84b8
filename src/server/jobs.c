/*
 * jobs.c - the blocking modes of skt_server: a request (an accepted
 * connection or a copied datagram) becomes a job, run inline (sequential),
 * on a thread of its own, by a worker of a fixed pool, or in a forked
 * child. Jobs being served sit in srv->running, so that close can find
 * them; finished threads wait in srv->finished to be joined by the loop.
 * A child is watched through a pidfd in the server's selector: no SIGCHLD
 * handler (the library never touches signal dispositions) and no polling.
 */
#include "server/server_int.h"
#include "sys_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* ------------------------------------------------------------------------ */
/* Lists and counters                                                       */
/* ------------------------------------------------------------------------ */

static void link_job(struct skt__job_list *list, struct skt__job *job)
{
    job->next = NULL;
    job->prev = list->tail;
    if (list->tail != NULL)
        list->tail->next = job;
    else
        list->head = job;
    list->tail = job;
    list->len++;
}

static void unlink_job(struct skt__job_list *list, struct skt__job *job)
{
    if (job->prev != NULL)
        job->prev->next = job->next;
    else
        list->head = job->next;
    if (job->next != NULL)
        job->next->prev = job->prev;
    else
        list->tail = job->prev;
    job->prev = job->next = NULL;
    list->len--;
}

int skt__server_active(skt_server *srv)
{
    return __atomic_load_n(&srv->active, __ATOMIC_ACQUIRE);
}

/* Called under srv->lock when a job leaves running. */
static void count_end(skt_server *srv)
{
    __atomic_sub_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&srv->ended, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&srv->changed);
}

static struct skt__job *new_job(skt_server *srv, skt_socket *conn,
                                const skt_addr *client, const void *data,
                                size_t len)
{
    struct skt__job *job = calloc(1, sizeof *job);

    if (job == NULL)
        return NULL;
    job->srv = srv;
    job->conn = conn;
    job->client = *client;
    job->pidfd = -1;
    if (data != NULL) {
        job->data = malloc(len > 0 ? len : 1);
        if (job->data == NULL) {
            free(job);
            return NULL;
        }
        memcpy(job->data, data, len);
        job->len = len;
    }
    return job;
}

/* Python's shutdown_request: SHUT_WR first, so the client sees the end
 * even if a forked child still holds a copy of the fd. A TLS connection
 * sends its close_notify before that, or the client sees a truncation. */
void skt__server_finish_conn(skt_socket *conn)
{
    if (conn == NULL)
        return;
    skt__socket_release_transport(conn);
    skt__sys_shutdown(conn->fd, SHUT_WR);
    skt_close(conn);
}

static void free_job(struct skt__job *job)
{
    free(job->data);
    free(job);
}

/* ------------------------------------------------------------------------ */
/* Running one request                                                      */
/* ------------------------------------------------------------------------ */

/* With a TLS context, the handshake comes first, in the handler's own
 * thread or child, under the idle timeout. */
static int tls_handshake(skt_server *srv, skt_socket *conn)
{
    double idle = srv->cfg.idle_timeout;
    double limit = idle > 0 ? idle : skt_gettimeout(conn);

    if (srv->cfg.tls == NULL)
        return 0;
    /* The connection's own timeout (the default one, without an idle
     * timeout) bounds the handshake as it bounds the handler's recv. */
    return skt__tls_server_handshake(conn, srv->cfg.tls,
                                     skt__deadline(limit > 0 ? limit : -1));
}

void skt__server_run_job(skt_server *srv, skt_socket *conn,
                         const skt_addr *client, const void *data, size_t len)
{
    const skt_server_config *cfg = &srv->cfg;
    int rc;

    skt__server_current = srv;
    if (conn != NULL) {
        /* The idle timeout is the connection's own timeout mode: any recv
         * or send that waits longer fails with -ETIMEDOUT. */
        if (cfg->idle_timeout > 0)
            skt_settimeout(conn, cfg->idle_timeout);
        rc = tls_handshake(srv, conn);
        if (rc == 0)
            rc = cfg->handle(srv, conn, client, cfg->user);
    } else {
        rc = cfg->handle_datagram(srv, srv->listener, data, len, client,
                                  cfg->user);
    }
    if (rc < 0)
        skt__server_error(srv, client, rc);
    skt__server_current = NULL;
}

/* A job that could not be started: its request is dropped and reported. */
static void drop(skt_server *srv, struct skt__job *job, skt_socket *conn,
                 const skt_addr *client, int code, const char *what)
{
    skt__fail(code, "%s", what);
    skt__server_error(srv, client, code);
    skt__server_finish_conn(conn);
    if (job != NULL)
        free_job(job);
}

/* ------------------------------------------------------------------------ */
/* A thread per request                                                     */
/* ------------------------------------------------------------------------ */

static void *thread_main(void *arg)
{
    struct skt__job *job = arg;
    skt_server *srv = job->srv;
    skt_socket *conn = job->conn;

    skt__server_run_job(srv, conn, &job->client, job->data, job->len);
    /* Out of running first, under the lock: close's shutdown of running
     * connections must never meet an fd closed and reused meanwhile. */
    pthread_mutex_lock(&srv->lock);
    unlink_job(&srv->running, job);
    link_job(&srv->finished, job);
    job->conn = NULL;
    count_end(srv);
    pthread_mutex_unlock(&srv->lock);
    skt__server_finish_conn(conn);
    skt_selector_wakeup(srv->sel);
    return NULL;
}

static void start_thread(skt_server *srv, struct skt__job *job)
{
    int rc;

    pthread_mutex_lock(&srv->lock);
    link_job(&srv->running, job);
    __atomic_add_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&srv->lock);
    rc = pthread_create(&job->thread, NULL, thread_main, job);
    if (rc == 0)
        return;
    pthread_mutex_lock(&srv->lock);
    unlink_job(&srv->running, job);
    count_end(srv);
    pthread_mutex_unlock(&srv->lock);
    drop(srv, job, job->conn, &job->client, -rc, "a thread for a request");
}

/* ------------------------------------------------------------------------ */
/* A fixed pool of threads                                                  */
/* ------------------------------------------------------------------------ */

static void *worker_main(void *arg)
{
    skt_server *srv = arg;

    pthread_mutex_lock(&srv->lock);
    for (;;) {
        struct skt__job *job;
        while (srv->queue.head == NULL && !srv->pool_stopping)
            pthread_cond_wait(&srv->work, &srv->lock);
        job = srv->queue.head;
        if (job == NULL)
            break;
        unlink_job(&srv->queue, job);
        link_job(&srv->running, job);
        pthread_mutex_unlock(&srv->lock);
        skt__server_run_job(srv, job->conn, &job->client, job->data, job->len);
        pthread_mutex_lock(&srv->lock);
        unlink_job(&srv->running, job);
        count_end(srv);
        pthread_mutex_unlock(&srv->lock);
        skt__server_finish_conn(job->conn);
        free_job(job);
        skt_selector_wakeup(srv->sel);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

static int pool_size(const skt_server *srv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long size = (cpus > 0 ? cpus : 1) + 4;

    if (srv->cfg.pool_size > 0)
        return srv->cfg.pool_size;
    return (int)(size < 32 ? size : 32);
}

/* The pool starts with the first request; a pool with some threads is
 * good enough when the system refuses the rest. */
static int start_pool(skt_server *srv)
{
    int size = pool_size(srv), rc = 0;

    srv->pool = calloc((size_t)size, sizeof *srv->pool);
    if (srv->pool == NULL)
        return -ENOMEM;
    while (srv->pool_started < size) {
        rc = pthread_create(&srv->pool[srv->pool_started], NULL, worker_main,
                            srv);
        if (rc != 0)
            break;
        srv->pool_started++;
    }
    return srv->pool_started > 0 ? 0 : -rc;
}

static void enqueue(skt_server *srv, struct skt__job *job)
{
    int rc = srv->pool != NULL ? 0 : start_pool(srv);

    if (rc < 0) {
        free(srv->pool);
        srv->pool = NULL;
        drop(srv, job, job->conn, &job->client, rc, "the thread pool");
        return;
    }
    pthread_mutex_lock(&srv->lock);
    link_job(&srv->queue, job);
    __atomic_add_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    pthread_cond_signal(&srv->work);
    pthread_mutex_unlock(&srv->lock);
}

/* ------------------------------------------------------------------------ */
/* A child per request                                                      */
/* ------------------------------------------------------------------------ */

/*
 * A child serves its request and nothing else: it closes its copies of the
 * parent's fds that it does not use (which leaves the parent's as they
 * are): the pidfds of the children forked before it and the selector's
 * epoll set, and a stream server's listener, so that the port is free once
 * the parent closes it. It keeps the selector's wake-up fd, through which
 * skt_server_shutdown from its handler wakes the parent at once, and a
 * datagram server's socket, which its handler answers on. The lists are
 * read without the lock: the child has one thread, and in fork mode the
 * serving thread that forked it is the only one that changes them.
 */
static void leave_parent(skt_server *srv)
{
    for (struct skt__job *job = srv->running.head; job != NULL;
         job = job->next)
        if (job->pidfd >= 0)
            skt__sys_close(job->pidfd);
    skt__selector_keep_only_wakeup(srv->sel);
    /* The number may be reused in the child: a drain requested here must
     * not shut down whatever has it then (the parent shuts its own). */
    if (srv->type == SOCK_STREAM) {
        skt__sys_close(srv->listener->fd);
        srv->listener->fd = -1;
    }
}

static void child_main(skt_server *srv, struct skt__job *job)
{
    leave_parent(srv);
    skt__server_run_job(srv, job->conn, &job->client, job->data, job->len);
    skt__server_finish_conn(job->conn);
    /* What it kept: it leaves holding no fd of the server. */
    if (srv->type != SOCK_STREAM)
        skt__sys_close(srv->listener->fd);
    skt_selector_close(srv->sel);
    /* _exit: the parent's atexit handlers and stdio buffers are not the
     * child's to run or flush. */
    _exit(0);
}

/* Whether the loop looks for job's child with waitpid: when it has no
 * exit fd, and always where the exit fd is only a hint (a pipe, which a
 * process forked by another thread may hold open too). */
static bool looked_for(const struct skt__job *job)
{
    return job->pidfd < 0 || !SKT__EXIT_FD_EXACT;
}

/* Watches the child through the fd that reads as its exit (a pidfd, or a
 * pipe where the platform has none: skt__sys_fork_watched); without one
 * (an old kernel, no fd left), or with a pipe, the loop also looks for it
 * with waitpid every 50 ms. */
static void watch_child(skt_server *srv, struct skt__job *job, int exit_fd)
{
    job->kind = SKT__KIND_CHILD;
    job->pidfd = exit_fd;
    if (job->pidfd >= 0 &&
        skt_selector_register(srv->sel, job->pidfd, SKT_EVENT_READ, job) < 0) {
        skt__sys_close(job->pidfd);
        job->pidfd = -1;
    }
    if (looked_for(job))
        srv->unwatched_children++;
}

static void fork_child(skt_server *srv, struct skt__job *job)
{
    int exit_fd;
    pid_t pid = skt__sys_fork_watched(&exit_fd);

    if (pid < 0) {
        drop(srv, job, job->conn, &job->client, pid, "fork for a request");
        return;
    }
    if (pid == 0)
        child_main(srv, job);
    /* close, not shutdown: the socket is the child's now. */
    skt_close(job->conn);
    job->conn = NULL;
    job->pid = pid;
    pthread_mutex_lock(&srv->lock);
    link_job(&srv->running, job);
    __atomic_add_fetch(&srv->active, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&srv->lock);
    watch_child(srv, job, exit_fd);
}

/* Reaps job's child if it has exited (or was reaped by someone else). */
static bool reap_child(skt_server *srv, struct skt__job *job, int options)
{
    int status;
    pid_t r;

    do
        r = waitpid(job->pid, &status, options);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    if (looked_for(job))
        srv->unwatched_children--;
    if (job->pidfd >= 0) {
        skt_selector_unregister(srv->sel, job->pidfd);
        skt__sys_close(job->pidfd);
    }
    pthread_mutex_lock(&srv->lock);
    unlink_job(&srv->running, job);
    count_end(srv);
    pthread_mutex_unlock(&srv->lock);
    free_job(job);
    return true;
}

/* A pipe reads as the child's exit a moment before the child can be
 * reaped, or long before when the child calls exec: a child not yet
 * reaped is then looked for with waitpid, as one without an exit fd. */
void skt__server_child_ready(skt_server *srv, struct skt__job *job)
{
    bool counted;

    if (reap_child(srv, job, WNOHANG) || job->pidfd < 0)
        return;
    counted = looked_for(job);
    skt_selector_unregister(srv->sel, job->pidfd);
    skt__sys_close(job->pidfd);
    job->pidfd = -1;
    if (!counted)
        srv->unwatched_children++;
}

/* ------------------------------------------------------------------------ */
/* Dispatch and reaping                                                     */
/* ------------------------------------------------------------------------ */

int skt__server_dispatch(skt_server *srv, skt_socket *conn,
                         const skt_addr *client, const void *data, size_t len)
{
    struct skt__job *job;
    skt_server_mode mode = srv->cfg.mode;

    if (mode == SKT_SERVER_SEQUENTIAL || mode == SKT_SERVER_EVENTS) {
        skt__server_run_job(srv, conn, client, data, len);
        skt__server_finish_conn(conn);
        return 0;
    }
    job = new_job(srv, conn, client, data, len);
    if (job == NULL) {
        drop(srv, NULL, conn, client, -ENOMEM, "a request");
        return 0;
    }
    if (mode == SKT_SERVER_THREADS)
        start_thread(srv, job);
    else if (mode == SKT_SERVER_POOL)
        enqueue(srv, job);
    else
        fork_child(srv, job);
    return 0;
}

/* Children looked for with waitpid (looked_for), one by one. */
static void sweep_children(skt_server *srv)
{
    struct skt__job *job = srv->running.head;

    while (job != NULL && srv->unwatched_children > 0) {
        struct skt__job *next = job->next;
        if (looked_for(job))
            reap_child(srv, job, WNOHANG);
        job = next;
    }
}

void skt__server_reap(skt_server *srv)
{
    struct skt__job *job;

    if (srv->cfg.mode == SKT_SERVER_FORK) {
        sweep_children(srv);
        return;
    }
    pthread_mutex_lock(&srv->lock);
    job = srv->finished.head;
    srv->finished = (struct skt__job_list){0};
    pthread_mutex_unlock(&srv->lock);
    while (job != NULL) {
        struct skt__job *next = job->next;
        pthread_join(job->thread, NULL);
        free_job(job);
        job = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Draining at close                                                        */
/* ------------------------------------------------------------------------ */

/* Past the deadline: running connections are shut down, so that their
 * handlers' recv and send fail at once; queued ones are closed unserved.
 * Called under srv->lock. */
static void cut_jobs(skt_server *srv)
{
    struct skt__job *job;

    for (job = srv->running.head; job != NULL; job = job->next)
        if (job->conn != NULL)
            skt__sys_shutdown(job->conn->fd, SHUT_RDWR);
    while ((job = srv->queue.head) != NULL) {
        unlink_job(&srv->queue, job);
        count_end(srv);
        skt__server_finish_conn(job->conn);
        free_job(job);
    }
}

static void drain_threads(skt_server *srv, int64_t deadline)
{
    pthread_mutex_lock(&srv->lock);
    srv->pool_stopping = true;
    pthread_cond_broadcast(&srv->work);
    while (srv->running.len > 0 || srv->queue.len > 0) {
        struct timespec until = skt__timespec_from_ns(deadline);
        if (deadline == SKT__NEVER)
            pthread_cond_wait(&srv->changed, &srv->lock);
        else if (skt__now() >= deadline)
            break;
        else
            pthread_cond_timedwait(&srv->changed, &srv->lock, &until);
    }
    cut_jobs(srv);
    while (srv->running.len > 0)
        pthread_cond_wait(&srv->changed, &srv->lock);
    pthread_mutex_unlock(&srv->lock);
    for (int i = 0; i < srv->pool_started; i++)
        pthread_join(srv->pool[i], NULL);
    srv->pool_started = 0;
    skt__server_reap(srv);
}

static void drain_children(skt_server *srv, int64_t deadline)
{
    while (srv->running.len > 0 && skt__now() < deadline) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(srv->sel, 0.05, &ready);
        for (int i = 0; i < n; i++)
            if (ready[i].events != 0 &&
                *(int *)ready[i].key.data == SKT__KIND_CHILD)
                reap_child(srv, ready[i].key.data, WNOHANG);
        sweep_children(srv);
    }
    while (srv->running.head != NULL) {
        kill(srv->running.head->pid, SIGKILL);
        reap_child(srv, srv->running.head, 0);
    }
}

void skt__server_drain(skt_server *srv, int64_t deadline)
{
    if (srv->cfg.mode == SKT_SERVER_FORK)
        drain_children(srv, deadline);
    else if (srv->cfg.mode == SKT_SERVER_THREADS ||
             srv->cfg.mode == SKT_SERVER_POOL)
        drain_threads(srv, deadline);
}
