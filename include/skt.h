/*
 * skt.h - Python's networking stack as a C library.
 *
 * This header is the reference. Every public function states what it does,
 * what it returns on success, the negative codes it can return, and whether
 * it honours the socket's timeout.
 *
 * Conventions that hold for every function below:
 * - Success returns >= 0 (0, a byte count, an fd). Failure returns a negative
 *   code: -errno for a system error, SKT_EAI_* for a resolver error, or one of
 *   the library's own SKT_E* codes. A timeout is always -ETIMEDOUT.
 * - After a failure, skt_error_detail() holds a sentence for this thread that
 *   names the operation and, where there is one, the address.
 * - The library never prints, never exits, never aborts on bad input and
 *   never changes a signal disposition. Every send uses MSG_NOSIGNAL.
 * - Every fd the library creates is close-on-exec.
 * - Pointer arguments must not be NULL unless the text says they may be; a
 *   NULL where one is required returns -EINVAL.
 */
#ifndef SKT_H
#define SKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SKT_EXTERN __attribute__((visibility("default")))
#else
#define SKT_EXTERN
#endif

#define SKT_VERSION_MAJOR 0
#define SKT_VERSION_MINOR 1
#define SKT_VERSION_PATCH 0

/* ======================================================================== */
/* Errors                                                                   */
/* ======================================================================== */

/*
 * Resolver errors (Python's socket.gaierror) live in their own negative
 * range, so they can never be mistaken for -errno values.
 */
#define SKT_EAI_BASE (-3000)
#define SKT_EAI_AGAIN (SKT_EAI_BASE - 1)    /* temporary failure */
#define SKT_EAI_BADFLAGS (SKT_EAI_BASE - 2) /* bad hints flags */
#define SKT_EAI_FAIL (SKT_EAI_BASE - 3)     /* non-recoverable failure */
#define SKT_EAI_FAMILY (SKT_EAI_BASE - 4)   /* family not supported */
#define SKT_EAI_MEMORY (SKT_EAI_BASE - 5)   /* out of memory */
#define SKT_EAI_NONAME (SKT_EAI_BASE - 6)   /* name or service not known */
#define SKT_EAI_SERVICE (SKT_EAI_BASE - 7)  /* service not for socket type */
#define SKT_EAI_SOCKTYPE (SKT_EAI_BASE - 8) /* socket type not supported */
#define SKT_EAI_SYSTEM (SKT_EAI_BASE - 9)   /* system error */
#define SKT_EAI_NODATA (SKT_EAI_BASE - 10)  /* no address for the name */
#define SKT_EAI_ADDRFAMILY (SKT_EAI_BASE - 11) /* no address in family */
#define SKT_EAI_OVERFLOW (SKT_EAI_BASE - 12)   /* argument buffer overflow */

/* The library's own codes. */
#define SKT_ELIB_BASE (-4000)
/* The peer closed the connection before all the data asked for arrived. */
#define SKT_EEOF (SKT_ELIB_BASE - 1)
/* Address text that does not follow any accepted form. */
#define SKT_EADDRSYNTAX (SKT_ELIB_BASE - 2)
/* A host name where a numeric address is required (no lookup is made). */
#define SKT_EADDRNOTNUMERIC (SKT_ELIB_BASE - 3)
/* An address text without the port it needs. */
#define SKT_ENOPORT (SKT_ELIB_BASE - 4)
/* A port outside 0..65535. */
#define SKT_EPORTRANGE (SKT_ELIB_BASE - 5)
/* An IPv6 scope that names no interface. */
#define SKT_ENOSCOPE (SKT_ELIB_BASE - 6)
/* An output buffer too small for the result (nothing was truncated). */
#define SKT_ETRUNCATED (SKT_ELIB_BASE - 7)
/* A line (or delimited record) longer than the maximum asked for; the bytes
 * stay readable. */
#define SKT_ELINETOOLONG (SKT_ELIB_BASE - 8)
/* A message over the decoder's maximum size (it is skipped, never misread). */
#define SKT_EMSGTOOBIG (SKT_ELIB_BASE - 9)
/* A message header that is malformed: bad JSON, not UTF-8, a field missing
 * or of the wrong type. */
#define SKT_EBADHEADER (SKT_ELIB_BASE - 10)

/*
 * skt_strerror - a message for any code this library returns: -errno,
 * SKT_EAI_* or SKT_E*. Unknown codes give "Unknown error". Never NULL;
 * the string is static.
 */
SKT_EXTERN const char *skt_strerror(int code);

/*
 * skt_errname - the symbolic name of a code: "ECONNREFUSED", "EAI_NONAME",
 * "SKT_EEOF". Unknown codes give "UNKNOWN". Never NULL; static.
 */
SKT_EXTERN const char *skt_errname(int code);

/*
 * skt_error_detail - the sentence describing the last failure in this
 * thread, naming the operation and the address, e.g. "connect to
 * 127.0.0.1:8080: Connection refused". Empty before any failure. Success
 * does not clear it (like errno). The string belongs to the thread and is
 * overwritten by the next failure.
 */
SKT_EXTERN const char *skt_error_detail(void);

/* ======================================================================== */
/* Addresses                                                                */
/* ======================================================================== */

/*
 * skt_addr - a socket address of any family, as a value. Copy it with =.
 * `len` is the number of meaningful bytes of `u` (0 for an empty address).
 * Unix abstract names are stored with their exact length: no NUL is added.
 */
typedef struct skt_addr {
    socklen_t len;
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_storage storage;
    } u;
} skt_addr;

/*
 * Longest text skt_addr_format can produce for IPv4, IPv6 and Unix
 * addresses, NUL included (a Unix name with every byte escaped).
 */
#define SKT_ADDRSTRLEN 512

