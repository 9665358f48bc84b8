/*
 * sys_linux.c - the system calls that Linux has and POSIX does not:
 * SOCK_CLOEXEC at creation, accept4, ppoll, SO_DOMAIN/SO_PROTOCOL,
 * sendmmsg/recvmmsg, sendfile, epoll, eventfd (the selector's wake-up)
 * and pidfd (a forked child's exit as an event). Like sys.c they add
 * close-on-exec and MSG_NOSIGNAL, return -errno, and share its fault
 * points.
 */
#include "sys_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

int skt__sys_socket(int family, int type, int proto)
{
    return result(socket(family, type | SOCK_CLOEXEC, proto));
}

int skt__sys_socketpair(int family, int type, int proto, int fds[2])
{
    return result(socketpair(family, type | SOCK_CLOEXEC, proto, fds));
}

int skt__sys_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    int fault = FAULT_POINT(SKT__OP_ACCEPT, NULL);
    if (fault < 0)
        return fault;
    return result(accept4(fd, sa, len, flags | SOCK_CLOEXEC));
}

static int int_option(int fd, int name, int *value)
{
    socklen_t len = sizeof *value;
    return result(getsockopt(fd, SOL_SOCKET, name, value, &len));
}

int skt__sys_socket_kind(int fd, int *family, int *type, int *proto)
{
    int rc = int_option(fd, SO_DOMAIN, family);

    if (rc == 0)
        rc = int_option(fd, SO_TYPE, type);
    if (rc == 0)
        rc = int_option(fd, SO_PROTOCOL, proto);
    return rc;
}

int skt__sys_poll(struct pollfd *fds, nfds_t n, const struct timespec *timeout)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(ppoll(fds, n, timeout, NULL));
}

/* ------------------------------------------------------------------------ */
/* Message batches and files (mmsg.c, sendfile.c)                           */
/* ------------------------------------------------------------------------ */

int skt__sys_sendmmsg(int fd, struct mmsghdr *msgs, unsigned count,
                      int flags)
{
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);
    if (fault < 0)
        return fault;
    return result(sendmmsg(fd, msgs, count, flags | MSG_NOSIGNAL));
}

int skt__sys_recvmmsg(int fd, struct mmsghdr *msgs, unsigned count,
                      int flags)
{
    int fault = FAULT_POINT(SKT__OP_RECV, NULL);
    if (fault < 0)
        return fault;
    return result(recvmmsg(fd, msgs, count, flags, NULL));
}

/*
 * sendfile has no MSG_NOSIGNAL. SIGPIPE is blocked in this thread for the
 * call, and a SIGPIPE the call raised is taken back before the mask is
 * restored, unless one was already pending (that one is not ours).
 */
ssize_t skt__sys_sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
    struct skt__sigpipe_hold hold;
    ssize_t n;
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);

    if (fault < 0)
        return fault;
    skt__sys_sigpipe_hold(&hold);
    n = result_size(sendfile(out_fd, in_fd, offset, count));
    skt__sys_sigpipe_release(&hold, n);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Readiness and wake-up (selectors, servers)                               */
/* ------------------------------------------------------------------------ */

/*
 * The waiting calls share the poll fault point (SKT__OP_POLL): to a test,
 * every "wait for readiness" is the same operation.
 */

int skt__sys_epoll_create(void)
{
    return result(epoll_create1(EPOLL_CLOEXEC));
}

int skt__sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    return result(epoll_ctl(epfd, op, fd, ev));
}

int skt__sys_epoll_wait(int epfd, struct epoll_event *events, int max,
                        int timeout_ms)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(epoll_wait(epfd, events, max, timeout_ms));
}

/* The wake-up channel is one eventfd: watched and signalled alike. */
int skt__sys_wakeup_open(int fds[2])
{
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    if (fd < 0)
        return -errno;
    fds[0] = fds[1] = fd;
    return 0;
}

/* write(2) is async-signal-safe, so this may run in a signal handler. A
 * full counter (EAGAIN) already means "woken", so it is success. */
int skt__sys_wakeup_signal(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);

    if (n < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

/* One read takes the whole counter: many wake-ups are one. */
void skt__sys_wakeup_drain(int fd)
{
    uint64_t count;
    ssize_t n = read(fd, &count, sizeof count);

    (void)n;
}

void skt__sys_wakeup_close(const int fds[2])
{
    close(fds[0]);
}

/* ------------------------------------------------------------------------ */
/* A forked child's exit as an event (servers)                              */
/* ------------------------------------------------------------------------ */

/*
 * A pidfd becomes readable when the child has exited. It is opened after
 * the fork, so no other child can inherit it, and it is always
 * close-on-exec; the wrapper is called through syscall(2) so that older
 * C libraries build it too. Without one (an old kernel, no fd left) the
 * caller watches the child some other way.
 */
static int open_pidfd(pid_t pid)
{
    return (int)result_size(syscall(SYS_pidfd_open, pid, 0));
}

pid_t skt__sys_fork_watched(int *exit_fd)
{
    pid_t pid;

    if (skt__sys_fork_hook != NULL)
        skt__sys_fork_hook();
    pid = fork();

    *exit_fd = -1;
    if (pid < 0)
        return -errno;
    if (pid > 0) {
        int fd = open_pidfd(pid);
        *exit_fd = fd >= 0 ? fd : -1;
    }
    return pid;
}
