/*
 * test-socket.c - the socket object: creation, ownership, close-on-exec,
 * the three modes and their getters, options, bind/listen/accept/connect
 * and their errors; skt_accept_retry's back-off.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static bool fd_nonblocking(const skt_socket *s)
{
    return (fcntl(skt_test_fd(s), F_GETFL) & O_NONBLOCK) != 0;
}

static bool fd_cloexec(int fd)
{
    return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* ------------------------------------------------------------------------ */
/* Creation and ownership                                                   */
/* ------------------------------------------------------------------------ */

static void test_open_reports_family_type_proto(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET6, SOCK_DGRAM, 0));
    assert_int_equal(skt_family(s), AF_INET6);
    assert_int_equal(skt_type(s), SOCK_DGRAM);
    assert_int_equal(skt_proto(s), 0);
    assert_true(skt_test_fd(s) >= 0);
    SKT_OK(skt_close(s));
}

static void test_open_masks_type_flags(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    assert_int_equal(skt_type(s), SOCK_STREAM);
    /* Created non-blocking, so it starts in non-blocking mode. */
    assert_true(skt_gettimeout(s) == 0.0);
    assert_true(fd_nonblocking(s));
    SKT_OK(skt_close(s));
}

static void test_open_bad_family_fails_with_detail(void **state)
{
    skt_socket *s = (skt_socket *)&s;
    (void)state;
    assert_int_equal(skt_open(&s, 9999, SOCK_STREAM, 0), -EAFNOSUPPORT);
    assert_null(s);
    assert_non_null(strstr(skt_error_detail(), "socket(family 9999"));
}

static void test_open_null_out_is_einval(void **state)
{
    (void)state;
    assert_int_equal(skt_open(NULL, AF_INET, SOCK_STREAM, 0), -EINVAL);
    assert_true(strlen(skt_error_detail()) > 0);
}

static void test_every_created_fd_is_cloexec(void **state)
{
    skt_socket *a, *b, *listener, *client, *server, *copy;
    int port;
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_true(fd_cloexec(skt_test_fd(a)));
    assert_true(fd_cloexec(skt_test_fd(b)));
    SKT_OK(skt_dup(a, &copy));
    assert_true(fd_cloexec(skt_test_fd(copy)));
    skt_test_tcp_listener(&listener, &port);
    assert_true(fd_cloexec(skt_test_fd(listener)));
    skt_close(listener);
    skt_test_tcp_pair(&client, &server);
    assert_true(fd_cloexec(skt_test_fd(client)));
    assert_true(fd_cloexec(skt_test_fd(server))); /* from accept4 */
    assert_int_equal(skt_get_inheritable(server), 0);
    skt_close(a);
    skt_close(b);
    skt_close(copy);
    skt_close(client);
    skt_close(server);
}

static void test_set_inheritable_toggles_cloexec(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_get_inheritable(s), 0);
    SKT_OK(skt_set_inheritable(s, true));
    assert_int_equal(skt_get_inheritable(s), 1);
    assert_false(fd_cloexec(skt_test_fd(s)));
    SKT_OK(skt_set_inheritable(s, false));
    assert_true(fd_cloexec(skt_test_fd(s)));
    skt_close(s);
}

static void test_from_fd_detects_family_type_proto(void **state)
{
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    skt_socket *s;
    (void)state;
    assert_true(fd >= 0);
    SKT_OK(skt_from_fd(&s, fd));
    assert_int_equal(skt_test_fd(s), fd);
    assert_int_equal(skt_family(s), AF_INET6);
    assert_int_equal(skt_type(s), SOCK_DGRAM);
    assert_int_equal(skt_proto(s), IPPROTO_UDP);
    skt_close(s);
}

static void test_from_fd_rejects_non_socket_and_keeps_fd(void **state)
{
    int fds[2];
    skt_socket *s;
    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(skt_from_fd(&s, fds[0]), -ENOTSOCK);
    assert_null(s);
    /* The fd still belongs to the caller. */
    assert_int_equal(fcntl(fds[0], F_GETFD) >= 0, 1);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(skt_from_fd(&s, -1), -EBADF);
}

static void test_from_fd_nonblocking_fd_reports_nonblocking(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    skt_socket *s;
    (void)state;
    SKT_OK(skt_from_fd(&s, fd));
    assert_true(skt_gettimeout(s) == 0.0);
    assert_false(skt_getblocking(s));
    skt_close(s);
}

static void test_from_fd_takes_default_timeout(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    skt_socket *s;
    (void)state;
    SKT_OK(skt_setdefaulttimeout(2.5));
    SKT_OK(skt_from_fd(&s, fd));
    assert_true(skt_gettimeout(s) == 2.5);
    assert_true(fd_nonblocking(s));
    skt_close(s);
}