/*
 * skt_addr_parse - parse a numeric address; never makes a lookup.
 * Accepted forms:
 *   "1.2.3.4:80"            IPv4, dotted quad only
 *   "[::1]:80"              IPv6
 *   "[fe80::1%eth0]:80"     IPv6 with a scope, by interface name or number
 *   "unix:/path/to/sock"    Unix path (at most 107 bytes)
 *   "unix:@name"            Linux abstract name, exact length (at most 107)
 *   "unix:"                 unnamed Unix address; binding it autobinds
 * In Unix names, "\\" stands for a backslash and "\xHH" for any byte, so
 * names holding control bytes or NULs round-trip through text.
 * Returns 0. Errors: -EINVAL (NULL argument), SKT_EADDRSYNTAX (malformed,
 * trailing garbage, bad escape), SKT_EADDRNOTNUMERIC (a host name),
 * SKT_ENOPORT (port missing), SKT_EPORTRANGE (port outside 0..65535),
 * SKT_ENOSCOPE (scope names no interface), -ENAMETOOLONG (Unix name over
 * 107 bytes). On failure *a is left empty. No timeout.
 */
SKT_EXTERN int skt_addr_parse(skt_addr *a, const char *text);

/*
 * skt_addr_format - write the text form of an address into buf (size len,
 * NUL included): the exact inverse of skt_addr_parse. An IPv6 scope is
 * written as the interface name when the index names one, else as the
 * number. An address of another family is written as "family:N:HEX".
 * Returns the text length (without the NUL). Errors: -EINVAL (NULL or
 * an empty address), SKT_ETRUNCATED (buf too small; buf holds "" then).
 */
SKT_EXTERN int skt_addr_format(const skt_addr *a, char *buf, size_t len);

/*
 * skt_addr_from_ip - build an IPv4 or IPv6 address from numeric host text
 * without brackets ("127.0.0.1", "::1", "fe80::1%eth0") and a port.
 * Returns 0. Errors as skt_addr_parse.
 */
SKT_EXTERN int skt_addr_from_ip(skt_addr *a, const char *host, int port);

/*
 * skt_addr_from_unix - build a Unix address from raw bytes: a path, or an
 * abstract name when abstract is true (name may hold any byte). len 0 gives
 * the unnamed address. Returns 0. Errors: -EINVAL, -ENAMETOOLONG.
 */
SKT_EXTERN int skt_addr_from_unix(skt_addr *a, const void *name, size_t len,
                                  bool abstract);

/*
 * skt_addr_from_sockaddr - copy a struct sockaddr of length len. Returns 0.
 * Errors: -EINVAL (NULL, len 0 or larger than sockaddr_storage, or len too
 * short for the family it names).
 */
SKT_EXTERN int skt_addr_from_sockaddr(skt_addr *a, const struct sockaddr *sa,
                                      socklen_t len);

/* skt_addr_sockaddr - the address as a struct sockaddr, for system calls;
 * its length is a->len. */
SKT_EXTERN const struct sockaddr *skt_addr_sockaddr(const skt_addr *a);

/* skt_addr_family - AF_INET, AF_INET6, AF_UNIX, ...; AF_UNSPEC if empty. */
SKT_EXTERN int skt_addr_family(const skt_addr *a);

/* skt_addr_port - the port of an IPv4/IPv6 address, or -EAFNOSUPPORT. */
SKT_EXTERN int skt_addr_port(const skt_addr *a);

/* skt_addr_set_port - change the port. Returns 0. Errors: -EINVAL,
 * SKT_EPORTRANGE, -EAFNOSUPPORT (not IPv4/IPv6). */
SKT_EXTERN int skt_addr_set_port(skt_addr *a, int port);

/* skt_addr_equal - true when both addresses have the same family and the
 * same meaningful bytes (IPv6 flow info is ignored). */
SKT_EXTERN bool skt_addr_equal(const skt_addr *a, const skt_addr *b);

/* ======================================================================== */
/* Sockets                                                                  */
/* ======================================================================== */

typedef struct skt_socket skt_socket;

/*
 * Timeout modes, exactly Python's: SKT_BLOCKING (Python's None), 0
 * (non-blocking), or a number of seconds > 0 (timeout mode). In timeout mode
 * every operation gets one absolute deadline, which EINTR retries and
 * multi-step operations never restart.
 */
#define SKT_BLOCKING (-1.0)
/* Longest timeout accepted, in seconds (about 31 years). */
#define SKT_TIMEOUT_MAX 1e9

/*
 * skt_open - create a socket (Python's socket.socket(family, type, proto)).
 * type may include SOCK_NONBLOCK (the socket then starts in non-blocking
 * mode); SOCK_CLOEXEC is always added. The socket takes the default timeout
 * (skt_setdefaulttimeout). Returns 0 and sets *out. Errors: -EINVAL,
 * -EAFNOSUPPORT, -EPROTONOSUPPORT, -EMFILE, -ENFILE, -ENOMEM, -EACCES.
 */
SKT_EXTERN int skt_open(skt_socket **out, int family, int type, int proto);

/*
 * skt_from_fd - wrap an existing socket fd; the object owns it from then
 * on. Family, type and protocol are read from the fd. The socket takes the
 * default timeout; but if that is SKT_BLOCKING and the fd is already
 * O_NONBLOCK, the mode is non-blocking (so gettimeout tells the truth).
 * The fd's close-on-exec flag is left as it is. Returns 0. Errors: -EINVAL,
 * -EBADF, -ENOTSOCK, -ENOMEM; on failure the fd is not closed.
 */
SKT_EXTERN int skt_from_fd(skt_socket **out, int fd);

/*
 * skt_socketpair - a connected pair (Python's socket.socketpair). family 0
 * means AF_UNIX, type 0 SOCK_STREAM. Both take the default timeout.
 * Returns 0. Errors: -EINVAL, -EAFNOSUPPORT, -EOPNOTSUPP, -EMFILE, -ENOMEM.
 */
SKT_EXTERN int skt_socketpair(skt_socket **a, skt_socket **b, int family,
                              int type, int proto);

/*
 * skt_close - close the fd (once: EINTR is never retried) and free the
 * object. NULL is a no-op. ECONNRESET from close is ignored, as Python does.
 * Returns 0, or -errno of a failed close (the object is freed anyway).
 */
SKT_EXTERN int skt_close(skt_socket *s);

/*
 * skt_detach - free the object without closing the fd; returns the fd
 * (>= 0). Errors: -EINVAL (NULL), -EBUSY (a transport such as TLS is
 * active on it).
 */
SKT_EXTERN int skt_detach(skt_socket *s);

/*
 * skt_dup - a new socket object on a duplicate fd (F_DUPFD_CLOEXEC), with
 * the same family, type, protocol and timeout. Returns 0. Errors: -EINVAL,
 * -EMFILE, -ENOMEM.
 */
