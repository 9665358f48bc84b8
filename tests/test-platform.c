/*
 * test-platform.c - what each platform provides in its own way, checked
 * against that platform's promise: close-on-exec and the mode on every
 * new fd (SOCK_CLOEXEC and accept4 on Linux, fcntl right after the call
 * on POSIX), no SIGPIPE from any send (MSG_NOSIGNAL, or SIGPIPE held
 * back), a forked child's exit as a readable fd (pidfd, or a pipe), the
 * selector backends, and the Linux-only features that the posix platform
 * refuses with a code and a detail.
 */
#include "harness.h"
#include "internal.h"
#include "sys_int.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SKT_PLATFORM_POSIX
static const bool posix = true;
#else
static const bool posix = false;
#endif

/* What skt_proto says of a UDP socket from skt_from_fd: 0 where the
 * system cannot say (no SO_PROTOCOL). */
#ifdef SO_PROTOCOL
static const int readable_protocol = IPPROTO_UDP;
#else
static const int readable_protocol = 0;
#endif

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static bool is_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    assert_true(flags >= 0);
    return (flags & FD_CLOEXEC) != 0;
}

static bool is_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    assert_true(flags >= 0);
    return (flags & O_NONBLOCK) != 0;
}

static bool detail_has(const char *word)
{
    return strstr(skt_error_detail(), word) != NULL;
}

static bool sigpipe_pending(void)
{
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    return sigismember(&pending, SIGPIPE) == 1;
}

/* Waits up to seconds for fd to be readable. */
static bool readable_within(int fd, double seconds)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, (int)(seconds * 1000)) == 1;
}

/* ------------------------------------------------------------------------ */
/* New fds                                                                  */
/* ------------------------------------------------------------------------ */

static void test_new_socket_is_cloexec_and_blocking(void **state)
{
    skt_socket *s;

    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_true(is_cloexec(skt_test_fd(s)));
    assert_false(is_nonblocking(skt_test_fd(s)));
    SKT_OK(skt_close(s));
}

static void test_sock_nonblock_type_makes_a_nonblocking_socket(void **state)
{
    skt_socket *s;

    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    assert_true(is_cloexec(skt_test_fd(s)));
    assert_true(is_nonblocking(skt_test_fd(s)));
    assert_true(skt_gettimeout(s) == 0.0);
    assert_int_equal(skt_type(s), SOCK_DGRAM);
    SKT_OK(skt_close(s));
}

static void test_socketpair_ends_are_cloexec(void **state)
{
    skt_socket *a, *b;

    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_true(is_cloexec(skt_test_fd(a)));
    assert_true(is_cloexec(skt_test_fd(b)));
    SKT_OK(skt_close(a));
    SKT_OK(skt_close(b));
}

/* Whatever the listener's mode: Linux's accept4 never inherits O_NONBLOCK;
 * BSD's accept would, so the posix platform sets the flags outright. */
static void test_accepted_socket_is_cloexec_and_blocking(void **state)
{
    skt_socket *listener, *client, *conn;
    skt_addr addr;
    int port;

    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_settimeout(listener, 5.0));
    assert_true(is_nonblocking(skt_test_fd(listener)));
    SKT_OK(skt_addr_from_ip(&addr, "127.0.0.1", port));
    SKT_OK(skt_open(&client, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_connect(client, &addr));
    SKT_OK(skt_accept(listener, &conn, NULL));
    assert_true(is_cloexec(skt_test_fd(conn)));
    assert_false(is_nonblocking(skt_test_fd(conn)));
    assert_true(skt_gettimeout(conn) < 0);
    SKT_OK(skt_close(conn));
    SKT_OK(skt_close(client));
    SKT_OK(skt_close(listener));
}

static void test_from_fd_reads_family_type_and_protocol(void **state)
{
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    skt_socket *s;

    (void)state;
    assert_true(fd >= 0);
    SKT_OK(skt_from_fd(&s, fd));
    assert_int_equal(skt_family(s), AF_INET6);
    assert_int_equal(skt_type(s), SOCK_DGRAM);
    assert_int_equal(skt_proto(s), readable_protocol);
    SKT_OK(skt_close(s));
}

/* ------------------------------------------------------------------------ */
/* SIGPIPE                                                                  */
/* ------------------------------------------------------------------------ */

/* SIGPIPE keeps its default action (ending the process) here: a send
 * that raised it would end this case's process. */