static void test_detach_returns_open_fd(void **state)
{
    skt_socket *s;
    int fd, family;
    socklen_t len = sizeof family;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_detach(s, &fd));
    assert_true(fd >= 0);
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len),
                     0);
    assert_int_equal(family, AF_INET);
    close(fd);
}

static void test_handle_calls_give_the_handle_apart_from_the_code(void **state)
{
    skt_socket *s;
    skt_os_socket fd = SKT_INVALID_SOCKET, same = SKT_INVALID_SOCKET;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_fileno(s, &fd));
    assert_true(fd >= 0);
    assert_int_equal(skt_fileno(NULL, &fd), -EINVAL);
    assert_int_equal(skt_fileno(s, NULL), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "NULL"));
    /* A refused detach leaves the socket whole. */
    assert_int_equal(skt_detach(s, NULL), -EINVAL);
    assert_int_equal(skt_detach(NULL, &same), -EINVAL);
    assert_int_equal(same, SKT_INVALID_SOCKET);
    SKT_OK(skt_fileno(s, &same));
    assert_int_equal(same, fd);
    SKT_OK(skt_detach(s, &same));
    assert_int_equal(same, fd);
    assert_true(fcntl(fd, F_GETFD) >= 0); /* still open: the caller's now */
    close(fd);
}

static void test_dup_copies_kind_and_timeout(void **state)
{
    skt_socket *s, *copy;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_settimeout(s, 1.5));
    SKT_OK(skt_dup(s, &copy));
    assert_int_not_equal(skt_test_fd(copy), skt_test_fd(s));
    assert_int_equal(skt_family(copy), AF_INET);
    assert_int_equal(skt_type(copy), SOCK_DGRAM);
    assert_true(skt_gettimeout(copy) == 1.5);
    skt_close(s);
    skt_close(copy);
}

static void test_close_null_is_noop(void **state)
{
    (void)state;
    assert_int_equal(skt_close(NULL), 0);
}

static void test_close_ignores_econnreset(void **state)
{
    skt_socket *s;
    int fd;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    fd = skt_test_fd(s);
    skt__sys_inject(SKT__OP_CLOSE, -ECONNRESET, 0, 1, 0);
    assert_int_equal(skt_close(s), 0);
    skt__sys_inject_clear();
    /* The fd was really closed, once. */
    assert_int_equal(fcntl(fd, F_GETFD), -1);
}

static void test_socketpair_defaults_to_unix_stream(void **state)
{
    skt_socket *a, *b;
    char buf[4];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, 0, 0, 0));
    assert_int_equal(skt_family(a), AF_UNIX);
    assert_int_equal(skt_type(b), SOCK_STREAM);
    assert_int_equal(skt_send(a, "ping", 4, 0), 4);
    assert_int_equal(skt_recv(b, buf, 4, 0), 4);
    assert_memory_equal(buf, "ping", 4);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Modes                                                                    */
/* ------------------------------------------------------------------------ */

static void test_new_socket_is_blocking_by_default(void **state)
{
    skt_socket *s;
    (void)state;
    assert_true(skt_getdefaulttimeout() == SKT_BLOCKING);
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    assert_true(skt_getblocking(s));
    assert_false(fd_nonblocking(s));
    skt_close(s);
}

static void test_settimeout_modes_and_getters(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));

    SKT_OK(skt_settimeout(s, 0.0));
    assert_true(skt_gettimeout(s) == 0.0);
    assert_false(skt_getblocking(s));
    assert_true(fd_nonblocking(s));

    SKT_OK(skt_settimeout(s, 2.0));
    assert_true(skt_gettimeout(s) == 2.0);
    assert_true(skt_getblocking(s)); /* Python: gettimeout() != 0 */
    assert_true(fd_nonblocking(s));

    SKT_OK(skt_settimeout(s, SKT_BLOCKING));
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    assert_true(skt_getblocking(s));
    assert_false(fd_nonblocking(s));
    skt_close(s);
}

static void test_setblocking_is_settimeout_none_or_zero(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 3.0));
    SKT_OK(skt_setblocking(s, false));
    assert_true(skt_gettimeout(s) == 0.0);
    SKT_OK(skt_setblocking(s, true));
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    skt_close(s);
}

static void test_settimeout_rejects_invalid_values(void **state)
{
    const double bad[] = {-2.0, -0.5, NAN, INFINITY, -INFINITY};
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 4.0));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(skt_settimeout(s, bad[i]), -EINVAL);
        assert_non_null(strstr(skt_error_detail(), "settimeout"));
        assert_true(skt_gettimeout(s) == 4.0); /* unchanged */
        assert_int_equal(skt_setdefaulttimeout(bad[i]), -EINVAL);
        assert_true(skt_getdefaulttimeout() == SKT_BLOCKING);
    }
    skt_close(s);
}

static void *send_a_byte_later(void *arg)
{
    usleep(200000);
    skt_send(arg, "x", 1, 0);
    return NULL;
}