SKT_EXTERN int skt_dup(skt_socket *s, skt_socket **out);

/* skt_fileno - the fd, or -EINVAL for NULL. */
SKT_EXTERN int skt_fileno(const skt_socket *s);
/* skt_family, skt_type, skt_proto - as given or detected; the type has
 * SOCK_NONBLOCK and SOCK_CLOEXEC masked off. -EINVAL for NULL. */
SKT_EXTERN int skt_family(const skt_socket *s);
SKT_EXTERN int skt_type(const skt_socket *s);
SKT_EXTERN int skt_proto(const skt_socket *s);

/*
 * skt_get_inheritable - 1 if the fd survives exec, 0 if close-on-exec,
 * or -errno (-EBADF). skt_set_inheritable - set it; returns 0 or -errno.
 */
SKT_EXTERN int skt_get_inheritable(const skt_socket *s);
SKT_EXTERN int skt_set_inheritable(skt_socket *s, bool inheritable);

/*
 * skt_settimeout - set the mode: SKT_BLOCKING, 0, or seconds in
 * (0, SKT_TIMEOUT_MAX]. Returns 0. Errors: -EINVAL (any other value: other
 * negatives, NaN, infinity, too large), -errno of fcntl.
 */
SKT_EXTERN int skt_settimeout(skt_socket *s, double seconds);
/* skt_gettimeout - SKT_BLOCKING, 0.0 or the timeout in seconds. For NULL,
 * SKT_BLOCKING. */
SKT_EXTERN double skt_gettimeout(const skt_socket *s);
/* skt_setblocking - true is settimeout(SKT_BLOCKING), false is
 * settimeout(0), as in Python. Returns 0 or -errno. */
SKT_EXTERN int skt_setblocking(skt_socket *s, bool blocking);
/* skt_getblocking - false in non-blocking mode and in timeout mode (the
 * fd is O_NONBLOCK then), true in blocking mode, as in Python. */
SKT_EXTERN bool skt_getblocking(const skt_socket *s);
/*
 * skt_setdefaulttimeout - the mode taken by sockets created afterwards (by
 * skt_open, skt_socketpair, skt_from_fd, skt_accept). Process-wide,
 * thread-safe. Returns 0, or -EINVAL for a value settimeout refuses (the
 * default is then unchanged). Note: DESIGN.md listed this as void; it
 * returns an int so that bad input gets a code.
 */
SKT_EXTERN int skt_setdefaulttimeout(double seconds);
/* skt_getdefaulttimeout - the default mode; SKT_BLOCKING at start. */
SKT_EXTERN double skt_getdefaulttimeout(void);

/*
 * skt_bind - bind to an address. An unnamed Unix address autobinds to an
 * abstract name. Returns 0. Errors: -EINVAL, -EADDRINUSE, -EADDRNOTAVAIL,
 * -EACCES, -EAFNOSUPPORT, ... with the address in the detail. No timeout.
 */
SKT_EXTERN int skt_bind(skt_socket *s, const skt_addr *a);

/* Backlog used by skt_listen when given a negative one: Python's default,
 * min(SOMAXCONN, 128). */
#define SKT_DEFAULT_BACKLOG (-1)

/*
 * skt_listen - start listening. A negative backlog means Python's default,
 * min(SOMAXCONN, 128). Returns 0. Errors: -EINVAL, -EOPNOTSUPP,
 * -EADDRINUSE. No timeout.
 */
SKT_EXTERN int skt_listen(skt_socket *s, int backlog);

/*
 * skt_accept - accept a connection (accept4 with SOCK_CLOEXEC). The new
 * socket takes the default timeout, whatever the listener's mode, which is
 * Python's rule. peer may be NULL. Returns 0. Errors: -EINVAL, -EAGAIN
 * (non-blocking mode, no connection), -ETIMEDOUT, -EMFILE, -ENFILE,
 * -ENOBUFS, -ENOMEM, -ECONNABORTED, ... Honours the timeout.
 */
SKT_EXTERN int skt_accept(skt_socket *s, skt_socket **conn, skt_addr *peer);

/*
 * skt_connect - connect to an address. Blocking mode waits as long as the
 * kernel does; non-blocking mode returns -EINPROGRESS for a connection
 * under way; timeout mode waits until the deadline and reads SO_ERROR. A
 * signal (EINTR) never restarts the connect: the same attempt is waited
 * for. Returns 0. Errors: -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH,
 * -EHOSTUNREACH, -EINPROGRESS, -EISCONN, -EADDRNOTAVAIL, -ENOENT (Unix),
 * ... with the address in the detail ("connect to 127.0.0.1:8080:
 * Connection refused"). Honours the timeout.
 */
SKT_EXTERN int skt_connect(skt_socket *s, const skt_addr *a);

/*
 * skt_connect_ex - as skt_connect but returns the positive errno value (0
 * on success), as Python's connect_ex does.
 */
SKT_EXTERN int skt_connect_ex(skt_socket *s, const skt_addr *a);

/* skt_shutdown - SHUT_RD, SHUT_WR or SHUT_RDWR. Returns 0. Errors:
 * -EINVAL, -ENOTCONN. No timeout. */
SKT_EXTERN int skt_shutdown(skt_socket *s, int how);

/* skt_getsockname, skt_getpeername - the local or remote address.
 * Return 0. Errors: -EINVAL, -ENOTCONN (peer), -EBADF. No timeout. */
SKT_EXTERN int skt_getsockname(const skt_socket *s, skt_addr *a);
SKT_EXTERN int skt_getpeername(const skt_socket *s, skt_addr *a);

/* skt_setsockopt, skt_getsockopt - the system calls, with -errno on
 * failure (-EINVAL, -ENOPROTOOPT, ...). *len is updated by get. */
SKT_EXTERN int skt_setsockopt(skt_socket *s, int level, int name,
                              const void *val, socklen_t len);
SKT_EXTERN int skt_getsockopt(skt_socket *s, int level, int name, void *val,
                              socklen_t *len);
/* skt_setsockopt_int, skt_getsockopt_int - the common int-valued case. */
SKT_EXTERN int skt_setsockopt_int(skt_socket *s, int level, int name,
                                  int value);
