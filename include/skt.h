/*
 * skt.h - Python's networking stack as a C library.
 *
 * This header is the reference. Every public function states what it does,
 * what it returns on success, the negative codes it can return, and whether
 * it honours the socket's timeout.
 *
 * Its sections follow the library's layers, bottom to top:
 * - Errors: the codes, their names and messages, the detail sentence.
 * - Addresses: skt_addr for every family, parsed and formatted without
 *   lookups; the inet_* converters and interface names.
 * - Sockets: the socket object, its modes and options, then sending and
 *   receiving.
 * - Messages: sendmsg and recvmsg, ancillary data, passing fds and
 *   credentials, sendfile, batched datagrams, multicast and broadcast.
 * - TLS: contexts, wrapping a socket, connection and certificate details;
 *   SHA-256, for checking a transfer.
 * - Resolver and module functions: getaddrinfo and getnameinfo under a
 *   timeout, and the rest of the socket module's name functions.
 * - Connections: create_connection (Happy Eyeballs) and create_server.
 * - Streams: makefile's buffered reader and writer.
 * - Framing: messages of a fixed size, delimited or length-prefixed.
 * - Selectors: the selectors module.
 * - Servers: the socketserver module.
 * The sockets tutorial's application protocol has its own header and
 * library: skt_app.h, libskt_app.
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
 * - Options structs (skt_accept_backoff, skt_tls_wrap_opts,
 *   skt_connect_opts, skt_server_opts, skt_relay_opts, skt_stream_opts,
 *   skt_frame_opts, skt_server_config; skt_app_opts in skt_app.h): all zero
 *   (= {0}, or a NULL pointer) means the defaults, and each ends in
 *   `void *reserved[N]`, room for fields to come, which a program leaves
 *   zero (= {0} and designated initializers do). N is 4, less where fields
 *   added since have taken entries, so that the struct kept its size:
 *   reserved[3] in skt_connect_opts, reserved[1] in skt_server_config.
 *   So a program built against an older header passes zeros where newer
 *   fields are, and gets their defaults; a library older than the header
 *   a program was built with refuses a reserved field that is not zero
 *   with -EINVAL ("... an option this library does not know"), rather
 *   than ignoring what was asked for. The result structs that may grow
 *   (skt_connect_report, skt_relay_stats) end in `void *reserved[4]` too,
 *   which the library may write.
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
#define SKT_PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SKT_EXTERN
#define SKT_PRINTF_FORMAT(fmt, args)
#endif

/*
 * The version of this header. SKT_VERSION_NUM is one comparable number,
 * 0xMMmmpp (0.2.0 is 0x000200): `#if SKT_VERSION_NUM >= 0x000200`.
 */
#define SKT_VERSION_MAJOR 0
#define SKT_VERSION_MINOR 2
#define SKT_VERSION_PATCH 0
#define SKT_VERSION_NUM                                                       \
    ((SKT_VERSION_MAJOR << 16) | (SKT_VERSION_MINOR << 8) | SKT_VERSION_PATCH)
#define SKT_VERSION_STRING "0.2.0"

/* skt_version - the SKT_VERSION_NUM of the library loaded at run time,
 * which may be newer than the header a program was built with. No I/O.
 * Returns that number. Errors: none. */
SKT_EXTERN unsigned skt_version(void);
/* skt_version_string - the same as text, e.g. "0.2.0". No I/O.
 * Returns a static string, never NULL. Errors: none. */
SKT_EXTERN const char *skt_version_string(void);
/* skt_platform - the platform the library was built for: "linux" (epoll,
 * splice, abstract Unix names, ...) or "posix" (docs/porting.md), which
 * the "Platform:" notes of this header name; Python's sys.platform for
 * the library. No I/O. Returns a static string, never NULL. Errors: none.
 */
SKT_EXTERN const char *skt_platform(void);

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

/*
 * TLS codes (see the TLS section). They have a block of their own, so that
 * codes added above for other modules can never collide with them.
 */
#define SKT_ETLS_BASE (SKT_ELIB_BASE - 100)
/* Non-blocking TLS: wait until the fd is readable, then call again. */
#define SKT_EWANTREAD (SKT_ETLS_BASE - 1)
/* Non-blocking TLS: wait until the fd is writable, then call again. */
#define SKT_EWANTWRITE (SKT_ETLS_BASE - 2)
/* The TLS handshake failed for a reason that has no code of its own. */
#define SKT_ETLS_HANDSHAKE (SKT_ETLS_BASE - 3)
/* No TLS version acceptable to both sides (e.g. a peer with only 1.0). */
#define SKT_ETLS_VERSION (SKT_ETLS_BASE - 4)
/* A certificate has expired. */
#define SKT_ETLS_CERT_EXPIRED (SKT_ETLS_BASE - 5)
/* The certificate is not valid for the host name or address asked for. */
#define SKT_ETLS_HOSTNAME (SKT_ETLS_BASE - 6)
/* The certificate was issued by a CA that is not trusted. */
#define SKT_ETLS_UNKNOWN_CA (SKT_ETLS_BASE - 7)
/* The certificate is self-signed and not trusted. */
#define SKT_ETLS_SELF_SIGNED (SKT_ETLS_BASE - 8)
/* No client certificate where the server requires one. */
#define SKT_ETLS_NO_CLIENT_CERT (SKT_ETLS_BASE - 9)
/* Certificate verification failed for another reason (not yet valid,
 * bad signature, wrong purpose, rejected by the peer, ...). */
#define SKT_ETLS_CERT_VERIFY (SKT_ETLS_BASE - 10)
/* A TLS protocol error after the handshake (a bad record, an alert). */
#define SKT_ETLS_PROTOCOL (SKT_ETLS_BASE - 11)
/* OpenSSL refused a setting: a certificate, key, password, CA data or
 * cipher list. */
#define SKT_ETLS_CONFIG (SKT_ETLS_BASE - 12)
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
 * Errors: none. No I/O.
 */
SKT_EXTERN const char *skt_strerror(int code);

/*
 * skt_errname - the symbolic name of a code: "ECONNREFUSED", "EAI_NONAME",
 * "SKT_EEOF". Unknown codes give "UNKNOWN". Never NULL; static.
 * Platform: on Linux every errno value has its name (the C library's);
 * on the posix platform only the errno values of the library's own table
 * do, and others give "UNKNOWN" (skt_strerror still describes them).
 * Errors: none. No I/O.
 */
SKT_EXTERN const char *skt_errname(int code);

/*
 * skt_error_detail - the sentence describing the last failure in this
 * thread, naming the operation and the address, e.g. "connect to
 * 127.0.0.1:8080: Connection refused". Empty before any failure. Success
 * does not clear it (like errno). The string belongs to the thread and is
 * overwritten by the next failure.
 * Returns the thread's string, never NULL. Errors: none. No I/O.
 */
SKT_EXTERN const char *skt_error_detail(void);

/*
 * skt_set_error_detail - set this thread's detail to exactly the text
 * formatted from fmt (as printf), and return code: for libraries and
 * programs built on skt, so that their failures read like skt's, e.g.
 *     return skt_set_error_detail(rc, "fetch %s: %s", url,
 *                                 skt_strerror(rc));
 * A text longer than the detail holds is cut. errno is left unchanged.
 * Returns code. No I/O.
 * Errors: none of its own.
 */
SKT_EXTERN int skt_set_error_detail(int code, const char *fmt, ...)
    SKT_PRINTF_FORMAT(2, 3);

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
 *   "unix:/path/to/sock"    Unix path (at most 108 bytes; one of exactly
 *                           108 fills sun_path and has no NUL, a form
 *                           Linux accepts and getsockname reports)
 *   "unix:@name"            Linux abstract name, exact length (at most 107)
 *   "unix:"                 unnamed Unix address; binding it autobinds
 *   "family:N:HEX"          any other family N (0..65535), its bytes after
 *                           sa_family in hex pairs; a family with a form
 *                           of its own below must use it wherever that
 *                           form can carry the bytes
 * and the Linux families (numbers are decimal, or hex after "0x"):
 *   "netlink:PID:GROUPS"    AF_NETLINK: port id and multicast group mask
 *   "packet:IFNAME[:PROTO]" AF_PACKET: interface by name, or by decimal
 *                           index (0: every interface); PROTO the
 *                           EtherType (0x0800), 0 when left out
 *   "packet:IFNAME:PROTO:PKTTYPE:HATYPE:ADDR"  AF_PACKET as recvfrom
 *                           reports a sender: packet type (PACKET_HOST 0,
 *                           ...), ARPHRD_* hardware type, and the hardware
 *                           address as hex bytes ("02:00:5e:00:00:01",
 *                           at most 8; may be empty)
 *   "vsock:CID:PORT[:FLAGS]" AF_VSOCK (CID 4294967295 is VMADDR_CID_ANY,
 *                           PORT 4294967295 VMADDR_PORT_ANY)
 *   "can:IFNAME[:RXID:TXID]" AF_CAN; the ids are ISO-TP's
 *   "alg:TYPE:NAME"         AF_ALG, e.g. "alg:hash:sha256" (printable
 *                           ASCII without spaces; type at most 13 bytes,
 *                           name at most 103)
 *   "tipc:socket:REF:NODE", "tipc:service:TYPE:INSTANCE",
 *   "tipc:range:TYPE:LOWER:UPPER"  AF_TIPC (TIPC_SOCKET_ADDR,
 *                           TIPC_SERVICE_ADDR, TIPC_SERVICE_RANGE), each
 *                           optionally followed by ":zone", ":cluster" or
 *                           ":node", the scope
 * Interface names are looked up when parsing and when formatting; a name
 * made only of digits is written as its index.
 * In Unix names, "\\" stands for a backslash and "\xHH" for any byte, so
 * names holding control bytes or NULs round-trip through text.
 * Returns 0. Errors: -EINVAL (NULL argument), SKT_EADDRSYNTAX (malformed,
 * trailing garbage, bad escape, a number out of range, "family:N:HEX" for
 * bytes a form of its own carries), SKT_EADDRNOTNUMERIC (a host name),
 * SKT_ENOPORT (port missing), SKT_EPORTRANGE (port outside 0..65535),
 * SKT_ENOSCOPE (scope names no interface), -ENODEV (a packet or CAN
 * interface name that names none), -ENAMETOOLONG (Unix path over 108
 * bytes, abstract name over 107, ALG type or name too long). On failure
 * *a is left empty. No timeout. Platform: the posix platform has IPv4,
 * IPv6 and Unix paths only: "unix:@name" and the Linux families' forms
 * give -EAFNOSUPPORT with a detail saying so, and a sockaddr of another
 * family is written in the "family:N:HEX" form.
 */
SKT_EXTERN int skt_addr_parse(skt_addr *a, const char *text);

/*
 * skt_addr_format - write the text form of an address into buf (size len,
 * NUL included): the exact inverse of skt_addr_parse. An IPv6 scope, a
 * packet or a CAN interface is written as the interface name when the
 * index names one, else as the number. An address of another family, or
 * one whose bytes its family's form cannot carry (a J1939 CAN address, an
 * ALG feature mask, a TIPC lookup domain, padding that is not zero), is
 * written as "family:N:HEX".
 * Returns the text length (without the NUL). Errors: -EINVAL (NULL or
 * an empty address), SKT_ETRUNCATED (buf too small; buf holds "" then).
 * Does not wait.
 */
SKT_EXTERN int skt_addr_format(const skt_addr *a, char *buf, size_t len);

/*
 * skt_addr_from_ip - build an IPv4 or IPv6 address from numeric host text
 * without brackets ("127.0.0.1", "::1", "fe80::1%eth0") and a port.
 * Returns 0. Errors as skt_addr_parse.
 * Does not wait.
 */
SKT_EXTERN int skt_addr_from_ip(skt_addr *a, const char *host, int port);

/*
 * skt_addr_from_unix - build a Unix address from raw bytes: a path (at
 * most 108 bytes, see skt_addr_parse), or an abstract name when abstract
 * is true (name may hold any byte; at most 107). len 0 gives the unnamed
 * address. Returns 0. Errors: -EINVAL, -ENAMETOOLONG. Differs from Python:
 * a path of exactly 108 bytes (sun_path full, without a NUL) is accepted
 * here and by skt_addr_parse, as Linux accepts it and getsockname reports
 * it (so every address the kernel gives back round-trips through text),
 * where Python raises OSError ("AF_UNIX path too long"). Platform: an
 * abstract name gives -EAFNOSUPPORT on the posix platform.
 * No I/O.
 */
SKT_EXTERN int skt_addr_from_unix(skt_addr *a, const void *name, size_t len,
                                  bool abstract);

/*
 * skt_addr_from_sockaddr - copy a struct sockaddr of length len, at the
 * length its family compares at: IP addresses are cut to their struct, a
 * Unix path to its NUL, a netlink, vsock, TIPC, CAN or packet address to
 * its struct (a shorter CAN or packet address, as getsockname gives, is
 * padded with zeros). skt_getsockname, skt_getpeername and skt_recvmsg
 * give addresses in this form. Returns 0. Errors: -EINVAL (NULL, len 0 or
 * larger than sockaddr_storage, or len too short for IPv4, IPv6 or Unix).
 * No I/O.
 */
SKT_EXTERN int skt_addr_from_sockaddr(skt_addr *a, const struct sockaddr *sa,
                                      socklen_t len);

/* skt_addr_sockaddr - the address as a struct sockaddr, for system calls;
 * its length is a->len.
 * Returns a pointer into *a (NULL for a NULL a). Errors: none. No I/O. */
SKT_EXTERN const struct sockaddr *skt_addr_sockaddr(const skt_addr *a);

/* skt_addr_family - AF_INET, AF_INET6, AF_UNIX, ...; AF_UNSPEC if empty.
 * Returns the family (AF_UNSPEC for NULL too). Errors: none. No I/O. */
SKT_EXTERN int skt_addr_family(const skt_addr *a);

/* skt_addr_port - the port of an IPv4/IPv6 address, or -EAFNOSUPPORT.
 * Returns the port, 0..65535. Errors: -EINVAL (NULL), -EAFNOSUPPORT
 * (another family). No I/O. */
SKT_EXTERN int skt_addr_port(const skt_addr *a);

/* skt_addr_set_port - change the port. Returns 0. Errors: -EINVAL,
 * SKT_EPORTRANGE, -EAFNOSUPPORT (not IPv4/IPv6).
 * No I/O. */
SKT_EXTERN int skt_addr_set_port(skt_addr *a, int port);

/* skt_addr_equal - true when both addresses have the same family and the
 * same meaningful bytes (IPv6 flow info is ignored).
 * Returns true or false: false when either is NULL, true for two empty
 * addresses. Errors: none. No I/O. */
SKT_EXTERN bool skt_addr_equal(const skt_addr *a, const skt_addr *b);

/* ------------------------------------------------------------------------ */
/* inet_* converters and interface names                                    */
/* ------------------------------------------------------------------------ */

/*
 * skt_inet_aton - Python's inet_aton: the legacy IPv4 forms ("127.1",
 * "0x7f.1") into 4 bytes in network order. Returns 0. Errors:
 * SKT_EADDRSYNTAX, -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_inet_aton(const char *text, struct in_addr *out);
/* skt_inet_ntoa - 4 bytes to dotted quad. Returns the length. Errors:
 * SKT_ETRUNCATED, -EINVAL.
 * No I/O. */
SKT_EXTERN int skt_inet_ntoa(struct in_addr in, char *out, size_t outlen);
/*
 * skt_inet_pton - AF_INET or AF_INET6 text to 4 or 16 bytes in out (of
 * size outlen). Returns the byte count. Errors: SKT_EADDRSYNTAX,
 * -EAFNOSUPPORT, SKT_ETRUNCATED, -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_inet_pton(int family, const char *text, void *out,
                             size_t outlen);
/* skt_inet_ntop - bytes to text. Returns the length. Errors:
 * -EAFNOSUPPORT, -EINVAL (wrong byte count), SKT_ETRUNCATED.
 * Differs from Python: an unknown family is -EAFNOSUPPORT, where Python
 * raises ValueError; the code says what is wrong.
 * No I/O. */
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
 * Does not wait.
 */
SKT_EXTERN int skt_if_nameindex(skt_ifentry **out, size_t *count);
/* skt_if_freenameindex - free the array skt_if_nameindex returned (count
 * entries); NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_if_freenameindex(skt_ifentry *list, size_t count);
/* skt_if_nametoindex - the index (> 0) of an interface name. Returns the
 * index. Errors: -ENODEV (no such interface), -EINVAL, -EOVERFLOW (an index
 * over INT_MAX), or the -errno with which the system's lookup failed
 * (-EMFILE, ...). Does not wait. */
SKT_EXTERN int skt_if_nametoindex(const char *name);
/* skt_if_indextoname - the name of an index. Returns its length. Errors:
 * -ENXIO (no such interface), SKT_ETRUNCATED, -EINVAL.
 * Does not wait. */
SKT_EXTERN int skt_if_indextoname(unsigned index, char *out, size_t outlen);

/* ======================================================================== */
/* Sockets                                                                  */
/* ======================================================================== */

typedef struct skt_socket skt_socket;

/*
 * skt_os_socket - the system's own handle for a socket: a file descriptor
 * (int) on POSIX systems. SKT_INVALID_SOCKET is the value that names no
 * socket. Every function that takes or gives a raw handle uses this type,
 * and gives it through an out-parameter, never mixed with an error code in
 * the return value, so that a platform whose handle is an unsigned,
 * pointer-sized value (a Windows SOCKET) needs no new signatures. File
 * descriptors that are not sockets (skt_sendfile's file, the descriptors
 * passed with SCM_RIGHTS) stay int: those are POSIX-only.
 */
typedef int skt_os_socket;
#define SKT_INVALID_SOCKET ((skt_os_socket)-1)

/*
 * Timeout modes, exactly Python's: SKT_BLOCKING (Python's None), 0
 * (non-blocking), or a number of seconds > 0 (timeout mode). In timeout mode
 * every operation gets one absolute deadline, which EINTR retries and
 * multi-step operations never restart.
 */
#define SKT_BLOCKING (-1.0)
/* The longest wait, in seconds (about 31 years): a longer timeout is
 * accepted and waits this long, practically forever. */
#define SKT_TIMEOUT_MAX 1e9

/*
 * skt_open - create a socket (Python's socket.socket(family, type, proto)).
 * type may include SOCK_NONBLOCK (the socket then starts in non-blocking
 * mode); SOCK_CLOEXEC is always added. The socket takes the default timeout
 * (skt_setdefaulttimeout). Returns 0 and sets *out. Errors: -EINVAL,
 * -EAFNOSUPPORT, -EPROTONOSUPPORT, -EMFILE, -ENFILE, -ENOMEM, -EACCES.
 * Platform: Linux makes the fd close-on-exec atomically (SOCK_CLOEXEC).
 * The posix platform sets FD_CLOEXEC and O_NONBLOCK with fcntl right
 * after socket(2), so a thread that forks and execs in between hands the
 * fd to the program it runs. The posix platform knows only AF_INET,
 * AF_INET6 and AF_UNIX (others: -EAFNOSUPPORT), and sets SO_NOSIGPIPE
 * where the system has it.
 * Does not wait.
 */
SKT_EXTERN int skt_open(skt_socket **out, int family, int type, int proto);

/*
 * skt_from_fd - wrap an existing socket handle (Python's
 * socket.socket(fileno=handle)); the object owns it from then on. Family,
 * type and protocol are read from the fd. The socket takes the default
 * timeout; but if that is SKT_BLOCKING and the fd is already
 * O_NONBLOCK, the mode is non-blocking (so gettimeout tells the truth).
 * The fd's close-on-exec flag is left as it is. Returns 0. Errors: -EINVAL,
 * -EBADF, -ENOTSOCK, -ENOMEM; on failure the fd is not closed.
 * Platform: Linux reads SO_DOMAIN, SO_TYPE and SO_PROTOCOL; the posix
 * platform reads the family from getsockname, and the protocol is 0 where
 * the system has no SO_PROTOCOL. Differs
 * from Python: socket(fileno=) on an O_NONBLOCK fd says None (blocking)
 * while every call on it fails with BlockingIOError instead of waiting;
 * here the mode is the fd's, 0.
 * Does not wait.
 */
SKT_EXTERN int skt_from_fd(skt_socket **out, skt_os_socket handle);

/*
 * skt_socketpair - a connected pair (Python's socket.socketpair). family 0
 * means AF_UNIX, type 0 SOCK_STREAM. Both take the default timeout.
 * Returns 0. Errors: -EINVAL, -EAFNOSUPPORT, -EOPNOTSUPP, -EMFILE, -ENOMEM.
 * Platform: as skt_open (on the posix platform both fds get FD_CLOEXEC
 * with fcntl after the call).
 * Does not wait.
 */
SKT_EXTERN int skt_socketpair(skt_socket **a, skt_socket **b, int family,
                              int type, int proto);

/*
 * skt_close - close the fd (once: EINTR is never retried) and free the
 * object. NULL is a no-op. ECONNRESET from close is ignored, as Python does.
 * A TLS socket ends its session first, without waiting for the peer (see
 * skt_tls_unwrap): a peer reading to the end gets every byte and a clean
 * close, unless data it sent was left unread, which resets the connection
 * as it does on a plain socket.
 * Returns 0, or -errno of a failed close (the object is freed anyway).
 * Errors: -errno of close(2) (-EBADF, -EIO, ...); EINTR and ECONNRESET count
 * as success. Does not wait (close(2) itself waits only under an SO_LINGER
 * time the caller set).
 */
SKT_EXTERN int skt_close(skt_socket *s);

