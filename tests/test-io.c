/*
 * test-io.c - sending and receiving: the timeout modes in action, timeout
 * accuracy, progress reporting, signals (EINTR and SIGPIPE), datagrams,
 * and the retry rule under injected faults.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* The byte at offset i of every test stream, so that a lost, duplicated or
 * reordered byte is caught. */
static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 131 + (i >> 16)) % 251);
}

static unsigned char *make_pattern(size_t len)
{
    unsigned char *p = malloc(len);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = pattern(i);
    return p;
}

static void assert_elapsed_near(double start, double timeout)
{
    double elapsed = skt_test_now() - start;
    if (elapsed < timeout || elapsed >= timeout + 0.5)
        print_error("elapsed %.3f s for a %.3f s timeout\n", elapsed,
                    timeout);
    assert_true(elapsed >= timeout);
    assert_true(elapsed < timeout + 0.5);
}

/* ------------------------------------------------------------------------ */
/* Modes in action                                                          */
/* ------------------------------------------------------------------------ */

static void test_recv_nonblocking_without_data_is_eagain(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_setblocking(b, false));
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), -EAGAIN);
    assert_non_null(strstr(skt_error_detail(), "recv of up to 8 bytes"));
    skt_close(a);
    skt_close(b);
}

static void test_recv_timeout_accuracy(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 0.3));
    start = skt_test_now();
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), -ETIMEDOUT);
    assert_elapsed_near(start, 0.3);
    assert_string_equal(skt_error_detail(),
                        "recv of up to 8 bytes: Connection timed out");
    skt_close(a);
    skt_close(b);
}

static void test_recv_timeout_mode_returns_ready_data(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 5.0));
    assert_int_equal(skt_send(a, "abc", 3, 0), 3);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 3);
    assert_memory_equal(buf, "abc", 3);
    skt_close(a);
    skt_close(b);
}

/* A thread that sends after a delay, to wake a waiting receiver. */
struct delayed_send {
    skt_socket *s;
    useconds_t delay;
};

static void *send_later(void *arg)
{
    struct delayed_send *d = arg;
    usleep(d->delay);
    skt_send(d->s, "late", 4, 0);
    return NULL;
}

static void test_recv_timeout_mode_waits_for_data(void **state)
{
    skt_socket *a, *b;
    pthread_t thread;
    struct delayed_send d;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 5.0));
    d = (struct delayed_send){a, 100000};
    pthread_create(&thread, NULL, send_later, &d);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "late", 4);
    pthread_join(thread, NULL);
    skt_close(a);
    skt_close(b);
}

static void test_recv_zero_length_makes_no_syscall(void **state)
{
    skt_socket *a, *b;
    char buf[1];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    /* Were a recv made, it would fail with the injected error. */
    skt__sys_inject(SKT__OP_RECV, -ECONNRESET, 0, 1, 0);
    assert_int_equal(skt_recv(b, buf, 0, 0), 0);
    assert_int_equal(skt_recv(b, buf, 1, MSG_DONTWAIT), -ECONNRESET);
    skt__sys_inject_clear();
    skt_close(a);
    skt_close(b);
}

static void test_recv_eof_returns_zero(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    skt_close(a);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 0);
    skt_close(b);
}

static void test_timeout_mode_tries_io_before_poll(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(a, 5.0));
    SKT_OK(skt_settimeout(b, 5.0));
    /* Any poll would fail: data ready means one syscall, no poll. */
    skt__sys_inject(SKT__OP_POLL, -EIO, 0, 1000, 0);
    assert_int_equal(skt_send(a, "data", 4, 0), 4);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 4);
    skt__sys_inject_clear();
    skt_close(a);
    skt_close(b);
}

static void test_spurious_eagain_goes_back_to_poll(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 5.0));
    assert_int_equal(skt_send(a, "data", 4, 0), 4);
    /* poll says readable, yet the next three recvs see EAGAIN. */
    skt__sys_inject(SKT__OP_RECV, -EAGAIN, 0, 3, 0);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 4);
    skt__sys_inject_clear();
    skt_close(a);
    skt_close(b);
}