SKT_EXTERN int skt_getsockopt_int(skt_socket *s, int level, int name,
                                  int *value);

/* ------------------------------------------------------------------------ */
/* Sending and receiving                                                    */
/* ------------------------------------------------------------------------ */

/*
 * skt_send - one send (MSG_NOSIGNAL added). Returns the bytes sent, which
 * may be fewer than len. Errors: -EAGAIN (non-blocking mode, nothing could
 * be sent), -ETIMEDOUT, -EPIPE, -ECONNRESET, -EMSGSIZE, -EINVAL, ...
 * Honours the timeout: in timeout mode the send is tried first and poll is
 * used only when it would block.
 */
SKT_EXTERN ssize_t skt_send(skt_socket *s, const void *buf, size_t len,
                            int flags);

/*
 * skt_recv - one receive. Returns the bytes received; 0 means the peer
 * closed the connection (or a zero-length datagram). len 0 returns 0 at
 * once, without a system call. Errors: -EAGAIN (non-blocking mode),
 * -ETIMEDOUT, -ECONNRESET, -EINVAL, ... Honours the timeout.
 */
SKT_EXTERN ssize_t skt_recv(skt_socket *s, void *buf, size_t len, int flags);

/*
 * skt_recv_into - Python's recv_into; the same as skt_recv.
 */
SKT_EXTERN ssize_t skt_recv_into(skt_socket *s, void *buf, size_t len,
                                 int flags);

/*
 * skt_sendall - send all len bytes. *sent (may be NULL) always receives the
 * number of bytes sent, on failure too, so nothing is lost or sent twice.
 * Returns 0. Errors: -ETIMEDOUT (one deadline for the whole call), -EAGAIN
 * (non-blocking mode: the buffer filled; *sent tells how far it got),
 * -EPIPE, -ECONNRESET, -EINVAL, ... Honours the timeout as one deadline.
 */
SKT_EXTERN int skt_sendall(skt_socket *s, const void *buf, size_t len,
                           int flags, size_t *sent);

/*
 * skt_recv_exact - receive exactly len bytes. *got (may be NULL) always
 * receives the number of bytes received. Returns 0. Errors: SKT_EEOF (the
 * peer closed first), -ETIMEDOUT (one deadline), -EAGAIN (non-blocking
 * mode), -ECONNRESET, ... Honours the timeout as one deadline.
 */
SKT_EXTERN int skt_recv_exact(skt_socket *s, void *buf, size_t len,
                              int flags, size_t *got);

/*
 * skt_sendto - send a datagram to an address (NULL: the connected peer).
 * Returns the bytes sent. Errors as skt_send, plus -EMSGSIZE,
 * -EDESTADDRREQ, with the address in the detail. Honours the timeout.
 */
SKT_EXTERN ssize_t skt_sendto(skt_socket *s, const void *buf, size_t len,
                              int flags, const skt_addr *to);

/*
 * skt_recvfrom - receive a datagram and its sender's address (from may be
 * NULL; it is left empty when the sender has none, e.g. an unnamed Unix
 * socket). Returns the bytes received. A datagram longer than len is
 * truncated by the kernel, as in Python; pass MSG_TRUNC to get its real
 * length. Errors as skt_recv. Honours the timeout.
 */
SKT_EXTERN ssize_t skt_recvfrom(skt_socket *s, void *buf, size_t len,
                                int flags, skt_addr *from);

/* ======================================================================== */
/* Resolver and module functions                                            */
/* ======================================================================== */

/*
 * skt_addrinfo - one result of skt_getaddrinfo; a list through `next`.
 * As hints, only family, type, proto and flags are read (AI_* flags).
 */
typedef struct skt_addrinfo {
    int family;
    int type;
    int proto;
    int flags;
    char *canonname; /* with AI_CANONNAME, on the first result; else NULL */
    skt_addr addr;
    struct skt_addrinfo *next;
} skt_addrinfo;

/*
 * skt_getaddrinfo - resolve host and port (either may be NULL, not both)
 * through the system resolver (/etc/hosts, nsswitch, resolv.conf). hints
 * may be NULL (all zero, Python's defaults). timeout: SKT_BLOCKING, or
 * seconds; the call returns -ETIMEDOUT at the deadline however long the
 * system's lookup takes (the abandoned lookup finishes on its own thread
 * and frees itself; it blocks neither the caller nor process exit). A
 * numeric host and port are answered at once, without a thread. Returns 0
 * and a list in *res to free with skt_freeaddrinfo. Errors: SKT_EAI_* (with
 * the host in the detail), -ETIMEDOUT, SKT_EPORTRANGE (numeric port over
 * 65535), -EINVAL, -ENOMEM, -errno (EAI_SYSTEM), -EAGAIN (no thread).
 */
SKT_EXTERN int skt_getaddrinfo(const char *host, const char *port,
                               const skt_addrinfo *hints, double timeout,
                               skt_addrinfo **res);
/* skt_freeaddrinfo - free a list; NULL is a no-op. */
SKT_EXTERN void skt_freeaddrinfo(skt_addrinfo *res);

/*
 * skt_getnameinfo - Python's getnameinfo: host and service names for an
 * address, NI_* flags, within timeout (SKT_BLOCKING or seconds, as
 * skt_getaddrinfo). host/serv may be NULL (with length 0) when not wanted.
 * Returns 0. Errors: SKT_EAI_*, -ETIMEDOUT, SKT_ETRUNCATED (a buffer too
 * small; nothing is cut), -EINVAL.
 */
SKT_EXTERN int skt_getnameinfo(const skt_addr *a, int flags, double timeout,
                               char *host, size_t hostlen, char *serv,
                               size_t servlen);

/*
 * skt_gethostbyname - the first IPv4 address of a name, as text, into out
 * (Python's gethostbyname). Returns 0. Errors: SKT_EAI_*, SKT_ETRUNCATED,
 * -EINVAL. Blocks.
 */
SKT_EXTERN int skt_gethostbyname(const char *name, char *out, size_t outlen);

/*
 * skt_hostent - result of skt_gethostbyname_ex and skt_gethostbyaddr:
 * Python's (hostname, aliaslist, ipaddrlist). The lists end with NULL.
 */