/*
 * skt_detach - free the object without closing its handle, which is stored
 * in *handle; the caller owns it from then on (Python's detach). Returns 0.
 * Errors: -EINVAL (s or handle NULL), -EBUSY (a transport such as TLS is
 * active on it); on an error the socket is left as it was.
 * No I/O.
 */
SKT_EXTERN int skt_detach(skt_socket *s, skt_os_socket *handle);

/*
 * skt_dup - a new socket object on a duplicate fd (F_DUPFD_CLOEXEC), with
 * the same family, type, protocol and timeout. Returns 0. Errors: -EINVAL,
 * -EMFILE, -ENOMEM, -EOPNOTSUPP (a TLS socket: a plain duplicate could
 * write plaintext into the encrypted stream).
 * Does not wait.
 */
SKT_EXTERN int skt_dup(skt_socket *s, skt_socket **out);

/*
 * skt_fileno - store the socket's handle in *handle (Python's fileno); the
 * socket still owns it. Returns 0. Errors: -EINVAL (s or handle NULL).
 * No I/O.
 */
SKT_EXTERN int skt_fileno(const skt_socket *s, skt_os_socket *handle);
/* skt_family, skt_type, skt_proto - as given or detected; the type has
 * SOCK_NONBLOCK and SOCK_CLOEXEC masked off. -EINVAL for NULL.
 * Returns the value. Errors: -EINVAL (NULL). No I/O. */
SKT_EXTERN int skt_family(const skt_socket *s);
SKT_EXTERN int skt_type(const skt_socket *s);
SKT_EXTERN int skt_proto(const skt_socket *s);

/*
 * skt_get_inheritable - 1 if the fd survives exec, 0 if close-on-exec,
 * or -errno (-EBADF). skt_set_inheritable - make the fd survive exec
 * (true) or close on exec (false); returns 0 or -errno.
 * Returns: get 1 or 0, set 0. Errors: -EINVAL (NULL), -errno of fcntl
 * (-EBADF). Does not wait.
 */
SKT_EXTERN int skt_get_inheritable(const skt_socket *s);
SKT_EXTERN int skt_set_inheritable(skt_socket *s, bool inheritable);

/*
 * skt_settimeout - set the mode: SKT_BLOCKING, 0, or a finite number of
 * seconds > 0; gettimeout returns it as given, and a wait longer than
 * SKT_TIMEOUT_MAX waits that long. Returns 0. Errors: -EINVAL (any other
 * value: other negatives, NaN, infinity), -errno of fcntl.
 * Differs from Python: Python raises OverflowError from about 9.2e9 s (its
 * clock's limit); skt accepts every finite value.
 * Does not wait.
 */
SKT_EXTERN int skt_settimeout(skt_socket *s, double seconds);
/* skt_gettimeout - SKT_BLOCKING, 0.0 or the timeout in seconds. For NULL,
 * SKT_BLOCKING.
 * Returns the mode. Errors: none. No I/O. */
SKT_EXTERN double skt_gettimeout(const skt_socket *s);
/* skt_setblocking - true is settimeout(SKT_BLOCKING), false is
 * settimeout(0), as in Python. Returns 0 or -errno.
 * Errors: -EINVAL (NULL), -errno of fcntl. Does not wait. */
SKT_EXTERN int skt_setblocking(skt_socket *s, bool blocking);
/* skt_getblocking - false in non-blocking mode, true in blocking mode and
 * in timeout mode (gettimeout() != 0), as in Python, although the fd
 * itself is O_NONBLOCK in timeout mode. false for a NULL socket.
 * Returns the mode as a bool. Errors: none. No I/O. */
SKT_EXTERN bool skt_getblocking(const skt_socket *s);
/*
 * skt_setdefaulttimeout - the mode taken by sockets created afterwards (by
 * skt_open, skt_socketpair, skt_from_fd, skt_accept). Process-wide,
 * thread-safe. Returns 0, or -EINVAL for a value settimeout refuses (the
 * default is then unchanged). Differs from Python: Python's returns None
 * and raises on a bad value; this returns a code instead.
 * Errors: -EINVAL. No I/O.
 */
SKT_EXTERN int skt_setdefaulttimeout(double seconds);
/* skt_getdefaulttimeout - the default mode; SKT_BLOCKING at start.
 * Returns the mode. Errors: none. No I/O. */
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
 * min(SOMAXCONN, 128) (SKT_DEFAULT_BACKLOG). Returns 0. Errors: -EINVAL,
 * -EOPNOTSUPP, -EADDRINUSE. No timeout. Differs from Python: a negative
 * number is a sentinel for the default here, as everywhere in skt, where
 * Python's listen(-1) means a backlog of 0; C has no "argument omitted".
 */
SKT_EXTERN int skt_listen(skt_socket *s, int backlog);

/*
 * skt_accept - accept a connection (accept4 with SOCK_CLOEXEC). The new
 * socket takes the default timeout, whatever the listener's mode, which is
 * Python's rule. peer may be NULL. Returns 0. Errors: -EINVAL, -EAGAIN
 * (non-blocking mode, no connection), -ETIMEDOUT, -EMFILE, -ENFILE,
 * -ENOBUFS, -ENOMEM, -ECONNABORTED, -EOPNOTSUPP (not a stream socket), ...
 * Honours the timeout: in timeout mode accept is tried first and poll is
 * used only when it would block. Differs from Python: CPython polls before
 * it calls accept, so a socket that can never accept (a UDP socket) waits
 * out the whole timeout there and fails with a timeout; here it fails at
 * once with its own error. Platform: the posix platform calls accept(2)
 * and then fcntl for FD_CLOEXEC and the status flags (the same fork window
 * as skt_open), which also keeps BSD's inheritance of O_NONBLOCK from the
 * listener out of the new socket.
 */
SKT_EXTERN int skt_accept(skt_socket *s, skt_socket **conn, skt_addr *peer);

/*
 * skt_accept_backoff - the back-off of skt_accept_retry, kept by the
 * caller across calls, with an optional report of each pause. Zero it
 * before the first call; set on_pause and user if wanted.
 */
typedef struct skt_accept_backoff {
    /* Called (may be NULL) each time accepting pauses for a lack of
     * resources, in the calling thread, before the pause: code is -EMFILE,
     * -ENFILE, -ENOBUFS or -ENOMEM, seconds the pause, and
     * skt_error_detail() says it ("accept on 127.0.0.1:5000 (accepting
     * again within 10 ms): Too many open files"). */
    void (*on_pause)(skt_socket *listener, int code, double seconds,
                     void *user);
    void *user;
    /* Kept by skt_accept_retry: the last pause in seconds; 0 after a
     * connection was accepted or an error that is not a lack of
     * resources. */
    double pause;
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
} skt_accept_backoff;

/*
 * skt_accept_retry - skt_accept for a server's accept loop, which must not
 * end on an error that passes. An error of one connection only
 * (-ECONNABORTED, -EPROTO, -EPERM, the network errors the Linux accept(2)
 * manual lists) is retried at once. A lack of resources (-EMFILE,
 * -ENFILE, -ENOBUFS, -ENOMEM, including no memory for the new socket
 * object, whose connection is then closed) pauses accepting and then tries
 * again: 10 ms, doubling up to 1 s, the rule skt_server follows, so that a
 * process out of fds neither spins nor stops serving. backoff may be NULL
 * (each call then starts its back-off at 10 ms); otherwise it carries the
 * back-off from one call to the next, and on_pause reports each pause.
 *
 * Blocking mode: returns only with a connection or an error that is not
 * temporary. Timeout mode: one deadline for the whole call, over the waits
 * for a connection and the pauses (a pause is cut short at the deadline);
 * -ETIMEDOUT when it passes, also during a pause. Non-blocking mode: never
 * waits: -EAGAIN when no connection is waiting, and a lack of resources is
 * returned at once (-EMFILE, ...) with backoff->pause set to the seconds
 * to stop accepting for (for example, to leave the listener out of a
 * selector that long). A pause also ends when the listener is shut down
 * (skt_shutdown with SHUT_RD or SHUT_RDWR, from another thread, to stop
 * the loop): the call then returns the lack of resources' code.
 *
 * The new socket takes the default timeout and peer (may be NULL) is set,
 * as with skt_accept. Returns 0 and *conn. Errors: -EINVAL (NULL, not
 * listening, shut down), -ETIMEDOUT (timeout mode), -EAGAIN (non-blocking
 * mode), -EMFILE, -ENFILE, -ENOBUFS, -ENOMEM (non-blocking mode, or the
 * listener shut down during a pause), -EBADF, -ENOTSOCK, ... Honours the
 * timeout as one deadline. Differs from Python: Python has no such call;
 * socket.accept raises on each of these errors, and socketserver ignores
 * them and selects again at once, so it spins while out of fds.
 */
SKT_EXTERN int skt_accept_retry(skt_socket *s, skt_socket **conn,
                                skt_addr *peer, skt_accept_backoff *backoff);

/*
 * skt_connect - connect to an address. Blocking mode waits as long as the
 * kernel does; non-blocking mode returns -EINPROGRESS for a connection
 * under way (also when a signal interrupted it); timeout mode waits until
 * the deadline and reads SO_ERROR. A signal (EINTR) never restarts the
 * connect: the same attempt is waited for. Returns 0. Errors:
 * -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH,
 * -EHOSTUNREACH, -EINPROGRESS, -EISCONN, -EADDRNOTAVAIL, -ENOENT (Unix),
 * -EAGAIN (Unix, in non-blocking and timeout modes: the listener's backlog
 * is full; Linux gives no way to wait for room, and Python raises
 * BlockingIOError there too),
 * ... with the address in the detail ("connect to 127.0.0.1:8080:
 * Connection refused"). Honours the timeout.
 */
SKT_EXTERN int skt_connect(skt_socket *s, const skt_addr *a);

/*
 * skt_connect_ex - as skt_connect but returns the positive errno value (0
 * on success), as Python's connect_ex does. Differs from Python: a
 * timeout returns ETIMEDOUT, where CPython returns EAGAIN (its internal
 * "would block"), so the caller can tell a timeout from a full buffer.
 * Returns 0 or a positive errno value, never a negative code. Errors: those of
 * skt_connect, made positive (ECONNREFUSED, ETIMEDOUT, EINVAL, ...). Honours
 * the timeout, as skt_connect.
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
 * failure (-EINVAL, -ENOPROTOOPT, ...). *len is updated by get.
 * Returns 0. Errors: -EINVAL (NULL s, or NULL len for get), -errno of the
 * system call (-ENOPROTOOPT, -EINVAL, -EFAULT, ...). Does not wait. */
SKT_EXTERN int skt_setsockopt(skt_socket *s, int level, int name,
                              const void *val, socklen_t len);
SKT_EXTERN int skt_getsockopt(skt_socket *s, int level, int name, void *val,
                              socklen_t *len);
/* skt_setsockopt_int, skt_getsockopt_int - the common int-valued case.
 * Returns 0. Errors as skt_setsockopt and skt_getsockopt, and -EINVAL for a
 * NULL value. Does not wait. */
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
 * used only when it would block. MSG_DONTWAIT is honoured in every mode:
 * -EAGAIN at once instead of a wait (likewise for recv, sendto, recvfrom).
 * Differs from Python: in timeout mode CPython polls (waits) before a
 * MSG_DONTWAIT call; skt does what the flag asks and never waits.
 * Platform: every send (send, sendto, sendmsg, sendall, ...) keeps
 * SIGPIPE from the process: with MSG_NOSIGNAL on Linux, with SO_NOSIGPIPE
 * on the posix platform where the system has it (the BSDs, macOS), and
 * elsewhere by blocking SIGPIPE in the calling thread around the call and
 * taking back the one it raised (two more system calls per send; a
 * SIGPIPE already pending stays pending, and the disposition is never
 * changed).
 */
SKT_EXTERN ssize_t skt_send(skt_socket *s, const void *buf, size_t len,
                            int flags);

/*
 * skt_recv - one receive. Returns the bytes received; 0 means the peer
 * closed the connection (or a zero-length datagram). len 0 returns 0 at
 * once, without a system call. Errors: -EAGAIN (non-blocking mode),
 * -ETIMEDOUT, -ECONNRESET, -EINVAL, ... Honours the timeout: in timeout
 * mode the receive is tried first and poll is used only when it would
 * block (one system call when data is ready). Differs from Python: CPython
 * polls for readability before every receive in timeout mode, so urgent
 * data (MSG_OOB), which never makes a socket readable, times out there;
 * here it is read at once.
 */
SKT_EXTERN ssize_t skt_recv(skt_socket *s, void *buf, size_t len, int flags);

/*
 * skt_recv_into - Python's recv_into; the same as skt_recv.
 * Returns and errors as skt_recv. Honours the timeout, as skt_recv.
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
 * skt_sendall_until - skt_sendall (without flags) under a deadline the
 * caller holds, so that several calls share one timeout: a message sent in
 * parts (a header, then a body) keeps one deadline. *deadline starts at 0,
 * meaning "not started": in timeout mode the socket's timeout starts at
 * the first wait, and the absolute deadline is stored in *deadline; pass
 * the same variable to the next call to go on under it (what is stored
 * is an opaque point on the monotonic clock). In blocking and non-blocking
 * modes *deadline is not used. *sent (may be NULL) always receives the
 * number of bytes sent, on failure too. Returns 0. Errors: -ETIMEDOUT (the
 * shared deadline passed), -EAGAIN (non-blocking mode: the buffer filled;
 * *sent tells how far it got), -EPIPE, -ECONNRESET, -EINVAL (NULL s or
 * deadline), ... Honours the timeout as one deadline over every call that
 * shares *deadline. Differs from Python: Python has no way to share one
 * timeout over several calls.
 */
SKT_EXTERN int skt_sendall_until(skt_socket *s, const void *buf, size_t len,
                                 int64_t *deadline, size_t *sent);

/*
 * skt_recv_exact_until - skt_recv_exact (without flags) under a deadline
 * the caller holds, as skt_sendall_until: a message read in parts (a
 * length, the header it announces, then the content) keeps one deadline.
 * *deadline starts at 0 and is set at the first wait, in timeout mode.
 * *got (may be NULL) always receives the number of bytes received.
 * Returns 0. Errors: SKT_EEOF (the peer closed first), -ETIMEDOUT (the
 * shared deadline passed), -EAGAIN (non-blocking mode), -ECONNRESET,
 * -EINVAL (NULL s or deadline), ... Honours the timeout as one deadline
 * over every call that shares *deadline. Differs from Python: Python has
 * no way to share one timeout over several calls.
 */
SKT_EXTERN int skt_recv_exact_until(skt_socket *s, void *buf, size_t len,
                                    int64_t *deadline, size_t *got);

/*
 * skt_sendto - send a datagram to an address (NULL: the connected peer).
 * Returns the bytes sent. Errors as skt_send, plus -EMSGSIZE,
 * -EDESTADDRREQ, with the address in the detail, and -EOPNOTSUPP on a TLS
 * socket (it would bypass TLS). Honours the timeout.
 */
SKT_EXTERN ssize_t skt_sendto(skt_socket *s, const void *buf, size_t len,
                              int flags, const skt_addr *to);

/*
 * skt_recvfrom - receive a datagram and its sender's address (from may be
 * NULL; it is left empty when the sender has none, e.g. an unnamed Unix
 * socket). Returns the bytes received. A datagram longer than len is
 * truncated by the kernel, as in Python; pass MSG_TRUNC to get its real
 * length. Errors as skt_recv, plus -EOPNOTSUPP on a TLS socket. Honours
 * the timeout.
 */
SKT_EXTERN ssize_t skt_recvfrom(skt_socket *s, void *buf, size_t len,
                                int flags, skt_addr *from);

/* ======================================================================== */
/* Messages                                                                 */
/* ======================================================================== */

/*
 * Python's sendmsg, recvmsg, send_fds, recv_fds and sendfile, plus what
 * Python lacks: batched datagrams (sendmmsg/recvmmsg), peer credentials,
 * multicast and broadcast helpers. Like the calls above, each honours the
 * socket's mode (blocking, non-blocking, timeout) with one deadline per
 * call, retries EINTR, and sends with MSG_NOSIGNAL. None of them works
 * over TLS (they need the fd itself): they return -EOPNOTSUPP on a TLS
 * socket, except skt_sendfile, which sends through TLS by copying.
 */

/* ------------------------------------------------------------------------ */
/* Ancillary data: a builder and a parser                                   */
/* ------------------------------------------------------------------------ */

/*
 * skt_ancbuf - room for control messages (ancillary data) in the caller's
 * storage: data points at cap bytes, of which the first len are in use.
 * Any alignment will do: the library copies headers in and out, and never
 * asks the caller for CMSG_* arithmetic. To send, start with len 0 and add
 * messages with skt_ancbuf_add*. To receive, cap is how much the kernel
 * may write (Python's ancbufsize) and skt_recvmsg sets len. Size it with
 * skt_cmsg_space: the sum of skt_cmsg_space(n) over the messages, for n
 * data bytes each.
 */
typedef struct skt_ancbuf {
    void *data;
    size_t cap;
    size_t len;
} skt_ancbuf;

/*
 * skt_cmsg - one control message as skt_ancbuf_next gives it: the level
 * and type (SOL_SOCKET and SCM_RIGHTS, ...) and the data bytes, which
 * point into the skt_ancbuf and may be unaligned (copy them out, or use
 * skt_cmsg_fds and skt_cmsg_creds).
 */
typedef struct skt_cmsg {
    int level;
    int type;
    const void *data;
    size_t len;
} skt_cmsg;

/* skt_cred - a process's credentials, with struct ucred's layout but
 * without needing _GNU_SOURCE. */
typedef struct skt_cred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} skt_cred;

/*
 * skt_cmsg_len, skt_cmsg_space - Python's CMSG_LEN and CMSG_SPACE: the
 * length of a control message with len data bytes without and with its
 * trailing padding. Return the length. Errors: -EOVERFLOW for a len whose
 * result would not fit in an int (Python's OverflowError: len above
 * 2147483631 for skt_cmsg_len, above 2147483623 for skt_cmsg_space).
 * No I/O.
 */
SKT_EXTERN ssize_t skt_cmsg_len(size_t len);
SKT_EXTERN ssize_t skt_cmsg_space(size_t len);

/*
 * skt_ancbuf_add - append one control message with len data bytes.
 * Returns 0. Errors: -EINVAL (NULL, or data NULL with len > 0, or
 * b->len > b->cap), -ENOBUFS (no room: the detail says how many bytes the
 * buffer needs; b is unchanged).
 * No I/O.
 */
SKT_EXTERN int skt_ancbuf_add(skt_ancbuf *b, int level, int type,
                              const void *data, size_t len);

/* skt_ancbuf_add_fds - append SCM_RIGHTS with count fds (1..253, the
 * kernel's SCM_MAX_FD). Returns 0. Errors as skt_ancbuf_add.
 * No I/O. */
SKT_EXTERN int skt_ancbuf_add_fds(skt_ancbuf *b, const int *fds,
                                  size_t count);

/*
 * skt_ancbuf_add_creds - append SCM_CREDENTIALS: cred, or this process's
 * pid, real uid and real gid when cred is NULL. The kernel refuses, at
 * send time with -EPERM, credentials a process may not claim. The
 * receiver needs SO_PASSCRED (skt_setsockopt_int(s, SOL_SOCKET,
 * SO_PASSCRED, 1)) to get them. Returns 0. Errors as skt_ancbuf_add.
 * Platform: Linux only; -EOPNOTSUPP with a detail on the posix platform.
 * No I/O.
 */
SKT_EXTERN int skt_ancbuf_add_creds(skt_ancbuf *b, const skt_cred *cred);

/*
 * skt_ancbuf_next - the parser: the control message at *pos (start with
 * *pos = 0) into *out, and *pos moved past it. Returns 1 for a message, 0
 * at the end. Errors: -EINVAL (NULL, or malformed bytes: a header shorter
 * than a header or longer than what is left; the detail gives the offset).
 * Bytes from a trusted kernel are never malformed; the parser checks
 * anyway, so it can read any bytes.
 * No I/O.
 */
SKT_EXTERN int skt_ancbuf_next(const skt_ancbuf *b, size_t *pos,
                               skt_cmsg *out);

/*
 * skt_cmsg_fds - the fds of an SCM_RIGHTS message: copies up to max of
 * them into fds (which may be NULL when max is 0) and returns how many the
 * message holds. Errors: -EINVAL (NULL, or not SOL_SOCKET/SCM_RIGHTS).
 * Returns the count of fds in the message, which may exceed max. No I/O.
 */
SKT_EXTERN ssize_t skt_cmsg_fds(const skt_cmsg *c, int *fds, size_t max);

/* skt_cmsg_creds - the credentials of an SCM_CREDENTIALS message.
 * Returns 0. Errors: -EINVAL (NULL, another message, too short).
 * Platform: Linux only; -EOPNOTSUPP with a detail on the posix platform.
 * No I/O. */
SKT_EXTERN int skt_cmsg_creds(const skt_cmsg *c, skt_cred *out);

/* ------------------------------------------------------------------------ */
/* sendmsg and recvmsg                                                      */
/* ------------------------------------------------------------------------ */

/*
 * skt_msg - one message for skt_sendmsg/skt_recvmsg and the batched calls.
 *   iov, iovlen  the buffers, gathered from or scattered into, in order
 *                (iov may be NULL when iovlen is 0; at most 1024).
 *   addr         sending: the destination, or NULL for the connected
 *                peer; receiving: receives the sender (left empty when
 *                there is none, e.g. on a connected TCP socket), or NULL.
 *   anc          control messages to send, or room for those received;
 *                may be NULL.
 *   len, flags   set on return: the bytes moved, and (receiving) the
 *                message's flags: MSG_TRUNC (the datagram was longer than
 *                the buffers), MSG_CTRUNC (the control messages did not
 *                fit), MSG_EOR, MSG_OOB, MSG_ERRQUEUE.
 */