/* Blocks in recv on b, under its timeout, until a byte sent on a from
 * another thread 0.2 s later arrives; returns the seconds it waited. */
static double recv_waiting_for_a_late_byte(skt_socket *a, skt_socket *b)
{
    pthread_t thread;
    double start;
    char c = 0;

    assert_int_equal(pthread_create(&thread, NULL, send_a_byte_later, a), 0);
    start = skt_test_now();
    assert_int_equal(skt_recv(b, &c, 1, 0), 1);
    pthread_join(thread, NULL);
    assert_int_equal(c, 'x');
    return skt_test_now() - start;
}

/* Python takes settimeout(5e9); so does skt, and any finite value past
 * the clock's reach waits practically forever: recv really waits for a
 * byte that comes late, instead of timing out (or not waiting) at once. */
static void test_settimeout_accepts_a_huge_finite_value(void **state)
{
    skt_socket *a, *b;
    double waited;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 5e9));
    assert_true(skt_gettimeout(b) == 5e9);
    waited = recv_waiting_for_a_late_byte(a, b);
    assert_true(waited >= 0.19 && waited < 2.0);
    SKT_OK(skt_settimeout(b, 1e300));
    assert_true(skt_gettimeout(b) == 1e300);
    waited = recv_waiting_for_a_late_byte(a, b);
    assert_true(waited >= 0.19 && waited < 2.0);
    SKT_OK(skt_setdefaulttimeout(5e9));
    assert_true(skt_getdefaulttimeout() == 5e9);
    SKT_OK(skt_setdefaulttimeout(SKT_BLOCKING));
    skt_close(a);
    skt_close(b);
}

/* Python's getblocking() is gettimeout() != 0: timeout mode is blocking. */
static void test_getblocking_is_true_in_timeout_mode(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 0.5));
    assert_true(skt_getblocking(s));
    SKT_OK(skt_settimeout(s, 0));
    assert_false(skt_getblocking(s));
    skt_close(s);
}

static void test_default_timeout_applies_to_new_sockets(void **state)
{
    skt_socket *s, *a, *b;
    (void)state;
    SKT_OK(skt_setdefaulttimeout(0.75));
    assert_true(skt_getdefaulttimeout() == 0.75);
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_true(skt_gettimeout(s) == 0.75);
    assert_true(skt_gettimeout(a) == 0.75);
    assert_true(skt_gettimeout(b) == 0.75);
    assert_true(fd_nonblocking(s));
    SKT_OK(skt_setdefaulttimeout(SKT_BLOCKING));
    /* Existing sockets keep their mode. */
    assert_true(skt_gettimeout(s) == 0.75);
    skt_close(s);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* accept                                                                   */
/* ------------------------------------------------------------------------ */

/* Connects to the listener and accepts, returning the accepted socket. */
static skt_socket *accept_one(skt_socket *listener, skt_socket **client)
{
    skt_addr a, peer;
    skt_socket *conn;
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(client, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(*client, 5.0));
    SKT_OK(skt_connect(*client, &a));
    SKT_OK(skt_accept(listener, &conn, &peer));
    SKT_OK(skt_getsockname(*client, &a));
    assert_true(skt_addr_equal(&a, &peer));
    return conn;
}

static void test_accept_timeout_listener_gives_blocking_conn(void **state)
{
    skt_socket *listener, *client, *conn;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_settimeout(listener, 2.0));
    conn = accept_one(listener, &client);
    /* Default timeout is None: the accepted socket is blocking. */
    assert_true(skt_gettimeout(conn) == SKT_BLOCKING);
    assert_false(fd_nonblocking(conn));
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
}

static void test_accept_nonblocking_listener_gives_blocking_conn(void **state)
{
    skt_socket *listener, *client, *conn;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_setblocking(listener, false));
    {
        skt_addr a;
        SKT_OK(skt_getsockname(listener, &a));
        SKT_OK(skt_open(&client, AF_INET, SOCK_STREAM, 0));
        SKT_OK(skt_connect(client, &a));
    }
    /* The connection is queued by the time connect returns on loopback. */
    SKT_OK(skt_accept(listener, &conn, NULL));
    assert_true(skt_gettimeout(conn) == SKT_BLOCKING);
    assert_false(fd_nonblocking(conn));
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
}

static void test_accept_conn_takes_default_timeout(void **state)
{
    skt_socket *listener, *client, *conn;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_setdefaulttimeout(3.0));
    conn = accept_one(listener, &client);
    assert_true(skt_gettimeout(conn) == 3.0);
    assert_true(fd_nonblocking(conn));
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
}

static void test_accept_nonblocking_without_client_is_eagain(void **state)
{
    skt_socket *listener, *conn = (skt_socket *)&conn;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_setblocking(listener, false));
    assert_int_equal(skt_accept(listener, &conn, NULL), -EAGAIN);
    assert_null(conn);
    assert_non_null(strstr(skt_error_detail(), "accept on 127.0.0.1:"));
    skt_close(listener);
}