typedef struct skt_hostent {
    char *name;
    char **aliases;
    char **addresses; /* numeric text */
} skt_hostent;

/*
 * skt_gethostbyname_ex - Python's gethostbyname_ex (IPv4). Returns 0 and
 * *out to free with skt_freehostent. Errors: SKT_EAI_NONAME (unknown host),
 * SKT_EAI_AGAIN, SKT_EAI_FAIL, -EINVAL, -ENOMEM. Blocks.
 */
SKT_EXTERN int skt_gethostbyname_ex(const char *name, skt_hostent **out);
/*
 * skt_gethostbyaddr - Python's gethostbyaddr: the name, aliases and
 * addresses for an IPv4 or IPv6 address text (a name is resolved first).
 * Returns 0 and *out. Errors: SKT_EAI_NONAME, SKT_EAI_AGAIN, -EINVAL,
 * -ENOMEM. Blocks.
 */
SKT_EXTERN int skt_gethostbyaddr(const char *ip, skt_hostent **out);
/* skt_freehostent - free a result; NULL is a no-op. */
SKT_EXTERN void skt_freehostent(skt_hostent *h);

/*
 * skt_getfqdn - Python's getfqdn: the fully qualified name for name (NULL
 * or "" or "0.0.0.0" or "::" means this host). Falls back to the name.
 * Returns the length written. Errors: SKT_ETRUNCATED, -EINVAL. Blocks.
 */
SKT_EXTERN int skt_getfqdn(const char *name, char *out, size_t outlen);

/* skt_gethostname - this host's name. Returns its length. Errors:
 * SKT_ETRUNCATED, -EINVAL. */
SKT_EXTERN int skt_gethostname(char *out, size_t outlen);
/* skt_sethostname - set it (needs CAP_SYS_ADMIN). Returns 0. Errors:
 * -EPERM, -EINVAL (too long). */
SKT_EXTERN int skt_sethostname(const char *name);

/*
 * skt_getservbyname - the port of a service ("http") for a protocol
 * ("tcp", "udp", or NULL for any). Returns the port (0..65535). Errors:
 * SKT_EAI_SERVICE (not found), -EINVAL.
 */
SKT_EXTERN int skt_getservbyname(const char *name, const char *proto);
/* skt_getservbyport - the service name of a port. Returns its length.
 * Errors: SKT_EAI_SERVICE, SKT_EPORTRANGE, SKT_ETRUNCATED, -EINVAL. */
SKT_EXTERN int skt_getservbyport(int port, const char *proto, char *out,
                                 size_t outlen);
/* skt_getprotobyname - the number of a protocol ("tcp" is 6). Errors:
 * -ENOPROTOOPT (not found), -EINVAL. */
SKT_EXTERN int skt_getprotobyname(const char *name);

/*
 * skt_inet_aton - Python's inet_aton: the legacy IPv4 forms ("127.1",
 * "0x7f.1") into 4 bytes in network order. Returns 0. Errors:
 * SKT_EADDRSYNTAX, -EINVAL.
 */
SKT_EXTERN int skt_inet_aton(const char *text, struct in_addr *out);
/* skt_inet_ntoa - 4 bytes to dotted quad. Returns the length. Errors:
 * SKT_ETRUNCATED, -EINVAL. */
SKT_EXTERN int skt_inet_ntoa(struct in_addr in, char *out, size_t outlen);
/*
 * skt_inet_pton - AF_INET or AF_INET6 text to 4 or 16 bytes in out (of
 * size outlen). Returns the byte count. Errors: SKT_EADDRSYNTAX,
 * -EAFNOSUPPORT, SKT_ETRUNCATED, -EINVAL.
 */
SKT_EXTERN int skt_inet_pton(int family, const char *text, void *out,
                             size_t outlen);
/* skt_inet_ntop - bytes to text. Returns the length. Errors:
 * -EAFNOSUPPORT, -EINVAL (wrong byte count), SKT_ETRUNCATED. */
SKT_EXTERN int skt_inet_ntop(int family, const void *bytes, size_t len,
                             char *out, size_t outlen);

/* skt_ifentry - one network interface. */
typedef struct skt_ifentry {
    unsigned index;
    char *name;
} skt_ifentry;

/*
 * skt_if_nameindex - the interfaces, as Python's if_nameindex: an array of
 * *count entries in *out, to free with skt_if_freenameindex. Returns 0.
 * Errors: -ENOMEM, -errno.
 */
SKT_EXTERN int skt_if_nameindex(skt_ifentry **out, size_t *count);
SKT_EXTERN void skt_if_freenameindex(skt_ifentry *list, size_t count);
/* skt_if_nametoindex - the index (> 0) of an interface name. Errors:
 * -ENODEV, -EINVAL. */
SKT_EXTERN int skt_if_nametoindex(const char *name);
/* skt_if_indextoname - the name of an index. Returns its length. Errors:
 * -ENXIO (no such interface), SKT_ETRUNCATED, -EINVAL. */
SKT_EXTERN int skt_if_indextoname(unsigned index, char *out, size_t outlen);

/* skt_has_dualstack_ipv6 - true when an IPv6 socket can accept IPv4
 * connections too (IPV6_V6ONLY can be cleared), as Python's. */
SKT_EXTERN bool skt_has_dualstack_ipv6(void);

/* ======================================================================== */
/* Connections                                                              */
/* ======================================================================== */

/* The Connection Attempt Delay of RFC 8305, used when opts leave it 0. */
#define SKT_ATTEMPT_DELAY_DEFAULT 0.25

/*
 * Options of skt_create_connection. All zero (or a NULL pointer) means
 * Python's defaults. The struct may grow at the end.
 */
typedef struct skt_connect_opts {
    /* One deadline over resolution and every connect attempt, then the
     * socket's timeout, as in Python. 0 means the default timeout
     * (skt_getdefaulttimeout); SKT_BLOCKING means none. */
    double timeout;
    /* Bind to this local address first (Python's source_address); len 0
     * means none. Its family limits the addresses tried. */
    skt_addr source;
    /* AF_INET or AF_INET6 to use only that family; 0 for both. */
    int family;
    /* Happy Eyeballs: seconds to wait for an attempt before starting the
     * next one in parallel. 0 means SKT_ATTEMPT_DELAY_DEFAULT; a negative
     * value means strictly one address after another. */
    double attempt_delay;
} skt_connect_opts;