typedef struct skt_msg {
    const struct iovec *iov;
    size_t iovlen;
    skt_addr *addr;
    skt_ancbuf *anc;
    size_t len;
    int flags;
} skt_msg;

/*
 * skt_sendmsg - Python's sendmsg: one sendmsg(2) of m's buffers, control
 * messages and address (MSG_NOSIGNAL added). Returns the bytes sent,
 * which on a stream socket may be fewer than the buffers hold. Errors:
 * -EINVAL (NULL, iov NULL with iovlen > 0, anc->len > anc->cap),
 * -EAGAIN (non-blocking mode), -ETIMEDOUT, -EMSGSIZE, -EPIPE, -ECONNRESET,
 * -EPERM (credentials the kernel refuses), -EBADF (an fd to pass is not
 * open), -EOPNOTSUPP (TLS), ... with the destination in the detail.
 * Honours the timeout.
 */
SKT_EXTERN ssize_t skt_sendmsg(skt_socket *s, const skt_msg *m, int flags);

/*
 * skt_recvmsg - Python's recvmsg_into: one recvmsg(2) into m's buffers,
 * with MSG_CMSG_CLOEXEC always added on Unix sockets (the family that
 * passes fds; others, such as AF_PACKET, refuse the flag), so received
 * fds are close-on-exec from the start. Sets m->len, m->flags,
 * m->anc->len and *m->addr.
 * Fds are never leaked by truncated control data: when the kernel
 * reports MSG_CTRUNC, every fd that did arrive (SCM_RIGHTS, and Linux's
 * SCM_PIDFD) is closed and overwritten with -1 in m->anc, and MSG_CTRUNC
 * stays in m->flags. Returns the bytes received (0: end of stream, or an
 * empty datagram). Errors: -EINVAL, -EAGAIN, -ETIMEDOUT, -ECONNRESET,
 * -EOPNOTSUPP (TLS), ... Honours the timeout. Differs from Python:
 * received fds are close-on-exec, where Python's recvmsg gives
 * inheritable ones; and the fds of truncated control data are closed,
 * where Python leaves them open for the caller to find and close.
 */
SKT_EXTERN ssize_t skt_recvmsg(skt_socket *s, skt_msg *m, int flags);

/* ------------------------------------------------------------------------ */
/* Passing fds and credentials                                              */
/* ------------------------------------------------------------------------ */

/*
 * skt_send_fds - Python's socket.send_fds, with the flags and address
 * honoured: sends len bytes of buf (at least 1 byte is wise: a stream
 * socket does not deliver control data without data) with nfds fds
 * (1..253) to `to` (NULL: the connected peer). The fds stay open here.
 * Returns the bytes sent. Errors as skt_sendmsg. Honours the timeout.
 */
SKT_EXTERN ssize_t skt_send_fds(skt_socket *s, const void *buf, size_t len,
                                const int *fds, size_t nfds, int flags,
                                const skt_addr *to);

/*
 * skt_recv_fds - Python's socket.recv_fds, fixed: receives up to len bytes
 * into buf and up to *nfds fds into fds (at most 253); *nfds is set to the
 * number received. The fds are close-on-exec (MSG_CMSG_CLOEXEC) and the
 * caller owns them. *msg_flags receives the message's flags; it is
 * required, because truncation must not pass unseen: when more fds came
 * than *nfds allows, or the kernel reported MSG_CTRUNC, every fd that
 * arrived is closed, *nfds is 0 and MSG_CTRUNC is set; the bytes are
 * still returned. Other control messages (credentials) are skipped; a
 * pidfd (SCM_PIDFD) is closed. from (may be NULL) receives the sender.
 * flags are honoured (MSG_PEEK, MSG_DONTWAIT, ...). Returns the bytes
 * received. Errors as skt_recvmsg; on any error after the receive, every
 * received fd is closed first. Honours the timeout. Differs from Python:
 * received fds are close-on-exec (PEP 446's rule for every new fd), where
 * Python's recv_fds gives inheritable ones that leak into every child
 * process; and when they do not all fit, every one is closed, where
 * Python returns those that fit, so a caller that misses MSG_CTRUNC goes
 * on with part of a set.
 */
SKT_EXTERN ssize_t skt_recv_fds(skt_socket *s, void *buf, size_t len,
                                int *fds, size_t *nfds, int flags,
                                int *msg_flags, skt_addr *from);

/*
 * skt_getpeercred - the credentials of the process that connected (or
 * created the socketpair) at the other end of a Unix socket (SO_PEERCRED),
 * as of connect time. Returns 0. Errors: -EINVAL, -ENOTCONN,
 * -ENOPROTOOPT (not a Unix socket), -EOPNOTSUPP (TLS). No timeout.
 * Platform: Linux only; -EOPNOTSUPP with a detail on the posix platform.
 */
SKT_EXTERN int skt_getpeercred(skt_socket *s, skt_cred *out);

/* ------------------------------------------------------------------------ */
/* sendfile                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * skt_sendfile - Python's socket.sendfile: send count bytes of file fd
 * from offset (count 0: up to the end of the file; fewer are sent when the
 * file ends first) on a stream socket. A regular file goes through the
 * kernel's sendfile(2), with no copy to user space; anything else (a pipe,
 * a socket, a TLS socket, a file system sendfile refuses) is read and sent
 * in 64 KiB blocks. offset counts from the start of a seekable file; for a
 * pipe or socket it must be 0 (reading starts at what comes next). As in
 * Python, a seekable file's position is left at offset + *sent on return,
 * on failure too, and where it was when nothing was sent through the
 * kernel's path (an offset past the end, say). Differs from Python: a
 * non-blocking socket works (the call returns -EAGAIN with *sent when the
 * buffer fills), where Python raises ValueError; and a pipe or socket is
 * read and sent, where Python's sendfile sees a size of 0 in fstat and
 * returns 0 without reading. SIGPIPE is never raised (it is blocked in
 * the calling thread during the call; its disposition is left alone).
 * *sent (may be NULL) always receives the number of bytes sent, on
 * failure too. Returns 0. Errors: -EINVAL (NULL, fd < 0, offset < 0, a
 * socket that is not SOCK_STREAM), -ESPIPE (offset > 0 on a pipe),
 * -ETIMEDOUT (one deadline for the whole call), -EAGAIN (non-blocking
 * mode, or a non-blocking pipe with nothing to read in that mode), -EPIPE,
 * -ECONNRESET, -EBADF, -ENOMEM, -errno of a failed read, ... Honours the
 * timeout as one deadline. A blocking pipe that stays empty blocks the
 * call; bytes read from a pipe but not sent when the send fails are lost,
 * as in Python. Platform: the posix platform has no sendfile(2), so a
 * regular file is read and sent too; the position then follows the
 * copy's rule (left at offset when nothing was sent), as on a Python
 * without os.sendfile.
 */
SKT_EXTERN int skt_sendfile(skt_socket *s, int fd, off_t offset,
                            size_t count, size_t *sent);

/* ------------------------------------------------------------------------ */
/* Batched datagrams                                                        */
/* ------------------------------------------------------------------------ */

/*
 * skt_sendmmsg - send up to count messages (at most 1024 per call) with
 * one sendmmsg(2). Sets msgs[i].len for each message sent. Returns how
 * many were sent (1..count): fewer when the socket's buffer filled or a
 * message failed after others had gone, in which case the next call,
 * starting at the first unsent message, reports that message's error.
 * Where the kernel lacks sendmmsg, and always on the posix platform, a
 * loop of sendmsg does the same.
 * Errors (nothing sent): -EINVAL (NULL, count 0, a malformed message),
 * -EAGAIN, -ETIMEDOUT, -EMSGSIZE, -ECONNREFUSED, -ENOMEM, -EOPNOTSUPP
 * (TLS), ... with the first message's destination in the detail. Honours
 * the timeout (it waits only while nothing has been sent).
 */
SKT_EXTERN int skt_sendmmsg(skt_socket *s, skt_msg *msgs, size_t count,
                            int flags);

/*
 * skt_recvmmsg - receive up to count messages (at most 1024 per call) with
 * one recvmmsg(2). It waits, as the socket's mode says, for the first one
 * only (MSG_WAITFORONE), then takes what is already queued. Sets len,
 * flags, addr and anc of each message received, as skt_recvmsg does
 * (MSG_CMSG_CLOEXEC, fds closed on MSG_CTRUNC). Returns how many were
 * received (1..count). Where the kernel lacks recvmmsg, and always on
 * the posix platform, a loop of recvmsg does the same. Errors (nothing
 * received): -EINVAL, -EAGAIN, -ETIMEDOUT, -ECONNREFUSED, -ENOMEM,
 * -EOPNOTSUPP (TLS), ... Honours the timeout.
 */
SKT_EXTERN int skt_recvmmsg(skt_socket *s, skt_msg *msgs, size_t count,
                            int flags);

/* ------------------------------------------------------------------------ */
/* Multicast and broadcast                                                  */
/* ------------------------------------------------------------------------ */

/*
 * skt_mcast_join, skt_mcast_leave - join or leave a multicast group
 * (IP_ADD_MEMBERSHIP/IPV6_JOIN_GROUP and their opposites). group is an
 * IPv4 or IPv6 multicast address (its port is ignored: bind the port);
 * ifindex is the interface (skt_if_nametoindex), 0 to let the kernel
 * choose by route. Returns 0. Errors: -EINVAL (NULL, not a multicast
 * address), -EAFNOSUPPORT (not an IP group), -EADDRINUSE (joined twice),
 * -EADDRNOTAVAIL (leaving a group not joined), -ENODEV, ... with the
 * group in the detail. No timeout.
 */
SKT_EXTERN int skt_mcast_join(skt_socket *s, const skt_addr *group,
                              unsigned ifindex);
SKT_EXTERN int skt_mcast_leave(skt_socket *s, const skt_addr *group,
                               unsigned ifindex);

/*
 * skt_mcast_set_ttl - the hop limit of multicast datagrams sent
 * (IP_MULTICAST_TTL or IPV6_MULTICAST_HOPS by the socket's family; 1 by
 * default, which keeps them on the local network). skt_mcast_set_loop -
 * whether they are looped back to this host's own members (on by
 * default). skt_mcast_set_interface - the interface they leave by
 * (IP_MULTICAST_IF/IPV6_MULTICAST_IF), 0 for the route's. Return 0.
 * Errors: -EINVAL (ttl outside 0..255), -EAFNOSUPPORT (not an IP socket),
 * -ENODEV, -errno of setsockopt. No timeout.
 */
SKT_EXTERN int skt_mcast_set_ttl(skt_socket *s, int ttl);
SKT_EXTERN int skt_mcast_set_loop(skt_socket *s, bool loop);
SKT_EXTERN int skt_mcast_set_interface(skt_socket *s, unsigned ifindex);

/* skt_set_broadcast - allow sending to broadcast addresses (SO_BROADCAST;
 * without it such sends fail with -EACCES). Returns 0 or -errno.
 * Errors: -EINVAL (NULL), -errno of setsockopt. Does not wait. */
SKT_EXTERN int skt_set_broadcast(skt_socket *s, bool on);

/* ======================================================================== */
/* TLS                                                                      */
/* ======================================================================== */

/*
 * TLS on OpenSSL 3, after Python's ssl module. A context (skt_tls_ctx,
 * Python's SSLContext) holds the configuration; skt_tls_wrap turns a
 * connected stream socket into a TLS socket, after which skt_send,
 * skt_recv, skt_sendall, skt_recv_exact and everything built on them move
 * plaintext through TLS unchanged, under the socket's timeout.
 *
 * Non-blocking mode: where a plain socket returns -EAGAIN, a TLS socket
 * returns SKT_EWANTREAD (call again once the fd is readable) or
 * SKT_EWANTWRITE (once it is writable), since TLS may have to read before
 * it can send and the other way round. After SKT_EWANTWRITE from a send,
 * the next send must pass the same bytes again (the buffer may move and may
 * be longer), as with Python and OpenSSL. Decrypted bytes can wait inside
 * the TLS layer where poll cannot see them: check skt_tls_pending before
 * waiting for POLLIN.
 *
 * Threads: a TLS socket must be used by one thread at a time (OpenSSL's
 * connection objects allow no more), unlike a plain one. A configured
 * context may be shared by any number of sockets and threads.
 *
 * Sends and the peer's alert: when a send (skt_send, skt_sendall and
 * what is built on them, skt_tls_shutdown_write's and skt_tls_unwrap's
 * close_notify) fails with -ECONNRESET or -EPIPE, the TLS layer first
 * reads, without waiting, what the peer sent and the fd still holds; a
 * fatal alert there is reported instead of the reset, with the code and
 * reasons a recv would give (a TLS 1.3 server that refuses the client's
 * certificate after the client's handshake has ended: SKT_ETLS_NO_CLIENT_CERT
 * for "certificate required", SKT_ETLS_UNKNOWN_CA, SKT_ETLS_CERT_VERIFY).
 * *sent still counts the bytes sent before. With nothing from the peer,
 * or with its application data first, the reset stays.
 * Differs from Python: Python's ssl reports the reset (ConnectionResetError
 * or BrokenPipeError), so the reason for the refusal is lost to a client
 * that sends first.
 *
 * Errors: certificate and protocol failures have codes of their own
 * (SKT_ETLS_*, listed with the other codes above) and skt_error_detail()
 * gives OpenSSL's reasons, e.g. "TLS handshake with 127.0.0.1:4433 (server
 * name localhost): certificate verify failed: certificate has expired
 * (depth 0, subject CN=localhost): TLS certificate has expired".
 */
typedef struct skt_tls_ctx skt_tls_ctx;

/* The side a context is for (Python's PROTOCOL_TLS_CLIENT/_SERVER). */
#define SKT_TLS_CLIENT 0
#define SKT_TLS_SERVER 1

/* Verify modes: Python's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED. */
#define SKT_TLS_CERT_NONE 0
#define SKT_TLS_CERT_OPTIONAL 1
#define SKT_TLS_CERT_REQUIRED 2

/* Protocol versions, with their numbers on the wire (Python's
 * TLSVersion). SKT_TLS_VERSION_ANY removes the bound. */
#define SKT_TLS_VERSION_ANY 0
#define SKT_TLS_VERSION_1_0 0x0301
#define SKT_TLS_VERSION_1_1 0x0302
#define SKT_TLS_VERSION_1_2 0x0303
#define SKT_TLS_VERSION_1_3 0x0304

/*
 * skt_tls_ctx_new - a context for one side, with secure defaults. Both
 * sides: TLS 1.2 minimum, no compression, no renegotiation, OpenSSL's
 * default ciphers. Client: verify mode SKT_TLS_CERT_REQUIRED, hostname
 * checking on, the system trust store loaded (OpenSSL's default paths,
 * which SSL_CERT_FILE and SSL_CERT_DIR override). Server: verify mode
 * SKT_TLS_CERT_NONE (no client certificate asked for), no hostname
 * checking; it needs skt_tls_ctx_load_cert_chain before use.
 * Returns 0 and *out, to free with skt_tls_ctx_free. Errors: -EINVAL (bad
 * side), -ENOMEM, SKT_ETLS_CONFIG.
 * Does not wait.
 */
SKT_EXTERN int skt_tls_ctx_new(skt_tls_ctx **out, int side);

/*
 * skt_tls_create_default_context - Python's ssl.create_default_context(
 * purpose, cafile=, capath=, cadata=): a context as skt_tls_ctx_new makes
 * for side (SKT_TLS_CLIENT for Purpose.SERVER_AUTH, SKT_TLS_SERVER for
 * Purpose.CLIENT_AUTH), except that when any of cafile, capath and cadata
 * is given (as in skt_tls_ctx_load_verify_locations), those certificates
 * are trusted instead of the system trust store, which is then not read at
 * all. With all three NULL it is skt_tls_ctx_new. Returns 0 and *out.
 * Errors: those of skt_tls_ctx_new and skt_tls_ctx_load_verify_locations;
 * *out is NULL on an error. No timeout. Differs from Python: SSLKEYLOGFILE
 * is not read here; skt_tls_ctx_keylog_from_env does that on request.
 */
SKT_EXTERN int skt_tls_create_default_context(skt_tls_ctx **out, int side,
                                              const char *cafile,
                                              const char *capath,
                                              const char *cadata);

/*
 * skt_tls_ctx_free - release the caller's hold on a context. Sockets
 * wrapped with it keep what they need until they are closed or unwrapped,
 * so it may be freed at once after wrapping. NULL is a no-op.
 * No I/O.
 */
