/*
 * test-server-activate.c - socket activation and inherited listeners:
 * skt_listen_fds against the variables a service manager sets (the fds in
 * place from 3, close-on-exec set, the variables removed; a wrong pid, a
 * bad count, fds that are not sockets refused with their detail);
 * skt_server_new_from_fd; and the activated-server example started the
 * way systemd starts a service, once by the test playing the service
 * manager and once by Debian's systemd-socket-activate.
 *
 * The cases that put fds at 3 and 4 and set the variables run in a child
 * process, which exits with the result: the test process keeps its own
 * fds and environment.
 */
#include "server-common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXAMPLE SKT_BINARY_DIR "/examples/activated-server"

/* In a child: fails it with a message when cond is false. */
#define CHILD_CHECK(cond)                                                     \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: %s (detail: %s)\n", __FILE__, __LINE__,  \
                    #cond, skt_error_detail());                               \
            _exit(1);                                                         \
        }                                                                     \
    } while (0)

/* Runs body in a child process, which must exit with 0. */
static void in_child(void (*body)(void))
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        body();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A socket of type put at fd target (a listener for SOCK_STREAM), with
 * close-on-exec off, as a service manager passes it. */
static void place_socket(int type, int target)
{
    skt_socket *s;
    skt_os_socket fd;
    skt_addr a;

    CHILD_CHECK(skt_open(&s, AF_INET, type, 0) == 0);
    CHILD_CHECK(skt_addr_parse(&a, "127.0.0.1:0") == 0);
    CHILD_CHECK(skt_bind(s, &a) == 0);
    if (type == SOCK_STREAM)
        CHILD_CHECK(skt_listen(s, 16) == 0);
    CHILD_CHECK(skt_detach(s, &fd) == 0);
    if (fd == target) {
        CHILD_CHECK(fcntl(fd, F_SETFD, 0) == 0);
        return;
    }
    CHILD_CHECK(dup2(fd, target) == target);
    close(fd);
}

static void set_variables(const char *count, long pid, const char *names)
{
    char text[32];

    snprintf(text, sizeof text, "%ld", pid);
    setenv("LISTEN_FDS", count, 1);
    setenv("LISTEN_PID", text, 1);
    if (names != NULL)
        setenv("LISTEN_FDNAMES", names, 1);
    else
        unsetenv("LISTEN_FDNAMES");
}

