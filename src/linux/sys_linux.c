/*
 * sys_linux.c - the system calls that Linux has and POSIX does not:
 * accept4, sendmmsg/recvmmsg, sendfile, epoll, eventfd and pidfd. Like
 * sys.c they add close-on-exec and MSG_NOSIGNAL, return -errno, and share
 * its fault points.
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

int skt__sys_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    int fault = FAULT_POINT(SKT__OP_ACCEPT, NULL);
    if (fault < 0)
        return fault;
    return result(accept4(fd, sa, len, flags | SOCK_CLOEXEC));
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
    static const struct timespec no_wait = {0, 0};
    sigset_t pipe_only, old, pending;
    bool was_pending;
    ssize_t n;
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);

    if (fault < 0)
        return fault;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE) == 1;
    n = result_size(sendfile(out_fd, in_fd, offset, count));
    if (n == -EPIPE && !was_pending)
        sigtimedwait(&pipe_only, NULL, &no_wait);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
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

int skt__sys_eventfd(void)
{
    return result(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

/* write(2) is async-signal-safe, so this may run in a signal handler. A
 * full counter (EAGAIN) already means "woken", so it is success. */
int skt__sys_eventfd_signal(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);

    if (n < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int skt__sys_eventfd_drain(int fd)
{
    uint64_t count;
    return (int)result_size(read(fd, &count, sizeof count));
}

int skt__sys_pidfd_open(pid_t pid)
{
    /* pidfds are always close-on-exec; the wrapper is called through
     * syscall(2) so that older C libraries build it too. */
    return (int)result_size(syscall(SYS_pidfd_open, pid, 0));
}