static void test_sends_to_a_closed_peer_give_epipe_and_no_sigpipe(
    void **state)
{
    skt_socket *a, *b;
    char byte = 'x';
    struct iovec iov = {&byte, 1};
    skt_msg m = {.iov = &iov, .iovlen = 1};

    (void)state;
    assert_true(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_close(b));
    assert_int_equal(skt_send(a, "x", 1, 0), -EPIPE);
    assert_int_equal(skt_sendto(a, "x", 1, 0, NULL), -EPIPE);
    assert_int_equal(skt_sendmsg(a, &m, 0), -EPIPE);
    assert_false(sigpipe_pending());
    SKT_OK(skt_close(a));
}

/* A SIGPIPE that was pending before the call is the caller's: a send
 * that fails with EPIPE leaves it pending. */
static void test_a_sigpipe_pending_before_the_send_stays_pending(
    void **state)
{
    static const struct timespec no_wait = {0, 0};
    sigset_t pipe_only, old;
    skt_socket *a, *b;

    (void)state;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &pipe_only, &old), 0);
    assert_int_equal(pthread_kill(pthread_self(), SIGPIPE), 0);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_close(b));
    assert_int_equal(skt_send(a, "x", 1, 0), -EPIPE);
    assert_true(sigpipe_pending());
    assert_int_equal(sigtimedwait(&pipe_only, NULL, &no_wait), SIGPIPE);
    assert_false(sigpipe_pending());
    assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
    SKT_OK(skt_close(a));
}

/* ------------------------------------------------------------------------ */
/* A forked child's exit as an fd                                           */
/* ------------------------------------------------------------------------ */

static void test_watched_fork_exit_fd_reads_once_the_child_exits(
    void **state)
{
    int exit_fd, status, go[2];
    pid_t pid;
    char byte;

    (void)state;
    assert_int_equal(pipe(go), 0);
    pid = skt__sys_fork_watched(&exit_fd);
    assert_true(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        _exit(read(go[0], &byte, 1) == 1 ? 3 : 4);
    }
    close(go[0]);
    assert_true(exit_fd >= 0);
    assert_true(is_cloexec(exit_fd));
    assert_false(readable_within(exit_fd, 0.2));
    assert_int_equal(write(go[1], "x", 1), 1);
    assert_true(readable_within(exit_fd, 5.0));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    close(exit_fd);
    close(go[1]);
}

/* A fork-mode handler that becomes another program: its exit pipe (on
 * the posix platform) reads as closed at the exec, long before the end. */
static int exec_sleep(skt_server *srv, skt_socket *conn,
                      const skt_addr *client, void *user)
{
    (void)srv, (void)conn, (void)client, (void)user;
    execl("/bin/sh", "sh", "-c", "sleep 0.3", (char *)NULL);
    return -errno;
}

static void *serve(void *srv)
{
    skt_server_serve_forever(srv);
    return NULL;
}

/* Waits up to 5 s for the server to have count connections. */
static bool connections_reach(skt_server *srv, int count)
{
    double start = skt_test_now();

    while (skt_server_connections(srv) != count) {
        if (skt_test_now() - start > 5.0)
            return false;
        usleep(2000);
    }
    return true;
}

static void test_fork_child_that_execs_is_reaped_without_spinning(
    void **state)
{
    skt_server_config cfg = {.mode = SKT_SERVER_FORK, .handle = exec_sleep};
    skt_server_worker_stats stats;
    skt_server *srv;
    skt_socket *client;
    pthread_t thread;
    double start;
    skt_addr a;

    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_server_new(&srv, &a, &cfg));
    SKT_OK(skt_server_address(srv, &a));
    assert_int_equal(pthread_create(&thread, NULL, serve, srv), 0);
    SKT_OK(skt_open(&client, AF_INET, SOCK_STREAM, 0));
    start = skt_test_now();
    SKT_OK(skt_connect(client, &a));
    assert_true(connections_reach(srv, 1));
    assert_true(connections_reach(srv, 0));
    assert_true(skt_test_now() - start >= 0.25);
    assert_int_equal(skt_server_stats(srv, &stats, 1), 1);
    print_message("%llu wake-ups while the program ran\n",
                  (unsigned long long)stats.wakeups);
    assert_true(stats.wakeups < 100);
    SKT_OK(skt_server_shutdown(srv));
    assert_int_equal(pthread_join(thread, NULL), 0);
    SKT_OK(skt_server_close(srv));
    SKT_OK(skt_close(client));
}

/* ------------------------------------------------------------------------ */
/* The platform's answers                                                   */
/* ------------------------------------------------------------------------ */

static void test_platform_names_the_build(void **state)
{
    (void)state;
    assert_string_equal(skt_platform(), posix ? "posix" : "linux");
}