static void test_eintr_is_retried_in_every_mode(void **state)
{
    const double modes[] = {SKT_BLOCKING, 0.0, 5.0};
    skt_socket *a, *b;
    char buf[8];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    for (size_t i = 0; i < 3; i++) {
        SKT_OK(skt_settimeout(a, modes[i]));
        SKT_OK(skt_settimeout(b, modes[i]));
        skt__sys_inject(SKT__OP_SEND, -EINTR, 0, 2, 0);
        assert_int_equal(skt_send(a, "abcd", 4, 0), 4);
        skt__sys_inject(SKT__OP_RECV, -EINTR, 0, 2, 0);
        assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 4);
        skt__sys_inject_clear();
    }
    skt_close(a);
    skt_close(b);
}

static void test_eintr_during_poll_keeps_deadline(void **state)
{
    skt_socket *a, *b;
    char buf[8];
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 0.3));
    /* Every poll is interrupted at once: the deadline must still end the
     * wait at 0.3 s, neither sooner nor never. */
    skt__sys_inject(SKT__OP_POLL, -EINTR, 0, 1000000, 0);
    start = skt_test_now();
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), -ETIMEDOUT);
    skt__sys_inject_clear();
    assert_elapsed_near(start, 0.3);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* sendall and recv_exact                                                   */
/* ------------------------------------------------------------------------ */

static void test_sendall_short_writes_lose_nothing(void **state)
{
    enum { LEN = 100000 };
    unsigned char *data = make_pattern(LEN), *got = malloc(LEN);
    skt_socket *a, *b;
    size_t sent = 0, received = 0;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_setsockopt_int(a, SOL_SOCKET, SO_SNDBUF, 1 << 20));
    /* Each of the first 50 sends moves only 7 bytes. */
    skt__sys_inject(SKT__OP_SEND, 0, 0, 50, 7);
    SKT_OK(skt_sendall(a, data, 20000, 0, &sent));
    skt__sys_inject_clear();
    assert_int_equal(sent, 20000);
    SKT_OK(skt_recv_exact(b, got, 20000, 0, &received));
    assert_int_equal(received, 20000);
    assert_memory_equal(got, data, 20000);
    free(data);
    free(got);
    skt_close(a);
    skt_close(b);
}

static void test_sendall_timeout_reports_progress(void **state)
{
    enum { LEN = 64 << 20 };
    unsigned char *data = make_pattern(LEN), *got = malloc(LEN);
    skt_socket *client, *server;
    size_t sent = 12345, received = 0;
    double start;
    ssize_t n;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_settimeout(client, 0.5));
    start = skt_test_now();
    /* Nobody reads: the buffers fill and the one deadline expires. */
    assert_int_equal(skt_sendall(client, data, LEN, 0, &sent), -ETIMEDOUT);
    assert_elapsed_near(start, 0.5);
    assert_true(sent > 0 && sent < LEN);
    assert_non_null(strstr(skt_error_detail(), "sendall: "));
    SKT_OK(skt_shutdown(client, SHUT_WR));
    /* The peer can read exactly the bytes reported, in order. */
    while ((n = skt_recv(server, got + received, LEN - received, 0)) > 0)
        received += (size_t)n;
    assert_int_equal(n, 0);
    assert_int_equal(received, sent);
    assert_memory_equal(got, data, received);
    free(data);
    free(got);
    skt_close(client);
    skt_close(server);
}

static void test_sendall_nonblocking_reports_progress(void **state)
{
    enum { LEN = 8 << 20 };
    unsigned char *data = make_pattern(LEN);
    skt_socket *a, *b;
    size_t sent = 0;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_setblocking(a, false));
    assert_int_equal(skt_sendall(a, data, LEN, 0, &sent), -EAGAIN);
    assert_true(sent > 0 && sent < LEN);
    free(data);
    skt_close(a);
    skt_close(b);
}

static void test_recv_exact_early_eof_reports_count(void **state)
{
    skt_socket *a, *b;
    char buf[100];
    size_t got = 0;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_sendall(a, "0123456789", 10, 0, NULL));
    SKT_OK(skt_shutdown(a, SHUT_WR));
    assert_int_equal(skt_recv_exact(b, buf, sizeof buf, 0, &got), SKT_EEOF);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, "0123456789", 10);
    assert_string_equal(skt_error_detail(),
                        "recv_exact: 10 of 100 bytes received: Connection "
                        "closed by the peer before the end of the data");
    skt_close(a);
    skt_close(b);
}

