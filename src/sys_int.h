/*
 * sys_int.h - what the system-call files share (sys.c and the platform's
 * sys_<platform>.c): the fault point and the -errno conversion; and the
 * calls each platform provides in its own way for the layers above (the
 * socket's kind, the selector's wake-up channel, a watched fork, the
 * relay's splice). docs/porting.md lists them with the rest of what a
 * platform provides.
 */
#ifndef SKT_SYS_INT_H
#define SKT_SYS_INT_H

#include "internal.h"

#include <errno.h>

#define FAULT_POINT(op, short_len)                                            \
    (SKT__UNLIKELY(__atomic_load_n(&skt__faults_armed, __ATOMIC_ACQUIRE))     \
         ? skt__sys_take_fault(op, short_len)                                 \
         : 0)

static inline int result(int r)
{
    return r < 0 ? -errno : r;
}

static inline ssize_t result_size(ssize_t r)
{
    return r < 0 ? -errno : r;
}

/* ------------------------------------------------------------------------ */
/* Provided by each platform (src/<platform>/sys_<platform>.c)              */
/* ------------------------------------------------------------------------ */

/*
 * The family, type and protocol of an open socket, for skt_from_fd.
 * Linux reads SO_DOMAIN, SO_TYPE and SO_PROTOCOL; POSIX has only SO_TYPE,
 * so the family comes from getsockname and the protocol is 0 where the
 * system has no SO_PROTOCOL. Returns 0 or -errno (-ENOTSOCK for an fd
 * that is no socket).
 */
SKT__HIDDEN int skt__sys_socket_kind(int fd, int *family, int *type,
                                     int *proto);

/*
 * The selector's wake-up channel. open makes it, close-on-exec and
 * non-blocking: fds[0] is watched for reading, fds[1] is signalled (Linux:
 * one eventfd, both the same fd; POSIX: a pipe). signal is
 * async-signal-safe (one write; a full channel is woken already, which is
 * success) and returns 0 or -errno. drain empties what fds[0] holds.
 * close closes what open made; an end already closed is passed as -1.
 */
SKT__HIDDEN int skt__sys_wakeup_open(int fds[2]);
SKT__HIDDEN int skt__sys_wakeup_signal(int fd);
SKT__HIDDEN void skt__sys_wakeup_drain(int fd);
SKT__HIDDEN void skt__sys_wakeup_close(const int fds[2]);

/*
 * fork(2), with the child's exit as an event and no SIGCHLD handler. In
 * the parent: returns the child's pid and sets *exit_fd to an fd that
 * becomes readable when the child ends (Linux: a pidfd, readable once the
 * child can be reaped; POSIX: the read end of a pipe whose write end only
 * the child holds, which reads end-of-file when the child exits, perhaps
 * a moment before waitpid can reap it, and also when it calls exec), or
 * to -1 when none could be made (the caller then looks for the child with
 * waitpid). In the child: returns 0 with *exit_fd -1. Returns -errno when
 * fork fails.
 */
SKT__HIDDEN pid_t skt__sys_fork_watched(int *exit_fd);

/*
 * The relay's kernel path (src/linux/splice_linux.c, for relay.c):
 * skt__sys_pipe makes a close-on-exec, non-blocking pipe; skt__sys_splice
 * moves up to len bytes between a socket and a pipe end without copying
 * them to user space, never blocking on the pipe (the socket blocks as its
 * O_NONBLOCK flag says). Both return 0 or a count, or -errno. A platform
 * without splice (no SKT__HAVE_SPLICE in its platform.h) gets -ENOSYS from
 * both, and the relay copies through a buffer.
 */
#ifdef SKT__HAVE_SPLICE
SKT__HIDDEN int skt__sys_pipe(int fds[2]);
SKT__HIDDEN ssize_t skt__sys_splice(int from, int to, size_t len);
#else
static inline int skt__sys_pipe(int fds[2])
{
    (void)fds;
    return -ENOSYS;
}
static inline ssize_t skt__sys_splice(int from, int to, size_t len)
{
    (void)from, (void)to, (void)len;
    return -ENOSYS;
}
#endif

#endif