/*
 * skt_create_connection - Python's socket.create_connection, fixed:
 * resolves host and port (port may be a number or a service name; host
 * NULL means the loopback addresses) and connects a TCP socket. Happy Eyeballs (RFC 8305) by default: the address
 * families are interleaved, starting with the first the resolver returned;
 * a new attempt starts when the previous one has neither connected nor
 * failed within the attempt delay; the first success wins and every other
 * attempt is closed. opts->timeout is ONE deadline over the lookup and all
 * attempts. Returns 0 and *out, connected, with opts->timeout as its mode.
 * Errors: the most telling error of the attempts (-ECONNREFUSED before
 * -ETIMEDOUT before -EHOSTUNREACH before -ENETUNREACH before the others),
 * with every address tried and its own error in the detail; -ETIMEDOUT when
 * the deadline passed (the addresses still under way are listed as timed
 * out); SKT_EAI_* from the lookup; -EINVAL (bad options, NULL port);
 * -EMFILE, -ENOMEM. Honours opts->timeout as one deadline. A default
 * timeout of 0 (non-blocking) connects without a deadline and leaves the
 * socket non-blocking.
 */
SKT_EXTERN int skt_create_connection(skt_socket **out, const char *host,
                                     const char *port,
                                     const skt_connect_opts *opts);

/*
 * skt_create_connection_to - the same with one text, "host:port" or
 * "[v6addr]:port" (brackets required around an IPv6 address). Errors as
 * skt_create_connection, plus SKT_EADDRSYNTAX and SKT_ENOPORT for the text.
 */
SKT_EXTERN int skt_create_connection_to(skt_socket **out, const char *target,
                                        const skt_connect_opts *opts);

/*
 * Options of skt_create_server and skt_create_datagram_server. All zero (or
 * a NULL pointer) means Python's defaults. The struct may grow at the end.
 */
typedef struct skt_server_opts {
    /* AF_INET or AF_INET6; 0 means the first family the host resolves to,
     * and for an empty host AF_INET (AF_INET6 with dualstack). */
    int family;
    /* listen() backlog; 0 means Python's default, min(SOMAXCONN, 128). */
    int backlog;
    /* Set SO_REUSEPORT (an error where the platform has none). */
    bool reuse_port;
    /* Accept IPv4 on an IPv6 socket (IPV6_V6ONLY=0); an error where the
     * platform cannot. Without it IPV6_V6ONLY=1 is set explicitly. */
    bool dualstack;
} skt_server_opts;

/*
 * skt_create_server - Python's socket.create_server: a TCP socket bound to
 * host and port and listening. host NULL or "" means every interface; port
 * NULL or "0" an ephemeral port. SO_REUSEADDR is set, as Python does on
 * POSIX. Returns 0 and *out, in the default mode.
 * Errors: -EADDRINUSE, -EADDRNOTAVAIL, -EACCES (with the address in the
 * detail), -EINVAL (dualstack without IPv6), -EOPNOTSUPP (dualstack or
 * reuse_port unsupported), SKT_EAI_* (host did not resolve). The lookup
 * blocks (no timeout).
 */
SKT_EXTERN int skt_create_server(skt_socket **out, const char *host,
                                 const char *port,
                                 const skt_server_opts *opts);

/*
 * skt_create_datagram_server - the same for a UDP socket: bound, not
 * listening, without SO_REUSEADDR (reuse_port is honoured; backlog is
 * ignored). Errors as skt_create_server.
 */
SKT_EXTERN int skt_create_datagram_server(skt_socket **out, const char *host,
                                          const char *port,
                                          const skt_server_opts *opts);

/* ======================================================================== */
/* Streams                                                                 */
/* ======================================================================== */

/* (issue 5: skt_stream, Python's makefile) */

/*
 * skt_stream - Python's socket.makefile(), fixed: a buffered reader and
 * writer over a stream socket, working through the socket's transport (so
 * over TLS unchanged). Every call takes one deadline from the socket's
 * timeout, and a call that fails (-ETIMEDOUT, -EAGAIN in non-blocking mode,
 * SKT_ELINETOOLONG, SKT_EEOF) consumes nothing: the bytes received so far
 * stay buffered and the next call goes on from them. Python's makefile
 * refuses every read after a timeout and hides what it buffered; here the
 * buffered bytes are always readable (skt_stream_buffer).
 * A stream may be used by one reading and one writing thread at once, like
 * the socket. While a stream reads from a socket, read through the stream
 * only: bytes it has buffered are no longer in the socket.
 */
typedef struct skt_stream skt_stream;

/* The read buffer and write buffer size used when the options leave it 0. */
#define SKT_STREAM_BUFFER_DEFAULT 65536

/* Options of skt_makefile. All zero (or NULL) means the defaults. */
typedef struct skt_stream_opts {
    /* Initial read buffer size; it grows when a line or an exact read
     * needs more. 0 means SKT_STREAM_BUFFER_DEFAULT. */
    size_t read_buffer;
    /* Bytes skt_stream_write holds before sending. 0 means
     * SKT_STREAM_BUFFER_DEFAULT. */
    size_t write_buffer;
    /* skt_stream_close closes the socket too (Python's socket.makefile
     * never does; its file object keeps the socket open until both are
     * closed). */
    bool close_socket;
} skt_stream_opts;

/*
 * skt_makefile - a stream over s (Python's sock.makefile("rwb")). The
 * socket stays owned by the caller and must outlive the stream, unless
 * opts->close_socket hands it over. Buffers are allocated on first use.
 * Returns 0 and *out. Errors: -EINVAL (NULL), -ENOMEM. No timeout.
 */
SKT_EXTERN int skt_makefile(skt_socket *s, skt_stream **out,
                            const skt_stream_opts *opts);

/*
 * skt_stream_close - flush what is still buffered for writing, free the
 * stream, and close the socket when opts->close_socket asked for it. NULL
 * is a no-op. Returns 0, or the error of the flush (the unsent bytes are
 * lost then: call skt_stream_flush first to keep control of them) or of
 * the socket's close. The stream is freed in every case. Honours the
 * timeout (for the flush).
 */
