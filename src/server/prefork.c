/*
 * prefork.c - SKT_SERVER_FORK with workers: N long-lived children, each
 * accepting on the shared listener and serving one connection at a time,
 * which is how forking servers are run in practice (Apache's prefork).
 * The parent only supervises: it watches each child through the fd that
 * reads as its exit (skt__sys_fork_watched), starts a new child in the
 * place of one that died, and at a shutdown or a drain waits for them to
 * finish their connections. A child learns of a shutdown or a drain from
 * the shared page (srv->shared) and is woken by the wake-up channel
 * children_wake, which stays signalled until the children are gone. A
 * socket pair whose one end only the parent keeps reads as the end of
 * the stream in the children when the parent is gone (killed, or a
 * program that exits without skt_server_close): they end too, after the
 * connection they serve, instead of serving on as orphans.
 */
#include "server/server_int.h"
#include "sys_int.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child replaced sooner than this after its start waits out the rest,
 * so that a child that fails at once does not make a fork loop. */
#define RESTART_REST (1000 * SKT__MS)
/* How often children without an exit fd are looked for. */
#define CHILD_LOOK (50 * SKT__MS)

struct skt__child {
    int kind; /* SKT__KIND_PREFORK: the exit fd's key data */
    int index;
    pid_t pid;   /* 0: not running */
    int exit_fd; /* -1: none; looked for with waitpid */
    int64_t started;
    int64_t restart_at;
};

struct skt__prefork {
    struct skt__child *children;
    int running;
    int wake_kind;   /* SKT__KIND_WAKE: the channel's key data in a child */
    int parent_kind; /* SKT__KIND_PARENT: the parent's end of the pair */
    int parent[2];   /* [0] the parent's, [1] the children's; -1: none */
};

int skt__server_prefork_open(skt_server *srv)
{
    struct skt__prefork *pf = calloc(1, sizeof *pf);
    int rc;

    if (pf == NULL)
        return -ENOMEM;
    srv->prefork = pf;
    pf->wake_kind = SKT__KIND_WAKE;
    pf->parent_kind = SKT__KIND_PARENT;
    pf->parent[0] = pf->parent[1] = -1;
    rc = skt__sys_socketpair(AF_UNIX, SOCK_STREAM, 0, pf->parent);
    if (rc < 0) {
        pf->parent[0] = pf->parent[1] = -1;
        return rc;
    }
    pf->children = calloc((size_t)srv->workers, sizeof *pf->children);
    if (pf->children == NULL)
        return -ENOMEM;
    for (int i = 0; i < srv->workers; i++)
        pf->children[i] = (struct skt__child){.kind = SKT__KIND_PREFORK,
                                              .index = i, .exit_fd = -1};
    return skt__sys_wakeup_open(srv->children_wake);
}

void skt__server_prefork_free(skt_server *srv)
{
    if (srv->prefork == NULL)
        return;
    if (srv->children_wake[0] >= 0)
        skt__sys_wakeup_close(srv->children_wake);
    for (int i = 0; i < 2; i++)
        if (srv->prefork->parent[i] >= 0)
            skt__sys_close(srv->prefork->parent[i]);
    free(srv->prefork->children);
    free(srv->prefork);
    srv->prefork = NULL;
}

/* ------------------------------------------------------------------------ */
/* A child                                                                  */
/* ------------------------------------------------------------------------ */

/* Accepts one connection, if a sibling did not take it first, and serves
 * it to the end. */
static int serve_one(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;
    skt_socket *conn;
    skt_addr client;
    int rc = skt__server_accept(loop, &conn, &client);

    if (rc < 0)
        return rc == -EAGAIN ? 0 : rc;
    skt__server_note_request(srv, skt__now());
    if (!skt__server_admit(loop, conn, &client))
        return 0;
    skt__count(&loop->counters->requests);
    __atomic_store_n(&loop->counters->open, 1, __ATOMIC_RELAXED);
    skt__server_run_job(srv, conn, &client, NULL, 0);
    skt__server_finish_conn(conn);
    __atomic_store_n(&loop->counters->open, 0, __ATOMIC_RELAXED);
    return 0;
}

