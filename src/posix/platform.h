/*
 * platform.h (POSIX) - the inline part of the system-call layer that the
 * platform decides, included by internal.h: how a send keeps SIGPIPE from
 * the process, and the creation flags POSIX.1-2008 lacks.
 *
 * POSIX has no MSG_NOSIGNAL. Where the system has SO_NOSIGPIPE (the BSDs,
 * macOS), every socket skt creates, accepts or adopts gets it, and a send
 * needs nothing more. Elsewhere every send holds SIGPIPE back in the
 * calling thread (skt__sys_sigpipe_hold) and takes back the one it
 * raised: two more system calls per send, and the disposition of the
 * signal is never changed.
 */
#ifndef SKT_PLATFORM_H
#define SKT_PLATFORM_H

#include <sys/socket.h>

#define SKT__PLATFORM_NAME "posix"

/* SO_REUSEPORT is not known to spread connections over the sockets bound
 * to a port (on the BSDs and macOS it only lets them bind): several event
 * workers share one listener. */
#define SKT__REUSEPORT_BALANCES 0
/* A forked child's exit fd is a pipe's read end: a process that another
 * thread forked while the write end was open holds it too, and the end of
 * the file then waits for that process. The servers look for every child
 * with waitpid as well (every 50 ms), and take the pipe as a prompt hint. */
#define SKT__EXIT_FD_EXACT 0

/*
 * Where the system has no SOCK_NONBLOCK and SOCK_CLOEXEC, these bits of
 * the type argument are skt's own: the system-call layer takes them off
 * and applies them with fcntl after the call (sys_posix.c). They lie
 * above every socket type.
 */
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 0x10000000
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0x20000000
#endif

/* Not one send takes a flag against SIGPIPE here: there is none. */
#define SKT__SEND_FLAGS 0

#ifdef SO_NOSIGPIPE

/* The socket itself refuses to raise SIGPIPE: the guard is empty. */
struct skt__send_guard {
    char unused;
};

static inline void skt__send_guard_enter(struct skt__send_guard *g)
{
    (void)g;
}

static inline void skt__send_guard_leave(struct skt__send_guard *g,
                                         ssize_t result)
{
    (void)g, (void)result;
}

#else

/* SIGPIPE is held back in this thread for the call. */
struct skt__send_guard {
    struct skt__sigpipe_hold hold;
};

static inline void skt__send_guard_enter(struct skt__send_guard *g)
{
    skt__sys_sigpipe_hold(&g->hold);
}

static inline void skt__send_guard_leave(struct skt__send_guard *g,
                                         ssize_t result)
{
    skt__sys_sigpipe_release(&g->hold, result);
}

#endif

#endif