SKT_EXTERN void skt_tls_ctx_free(skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_load_verify_locations - trust the CA certificates in a PEM
 * file, in a directory prepared with `openssl rehash`, and/or in PEM text
 * in memory (cadata, NUL-terminated, one or more certificates). Any of the
 * three may be NULL, not all. On a client they verify servers; on a server
 * they verify client certificates. Returns 0. Errors: -EINVAL, -ENOENT,
 * -ENOTDIR, -EACCES (with the path in the detail), SKT_ETLS_CONFIG (no
 * certificate found, or malformed PEM).
 * Does not wait.
 */
SKT_EXTERN int skt_tls_ctx_load_verify_locations(skt_tls_ctx *ctx,
                                                 const char *cafile,
                                                 const char *capath,
                                                 const char *cadata);

/*
 * skt_tls_ctx_load_default_certs - trust the system store (already done
 * for client contexts). Returns 0. Errors: -EINVAL, SKT_ETLS_CONFIG.
 * Does not wait.
 */
SKT_EXTERN int skt_tls_ctx_load_default_certs(skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_load_cert_chain - this side's certificate chain (PEM: the
 * certificate first, then its intermediates) and private key. keyfile NULL
 * means the key is in certfile. password (NULL for none) decrypts an
 * encrypted key; without one, an encrypted key is refused: nothing ever
 * prompts on a terminal. Returns 0. Errors: -EINVAL, -ENOENT, -EACCES,
 * SKT_ETLS_CONFIG (malformed PEM, wrong or missing password, a key that
 * does not match the certificate).
 * Does not wait: the files are read at once.
 */
SKT_EXTERN int skt_tls_ctx_load_cert_chain(skt_tls_ctx *ctx,
                                           const char *certfile,
                                           const char *keyfile,
                                           const char *password);

/*
 * skt_tls_ctx_set_ciphers - the OpenSSL cipher list for TLS 1.2 and below
 * (e.g. "ECDHE+AESGCM"); TLS 1.3 suites, all AEAD, keep OpenSSL's
 * defaults, as in Python. Returns 0. Errors: -EINVAL, SKT_ETLS_CONFIG (no
 * cipher matches).
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_ciphers(skt_tls_ctx *ctx, const char *ciphers);

/*
 * skt_tls_ctx_set_alpn_protocols - the ALPN protocols, most preferred
 * first, as a NULL-terminated array (e.g. {"h2", "http/1.1", NULL}); NULL
 * or an empty array turns ALPN off. A client offers them; a server picks
 * the first of its own that the client offers, and selects none (without
 * failing) when there is no overlap, as Python does. Returns 0. Errors:
 * -EINVAL (a name empty or over 255 bytes), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_alpn_protocols(skt_tls_ctx *ctx,
                                              const char *const *protocols);

/*
 * skt_tls_ctx_set_minimum_version, skt_tls_ctx_set_maximum_version - bound
 * the protocol versions: SKT_TLS_VERSION_1_0 ... _1_3, or
 * SKT_TLS_VERSION_ANY for no bound. Versions OpenSSL's security level
 * forbids stay forbidden. Returns 0. Errors: -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_minimum_version(skt_tls_ctx *ctx, int version);
SKT_EXTERN int skt_tls_ctx_set_maximum_version(skt_tls_ctx *ctx, int version);

/*
 * skt_tls_ctx_get_minimum_version, skt_tls_ctx_get_maximum_version - the
 * bounds (Python's minimum_version, maximum_version): an
 * SKT_TLS_VERSION_* value, SKT_TLS_VERSION_ANY for none; -EINVAL for NULL.
 * A new context's minimum is SKT_TLS_VERSION_1_2, its maximum ANY.
 * Returns the bound. Errors: -EINVAL (NULL). No I/O.
 */
SKT_EXTERN int skt_tls_ctx_get_minimum_version(const skt_tls_ctx *ctx);
SKT_EXTERN int skt_tls_ctx_get_maximum_version(const skt_tls_ctx *ctx);

/*
 * Options (Python's SSLContext.options, the OP_* flags), as bits of
 * skt's own. A new context has NO_COMPRESSION, NO_RENEGOTIATION and
 * IGNORE_UNEXPECTED_EOF (a peer's close without close_notify reads as an
 * end of file, as Python's suppress_ragged_eofs), and OpenSSL's
 * ENABLE_MIDDLEBOX_COMPAT. Differs from Python: Python's new context has
 * CIPHER_SERVER_PREFERENCE and neither NO_RENEGOTIATION nor
 * IGNORE_UNEXPECTED_EOF (renegotiation is refused, and a ragged end read
 * as an end of file, by the options rather than by the socket).
 */
#define SKT_TLS_OP_NO_COMPRESSION (1u << 0)
/* No TLS 1.2 session tickets: a server resumes TLS 1.2 by session ID
 * (TLS 1.3 tickets are then kept on the server, single-use). */
#define SKT_TLS_OP_NO_TICKET (1u << 1)
#define SKT_TLS_OP_NO_RENEGOTIATION (1u << 2)
#define SKT_TLS_OP_CIPHER_SERVER_PREFERENCE (1u << 3)
#define SKT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT (1u << 4)
#define SKT_TLS_OP_IGNORE_UNEXPECTED_EOF (1u << 5)
#define SKT_TLS_OP_PRIORITIZE_CHACHA (1u << 6)

/*
 * skt_tls_ctx_set_options - make options exactly the set given (as
 * assigning Python's options does; read, add bits, set to add one).
 * Returns 0. Errors: -EINVAL (NULL, a bit that is not SKT_TLS_OP_*).
 * skt_tls_ctx_get_options - the options in force; 0 for NULL.
 * skt_tls_ctx_get_options returns the SKT_TLS_OP_* bits. No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_options(skt_tls_ctx *ctx, uint64_t options);
SKT_EXTERN uint64_t skt_tls_ctx_get_options(const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_set_security_level - OpenSSL's security level, 0..5 (1 by
 * default on Debian: at least 80 bits of security; 2: 112 bits, no
 * SHA-1 signatures; ...), which also bounds keys, certificates and
 * versions. Python shows it as security_level and sets it through the
 * cipher string ("@SECLEVEL=2"), which works here too. Returns 0. Errors:
 * -EINVAL. skt_tls_ctx_get_security_level - the level; -EINVAL for NULL.
 * skt_tls_ctx_get_security_level returns the level. No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_security_level(skt_tls_ctx *ctx, int level);
SKT_EXTERN int skt_tls_ctx_get_security_level(const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_set_verify_mode - SKT_TLS_CERT_NONE (do not fail on the
 * peer's certificate), SKT_TLS_CERT_OPTIONAL (a server asks for a client
 * certificate and verifies one if sent; a client behaves as with
 * REQUIRED) or SKT_TLS_CERT_REQUIRED (the peer must present a certificate
 * that verifies; on a server this is mutual TLS). As in Python, NONE is
 * refused while hostname checking is on. Returns 0. Errors: -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_verify_mode(skt_tls_ctx *ctx, int mode);
/* skt_tls_ctx_get_verify_mode - the mode, or -EINVAL for NULL.
 * Returns the mode. Errors: -EINVAL (NULL). No I/O. */
SKT_EXTERN int skt_tls_ctx_get_verify_mode(const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_set_check_hostname - whether a client checks that the
 * server's certificate is valid for the server_hostname given to
 * skt_tls_wrap (a DNS name, or an IP address matched against IP entries).
 * Independent of SNI, which is sent whenever a name is given. As in
 * Python, turning it on while the verify mode is NONE sets REQUIRED.
 * Returns 0. Errors: -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_check_hostname(skt_tls_ctx *ctx, bool check);
/* skt_tls_ctx_get_check_hostname - the setting; false for NULL.
 * Returns the setting. Errors: none. No I/O. */
SKT_EXTERN bool skt_tls_ctx_get_check_hostname(const skt_tls_ctx *ctx);

/*
 * skt_tls_wrap - make s, a connected stream socket, a TLS socket and run
 * the handshake (Python's wrap_socket). server_hostname (client side; may
 * be NULL when hostname checking is off) is sent as SNI unless it is an IP
 * address (RFC 6066), and is what the certificate is checked against. The
 * handshake honours the socket's timeout as one deadline. Blocking and
 * timeout modes return when it is done. In non-blocking mode the TLS layer
 * is installed and the first step made: SKT_EWANTREAD or SKT_EWANTWRITE
 * then mean "in progress" (not failure), and skt_tls_handshake goes on
 * with it when the fd is ready.
 * Returns 0. Errors: -EINVAL (NULL, already wrapped, a context for the
 * other side, hostname checking without server_hostname, a server_hostname
 * on the server side), -EOPNOTSUPP (not a stream socket), -ENOMEM, and
 * from the handshake: -ETIMEDOUT, SKT_ETLS_* (the reason in the detail),
 * -ECONNRESET, -EPIPE. Argument errors leave s unchanged; after a failed
 * handshake the TLS layer stays, failed, so that no plaintext can follow
 * by mistake: every later operation returns the same code, and only
 * skt_close (or skt_tls_unwrap, which just removes it) is left to do.
 * Honours the timeout.
 */
SKT_EXTERN int skt_tls_wrap(skt_socket *s, skt_tls_ctx *ctx,
                            const char *server_hostname, bool server_side);

typedef struct skt_tls_session skt_tls_session; /* see "Sessions" below */

/*
 * Options of skt_tls_wrap_socket (Python's wrap_socket arguments). All
 * zero (or a NULL pointer) means what skt_tls_wrap does with no hostname
 * on the client side.
 */
typedef struct skt_tls_wrap_opts {
    /* As skt_tls_wrap's: the client's SNI and name to verify. */
    const char *server_hostname;
    /* Wrap for the server side (the context must be a server's). */
    bool server_side;
    /* Install TLS only; the handshake is left to skt_tls_handshake or to
     * the first send or recv (Python's do_handshake_on_connect=False). */
    bool defer_handshake;
    /* A client's session to resume (Python's session argument), from
     * skt_tls_get_session on an earlier connection of the same context;
     * NULL for none. The server may refuse it: the handshake is then a
     * full one. Only read during this call. */
    const skt_tls_session *session;
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
} skt_tls_wrap_opts;

/*
 * skt_tls_wrap_socket - skt_tls_wrap with Python's wrap_socket arguments:
 * the session to offer, and the handshake deferred if asked. Returns 0
 * (with defer_handshake: the layer installed, no byte exchanged). Errors
 * as skt_tls_wrap, plus -EINVAL (a reserved field not zero, a session on
 * the server side or made under another context). Honours the timeout,
 * as skt_tls_wrap.
 */
SKT_EXTERN int skt_tls_wrap_socket(skt_socket *s, skt_tls_ctx *ctx,
                                   const skt_tls_wrap_opts *opts);

/*
 * skt_tls_handshake - run or continue the handshake (Python's
 * do_handshake). 0 at once if it is already done. Errors as skt_tls_wrap,
 * plus -EINVAL (not a TLS socket); in non-blocking mode SKT_EWANTREAD and
 * SKT_EWANTWRITE say what to wait for. Honours the timeout (one deadline).
 * Returns 0 once the handshake is done.
 */
SKT_EXTERN int skt_tls_handshake(skt_socket *s);

/*
 * skt_tls_unwrap - end TLS and leave s a plain socket (Python's unwrap):
 * sends close_notify, then reads until the peer's close_notify or end of
 * file (data that crossed it is dropped), so that plaintext can follow on
 * the same connection. A TLS layer whose handshake failed or never
 * finished is removed without a word to the peer. Returns 0. Errors:
 * -EINVAL (not a TLS socket), -ETIMEDOUT (one deadline), SKT_EWANTREAD or
 * SKT_EWANTWRITE (non-blocking: call again when ready), -ECONNRESET,
 * SKT_ETLS_PROTOCOL; the layer stays on failure. Honours the timeout.
 *
 * skt_close on a TLS socket ends the session without waiting for the
 * peer, so that a peer reading to the end gets every byte and a clean
 * close, whatever the peer: it first reads and processes what the peer
 * sent unasked and the fd already holds (TLS 1.3 session tickets and key
 * updates, the peer's close_notify), at most one record's worth (16 KiB),
 * so that a peer that keeps sending cannot hold it; then it sends
 * close_notify, in one attempt that never blocks. When the application
 * left data unread (decrypted bytes not taken, or application data among
 * the records read), it sends no close_notify and resets the connection,
 * as the kernel resets a plain TCP connection closed with data unread: the
 * peer learns that what it sent was not read. Differs from Python: Python's
 * close sends no close_notify and reads nothing, so the unread tickets of
 * TLS 1.3 make the kernel reset the connection, and the peer can lose the
 * last data sent.
 */
SKT_EXTERN int skt_tls_unwrap(skt_socket *s);

/*
 * skt_tls_shutdown_write - the TLS half-close: sends close_notify (the end
 * of this side's data), then shuts the socket's write side down
 * (shutdown(SHUT_WR)), and leaves reading as it is: skt_recv goes on
 * returning the peer's data until its close_notify or end of file (0). A
 * TLS 1.3 peer may go on sending after it (RFC 8446, 6.1); a TLS 1.2 peer
 * may answer with its own close_notify at once. Later sends fail with
 * -EPIPE. Returns 0 (also when close_notify had gone out before, or the
 * peer has closed the connection already).
 * Errors: -EINVAL (not a TLS socket), -ENOTCONN (the handshake is not
 * done), -ETIMEDOUT (one deadline), SKT_EWANTWRITE or SKT_EWANTREAD
 * (non-blocking: call again when ready), -EPIPE, -ECONNRESET (or, in
 * their place, the SKT_ETLS_* code of an alert the peer sent before its
 * reset, as for sends; see the top of this section), and the code of an
 * earlier failure. Honours the timeout. Differs from Python:
 * SSLSocket.shutdown drops TLS and shuts down the socket without a
 * close_notify, which OpenSSL peers report as a truncation.
 */
SKT_EXTERN int skt_tls_shutdown_write(skt_socket *s);

/*
 * skt_tls_pending - the decrypted bytes that skt_recv can return without
 * reading the fd (Python's pending). A select loop must not wait for
 * POLLIN while this is > 0. 0 for a plain socket or NULL.
 * Returns the count. Errors: none. No I/O.
 */
SKT_EXTERN size_t skt_tls_pending(const skt_socket *s);

/*
 * Connection information, once the handshake is done; before that, and
 * for a plain socket or NULL, the strings are NULL. The strings stay valid
 * until the socket is closed or unwrapped.
 * skt_tls_version - "TLSv1.2", "TLSv1.3" (Python's version()).
 * skt_tls_cipher - the cipher's OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384".
 * skt_tls_selected_alpn_protocol - the protocol both sides agreed on, or
 * NULL when none was.
 * skt_tls_server_hostname - on a client, the server_hostname given to
 * skt_tls_wrap; on a server, the name the client sent as SNI (or NULL).
 * Available once the peer's hello has arrived.
 * Each returns its string or NULL, as above. Errors: none. No I/O.
 */
SKT_EXTERN const char *skt_tls_version(const skt_socket *s);
SKT_EXTERN const char *skt_tls_cipher(const skt_socket *s);
SKT_EXTERN const char *skt_tls_selected_alpn_protocol(const skt_socket *s);
SKT_EXTERN const char *skt_tls_server_hostname(const skt_socket *s);

/*
 * skt_tls_verify_result - the outcome of verifying the peer's certificate:
 * 0 when it verified (or when the peer presented none), else the
 * SKT_ETLS_* code of the failure, also under SKT_TLS_CERT_NONE, where the
 * failure did not stop the handshake. *reason (may be NULL) receives
 * OpenSSL's static text ("ok", "certificate has expired"). Errors: -EINVAL
 * (not a TLS socket).
 * Returns that code (0 or SKT_ETLS_*). No I/O.
 */
SKT_EXTERN int skt_tls_verify_result(const skt_socket *s,
                                     const char **reason);

/*
 * skt_tls_match_hostname - whether the peer's certificate is valid for
 * hostname, by the rules the handshake's own check uses (OpenSSL's
 * X509_check_host and X509_check_ip_asc): an address against the
 * certificate's IP names, a name against its DNS names, a wildcard only
 * as the whole first label, and the subject's common name when the
 * certificate has no DNS names and the context's
 * hostname_checks_common_name is on. For a program that turned the check
 * off (check_hostname false, SKT_TLS_CERT_NONE) and wants to know what it
 * would have found, as `skt --insecure -v` does; Python 3.7-3.11's
 * ssl.match_hostname(cert, hostname). Returns 0 when it matches. Errors:
 * SKT_ETLS_HOSTNAME (it does not, with a detail naming hostname),
 * -ENOENT (the peer presented no certificate), -EINVAL (NULL, not a TLS
 * socket, an empty hostname), -ENOMEM. No I/O.
 */
SKT_EXTERN int skt_tls_match_hostname(const skt_socket *s,
                                      const char *hostname);

/*
 * skt_tls_cert - a certificate (Python's getpeercert), as text and as
 * DER. Names are in RFC 2253 form ("CN=localhost,O=skt"). Alternative
 * names read "DNS:example.com", "IP:127.0.0.1", "IP:::1", "email:a@b",
 * "URI:https://x" and end with NULL. Times are Unix seconds (UTC). der
 * holds der_len bytes, the certificate as it came (Python's
 * getpeercert(binary_form=True)). Always made by the library, which may
 * add fields at the end.
 */
typedef struct skt_tls_cert {
    char *subject;
    char *issuer;
    char **subject_alt_names;
    int64_t not_before;
    int64_t not_after;
    char *serial_number; /* upper-case hex, as Python */
    unsigned char *der;
    size_t der_len;
} skt_tls_cert;

/*
 * skt_tls_getpeercert - the peer's certificate, whether or not it verified
 * (see skt_tls_verify_result). Returns 0 and *out, to free with
 * skt_tls_freecert. Errors: -EINVAL (not a TLS socket), -ENOENT (the peer
 * presented none, or the handshake has not got that far), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_getpeercert(const skt_socket *s, skt_tls_cert **out);
/* skt_tls_freecert - free a certificate; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_tls_freecert(skt_tls_cert *cert);
/* skt_tls_freecerts - free a NULL-terminated list of certificates and the
 * list; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_tls_freecerts(skt_tls_cert **list);

/*
 * Sessions and resumption (Python's SSLSession, SSLSocket.session and
 * session_reused). A client keeps the session of a connection and offers
 * it on the next one to the same server (skt_tls_wrap_socket's session,
 * or skt_tls_set_session before the handshake); when the server accepts
 * it, the handshake is shorter: no certificate is sent or verified again.
 * TLS 1.3 resumes with the tickets a server sends after the handshake
 * (skt_tls_ctx_set_num_tickets, 2 by default), TLS 1.2 with a ticket or
 * with the session ID that the server keeps in its cache
 * (SKT_TLS_OP_NO_TICKET on the server: IDs only). A session may only be
 * offered under the context it was made under, as in Python. A TLS 1.3
 * session resumes one connection: offering it spends its ticket (it is
 * no longer resumable afterwards), and the resumed connection receives
 * new tickets, so take the next session from that connection.
 */

/*
 * skt_tls_get_session - the current session of s, either side (Python's
 * SSLSocket.session). A TLS 1.3 client's session is resumable only once a
 * ticket has come, after the handshake: this call first reads, without
 * waiting, the tickets that have already arrived (any application data
 * that comes with them stays readable), so that after one exchange of
 * data the session is the newest ticket's. Returns 0 and *out, to free
 * with skt_tls_session_free (it outlives the socket). Errors: -EINVAL
 * (NULL, not a TLS socket), -ENOTCONN (the handshake is not done),
 * -ENOENT, -ENOMEM. Never waits.
 */
SKT_EXTERN int skt_tls_get_session(skt_socket *s, skt_tls_session **out);

/*
 * skt_tls_set_session - offer session on the coming handshake of a
 * client TLS socket (Python's session setter): after skt_tls_wrap_socket
 * with defer_handshake, before the handshake starts. Returns 0. Errors:
 * -EINVAL (NULL, not a TLS socket, the server side, the handshake begun,
 * a session of another context). No I/O.
 */
SKT_EXTERN int skt_tls_set_session(skt_socket *s,
                                   const skt_tls_session *session);

/*
 * skt_tls_session_reused - whether the handshake of s resumed a session
 * (Python's session_reused), on either side; false for a plain socket or
 * NULL.
 * Returns the flag. Errors: none. No I/O.
 */
SKT_EXTERN bool skt_tls_session_reused(const skt_socket *s);

/* skt_tls_session_free - free a session; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_tls_session_free(skt_tls_session *session);

/*
 * A session's attributes (Python's SSLSession); 0, NULL or false for NULL.
 * skt_tls_session_id - the session ID, *len bytes (up to 32; len may be
 *   NULL), valid while the session is.
 * skt_tls_session_time - when it was made, in Unix seconds.
 * skt_tls_session_timeout - its lifetime in seconds, from its time.
 * skt_tls_session_ticket_lifetime_hint - the server's hint for its ticket,
 *   in seconds (0 without a ticket).
 * skt_tls_session_has_ticket - whether it carries a ticket.
 * skt_tls_session_is_resumable - whether offering it can resume (false
 *   for a TLS 1.3 session before its ticket came); not in Python.
 * Each returns its attribute, as above. Errors: none. No I/O.
 */
SKT_EXTERN const unsigned char *skt_tls_session_id(
    const skt_tls_session *session, size_t *len);
SKT_EXTERN int64_t skt_tls_session_time(const skt_tls_session *session);
SKT_EXTERN int64_t skt_tls_session_timeout(const skt_tls_session *session);
SKT_EXTERN unsigned long skt_tls_session_ticket_lifetime_hint(
    const skt_tls_session *session);
SKT_EXTERN bool skt_tls_session_has_ticket(const skt_tls_session *session);
SKT_EXTERN bool skt_tls_session_is_resumable(const skt_tls_session *session);

/*
 * skt_tls_session_cache - a client's sessions keyed by host and port, for
 * skt_create_connection (skt_connect_opts.tls_sessions), which offers the
 * one it holds for the host and port asked for and files there the
 * sessions the server sends, TLS 1.3 tickets included, even those that
 * arrive while the socket closes. It holds one session per key, the
 * newest, and forgets the least recently used key when full. A TLS 1.3
 * session is handed out once (a ticket is for one connection, RFC 8446
 * C.4; the server sends new ones each time); a TLS 1.2 session stays.
 * Sessions of one context are never offered under another. Safe to share
 * between threads; sockets keep what they need, so it may be freed while
 * they are open. Not in Python, which has no client-side cache.
 */
typedef struct skt_tls_session_cache skt_tls_session_cache;

/* The capacity of skt_tls_session_cache_new(&cache, 0). */
#define SKT_TLS_SESSION_CACHE_DEFAULT 100

/*
 * skt_tls_session_cache_new - an empty cache of capacity keys (0 for
 * SKT_TLS_SESSION_CACHE_DEFAULT). Returns 0 and *out, to free with
 * skt_tls_session_cache_free (NULL is a no-op). Errors: -EINVAL (NULL,
 * capacity over 1000000), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_session_cache_new(skt_tls_session_cache **out,
                                         size_t capacity);
SKT_EXTERN void skt_tls_session_cache_free(skt_tls_session_cache *cache);

/*
 * skt_tls_session_cache_put - file session under host and port (a copy;
 * the caller keeps its own), replacing what was there.
 * skt_tls_session_cache_get - the session filed under host and port for
 * ctx, to free with skt_tls_session_free; a TLS 1.3 one leaves the cache.
 * Both return 0. Errors: -EINVAL (NULL), -ENOMEM; get: -ENOENT (none).
 * No I/O.
 */
SKT_EXTERN int skt_tls_session_cache_put(skt_tls_session_cache *cache,
                                         const char *host, const char *port,
                                         const skt_tls_session *session);
SKT_EXTERN int skt_tls_session_cache_get(skt_tls_session_cache *cache,
                                         skt_tls_ctx *ctx, const char *host,
                                         const char *port,
                                         skt_tls_session **out);

/*
 * skt_tls_ctx_set_num_tickets - how many TLS 1.3 tickets a server sends
 * after each handshake (Python's num_tickets; 2 by default; 0 for none,
 * which turns TLS 1.3 resumption off). Returns 0. Errors: -EINVAL (NULL,
 * a client context, over 1000). skt_tls_ctx_get_num_tickets - the count;
 * -EINVAL for NULL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_num_tickets(skt_tls_ctx *ctx, size_t count);
SKT_EXTERN int skt_tls_ctx_get_num_tickets(const skt_tls_ctx *ctx);

/*
 * skt_tls_session_stats - the counters of a context (Python's
 * session_stats() dictionary, same names): handshakes started and
 * completed as a client (connect, connect_good) and as a server (accept,
 * accept_good), renegotiations (always 0: skt turns them off), handshakes
 * that resumed a session (hits, on either side), a server's look-ups of a
 * session ID that failed (misses) or found it expired (timeouts), the
 * sessions in a server's cache of TLS 1.2 session IDs (number) and those
 * it had to drop (cache_full).
 */
typedef struct skt_tls_session_stats {
    long number;
    long connect;
    long connect_good;
    long connect_renegotiate;
    long accept;
    long accept_good;
    long accept_renegotiate;
    long hits;
    long misses;
    long timeouts;
    long cache_full;
} skt_tls_session_stats;

/* skt_tls_ctx_session_stats - the counters into *out. Returns 0. Errors:
 * -EINVAL (NULL).
 * No I/O. */
SKT_EXTERN int skt_tls_ctx_session_stats(const skt_tls_ctx *ctx,
                                         skt_tls_session_stats *out);

/*
 * The server name callback (Python's SSLContext.sni_callback): one server
 * serving several certificates, chosen by the name the client sends
 * (SNI). Alerts a callback may answer with, to refuse the hello (Python's
 * ALERT_DESCRIPTION_*; TLS numbers):
 */
#define SKT_TLS_ALERT_HANDSHAKE_FAILURE 40
#define SKT_TLS_ALERT_ACCESS_DENIED 49
#define SKT_TLS_ALERT_INTERNAL_ERROR 80
#define SKT_TLS_ALERT_UNRECOGNIZED_NAME 112

/*
 * skt_tls_sni_callback - called on a server during the handshake, once
 * the client's hello has come, with s (the socket being handshaken; NULL
 * for an skt_tls_obj), the name the client sent (NULL when it sent none,
 * e.g. when it connected by IP address), *context (the context s was
 * wrapped with) and arg. It returns 0 to go on, with *context left alone
 * or set to another server context whose certificate, key and verify
 * mode then serve this connection (Python's assignment to
 * SSLSocket.context); or a TLS alert (SKT_TLS_ALERT_*) to refuse the
 * hello: the client receives the alert and both handshakes fail. A
 * negative return refuses with SKT_TLS_ALERT_INTERNAL_ERROR (Python's
 * callback raising). It runs in the thread of the handshake and must not
 * use s for I/O.
 */
typedef int (*skt_tls_sni_callback)(skt_socket *s, const char *server_name,
                                    skt_tls_ctx **context, void *arg);

/*
 * skt_tls_ctx_set_sni_callback - install cb with arg on a server context
 * (NULL removes it). The contexts it chooses need their own certificate
 * chains; sessions, tickets and statistics stay those of the context
 * wrapped with, as in Python. Returns 0. Errors: -EINVAL (NULL, a client
 * context, as Python's ValueError). A refused handshake fails on the
 * server with SKT_ETLS_HANDSHAKE, the detail naming the name and the
 * alert, and on the client with SKT_ETLS_HANDSHAKE, the detail giving the
 * alert ("tlsv1 unrecognized name").
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_sni_callback(skt_tls_ctx *ctx,
                                            skt_tls_sni_callback cb,
                                            void *arg);

/*
 * skt_tls_get_context - the context serving s (Python's SSLSocket.context
 * getter): the one chosen by the server name callback, else the one s was
 * wrapped with. NULL for a plain socket or NULL. Valid while s is a TLS
 * socket.
 * Returns the context, or NULL. Errors: none. No I/O.
 */
SKT_EXTERN skt_tls_ctx *skt_tls_get_context(const skt_socket *s);

/*
 * TLS without a socket (Python's SSLObject with its incoming and outgoing
 * MemoryBIO, from SSLContext.wrap_bio): an skt_tls_obj runs a TLS
 * connection over two memory buffers, for an event loop or a program that
 * owns its I/O. The application feeds it the bytes that came from the
 * peer (skt_tls_obj_feed; Python's incoming.write) and takes the bytes to
 * send to the peer (skt_tls_obj_take; outgoing.read) after every call.
 * Calls never wait and have no timeout: where a socket would wait for
 * data, they return SKT_EWANTREAD, which means "take and send what
 * skt_tls_obj_pending_out shows, feed what arrives, then call again".
 * Failures are those of a TLS socket (SKT_ETLS_*, with the detail), and,
 * as on a socket, a failed object returns the same code from every later
 * call. One thread at a time per object.
 */
typedef struct skt_tls_obj skt_tls_obj;

/*
 * skt_tls_obj_new - a memory object for ctx (Python's wrap_bio), with
 * opts as skt_tls_wrap_socket's (server_side, server_hostname, session;
 * defer_handshake has no effect: the handshake always waits for the first
 * call). NULL opts: a client without a name, which hostname checking
 * refuses. Returns 0 and *out, to free with skt_tls_obj_free (NULL is a
 * no-op; it sends nothing). Errors: -EINVAL (NULL, a context for the other
 * side, hostname checking without server_hostname, a reserved field not
 * zero, a session of another context), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_obj_new(skt_tls_obj **out, skt_tls_ctx *ctx,
                               const skt_tls_wrap_opts *opts);
SKT_EXTERN void skt_tls_obj_free(skt_tls_obj *obj);

/*
 * skt_tls_obj_feed - append len bytes from the peer to the incoming buffer
 * (a copy). Returns 0. Errors: -EINVAL, -ENOMEM, -EPIPE (after
 * skt_tls_obj_feed_eof).
 * skt_tls_obj_feed_eof - the transport from the peer has ended (Python's
 * incoming.write_eof): once the fed bytes are used, reading finds an end
 * of file (a clean one after the peer's close_notify; during a handshake,
 * SKT_ETLS_HANDSHAKE). Returns 0. Errors: -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_obj_feed(skt_tls_obj *obj, const void *data,
                                size_t len);
SKT_EXTERN int skt_tls_obj_feed_eof(skt_tls_obj *obj);

/*
 * skt_tls_obj_take - move up to len bytes for the peer out of the
 * outgoing buffer into buf. Returns the count, 0 when it is empty.
 * Errors: -EINVAL.
 * skt_tls_obj_pending_out - the bytes waiting there (Python's
 * outgoing.pending); 0 for NULL.
 * skt_tls_obj_pending - the decrypted bytes skt_tls_obj_read can return
 * without more input (Python's SSLObject.pending); 0 for NULL.
 * skt_tls_obj_pending_out and skt_tls_obj_pending return the count. No I/O.
 */
SKT_EXTERN ssize_t skt_tls_obj_take(skt_tls_obj *obj, void *buf, size_t len);
SKT_EXTERN size_t skt_tls_obj_pending_out(const skt_tls_obj *obj);
SKT_EXTERN size_t skt_tls_obj_pending(const skt_tls_obj *obj);

/*
 * skt_tls_obj_handshake - run the handshake as far as the fed bytes allow
 * (Python's do_handshake). Returns 0 once it is done. Errors:
 * SKT_EWANTREAD (in progress: send what is pending out, feed the answer,
 * call again), SKT_ETLS_* (the reason in the detail), -EINVAL. Never
 * waits.
 */
SKT_EXTERN int skt_tls_obj_handshake(skt_tls_obj *obj);

/*
 * skt_tls_obj_read - up to len bytes of plaintext (Python's
 * SSLObject.read), running the handshake first if it is not done. Returns
 * the count (> 0), or 0 at the end of the stream (the peer's close_notify,
 * or an end of file fed after the handshake). Errors: SKT_EWANTREAD (feed
 * more), SKT_ETLS_*, -EINVAL. Never waits. Differs from Python: the end of
 * the stream is 0, as from skt_recv, where Python raises
 * SSLZeroReturnError.
 */
SKT_EXTERN ssize_t skt_tls_obj_read(skt_tls_obj *obj, void *buf, size_t len);

/*
 * skt_tls_obj_write - encrypt len bytes for the peer (Python's
 * SSLObject.write); the records go to the outgoing buffer, which has no
 * limit, so once the handshake is done every byte is taken. Returns the
 * count. Errors: SKT_EWANTREAD (the handshake needs the peer: call again
 * with the same bytes), -EPIPE (after unwrap's close_notify), SKT_ETLS_*,
 * -EINVAL. Never waits.
 */
SKT_EXTERN ssize_t skt_tls_obj_write(skt_tls_obj *obj, const void *buf,
                                     size_t len);

/*
 * skt_tls_obj_unwrap - end TLS (Python's SSLObject.unwrap): the first call
 * puts close_notify in the outgoing buffer; the object then reads until
 * the peer's close_notify, dropping data that crossed it. Returns 0 once
 * the peer's has come (or an end of file was fed). Errors: SKT_EWANTREAD
 * (feed the peer's answer, call again), -ENOTCONN (no handshake yet),
 * SKT_ETLS_*, -EINVAL. Never waits.
 */
SKT_EXTERN int skt_tls_obj_unwrap(skt_tls_obj *obj);

/*
 * Information, as for a TLS socket: the same meaning, values and
 * lifetimes as skt_tls_version, skt_tls_cipher,
 * skt_tls_selected_alpn_protocol, skt_tls_server_hostname,
 * skt_tls_verify_result, skt_tls_getpeercert, skt_tls_get_session and
 * skt_tls_session_reused (Python's SSLObject has the same methods as
 * SSLSocket). skt_tls_obj_server_side - whether obj is a server's
 * (Python's server_side).
 * Each returns what its socket counterpart returns; for a NULL obj the strings
 * are NULL, the bools false, and the others -EINVAL. Errors: those of the
 * counterparts (-ENOENT, -ENOTCONN, -ENOMEM), and -EINVAL for NULL. Never
 * waits.
 */
SKT_EXTERN const char *skt_tls_obj_version(const skt_tls_obj *obj);
SKT_EXTERN const char *skt_tls_obj_cipher(const skt_tls_obj *obj);
SKT_EXTERN const char *skt_tls_obj_selected_alpn_protocol(
    const skt_tls_obj *obj);
SKT_EXTERN const char *skt_tls_obj_server_hostname(const skt_tls_obj *obj);
SKT_EXTERN int skt_tls_obj_verify_result(const skt_tls_obj *obj,
                                         const char **reason);
SKT_EXTERN int skt_tls_obj_getpeercert(const skt_tls_obj *obj,
                                       skt_tls_cert **out);
SKT_EXTERN int skt_tls_obj_get_session(skt_tls_obj *obj,
                                       skt_tls_session **out);
SKT_EXTERN bool skt_tls_obj_session_reused(const skt_tls_obj *obj);
SKT_EXTERN bool skt_tls_obj_server_side(const skt_tls_obj *obj);

/*
 * Verification controls (Python's verify_flags, VERIFY_*). CRLs are
 * loaded with skt_tls_ctx_load_verify_locations: a PEM file may hold CRLs
 * as well as certificates, as in Python. A new context has
 * SKT_TLS_VERIFY_X509_TRUSTED_FIRST (OpenSSL's default; trusted
 * certificates are always tried first).
 */
#define SKT_TLS_VERIFY_DEFAULT 0u
/* Check the peer's certificate against the CRL of its issuer, which must
 * be loaded (else "unable to get certificate CRL"). */
#define SKT_TLS_VERIFY_CRL_CHECK_LEAF (1u << 0)
/* Check every certificate of the chain against a CRL. */
#define SKT_TLS_VERIFY_CRL_CHECK_CHAIN (1u << 1)
/* Refuse certificates that break the X.509 rules OpenSSL otherwise
 * forgives. */
#define SKT_TLS_VERIFY_X509_STRICT (1u << 2)
#define SKT_TLS_VERIFY_ALLOW_PROXY_CERTS (1u << 3)
#define SKT_TLS_VERIFY_X509_TRUSTED_FIRST (1u << 4)
/* Accept a chain that ends at any trusted certificate (an intermediate or
 * the peer's own), not only at a self-signed root. */
#define SKT_TLS_VERIFY_X509_PARTIAL_CHAIN (1u << 5)

/*
 * skt_tls_ctx_set_verify_flags - make the flags exactly those given (as
 * assigning Python's verify_flags). Returns 0. Errors: -EINVAL (NULL, an
 * unknown bit). A certificate refused by them fails the handshake with
 * SKT_ETLS_CERT_VERIFY ("certificate revoked", "unable to get
 * certificate CRL", ...) in the detail.
 * skt_tls_ctx_get_verify_flags - the flags in force; 0 for NULL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_verify_flags(skt_tls_ctx *ctx, unsigned flags);
SKT_EXTERN unsigned skt_tls_ctx_get_verify_flags(const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_set_hostname_checks_common_name - whether hostname checking
 * falls back to the subject's common name when the certificate has no DNS
 * alternative names (Python's hostname_checks_common_name; on by default,
 * as in Python). Applies to sockets wrapped afterwards. Returns 0.
 * Errors: -EINVAL. The getter returns the setting; false for NULL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_hostname_checks_common_name(skt_tls_ctx *ctx,
                                                           bool check);
SKT_EXTERN bool skt_tls_ctx_get_hostname_checks_common_name(
    const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_load_verify_der - trust the CA certificates in der, len
 * bytes of DER certificates one after another (Python's
 * load_verify_locations(cadata=bytes)). Returns 0. Errors: -EINVAL (NULL,
 * len 0), SKT_ETLS_CONFIG (malformed DER; the detail says which
 * certificate; those before it stay loaded).
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_load_verify_der(skt_tls_ctx *ctx, const void *der,
                                           size_t len);

/*
 * skt_tls_ctx_get_ca_certs - the CA certificates the context trusts
 * (Python's get_ca_certs; its binary form is each one's der): those
 * loaded from files and memory, not those of a directory, which OpenSSL
 * reads only when verifying. Returns their count and *out, a
 * NULL-terminated list to free with skt_tls_freecerts. Errors: -EINVAL,
 * -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_get_ca_certs(const skt_tls_ctx *ctx,
                                        skt_tls_cert ***out);

/* What a context's trust store holds (Python's cert_store_stats()): the
 * certificates, the CA certificates among them, and the CRLs. */
typedef struct skt_tls_store_stats {
    size_t x509;
    size_t crl;
    size_t x509_ca;
} skt_tls_store_stats;

/* skt_tls_ctx_cert_store_stats - the counts into *out. Returns 0. Errors:
 * -EINVAL.
 * No I/O. */
SKT_EXTERN int skt_tls_ctx_cert_store_stats(const skt_tls_ctx *ctx,
                                            skt_tls_store_stats *out);

/*
 * skt_tls_get_verified_chain - the chain that verified the peer, its
 * certificate first and the trusted root last (Python's
 * get_verified_chain). skt_tls_get_unverified_chain - the certificates the
 * peer sent, its own first (Python's get_unverified_chain). Both return
 * the count and *out, a NULL-terminated list to free with
 * skt_tls_freecerts. Errors: -EINVAL (not a TLS socket), -ENOTCONN (the
 * handshake is not done), -ENOENT (no certificate, or for the verified
 * chain: it did not verify, e.g. under SKT_TLS_CERT_NONE), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_tls_get_verified_chain(const skt_socket *s,
                                          skt_tls_cert ***out);
SKT_EXTERN int skt_tls_get_unverified_chain(const skt_socket *s,
                                            skt_tls_cert ***out);

/*
 * skt_tls_get_channel_binding - the channel binding of type (Python's
 * get_channel_binding; NULL means "tls-unique") into buf: "tls-unique"
 * (RFC 5929: the first Finished message of the handshake, 12 bytes for
 * TLS 1.2) or "tls-exporter" (RFC 9266: 32 bytes exported with the label
 * "EXPORTER-Channel-Binding"). Returns the length. Errors: -EINVAL (not a
 * TLS socket, an unknown type), -ENOTCONN (no handshake yet),
 * -EOPNOTSUPP (tls-unique under TLS 1.3, tls-exporter under TLS 1.2
 * without the extended master secret), SKT_ETRUNCATED (len too small).
 * Differs from Python: Python returns a tls-unique value under TLS 1.3,
 * where RFC 9266 says it is not defined, and has no tls-exporter.
 * No I/O.
 */
SKT_EXTERN int skt_tls_get_channel_binding(const skt_socket *s,
                                           const char *type, void *buf,
                                           size_t len);

/*
 * skt_tls_shared_ciphers - on a server, the ciphers that both it and the
 * client offered, in the server's order of preference (Python's
 * shared_ciphers, names only). The first capacity names (static strings)
 * go to names. Returns the count, which may exceed capacity. Errors:
 * -EINVAL, -ENOTCONN (no handshake yet), -EOPNOTSUPP (a client socket,
 * where Python returns None).
 * No I/O.
 */
SKT_EXTERN int skt_tls_shared_ciphers(const skt_socket *s, const char **names,
                                      size_t capacity);

/*
 * skt_tls_ctx_set_keylog_filename - log the secrets of every connection
 * of ctx to path, in the NSS key log format that Wireshark reads to
 * decrypt a capture (Python's keylog_filename; NULL stops). The file is
 * opened now, appending (created with mode 0600, a comment line first
 * when it is new), and kept open with the context; lines are written
 * whole, so connections in several threads and processes may share it.
 * Anyone who reads it can decrypt the traffic: for debugging only.
 * Returns 0. Errors: -EINVAL, -ENOMEM, and -errno from open(2) with the
 * path in the detail (-ENOENT, -EACCES, ...). Writing is best effort: a
 * full disk loses lines, never a connection.
 * skt_tls_ctx_get_keylog_filename - the path in use, or NULL.
 * Does not wait: the file is opened at once, and written without waiting.
 */
SKT_EXTERN int skt_tls_ctx_set_keylog_filename(skt_tls_ctx *ctx,
                                               const char *path);
SKT_EXTERN const char *skt_tls_ctx_get_keylog_filename(
    const skt_tls_ctx *ctx);

/*
 * skt_tls_ctx_keylog_from_env - log to the file that the SSLKEYLOGFILE
 * environment variable names, if it is set and not empty (what Python's
 * create_default_context does); otherwise nothing. skt never reads the
 * variable unless the application calls this. Returns 0. Errors as
 * skt_tls_ctx_set_keylog_filename.
 * Does not wait.
 */
SKT_EXTERN int skt_tls_ctx_keylog_from_env(skt_tls_ctx *ctx);

/* The directions of a traced message. */
#define SKT_TLS_MSG_READ 0
#define SKT_TLS_MSG_WRITE 1

/*
 * skt_tls_msg_callback - a tracer of every TLS message a connection of
 * the context reads or writes (Python's _msg_callback): s (NULL for an
 * skt_tls_obj), the direction (SKT_TLS_MSG_*), the protocol version (on
 * the wire's numbers, as SKT_TLS_VERSION_*; 0 for a record header), the
 * content type (TLS's: 20 change_cipher_spec, 21 alert, 22 handshake, 23
 * application data; OpenSSL's 256 for a record header, 257 for TLS 1.3's
 * inner content type), the message type (a handshake message's type, e.g.
 * 1 ClientHello, or an alert's description; -1 otherwise), and the
 * message's bytes. It runs inside the OpenSSL call of the connection's
 * thread and must not use s for I/O.
 */
typedef void (*skt_tls_msg_callback)(skt_socket *s, int direction,
                                     int version, int content_type,
                                     int msg_type, const void *data,
                                     size_t len, void *arg);

/* skt_tls_ctx_set_msg_callback - install cb with arg (NULL removes it).
 * Returns 0. Errors: -EINVAL.
 * No I/O. */
SKT_EXTERN int skt_tls_ctx_set_msg_callback(skt_tls_ctx *ctx,
                                            skt_tls_msg_callback cb,
                                            void *arg);

/*
 * skt_tls_ctx_set_post_handshake_auth - TLS 1.3 post-handshake client
 * authentication (Python's post_handshake_auth; off by default). On a
 * client context: offer it, so that a server may ask for the client's
 * certificate (skt_tls_ctx_load_cert_chain) after the handshake; the
 * client answers by itself when it next reads. On a server context whose
 * verify mode is SKT_TLS_CERT_OPTIONAL or _REQUIRED: ask for no
 * certificate during the handshake, only when
 * skt_tls_verify_client_post_handshake says so. Returns 0. Errors:
 * -EINVAL. The getter returns the setting; false for NULL.
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_post_handshake_auth(skt_tls_ctx *ctx, bool on);
SKT_EXTERN bool skt_tls_ctx_get_post_handshake_auth(const skt_tls_ctx *ctx);

/*
 * skt_tls_verify_client_post_handshake - on a TLS 1.3 server socket, send
 * the client a certificate request now (Python's
 * verify_client_post_handshake). The client's answer is read and
 * verified by the server's next skt_recv: a certificate that does not
 * verify fails it with SKT_ETLS_CERT_VERIFY (or _UNKNOWN_CA, ...), none
 * where SKT_TLS_CERT_REQUIRED wants one with SKT_ETLS_NO_CLIENT_CERT;
 * afterwards skt_tls_getpeercert returns the client's certificate.
 * Returns 0 once the request has gone out. Errors: -EINVAL (not a TLS
 * socket, a client socket, verify mode SKT_TLS_CERT_NONE), -ENOTCONN (no
 * handshake yet), -EOPNOTSUPP (not TLS 1.3, or the client did not offer
 * post-handshake authentication), -EALREADY (a request under way),
 * -ETIMEDOUT, SKT_EWANTWRITE (non-blocking: finish with
 * skt_tls_handshake), and the code of an earlier failure. Honours the
 * timeout.
 */
SKT_EXTERN int skt_tls_verify_client_post_handshake(skt_socket *s);

/*
 * skt_tls_ctx_set_ecdh_curve - the elliptic curves (key exchange groups)
 * to use, one name or a colon-separated list in order of preference
 * (Python's set_ecdh_curve, which takes one): "prime256v1" or "P-256",
 * "secp384r1" or "P-384", "X25519", "X448", "ffdhe2048", ... On a server
 * they bound what it accepts; on a client what it offers. Returns 0.
 * Errors: -EINVAL (NULL), SKT_ETLS_CONFIG (an unknown name).
 * No I/O.
 */
SKT_EXTERN int skt_tls_ctx_set_ecdh_curve(skt_tls_ctx *ctx,
                                          const char *curves);

/*
 * skt_tls_ctx_load_dh_params - the Diffie-Hellman parameters (a PEM file
 * of "DH PARAMETERS", e.g. from `openssl genpkey -genparam -algorithm DH
 * -pkeyopt group:ffdhe2048`) for a server's TLS 1.2 DHE cipher suites
 * (Python's load_dh_params); without them such suites are not chosen.
 * Returns 0. Errors: -EINVAL, -ENOENT, -EACCES (with the path in the
 * detail), SKT_ETLS_CONFIG (no DH parameters in the file, or parameters
 * the security level refuses).
 * Does not wait: the file is read at once.
 */
SKT_EXTERN int skt_tls_ctx_load_dh_params(skt_tls_ctx *ctx, const char *path);

/* ------------------------------------------------------------------------ */
/* SHA-256                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * skt_sha256 - a SHA-256 hash fed in pieces, Python's hashlib.sha256(): for
 * checking that a transfer arrived whole, as `skt send` and `skt recv` do
 * (the sender hashes what it sends, the receiver what it receives, and the
 * two digests are compared), without the program linking a cryptography
 * library of its own. It is computed by OpenSSL's libcrypto, which the
 * library uses for TLS. None of these functions does I/O: none waits on a
 * socket or has a timeout. One object is for one thread at a time;
 * different objects are independent.
 *
 *     skt_sha256 *h;
 *     unsigned char buf[65536], digest[SKT_SHA256_SIZE];
 *     ssize_t got;
 *     int rc = skt_sha256_new(&h);
 *     while (rc == 0 && (got = skt_recv(s, buf, sizeof buf, 0)) > 0)
 *         rc = skt_sha256_update(h, buf, (size_t)got);
 *     if (rc == 0 && got == 0)
 *         rc = skt_sha256_digest(h, digest);
 *     skt_sha256_free(h);
 */
typedef struct skt_sha256 skt_sha256;

/* The size of a SHA-256 digest in bytes (Python's digest_size). */
#define SKT_SHA256_SIZE 32

/*
 * skt_sha256_new - a hash of no bytes yet (Python's hashlib.sha256()).
 * Returns 0 and *out, to free with skt_sha256_free. Errors: -EINVAL (out
 * is NULL), -ENOMEM, SKT_ETLS_CONFIG (OpenSSL offers no SHA-256, e.g. a
 * configuration that loads no provider of it; the detail gives OpenSSL's
 * reasons).
 * No I/O.
 */
SKT_EXTERN int skt_sha256_new(skt_sha256 **out);

/*
 * skt_sha256_update - hash len more bytes of data (Python's update); the
 * digest is the same however the bytes are split between calls. data may
 * be NULL when len is 0. It may follow skt_sha256_digest, which leaves the
 * hash going on. Returns 0. Errors: -EINVAL (h is NULL, or data is NULL
 * with len > 0), SKT_ETLS_CONFIG (OpenSSL failed; the detail says why).
 * No I/O.
 */
SKT_EXTERN int skt_sha256_update(skt_sha256 *h, const void *data,
                                 size_t len);

/*
 * skt_sha256_digest - the SHA-256 of every byte given so far, into
 * digest (SKT_SHA256_SIZE bytes; Python's digest). h is left as it was,
 * so that more bytes may follow and a later digest covers them too.
 * Returns 0. Errors: -EINVAL (NULL), -ENOMEM, SKT_ETLS_CONFIG (OpenSSL
 * failed; the detail says why).
 * No I/O.
 */
SKT_EXTERN int skt_sha256_digest(const skt_sha256 *h,
                                 unsigned char digest[SKT_SHA256_SIZE]);

/* skt_sha256_free - free a hash; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_sha256_free(skt_sha256 *h);

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
 * the host in the detail; SKT_EAI_NONAME when host and port are both NULL,
 * as in Python), -ETIMEDOUT, SKT_EPORTRANGE (numeric port over 65535),
 * -EINVAL, -ENOMEM, -errno (EAI_SYSTEM), -EAGAIN (no thread). Differs from
 * Python: a numeric port over 65535 is SKT_EPORTRANGE, where Python's
 * getaddrinfo lets glibc keep its low 16 bits ("70000" becomes port 4464),
 * so a typing error reaches another service.
 * Honours timeout (its argument; no socket's timeout applies) as one deadline.
 */
SKT_EXTERN int skt_getaddrinfo(const char *host, const char *port,
                               const skt_addrinfo *hints, double timeout,
                               skt_addrinfo **res);
/* skt_freeaddrinfo - free a list; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_freeaddrinfo(skt_addrinfo *res);

/*
 * skt_getnameinfo - Python's getnameinfo: host and service names for an
 * address, NI_* flags, within timeout (SKT_BLOCKING or seconds, as
 * skt_getaddrinfo). host/serv may be NULL (with length 0) when not wanted.
 * Returns 0. Errors: SKT_EAI_*, -ETIMEDOUT, SKT_ETRUNCATED (a buffer too
 * small; nothing is cut), -EINVAL.
 * Honours timeout (its argument) as one deadline.
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
/* skt_freehostent - free a result; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_freehostent(skt_hostent *h);

/*
 * skt_getfqdn - Python's getfqdn: the fully qualified name for name (NULL
 * or "" or "0.0.0.0" or "::" means this host). Falls back to the name.
 * Returns the length written. Errors: SKT_ETRUNCATED, -EINVAL. Blocks.
 */
SKT_EXTERN int skt_getfqdn(const char *name, char *out, size_t outlen);

/* skt_gethostname - this host's name. Returns its length. Errors:
 * SKT_ETRUNCATED, -EINVAL.
 * Does not wait. */
SKT_EXTERN int skt_gethostname(char *out, size_t outlen);
/* skt_sethostname - set this host's name (needs CAP_SYS_ADMIN). Returns
 * 0. Errors: -EPERM, -EINVAL (too long).
 * Does not wait. */
SKT_EXTERN int skt_sethostname(const char *name);

/*
 * skt_getservbyname - the port of a service ("http") for a protocol
 * ("tcp", "udp", or NULL for any). Returns the port (0..65535). Errors:
 * SKT_EAI_SERVICE (not found), -EINVAL.
 * Errors also: -ENOMEM. Blocks: the system's services database (/etc/services,
 * through nsswitch) has no timeout.
 */
SKT_EXTERN int skt_getservbyname(const char *name, const char *proto);
/* skt_getservbyport - the service name of a port. Returns its length.
 * Errors: SKT_EAI_SERVICE, SKT_EPORTRANGE, SKT_ETRUNCATED, -EINVAL,
 * -ENOMEM. Blocks: the system's services database (/etc/services,
 * through nsswitch) has no timeout. */
SKT_EXTERN int skt_getservbyport(int port, const char *proto, char *out,
                                 size_t outlen);
/* skt_getprotobyname - the number of a protocol ("tcp" is 6). Errors:
 * -ENOPROTOOPT (not found), -EINVAL.
 * Returns the number. Errors also: -ENOMEM. Blocks: the system's protocols
 * database has no timeout. */
SKT_EXTERN int skt_getprotobyname(const char *name);

/* skt_has_dualstack_ipv6 - true when an IPv6 socket can accept IPv4
 * connections too (IPV6_V6ONLY can be cleared), as Python's.
 * Returns false also when no IPv6 socket can be made. Errors: none. Does
 * not wait. */
SKT_EXTERN bool skt_has_dualstack_ipv6(void);

/* ======================================================================== */
/* Connections                                                              */
/* ======================================================================== */

/* The Connection Attempt Delay of RFC 8305, used when opts leave it 0. */
#define SKT_ATTEMPT_DELAY_DEFAULT 0.25

/*
 * skt_connect_attempt - one address skt_create_connection tried: the
 * address, its outcome and how long it took, from the attempt's start to
 * its outcome. code is 0 for the attempt that connected (the TLS
 * handshake is not part of it), else its own negative code: -ECONNREFUSED,
 * -ENETUNREACH, ... as the kernel said; -ETIMEDOUT when the deadline passed
 * while it was under way; -ECANCELED when another attempt won first and
 * this one was closed.
 */
typedef struct skt_connect_attempt {
    skt_addr addr;
    int code;
    double seconds;
} skt_connect_attempt;

/*
 * skt_connect_report - what skt_create_connection did, as data (Python
 * 3.11's all_errors, and more): point skt_connect_opts.report at one,
 * with attempts pointing at the caller's array of capacity entries
 * (attempts may be NULL when capacity is 0). The call fills it on success
 * and on failure alike (after a failed lookup, count is 0; options
 * refused with -EINVAL, such as a capacity without an array, leave it
 * untouched):
 *   count              the addresses tried, in the order they started;
 *                      it may exceed capacity, and then only the first
 *                      capacity of them are written
 *   resolve_seconds    how long the lookup took
 *   handshake_seconds  how long the TLS handshake took (0 without TLS or
 *                      when no address connected)
 *   handshake_code     the handshake's outcome: 0, or its negative code
 */
typedef struct skt_connect_report {
    skt_connect_attempt *attempts;
    size_t capacity;
    size_t count;
    double resolve_seconds;
    double handshake_seconds;
    int handshake_code;
    /* Room for what later versions report; the library may write it. */
    void *reserved[4];
} skt_connect_report;

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
     * value means strictly one address after another. Under a timeout,
     * every address gets its fair share of what is left (the time left
     * divided by the addresses left): a strictly sequential attempt that
     * spends its share gives way to the next address (its own error is
     * -ETIMEDOUT), and in parallel mode the next starts after the delay
     * or the share, whichever is shorter; the last address gets the rest.
     * So one deadline never means "only the first address". Differs from
     * Python: Python's create_connection gives each address the whole
     * timeout, so that a call over n addresses can take n times the
     * timeout, and a first address that never answers costs all of it. */
    double attempt_delay;
    /* TLS (see the TLS section): with a client context, the connection is
     * wrapped and its handshake completed under the same one deadline, so
     * that timeout covers DNS, connect and handshake. NULL: plain TCP. */
    struct skt_tls_ctx *tls;
    /* The name sent as SNI and checked against the certificate; NULL
     * means host. */
    const char *tls_hostname;
    /* When not NULL, receives every address tried with its own outcome
     * and time (see skt_connect_report). */
    skt_connect_report *report;
    /* With tls: the client's session cache (see skt_tls_session_cache).
     * The session it holds for tls_hostname (or host) and port is offered,
     * so that the handshake resumes when the server agrees, and the
     * sessions the server sends are filed there. NULL: none. (It takes
     * the first of the reserved entries, so the struct keeps its size.) */
    struct skt_tls_session_cache *tls_sessions;
    void *reserved[3];
} skt_connect_opts;

/*
 * skt_create_connection - Python's socket.create_connection, fixed:
 * resolves host and port (port may be a number or a service name; host
 * NULL means the loopback addresses) and connects a TCP socket. Happy
 * Eyeballs (RFC 8305) by default: the address families are interleaved,
 * starting with the first the resolver returned; a new attempt starts when
 * the previous one has neither connected nor failed within the attempt
 * delay; the first success wins and every other
 * attempt is closed. opts->timeout is ONE deadline over the lookup and all
 * attempts. Returns 0 and *out, connected, with opts->timeout as its mode.
 * Errors: the most telling error of the attempts (-ECONNREFUSED before
 * -ETIMEDOUT before -EHOSTUNREACH before -ENETUNREACH before the others),
 * with every address tried and its own error in the detail; -ETIMEDOUT when
 * the deadline passed (the addresses still under way are listed as timed
 * out); SKT_EAI_* from the lookup; SKT_EPORTRANGE (a numeric port over
 * 65535, as skt_getaddrinfo); -EINVAL (bad options, NULL port);
 * -EMFILE, -ENOMEM; with opts->tls, every code of skt_tls_wrap (the
 * handshake's SKT_ETLS_* and -ETIMEDOUT under the same deadline). Honours
 * opts->timeout as one deadline. A default
 * timeout of 0 (non-blocking) connects without a deadline and leaves the
 * socket non-blocking. With opts->report, every address tried is also
 * given back as data, with its own code and time. Differs from Python:
 * create_connection(all_errors=True) gives only the errors, as
 * exceptions, and only when every address failed; Python tries one
 * address after another, where skt races them (Happy Eyeballs) unless
 * opts->attempt_delay is negative, so an address that never answers
 * delays the next by the attempt delay, not by the whole timeout; and a
 * numeric port over 65535 is SKT_EPORTRANGE, where Python connects to the
 * port's low 16 bits.
 */
SKT_EXTERN int skt_create_connection(skt_socket **out, const char *host,
                                     const char *port,
                                     const skt_connect_opts *opts);

/*
 * skt_create_connection_to - the same with one text, "host:port" or
 * "[v6addr]:port" (brackets required around an IPv6 address). Errors as
 * skt_create_connection, plus SKT_EADDRSYNTAX and SKT_ENOPORT for the text.
 * Returns 0 and *out, as skt_create_connection. Honours opts->timeout as one
 * deadline, as skt_create_connection.
 */
SKT_EXTERN int skt_create_connection_to(skt_socket **out, const char *target,
                                        const skt_connect_opts *opts);

/*
 * skt_get_server_certificate - Python's ssl.get_server_certificate:
 * connects to host and port (as skt_create_connection: host NULL means
 * the loopback addresses) with TLS, sending host as SNI, and returns the
 * certificate the server presents as PEM ("-----BEGIN CERTIFICATE-----",
 * base64 in lines of 64, the footer; as Python's DER_cert_to_PEM_cert).
 * As in Python, the host name is not checked, and the chain is verified
 * only when ca_certs (a PEM file of CA certificates) is given. timeout is
 * ONE deadline over the lookup, the connect and the handshake, with
 * skt_connect_opts.timeout's meaning (0: the default timeout;
 * SKT_BLOCKING: none). Returns 0 and *pem, a NUL-terminated string to
 * free with free(). Errors: -EINVAL (NULL pem or port), -ENOENT and
 * -EACCES (ca_certs, with the path), SKT_ETLS_CONFIG, every code of
 * skt_create_connection (SKT_EAI_*, -ECONNREFUSED, -ETIMEDOUT, ...) and of
 * the handshake (SKT_ETLS_*: with ca_certs, SKT_ETLS_UNKNOWN_CA and the
 * like), -ENOMEM. Honours timeout as one deadline.
 */
SKT_EXTERN int skt_get_server_certificate(const char *host, const char *port,
                                          const char *ca_certs,
                                          double timeout, char **pem);

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
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
} skt_server_opts;