static void test_accept_times_out_at_deadline(void **state)
{
    skt_socket *listener, *conn;
    int port;
    double start, elapsed;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_settimeout(listener, 0.3));
    start = skt_test_now();
    assert_int_equal(skt_accept(listener, &conn, NULL), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.3);
    assert_true(elapsed < 0.8);
    skt_close(listener);
}

/* ------------------------------------------------------------------------ */
/* accept_retry                                                             */
/* ------------------------------------------------------------------------ */

/* What on_pause heard. */
struct pauses {
    int count;
    int code;
    double seconds[32];
};

static void note_pause(skt_socket *listener, int code, double seconds,
                       void *user)
{
    struct pauses *p = user;
    (void)listener;
    assert_non_null(strstr(skt_error_detail(), "accepting again within"));
    p->code = code;
    if (p->count < 32)
        p->seconds[p->count] = seconds;
    p->count++;
}

/* The pauses of the back-off: 10 ms, doubling, at most 1 s. */
static double nth_pause(int n)
{
    double seconds = 0.01;
    while (n-- > 0)
        seconds = seconds * 2 < 1.0 ? seconds * 2 : 1.0;
    return seconds;
}

/* A client connected to the listener, its connection queued. */
static skt_socket *queued_client(skt_socket *listener)
{
    skt_socket *client;
    skt_addr a;

    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&client, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(client, 5.0));
    SKT_OK(skt_connect(client, &a));
    return client;
}

/* Lowers the soft RLIMIT_NOFILE to just above the fds open, then takes
 * every fd left; returns how many it holds in fds. */
static int use_up_fds(int *fds, int max, struct rlimit *saved)
{
    struct rlimit low;
    int held = 0;

    assert_int_equal(getrlimit(RLIMIT_NOFILE, saved), 0);
    low = *saved;
    low.rlim_cur = (rlim_t)skt_test_count_fds() + 8;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    while (held < max && (fds[held] = dup(0)) >= 0)
        held++;
    assert_true(held < max);
    return held;
}

static void give_back_fds(int *fds, int held, const struct rlimit *saved)
{
    while (held > 0)
        close(fds[--held]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, saved), 0);
}

struct later {
    int fd;
    skt_socket *sock;
    useconds_t after;
};

static void *close_later(void *arg)
{
    struct later *l = arg;
    usleep(l->after);
    close(l->fd);
    return NULL;
}

static void *shut_down_later(void *arg)
{
    struct later *l = arg;
    usleep(l->after);
    skt_shutdown(l->sock, SHUT_RDWR);
    return NULL;
}

static void test_accept_retry_waits_out_emfile_then_accepts(void **state)
{
    skt_accept_backoff backoff = {.on_pause = note_pause};
    struct pauses pauses = {0};
    skt_socket *listener, *client, *conn;
    skt_addr peer, expected;
    struct rlimit saved;
    struct later later;
    pthread_t thread;
    int fds[64], held, port;
    double begin, elapsed;

    (void)state;
    backoff.user = &pauses;
    skt_test_tcp_listener(&listener, &port);
    client = queued_client(listener);
    held = use_up_fds(fds, 64, &saved);
    /* Out of fds: a plain accept fails at once. */
    assert_int_equal(skt_accept(listener, &conn, NULL), -EMFILE);
    /* Another thread frees one fd after 50 ms; the call waits it out. */
    later = (struct later){.fd = fds[--held], .after = 50000};
    assert_int_equal(pthread_create(&thread, NULL, close_later, &later), 0);
    begin = skt_test_now();
    SKT_OK(skt_accept_retry(listener, &conn, &peer, &backoff));
    elapsed = skt_test_now() - begin;
    pthread_join(thread, NULL);
    give_back_fds(fds, held, &saved);
    assert_true(elapsed >= 0.045);
    assert_true(elapsed < 2.0);
    assert_true(pauses.count >= 1);
    assert_int_equal(pauses.code, -EMFILE);
    assert_true(pauses.seconds[0] == 0.01);
    for (int i = 1; i < pauses.count && i < 32; i++)
        assert_true(pauses.seconds[i] == nth_pause(i));
    /* Accepting worked, so the back-off starts over. */
    assert_true(backoff.pause == 0);
    SKT_OK(skt_getsockname(client, &expected));
    assert_true(skt_addr_equal(&peer, &expected));
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
}