static bool cloexec(int fd)
{
    return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* ------------------------------------------------------------------------ */
/* skt_listen_fds                                                           */
/* ------------------------------------------------------------------------ */

static void test_listen_fds_without_variables_is_not_activated(void **state)
{
    skt_listen_fd fds[2];

    (void)state;
    unsetenv("LISTEN_FDS");
    assert_int_equal(skt_listen_fds(fds, 2, 0), 0);
    assert_int_equal(skt_listen_fds(NULL, 0, 0), 0);
    assert_int_equal(skt_listen_fds(NULL, 1, 0), -EINVAL);
    assert_int_equal(skt_listen_fds(fds, 2, 0x10), -EINVAL);
}

static void takes_passed_fds(void)
{
    skt_listen_fd fds[3];

    place_socket(SOCK_STREAM, 3);
    place_socket(SOCK_DGRAM, 4);
    CHILD_CHECK(!cloexec(3) && !cloexec(4));
    set_variables("2", (long)getpid(), "web:dns");
    CHILD_CHECK(skt_listen_fds(fds, 3, 0) == 2);
    CHILD_CHECK(fds[0].fd == 3 && fds[0].family == AF_INET &&
                fds[0].type == SOCK_STREAM && fds[0].listening &&
                strcmp(fds[0].name, "web") == 0);
    CHILD_CHECK(fds[1].fd == 4 && fds[1].family == AF_INET &&
                fds[1].type == SOCK_DGRAM && !fds[1].listening &&
                strcmp(fds[1].name, "dns") == 0);
    CHILD_CHECK(cloexec(3) && cloexec(4));
    CHILD_CHECK(getenv("LISTEN_FDS") == NULL &&
                getenv("LISTEN_PID") == NULL &&
                getenv("LISTEN_FDNAMES") == NULL);
    /* Removed: a second call finds nothing. */
    CHILD_CHECK(skt_listen_fds(fds, 3, 0) == 0);
}

static void test_listen_fds_takes_the_passed_fds(void **state)
{
    (void)state;
    in_child(takes_passed_fds);
}

static void keeps_environment(void)
{
    skt_listen_fd fds[1];

    place_socket(SOCK_STREAM, 3);
    set_variables("1", (long)getpid(), NULL);
    CHILD_CHECK(skt_listen_fds(fds, 1, SKT_LISTEN_FDS_KEEP_ENVIRONMENT) == 1);
    CHILD_CHECK(strcmp(fds[0].name, "unknown") == 0);
    CHILD_CHECK(getenv("LISTEN_FDS") != NULL && getenv("LISTEN_PID") != NULL);
    CHILD_CHECK(skt_listen_fds(fds, 1, 0) == 1);
    CHILD_CHECK(getenv("LISTEN_FDS") == NULL);
}

static void test_listen_fds_keeps_the_variables_when_asked(void **state)
{
    (void)state;
    in_child(keeps_environment);
}

/* Each refusal leaves the variables for the program to look at. */
static void refuses(const char *count, long pid, const char *names, int max,
                    int code, const char *in_detail)
{
    skt_listen_fd fds[4];

    set_variables(count, pid, names);
    CHILD_CHECK(skt_listen_fds(fds, max, 0) == code);
    CHILD_CHECK(strstr(skt_error_detail(), in_detail) != NULL);
    CHILD_CHECK(getenv("LISTEN_FDS") != NULL);
}

static void refuses_bad_variables(void)
{
    long me = (long)getpid();

    place_socket(SOCK_STREAM, 3);
    place_socket(SOCK_STREAM, 4);
    refuses("1", (long)getppid(), NULL, 4, -ESRCH, "LISTEN_PID");
    refuses("x", me, NULL, 4, -EINVAL, "LISTEN_FDS");
    refuses("-1", me, NULL, 4, -EINVAL, "LISTEN_FDS");
    refuses("1x", me, NULL, 4, -EINVAL, "LISTEN_FDS");
    refuses("99999999999", me, NULL, 4, -EINVAL, "LISTEN_FDS");
    refuses("2", me, NULL, 1, -ENOSPC, "LISTEN_FDS is 2");
    refuses("2", me, "one", 4, -EINVAL, "LISTEN_FDNAMES");
    refuses("1", me, "a:b", 4, -EINVAL, "LISTEN_FDNAMES");
    setenv("LISTEN_PID", "me", 1);
    CHILD_CHECK(skt_listen_fds(NULL, 0, 0) == -EINVAL);
    CHILD_CHECK(strstr(skt_error_detail(), "LISTEN_PID") != NULL);
    unsetenv("LISTEN_PID");
    CHILD_CHECK(skt_listen_fds(NULL, 0, 0) == -EINVAL);
}

static void test_listen_fds_refuses_a_wrong_pid_and_bad_counts(void **state)
{
    (void)state;
    in_child(refuses_bad_variables);
}

static void refuses_bad_fds(void)
{
    long me = (long)getpid();
    int fds[2];

    place_socket(SOCK_STREAM, 3);
    CHILD_CHECK(pipe(fds) == 0);
    CHILD_CHECK(dup2(fds[0], 4) == 4);
    refuses("2", me, NULL, 4, -ENOTSOCK, "fd 4");
    /* Nothing changed on a refusal: fd 3 is not made close-on-exec. */
    CHILD_CHECK(!cloexec(3));
    close(4);
    refuses("2", me, NULL, 4, -EBADF, "fd 4");
}

static void test_listen_fds_refuses_fds_that_are_not_sockets(void **state)
{
    (void)state;
    in_child(refuses_bad_fds);
}

/* ------------------------------------------------------------------------ */
/* skt_server_new_from_fd                                                   */
/* ------------------------------------------------------------------------ */

static skt_os_socket raw_socket(int type, bool listening)
{
    skt_socket *s;
    skt_os_socket fd;
    skt_addr a;

    SKT_OK(skt_open(&s, AF_INET, type, 0));
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_bind(s, &a));
    if (listening)
        SKT_OK(skt_listen(s, 16));
    SKT_OK(skt_detach(s, &fd));
    return fd;
}

