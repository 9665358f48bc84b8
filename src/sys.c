/*
 * sys.c - the POSIX system calls; with the platform's sys_<platform>.c, the
 * only files that make socket system calls. It adds what every
 * call needs once: close-on-exec on every new fd, no SIGPIPE from any
 * send (the platform's SKT__SEND_FLAGS and send guard, platform.h), and
 * -errno returns with errno captured at once. EINTR is returned
 * to the caller, who knows whether to retry (a connect must not be). The
 * calls that create sockets and the waits with a timespec are the
 * platform's, since POSIX.1-2008 has neither SOCK_CLOEXEC nor ppoll.
 *
 * Tests can make calls fail on purpose (skt__sys_inject): EINTR, EAGAIN,
 * ECONNRESET, or a short send/recv. Disarmed, that costs one branch.
 */
#include "sys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
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
void (*skt__sys_fork_hook)(void);
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

/* ------------------------------------------------------------------------ */
/* The calls                                                                */
/* ------------------------------------------------------------------------ */

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
    struct skt__send_guard guard;
    ssize_t n;

    skt__send_guard_enter(&guard);
    n = result_size(sendto(fd, buf, len, flags | SKT__SEND_FLAGS, sa, salen));
    skt__send_guard_leave(&guard, n);
    return n;
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
    struct skt__send_guard guard;
    ssize_t n;
    int fault = FAULT_POINT(SKT__OP_SEND, NULL);

    if (fault < 0)
        return fault;
    skt__send_guard_enter(&guard);
    n = result_size(sendmsg(fd, msg, flags | SKT__SEND_FLAGS));
    skt__send_guard_leave(&guard, n);
    return n;
}

ssize_t skt__sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
    int fault = FAULT_POINT(SKT__OP_RECV, NULL);
    if (fault < 0)
        return fault;
    return result_size(recvmsg(fd, msg, flags));
}

ssize_t skt__sys_read(int fd, void *buf, size_t len)
{
    return result_size(read(fd, buf, len));
}

/* ------------------------------------------------------------------------ */
/* Readiness and wake-up (selectors, servers)                               */
/* ------------------------------------------------------------------------ */

/*
 * select shares the poll fault point (SKT__OP_POLL) with the platform's
 * waits: to a test, every "wait for readiness" is the same operation.
 */

int skt__sys_select(int nfds, fd_set *readable, fd_set *writable,
                    const struct timespec *timeout)
{
    int fault = FAULT_POINT(SKT__OP_POLL, NULL);
    if (fault < 0)
        return fault;
    return result(pselect(nfds, readable, writable, NULL, timeout, NULL));
}

int skt__sys_fd_valid(int fd)
{
    return fcntl(fd, F_GETFD) < 0 ? -errno : 0;
}


/* ------------------------------------------------------------------------ */
/* SIGPIPE held back (sendfile; sends where the platform has no flag)       */
/* ------------------------------------------------------------------------ */

static void sigpipe_only(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGPIPE);
}

void skt__sys_sigpipe_hold(struct skt__sigpipe_hold *h)
{
    sigset_t pipe_only, pending;

    sigpipe_only(&pipe_only);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &h->old);
    sigpending(&pending);
    h->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

/* A SIGPIPE that was pending before the call is not ours to take: it
 * stays pending, and arrives when the mask is restored. */
void skt__sys_sigpipe_release(const struct skt__sigpipe_hold *h,
                              ssize_t result)
{
    static const struct timespec no_wait = {0, 0};
    sigset_t pipe_only;

    if (result == -EPIPE && !h->was_pending) {
        sigpipe_only(&pipe_only);
        sigtimedwait(&pipe_only, NULL, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &h->old, NULL);
}