static void test_accept_retry_timeout_bounds_the_backoff(void **state)
{
    skt_accept_backoff backoff = {.on_pause = note_pause};
    struct pauses pauses = {0};
    skt_socket *listener, *conn = (skt_socket *)&conn;
    double begin, elapsed;
    int port, rc;

    (void)state;
    backoff.user = &pauses;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_settimeout(listener, 0.2));
    /* Out of fds for good: 10 + 20 + 40 + 80 ms, then 160 ms cut to the
     * 50 ms the one deadline leaves. */
    skt__sys_inject(SKT__OP_ACCEPT, -EMFILE, 0, 1000, 0);
    begin = skt_test_now();
    rc = skt_accept_retry(listener, &conn, NULL, &backoff);
    elapsed = skt_test_now() - begin;
    skt__sys_inject_clear();
    assert_int_equal(rc, -ETIMEDOUT);
    assert_null(conn);
    assert_true(elapsed >= 0.2);
    assert_true(elapsed < 0.5);
    assert_true(pauses.count >= 3 && pauses.count <= 6);
    for (int i = 0; i < pauses.count; i++)
        assert_true(pauses.seconds[i] == nth_pause(i));
    assert_non_null(strstr(skt_error_detail(), "accept on 127.0.0.1:"));
    assert_non_null(strstr(skt_error_detail(), "out of fds"));
    /* The back-off goes on from there at the next call. */
    assert_true(backoff.pause == pauses.seconds[pauses.count - 1]);
    skt_close(listener);
}

static void test_accept_retry_treats_econnaborted_as_temporary(void **state)
{
    skt_accept_backoff backoff = {.on_pause = note_pause};
    struct pauses pauses = {0};
    skt_socket *listener, *client, *conn;
    int port;

    (void)state;
    backoff.user = &pauses;
    skt_test_tcp_listener(&listener, &port);
    client = queued_client(listener);
    /* skt_accept reports it, as Python's accept raises it... */
    skt__sys_inject(SKT__OP_ACCEPT, -ECONNABORTED, 0, 1, 0);
    assert_int_equal(skt_accept(listener, &conn, NULL), -ECONNABORTED);
    /* ...skt_accept_retry accepts the next connection at once. */
    skt__sys_inject(SKT__OP_ACCEPT, -ECONNABORTED, 0, 1, 0);
    SKT_OK(skt_accept_retry(listener, &conn, NULL, &backoff));
    skt__sys_inject_clear();
    assert_int_equal(pauses.count, 0);
    skt_close(conn);
    skt_close(client);
    assert_int_equal(skt_accept_retry(NULL, &conn, NULL, NULL), -EINVAL);
    assert_int_equal(skt_accept_retry(listener, NULL, NULL, NULL), -EINVAL);
    skt_close(listener);
}

static void test_accept_retry_nonblocking_returns_the_pause(void **state)
{
    skt_accept_backoff backoff = {.on_pause = note_pause};
    struct pauses pauses = {0};
    skt_socket *listener, *client, *conn;
    int port;

    (void)state;
    backoff.user = &pauses;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_setblocking(listener, false));
    /* Never a wait: each call says how long the caller should pause. */
    skt__sys_inject(SKT__OP_ACCEPT, -EMFILE, 0, 9, 0);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(skt_accept_retry(listener, &conn, NULL, &backoff),
                         -EMFILE);
        assert_true(backoff.pause == nth_pause(i));
    }
    skt__sys_inject_clear();
    assert_true(backoff.pause == 1.0);
    assert_non_null(strstr(skt_error_detail(), "within 1000 ms"));
    assert_int_equal(pauses.count, 9);
    /* Accepting works again: -EAGAIN, and the back-off is over. */
    assert_int_equal(skt_accept_retry(listener, &conn, NULL, &backoff),
                     -EAGAIN);
    assert_true(backoff.pause == 0);
    client = queued_client(listener);
    SKT_OK(skt_accept_retry(listener, &conn, NULL, &backoff));
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
}

static void test_accept_retry_pause_ends_when_listener_is_shut_down(
    void **state)
{
    skt_socket *listener, *conn;
    struct later later;
    pthread_t thread;
    double begin, elapsed;
    int port, rc;

    (void)state;
    skt_test_tcp_listener(&listener, &port);
    /* Without the wake-up, twelve pauses (over 6 s) would pass. */
    skt__sys_inject(SKT__OP_ACCEPT, -EMFILE, 0, 12, 0);
    later = (struct later){.sock = listener, .after = 100000};
    assert_int_equal(pthread_create(&thread, NULL, shut_down_later, &later),
                     0);
    begin = skt_test_now();
    rc = skt_accept_retry(listener, &conn, NULL, NULL);
    elapsed = skt_test_now() - begin;
    pthread_join(thread, NULL);
    skt__sys_inject_clear();
    assert_int_equal(rc, -EMFILE);
    assert_non_null(strstr(skt_error_detail(), "shut down"));
    assert_true(elapsed >= 0.09);
    assert_true(elapsed < 1.0);
    skt_close(listener);
}

/* ------------------------------------------------------------------------ */
/* connect, bind, listen                                                    */
/* ------------------------------------------------------------------------ */

