/*
 * harness.h - what every skt test program shares: the main that runs one
 * case per process and checks it for fd leaks, loopback helpers, timing,
 * and running peer programs.
 */
#ifndef SKT_TEST_HARNESS_H
#define SKT_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/types.h>

#include "skt.h"

/* Exit status CTest reads as "skipped". */
#define SKT_TEST_SKIP_STATUS 77

/*
 * Runs the cases named on the command line (all of them with no argument).
 * After each case the open fds are compared with those before it: a case
 * that leaks one fails.
 */
int skt_test_main(const char *group, const struct CMUnitTest *tests,
                  size_t count, int argc, char **argv);
#define SKT_TEST_MAIN(tests)                                                  \
    int main(int argc, char **argv)                                           \
    {                                                                         \
        return skt_test_main(__FILE__, tests,                                 \
                             sizeof(tests) / sizeof((tests)[0]), argc, argv); \
    }

/* The socket's handle, for the raw system calls a test makes beside skt;
 * the case fails if skt_fileno does. */
skt_os_socket skt_test_fd(const skt_socket *s);

/* Skips the current case with a reason printed on stderr. */
#define SKT_SKIP(...)                                                         \
    do {                                                                      \
        skt_test_skip_reason(__VA_ARGS__);                                    \
        skip();                                                               \
    } while (0)
void skt_test_skip_reason(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * Skips the current case where the library is built for the posix
 * platform (-DSKT_PLATFORM=posix), which lacks what the case exercises;
 * what names it ("abstract Unix names"). Does nothing on Linux.
 */
#ifdef SKT_PLATFORM_POSIX
#define SKT_LINUX_ONLY(what)                                                  \
    SKT_SKIP("%s: Linux only, and this library is built for the posix "       \
             "platform", what)
#else
#define SKT_LINUX_ONLY(what) ((void)0)
#endif

/* Asserts rc == 0 and prints skt_error_detail() if it is not. */
#define SKT_OK(expr)                                                          \
    do {                                                                      \
        long long skt_ok_rc_ = (long long)(expr);                             \
        if (skt_ok_rc_ != 0)                                                  \
            print_error("%s = %lld (%s): %s\n", #expr, skt_ok_rc_,            \
                        skt_errname((int)skt_ok_rc_), skt_error_detail());    \
        assert_int_equal(skt_ok_rc_, 0);                                      \
    } while (0)

/* Seconds on the monotonic clock. */
double skt_test_now(void);

/* Number of open fds of this process. */
int skt_test_count_fds(void);

/* A connected TCP pair on 127.0.0.1 (port 0), both blocking. */
void skt_test_tcp_pair(skt_socket **client, skt_socket **server);

/* A listening TCP socket on 127.0.0.1 port 0; its port in *port. */
void skt_test_tcp_listener(skt_socket **listener, int *port);

/* The Python interpreter to use as a peer ("python3" on PATH, else
 * /usr/bin/python3), or NULL when none works. */
const char *skt_test_python(void);

/* Path of a file in the source tree, e.g. "tests/peers/echo_server.py". */
const char *skt_test_source_path(const char *relative, char *buf,
                                 size_t len);

/*
 * Starts argv[0] with its stdout connected to a pipe (*out_fd, may be NULL
 * for inherited) and returns the pid. Fails the test if it cannot start.
 */
pid_t skt_test_spawn(char *const argv[], int *out_fd);

/* Reads a line (without the newline) from fd within timeout seconds.
 * Returns its length, or -1 on EOF/timeout. */
int skt_test_read_line(int fd, char *buf, size_t len, double timeout);

/* Waits up to timeout seconds for pid; kills it if it is still running.
 * Returns its exit status (as from waitpid), or -1 if it had to be killed. */
int skt_test_wait(pid_t pid, double timeout);

#endif
