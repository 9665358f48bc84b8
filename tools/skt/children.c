/*
 * children.c - -k's process per client, for -e/-c (exec.c) and for skt
 * relay (relay.c): each accepted client is served by a child process of
 * its own, at most -m at once. The listener is left out of the selector
 * while that many run, SIGCHLD wakes the loop to reap them, and on
 * SIGINT or SIGTERM every child is asked to end and reaped before skt
 * exits with 128 + N.
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void set_accepting(struct children *k, bool on)
{
    if (on == k->accepting)
        return;
    if (on)
        skt_selector_register_socket(k->sel, k->listener, SKT_EVENT_READ,
                                     NULL);
    else
        skt_selector_unregister_socket(k->sel, k->listener);
    k->accepting = on;
}

static void forget(struct children *k, pid_t pid)
{
    for (long i = 0; i < k->c->max_clients; i++)
        if (k->pids[i] == pid) {
            k->pids[i] = 0;
            k->count--;
        }
}

static void reap(struct children *k)
{
    pid_t pid;

    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        forget(k, pid);
    set_accepting(k, k->count < k->c->max_clients);
}

/* The child of one client: what is the parent's closed, the TLS
 * handshake, then the mode's serve. Never returns. */
static void client_process(struct children *k, skt_socket *conn)
{
    int rc = 0;

    signals_watch(NULL);
    signals_unlink_at_exit(NULL);
    skt_selector_close(k->sel);
    k->sel = NULL;
    skt_close(k->listener);
    k->listener = NULL;
    if (k->tls != NULL)
        rc = tls_accept(k->c, k->tls, conn);
    if (rc < 0) {
        skt_close(conn);
        _exit(fail(rc, k->c->wait > 0));
    }
    k->serve(k, conn);
    _exit(EXIT_NETWORK);
}

static void on_client(struct children *k)
{
    skt_socket *conn;
    pid_t pid;
    long i = 0;
    int rc = accept_client(k->c, k->listener, NULL, &conn);

    if (rc != 0) {
        if (rc < 0 && rc != -EAGAIN)
            fail(rc, false);
        return;
    }
    pid = fork();
    if (pid == 0)
        client_process(k, conn);
    if (pid < 0)
        fail(skt_set_error_detail(-errno, "fork: %s", strerror(errno)),
             false);
    skt_close(conn);
    if (pid < 0)
        return;
    while (k->pids[i] != 0)
        i++;
    k->pids[i] = pid;
    k->count++;
    set_accepting(k, k->count < k->c->max_clients);
}

/* On a signal: every child is asked to end, then reaped. */
static void end_children(struct children *k)
{
    for (long i = 0; i < k->c->max_clients; i++)
        if (k->pids[i] > 0)
            kill(k->pids[i], SIGTERM);
    for (long i = 0; i < k->c->max_clients; i++)
        if (k->pids[i] > 0)
            waitpid(k->pids[i], NULL, 0);
}

static int children_loop(struct children *k)
{
    const skt_selector_ready *ready;

    set_accepting(k, true);
    while (signals_caught() == 0) {
        int count = skt_selector_select(k->sel, SKT_BLOCKING, &ready);
        if (count < 0)
            return fail(count, false);
        reap(k);
        if (count > 0 && ready[0].events != 0 && k->accepting &&
            signals_caught() == 0)
            on_client(k);
    }
    end_children(k);
    return EXIT_SIGNAL + signals_caught();
}

int serve_children(struct children *k)
{
    int rc = skt_selector_new(&k->sel, SKT_SELECTOR_POLL), status;

    k->pids = calloc((size_t)k->c->max_clients, sizeof *k->pids);
    if (rc == 0 && k->pids == NULL)
        rc = skt_set_error_detail(-ENOMEM, "-m: out of memory");
    if (rc == 0)
        rc = skt_settimeout(k->listener, 0);
    if (rc < 0) {
        status = fail(rc, false);
    } else {
        signals_watch(k->sel);
        status = children_loop(k);
        signals_watch(NULL);
    }
    free(k->pids);
    k->pids = NULL;
    skt_selector_close(k->sel);
    k->sel = NULL;
    return status;
}
