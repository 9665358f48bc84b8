/*
 * sys_posix.c - the system calls that the platform provides, written with
 * POSIX.1-2008 alone: no SOCK_CLOEXEC, SOCK_NONBLOCK or accept4 (fcntl
 * right after the call), no ppoll (poll in milliseconds, rounded up), no
 * SO_DOMAIN (getsockname), no eventfd (a self-pipe), no pidfd (a pipe
 * per child), no sendfile (-ENOSYS: sendfile.c copies instead).
 *
 * fcntl after the call leaves a window: a thread that forks and execs
 * between the two calls hands the new fd to the program it runs. The
 * header says so next to each function that makes an fd.
 *
 * Where the system has SO_NOSIGPIPE, every socket made or accepted here
 * (and adopted by skt_from_fd, through skt__sys_socket_kind) gets it;
 * elsewhere each send holds SIGPIPE back (platform.h).
 */
#include "sys_int.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* New fds: close-on-exec, the mode asked for, no SIGPIPE                   */
/* ------------------------------------------------------------------------ */

#ifdef SO_NOSIGPIPE
static int no_sigpipe(int fd)
{
    int on = 1;
    return result(setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on));
}
#else
static int no_sigpipe(int fd)
{
    (void)fd;
    return 0;
}
#endif

/* What SOCK_CLOEXEC and SOCK_NONBLOCK would have done at creation, on
 * a socket fd just made; the status flags are set outright, since BSD
 * systems let an accepted socket inherit the listener's O_NONBLOCK. */
static int prepare(int fd, bool nonblocking)
{
    int rc = result(fcntl(fd, F_SETFD, FD_CLOEXEC));

    if (rc == 0)
        rc = result(fcntl(fd, F_SETFL, nonblocking ? O_NONBLOCK : 0));
    if (rc == 0)
        rc = no_sigpipe(fd);
    return rc;
}

/* Returns fd prepared, or closes it and returns the code. */
static int prepared(int fd, bool nonblocking)
{
    int rc;

    if (fd < 0)
        return fd;
    rc = prepare(fd, nonblocking);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

/* The families POSIX names are the ones this platform knows; the others
 * (netlink, packet, ...) are a platform's own. */
static bool known_family(int family)
{
    return family == AF_INET || family == AF_INET6 || family == AF_UNIX;
}

static int base_type(int type)
{
    return type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int skt__sys_socket(int family, int type, int proto)
{
    if (!known_family(family))
        return -EAFNOSUPPORT;
    return prepared(result(socket(family, base_type(type), proto)),
                    (type & SOCK_NONBLOCK) != 0);
}

int skt__sys_socketpair(int family, int type, int proto, int fds[2])
{
    bool nonblocking = (type & SOCK_NONBLOCK) != 0;
    int rc;

    if (!known_family(family))
        return -EAFNOSUPPORT;
    rc = result(socketpair(family, base_type(type), proto, fds));
    if (rc < 0)
        return rc;
    rc = prepare(fds[0], nonblocking);
    if (rc == 0)
        rc = prepare(fds[1], nonblocking);
    if (rc < 0) {
        close(fds[0]);
        close(fds[1]);
    }
    return rc;
}

int skt__sys_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    int fault = FAULT_POINT(SKT__OP_ACCEPT, NULL);
    if (fault < 0)
        return fault;
    return prepared(result(accept(fd, sa, len)),
                    (flags & SOCK_NONBLOCK) != 0);
}

/* ------------------------------------------------------------------------ */
/* What a socket is; waiting                                                */
/* ------------------------------------------------------------------------ */

#ifdef SO_PROTOCOL
static int protocol_of(int fd, int *proto)
{
    socklen_t len = sizeof *proto;
    return result(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, proto, &len));
}
#else
/* Without SO_PROTOCOL the protocol cannot be read: 0, the default. */
static int protocol_of(int fd, int *proto)
{
    (void)fd;
    *proto = 0;
    return 0;
}
#endif