static void test_server_new_from_fd_serves_an_inherited_listener(
    void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    skt_server_worker_stats stats[2];
    skt_os_socket fd = raw_socket(SOCK_STREAM, true);
    skt_socket *c[10];
    struct serving s;
    skt_server *srv;

    (void)state;
    cfg.workers = 2;
    SKT_OK(skt_server_new_from_fd(&srv, fd, &cfg));
    serving_run(&s, srv);
    for (int i = 0; i < 10; i++) {
        c[i] = server_connect(srv);
        server_check_echo(c[i], "inherited");
    }
    for (int i = 0; i < 10; i++)
        server_hang_up(c[i]);
    assert_int_equal(skt_server_stats(srv, stats, 2), 2);
    assert_int_equal(stats[0].connections + stats[1].connections, 10);
    /* The server owns the fd: its close closes it. */
    serving_stop(&s);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
}

static void test_server_new_from_fd_leaves_a_refused_fd_alone(void **state)
{
    skt_server_config cfg = server_echo_config(SKT_SERVER_EVENTS);
    skt_os_socket quiet = raw_socket(SOCK_STREAM, false);
    skt_os_socket datagram = raw_socket(SOCK_DGRAM, false);
    int flags = fcntl(quiet, F_GETFL), pipe_fds[2];
    skt_server *srv;

    (void)state;
    assert_int_equal(skt_server_new_from_fd(&srv, quiet, &cfg), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "not listening"));
    assert_int_equal(fcntl(quiet, F_GETFL), flags);
    assert_int_equal(skt_server_new_from_fd(&srv, datagram, &cfg), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "type"));
    assert_int_equal(pipe(pipe_fds), 0);
    assert_int_equal(skt_server_new_from_fd(&srv, pipe_fds[0], &cfg),
                     -ENOTSOCK);
    assert_int_equal(skt_server_new_from_fd(&srv, -1, &cfg), -EINVAL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    assert_int_equal(close(quiet), 0);
    assert_int_equal(close(datagram), 0);
    assert_int_equal(skt_server_new_from_fd(&srv, quiet, &cfg), -EBADF);
}

/* ------------------------------------------------------------------------ */
/* The example, started as a service                                        */
/* ------------------------------------------------------------------------ */

static void skip_without_example(void)
{
    if (access(EXAMPLE, X_OK) != 0)
        SKT_SKIP("the example %s is not built (SKT_BUILD_EXAMPLES=OFF)",
                 EXAMPLE);
}

/* Echo through a client of port, then SIGTERM: the example drains, says
 * so and exits 0. */