static void test_default_selector_is_the_platforms_best(void **state)
{
    skt_selector *sel;

    (void)state;
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    assert_string_equal(skt_selector_backend_name(sel),
                        posix ? "poll" : "epoll");
    SKT_OK(skt_selector_close(sel));
}

static void test_epoll_backend_exists_only_on_linux(void **state)
{
    skt_selector *sel = NULL;
    int rc = skt_selector_new(&sel, SKT_SELECTOR_EPOLL);

    (void)state;
    if (posix) {
        assert_int_equal(rc, -ENOTSUP);
        assert_null(sel);
        assert_true(detail_has("posix"));
        return;
    }
    SKT_OK(rc);
    assert_string_equal(skt_selector_backend_name(sel), "epoll");
    SKT_OK(skt_selector_close(sel));
}

static void test_abstract_unix_names_exist_only_on_linux(void **state)
{
    skt_addr a;
    int rc = skt_addr_parse(&a, "unix:@skt-platform");

    (void)state;
    if (posix) {
        assert_int_equal(rc, -EAFNOSUPPORT);
        assert_true(detail_has("abstract"));
        assert_int_equal(skt_addr_from_unix(&a, "x", 1, true),
                         -EAFNOSUPPORT);
        return;
    }
    SKT_OK(rc);
    assert_int_equal(a.u.sa.sa_family, AF_UNIX);
}

static void test_netlink_exists_only_on_linux(void **state)
{
    skt_addr a;
    skt_socket *s;
    int rc = skt_addr_parse(&a, "netlink:0:0");

    (void)state;
    if (posix) {
        assert_int_equal(rc, -EAFNOSUPPORT);
        assert_true(detail_has("Linux"));
        assert_int_equal(skt_open(&s, AF_NETLINK, SOCK_RAW, 0),
                         -EAFNOSUPPORT);
        return;
    }
    SKT_OK(rc);
    SKT_OK(skt_open(&s, AF_NETLINK, SOCK_RAW, 0));
    SKT_OK(skt_close(s));
}

static void test_peer_credentials_exist_only_on_linux(void **state)
{
    skt_socket *a, *b;
    skt_cred cred;
    unsigned char room[64];
    skt_ancbuf anc = {room, sizeof room, 0};
    int rc;

    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    rc = skt_getpeercred(a, &cred);
    if (posix) {
        assert_int_equal(rc, -EOPNOTSUPP);
        assert_true(detail_has("SO_PEERCRED"));
        assert_int_equal(skt_ancbuf_add_creds(&anc, NULL), -EOPNOTSUPP);
    } else {
        SKT_OK(rc);
        assert_int_equal(cred.pid, getpid());
        SKT_OK(skt_ancbuf_add_creds(&anc, NULL));
    }
    SKT_OK(skt_close(a));
    SKT_OK(skt_close(b));
}

static void test_strerror_knows_codes_outside_the_table(void **state)
{
    (void)state;
    assert_string_equal(skt_strerror(-EXDEV), strerror(EXDEV));
    assert_string_equal(skt_errname(-EXDEV), posix ? "UNKNOWN" : "EXDEV");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platform_names_the_build),
        cmocka_unit_test(test_new_socket_is_cloexec_and_blocking),
        cmocka_unit_test(test_sock_nonblock_type_makes_a_nonblocking_socket),
        cmocka_unit_test(test_socketpair_ends_are_cloexec),
        cmocka_unit_test(test_accepted_socket_is_cloexec_and_blocking),
        cmocka_unit_test(test_from_fd_reads_family_type_and_protocol),
        cmocka_unit_test(test_sends_to_a_closed_peer_give_epipe_and_no_sigpipe),
        cmocka_unit_test(test_a_sigpipe_pending_before_the_send_stays_pending),
        cmocka_unit_test(test_watched_fork_exit_fd_reads_once_the_child_exits),
        cmocka_unit_test(test_fork_child_that_execs_is_reaped_without_spinning),
        cmocka_unit_test(test_default_selector_is_the_platforms_best),
        cmocka_unit_test(test_epoll_backend_exists_only_on_linux),
        cmocka_unit_test(test_abstract_unix_names_exist_only_on_linux),
        cmocka_unit_test(test_netlink_exists_only_on_linux),
        cmocka_unit_test(test_peer_credentials_exist_only_on_linux),
        cmocka_unit_test(test_strerror_knows_codes_outside_the_table),
    };
    return skt_test_main(__FILE__, tests, sizeof tests / sizeof tests[0],
                         argc, argv);
}
