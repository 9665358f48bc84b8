/*
 * fault-util.h - what the fault drivers (tests/faults/faults-*.c) share:
 * failing and skipping with a stated reason (exit 1, exit 77), the data
 * they send (a pattern made from a seed) and its SHA-256, the five
 * transfer kinds (plain sendall/recv_exact, TLS, line stream, frames,
 * sendfile) written once for every experiment, and a look at a process
 * (RSS, fds, CPU).
 * Everything here is on skt's public API.
 */
#ifndef SKT_FAULT_UTIL_H
#define SKT_FAULT_UTIL_H

#include <skt.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The exit status CTest counts as skipped (SKIP_RETURN_CODE). */
#define FU_SKIP_STATUS 77

/* The ways bytes cross a connection. */
enum fu_kind {
    FU_PLAIN,    /* skt_sendall / skt_recv_exact */
    FU_TLS,      /* the same over skt_tls_wrap */
    FU_LINE,     /* skt_stream_write lines / skt_stream_readline */
    FU_FRAME,    /* skt_frame_send / skt_frame_recv, length-prefixed */
    FU_SENDFILE, /* skt_sendfile from a file / skt_recv_exact */
    FU_KINDS
};

/* Prints "FAIL: ..." on stderr and exits 1. */
void fu_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                  noreturn));
/* Prints "SKIP: ..." on stderr and exits 77. */
void fu_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                  noreturn));
/* Fails, naming what and skt's code and detail, when rc < 0. */
void fu_check(int rc, const char *what);
/* The name of a return code: "OK" for 0 and above, else skt_errname. */
const char *fu_rcname(int rc);

/* The monotonic clock in seconds. */
double fu_now(void);
/* Sleeps for seconds (restarting after signals). */
void fu_sleep(double seconds);

/* len bytes made from seed (malloc'd; never NULL). With lines, printable
 * text cut into lines of 1..200 bytes that each end with '\n'. */
uint8_t *fu_pattern(size_t len, uint32_t seed, bool lines);
/* The SHA-256 of len bytes as 64 hex digits and a NUL. */
void fu_sha256(const void *data, size_t len, char hex[65]);

/* The kind named by text ("plain", "tls", ...), or -1. */
int fu_kind_parse(const char *text);
const char *fu_kind_name(int kind);
/*
 * Sends len bytes the kind's way over s (which the caller has wrapped in
 * TLS for FU_TLS). *sent (may be NULL) receives the bytes of data that
 * left through the library, on failure too. Returns 0 or the library's
 * code.
 */
int fu_send(int kind, skt_socket *s, const uint8_t *data, size_t len,
            size_t *sent);
/*
 * Receives len bytes the kind's way into buf. *got (may be NULL)
 * receives the bytes that arrived in order, on failure too. Returns 0 or
 * the library's code.
 */
int fu_recv(int kind, skt_socket *s, uint8_t *buf, size_t len, size_t *got);

/* Makes the test certificates (tests/peers/make-certs.sh) in a new
 * temporary directory, whose path is returned (static); skips without the
 * openssl command. */
const char *fu_make_certs(void);
/* A TLS context for one side from the certificates of fu_make_certs. */
skt_tls_ctx *fu_tls_ctx(const char *certs, bool server);
/* Removes a directory made by fu_make_certs. */
void fu_remove_dir(const char *dir);

/* The soft RLIMIT_NOFILE raised to the hard limit; returns the limit. */
long fu_raise_nofile(void);
/* The resident set of a process in KiB (VmRSS), or -1. */
long fu_rss_kib(pid_t pid);
/* The number of open fds of a process, or -1. */
int fu_fd_count(pid_t pid);
/* The user + system CPU seconds a process has used, or -1. */
double fu_cpu_seconds(pid_t pid);

/* A socket connected to host:port within timeout seconds, left in
 * timeout mode with that timeout (fails the test otherwise). */
skt_socket *fu_connect(const char *target, double timeout);

#endif
