/*
 * internal.h - what the files of libskt share and the public header does
 * not show, in layer order (src/LAYERS): failure reporting, byte buffers,
 * the system-call layer, time, addresses, the socket object's layout with
 * its transport interface, TLS and the resolver.
 */
#ifndef SKT_INTERNAL_H
#define SKT_INTERNAL_H

#include "skt.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/select.h>
#include <time.h>

#define SKT__HIDDEN __attribute__((visibility("hidden")))
#define SKT__UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------------ */
/* Errors (error.c)                                                         */
/* ------------------------------------------------------------------------ */

/* The longest detail sentence, its NUL included; a longer one is cut. */
#define SKT__DETAIL_MAX 1024

/* A copy of this thread's detail, kept across a cleanup (a close, say)
 * that may set a detail of its own. */
struct skt__detail_copy {
    char text[SKT__DETAIL_MAX];
};
SKT__HIDDEN void skt__detail_save(struct skt__detail_copy *copy);
/* Makes the copy this thread's detail again; returns code. */
SKT__HIDDEN int skt__detail_restore(const struct skt__detail_copy *copy,
                                    int code);

/*
 * Sets this thread's detail to "<formatted text>: <skt_strerror(code)>" and
 * returns code, so that a failure path reads
 *     return skt__fail(rc, "connect to %s", text);
 */
SKT__HIDDEN int skt__fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The check of an options struct's reserved space (void *reserved[N]):
 * 0 when every entry is NULL, else -EINVAL with a detail naming what, since
 * a program built with a newer header asked for an option this library
 * does not know.
 */
#define SKT__CHECK_RESERVED(opts, what)                                       \
    skt__check_reserved((opts)->reserved,                                     \
                        sizeof((opts)->reserved) / sizeof(void *), what)
SKT__HIDDEN int skt__check_reserved(void *const *reserved, size_t count,
                                    const char *what);