int skt__sys_socket_kind(int fd, int *family, int *type, int *proto)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof *type;
    int rc = result(getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &len));

    if (rc < 0)
        return rc;
    len = sizeof ss;
    ss.ss_family = AF_UNSPEC;
    rc = result(getsockname(fd, (struct sockaddr *)&ss, &len));
    if (rc == 0)
        rc = protocol_of(fd, proto);
    if (rc == 0)
        rc = no_sigpipe(fd);
    *family = ss.ss_family;
    return rc;
}

/* A wait of ts, in milliseconds rounded up (a wait never ends before its
 * deadline), capped at INT_MAX (the caller waits again for the rest);
 * -1, without limit, for none. */
static int poll_ms(const struct timespec *ts)
{
    long long ms;

    if (ts == NULL)
        return -1;
    if (ts->tv_sec >= INT_MAX / 1000)
        return INT_MAX;
    ms = (long long)ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
    return ms < INT_MAX ? (int)ms : INT_MAX;
}

int skt__sys_poll(struct pollfd *fds, nfds_t n, const struct timespec *timeout)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(poll(fds, n, poll_ms(timeout)));
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

/* POSIX has no sendfile: -ENOSYS sends sendfile.c to its copy loop. */
ssize_t skt__sys_sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
    (void)out_fd, (void)in_fd, (void)offset, (void)count;
    return -ENOSYS;
}

/* ------------------------------------------------------------------------ */
/* The selector's wake-up: a self-pipe                                      */
/* ------------------------------------------------------------------------ */

/* A pipe whose ends are close-on-exec, and non-blocking when asked. */
static int make_pipe(int fds[2], bool nonblocking)
{
    int rc = result(pipe(fds));

    if (rc < 0)
        return rc;
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = result(fcntl(fds[i], F_SETFD, FD_CLOEXEC));
        if (rc == 0 && nonblocking)
            rc = result(fcntl(fds[i], F_SETFL, O_NONBLOCK));
    }
    if (rc < 0) {
        close(fds[0]);
        close(fds[1]);
    }
    return rc;
}

int skt__sys_wakeup_open(int fds[2])
{
    return make_pipe(fds, true);
}

/* One write(2), which is async-signal-safe. A full pipe (EAGAIN) holds
 * wake-ups enough. errno is kept for the signal handler's caller. */
int skt__sys_wakeup_signal(int fd)
{
    int saved = errno;
    char one = 1;
    ssize_t n = write(fd, &one, 1);
    int rc = n < 0 && errno != EAGAIN ? -errno : 0;

    errno = saved;
    return rc;
}

/* Reads until the pipe is empty: many wake-ups are one. */
void skt__sys_wakeup_drain(int fd)
{
    char bytes[64];

    while (read(fd, bytes, sizeof bytes) == (ssize_t)sizeof bytes)
        continue;
}

void skt__sys_wakeup_close(const int fds[2])
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* ------------------------------------------------------------------------ */
/* A forked child's exit as an event (servers)                              */
/* ------------------------------------------------------------------------ */

/*
 * A pipe per child: the child keeps the write end until it exits (it is
 * close-on-exec, so an exec ends it too), and the parent watches the read
 * end, which reads end-of-file once no process holds the write end. The
 * parent closes its copy at once, so later children never inherit it; a
 * child that another thread forks in that moment does (the fork window
 * again), and the end of the file then waits for that process too. The
 * pipe is therefore a prompt hint: the servers also look for each child
 * with waitpid (SKT__EXIT_FD_EXACT 0 in platform.h).
 */
pid_t skt__sys_fork_watched(int *exit_fd)
{
    int ends[2];
    bool watched = make_pipe(ends, false) == 0;
    pid_t pid;

    if (skt__sys_fork_hook != NULL)
        skt__sys_fork_hook();
    pid = fork();

    *exit_fd = -1;
    if (pid < 0) {
        int code = -errno;
        if (watched)
            skt__sys_wakeup_close(ends);
        return code;
    }
    if (!watched)
        return pid;
    if (pid == 0) {
        close(ends[0]);
        return 0;
    }
    close(ends[1]);
    *exit_fd = ends[0];
    return pid;
}