/* A loopback port that nothing listens on (bound, then closed). */
static int closed_port(void)
{
    skt_socket *s;
    int port;
    skt_test_tcp_listener(&s, &port);
    skt_close(s);
    return port;
}

static void test_connect_refused_names_address(void **state)
{
    skt_socket *s;
    skt_addr a;
    char expected[64];
    int port = closed_port();
    (void)state;
    SKT_OK(skt_addr_from_ip(&a, "127.0.0.1", port));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_connect(s, &a), -ECONNREFUSED);
    snprintf(expected, sizeof expected,
             "connect to 127.0.0.1:%d: Connection refused", port);
    assert_string_equal(skt_error_detail(), expected);
    skt_close(s);
}

static void test_connect_refused_in_timeout_mode(void **state)
{
    skt_socket *s;
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_from_ip(&a, "127.0.0.1", closed_port()));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 2.0));
    /* The refusal arrives through SO_ERROR after poll. */
    assert_int_equal(skt_connect(s, &a), -ECONNREFUSED);
    assert_non_null(strstr(skt_error_detail(), "Connection refused"));
    skt_close(s);
}

static void test_connect_ex_returns_positive_errno(void **state)
{
    skt_socket *s;
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_from_ip(&a, "127.0.0.1", closed_port()));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_connect_ex(s, &a), ECONNREFUSED);
    skt_close(s);
}

static void test_connect_nonblocking_returns_einprogress(void **state)
{
    skt_socket *listener, *s;
    skt_addr a;
    int port, rc, error = -1;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_setblocking(s, false));
    rc = skt_connect(s, &a);
    assert_int_equal(rc, -EINPROGRESS);
    assert_non_null(strstr(skt_error_detail(), "connect to 127.0.0.1:"));
    SKT_OK(skt__wait(skt_test_fd(s), POLLOUT, skt__deadline(5.0)));
    SKT_OK(skt_getsockopt_int(s, SOL_SOCKET, SO_ERROR, &error));
    assert_int_equal(error, 0);
    skt_close(s);
    skt_close(listener);
}

static void test_connect_eintr_continues_same_attempt(void **state)
{
    skt_socket *listener, *s, *conn;
    skt_addr a;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    /* The injected EINTR comes after the kernel started connecting: a
     * restarted connect would fail with EALREADY or EISCONN. */
    skt__sys_inject(SKT__OP_CONNECT, -EINTR, 0, 1, 0);
    SKT_OK(skt_connect(s, &a));
    skt__sys_inject_clear();
    SKT_OK(skt_accept(listener, &conn, NULL));
    assert_int_equal(skt_send(s, "x", 1, 0), 1);
    skt_close(conn);
    skt_close(s);
    skt_close(listener);
}

static void test_connect_eintr_in_timeout_mode(void **state)
{
    skt_socket *listener, *s;
    skt_addr a;
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 2.0));
    skt__sys_inject(SKT__OP_CONNECT, -EINTR, 0, 1, 0);
    SKT_OK(skt_connect(s, &a));
    skt__sys_inject_clear();
    skt_close(s);
    skt_close(listener);
}

/*
 * A listener whose accept queue is full makes the kernel drop further
 * SYNs, so a connect to it gets no answer and must time out.
 */
static void test_connect_times_out_at_deadline(void **state)
{
    skt_socket *listener, *fillers[8], *s;
    skt_addr a;
    int port, rc;
    size_t used = 0;
    double start, elapsed;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_listen(listener, 0));
    SKT_OK(skt_getsockname(listener, &a));
    /* With backlog 0 the queue holds one connection; later SYNs are
     * dropped, so a connect gets no answer. */
    for (; used < 8; used++) {
        SKT_OK(skt_open(&fillers[used], AF_INET, SOCK_STREAM, 0));
        SKT_OK(skt_settimeout(fillers[used], 0.2));
        if (skt_connect(fillers[used], &a) == -ETIMEDOUT) {
            used++;
            break;
        }
    }
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, 0.5));
    start = skt_test_now();
    rc = skt_connect(s, &a);
    elapsed = skt_test_now() - start;
    for (size_t i = 0; i < used; i++)
        skt_close(fillers[i]);
    skt_close(s);
    skt_close(listener);
    if (rc == 0)
        SKT_SKIP("this kernel answered a SYN to a full accept queue");
    assert_int_equal(rc, -ETIMEDOUT);
    assert_true(elapsed >= 0.5);
    assert_true(elapsed < 1.0);
}

static void test_bind_in_use_names_address(void **state)
{
    skt_socket *listener, *s;
    skt_addr a;
    char expected[80];
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_bind(s, &a), -EADDRINUSE);
    snprintf(expected, sizeof expected,
             "bind to 127.0.0.1:%d: Address already in use", port);
    assert_string_equal(skt_error_detail(), expected);
    skt_close(s);
    skt_close(listener);
}