static void test_recv_exact_timeout_is_one_deadline(void **state)
{
    skt_socket *a, *b;
    char buf[100];
    size_t got = 0;
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 0.4));
    SKT_OK(skt_sendall(a, "01234", 5, 0, NULL));
    start = skt_test_now();
    assert_int_equal(skt_recv_exact(b, buf, sizeof buf, 0, &got),
                     -ETIMEDOUT);
    assert_elapsed_near(start, 0.4);
    assert_int_equal(got, 5);
    skt_close(a);
    skt_close(b);
}

/* Sends one byte every 0.1 s, four times. */
static void *trickle(void *arg)
{
    for (int i = 0; i < 4; i++) {
        usleep(100000);
        skt_send(arg, "t", 1, 0);
    }
    return NULL;
}

static void test_recv_exact_many_pieces_keep_one_deadline(void **state)
{
    skt_socket *a, *b;
    pthread_t thread;
    char buf[10];
    size_t got = 0;
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 0.5));
    start = skt_test_now();
    /* A per-recv timeout would never expire while bytes trickle in; the
     * call's single deadline does, with the four bytes reported. */
    pthread_create(&thread, NULL, trickle, a);
    assert_int_equal(skt_recv_exact(b, buf, sizeof buf, 0, &got),
                     -ETIMEDOUT);
    assert_elapsed_near(start, 0.5);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "tttt", 4);
    pthread_join(thread, NULL);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */
/* ------------------------------------------------------------------------ */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Fires SIGALRM every `usec` microseconds, handler without SA_RESTART. */
static void start_alarms(long usec)
{
    struct sigaction sa;
    struct itimerval timer = {{0, usec}, {0, usec}};
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = 0; /* no SA_RESTART: blocking calls see EINTR */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    assert_int_equal(setitimer(ITIMER_REAL, &timer, NULL), 0);
}

static void stop_alarms(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
}

struct sender {
    skt_socket *s;
    const unsigned char *data;
    size_t len;
    size_t sent;
    int rc;
};

static void *sendall_thread(void *arg)
{
    struct sender *t = arg;
    t->rc = skt_sendall(t->s, t->data, t->len, 0, &t->sent);
    return NULL;
}

static void transfer_under_alarms(double mode)
{
    enum { LEN = 64 << 20 };
    unsigned char *data = make_pattern(LEN), *got = calloc(1, LEN);
    skt_socket *client, *server;
    struct sender t;
    pthread_t thread;
    size_t received = 0;

    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_settimeout(client, mode));
    SKT_OK(skt_settimeout(server, mode));
    t = (struct sender){client, data, LEN, 0, -1};
    alarms = 0;
    start_alarms(300);
    pthread_create(&thread, NULL, sendall_thread, &t);
    SKT_OK(skt_recv_exact(server, got, LEN, 0, &received));
    pthread_join(thread, NULL);
    stop_alarms();
    SKT_OK(t.rc);
    assert_int_equal(t.sent, LEN);
    assert_int_equal(received, LEN);
    assert_true(memcmp(got, data, LEN) == 0);
    assert_true(alarms > 10);
    free(data);
    free(got);
    skt_close(client);
    skt_close(server);
}

static void test_sigalrm_storm_blocking_loses_nothing(void **state)
{
    (void)state;
    transfer_under_alarms(SKT_BLOCKING);
}

static void test_sigalrm_storm_timeout_mode_loses_nothing(void **state)
{
    (void)state;
    transfer_under_alarms(30.0);
}

static void test_send_to_closed_peer_is_epipe_not_sigpipe(void **state)
{
    skt_socket *a, *b, *client, *server;
    size_t sent = 99;
    (void)state;
    /* SIGPIPE at its default disposition would kill this process. */
    signal(SIGPIPE, SIG_DFL);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    skt_close(b);
    assert_int_equal(skt_send(a, "x", 1, 0), -EPIPE);
    assert_int_equal(skt_sendall(a, "xyz", 3, 0, &sent), -EPIPE);
    assert_int_equal(sent, 0);
    assert_int_equal(skt_sendto(a, "x", 1, 0, NULL), -EPIPE);
    skt_close(a);

    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_shutdown(server, SHUT_RD));
    SKT_OK(skt_shutdown(client, SHUT_WR));
    assert_int_equal(skt_send(client, "x", 1, 0), -EPIPE);
    skt_close(client);
    skt_close(server);
}

/* ------------------------------------------------------------------------ */
/* Datagrams                                                                */
/* ------------------------------------------------------------------------ */

