/*
 * conf.h - what the scenarios of conformance-skt share: the table entry,
 * the line each scenario prints, the vocabulary that skt's codes are
 * written in (the same words py/conf.py gives Python's exceptions), time
 * buckets, fd counts, address text with ports masked, and loopback
 * fixtures. Every fixture bounds its waits with a timeout.
 */
#ifndef SKT_CONF_H
#define SKT_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "skt.h"

/* One scenario (or a table of them, each printed as NAME.ID): it prints
 * one line per scenario with conf_emit and frees all it made. */
typedef void conf_fn(const char *name);
typedef struct conf_scenario {
    const char *name;
    conf_fn *fn;
} conf_scenario;

/*
 * The groups: CONF_GROUP_LIST, defined by CMakeLists.txt, is
 * "CONF_GROUP(sockets) CONF_GROUP(accepting) ...", one per file GROUP.c,
 * whose table conf_GROUP ends with {NULL, NULL}.
 */
#define CONF_GROUP(group) extern const conf_scenario conf_##group[];
CONF_GROUP_LIST
#undef CONF_GROUP

/* Seconds every fixture's socket waits at most (the bound of each wait). */
#define CONF_SAFETY 5.0

/* Prints "name value" (value formatted as printf). */
void conf_emit(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "name.sub value". */
void conf_emit_sub(const char *name, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints "name ok" for rc >= 0, else "name <vocabulary word>". */
void conf_rc(const char *name, long rc);

/* The vocabulary word of a negative code: "ECONNREFUSED", "EEOF",
 * "gaierror:EAI_NONAME", "ETLS_HOSTNAME"; "ok" for rc >= 0. */
const char *conf_err(long rc);
/* A result: "ok" for 0, the number for rc > 0, else conf_err. Static
 * buffer per call site is not needed: the text lives until the next call. */
const char *conf_val(long rc);

/* Python's repr-like texts: "None" (SKT_BLOCKING), "%g" otherwise. */
const char *conf_timeout(double t);
const char *conf_bool(bool b);
/* A coarse bucket of an elapsed time: "<0.1s", "~0.2s" (to 0.45 s),
 * "~0.5s" (to 0.75 s), "~1s", "~2s", ">3s". */
const char *conf_bucket(double seconds);
/* Seconds on the monotonic clock. */
double conf_now(void);
/* Open fds of this process. */
int conf_fds(void);
/* A socket's handle (skt_fileno), or -1 when it has none. */
int conf_fd(const skt_socket *s);
/* The backlog of the TCP listener on port, as ss shows it (a listener's
 * Send-Q), or "none" (static buffer). */
const char *conf_listen_backlog(int port);

/* The text of an address with a non-zero IP port written "P", a
 * non-zero netlink port id "PID", an autobound Unix name "@AUTO" and
 * conf_tmpdir() "TMP"; "-" for an empty address. */
const char *conf_addr(const skt_addr *a);
/* "h1 h2 ..." of data as hex, at most 64 bytes. */
const char *conf_hex(const void *data, size_t len);
/* data as Python's bytes repr body without b'': printable as is, else
 * \xHH (e.g. hello\x00). */
const char *conf_bytes(const void *data, size_t len);

/* A private directory for Unix sockets and files, removed at exit. */
const char *conf_tmpdir(void);
/* conf_tmpdir()/name into a static buffer (one per call: copy it). */
const char *conf_path(const char *name);

/* A listener on 127.0.0.1 (AF_INET) or ::1 (AF_INET6), port 0, backlog
 * 8, timeout CONF_SAFETY; its address in *addr. Returns 0 or the code. */
int conf_listener(int family, skt_socket **l, skt_addr *addr);
/* A connected TCP pair over loopback, both in timeout mode CONF_SAFETY.
 * Returns 0 or the code (nothing left open on failure). */
int conf_tcp_pair(int family, skt_socket **client, skt_socket **server);
/* A UDP pair on 127.0.0.1, each connected to the other, timeout
 * CONF_SAFETY. */
int conf_udp_pair(skt_socket **a, skt_socket **b);
/* A Unix stream socketpair in timeout mode CONF_SAFETY. */
int conf_unix_pair(int type, skt_socket **a, skt_socket **b);
/* A listener whose queue is full (backlog 0 and one connection waiting,
 * *filler): a connect to *addr gets no answer until it times out. */
int conf_blackhole(int family, skt_socket **l, skt_socket **filler,
                   skt_addr *addr);
/* An address on 127.0.0.1 where nothing listens (a port just freed). */
int conf_closed_port(skt_addr *addr);
/* Closes each non-NULL socket. */
void conf_close(skt_socket *a, skt_socket *b, skt_socket *c);

/* The directory of the test certificates (SKT_CONF_CERTS), or NULL. */
const char *conf_certs(void);

#endif