/*
 * skt_create_server - Python's socket.create_server: a TCP socket bound to
 * host and port and listening. host NULL or "" means every interface; port
 * NULL or "0" an ephemeral port. SO_REUSEADDR is set, as Python does on
 * POSIX. Returns 0 and *out, in the default mode.
 * Errors: -EADDRINUSE, -EADDRNOTAVAIL, -EACCES (with the address in the
 * detail), -EINVAL (dualstack without IPv6), -EOPNOTSUPP (dualstack or
 * reuse_port unsupported), SKT_EAI_* (host did not resolve),
 * SKT_EPORTRANGE (a numeric port over 65535, refused as Python's bind
 * refuses it). The lookup blocks (no timeout).
 */
SKT_EXTERN int skt_create_server(skt_socket **out, const char *host,
                                 const char *port,
                                 const skt_server_opts *opts);

/*
 * skt_create_datagram_server - the same for a UDP socket: bound, not
 * listening, without SO_REUSEADDR (reuse_port is honoured; backlog is
 * ignored). Errors as skt_create_server.
 * Returns 0 and *out, in the default mode. The lookup blocks (no timeout).
 */
SKT_EXTERN int skt_create_datagram_server(skt_socket **out, const char *host,
                                          const char *port,
                                          const skt_server_opts *opts);