static void test_bind_empty_address_is_einval(void **state)
{
    skt_socket *s;
    skt_addr a = {0};
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_bind(s, &a), -EINVAL);
    assert_int_equal(skt_bind(s, NULL), -EINVAL);
    skt_close(s);
}

static void test_listen_default_backlog(void **state)
{
    skt_socket *s;
    skt_addr a;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:0"));
    SKT_OK(skt_bind(s, &a));
    SKT_OK(skt_listen(s, SKT_DEFAULT_BACKLOG));
    {
        int listening = 0;
        SKT_OK(skt_getsockopt_int(s, SOL_SOCKET, SO_ACCEPTCONN, &listening));
        assert_int_equal(listening, 1);
    }
    skt_close(s);
}

static void test_listen_on_udp_fails(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    assert_int_equal(skt_listen(s, 5), -EOPNOTSUPP);
    assert_non_null(strstr(skt_error_detail(), "listen"));
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* Options, names, shutdown                                                 */
/* ------------------------------------------------------------------------ */

static void test_sockopt_int_round_trip(void **state)
{
    skt_socket *s;
    int value = 0;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_setsockopt_int(s, IPPROTO_TCP, TCP_NODELAY, 1));
    SKT_OK(skt_getsockopt_int(s, IPPROTO_TCP, TCP_NODELAY, &value));
    assert_int_equal(value, 1);
    SKT_OK(skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1));
    SKT_OK(skt_getsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, &value));
    assert_int_equal(value, 1);
    skt_close(s);
}

static void test_sockopt_unknown_is_enoprotoopt(void **state)
{
    skt_socket *s;
    int value;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_getsockopt_int(s, SOL_SOCKET, 12345, &value),
                     -ENOPROTOOPT);
    assert_non_null(strstr(skt_error_detail(), "option 12345"));
    skt_close(s);
}

static void test_getpeername_unconnected_is_enotconn(void **state)
{
    skt_socket *s;
    skt_addr a;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    assert_int_equal(skt_getpeername(s, &a), -ENOTCONN);
    assert_int_equal(a.len, 0);
    assert_int_equal(skt_shutdown(s, SHUT_RDWR), -ENOTCONN);
    skt_close(s);
}

static void test_getpeername_matches_getsockname(void **state)
{
    skt_socket *client, *server;
    skt_addr local, peer;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_getsockname(client, &local));
    SKT_OK(skt_getpeername(server, &peer));
    assert_true(skt_addr_equal(&local, &peer));
    skt_close(client);
    skt_close(server);
}

static void test_shutdown_write_gives_peer_eof(void **state)
{
    skt_socket *client, *server;
    char buf[8];
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_shutdown(client, SHUT_WR));
    assert_int_equal(skt_recv(server, buf, sizeof buf, 0), 0);
    /* The other direction still works. */
    assert_int_equal(skt_send(server, "ok", 2, 0), 2);
    assert_int_equal(skt_recv(client, buf, sizeof buf, 0), 2);
    skt_close(client);
    skt_close(server);
}

static void test_unix_stream_connect_by_path(void **state)
{
    char path[64], text[80];
    skt_socket *listener, *client, *conn;
    skt_addr a;
    (void)state;
    snprintf(path, sizeof path, "/tmp/skt-test-%d.sock", (int)getpid());
    unlink(path);
    snprintf(text, sizeof text, "unix:%s", path);
    SKT_OK(skt_addr_parse(&a, text));
    SKT_OK(skt_open(&listener, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_bind(listener, &a));
    SKT_OK(skt_listen(listener, -1));
    SKT_OK(skt_open(&client, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_connect(client, &a));
    SKT_OK(skt_accept(listener, &conn, NULL));
    assert_int_equal(skt_send(client, "hi", 2, 0), 2);
    assert_int_equal(skt_recv(conn, text, sizeof text, 0), 2);
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
    unlink(path);
}

static void test_unix_connect_missing_path_is_enoent(void **state)
{
    skt_socket *s;
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "unix:/nonexistent/skt.sock"));
    SKT_OK(skt_open(&s, AF_UNIX, SOCK_STREAM, 0));
    assert_int_equal(skt_connect(s, &a), -ENOENT);
    assert_string_equal(skt_error_detail(),
                        "connect to unix:/nonexistent/skt.sock: No such file "
                        "or directory");
    skt_close(s);
}

static void test_connect_nonblocking_eintr_is_in_progress(void **state)
{
    skt_socket *listener, *s;
    skt_addr a;
    int port, error = -1;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    SKT_OK(skt_getsockname(listener, &a));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_setblocking(s, false));
    /* Interrupted after the kernel started: under way, never waited for
     * in non-blocking mode. */
    skt__sys_inject(SKT__OP_CONNECT, -EINTR, 0, 1, 0);
    assert_int_equal(skt_connect(s, &a), -EINPROGRESS);
    skt__sys_inject_clear();
    SKT_OK(skt__wait(skt_test_fd(s), POLLOUT, skt__deadline(5.0)));
    SKT_OK(skt_getsockopt_int(s, SOL_SOCKET, SO_ERROR, &error));
    assert_int_equal(error, 0);
    skt_close(s);
    skt_close(listener);
}