static void test_udp_sendto_recvfrom_round_trip(void **state)
{
    skt_socket *a, *b;
    skt_addr addr_a, addr_b, from;
    char buf[32];
    (void)state;
    SKT_OK(skt_open(&a, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_open(&b, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_addr_parse(&addr_a, "127.0.0.1:0"));
    SKT_OK(skt_bind(a, &addr_a));
    SKT_OK(skt_bind(b, &addr_a));
    SKT_OK(skt_getsockname(a, &addr_a));
    SKT_OK(skt_getsockname(b, &addr_b));
    assert_int_equal(skt_sendto(a, "hello", 5, 0, &addr_b), 5);
    SKT_OK(skt_settimeout(b, 2.0));
    assert_int_equal(skt_recvfrom(b, buf, sizeof buf, 0, &from), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_true(skt_addr_equal(&from, &addr_a));
    skt_close(a);
    skt_close(b);
}

static void test_udp6_round_trip(void **state)
{
    skt_socket *a;
    skt_addr addr, from;
    char buf[8];
    (void)state;
    if (skt_open(&a, AF_INET6, SOCK_DGRAM, 0) < 0)
        SKT_SKIP("no IPv6 on this machine");
    SKT_OK(skt_addr_parse(&addr, "[::1]:0"));
    if (skt_bind(a, &addr) < 0) {
        skt_close(a);
        SKT_SKIP("no IPv6 loopback address");
    }
    SKT_OK(skt_getsockname(a, &addr));
    assert_int_equal(skt_sendto(a, "v6", 2, 0, &addr), 2);
    assert_int_equal(skt_recvfrom(a, buf, sizeof buf, 0, &from), 2);
    assert_true(skt_addr_equal(&from, &addr));
    skt_close(a);
}

/* Sends one byte from a to b and checks that recvfrom leaves in an
 * skt_addr full of leftovers exactly what parsing a's address gives: the
 * same length and bytes, the tail past the address cleared. */
static void check_recvfrom_address(skt_socket *a, skt_socket *b)
{
    skt_addr addr_a, addr_b, from, expected;
    char text[SKT_ADDRSTRLEN], buf[8];

    SKT_OK(skt_getsockname(a, &addr_a));
    SKT_OK(skt_getsockname(b, &addr_b));
    assert_true(skt_addr_format(&addr_a, text, sizeof text) > 0);
    SKT_OK(skt_addr_parse(&expected, text));
    memset(&from, 0xa5, sizeof from);
    assert_int_equal(skt_sendto(a, "x", 1, 0, &addr_b), 1);
    assert_int_equal(skt_recvfrom(b, buf, sizeof buf, 0, &from), 1);
    assert_int_equal(from.len, expected.len);
    assert_memory_equal(&from.u, &expected.u, sizeof from.u);
    /* Without an skt_addr, the datagram alone. */
    assert_int_equal(skt_sendto(a, "y", 1, 0, &addr_b), 1);
    assert_int_equal(skt_recvfrom(b, buf, sizeof buf, 0, NULL), 1);
    assert_int_equal(buf[0], 'y');
}

static void test_recvfrom_address_is_the_parsed_form(void **state)
{
    skt_socket *a, *b;
    skt_addr any;
    (void)state;
    SKT_OK(skt_addr_parse(&any, "127.0.0.1:0"));
    SKT_OK(skt_open(&a, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_open(&b, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_bind(a, &any));
    SKT_OK(skt_bind(b, &any));
    SKT_OK(skt_settimeout(b, 2.0));
    check_recvfrom_address(a, b);
    skt_close(a);
    skt_close(b);
}

static void test_recvfrom_ipv6_address_is_the_parsed_form(void **state)
{
    skt_socket *a;
    skt_addr any;
    (void)state;
    if (skt_open(&a, AF_INET6, SOCK_DGRAM, 0) < 0)
        SKT_SKIP("no IPv6 on this machine");
    SKT_OK(skt_addr_parse(&any, "[::1]:0"));
    if (skt_bind(a, &any) < 0) {
        skt_close(a);
        SKT_SKIP("no IPv6 loopback address");
    }
    SKT_OK(skt_settimeout(a, 2.0));
    check_recvfrom_address(a, a);
    skt_close(a);
}

static void test_recvfrom_timeout_accuracy(void **state)
{
    skt_socket *a;
    skt_addr addr;
    char buf[8];
    double start;
    (void)state;
    SKT_OK(skt_open(&a, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_addr_parse(&addr, "127.0.0.1:0"));
    SKT_OK(skt_bind(a, &addr));
    SKT_OK(skt_settimeout(a, 0.25));
    start = skt_test_now();
    assert_int_equal(skt_recvfrom(a, buf, sizeof buf, 0, &addr), -ETIMEDOUT);
    assert_elapsed_near(start, 0.25);
    assert_int_equal(addr.len, 0);
    skt_close(a);
}

static void test_udp_truncation_reported_with_msg_trunc(void **state)
{
    skt_socket *a, *b;
    char buf[4];
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_DGRAM, 0));
    assert_int_equal(skt_send(a, "0123456789", 10, 0), 10);
    /* With MSG_TRUNC the real datagram length comes back. */
    assert_int_equal(skt_recv(b, buf, sizeof buf, MSG_TRUNC), 10);
    assert_memory_equal(buf, "0123", 4);
    skt_close(a);
    skt_close(b);
}

static void test_sendto_unreachable_names_address(void **state)
{
    skt_socket *a;
    skt_addr to;
    (void)state;
    SKT_OK(skt_open(&a, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_addr_parse(&to, "[::1]:9"));
    /* An IPv6 address on an IPv4 socket: the kernel refuses it. */
    assert_true(skt_sendto(a, "x", 1, 0, &to) < 0);
    assert_non_null(strstr(skt_error_detail(), "sendto [::1]:9: "));
    skt_close(a);
}

static void test_send_null_buffer_is_einval(void **state)
{
    skt_socket *a, *b;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_int_equal(skt_send(a, NULL, 5, 0), -EINVAL);
    assert_int_equal(skt_recv(NULL, (char[1]){0}, 1, 0), -EINVAL);
    assert_int_equal(skt_sendall(a, NULL, 5, 0, NULL), -EINVAL);
    assert_int_equal(skt_send(a, NULL, 0, 0), 0);
    skt_close(a);
    skt_close(b);
}

static void test_msg_dontwait_does_not_wait_in_timeout_mode(void **state)
{
    skt_socket *a, *b;
    skt_addr addr;
    char buf[8];
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 5.0));
    start = skt_test_now();
    assert_int_equal(skt_recv(b, buf, sizeof buf, MSG_DONTWAIT), -EAGAIN);
    assert_true(skt_test_now() - start < 0.5);
    skt_close(a);
    skt_close(b);
    SKT_OK(skt_open(&a, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_addr_parse(&addr, "127.0.0.1:0"));
    SKT_OK(skt_bind(a, &addr));
    SKT_OK(skt_settimeout(a, 5.0));
    start = skt_test_now();
    assert_int_equal(skt_recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, &addr),
                     -EAGAIN);
    assert_true(skt_test_now() - start < 0.5);
    skt_close(a);
}

/* Two receives sharing one deadline: the second gets only what the
 * first left of the 0.4 s (it ends at 0.4 s, where a fresh timeout would
 * end at 0.7 s). */
static void test_recv_exact_until_shares_one_deadline(void **state)
{
    skt_socket *a, *b;
    pthread_t thread;
    struct delayed_send d;
    int64_t deadline = 0;
    char buf[8];
    size_t got = 99;
    double start;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(b, 0.4));
    d = (struct delayed_send){a, 300000};
    start = skt_test_now();
    pthread_create(&thread, NULL, send_later, &d);
    SKT_OK(skt_recv_exact_until(b, buf, 4, &deadline, &got));
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "late", 4);
    assert_true(deadline != 0);
    assert_int_equal(skt_recv_exact_until(b, buf, 4, &deadline, &got),
                     -ETIMEDOUT);
    assert_int_equal(got, 0);
    assert_true(skt_test_now() - start >= 0.4);
    assert_true(skt_test_now() - start < 0.6);
    pthread_join(thread, NULL);
    skt_close(a);
    skt_close(b);
}

/* A send that used up the shared deadline leaves nothing for the next. */
static void test_sendall_until_shares_one_deadline(void **state)
{
    skt_socket *a, *b;
    size_t len = 16 << 20, sent = 0;
    char *big = calloc(1, len);
    int64_t deadline = 0;
    double start;
    (void)state;
    assert_non_null(big);
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(a, 0.2));
    start = skt_test_now();
    assert_int_equal(skt_sendall_until(a, big, len, &deadline, &sent),
                     -ETIMEDOUT);
    assert_true(sent > 0 && sent < len);
    assert_elapsed_near(start, 0.2);
    start = skt_test_now();
    assert_int_equal(skt_sendall_until(a, big, len, &deadline, &sent),
                     -ETIMEDOUT);
    assert_int_equal(sent, 0);
    assert_true(skt_test_now() - start < 0.1);
    free(big);
    skt_close(a);
    skt_close(b);
}