/* As skt__fail, but the detail is exactly the formatted text. */
SKT__HIDDEN int skt__fail_raw(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The C library's description and name of the errno value e, from the
 * platform's errno_<platform>.c; NULL where it has none. The text stays
 * valid at least until the thread's next call. */
SKT__HIDDEN const char *skt__errno_text(int e);
SKT__HIDDEN const char *skt__errno_name(int e);

/* Maps a getaddrinfo/getnameinfo EAI_* value to SKT_EAI_*; EAI_SYSTEM
 * becomes -errno when errno is set. */
SKT__HIDDEN int skt__eai_code(int eai);

/* ------------------------------------------------------------------------ */
/* Byte buffers (buf.c)                                                     */
/* ------------------------------------------------------------------------ */

/*
 * A growable byte queue: data[start, end) holds the bytes not yet taken.
 * All zero is an empty buffer that allocates on first use.
 */
struct skt__buf {
    char *data;
    size_t cap;
    size_t start;
    size_t end;
};

static inline size_t skt__buf_len(const struct skt__buf *b)
{
    return b->end - b->start;
}

/* Moves the bytes to the front, so that all free space is after them. */
SKT__HIDDEN void skt__buf_compact(struct skt__buf *b);
/* Gives the buffer a capacity of exactly cap >= its length (the bytes move
 * to the front). Returns 0 or -ENOMEM (the data is untouched). */
SKT__HIDDEN int skt__buf_resize(struct skt__buf *b, size_t cap);
/* Makes room for at least `room` more bytes after end, by moving the data
 * to the front or growing. Returns 0 or -ENOMEM (the data is untouched). */
SKT__HIDDEN int skt__buf_reserve(struct skt__buf *b, size_t room);
/* Appends len bytes. Returns 0 or -ENOMEM (nothing appended). */
SKT__HIDDEN int skt__buf_append(struct skt__buf *b, const void *p,
                                size_t len);
/* Drops n <= skt__buf_len(b) bytes from the front. */
static inline void skt__buf_consume(struct skt__buf *b, size_t n)
{
    b->start += n;
    /* An empty buffer starts again at the front, for free: no data moves.
     * The storage stays where it is, so a pointer just handed out remains
     * valid until the next call. Inline: a stream takes it for every line. */
    if (b->start == b->end)
        b->start = b->end = 0;
}
/* Frees the storage; the buffer is all zero again. */
SKT__HIDDEN void skt__buf_free(struct skt__buf *b);
/*
 * Grows *array (of *cap elements of size bytes) to hold at least want
 * elements. Returns 0 or -ENOMEM (the array is untouched).
 */
SKT__HIDDEN int skt__grow(void **array, int *cap, int want, size_t size);

/* memmem: the first occurrence of needle in haystack[0, len), or NULL
 * (haystack itself for an empty needle). */
SKT__HIDDEN const void *skt__memmem(const void *haystack, size_t len,
                                    const void *needle, size_t needle_len);
/* asprintf: the formatted text in memory to free(), or NULL. */
SKT__HIDDEN char *skt__aprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------ */
/* System calls (sys.c, sys_<platform>.c): the only files with socket calls */
/* ------------------------------------------------------------------------ */

/*
 * Each returns the syscall's result, or -errno. EINTR is returned, not
 * retried: the callers decide (a connect must not be restarted). Sends
 * never raise SIGPIPE (MSG_NOSIGNAL, or the platform's guard); fd-creating
 * calls add CLOEXEC (atomically where the platform can: sys_<platform>.c).
 */
SKT__HIDDEN int skt__sys_socket(int family, int type, int proto);
SKT__HIDDEN int skt__sys_socketpair(int family, int type, int proto,
                                    int fds[2]);
SKT__HIDDEN int skt__sys_accept(int fd, struct sockaddr *sa, socklen_t *len,
                                int flags);
SKT__HIDDEN int skt__sys_connect(int fd, const struct sockaddr *sa,
                                 socklen_t len);
SKT__HIDDEN int skt__sys_bind(int fd, const struct sockaddr *sa,
                              socklen_t len);
SKT__HIDDEN int skt__sys_listen(int fd, int backlog);
SKT__HIDDEN int skt__sys_shutdown(int fd, int how);
SKT__HIDDEN ssize_t skt__sys_sendto(int fd, const void *buf, size_t len,
                                    int flags, const struct sockaddr *sa,
                                    socklen_t salen);
SKT__HIDDEN ssize_t skt__sys_recvfrom(int fd, void *buf, size_t len,
                                      int flags, struct sockaddr *sa,
                                      socklen_t *salen);
SKT__HIDDEN int skt__sys_close(int fd);
SKT__HIDDEN int skt__sys_dup(int fd);
SKT__HIDDEN int skt__sys_poll(struct pollfd *fds, nfds_t n,
                              const struct timespec *timeout);
SKT__HIDDEN int skt__sys_getsockopt(int fd, int level, int name, void *val,
                                    socklen_t *len);
SKT__HIDDEN int skt__sys_setsockopt(int fd, int level, int name,
                                    const void *val, socklen_t len);
SKT__HIDDEN int skt__sys_getsockname(int fd, struct sockaddr *sa,
                                     socklen_t *len);
SKT__HIDDEN int skt__sys_getpeername(int fd, struct sockaddr *sa,
                                     socklen_t *len);
SKT__HIDDEN int skt__sys_set_nonblocking(int fd, bool on);
SKT__HIDDEN int skt__sys_get_nonblocking(int fd);
/* F_SETFL to 0: for a fresh socket whose only status flag is O_NONBLOCK,
 * one call where set_nonblocking needs two. */
SKT__HIDDEN int skt__sys_clear_status_flags(int fd);
SKT__HIDDEN int skt__sys_get_cloexec(int fd);
SKT__HIDDEN int skt__sys_set_cloexec(int fd, bool on);

/*
 * Messages and files (msg.c, mmsg.c, sendfile.c). sendmsg, sendmmsg and
 * sendfile share the send fault point, recvmsg and recvmmsg the receive
 * one. MSG_CMSG_CLOEXEC is left to the callers, since only Unix sockets
 * take it (AF_PACKET refuses the flag with EINVAL). sendfile cannot take
 * MSG_NOSIGNAL: it blocks SIGPIPE in the calling thread for the call and
 * takes back a SIGPIPE the call raised, leaving the signal's disposition
 * alone. read serves sendfile's fallback.
 */
struct msghdr;
struct mmsghdr;
SKT__HIDDEN ssize_t skt__sys_sendmsg(int fd, const struct msghdr *msg,
                                     int flags);
SKT__HIDDEN ssize_t skt__sys_recvmsg(int fd, struct msghdr *msg, int flags);
SKT__HIDDEN int skt__sys_sendmmsg(int fd, struct mmsghdr *msgs,
                                  unsigned count, int flags);
SKT__HIDDEN int skt__sys_recvmmsg(int fd, struct mmsghdr *msgs,
                                  unsigned count, int flags);
SKT__HIDDEN ssize_t skt__sys_sendfile(int out_fd, int in_fd, off_t *offset,
                                      size_t count);
SKT__HIDDEN ssize_t skt__sys_read(int fd, void *buf, size_t len);

/*
 * Readiness, for the selectors and servers. The waits (epoll_wait,
 * select) share the poll fault point, SKT__OP_POLL. skt__sys_fd_valid
 * returns 0 for an open fd, else -EBADF. The wake-up channel and the
 * watched fork are the platform's (sys_int.h).
 */
struct epoll_event;
SKT__HIDDEN int skt__sys_epoll_create(void);
SKT__HIDDEN int skt__sys_epoll_ctl(int epfd, int op, int fd,
                                   struct epoll_event *ev);
SKT__HIDDEN int skt__sys_epoll_wait(int epfd, struct epoll_event *events,
                                    int max, int timeout_ms);
SKT__HIDDEN int skt__sys_select(int nfds, fd_set *readable,
                                fd_set *writable,
                                const struct timespec *timeout);
SKT__HIDDEN int skt__sys_fd_valid(int fd);

/*
 * SIGPIPE held back in the calling thread around a call that cannot take
 * MSG_NOSIGNAL (sendfile; every send where the platform lacks the flag):
 * hold blocks the signal in this thread and notes whether one was already
 * pending; release, given the call's result, takes back the SIGPIPE the
 * call raised (-EPIPE, none pending before) and restores the mask. The
 * signal's disposition is never touched.
 */
struct skt__sigpipe_hold {
    sigset_t old;
    bool was_pending;
};
SKT__HIDDEN void skt__sys_sigpipe_hold(struct skt__sigpipe_hold *h);
SKT__HIDDEN void skt__sys_sigpipe_release(const struct skt__sigpipe_hold *h,
                                          ssize_t result);

/*
 * Fault injection for tests. When armed, the next calls of the named
 * operation fail with the given -errno (or, for send/recv with code 0, are
 * cut short to `short_len` bytes) `count` times, after `skip` calls pass.
 * Costs one predictable branch per call when disarmed.
 */
enum skt__sys_op {
    SKT__OP_SEND,
    SKT__OP_RECV,
    SKT__OP_CONNECT,
    SKT__OP_ACCEPT,
    SKT__OP_POLL,
    SKT__OP_CLOSE,
    SKT__OP_SPLICE,
    SKT__OP_COUNT
};
SKT__HIDDEN void skt__sys_inject(enum skt__sys_op op, int code, int skip,
                                 int count, size_t short_len);
SKT__HIDDEN void skt__sys_inject_clear(void);
/* For tests: called, when set, by skt__sys_fork_watched right before its
 * fork(2), where another thread's fork would inherit what the call has
 * opened for the child (the posix platform's pipe). */
SKT__HIDDEN extern void (*skt__sys_fork_hook)(void);

/* Armed when any fault is set. */
SKT__HIDDEN extern int skt__faults_armed;
/* The fault to apply to this call of op: 0 none, a negative errno, or 1 to
 * cut the call short to *short_len bytes. */
SKT__HIDDEN int skt__sys_take_fault(enum skt__sys_op op, size_t *short_len)
    __attribute__((noinline, cold));

/*
 * The platform's inline part of this layer: SKT__SEND_FLAGS (MSG_NOSIGNAL
 * where there is one) and the guard every send keeps around the call
 * (nothing on Linux; SIGPIPE held where a send has no other way to keep
 * it from the process).
 */
#ifdef SKT_PLATFORM_POSIX
#include "posix/platform.h"
#else
#include "linux/platform.h"
#endif

/*
 * send and recv, the hot path, are inline so that no call level sits
 * between two system calls; they follow sys.c's rules (no SIGPIPE,
 * -errno, the fault point) and are its only calls made outside it.
 */
static inline ssize_t skt__sys_send(int fd, const void *buf, size_t len,
                                    int flags)
{
    struct skt__send_guard guard;
    ssize_t n;

    if (SKT__UNLIKELY(__atomic_load_n(&skt__faults_armed, __ATOMIC_ACQUIRE))) {
        size_t short_len = len;
        int fault = skt__sys_take_fault(SKT__OP_SEND, &short_len);
        if (fault < 0)
            return fault;
        if (fault == 1 && short_len < len)
            len = short_len;
    }
    skt__send_guard_enter(&guard);
    n = send(fd, buf, len, flags | SKT__SEND_FLAGS);
    n = n < 0 ? -errno : n;
    skt__send_guard_leave(&guard, n);
    return n;
}

static inline ssize_t skt__sys_recv(int fd, void *buf, size_t len,
                                    int flags)
{
    ssize_t n;

    if (SKT__UNLIKELY(__atomic_load_n(&skt__faults_armed, __ATOMIC_ACQUIRE))) {
        size_t short_len = len;
        int fault = skt__sys_take_fault(SKT__OP_RECV, &short_len);
        if (fault < 0)
            return fault;
        if (fault == 1 && short_len < len)
            len = short_len;
    }
    n = recv(fd, buf, len, flags);
    return n < 0 ? -errno : n;
}

/* ------------------------------------------------------------------------ */
/* Time (deadline.c)                                                        */
/* ------------------------------------------------------------------------ */

/* Monotonic nanoseconds. SKT__NEVER is a deadline that never comes. */
#define SKT__NEVER INT64_MAX
/* One millisecond in nanoseconds, the unit of the servers' short waits. */
#define SKT__MS 1000000LL
SKT__HIDDEN int64_t skt__now(void);
/* The deadline for an operation starting now under a timeout in seconds;
 * SKT__NEVER for SKT_BLOCKING (any negative). */
SKT__HIDDEN int64_t skt__deadline(double timeout);

/*
 * Every conversion of time lives here, so that each is written once.
 * Seconds become nanoseconds rounded up (a 0.3 s timeout never waits
 * 0.299999 s), capped at SKT_TIMEOUT_MAX so that a deadline never
 * overflows; seconds must not be negative or NaN.
 */
SKT__HIDDEN int64_t skt__ns_from_seconds(double seconds);
/* A span or an absolute monotonic time in nanoseconds (>= 0), as a
 * timespec for ppoll, pselect or a CLOCK_MONOTONIC condition wait. */
SKT__HIDDEN struct timespec skt__timespec_from_ns(int64_t ns);
/* A span in nanoseconds as milliseconds for epoll_wait, rounded up so that
 * a wait never ends before its deadline and capped at INT_MAX (the caller
 * waits again for what the cap cut); -1 (forever) for a negative span. */
SKT__HIDDEN int skt__ms_from_ns(int64_t ns);
/* Nanoseconds as seconds, for a timeout handed back to a caller. */
SKT__HIDDEN double skt__seconds_from_ns(int64_t ns);
/* True for finite seconds >= 0; NaN and infinity are refused. */
SKT__HIDDEN bool skt__seconds_valid(double seconds);
/* True for a socket timeout: SKT_BLOCKING or skt__seconds_valid. */
SKT__HIDDEN bool skt__timeout_valid(double timeout);
/* 0 for a valid timeout, else -EINVAL with a detail naming op. */
SKT__HIDDEN int skt__check_timeout(double timeout, const char *op);
/*
 * Waits until fd is ready for events (POLLIN/POLLOUT) or the deadline
 * passes. EINTR is retried with the remaining time. Returns 0 when ready
 * (including POLLERR/POLLHUP, which the next I/O call will report),
 * -ETIMEDOUT, or -errno.
 */
SKT__HIDDEN int skt__wait(int fd, short events, int64_t deadline);

/* ------------------------------------------------------------------------ */
/* Addresses (addr.c, addr_ip.c, addr_unix.c; inet.c, iface.c)              */
/* ------------------------------------------------------------------------ */

/* The largest port number. */
#define SKT__PORT_MAX 65535

/* Formats for a detail sentence; never fails (writes "?" if it must). */
SKT__HIDDEN const char *skt__addr_text(const skt_addr *a, char *buf,
                                       size_t len);

/* As skt__fail, with the address formatted into the text at "%s". */
SKT__HIDDEN int skt__fail_addr(int code, const char *op, const skt_addr *a);

/*
 * Completes an address the kernel has just written into a->u, len bytes
 * of it, as skt_addr_from_sockaddr would (lengths brought to the one each
 * family compares at), but in place and without failing: an address with
 * nothing usable in it (length 0) is left empty.
 */
SKT__HIDDEN void skt__addr_from_kernel(skt_addr *a, socklen_t len);

/*
 * What the module functions of Python's socket module share (inet.c, for
 * iface.c and the resolver's netdb.c).
 */
/* Sets the detail "op: what must not be NULL" and returns -EINVAL. */
SKT__HIDDEN int skt__null_argument(const char *op, const char *what);
/* -errno after a failed libc call, or -fallback when errno is not set. */
SKT__HIDDEN int skt__errno_code(int fallback);
/* Copies text whole into out: its length, or SKT_ETRUNCATED with "". */
SKT__HIDDEN int skt__copy_out(const char *text, char *out, size_t outlen,
                              const char *op);
/* The size of a raw AF_INET or AF_INET6 address; else -EAFNOSUPPORT. */
SKT__HIDDEN int skt__family_size(int family, const char *op);

/* ------------------------------------------------------------------------ */
/* The socket object (socket.c, io.c)                                       */
/* ------------------------------------------------------------------------ */

/*
 * A transport moves bytes for the socket: the plain fd, or later TLS. On
 * "would block" an operation returns -EAGAIN and stores in *wait the poll
 * events to wait for before trying again (TLS may need POLLIN to send).
 */
struct skt__transport {
    const char *name;
    ssize_t (*send)(skt_socket *s, const void *buf, size_t len, int flags,
                    short *wait);
    ssize_t (*recv)(skt_socket *s, void *buf, size_t len, int flags,
                    short *wait);
    /* Bytes already decrypted and readable without the fd; may be NULL. */
    size_t (*pending)(const skt_socket *s);
    /* Frees the transport state; may be NULL. */
    void (*release)(skt_socket *s);
};

SKT__HIDDEN extern const struct skt__transport skt__plain_transport;

/*
 * How many sockets in the process have a transport that can hold bytes the
 * kernel does not see (TLS). Selectors look for such bytes only while it is
 * above 0, so plain programs pay nothing for TLS. Changed atomically by the
 * transport when it installs and removes itself.
 */
SKT__HIDDEN extern int skt__buffering_transports;

struct skt_socket {
    int fd;
    int family;
    int type;
    int proto;
    double timeout; /* SKT_BLOCKING, 0, or seconds */
    const struct skt__transport *transport;
    void *transport_state;
};

/* Allocates an object for fd whose O_NONBLOCK flag already matches
 * timeout (SKT_BLOCKING, 0 or seconds): no system call. */
SKT__HIDDEN int skt__socket_adopt(skt_socket **out, int fd, int family,
                                  int type, int proto, double timeout);

/* Ends the transport (TLS: one non-blocking close_notify attempt) and puts
 * the plain fd back. */
SKT__HIDDEN void skt__socket_release_transport(skt_socket *s);

/* Allocates an object for fd with the default timeout applied. */
SKT__HIDDEN int skt__socket_new(skt_socket **out, int fd, int family,
                                int type, int proto);

/* The default timeout, read atomically. */
SKT__HIDDEN double skt__default_timeout(void);

/*
 * The accept rule, written once for skt_accept_retry and skt_server.
 * skt__accept_error_transient: an error of accept(2) that concerns one
 * connection only (ECONNABORTED, EPROTO, the network errors the Linux
 * manual lists, EINTR): accept again at once. skt__accept_error_exhausted:
 * a lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM): accepting again
 * at once would fail the same way, so the caller pauses.
 * skt__accept_backoff_next: the pause after one of length previous_ns
 * (0: none yet): 10 ms, doubling up to 1 s.
 */
SKT__HIDDEN bool skt__accept_error_transient(int code);
SKT__HIDDEN bool skt__accept_error_exhausted(int code);
SKT__HIDDEN int64_t skt__accept_backoff_next(int64_t previous_ns);

/*
 * Decides what follows a failed I/O attempt that returned rc. Returns 0
 * when the caller should try again: after EINTR, or after EAGAIN in timeout
 * mode once the fd is ready. Otherwise returns the code to give up with
 * (rc itself, or -ETIMEDOUT). *deadline == 0 means "not computed yet": it is
 * computed on the first wait, since the first attempt of a single operation
 * on a non-blocking fd takes no measurable time.
 */
SKT__HIDDEN int skt__io_retry(skt_socket *s, int rc, short events,
                              int64_t *deadline);
/* As skt__io_retry, for a call that took send/recv flags: with
 * MSG_DONTWAIT, EAGAIN is returned at once whatever the socket's mode. */
SKT__HIDDEN int skt__io_retry_flags(skt_socket *s, int rc, short events,
                                    int flags, int64_t *deadline);
/* The guard of the calls that need the fd itself (sendto, recvfrom,
 * sendmsg, dup, ...): 0 for a plain socket; over another transport (TLS)
 * -EOPNOTSUPP, with a detail naming op and the transport. */
SKT__HIDDEN int skt__plain_only(const skt_socket *s, const char *op);
/*
 * Connects fd to a in the socket mode `timeout` (SKT_BLOCKING, 0, > 0)
 * and, where that mode waits, waits for the outcome under one deadline.
 * A connect interrupted by a signal goes on in the kernel (restarting it
 * would fail with EALREADY), so the same attempt is waited for; in
 * non-blocking mode it is simply under way. Returns 0, -EINPROGRESS (under
 * way: non-blocking mode, or a non-blocking fd in blocking mode),
 * -ETIMEDOUT, or -errno (the connect's own error, read from SO_ERROR).
 */
SKT__HIDDEN int skt__connect_wait(int fd, const skt_addr *a, double timeout);

/* Validates the common arguments of a public entry point. */
#define SKT__CHECK(cond, what)                                                \
    do {                                                                      \
        if (SKT__UNLIKELY(!(cond)))                                           \
            return skt__fail(-EINVAL, "%s: %s", __func__, what);              \
    } while (0)

/* ------------------------------------------------------------------------ */
/* I/O under a caller's deadline (io.c), for streams and frames             */
/* ------------------------------------------------------------------------ */

/*
 * The loops of skt_recv, skt_sendall and skt_recv_exact, through the
 * socket's transport, under a deadline the caller holds, so that an
 * operation made of several of them keeps one deadline. *deadline follows
 * skt__io_retry's rule (0: computed at the first wait). They set no detail:
 * the caller names the operation. recv_once returns the byte count (0 at
 * EOF); sendall and recv_exact return 0 and count progress in *done, and
 * recv_exact returns SKT_EEOF when the peer closes first.
 */
SKT__HIDDEN ssize_t skt__recv_once(skt_socket *s, void *buf, size_t len,
                                   int64_t *deadline);
SKT__HIDDEN int skt__sendall_until(skt_socket *s, const void *buf,
                                   size_t len, int64_t *deadline,
                                   size_t *done);
SKT__HIDDEN int skt__recv_exact_until(skt_socket *s, void *buf, size_t len,
                                      int64_t *deadline, size_t *done);

/* The deadline of a multi-step operation starting now on s (0 when s is
 * not in timeout mode). */
SKT__HIDDEN int64_t skt__op_deadline(const skt_socket *s);


/* ------------------------------------------------------------------------ */
/* TLS (src/tls/)                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Wraps s as skt_tls_wrap does (same checks, same errors and detail) and
 * completes the handshake under the caller's absolute deadline (from
 * skt__deadline; SKT__NEVER for none) whatever the socket's mode, so that
 * create_connection and the servers keep one deadline over connect and
 * handshake. A blocking socket is made non-blocking for the handshake and
 * given back blocking; the socket's timeout is never changed. Returns 0,
 * or a negative code with the TLS layer left installed and failed (close
 * the socket), or, for argument errors, nothing installed.
 */
SKT__HIDDEN int skt__tls_client_handshake(skt_socket *s, skt_tls_ctx *ctx,
                                          const char *hostname,
                                          int64_t deadline);
SKT__HIDDEN int skt__tls_server_handshake(skt_socket *s, skt_tls_ctx *ctx,
                                          int64_t deadline);
/* skt__tls_client_handshake with a session cache: the session filed
 * under hostname and port is offered, new ones are filed there. */
SKT__HIDDEN int skt__tls_client_handshake_cached(
    skt_socket *s, skt_tls_ctx *ctx, const char *hostname,
    struct skt_tls_session_cache *cache, const char *port, int64_t deadline);

/* ------------------------------------------------------------------------ */
/* Resolver (resolve.c)                                                     */
/* ------------------------------------------------------------------------ */

struct addrinfo;

/*
 * getaddrinfo bounded by an absolute deadline (SKT__NEVER for none). A
 * numeric host and port are answered inline; names go to the system
 * resolver on a worker thread, abandoned at the deadline. Returns 0 with
 * *found (free with freeaddrinfo), -ETIMEDOUT, SKT_EAI_*, SKT_EPORTRANGE
 * (a numeric port over 65535, which glibc would cut to 16 bits), or
 * -errno. Sets no detail: the caller names the operation.
 */
SKT__HIDDEN int skt__getaddrinfo_deadline(const char *host, const char *port,
                                          const struct addrinfo *hints,
                                          int64_t deadline,
                                          struct addrinfo **found);

/* getnameinfo likewise; host and serv (either may be NULL) must have
 * NI_MAXHOST and NI_MAXSERV bytes. */
SKT__HIDDEN int skt__getnameinfo_deadline(const skt_addr *a, int flags,
                                          int64_t deadline, char *host,
                                          size_t hostlen, char *serv,
                                          size_t servlen);

/* ------------------------------------------------------------------------ */
/* Selectors (src/selector/)                                                */
/* ------------------------------------------------------------------------ */

/*
 * In a process forked from the one that made sel: closes this process's
 * copies of the backend's fds (the epoll set) and keeps only the wake-up
 * fd, which is shared with the parent, so that skt_selector_wakeup here
 * still wakes the parent's select. The parent's selector is not touched.
 * Afterwards registering and selecting fail with -EBADF, and
 * skt_selector_close closes the wake-up fd and frees this copy.
 */
SKT__HIDDEN void skt__selector_keep_only_wakeup(skt_selector *sel);

/*
 * skt_selector_register_socket for a socket that selectors of other
 * threads or processes watch too (a listener shared by a server's
 * workers): where the backend can (epoll's EPOLLEXCLUSIVE), the kernel
 * wakes one of the waiting selectors per event, not all of them; other
 * backends register it plainly. The key cannot be modified afterwards,
 * only unregistered.
 */
SKT__HIDDEN int skt__selector_register_exclusive(skt_selector *sel,
                                                 skt_socket *s, int events,
                                                 void *data);

#endif /* SKT_INTERNAL_H */