static void test_dup_shares_mode_without_changing_it(void **state)
{
    skt_socket *s, *copy;
    (void)state;
    SKT_OK(skt_setdefaulttimeout(0.0));
    SKT_OK(skt_open(&s, AF_INET, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(s, SKT_BLOCKING));
    SKT_OK(skt_dup(s, &copy));
    /* Not the default (non-blocking): the original's mode. */
    assert_true(skt_gettimeout(copy) == SKT_BLOCKING);
    assert_false(fd_nonblocking(copy));
    assert_false(fd_nonblocking(s));
    skt_close(s);
    skt_close(copy);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_open_reports_family_type_proto),
    cmocka_unit_test(test_open_masks_type_flags),
    cmocka_unit_test(test_open_bad_family_fails_with_detail),
    cmocka_unit_test(test_open_null_out_is_einval),
    cmocka_unit_test(test_every_created_fd_is_cloexec),
    cmocka_unit_test(test_set_inheritable_toggles_cloexec),
    cmocka_unit_test(test_from_fd_detects_family_type_proto),
    cmocka_unit_test(test_from_fd_rejects_non_socket_and_keeps_fd),
    cmocka_unit_test(test_from_fd_nonblocking_fd_reports_nonblocking),
    cmocka_unit_test(test_from_fd_takes_default_timeout),
    cmocka_unit_test(test_detach_returns_open_fd),
    cmocka_unit_test(test_handle_calls_give_the_handle_apart_from_the_code),
    cmocka_unit_test(test_dup_copies_kind_and_timeout),
    cmocka_unit_test(test_close_null_is_noop),
    cmocka_unit_test(test_close_ignores_econnreset),
    cmocka_unit_test(test_socketpair_defaults_to_unix_stream),
    cmocka_unit_test(test_new_socket_is_blocking_by_default),
    cmocka_unit_test(test_settimeout_modes_and_getters),
    cmocka_unit_test(test_setblocking_is_settimeout_none_or_zero),
    cmocka_unit_test(test_settimeout_rejects_invalid_values),
    cmocka_unit_test(test_settimeout_accepts_a_huge_finite_value),
    cmocka_unit_test(test_getblocking_is_true_in_timeout_mode),
    cmocka_unit_test(test_default_timeout_applies_to_new_sockets),
    cmocka_unit_test(test_accept_timeout_listener_gives_blocking_conn),
    cmocka_unit_test(test_accept_nonblocking_listener_gives_blocking_conn),
    cmocka_unit_test(test_accept_conn_takes_default_timeout),
    cmocka_unit_test(test_accept_nonblocking_without_client_is_eagain),
    cmocka_unit_test(test_accept_times_out_at_deadline),
    cmocka_unit_test(test_accept_retry_waits_out_emfile_then_accepts),
    cmocka_unit_test(test_accept_retry_timeout_bounds_the_backoff),
    cmocka_unit_test(test_accept_retry_treats_econnaborted_as_temporary),
    cmocka_unit_test(test_accept_retry_nonblocking_returns_the_pause),
    cmocka_unit_test(test_accept_retry_pause_ends_when_listener_is_shut_down),
    cmocka_unit_test(test_connect_refused_names_address),
    cmocka_unit_test(test_connect_refused_in_timeout_mode),
    cmocka_unit_test(test_connect_ex_returns_positive_errno),
    cmocka_unit_test(test_connect_nonblocking_returns_einprogress),
    cmocka_unit_test(test_connect_eintr_continues_same_attempt),
    cmocka_unit_test(test_connect_eintr_in_timeout_mode),
    cmocka_unit_test(test_connect_nonblocking_eintr_is_in_progress),
    cmocka_unit_test(test_dup_shares_mode_without_changing_it),
    cmocka_unit_test(test_connect_times_out_at_deadline),
    cmocka_unit_test(test_bind_in_use_names_address),
    cmocka_unit_test(test_bind_empty_address_is_einval),
    cmocka_unit_test(test_listen_default_backlog),
    cmocka_unit_test(test_listen_on_udp_fails),
    cmocka_unit_test(test_sockopt_int_round_trip),
    cmocka_unit_test(test_sockopt_unknown_is_enoprotoopt),
    cmocka_unit_test(test_getpeername_unconnected_is_enotconn),
    cmocka_unit_test(test_getpeername_matches_getsockname),
    cmocka_unit_test(test_shutdown_write_gives_peer_eof),
    cmocka_unit_test(test_unix_stream_connect_by_path),
    cmocka_unit_test(test_unix_connect_missing_path_is_enoent),
};

SKT_TEST_MAIN(tests)