SKT_EXTERN int skt_stream_close(skt_stream *st);

/* skt_stream_socket - the socket under the stream (NULL for NULL). */
SKT_EXTERN skt_socket *skt_stream_socket(const skt_stream *st);

/*
 * skt_stream_read - read up to len bytes: the buffered ones, or if none,
 * what one receive brings (like skt_recv, and Python's read1). Returns the
 * count, > 0, or 0 at end of stream (and for len 0). Errors: -ETIMEDOUT,
 * -EAGAIN (non-blocking mode, nothing buffered or ready), -ECONNRESET,
 * -EINVAL, -ENOMEM, ... Honours the timeout.
 */
SKT_EXTERN ssize_t skt_stream_read(skt_stream *st, void *buf, size_t len);

/*
 * skt_stream_read_exact - read exactly len bytes into buf. Bytes are taken
 * only on success: on any error all of them stay buffered for the next
 * call (the buffer grows to len if it must). Returns 0. Errors: SKT_EEOF
 * (the peer closed before len bytes; those that came stay readable),
 * -ETIMEDOUT (one deadline for the whole call), -EAGAIN (non-blocking
 * mode), -ECONNRESET, -ENOMEM, -EINVAL, ... Honours the timeout.
 */
SKT_EXTERN int skt_stream_read_exact(skt_stream *st, void *buf, size_t len);

/*
 * skt_stream_readline - read one line, its '\n' included, into buf (size
 * max): the line may be at most max bytes long. No NUL is added. At end of
 * stream the last bytes are returned without a '\n', as Python does, and
 * then 0. Returns the line's length (> 0), or 0 at end of stream.
 * Errors: SKT_ELINETOOLONG (max bytes came without a '\n'; nothing is
 * taken, so skt_stream_read can take them), -ETIMEDOUT (one deadline; the
 * part of the line already received stays buffered and the next call
 * returns the whole line), -EAGAIN (non-blocking mode, likewise),
 * -ECONNRESET, -ENOMEM, -EINVAL (NULL, or max 0). Honours the timeout.
 */
SKT_EXTERN ssize_t skt_stream_readline(skt_stream *st, void *buf,
                                       size_t max);

/*
 * skt_stream_readuntil - as skt_stream_readline with any delimiter of
 * delim_len (1..256) bytes, e.g. "\r\n": the record returned ends with the
 * delimiter (included in its length, at most max). Same returns and
 * errors.
 */
SKT_EXTERN ssize_t skt_stream_readuntil(skt_stream *st, const void *delim,
                                        size_t delim_len, void *buf,
                                        size_t max);

/*
 * skt_stream_readline_view - as skt_stream_readline without the copy:
 * *line points at the line inside the stream's buffer, valid until the
 * next call on the stream's reading side. Same returns and errors.
 */
SKT_EXTERN ssize_t skt_stream_readline_view(skt_stream *st, size_t max,
                                            const void **line);

/*
 * skt_stream_peek - copy up to len buffered bytes into buf without taking
 * them; when nothing is buffered, receive once first (Python's peek).
 * Returns the count, or 0 at end of stream (and for len 0). Errors as
 * skt_stream_read. Honours the timeout.
 */
SKT_EXTERN ssize_t skt_stream_peek(skt_stream *st, void *buf, size_t len);

/* skt_stream_buffered - the number of bytes received and not yet read
 * (0 for NULL). */
SKT_EXTERN size_t skt_stream_buffered(const skt_stream *st);

/*
 * skt_stream_buffer - the buffered bytes themselves, without receiving:
 * returns a pointer to them (NULL when none) and their count in *len
 * (which may be NULL). Valid until the next call on the reading side.
 */
SKT_EXTERN const void *skt_stream_buffer(const skt_stream *st, size_t *len);

/*
 * skt_stream_consume - drop n of the buffered bytes (after looking at them
 * through skt_stream_buffer). Returns 0. Errors: -EINVAL (n over
 * skt_stream_buffered). No I/O.
 */
SKT_EXTERN int skt_stream_consume(skt_stream *st, size_t n);

/*
 * skt_stream_write - buffered write. Bytes are held until the write buffer
 * is full; then what is held and the new bytes go out under one deadline
 * (a write as large as the buffer is sent without a copy). *taken (may be
 * NULL) receives how many of the len bytes the stream took, sent or held,
 * on failure too: retry with the rest, nothing is lost or sent twice.
 * Returns 0 (all taken). Errors: -ETIMEDOUT, -EAGAIN (non-blocking mode:
 * the socket is full), -EPIPE, -ECONNRESET, -ENOMEM, -EINVAL, ... Honours
 * the timeout when it sends.
 */
SKT_EXTERN int skt_stream_write(skt_stream *st, const void *buf, size_t len,
                                size_t *taken);

/*
 * skt_stream_flush - send everything held by skt_stream_write, under one
 * deadline. On failure the bytes not sent stay held for the next flush.
 * Returns 0. Errors: -ETIMEDOUT, -EAGAIN, -EPIPE, -ECONNRESET, -EINVAL, ...
 * Honours the timeout.
 */
SKT_EXTERN int skt_stream_flush(skt_stream *st);

/* skt_stream_pending - the number of bytes held for writing (0 for
 * NULL). */
SKT_EXTERN size_t skt_stream_pending(const skt_stream *st);

/* ======================================================================== */
/* Framing                                                                 */
/* ======================================================================== */

/* (issue 5: skt_frame and the application protocol) */

/* ======================================================================== */
/* Selectors                                                               */
/* ======================================================================== */

/*
 * skt_selector - Python's selectors: watch many fds for readiness. One
 * thread uses a selector at a time, as in Python; only skt_selector_wakeup
 * may be called from any thread or from a signal handler. Readiness is
 * level-triggered: an fd stays ready until it is read or written.
 *
 * Unregister an fd before closing it. If it is closed while registered,
 * the selector keeps working: unregister still succeeds; meanwhile the
 * poll and select backends report it ready with its registered events (so
 * the next I/O call says -EBADF), and epoll drops it silently.
 */
typedef struct skt_selector skt_selector;

/* Events, as Python's selectors.EVENT_READ and EVENT_WRITE. A hang-up or
 * an error on the fd is reported as every event it is registered for. */