/*
 * Options of skt_relay. All zero (or a NULL pointer) means no idle
 * timeout, no deadline and no stop socket: the relay runs until both
 * directions have ended or one fails. The struct may grow at the end.
 */
typedef struct skt_relay_opts {
    /* End with -ETIMEDOUT after this many seconds in which no byte (and
     * no datagram) moved either way; 0 means none. */
    double idle_timeout;
    /* One deadline over the whole relay, in seconds from the call; 0
     * means none. */
    double timeout;
    /* A socket whose readability ends the relay with -ECANCELED: one end
     * of a skt_socketpair that another thread writes a byte to, or
     * closes (a raw send(2) on it from a signal handler works too). It is
     * only polled, never read. NULL: none. */
    skt_socket *stop;
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
} skt_relay_opts;

/*
 * What skt_relay did, filled on success and on failure alike:
 *   a_to_b, b_to_a    the bytes delivered each way (sent on b, on a),
 *                     datagrams' payloads included
 *   a_ended, b_ended  a's (b's) data ended and the end was carried to
 *                     the other socket as a half-close
 *   spliced           bytes went through the kernel (splice(2)) rather
 *                     than through a buffer in this process
 */
typedef struct skt_relay_stats {
    uint64_t a_to_b;
    uint64_t b_to_a;
    bool a_ended;
    bool b_ended;
    bool spliced;
    /* Room for what later versions report; the library may write it. */
    void *reserved[4];
} skt_relay_stats;

/*
 * skt_relay - join two connected sockets both ways (socat's and ncat's
 * relay): what arrives on a is sent on b and what arrives on b is sent on
 * a, until both directions have ended. The end of one side's data is
 * carried to the other as a half-close (shutdown(SHUT_WR); over TLS
 * skt_tls_shutdown_write, close_notify first), while the other direction
 * goes on until it ends too, so that a request and its answer over a
 * half-closed connection pass through unchanged. Each datagram (or
 * seqpacket message) is forwarded whole, as one; a stream's bytes sent to
 * a datagram socket go as one datagram per read, of at most 65507 bytes.
 * A datagram socket's data never ends: a direction from one ends only
 * with the relay (idle timeout, deadline, stop, an error).
 * Between two plain stream sockets (no TLS) on a system with splice(2)
 * (Platform: Linux; the posix platform always copies),
 * the bytes go through a pipe in the kernel, never copied to this
 * process; otherwise (TLS, datagrams, no splice) through a buffer of each
 * direction, with decrypted bytes waiting in TLS taken first. Every byte
 * read is sent on before the relay returns 0; on a failure the counts
 * say what was delivered. a and b are not closed. The sockets' timeouts
 * do not apply (the options say how long to wait); each socket is
 * non-blocking during the call and gets its own mode back before it
 * returns. Neither may be used by another thread meanwhile.
 * Returns 0 when both directions have ended; stats (may be NULL) is
 * filled either way. Errors: -EINVAL (a or b NULL, a and b the same
 * socket, a negative or non-finite time, a reserved field not zero, the
 * stop socket one of a and b), -ENOTCONN (a or b not connected),
 * -EOPNOTSUPP (a socket neither a stream, datagram nor seqpacket one),
 * -ETIMEDOUT (the idle timeout or the deadline: the detail says which),
 * -ECANCELED (the stop socket became readable), -EMSGSIZE (a datagram
 * over the relay's buffer of 256 KiB), -ENOMEM, and the errors of
 * receiving and sending on either socket (-ECONNRESET, -EPIPE,
 * -ECONNREFUSED for a datagram socket, SKT_ETLS_*), with the direction
 * and the operation in the detail: "relay a to b: receive: Connection
 * reset by peer". Honours its options' times, not the sockets' timeouts.
 */
SKT_EXTERN int skt_relay(skt_socket *a, skt_socket *b,
                         const skt_relay_opts *opts, skt_relay_stats *stats);

/* ======================================================================== */
/* Streams                                                                  */
/* ======================================================================== */

/*
 * skt_stream - Python's socket.makefile(), fixed: a buffered reader and
 * writer over a stream socket, working through the socket's transport (so
 * over TLS unchanged). Every call takes one deadline from the socket's
 * timeout, and a call that fails (-ETIMEDOUT, -EAGAIN in non-blocking mode,
 * SKT_ELINETOOLONG, SKT_EEOF) consumes nothing: the bytes received so far
 * stay buffered and the next call goes on from them, and the buffered
 * bytes are always readable (skt_stream_buffer). Differs from Python:
 * Python's makefile refuses every read after a timeout ("cannot read from
 * timed out object") and what it buffered is lost; and a non-blocking
 * readline that finds half a line returns the half as if it were a line
 * (or, in "rwb" mode, raises OSError), where here it is -EAGAIN with the
 * half line kept.
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
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
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
 * Errors: those of skt_stream_flush and of skt_close.
 */
SKT_EXTERN int skt_stream_close(skt_stream *st);

/* skt_stream_socket - the socket under the stream (NULL for NULL).
 * Returns the socket. Errors: none. No I/O. */
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
 * mode), -ECONNRESET, -ENOMEM, -EINVAL, ... Honours the timeout. Differs
 * from Python: read(n) returns fewer bytes at the end of the stream, and
 * the caller must compare lengths to see it; here a short read is
 * SKT_EEOF and the bytes stay for skt_stream_read.
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
 * Differs from Python: readline(max) with a longer line returns max bytes
 * of it in Python, and the caller cannot tell a cut line from a whole
 * one; skt fails with SKT_ELINETOOLONG and keeps every byte.
 */
SKT_EXTERN ssize_t skt_stream_readline(skt_stream *st, void *buf,
                                       size_t max);

/*
 * skt_stream_readuntil - as skt_stream_readline with any delimiter of
 * delim_len (1..256) bytes, e.g. "\r\n": the record returned ends with the
 * delimiter (included in its length, at most max). Returns and
 * errors as skt_stream_readline.
 * Honours the timeout, as skt_stream_readline.
 */
SKT_EXTERN ssize_t skt_stream_readuntil(skt_stream *st, const void *delim,
                                        size_t delim_len, void *buf,
                                        size_t max);

/*
 * skt_stream_readline_view - as skt_stream_readline without the copy:
 * *line points at the line inside the stream's buffer, valid until the
 * next call on the stream's reading side. Returns and errors as
 * skt_stream_readline.
 * Honours the timeout, as skt_stream_readline.
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
 * (0 for NULL).
 * Returns the count. Errors: none. No I/O. */
SKT_EXTERN size_t skt_stream_buffered(const skt_stream *st);

/*
 * skt_stream_buffer - the buffered bytes themselves, without receiving:
 * returns a pointer to them (NULL when none) and their count in *len
 * (which may be NULL). Valid until the next call on the reading side.
 * Returns that pointer (NULL for a NULL st too). Errors: none. No I/O.
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
 * NULL).
 * Returns the count. Errors: none. No I/O. */
SKT_EXTERN size_t skt_stream_pending(const skt_stream *st);

/* ======================================================================== */
/* Framing                                                                  */
/* ======================================================================== */

/*
 * The socket HOWTO's lesson: recv returns whatever has arrived, so a
 * message must be fixed-size, delimited, or length-prefixed. skt_frame does
 * the three: skt_frame_send writes one message, and a decoder finds the
 * messages in the bytes received, either from a socket (skt_frame_recv,
 * blocking or timeout mode) or from bytes you feed it (non-blocking use
 * with a selector). Every decoder has a maximum message size: a message
 * over it gives SKT_EMSGTOOBIG once and is then skipped as its bytes
 * arrive, so no later byte is misread as the start of a message.
 */