static int child_loop(struct skt__loop *loop)
{
    skt_server *srv = loop->srv;

    while (!skt__server_stopping(srv) && !skt__server_drain_on(srv)) {
        const skt_selector_ready *ready;
        int64_t now = skt__now();
        int n, rc = 0;

        skt__server_update_listener(loop, now);
        n = skt_selector_select(
            loop->sel,
            skt__server_wait_for(skt__server_next_deadline(loop), now),
            &ready);
        if (n < 0)
            return n;
        skt__count(&loop->counters->wakeups);
        for (int i = 0; i < n && rc == 0; i++) {
            int kind = ready[i].events != 0 ? *(int *)ready[i].key.data : 0;
            if (kind == SKT__KIND_PARENT)
                return 0;
            if (kind == SKT__KIND_LISTENER)
                rc = serve_one(loop);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * The child of worker child->index. It keeps, of the parent's fds, the
 * listener, the wake-up channels (the parent's selector's, through which
 * a shutdown from its handler wakes the parent, and children_wake) and
 * closes the others: the exit fds of its siblings and the parent's epoll
 * set. Its own selector watches the listener, shared with its siblings
 * (one of them woken per connection), and children_wake.
 */
static void child_main(skt_server *srv, struct skt__child *child)
{
    /* Index -1: handle_timeout is the parent's, not a child's. */
    struct skt__loop loop = {
        .listener_kind = SKT__KIND_LISTENER, .index = -1, .srv = srv,
        .listener = srv->listener, .exclusive = true,
        .counters = &srv->shared->counters[child->index]};
    int rc;

    for (int i = 0; i < srv->workers; i++)
        if (srv->prefork->children[i].exit_fd >= 0)
            skt__sys_close(srv->prefork->children[i].exit_fd);
    skt__selector_keep_only_wakeup(srv->sel);
    skt__sys_close(srv->prefork->parent[0]);
    rc = skt_selector_new(&loop.sel, SKT_SELECTOR_DEFAULT);
    if (rc == 0)
        rc = skt_selector_register(loop.sel, srv->children_wake[0],
                                   SKT_EVENT_READ, &srv->prefork->wake_kind);
    if (rc == 0)
        rc = skt_selector_register(loop.sel, srv->prefork->parent[1],
                                   SKT_EVENT_READ,
                                   &srv->prefork->parent_kind);
    if (rc == 0)
        rc = child_loop(&loop);
    if (rc < 0)
        skt__server_error(srv, NULL, rc);
    skt_selector_close(loop.sel);
    skt_selector_close(srv->sel);
    /* _exit: the parent's atexit handlers and stdio buffers are not the
     * child's to run or flush. */
    _exit(rc < 0 ? 1 : 0);
}

/* ------------------------------------------------------------------------ */
/* The parent                                                               */
/* ------------------------------------------------------------------------ */

static void start_child(skt_server *srv, struct skt__child *child,
                        int64_t now)
{
    int exit_fd;
    pid_t pid = skt__sys_fork_watched(&exit_fd);

    if (pid < 0) {
        skt__fail(pid, "fork for prefork worker %d (trying again in 1 s)",
                  child->index);
        skt__server_error(srv, NULL, pid);
        child->restart_at = now + RESTART_REST;
        return;
    }
    if (pid == 0)
        child_main(srv, child);
    child->pid = pid;
    child->started = now;
    child->exit_fd = exit_fd;
    __atomic_store_n(&srv->shared->counters[child->index].pid, pid,
                     __ATOMIC_RELAXED);
    if (exit_fd >= 0 &&
        skt_selector_register(srv->sel, exit_fd, SKT_EVENT_READ, child) < 0) {
        skt__sys_close(exit_fd);
        child->exit_fd = -1;
    }
    srv->prefork->running++;
}

/* A child that died while the server serves is reported: it was not
 * asked to stop. */
static void report_death(skt_server *srv, struct skt__child *child,
                         int status)
{
    if (skt__server_stopping(srv) || skt__server_drain_on(srv) ||
        (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return;
    if (WIFSIGNALED(status))
        skt__fail(-ECHILD, "prefork worker %d (pid %d) was killed by signal "
                  "%d; starting another", child->index, (int)child->pid,
                  WTERMSIG(status));
    else
        skt__fail(-ECHILD, "prefork worker %d (pid %d) exited with status "
                  "%d; starting another", child->index, (int)child->pid,
                  WEXITSTATUS(status));
    skt__server_error(srv, NULL, -ECHILD);
}

/* Reaps the child if it has ended (or was reaped by someone else). */
static bool reap(skt_server *srv, struct skt__child *child, int options)
{
    int status = 0;
    int64_t now = skt__now();
    pid_t r;

    do
        r = waitpid(child->pid, &status, options);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    if (child->exit_fd >= 0) {
        skt_selector_unregister(srv->sel, child->exit_fd);
        skt__sys_close(child->exit_fd);
        child->exit_fd = -1;
    }
    if (r > 0)
        report_death(srv, child, status);
    child->pid = 0;
    child->restart_at = child->started + RESTART_REST > now
                            ? child->started + RESTART_REST
                            : now;
    __atomic_store_n(&srv->shared->counters[child->index].pid, 0,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&srv->shared->counters[child->index].open, 0,
                     __ATOMIC_RELAXED);
    srv->prefork->running--;
    return true;
}

/* The exit fd read as the child's end; a pipe may do so a moment before
 * the child can be reaped: it is then looked for with waitpid. */
static void child_exited(skt_server *srv, struct skt__child *child)
{
    if (reap(srv, child, WNOHANG))
        return;
    skt_selector_unregister(srv->sel, child->exit_fd);
    skt__sys_close(child->exit_fd);
    child->exit_fd = -1;
}

/* A running child looked for with waitpid: one without an exit fd, and
 * every one where the exit fd is only a hint (SKT__EXIT_FD_EXACT 0). */
static bool unwatched(const struct skt__child *child)
{
    return child->pid > 0 && (child->exit_fd < 0 || !SKT__EXIT_FD_EXACT);
}

/* One wait of the parent, up to deadline: children's exits, and the
 * children without an exit fd looked for. */
static int watch(skt_server *srv, int64_t deadline)
{
    struct skt__child *children = srv->prefork->children;
    const skt_selector_ready *ready;
    int64_t now = skt__now();
    int n;

    for (int i = 0; i < srv->workers; i++)
        if (unwatched(&children[i]) && deadline > now + CHILD_LOOK)
            deadline = now + CHILD_LOOK;
    n = skt_selector_select(srv->sel, skt__server_wait_for(deadline, now),
                            &ready);
    for (int i = 0; i < n; i++)
        if (ready[i].events != 0 &&
            *(int *)ready[i].key.data == SKT__KIND_PREFORK)
            child_exited(srv, ready[i].key.data);
    for (int i = 0; i < srv->workers; i++)
        if (unwatched(&children[i]))
            reap(srv, &children[i], WNOHANG);
    return n < 0 ? n : 0;
}

/* Starts the children that are due; returns when the next one is. */
static int64_t start_due(skt_server *srv, int64_t now)
{
    int64_t next = SKT__NEVER;

    for (int i = 0; i < srv->workers; i++) {
        struct skt__child *child = &srv->prefork->children[i];
        if (child->pid == 0 && child->restart_at <= now)
            start_child(srv, child, now);
        if (child->pid == 0 && child->restart_at < next)
            next = child->restart_at;
    }
    return next;
}

int skt__server_prefork_serve(skt_server *srv)
{
    struct skt__loop *loop = &srv->loops[0];
    int rc = 0;

    /* A signal left by the last shutdown would stop the new children. */
    skt__sys_wakeup_drain(srv->children_wake[0]);
    while (rc == 0 && !skt__server_stopping(srv) &&
           !skt__server_drain_on(srv)) {
        int64_t deadline = start_due(srv, skt__now());
        int64_t timeout = skt__server_next_deadline(loop);
        rc = watch(srv, timeout < deadline ? timeout : deadline);
        skt__server_check_timeout(loop, skt__now());
    }
    if (skt__server_drain_on(srv)) {
        skt__server_shut_listeners(srv);
        skt__server_prefork_finish(srv, skt__server_drain_deadline(srv));
    } else {
        skt__server_prefork_finish(srv, skt__server_close_deadline(srv));
    }
    return rc;
}

void skt__server_prefork_finish(skt_server *srv, int64_t deadline)
{
    if (srv->prefork == NULL)
        return;
    /* Each child ends after the connection it serves. */
    skt__server_wake_all(srv);
    while (srv->prefork->running > 0 && skt__now() < deadline)
        if (watch(srv, deadline) < 0)
            break;
    for (int i = 0; i < srv->workers; i++) {
        struct skt__child *child = &srv->prefork->children[i];
        if (child->pid > 0) {
            kill(child->pid, SIGKILL);
            reap(srv, child, 0);
        }
    }
}