static void talk_then_drain(pid_t pid, int out, int port)
{
    char line[256], address[32];
    skt_socket *c;
    skt_addr a;
    int status;
    bool drained = false;

    snprintf(address, sizeof address, "127.0.0.1:%d", port);
    SKT_OK(skt_addr_parse(&a, address));
    for (int i = 0; i < 5; i++) {
        SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
        SKT_OK(skt_settimeout(c, 5.0));
        SKT_OK(skt_connect(c, &a));
        server_check_echo(c, "activated");
        skt_close(c);
    }
    assert_int_equal(kill(pid, SIGTERM), 0);
    while (skt_test_read_line(out, line, sizeof line, 5.0) >= 0)
        drained = drained || strcmp(line, "drained") == 0;
    assert_true(drained);
    status = skt_test_wait(pid, 5.0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The service manager's part: the listener at fd 3, the variables set
 * for the pid that execs the example. */
static pid_t start_as_service(skt_os_socket listener, int *out)
{
    int fds[2];
    pid_t pid;

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[] = {EXAMPLE, "-w", "2", "-d", "3", NULL};
        dup2(fds[1], STDOUT_FILENO);
        dup2(listener, 3);
        set_variables("1", (long)getpid(), "echo");
        execv(EXAMPLE, argv);
        _exit(127);
    }
    close(fds[1]);
    *out = fds[0];
    return pid;
}

static void test_activated_example_serves_the_passed_listener(void **state)
{
    skt_os_socket listener;
    skt_socket *s;
    skt_addr a;
    char line[256], want[128];
    int out, port;
    pid_t pid;

    (void)state;
    skip_without_example();
    listener = raw_socket(SOCK_STREAM, true);
    SKT_OK(skt_from_fd(&s, listener));
    SKT_OK(skt_getsockname(s, &a));
    port = skt_addr_port(&a);
    pid = start_as_service(listener, &out);
    /* The service holds the only copy now. */
    SKT_OK(skt_close(s));
    assert_true(skt_test_read_line(out, line, sizeof line, 5.0) > 0);
    snprintf(want, sizeof want, "listening on 127.0.0.1:%d (fd 3, echo, "
             "from the service manager)", port);
    assert_string_equal(line, want);
    talk_then_drain(pid, out, port);
    close(out);
}

/* A port free now (bound to 0, then closed, never connected). */
static int free_port(void)
{
    skt_os_socket fd = raw_socket(SOCK_STREAM, false);
    skt_socket *s;
    skt_addr a;
    int port;

    SKT_OK(skt_from_fd(&s, fd));
    SKT_OK(skt_getsockname(s, &a));
    port = skt_addr_port(&a);
    SKT_OK(skt_close(s));
    return port;
}

static void test_activated_example_under_systemd_socket_activate(
    void **state)
{
    char listen_at[40], line[256], want[128];
    char *argv[] = {"systemd-socket-activate", "-l", listen_at,
                    "--fdname=echo", EXAMPLE, NULL};
    int out, port = free_port();
    skt_socket *c = NULL;
    skt_addr a;
    pid_t pid;

    (void)state;
    skip_without_example();
    if (system("command -v systemd-socket-activate >/dev/null 2>&1") != 0)
        SKT_SKIP("systemd-socket-activate is not installed (Debian's "
                 "systemd package)");
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", port);
    pid = skt_test_spawn(argv, &out);
    /* It execs the example at the first connection: until it listens,
     * connecting is refused. */
    SKT_OK(skt_addr_parse(&a, listen_at));
    for (double until = skt_test_now() + 5.0; skt_test_now() < until;) {
        SKT_OK(skt_open(&c, AF_INET, SOCK_STREAM, 0));
        SKT_OK(skt_settimeout(c, 5.0));
        if (skt_connect(c, &a) == 0)
            break;
        skt_close(c);
        c = NULL;
        usleep(20000);
    }
    assert_non_null(c);
    server_check_echo(c, "first");
    skt_close(c);
    assert_true(skt_test_read_line(out, line, sizeof line, 5.0) > 0);
    snprintf(want, sizeof want, "listening on %s (fd 3, echo, from the "
             "service manager)", listen_at);
    assert_string_equal(line, want);
    talk_then_drain(pid, out, port);
    close(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_listen_fds_without_variables_is_not_activated),
    cmocka_unit_test(test_listen_fds_takes_the_passed_fds),
    cmocka_unit_test(test_listen_fds_keeps_the_variables_when_asked),
    cmocka_unit_test(test_listen_fds_refuses_a_wrong_pid_and_bad_counts),
    cmocka_unit_test(test_listen_fds_refuses_fds_that_are_not_sockets),
    cmocka_unit_test(test_server_new_from_fd_serves_an_inherited_listener),
    cmocka_unit_test(test_server_new_from_fd_leaves_a_refused_fd_alone),
    cmocka_unit_test(test_activated_example_serves_the_passed_listener),
    cmocka_unit_test(test_activated_example_under_systemd_socket_activate),
};

SKT_TEST_MAIN(tests)