/* How messages are delimited (skt_frame_opts.kind). */
#define SKT_FRAME_LENGTH 0    /* a length header, then the message */
#define SKT_FRAME_DELIMITER 1 /* the message, then a delimiter */
#define SKT_FRAME_FIXED 2     /* every message has the same size */

/* skt_frame_opts.flags: the length header is little-endian (the default
 * is big-endian, network order). */
#define SKT_FRAME_LITTLE_ENDIAN 0x1

/* The maximum message size when the options leave it 0: 16 MiB. */
#define SKT_FRAME_MAX_DEFAULT ((size_t)16 << 20)
/* The longest delimiter accepted. */
#define SKT_FRAME_DELIMITER_MAX 256

/* Options of the framing functions. All zero means messages with a 4-byte
 * big-endian length header and a 16 MiB maximum. */
typedef struct skt_frame_opts {
    /* SKT_FRAME_LENGTH (0), SKT_FRAME_DELIMITER or SKT_FRAME_FIXED. */
    int kind;
    /* SKT_FRAME_LENGTH: header of 1, 2, 4 or 8 bytes; 0 means 4. */
    int header_size;
    /* SKT_FRAME_LITTLE_ENDIAN, or 0. */
    int flags;
    /* SKT_FRAME_DELIMITER: 1..SKT_FRAME_DELIMITER_MAX bytes, which end each
     * message and are not part of it; NULL means "\n". */
    const void *delimiter;
    size_t delimiter_len;
    /* SKT_FRAME_FIXED: the size of every message (> 0, <= max_size). */
    size_t size;
    /* Decoders: the largest message accepted; 0 means
     * SKT_FRAME_MAX_DEFAULT. A 1-byte or 2-byte header cannot announce
     * more than 255 or 65535 bytes anyway. */
    size_t max_size;
    /* Zero: room for fields to come (see "Options structs" at the top). */
    void *reserved[4];
} skt_frame_opts;

/*
 * skt_frame_header - write into out (8 bytes are always enough) the length
 * header of a len-byte message, for opts of kind SKT_FRAME_LENGTH; useful
 * to build messages for a non-blocking socket yourself. Returns the header
 * size. Errors: -EINVAL (NULL out, bad options, not SKT_FRAME_LENGTH),
 * SKT_EMSGTOOBIG (len does not fit in the header). No I/O.
 */
SKT_EXTERN int skt_frame_header(const skt_frame_opts *opts, uint64_t len,
                                void *out);

/*
 * skt_frame_send - send one message framed as opts says (NULL: the
 * defaults) under one deadline; the header (or the delimiter) and a short
 * message go out in one send. *sent (may be NULL) receives the number of
 * bytes of the whole frame sent, on failure too. Returns 0.
 * Errors: -EINVAL (NULL, bad options, a fixed-size message of another
 * size, a message that holds the delimiter: the peer could not find its
 * end), SKT_EMSGTOOBIG (len does not fit in the header), -ETIMEDOUT,
 * -EAGAIN (non-blocking mode), -EPIPE, -ECONNRESET, ... Honours the
 * timeout as one deadline.
 */
SKT_EXTERN int skt_frame_send(skt_socket *s, const skt_frame_opts *opts,
                              const void *msg, size_t len, size_t *sent);

/* A decoder: the bytes of one connection and where they stand. */
typedef struct skt_frame_decoder skt_frame_decoder;

/*
 * skt_frame_decoder_new - a decoder for messages framed as opts says (NULL:
 * the defaults). Returns 0 and *out, to free with skt_frame_decoder_free.
 * Errors: -EINVAL (NULL out, bad options), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_frame_decoder_new(skt_frame_decoder **out,
                                     const skt_frame_opts *opts);

/* skt_frame_decoder_free - free a decoder and its bytes; NULL is a no-op.
 * No I/O. */
SKT_EXTERN void skt_frame_decoder_free(skt_frame_decoder *d);

/*
 * skt_frame_decoder_feed - give the decoder len more bytes (copied).
 * Returns 0. Errors: -EINVAL, -ENOMEM (nothing was taken). No I/O.
 */
SKT_EXTERN int skt_frame_decoder_feed(skt_frame_decoder *d, const void *data,
                                      size_t len);

/*
 * skt_frame_decoder_pop - take the next complete message: *msg points at
 * it inside the decoder (valid until the next call on the decoder) and
 * *len is its length. Returns 1 for a message, 0 when the bytes so far do
 * not complete one (feed more). Errors: SKT_EMSGTOOBIG (the next message
 * is over the maximum: it is reported once, then its bytes are dropped as
 * they come and the next pop goes on with the message after it), -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_frame_decoder_pop(skt_frame_decoder *d, const void **msg,
                                     size_t *len);

/* skt_frame_decoder_buffered - the bytes held that no message has taken
 * yet (0 for NULL).
 * Returns the count. Errors: none. No I/O. */
SKT_EXTERN size_t skt_frame_decoder_buffered(const skt_frame_decoder *d);

/*
 * skt_frame_decoder_recv - one receive from s straight into the decoder,
 * for a non-blocking socket that a selector reported readable; then pop
 * until it returns 0. Returns the bytes received, 0 at end of stream.
 * Errors: -EAGAIN (non-blocking mode, nothing ready), -ETIMEDOUT,
 * -ECONNRESET, -ENOMEM, -EINVAL, ... Honours the timeout.
 */
SKT_EXTERN ssize_t skt_frame_decoder_recv(skt_frame_decoder *d,
                                          skt_socket *s);

/*
 * skt_frame_recv - receive the next message from s through decoder d
 * (which holds the bytes received past it, for the next call: keep one
 * decoder per connection). *msg and *len as skt_frame_decoder_pop.
 * Returns 1 for a message, 0 when the peer closed the connection between
 * two messages. Errors: SKT_EEOF (closed in the middle of a message),
 * SKT_EMSGTOOBIG (as skt_frame_decoder_pop; the next call goes on after
 * it), -ETIMEDOUT (one deadline; the bytes received stay in the decoder
 * and the next call goes on), -EAGAIN (non-blocking mode, likewise),
 * -ECONNRESET, -ENOMEM, -EINVAL, ... Honours the timeout.
 */
SKT_EXTERN int skt_frame_recv(skt_socket *s, skt_frame_decoder *d,
                              const void **msg, size_t *len);

/* ======================================================================== */
/* Selectors                                                                */
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
 * Platform: on the posix platform SKT_SELECTOR_DEFAULT is poll, so a
 * default selector reports an fd closed while registered as ready, where
 * Linux's default, epoll (as Python's DefaultSelector there), drops it.
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
    skt_os_socket fd; /* the handle (or, on POSIX, any pollable fd) */
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
 * >= FD_SETSIZE). No timeout. Differs from Python: a selector holds one
 * fd more than Python's (two with epoll), its eventfd, because Python's
 * selectors have no wake-up and a program makes its own self-pipe for one.
 * Platform: on Linux SKT_SELECTOR_DEFAULT is epoll and the wake-up an
 * eventfd; on the posix platform SKT_SELECTOR_DEFAULT is poll,
 * SKT_SELECTOR_EPOLL gives -ENOTSUP with a detail naming the platform, and
 * the wake-up is a self-pipe (two fds).
 */
SKT_EXTERN int skt_selector_new(skt_selector **out,
                                skt_selector_backend backend);

/*
 * skt_selector_close - free the selector and its own fds. The registered
 * fds and sockets are not closed (as in Python). NULL is a no-op. Returns
 * 0.
 * Errors: none. Does not wait.
 */
SKT_EXTERN int skt_selector_close(skt_selector *sel);

/* skt_selector_backend_name - "epoll", "poll" or "select"; "" for NULL.
 * Returns a static string. Errors: none. No I/O. */
SKT_EXTERN const char *skt_selector_backend_name(const skt_selector *sel);

/*
 * skt_selector_register - watch fd for events (SKT_EVENT_READ and/or
 * SKT_EVENT_WRITE) and keep data with it. Returns 0. Errors: -EINVAL
 * (NULL selector, fd < 0, events 0 or unknown bits), -EEXIST (fd already
 * registered, Python's KeyError), -EBADF (fd not open), -EPERM (epoll: a
 * regular file, which is always ready), -ERANGE (select backend: fd >=
 * FD_SETSIZE), -ENOMEM, -ENOSPC. No timeout.
 * Platform: on the posix platform SKT_SELECTOR_DEFAULT is poll, which
 * accepts a regular file (always ready), where Linux's default, epoll (as
 * Python's DefaultSelector there), gives -EPERM.
 */
SKT_EXTERN int skt_selector_register(skt_selector *sel, skt_os_socket fd,
                                     int events, void *data);

/*
 * skt_selector_register_socket - the same for a socket's fd; the key's
 * sock field then gives the socket back. A socket whose transport holds
 * bytes already decrypted (TLS, skt_tls_pending) is reported readable by
 * every select, without waiting, so a select loop over TLS never stalls;
 * for that the selector reads the socket on each select, so it must stay
 * alive until it is unregistered. Errors as skt_selector_register.
 * Returns 0. Does not wait.
 */
SKT_EXTERN int skt_selector_register_socket(skt_selector *sel, skt_socket *s,
                                            int events, void *data);

/*
 * skt_selector_modify - change the events and data of a registered fd
 * (the key's sock is kept). Entries for fd in the array of the last
 * select are updated too: their events are cut to the new ones. Returns
 * 0. Errors: -ENOENT (fd not registered; with epoll also when the fd was
 * closed and its number reused since), -EINVAL (bad events), -EBADF
 * (epoll: the fd was closed since it was registered). No timeout.
 */
SKT_EXTERN int skt_selector_modify(skt_selector *sel, skt_os_socket fd,
                                   int events, void *data);

/*
 * skt_selector_unregister - stop watching fd. Works on an fd that was
 * closed while registered. Entries for fd in the array of the last select
 * get events 0, so that a loop over that array skips an fd an earlier
 * handler in the same loop closed. Returns 0. Errors: -ENOENT (fd not
 * registered), -EINVAL. No timeout.
 */
SKT_EXTERN int skt_selector_unregister(skt_selector *sel, skt_os_socket fd);

/*
 * skt_selector_modify_socket, skt_selector_unregister_socket - the same for
 * a socket, found by its handle (Python's modify(fileobj) and
 * unregister(fileobj)), so that a program holding skt_socket objects never
 * needs a raw handle. Errors as skt_selector_modify and
 * skt_selector_unregister, and -EINVAL for a NULL socket. No timeout.
 * Return 0.
 */
SKT_EXTERN int skt_selector_modify_socket(skt_selector *sel,
                                          const skt_socket *s, int events,
                                          void *data);
SKT_EXTERN int skt_selector_unregister_socket(skt_selector *sel,
                                              const skt_socket *s);

/*
 * skt_selector_select - wait until at least one registered fd is ready,
 * the timeout passes, or skt_selector_wakeup is called. timeout:
 * SKT_BLOCKING (any negative) waits without limit, 0 only looks, > 0 is
 * seconds (rounded up to the backend's resolution, so the wait is never
 * shorter). Differs from Python: a negative timeout waits forever (the
 * sentinel of every skt timeout), where Python's select(-1) only looks;
 * Python's None is SKT_BLOCKING here; and the select backend reports an
 * fd closed while registered as ready, as the poll backends of skt and
 * Python do (see skt_selector), where SelectSelector.select raises
 * OSError(EBADF) and reports none of the fds that are ready. A signal
 * (EINTR) does not end the wait: it goes on with the remaining time (PEP
 * 475). *ready receives an array, owned by the
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
 * No I/O.
 */
SKT_EXTERN int skt_selector_get_key(const skt_selector *sel,
                                    skt_os_socket fd, skt_selector_key *key);

/* skt_selector_count - the number of registered fds (len(get_map()) in
 * Python), or -EINVAL for NULL.
 * Returns the count. Errors: -EINVAL (NULL). No I/O. */
SKT_EXTERN int skt_selector_count(const skt_selector *sel);

/*
 * skt_selector_wakeup - make a select that is waiting (or the next one)
 * return at once with 0. Callable from any thread and from a signal
 * handler (async-signal-safe; it sets no error detail for that reason).
 * Returns 0. Errors: -EINVAL (NULL), -errno of the write. Platform: one
 * write(2) to the eventfd on Linux, to the self-pipe on the posix
 * platform; either way a full channel counts as woken.
 * Does not wait.
 */
SKT_EXTERN int skt_selector_wakeup(skt_selector *sel);

/* ======================================================================== */
/* Servers                                                                  */
/* ======================================================================== */

/*
 * skt_server - Python's socketserver: a TCP, UDP, Unix stream or Unix
 * datagram server (chosen by the address family and the config's type)
 * that calls your handler for each connection or datagram.
 *
 * Serving modes (skt_server_config.mode):
 *   SKT_SERVER_SEQUENTIAL  one request after another, in serve_forever's
 *                          thread (Python's TCPServer)
 *   SKT_SERVER_THREADS     a thread per request (ThreadingMixIn)
 *   SKT_SERVER_POOL        a fixed pool of threads and a queue
 *   SKT_SERVER_FORK        a child process per request (ForkingMixIn);
 *                          as with any fork in a threaded program, the
 *                          child inherits locks other threads held at
 *                          that instant (allocator, OpenSSL): serve from a
 *                          process whose other threads are idle.
 *                          Platform: a child's exit is seen through a
 *                          pidfd on Linux, through a pipe whose write end
 *                          only the child holds on the posix platform,
 *                          where each child is also looked for with
 *                          waitpid every 50 ms (a process that another
 *                          thread forks at that moment holds the pipe
 *                          open too, and one that calls exec closes it
 *                          early); no SIGCHLD handler on either
 *   SKT_SERVER_EVENTS      one thread and a selector: non-blocking
 *                          connections driven by on_event callbacks
 *
 * The blocking modes give the handler a connection in the default mode
 * (skt_getdefaulttimeout), or in timeout mode when idle_timeout is set, and
 * close it (after shutdown(SHUT_WR), as Python does) when the handler
 * returns: the handler must not close it. A handler returns 0, or a
 * negative code, which is passed to handle_error.
 *
 * Unlike Python's, skt_server_shutdown never waits and never deadlocks:
 * it may be called from any thread, from inside any handler or hook, from a
 * forked child's handler, or from a signal handler, and serve_forever
 * returns within milliseconds (it is woken through its selector, not
 * polled). skt_server_close waits for serve_forever, the handler threads
 * and the children. Accepting under EMFILE/ENFILE/ENOBUFS/ENOMEM reports
 * the error to handle_error and pauses accepting (10 ms, doubling up to 1 s,
 * or until a connection ends: skt_accept_retry's rule) instead of spinning
 * or stopping.
 *
 * What a slow or silent client costs, by mode (idle_timeout bounds how
 * long it may cost it; max_connections how many may):
 *   SEQUENTIAL  everyone: no other client is served until it leaves
 *   THREADS     a thread (and its stack) each, up to max_connections
 *               (SKT_SERVER_THREADS_LIMIT by default); beyond it, new
 *               clients wait in the listen backlog
 *   POOL        a pool thread each: pool_size silent clients stop the
 *               server (the others wait in the queue) unless idle_timeout
 *               is set
 *   FORK        a process each, without a limit unless max_connections
 *   EVENTS      a few hundred bytes each (and its output, while unsent)
 *
 * Workers (skt_server_config.workers = N > 1). SKT_SERVER_EVENTS runs N
 * event loops in N threads, each with its own selector and its own
 * connections: a connection is accepted by one loop, and every callback
 * and hook for it (verify_request, on_open, on_event, on_close,
 * handle_error) runs in that loop's thread; it never moves to another.
 * handle_timeout runs in the first loop, timed from the last request any
 * loop accepted. `user` is shared by every loop: what the program keeps
 * there it must synchronise itself (skt_server_conn_worker gives the
 * index of the loop, for state kept per worker without a lock). The
 * loops share nothing else but two counters (connections open, for
 * max_connections, and connections ended), each touched once per
 * connection, never per request, so N loops on N cores scale as N
 * single-threaded servers do. A TCP server that binds its own address
 * gives each loop a listener of its own on it (SO_REUSEPORT): the kernel
 * hashes each new connection to one of them, so connections spread
 * evenly whatever their timing (bench/server-workers: 52% to 54% on the
 * busier of 2 workers, both for 100 connections opened at once and for a
 * new connection per request), and no two loops ever contend for one
 * accept queue. The other way, one listener that every loop waits on with
 * EPOLLEXCLUSIVE (the kernel wakes one waiting loop per connection), put
 * 92% to 100% of a burst of 100 connections on one worker, which takes
 * the burst while the others sleep; it is what an inherited listener
 * (skt_server_new_from_fd) and a Unix socket get, being one socket. The
 * cost of a listener each: a connection waits in the backlog of the loop
 * it was hashed to, even while another loop is idle (so a callback that
 * blocks delays its loop's share of new clients). Platform: the posix
 * platform does not count on SO_REUSEPORT to spread connections (on the
 * BSDs and macOS it only lets sockets share a port), so its loops share
 * one listener, each woken for every new connection.
 * SKT_SERVER_FORK with workers is prefork: N long-lived children, each
 * serving one connection at a time (accepting on the shared listener,
 * running handle, then accepting again); the parent only supervises,
 * and starts a new child when one dies (at most one a second per worker,
 * so a child that dies at once does not make a fork loop; handle_error
 * hears of it with -ECHILD). N children serve N connections at most,
 * the others wait in the backlog: max_connections and full_reply do not
 * apply. verify_request runs in the child, handle_timeout in the parent.
 * A child whose parent is gone (killed) ends after its connection.
 * skt_server_shutdown and skt_server_drain reach every loop and every
 * child; serve_forever returns when all of them have stopped (a prefork
 * child first finishes the connection it serves, within close_timeout,
 * then SIGKILL), and skt_server_close waits for that. Costs, per
 * worker: a thread or a process, a selector (an epoll fd and a wake-up
 * eventfd) and, with a listener each, that listener's fd.
 *
 * Draining (skt_server_drain): the listener is shut down at once, so a
 * new server (this program's successor) can bind the same address within
 * microseconds, while the connections already accepted are finished: in
 * the blocking modes each handler runs to its end; in SKT_SERVER_EVENTS
 * a connection is closed (on_close reason SKT_SERVER_CLOSED_DRAINED) as
 * soon as its output is sent, no input waits on it, and the program has
 * no request in progress on it (skt_server_conn_busy). What is still open
 * at the deadline is closed (SKT_SERVER_CLOSED_FORCED; handler threads
 * get their connection shut down, children SIGKILL). serve_forever
 * returns 0 when the drain is over; the server serves no more.
 */
typedef struct skt_server skt_server;
/* One connection of an event-driven server. */
typedef struct skt_server_conn skt_server_conn;

typedef enum skt_server_mode {
    SKT_SERVER_SEQUENTIAL = 0,
    SKT_SERVER_THREADS,
    SKT_SERVER_POOL,
    SKT_SERVER_FORK,
    SKT_SERVER_EVENTS
} skt_server_mode;

/* Returned by on_event: close the connection once its pending output has
 * been sent. */
#define SKT_SERVER_CLOSE 1

/* Stream servers, blocking modes: serve one connection. */
typedef int (*skt_server_handler)(skt_server *srv, skt_socket *conn,
                                  const skt_addr *client, void *user);
/* Datagram servers, every mode: answer one datagram. sock is the server's
 * socket (non-blocking), for replies with skt_sendto(sock, ..., client). */
typedef int (*skt_server_datagram_handler)(skt_server *srv, skt_socket *sock,
                                           const void *data, size_t len,
                                           const skt_addr *client,
                                           void *user);
/* Event-driven mode: a new connection (set its state here). A negative
 * return refuses it (it is closed, on_close is not called). */
typedef int (*skt_server_open_handler)(skt_server_conn *conn, void *user);
/*
 * Event-driven mode: conn is ready for events (SKT_EVENT_READ, or
 * SKT_EVENT_WRITE when asked for with skt_server_conn_want). Read with
 * skt_recv(skt_server_conn_socket(conn), ...) (non-blocking: -EAGAIN means
 * nothing more for now; over TLS that is SKT_EWANTREAD or SKT_EWANTWRITE,
 * as Python's SSLWantReadError) and answer with skt_server_conn_send.
 * Return 0 to go on, SKT_SERVER_CLOSE to close after the pending output, or
 * a negative code to close at once and report it to handle_error. Must not
 * block.
 */
typedef int (*skt_server_event_handler)(skt_server_conn *conn, int events,
                                        void *state);
/*
 * Event-driven mode: conn is about to be closed; free its state. reason
 * says why: SKT_SERVER_CLOSED_BY_PROGRAM (0: on_event returned
 * SKT_SERVER_CLOSE, skt_server_conn_close, or skt_server_close),
 * SKT_SERVER_CLOSED_BY_PEER (the client's end of stream was read with
 * skt_server_conn_recv), SKT_SERVER_CLOSED_DRAINED,
 * SKT_SERVER_CLOSED_FORCED (see skt_server_drain), -ETIMEDOUT (idle for
 * idle_timeout), or another negative code (an error, also given to
 * handle_error). The codes above 0 only come to programs that call
 * skt_server_conn_recv or skt_server_drain, so that an older program sees
 * 0 and negative codes as before.
 */
typedef void (*skt_server_close_handler)(skt_server_conn *conn, int reason,
                                         void *state);

