/*
 * exec.c - -e CMD and -c CMD: a program with the connection as its stdin
 * and stdout, and the addresses in its environment (SKT_REMOTE_ADDR,
 * SKT_REMOTE_PORT, SKT_LOCAL_ADDR, SKT_LOCAL_PORT). A plain socket is
 * handed over as it is; a TLS connection (or one with --frame, whose
 * messages are the program's lines, or with -i, which only a process
 * between the two can apply) stays here, and the program gets one end of
 * a socket pair that this process pumps. The program's end is the
 * connection's end either way. With -l -k, one
 * process per client, at most -m at once: the listener is left alone
 * while that many run, and SIGCHLD wakes the loop to reap them
 * (children.c).
 */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Most words -e splits its command into. */
#define WORDS_MAX 64

/* ------------------------------------------------------------------------ */
/* The program                                                              */
/* ------------------------------------------------------------------------ */

static void export_address(const char *addr_name, const char *port_name,
                           const skt_addr *a)
{
    char host[SKT_ADDRSTRLEN], port[16];

    addr_host_port(a, host, sizeof host, port, sizeof port);
    if (skt_addr_family(a) == AF_UNIX && strncmp(host, "unix:", 5) == 0)
        memmove(host, host + 5, strlen(host + 5) + 1);
    setenv(addr_name, host, 1);
    setenv(port_name, port, 1);
}

/* The addresses of a connection, for its program's environment. */
static void addresses_of(skt_socket *s, skt_addr *remote, skt_addr *local)
{
    if (skt_getpeername(s, remote) < 0)
        remote->len = 0;
    if (skt_getsockname(s, local) < 0)
        local->len = 0;
}

/* -e's command split at spaces and tabs, into words (in place). */
static void split_words(char *cmd, char **words)
{
    size_t n = 0;
    char *save = NULL;

    for (char *w = strtok_r(cmd, " \t", &save); w && n < WORDS_MAX;
         w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    words[n] = NULL;
}

/*
 * In a child: makes fd its stdin and stdout, exports the addresses and
 * runs the program. Never returns.
 */
static void exec_program(const struct config *c, int fd,
                         const skt_addr *remote, const skt_addr *local)
{
    char *words[WORDS_MAX + 1], *cmd = strdup(c->exec_cmd);
    int copy = fcntl(fd, F_DUPFD, 3);

    signals_reset_for_child();
    export_address("SKT_REMOTE_ADDR", "SKT_REMOTE_PORT", remote);
    export_address("SKT_LOCAL_ADDR", "SKT_LOCAL_PORT", local);
    if (copy < 0 || dup2(copy, 0) < 0 || dup2(copy, 1) < 0 || cmd == NULL) {
        note("-e: cannot give the connection to the program: %s",
             strerror(errno));
        _exit(127);
    }
    close(copy);
    if (c->exec_shell) {
        execl("/bin/sh", "sh", "-c", c->exec_cmd, (char *)NULL);
    } else {
        split_words(cmd, words);
        execvp(words[0], words);
    }
    note("exec %s: %s", c->exec_cmd, strerror(errno));
    _exit(127);
}

int wait_program(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return EXIT_NETWORK;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_OK
                                                          : EXIT_NETWORK;
}

pid_t start_program_with(const struct config *c, int fd,
                         const skt_addr *remote, const skt_addr *local)
{
    pid_t pid = fork();

    if (pid == 0)
        exec_program(c, fd, remote, local);
    if (pid < 0)
        fail(skt_set_error_detail(-errno, "fork: %s", strerror(errno)),
             false);
    return pid;
}

static pid_t start_program(const struct config *c, skt_socket *s, int fd)
{
    skt_addr remote, local;

    addresses_of(s, &remote, &local);
    return start_program_with(c, fd, &remote, &local);
}

/* Whether the connection stays in this process (see the top). */
static bool pumped(const struct config *c, const skt_socket *s)
{
    return skt_tls_version(s) != NULL || c->framed || c->idle > 0;
}

/* The program gets a socket pair's end; this process pumps. */
static int exec_over_pair(const struct config *c, skt_socket *s)
{
    skt_socket *here, *there;
    struct counters n = {0, 0};
    pid_t pid;
    int rc = skt_socketpair(&here, &there, AF_UNIX, SOCK_STREAM, 0), status;

    if (rc < 0)
        return fail(rc, false);
    pid = start_program(c, s, fd_of(there));
    skt_close(there);
    if (pid < 0) {
        skt_close(here);
        return EXIT_NETWORK;
    }
    signals_reap_at_exit(pid);
    status = pump_stream(c, s, fd_of(here), fd_of(here), &n);
    skt_close(here);
    status = status != 0 ? status : wait_program(pid);
    signals_reap_at_exit(0);
    return status;
}

int exec_connection(const struct config *c, skt_socket *s)
{
    pid_t pid;
    int status;

    if (pumped(c, s))
        return exec_over_pair(c, s);
    pid = start_program(c, s, fd_of(s));
    if (pid < 0)
        return EXIT_NETWORK;
    signals_reap_at_exit(pid);
    status = wait_program(pid);
    signals_reap_at_exit(0);
    return status;
}

/* ------------------------------------------------------------------------ */
/* -l -k -e: one process per client                                         */
/* ------------------------------------------------------------------------ */

/* The child of one client, its TLS handshake done: the program. */
static void program_process(const struct children *k, skt_socket *conn)
{
    if (!pumped(k->c, conn)) {
        skt_addr remote, local;
        addresses_of(conn, &remote, &local);
        exec_program(k->c, fd_of(conn), &remote, &local);
    }
    _exit(exec_over_pair(k->c, conn));
}

int serve_programs(const struct config *c, skt_socket *listener,
                   skt_tls_ctx *tls)
{
    struct children k = {.c = c, .listener = listener, .tls = tls,
                         .serve = program_process};
    int status = serve_children(&k);

    close_listener(c, listener);
    return status;
}
