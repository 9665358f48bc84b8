/*
 * sys.c - the only file that makes socket system calls. It adds what every
 * call needs once: close-on-exec on every new fd, MSG_NOSIGNAL on every
 * send, and -errno returns with errno captured at once. EINTR is returned
 * to the caller, who knows whether to retry (a connect must not be).
 *
 * Tests can make calls fail on purpose (skt__sys_inject): EINTR, EAGAIN,
 * ECONNRESET, or a short send/recv. Disarmed, that costs one branch.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Fault injection                                                          */
/* ------------------------------------------------------------------------ */

struct fault {
    int code;
    int skip;
    int count;
    size_t short_len;
};

static struct fault faults[SKT__OP_COUNT];
int skt__faults_armed;
static pthread_mutex_t faults_lock = PTHREAD_MUTEX_INITIALIZER;

void skt__sys_inject(enum skt__sys_op op, int code, int skip, int count,
                     size_t short_len)
{
    pthread_mutex_lock(&faults_lock);
    faults[op] = (struct fault){code, skip, count, short_len};
    __atomic_store_n(&skt__faults_armed, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&faults_lock);
}

void skt__sys_inject_clear(void)
{
    pthread_mutex_lock(&faults_lock);
    for (int i = 0; i < SKT__OP_COUNT; i++)
        faults[i] = (struct fault){0};
    __atomic_store_n(&skt__faults_armed, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&faults_lock);
}

/*
 * Returns the fault to apply to this call of op: 0 for none, a negative
 * errno, or 1 when the call is to be cut short to *short_len bytes.
 */
int skt__sys_take_fault(enum skt__sys_op op, size_t *short_len)
{
    int result = 0;
    struct fault *f = &faults[op];

    pthread_mutex_lock(&faults_lock);
    if (f->count > 0) {
        if (f->skip > 0) {
            f->skip--;
        } else {
            f->count--;
            result = f->code != 0 ? f->code : 1;
            if (short_len != NULL)
                *short_len = f->short_len;
        }
    }
    pthread_mutex_unlock(&faults_lock);
    return result;
}

#define FAULT_POINT(op, short_len)                                            \
    (SKT__UNLIKELY(__atomic_load_n(&skt__faults_armed, __ATOMIC_ACQUIRE))     \
         ? skt__sys_take_fault(op, short_len)                                 \
         : 0)

/* ------------------------------------------------------------------------ */
/* The calls                                                                */
/* ------------------------------------------------------------------------ */

static inline int result(int r)
{
    return r < 0 ? -errno : r;
}

static inline ssize_t result_size(ssize_t r)
{
    return r < 0 ? -errno : r;
}

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

int skt__sys_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    int fault = FAULT_POINT(SKT__OP_CONNECT, NULL);
    if (fault < 0) {
        /* An injected EINTR stands for a signal that arrived after the
         * kernel started the connect, so the connect is really started. */
        if (fault == -EINTR) {
            int r = connect(fd, sa, len);
            if (r == 0 || errno == EINPROGRESS)
                return -EINTR;
            return -errno;
        }
        return fault;
    }
    return result(connect(fd, sa, len));
}

int skt__sys_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    return result(bind(fd, sa, len));
}

int skt__sys_listen(int fd, int backlog)
{
    return result(listen(fd, backlog));
}

int skt__sys_shutdown(int fd, int how)
{
    return result(shutdown(fd, how));
}

/* skt__sys_send and skt__sys_recv are inline in internal.h: they are the
 * hot path, and a call level between two syscalls costs real time. */

ssize_t skt__sys_sendto(int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *sa, socklen_t salen)
{
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);
    if (fault < 0)
        return fault;
    return result_size(sendto(fd, buf, len, flags | MSG_NOSIGNAL, sa, salen));
}

ssize_t skt__sys_recvfrom(int fd, void *buf, size_t len, int flags,
                          struct sockaddr *sa, socklen_t *salen)
{
    int fault = FAULT_POINT(SKT__OP_RECV, NULL);
    if (fault < 0)
        return fault;
    return result_size(recvfrom(fd, buf, len, flags, sa, salen));
}

int skt__sys_close(int fd)
{
    int fault = FAULT_POINT(SKT__OP_CLOSE, NULL);
    int r = close(fd);

    /* The fd is gone whatever close says (Linux frees it even on EINTR),
     * so an injected failure is reported only after the real close. */
    if (fault < 0)
        return fault;
    return result(r);
}

int skt__sys_dup(int fd)
{
    return result(fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

int skt__sys_poll(struct pollfd *fds, nfds_t n, const struct timespec *timeout)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(ppoll(fds, n, timeout, NULL));
}

int skt__sys_getsockopt(int fd, int level, int name, void *val,
                        socklen_t *len)
{
    return result(getsockopt(fd, level, name, val, len));
}

int skt__sys_setsockopt(int fd, int level, int name, const void *val,
                        socklen_t len)
{
    return result(setsockopt(fd, level, name, val, len));
}

int skt__sys_set_nonblocking(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);
    int wanted;

    if (flags < 0)
        return -errno;
    wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted == flags)
        return 0;
    return result(fcntl(fd, F_SETFL, wanted));
}

int skt__sys_clear_status_flags(int fd)
{
    return result(fcntl(fd, F_SETFL, 0));
}

int skt__sys_get_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -errno;
    return (flags & FD_CLOEXEC) != 0;
}

int skt__sys_set_cloexec(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -errno;
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    return result(fcntl(fd, F_SETFD, flags));
}

int skt__sys_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
    return result(getsockname(fd, sa, len));
}

int skt__sys_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
    return result(getpeername(fd, sa, len));
}

int skt__sys_get_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    return (flags & O_NONBLOCK) != 0;
}

/* ------------------------------------------------------------------------ */
/* Messages and files (msg.c, mmsg.c, sendfile.c)                           */
/* ------------------------------------------------------------------------ */

ssize_t skt__sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);
    if (fault < 0)
        return fault;
    return result_size(sendmsg(fd, msg, flags | MSG_NOSIGNAL));
}

ssize_t skt__sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
    int fault = FAULT_POINT(SKT__OP_RECV, NULL);
    if (fault < 0)
        return fault;
    return result_size(recvmsg(fd, msg, flags));
}

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

ssize_t skt__sys_read(int fd, void *buf, size_t len)
{
    return result_size(read(fd, buf, len));
}

/* ------------------------------------------------------------------------ */
/* Readiness and wake-up (selectors, servers)                               */
/* ------------------------------------------------------------------------ */

/*
 * The waiting calls below share the poll fault point (SKT__OP_POLL): to a
 * test, every "wait for readiness" is the same operation.
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

int skt__sys_select(int nfds, fd_set *readable, fd_set *writable,
                    const struct timespec *timeout)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(pselect(nfds, readable, writable, NULL, timeout, NULL));
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

int skt__sys_fd_valid(int fd)
{
    return fcntl(fd, F_GETFD) < 0 ? -errno : 0;
}

int skt__sys_pidfd_open(pid_t pid)
{
    /* pidfds are always close-on-exec; the wrapper is called through
     * syscall(2) so that older C libraries build it too. */
    return (int)result_size(syscall(SYS_pidfd_open, pid, 0));
}
