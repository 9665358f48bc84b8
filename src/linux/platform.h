/*
 * platform.h (Linux) - the inline part of the system-call layer that the
 * platform decides, included by internal.h: how a send keeps SIGPIPE from
 * the process. Linux has MSG_NOSIGNAL, so a send adds the flag and its
 * guard costs nothing.
 */
#ifndef SKT_PLATFORM_H
#define SKT_PLATFORM_H

#include <sys/socket.h>

#define SKT__PLATFORM_NAME "linux"

/* SO_REUSEPORT spreads new connections over the sockets bound to a
 * port, so each event worker may have its own listener. */
#define SKT__REUSEPORT_BALANCES 1

/* The relay's kernel path: splice(2), in splice_linux.c (sys_int.h). */
#define SKT__HAVE_SPLICE 1
/* A forked child's exit fd (skt__sys_fork_watched) is a pidfd: it reads
 * as the child's exit and nothing else, so a watched child needs no
 * other look. */
#define SKT__EXIT_FD_EXACT 1

/* Added to every send, sendto and sendmsg. */
#define SKT__SEND_FLAGS MSG_NOSIGNAL

/* The guard around a send: empty, since the flag does its work. */
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

#endif