static void test_until_calls_refuse_a_null_deadline(void **state)
{
    skt_socket *a, *b;
    char buf[4];
    size_t done = 7;
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    assert_int_equal(skt_sendall_until(a, "x", 1, NULL, &done), -EINVAL);
    assert_int_equal(done, 0);
    assert_int_equal(skt_recv_exact_until(b, buf, 1, NULL, NULL), -EINVAL);
    assert_int_equal(skt_recv_exact_until(NULL, buf, 1, NULL, NULL),
                     -EINVAL);
    skt_close(a);
    skt_close(b);
}

static void test_set_error_detail_sets_exact_text_and_keeps_errno(void **s)
{
    (void)s;
    errno = 42;
    assert_int_equal(skt_set_error_detail(-ECONNRESET, "fetch %s: %d",
                                          "/index", 7),
                     -ECONNRESET);
    assert_string_equal(skt_error_detail(), "fetch /index: 7");
    assert_int_equal(errno, 42);
}

static void test_set_error_detail_cuts_a_long_text(void **state)
{
    char *text = malloc(3000);
    (void)state;
    assert_non_null(text);
    memset(text, 'x', 2999);
    text[2999] = '\0';
    skt_set_error_detail(-EINVAL, "%s", text);
    assert_int_equal(strlen(skt_error_detail()), SKT__DETAIL_MAX - 1);
    free(text);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_recv_exact_until_shares_one_deadline),
    cmocka_unit_test(test_sendall_until_shares_one_deadline),
    cmocka_unit_test(test_until_calls_refuse_a_null_deadline),
    cmocka_unit_test(test_set_error_detail_sets_exact_text_and_keeps_errno),
    cmocka_unit_test(test_set_error_detail_cuts_a_long_text),
    cmocka_unit_test(test_recv_nonblocking_without_data_is_eagain),
    cmocka_unit_test(test_recv_timeout_accuracy),
    cmocka_unit_test(test_recv_timeout_mode_returns_ready_data),
    cmocka_unit_test(test_recv_timeout_mode_waits_for_data),
    cmocka_unit_test(test_recv_zero_length_makes_no_syscall),
    cmocka_unit_test(test_recv_eof_returns_zero),
    cmocka_unit_test(test_timeout_mode_tries_io_before_poll),
    cmocka_unit_test(test_spurious_eagain_goes_back_to_poll),
    cmocka_unit_test(test_eintr_is_retried_in_every_mode),
    cmocka_unit_test(test_eintr_during_poll_keeps_deadline),
    cmocka_unit_test(test_sendall_short_writes_lose_nothing),
    cmocka_unit_test(test_sendall_timeout_reports_progress),
    cmocka_unit_test(test_sendall_nonblocking_reports_progress),
    cmocka_unit_test(test_recv_exact_early_eof_reports_count),
    cmocka_unit_test(test_recv_exact_timeout_is_one_deadline),
    cmocka_unit_test(test_recv_exact_many_pieces_keep_one_deadline),
    cmocka_unit_test(test_sigalrm_storm_blocking_loses_nothing),
    cmocka_unit_test(test_sigalrm_storm_timeout_mode_loses_nothing),
    cmocka_unit_test(test_send_to_closed_peer_is_epipe_not_sigpipe),
    cmocka_unit_test(test_udp_sendto_recvfrom_round_trip),
    cmocka_unit_test(test_udp6_round_trip),
    cmocka_unit_test(test_recvfrom_address_is_the_parsed_form),
    cmocka_unit_test(test_recvfrom_ipv6_address_is_the_parsed_form),
    cmocka_unit_test(test_recvfrom_timeout_accuracy),
    cmocka_unit_test(test_udp_truncation_reported_with_msg_trunc),
    cmocka_unit_test(test_sendto_unreachable_names_address),
    cmocka_unit_test(test_send_null_buffer_is_einval),
    cmocka_unit_test(test_msg_dontwait_does_not_wait_in_timeout_mode),
};

SKT_TEST_MAIN(tests)
