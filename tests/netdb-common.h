/*
 * netdb-common.h - what the tests of Python's module functions share
 * (test-inet, test-iface, test-netdb, test-netdb-hosts): checks of the
 * code and the detail, Python on this machine as the reference answer,
 * and a lookup of a nonexistent name bounded in time by a child process.
 * Header only: everything is static inline, so a program takes what it
 * uses.
 */
#ifndef SKT_TEST_NETDB_COMMON_H
#define SKT_TEST_NETDB_COMMON_H

#include "harness.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNKNOWN_HOST "nosuchhost.invalid"
#define LINE_MAX_LEN 4096

static inline bool is_eai_code(int rc)
{
    return rc <= SKT_EAI_AGAIN && rc >= SKT_EAI_OVERFLOW;
}

static inline bool detail_has(const char *text)
{
    return strstr(skt_error_detail(), text) != NULL;
}

/*
 * Runs a snippet under Python (with `socket` imported as s) and reads the
 * one line it prints; skips the case when there is no Python.
 */
static inline void python_line(const char *code, char *out, size_t len)
{
    const char *python = skt_test_python();
    char program[LINE_MAX_LEN];
    char *argv[4];
    int fd, got, status;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("no python3 to compare with");
    snprintf(program, sizeof program, "import socket as s\n%s", code);
    argv[0] = (char *)python;
    argv[1] = "-c";
    argv[2] = program;
    argv[3] = NULL;
    pid = skt_test_spawn(argv, &fd);
    got = skt_test_read_line(fd, out, len, 30.0);
    close(fd);
    status = skt_test_wait(pid, 10.0);
    assert_true(got >= 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Writes items as a Python list of str literals (no quotes inside). */
static inline void python_list(const char *const *items, size_t count,
                               char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "[");

    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(buf + used, len - used, "'%s',", items[i]);
    snprintf(buf + used, len - used, "]");
}

/*
 * Runs a lookup of a name that does not exist in a child process, so that
 * a resolver that never answers costs a bounded time (the case is skipped
 * then). The child's return code, text result and detail come back
 * through a pipe.
 */
typedef int (*lookup_fn)(char *text, size_t len);

struct bounded_result {
    int rc;
    char text[512];
    char detail[1024];
};

static inline void run_in_child(lookup_fn lookup, int fd)
{
    char text[512] = "";
    int rc;

    /* One try of at most two seconds per server keeps a dead resolver
     * inside the parent's wait. */
    setenv("RES_OPTIONS", "timeout:2 attempts:1", 1);
    rc = lookup(text, sizeof text);
    dprintf(fd, "%d\t%s\t%s\n", rc, text, skt_error_detail());
    _exit(0);
}

static inline void run_bounded(lookup_fn lookup, struct bounded_result *out)
{
    char line[2048];
    char *text, *detail;
    int fds[2], got;
    pid_t pid;

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        run_in_child(lookup, fds[1]);
    }
    close(fds[1]);
    got = skt_test_read_line(fds[0], line, sizeof line, 30.0);
    close(fds[0]);
    skt_test_wait(pid, 5.0);
    if (got < 0)
        SKT_SKIP("the resolver did not answer within 30 seconds");
    text = strchr(line, '\t');
    assert_non_null(text);
    detail = strchr(text + 1, '\t');
    assert_non_null(detail);
    *text++ = '\0';
    *detail++ = '\0';
    out->rc = atoi(line);
    snprintf(out->text, sizeof out->text, "%s", text);
    snprintf(out->detail, sizeof out->detail, "%s", detail);
}

#endif /* SKT_TEST_NETDB_COMMON_H */