#define SKT_EVENT_READ 1
#define SKT_EVENT_WRITE 2

/* The backends of skt_selector_new. */
typedef enum skt_selector_backend {
    SKT_SELECTOR_DEFAULT = 0, /* the platform's best: epoll on Linux */
    SKT_SELECTOR_EPOLL,
    SKT_SELECTOR_POLL,
    SKT_SELECTOR_SELECT /* refuses fds >= FD_SETSIZE */
} skt_selector_backend;

/* skt_selector_key - what is registered for an fd (Python's SelectorKey). */
typedef struct skt_selector_key {
    int fd;
    int events;       /* SKT_EVENT_READ and/or SKT_EVENT_WRITE */
    void *data;       /* the caller's, never touched by the selector */
    skt_socket *sock; /* the socket given to register_socket, or NULL */
} skt_selector_key;

/*
 * skt_selector_ready - one ready fd, Python's (key, events) pair: a copy of
 * its key and the events that are ready (never more than registered).
 */
typedef struct skt_selector_ready {
    skt_selector_key key;
    int events;
} skt_selector_ready;

/*
 * skt_selector_new - create a selector with a backend (SKT_SELECTOR_DEFAULT
 * for the best). It holds a close-on-exec kernel object (for epoll) and an
 * eventfd for skt_selector_wakeup. Returns 0 and *out. Errors: -EINVAL
 * (NULL or unknown backend), -ENOTSUP (backend not on this platform),
 * -EMFILE, -ENFILE, -ENOMEM, -ERANGE (select: the wake-up fd itself is
 * >= FD_SETSIZE). No timeout.
 */
SKT_EXTERN int skt_selector_new(skt_selector **out,
                                skt_selector_backend backend);

/*
 * skt_selector_close - free the selector and its own fds. The registered
 * fds and sockets are not closed (as in Python). NULL is a no-op. Returns
 * 0.
 */
SKT_EXTERN int skt_selector_close(skt_selector *sel);

/* skt_selector_backend_name - "epoll", "poll" or "select"; "" for NULL. */
SKT_EXTERN const char *skt_selector_backend_name(const skt_selector *sel);

/*
 * skt_selector_register - watch fd for events (SKT_EVENT_READ and/or
 * SKT_EVENT_WRITE) and keep data with it. Returns 0. Errors: -EINVAL
 * (NULL selector, fd < 0, events 0 or unknown bits), -EEXIST (fd already
 * registered, Python's KeyError), -EBADF (fd not open), -EPERM (epoll: a
 * regular file, which is always ready), -ERANGE (select backend: fd >=
 * FD_SETSIZE), -ENOMEM, -ENOSPC. No timeout.
 */
SKT_EXTERN int skt_selector_register(skt_selector *sel, int fd, int events,
                                     void *data);

/*
 * skt_selector_register_socket - the same for a socket's fd; the key's
 * sock field then gives the socket back. Errors as skt_selector_register.
 */
SKT_EXTERN int skt_selector_register_socket(skt_selector *sel, skt_socket *s,
                                            int events, void *data);

/*
 * skt_selector_modify - change the events and data of a registered fd
 * (the key's sock is kept). Entries for fd in the array of the last
 * select are updated too: their events are cut to the new ones. Returns
 * 0. Errors: -ENOENT (fd not registered), -EINVAL (bad events), -EBADF
 * (fd closed since it was registered), -ENOMEM. No timeout.
 */
SKT_EXTERN int skt_selector_modify(skt_selector *sel, int fd, int events,
                                   void *data);

/*
 * skt_selector_unregister - stop watching fd. Works on an fd that was
 * closed while registered. Entries for fd in the array of the last select
 * get events 0, so that a loop over that array skips an fd an earlier
 * handler in the same loop closed. Returns 0. Errors: -ENOENT (fd not
 * registered), -EINVAL. No timeout.
 */
SKT_EXTERN int skt_selector_unregister(skt_selector *sel, int fd);

/*
 * skt_selector_select - wait until at least one registered fd is ready,
 * the timeout passes, or skt_selector_wakeup is called. timeout:
 * SKT_BLOCKING (any negative) waits without limit, 0 only looks, > 0 is
 * seconds (rounded up to the backend's resolution, so the wait is never
 * shorter). A signal (EINTR) does not end the wait: it goes on with the
 * remaining time (PEP 475). *ready receives an array, owned by the
 * selector and valid until the next select or close, of as many entries
 * as the return value. Skip entries whose events are 0 (see unregister).
 * Returns the number of ready fds; 0 after a timeout or a wake-up.
 * Errors: -EINVAL (NULL, NaN timeout), -ENOMEM, -errno of the wait.
 * Honours timeout as one deadline.
 */
SKT_EXTERN int skt_selector_select(skt_selector *sel, double timeout,
                                   const skt_selector_ready **ready);

/*
 * skt_selector_get_key - copy the key of fd into *key (Python's
 * get_key). Returns 0. Errors: -ENOENT (not registered), -EINVAL.
 */
SKT_EXTERN int skt_selector_get_key(const skt_selector *sel, int fd,
                                    skt_selector_key *key);

/* skt_selector_count - the number of registered fds (len(get_map()) in
 * Python), or -EINVAL for NULL. */
SKT_EXTERN int skt_selector_count(const skt_selector *sel);

/*
 * skt_selector_wakeup - make a select that is waiting (or the next one)
 * return at once with 0. Callable from any thread and from a signal
 * handler (async-signal-safe; it sets no error detail for that reason).
 * Returns 0. Errors: -EINVAL (NULL), -errno of the eventfd write.
 */
SKT_EXTERN int skt_selector_wakeup(skt_selector *sel);

/* ======================================================================== */
/* Servers                                                                 */
/* ======================================================================== */

/* (issue 4: skt_server, Python's socketserver) */

/* ======================================================================== */
/* TLS                                                                     */
/* ======================================================================== */

/* (issue 6: skt_tls_ctx and skt_tls_wrap, Python's ssl) */

/* ======================================================================== */
/* Messages and the rest of the surface                                    */
/* ======================================================================== */

/* (issue 7: sendmsg/recvmsg, fds, sendfile, mmsg) */

#ifdef __cplusplus
}
#endif

#endif /* SKT_H */
