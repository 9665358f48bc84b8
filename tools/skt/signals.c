/*
 * signals.c - how skt meets signals. SIGPIPE is ignored, so a reader that
 * goes away is an EPIPE the code handles. SIGINT and SIGTERM end the tool
 * with 128 + N: a listener's loop is woken through its selector so that it
 * reaps its children first; elsewhere the handler exits at once. Either
 * way a Unix socket file the tool bound is removed. SIGCHLD wakes the
 * loop that reaps -e's children.
 */
#include "tool.h"

#include <signal.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the handler reads; set by the main flow only. */
static skt_selector *volatile watched;
static volatile sig_atomic_t caught;
static volatile pid_t child;
static char unlink_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

static void on_stop(int signo)
{
    if (unlink_path[0] != '\0')
        unlink(unlink_path);
    if (child > 0) {
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }
    caught = signo;
    if (watched == NULL)
        _exit(EXIT_SIGNAL + signo);
    skt_selector_wakeup(watched);
}

static void on_child(int signo)
{
    (void)signo;
    if (watched != NULL)
        skt_selector_wakeup(watched);
}

static void handle(int signo, void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(signo, &sa, NULL);
}

void signals_install(void)
{
    handle(SIGPIPE, SIG_IGN);
    handle(SIGINT, on_stop);
    handle(SIGTERM, on_stop);
    handle(SIGCHLD, on_child);
}

void signals_watch(skt_selector *sel)
{
    watched = sel;
}

void signals_unlink_at_exit(const char *path)
{
    if (path == NULL) {
        unlink_path[0] = '\0';
        return;
    }
    if (strlen(path) < sizeof unlink_path)
        strcpy(unlink_path, path);
}

void signals_reap_at_exit(pid_t pid)
{
    child = pid;
}

int signals_caught(void)
{
    return caught;
}

void signals_reset_for_child(void)
{
    handle(SIGPIPE, SIG_DFL);
    handle(SIGINT, SIG_DFL);
    handle(SIGTERM, SIG_DFL);
    handle(SIGCHLD, SIG_DFL);
}