/* The reasons on_close is given (besides negative codes). */
#define SKT_SERVER_CLOSED_BY_PROGRAM 0
#define SKT_SERVER_CLOSED_BY_PEER 1
#define SKT_SERVER_CLOSED_DRAINED 2
#define SKT_SERVER_CLOSED_FORCED 3

/* skt_server_config.workers: one worker per CPU; and the most allowed. */
#define SKT_WORKERS_PER_CPU (-1)
#define SKT_WORKERS_MAX 1024

/* skt_server_config.output_high_water's default. */
#define SKT_SERVER_HIGH_WATER (256 * 1024)

/* skt_server_config.full_reply: refuse a client at once, without a word. */
#define SKT_SERVER_REFUSE ""

/* skt_server_config.max_connections: the default limit of
 * SKT_SERVER_THREADS (threads serving at once), and the value for none. */
#define SKT_SERVER_THREADS_LIMIT 128
#define SKT_SERVER_NO_LIMIT (-1)

/* The values of skt_server_config.reuse_address. */
#define SKT_REUSE_ADDRESS_DEFAULT 0
#define SKT_REUSE_ADDRESS_ON 1
#define SKT_REUSE_ADDRESS_OFF 2

/*
 * The configuration of skt_server_new. All zero, plus a handler, is a
 * sequential TCP server with Python's defaults (but for the limit of
 * SKT_SERVER_THREADS). May grow at the end.
 */
typedef struct skt_server_config {
    skt_server_mode mode;
    /* SOCK_STREAM (0 means this) or SOCK_DGRAM. */
    int type;
    /* Stream servers in the blocking modes. */
    skt_server_handler handle;
    /* Datagram servers, in every mode (in EVENTS and SEQUENTIAL it runs
     * in serve_forever's thread). */
    skt_server_datagram_handler handle_datagram;
    /* Stream servers in SKT_SERVER_EVENTS: on_event is required. */
    skt_server_open_handler on_open;
    skt_server_event_handler on_event;
    skt_server_close_handler on_close;
    /* Hooks, all optional, called in serve_forever's thread (with
     * workers: the thread of the loop that accepted the connection) except
     * handle_error, which runs where the error happened (so that
     * skt_error_detail() describes it). verify_request returning false
     * drops the request unhandled (conn is the server's socket for a
     * datagram). handle_error gets client NULL for a server-level error
     * such as an accept failure. handle_timeout is called each time
     * `timeout` seconds pass without a new request. */
    bool (*verify_request)(skt_server *srv, skt_socket *conn,
                           const skt_addr *client, void *user);
    void (*handle_error)(skt_server *srv, const skt_addr *client, int code,
                         void *user);
    void (*handle_timeout)(skt_server *srv, void *user);
    /* Passed to every handler and hook (event handlers get it through
     * on_open and skt_server_user). */
    void *user;
    /* Seconds without a request before handle_timeout; 0 means never.
     * Differs from Python: socketserver calls handle_timeout only from
     * handle_request, never from serve_forever; skt has no handle_request,
     * and serve_forever calls it each time this much time passes idle. */
    double timeout;
    /* Seconds a connection may stay idle before it is closed with
     * -ETIMEDOUT; 0 means never. In the blocking modes this is the
     * connection's timeout mode, so a recv that waits longer fails. */
    double idle_timeout;
    /* Connections (or datagrams) served at once, queued ones included,
     * over all workers; beyond it accepting pauses, and new clients wait
     * in the listen backlog until a request ends (or are refused: see
     * full_reply). 0 means the mode's default:
     * SKT_SERVER_THREADS_LIMIT in SKT_SERVER_THREADS, no limit in the
     * other modes. SKT_SERVER_NO_LIMIT means no limit; other negative
     * values are refused. Differs from Python: ThreadingMixIn starts a
     * thread for every connection, without a limit, so that many slow
     * clients can exhaust threads and memory. */
    int max_connections;
    /* SKT_SERVER_POOL: threads; 0 means online CPUs + 4, at most 32 (as
     * Python's ThreadPoolExecutor). */
    int pool_size;
    /* listen() backlog; 0 means SKT_DEFAULT_BACKLOG, min(SOMAXCONN, 128),
     * what Python's socket.listen() picks. Differs from Python:
     * socketserver's request_queue_size is 5, which drops clients as soon
     * as a server falls a little behind. */
    int backlog;
    /* SO_REUSEADDR on a TCP listener: SKT_REUSE_ADDRESS_DEFAULT (0: on),
     * SKT_REUSE_ADDRESS_ON or SKT_REUSE_ADDRESS_OFF. Differs from Python:
     * socketserver.TCPServer has allow_reuse_address = False; on by
     * default lets a restarted server bind its port while the last run's
     * connections are in TIME_WAIT (as socket.create_server does). */
    int reuse_address;
    /* Seconds skt_server_close lets handlers finish before it shuts their
     * connections down (threads) or kills them (SIGKILL, children); 0
     * means 5; negative means wait without limit. */
    double close_timeout;
    /* Largest datagram received whole; 0 means 65535. */
    size_t max_datagram;
    /* TLS (see the TLS section): a server context makes every connection
     * TLS. In the blocking modes the handshake runs in the handler's
     * thread or child, under idle_timeout when set, before handle is
     * called. In SKT_SERVER_EVENTS it runs step by step on readiness
     * (idle_timeout applies) and on_open is called when it completes. A
     * failed handshake goes to handle_error and no handler is called.
     * Stream servers only (-EINVAL otherwise). */
    struct skt_tls_ctx *tls;
    /*
     * Event loops serving at once; 0 or 1 means one, in serve_forever's
     * thread, as before; SKT_WORKERS_PER_CPU means one per CPU online
     * (sysconf(_SC_NPROCESSORS_ONLN)). See "Workers" above for
     * what they share and what each costs. SKT_SERVER_EVENTS: N loops in
     * N threads (serve_forever's and N - 1 it starts). SKT_SERVER_FORK:
     * prefork, N long-lived children. Other modes, and datagram servers:
     * -EINVAL. At most SKT_WORKERS_MAX.
     */
    int workers;
    /* Connections accepted per wake-up of a loop, so that a flood of
     * connections cannot starve the open ones or delay a shutdown; 0
     * means 32 in the blocking modes, 64 in SKT_SERVER_EVENTS. Datagram
     * servers: datagrams received per wake-up. */
    int accept_batch;
    /* SKT_SERVER_EVENTS: bytes of unsent output above which a connection
     * is not read from (on_event gets no SKT_EVENT_READ) until the client
     * has read enough of it; 0 means SKT_SERVER_HIGH_WATER (256 KiB). */
    size_t output_high_water;
    /*
     * What happens to a new client while max_connections are being
     * served. NULL (the default): it waits, as before: accepting pauses
     * and the client waits in the listen backlog. Otherwise it is refused
     * at once: accepted, sent this text (NUL-terminated; one non-blocking
     * send, so keep it short: a few hundred bytes are always taken), shut
     * down and closed. SKT_SERVER_REFUSE ("") refuses without a word.
     * Over TLS the text is not sent (there is no handshake yet). A refused
     * client counts in skt_server_stats' refused, never in connections;
     * the hooks do not see it. Stream servers only (-EINVAL otherwise).
     */
    const char *full_reply;
    /* Zero: room for fields to come (see "Options structs" at the top;
     * the four fields above took three of the four entries it had, so
     * the struct keeps its size). */
    void *reserved[1];
} skt_server_config;

/*
 * skt_server_new - create a server bound to addr (any family skt_addr
 * holds; port 0 picks a free port) and, for a stream server, listening.
 * TCP listeners set SO_REUSEADDR unless reuse_address says otherwise
 * (see there: socketserver's default is off); a Unix socket file is
 * removed by skt_server_close if it is still the one bound. Nothing is
 * served before skt_server_serve_forever. Returns 0 and *out. Errors:
 * -EINVAL (NULL, unknown mode or type, a handler missing for the mode, a
 * negative or NaN limit other than close_timeout and a max_connections of
 * SKT_SERVER_NO_LIMIT, an unknown reuse_address, workers out of range or
 * in a mode without them, a negative accept_batch, full_reply or workers
 * on a datagram server), -EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES, -EAFNOSUPPORT, -EMFILE, -ENOMEM, with the
 * address in the detail. No timeout. Differs from Python: socketserver's
 * server_close leaves the Unix socket file behind, so that the next
 * server on that path fails with EADDRINUSE until someone removes it.
 */
SKT_EXTERN int skt_server_new(skt_server **out, const skt_addr *addr,
                              const skt_server_config *cfg);

/*
 * skt_server_serve_forever - serve until skt_server_shutdown, or until a
 * drain is over (skt_server_drain). In the thread and pool modes,
 * handlers still running at a shutdown go on after it returns
 * (skt_server_close waits for them). With workers it runs the first loop
 * and starts a thread for each other one, and returns when all have
 * stopped. A shutdown requested before the call makes it return at once.
 * Returns 0 after a shutdown or a drain. Errors: -EINVAL, -EBUSY (already
 * serving in another thread), -errno of a failure that stops the server
 * (the selector's, or an accept error other than the transient ones,
 * after handle_error; with workers, one worker's failure stops them all;
 * a thread that cannot be started for a worker), -EAGAIN. No timeout.
 */
SKT_EXTERN int skt_server_serve_forever(skt_server *srv);

/*
 * skt_server_shutdown - ask serve_forever to return, and return at once.
 * Async-signal-safe and callable from any thread or handler (see above).
 * Returns 0, or -EINVAL for NULL.
 * Errors: -EINVAL (NULL). Does not wait.
 */
SKT_EXTERN int skt_server_shutdown(skt_server *srv);

/*
 * skt_server_close - stop serving and free the server: waits for
 * serve_forever to return (shutting it down), stops accepting, lets the
 * handlers finish within close_timeout (then shuts their connections down,
 * or kills the children), joins every thread, reaps every child, closes
 * the event-driven connections (on_close with reason 0, in the thread
 * that calls close, every worker having stopped), and closes every fd.
 * NULL is a no-op. Returns 0. Errors: -EBUSY when called from one of
 * the server's own handlers or hooks (nothing is freed then).
 * Waits: for serve_forever to return, and for the handlers within the config's
 * close_timeout; no socket's timeout applies.
 */
SKT_EXTERN int skt_server_close(skt_server *srv);

/* skt_server_address - the bound address (with the real port). Returns 0.
 * Errors: -EINVAL.
 * No I/O. */
SKT_EXTERN int skt_server_address(const skt_server *srv, skt_addr *out);

/* skt_server_socket - the listening (or datagram) socket, owned by the
 * server (Python's server.socket; with a listener per worker, the first
 * worker's); NULL for NULL.
 * Returns the socket, or NULL. Errors: none. No I/O. */
SKT_EXTERN skt_socket *skt_server_socket(skt_server *srv);

/* skt_server_user - the config's user pointer; NULL for NULL.
 * Returns the pointer. Errors: none. No I/O. */
SKT_EXTERN void *skt_server_user(const skt_server *srv);

/* skt_server_connections - the connections or datagrams being served or
 * queued now (children in fork mode), over all workers. -EINVAL for NULL.
 * Returns the count. Errors: -EINVAL (NULL). No I/O. */
SKT_EXTERN int skt_server_connections(skt_server *srv);

/*
 * skt_server_new_from_fd - skt_server_new on a socket the process already
 * has: a listener it inherited (see skt_listen_fds), or one it made. The
 * server owns fd from then on (skt_server_close closes it) and makes it
 * non-blocking; the family and type are read from it, and cfg->type, when
 * set, must match. A stream socket must be listening already (nothing is
 * bound or changed: reuse_address and backlog do not apply), and a Unix
 * socket file is never removed by the server. With workers, every loop or
 * child accepts on this one listener. Returns 0 and *out. Errors: -EINVAL
 * (NULL, a bad config as for skt_server_new, a type other than cfg->type,
 * a stream socket that is not listening), -EBADF, -ENOTSOCK, -ENOMEM,
 * -EMFILE; on an error fd is left open and unchanged. No timeout.
 */
SKT_EXTERN int skt_server_new_from_fd(skt_server **out, skt_os_socket fd,
                                      const skt_server_config *cfg);

/*
 * skt_server_drain - stop accepting at once and let what was accepted
 * finish, within deadline_seconds (see "Draining" above): the listener is
 * shut down before the call returns, so the port (a Unix socket file is
 * removed) is free for a new server at once; connections still in the
 * listen backlog are refused, as by any close of a listener. In the
 * blocking modes every handler runs to its end, queued pool connections
 * included; in SKT_SERVER_EVENTS each connection is closed once finished
 * (on_close: SKT_SERVER_CLOSED_DRAINED), on_event is still called for the
 * requests that arrive meanwhile, and skt_server_draining tells the
 * program that the drain has begun. At the deadline what is left is closed
 * (SKT_SERVER_CLOSED_FORCED), its threads' connections shut down or its
 * children killed (SIGKILL). A datagram server stops receiving; its
 * socket stays open for the replies of handlers still running. Then
 * serve_forever returns 0, and the server serves no more (a later
 * serve_forever returns 0 at once). deadline_seconds: > 0 seconds, 0 to
 * close everything at once, negative to wait without limit. A second call
 * changes nothing. Async-signal-safe and callable from any thread or
 * handler, like skt_server_shutdown (it sets no error detail). Returns 0.
 * Errors: -EINVAL (NULL, NaN).
 * Does not wait: serve_forever does the waiting, within deadline_seconds.
 */
SKT_EXTERN int skt_server_drain(skt_server *srv, double deadline_seconds);

/* skt_server_draining - true once skt_server_drain was called (e.g. for a
 * handler to send "Connection: close"). false for NULL.
 * Returns the flag. Errors: none. No I/O. */
SKT_EXTERN bool skt_server_draining(const skt_server *srv);

/* skt_server_stats: one worker's counters (see skt_server_stats). */
typedef struct skt_server_worker_stats {
    uint64_t connections; /* accepted and served (handed to on_open or
                             handle) */
    uint64_t refused;     /* dropped by verify_request or full_reply */
    uint64_t requests;    /* on_event calls (SKT_SERVER_EVENTS); handlers
                             started (blocking modes) */
    uint64_t wakeups;     /* the loop's selector waits that returned */
    int open;             /* connections open now (EVENTS, prefork) */
    int pid;              /* prefork: the child serving as this worker */
} skt_server_worker_stats;

/*
 * skt_server_stats - the counters of each worker, to see how the load is
 * spread: out[i] for worker i, for the first max workers. A server
 * without workers has one (the loop of serve_forever); so do the blocking
 * modes but prefork. The counters run from skt_server_new, are updated
 * by their worker without a lock (each read is of one moment, not the
 * same moment for every field) and cost nothing measurable per request.
 * Returns the number of workers (which may be more than max; out may be
 * NULL when max is 0). Errors: -EINVAL (NULL srv, max < 0, out NULL with
 * max > 0).
 * No I/O.
 */
SKT_EXTERN int skt_server_stats(skt_server *srv, skt_server_worker_stats *out,
                                int max);

/*
 * Socket activation: the listeners a service manager (systemd, or
 * systemd-socket-activate) opened for this process.
 */

/* The first fd passed, and skt_listen_fds' flag that keeps the variables. */
#define SKT_LISTEN_FDS_START 3
#define SKT_LISTEN_FDS_KEEP_ENVIRONMENT 1

/* One fd passed by the service manager. */
typedef struct skt_listen_fd {
    skt_os_socket fd;
    int family;     /* SO_DOMAIN: AF_INET, AF_INET6, AF_UNIX, ... */
    int type;       /* SO_TYPE: SOCK_STREAM, SOCK_DGRAM, ... */
    bool listening; /* SO_ACCEPTCONN: a listener, ready to accept */
    /* Its LISTEN_FDNAMES entry (FileDescriptorName=), or "unknown" when
     * none was given, as sd_listen_fds_with_names(3). */
    char name[256];
} skt_listen_fd;

/*
 * skt_listen_fds - the systemd socket-activation protocol
 * (sd_listen_fds(3)): when LISTEN_PID is this process, LISTEN_FDS = n fds
 * from SKT_LISTEN_FDS_START (3) on are this process's, named by
 * LISTEN_FDNAMES (colon-separated). Each is checked to be an open socket,
 * gets close-on-exec (so no program this one runs inherits it) and is
 * described in fds[i]. Then LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES are
 * removed from the environment (unsetenv: not while another thread reads
 * the environment) unless flags has SKT_LISTEN_FDS_KEEP_ENVIRONMENT; they
 * stay when the call fails. Serve one with skt_server_new_from_fd, or
 * wrap it with skt_from_fd. Returns n, or 0 when LISTEN_FDS is not set
 * (the process was not socket-activated). Errors, with the variable in the
 * detail: -EINVAL (fds NULL with max > 0, max < 0, unknown flags,
 * LISTEN_PID missing or not a number, LISTEN_FDS not a number or out of
 * range, LISTEN_FDNAMES with another number of names or a name of 256
 * bytes or more), -ESRCH (LISTEN_PID is another process: the variables
 * were meant for a parent, which should have removed them; sd_listen_fds
 * returns 0 there, which cannot be told from "not activated": a program
 * that may run as such a child takes -ESRCH as 0), -ENOSPC (more than max
 * fds), -EBADF (one of the fds is not open), -ENOTSOCK (one is
 * not a socket). No timeout.
 */
SKT_EXTERN int skt_listen_fds(skt_listen_fd *fds, int max, int flags);

/*
 * Event-driven connections. These are called from the server's callbacks,
 * in the thread of the worker that owns conn (serve_forever's without
 * workers), and conn is valid until its on_close returns.
 */

/* skt_server_conn_socket - the connection's socket, in non-blocking mode.
 * Do not close it; return SKT_SERVER_CLOSE instead.
 * Returns the socket (NULL for NULL). Errors: none. No I/O. */
SKT_EXTERN skt_socket *skt_server_conn_socket(skt_server_conn *conn);
/* skt_server_conn_client - the client's address.
 * Returns the address, valid while conn is (NULL for NULL). Errors: none.
 * No I/O. */
SKT_EXTERN const skt_addr *skt_server_conn_client(
    const skt_server_conn *conn);
/* skt_server_conn_server - the server (for skt_server_shutdown).
 * Returns the server (NULL for NULL). Errors: none. No I/O. */
SKT_EXTERN skt_server *skt_server_conn_server(skt_server_conn *conn);
/* skt_server_conn_worker - the index (from 0) of the worker that owns
 * conn and runs its callbacks; -EINVAL for NULL.
 * Returns the index. Errors: -EINVAL (NULL). No I/O. */
SKT_EXTERN int skt_server_conn_worker(const skt_server_conn *conn);

/*
 * skt_server_conn_recv - skt_recv on the connection's socket, which also
 * tells the server that the client has ended the stream when it returns
 * 0, so that on_close gets SKT_SERVER_CLOSED_BY_PEER. Returns the byte
 * count, 0 at the end of the stream, or the errors of skt_recv (-EAGAIN:
 * nothing more for now; SKT_EWANTREAD/SKT_EWANTWRITE over TLS). Never
 * blocks.
 * Errors: those of skt_recv, and -EINVAL for a NULL conn.
 */
SKT_EXTERN ssize_t skt_server_conn_recv(skt_server_conn *conn, void *buf,
                                        size_t len);

/*
 * skt_server_conn_busy - mark a request in progress on conn (busy true:
 * part of a request read, its answer not yet given) or over (false). A
 * draining server does not close a busy connection before the deadline;
 * without the mark, a connection counts as finished once its output is
 * sent and no input waits on it, which is right for a protocol whose
 * requests are read whole in one on_event. Returns 0. Errors: -EINVAL.
 * No I/O.
 */
SKT_EXTERN int skt_server_conn_busy(skt_server_conn *conn, bool busy);
/* skt_server_conn_state, skt_server_conn_set_state - the connection's own
 * pointer, passed to on_event and on_close; NULL at first.
 * skt_server_conn_state returns the pointer (NULL for NULL). Errors: none.
 * No I/O. */
SKT_EXTERN void *skt_server_conn_state(const skt_server_conn *conn);
SKT_EXTERN void skt_server_conn_set_state(skt_server_conn *conn, void *state);

/*
 * skt_server_conn_send - send len bytes: at once when the socket takes
 * them (one send call), the rest kept and sent as the socket becomes
 * writable, in order. While more than output_high_water (256 KiB by
 * default) wait, the connection is not read from (on_event gets no
 * SKT_EVENT_READ), so a client that does not read cannot make the server
 * grow. Returns 0. Errors: -EINVAL, -EPIPE
 * (the connection is closing), -ECONNRESET, -ENOMEM, ... Never blocks.
 */
SKT_EXTERN int skt_server_conn_send(skt_server_conn *conn, const void *buf,
                                    size_t len);

/* skt_server_conn_pending - bytes given to conn_send not yet sent.
 * Returns the count (0 for NULL). Errors: none. No I/O. */
SKT_EXTERN size_t skt_server_conn_pending(const skt_server_conn *conn);

/*
 * skt_server_conn_want - the events on_event is called for:
 * SKT_EVENT_READ (the default), SKT_EVENT_WRITE, both, or 0 (pause; the
 * idle timeout still runs). Returns 0. Errors: -EINVAL (unknown bits).
 * Does not wait.
 */
SKT_EXTERN int skt_server_conn_want(skt_server_conn *conn, int events);

/*
 * skt_server_conn_close - close conn once its pending output is sent (for
 * a connection other than the one whose callback is running; that one
 * returns SKT_SERVER_CLOSE). on_close follows with reason 0.
 * Does not wait: the event loop closes it.
 */
SKT_EXTERN void skt_server_conn_close(skt_server_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* SKT_H */
