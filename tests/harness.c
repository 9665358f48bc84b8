/*
 * harness.c - the shared test main (one case per process, fd-leak check)
 * and the helpers of harness.h.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int case_skipped;

void skt_test_skip_reason(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "SKIPPED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    case_skipped = 1;
}

skt_os_socket skt_test_fd(const skt_socket *s)
{
    skt_os_socket fd = SKT_INVALID_SOCKET;

    assert_int_equal(skt_fileno(s, &fd), 0);
    return fd;
}

int skt_test_count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;
    struct dirent *entry;

    if (dir == NULL)
        return -1;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            count++;
    closedir(dir);
    return count - 1; /* the directory's own fd */
}

static void list_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    char path[300], target[256];

    if (dir == NULL)
        return;
    while ((entry = readdir(dir)) != NULL) {
        ssize_t n;
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
        n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        fprintf(stderr, "  fd %s -> %s\n", entry->d_name, target);
    }
    closedir(dir);
}

static int run_one(const char *group, const struct CMUnitTest *test)
{
    int before;

    /* Every case starts from the library's initial default mode. */
    skt_setdefaulttimeout(SKT_BLOCKING);
    before = skt_test_count_fds();
    int failed = _cmocka_run_group_tests(group, test, 1, NULL, NULL);
    int after = skt_test_count_fds();

    if (failed == 0 && after != before) {
        fprintf(stderr, "FD LEAK in %s: %d fds before, %d after\n",
                test->name, before, after);
        list_fds();
        return 1;
    }
    return failed;
}

int skt_test_main(const char *group, const struct CMUnitTest *tests,
                  size_t count, int argc, char **argv)
{
    int failed = 0, ran = 0;

    for (size_t i = 0; i < count; i++) {
        bool wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], tests[i].name) == 0)
                wanted = true;
        if (!wanted)
            continue;
        ran++;
        failed += run_one(group, &tests[i]);
    }
    if (ran == 0) {
        fprintf(stderr, "no such test case\n");
        return 2;
    }
    if (failed == 0 && case_skipped && ran == 1)
        return SKT_TEST_SKIP_STATUS;
    return failed ? 1 : 0;
}

double skt_test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void skt_test_tcp_listener(skt_socket **listener, int *port)
{
    skt_addr a;
    SKT_OK(skt_open(listener, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_bind(*listener, &a));
    SKT_OK(skt_listen(*listener, 16));
    SKT_OK(skt_getsockname(*listener, &a));
    *port = skt_addr_port(&a);
}

void skt_test_tcp_pair(skt_socket **client, skt_socket **server)
{
    skt_socket *listener;
    skt_addr a;
    int port;

    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(client, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_connect(*client, &a));
    SKT_OK(skt_accept(listener, server, NULL));
    skt_close(listener);
}

const char *skt_test_python(void)
{
    static const char *found;
    static int probed;
    static const char *const candidates[] = {"python3", "/usr/bin/python3"};

    if (probed)
        return found;
    probed = 1;
    for (size_t i = 0; i < 2; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "%s -c 'import socket' >/dev/null 2>&1",
                 candidates[i]);
        if (system(cmd) == 0) {
            found = candidates[i];
            break;
        }
    }
    return found;
}

const char *skt_test_source_path(const char *relative, char *buf,
                                 size_t len)
{
    snprintf(buf, len, "%s/%s", SKT_SOURCE_DIR, relative);
    return buf;
}

pid_t skt_test_spawn(char *const argv[], int *out_fd)
{
    int fds[2] = {-1, -1};
    pid_t pid;

    if (out_fd != NULL)
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (out_fd != NULL)
            dup2(fds[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (out_fd != NULL) {
        close(fds[1]);
        *out_fd = fds[0];
    }
    return pid;
}

int skt_test_read_line(int fd, char *buf, size_t len, double timeout)
{
    double end = skt_test_now() + timeout;
    size_t used = 0;

    while (used + 1 < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = (int)((end - skt_test_now()) * 1000);
        char c;
        if (ms <= 0 || poll(&p, 1, ms) <= 0)
            return -1;
        if (read(fd, &c, 1) != 1)
            return -1;
        if (c == '\n')
            break;
        buf[used++] = c;
    }
    buf[used] = '\0';
    return (int)used;
}

int skt_test_wait(pid_t pid, double timeout)
{
    double end = skt_test_now() + timeout;
    int status;

    while (skt_test_now() < end) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        usleep(5000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}
