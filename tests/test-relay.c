/*
 * test-relay.c - skt_relay: both directions, the half-close carried
 * either way, the kernel path (splice) between TCP sockets and the
 * buffered path over TLS and datagrams, decrypted bytes waiting in TLS,
 * datagrams forwarded whole, the copy when the kernel refuses to splice,
 * the idle timeout, the deadline and the stop socket, 64 MiB with a
 * checksum, a peer's reset in mid-transfer, the sockets' modes given back,
 * and bad arguments.
 *
 * Each case joins two connections: the test holds one end of each
 * ("left" and "right"), and a thread relays between the other two ends
 * (relay a is the left connection's, b the right one's).
 */
#include "tls-common.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* Whether plain streams go through the kernel: Linux splices; the posix
 * platform copies them through the buffer, which these cases then test. */
#ifdef SKT_PLATFORM_POSIX
#define SPLICES false
#else
#define SPLICES true
#endif

/* A relay on a thread of its own, and what it returned. */
struct job {
    skt_socket *a, *b;
    skt_relay_opts opts;
    skt_relay_stats stats;
    pthread_t thread;
    int rc;
    char detail[1024];
};

static void *relay_thread(void *arg)
{
    struct job *j = arg;

    j->rc = skt_relay(j->a, j->b, &j->opts, &j->stats);
    snprintf(j->detail, sizeof j->detail, "%s", skt_error_detail());
    return NULL;
}

static void relay_start(struct job *j, skt_socket *a, skt_socket *b)
{
    j->a = a;
    j->b = b;
    assert_int_equal(pthread_create(&j->thread, NULL, relay_thread, j), 0);
}

/* Waits for the relay and returns its code, printing the detail of a
 * failure. */
static int relay_join(struct job *j)
{
    pthread_join(j->thread, NULL);
    if (j->rc != 0)
        print_message("skt_relay = %d (%s): %s\n", j->rc,
                      skt_errname(j->rc), j->detail);
    return j->rc;
}

/* Two TCP connections on loopback: the test's ends and the relay's. */
struct conns {
    skt_socket *left, *a; /* one connection */
    skt_socket *b, *right; /* the other */
};

static void tcp_conns(struct conns *c)
{
    skt_test_tcp_pair(&c->left, &c->a);
    skt_test_tcp_pair(&c->b, &c->right);
}

static void close_conns(struct conns *c)
{
    skt_close(c->left);
    skt_close(c->a);
    skt_close(c->b);
    skt_close(c->right);
}

/* Sends text whole. */
static void send_text(skt_socket *s, const char *text)
{
    SKT_OK(skt_sendall(s, text, strlen(text), 0, NULL));
}

/* Receives until the end of the stream, NUL-terminated (at most len - 1
 * bytes), under a 5 s timeout. */
static size_t recv_to_end(skt_socket *s, char *buf, size_t len)
{
    size_t used = 0;
    ssize_t got;

    SKT_OK(skt_settimeout(s, 5.0));
    while ((got = skt_recv(s, buf + used, len - 1 - used, 0)) > 0)
        used += (size_t)got;
    assert_code(got, 0);
    buf[used] = '\0';
    return used;
}

/* Receives exactly strlen(text) bytes and compares them with text. */
static void expect_text(skt_socket *s, const char *text)
{
    char buf[256];
    size_t len = strlen(text);

    SKT_OK(skt_settimeout(s, 5.0));
    SKT_OK(skt_recv_exact(s, buf, len, 0, NULL));
    buf[len] = '\0';
    assert_string_equal(buf, text);
}

/* ------------------------------------------------------------------------ */
/* Both directions and the half-close                                       */
/* ------------------------------------------------------------------------ */

static void test_relay_carries_both_directions_through_splice(void **state)
{
    SKT_LINUX_ONLY("the relay's splice path");
    struct conns c;
    struct job j = {0};
    char buf[64];

    (void)state;
    tcp_conns(&c);
    relay_start(&j, c.a, c.b);
    send_text(c.left, "ping from the left");
    expect_text(c.right, "ping from the left");
    send_text(c.right, "pong from the right");
    expect_text(c.left, "pong from the right");
    SKT_OK(skt_shutdown(c.left, SHUT_WR));
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    assert_int_equal(recv_to_end(c.right, buf, sizeof buf), 0);
    assert_int_equal(recv_to_end(c.left, buf, sizeof buf), 0);
    SKT_OK(relay_join(&j));
    assert_int_equal(j.stats.a_to_b, 18);
    assert_int_equal(j.stats.b_to_a, 19);
    assert_true(j.stats.a_ended && j.stats.b_ended);
    assert_true(j.stats.spliced == SPLICES);
    close_conns(&c);
}

/* A request, its end, and the answer after it: the left side half-closes
 * first and still reads what the right side says after seeing the end. */
static void test_relay_carries_half_close_from_a(void **state)
{
    struct conns c;
    struct job j = {0};
    char buf[64];

    (void)state;
    tcp_conns(&c);
    relay_start(&j, c.a, c.b);
    send_text(c.left, "request");
    SKT_OK(skt_shutdown(c.left, SHUT_WR));
    assert_int_equal(recv_to_end(c.right, buf, sizeof buf), 7);
    assert_string_equal(buf, "request");
    send_text(c.right, "answer after the end");
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    recv_to_end(c.left, buf, sizeof buf);
    assert_string_equal(buf, "answer after the end");
    SKT_OK(relay_join(&j));
    assert_true(j.stats.a_ended && j.stats.b_ended);
    close_conns(&c);
}

/* The same the other way: b's end comes first, a goes on sending. */
static void test_relay_carries_half_close_from_b(void **state)
{
    struct conns c;
    struct job j = {0};
    char buf[64];

    (void)state;
    tcp_conns(&c);
    relay_start(&j, c.a, c.b);
    send_text(c.right, "greeting");
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    recv_to_end(c.left, buf, sizeof buf);
    assert_string_equal(buf, "greeting");
    /* b's direction has ended, a's still carries. */
    send_text(c.left, "still talking");
    expect_text(c.right, "still talking");
    SKT_OK(skt_shutdown(c.left, SHUT_WR));
    assert_int_equal(recv_to_end(c.right, buf, sizeof buf), 0);
    SKT_OK(relay_join(&j));
    assert_int_equal(j.stats.a_to_b, 13);
    assert_int_equal(j.stats.b_to_a, 8);
    close_conns(&c);
}

static void test_relay_gives_the_sockets_their_modes_back(void **state)
{
    struct conns c;
    struct job j = {0};

    (void)state;
    tcp_conns(&c);
    SKT_OK(skt_settimeout(c.a, 2.5));
    SKT_OK(skt_settimeout(c.b, SKT_BLOCKING));
    relay_start(&j, c.a, c.b);
    SKT_OK(skt_shutdown(c.left, SHUT_WR));
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    SKT_OK(relay_join(&j));
    assert_true(skt_gettimeout(c.a) == 2.5);
    assert_true(skt_gettimeout(c.b) == SKT_BLOCKING);
    /* The fds' flags follow: O_NONBLOCK in timeout mode, not in blocking
     * mode. */
    assert_true(fcntl(skt_test_fd(c.a), F_GETFL) & O_NONBLOCK);
    assert_false(fcntl(skt_test_fd(c.b), F_GETFL) & O_NONBLOCK);
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* The buffered path: TLS                                                   */
/* ------------------------------------------------------------------------ */

/* A TLS connection (the test's end: client, the relay's: server) and a
 * TCP one. */
static void tls_conns(struct tls_fixture *f, struct conns *c)
{
    c->left = f->client;
    c->a = f->server;
    f->client = f->server = NULL;
    handshake_pair(c->left, f->cctx, c->a, f->sctx);
    SKT_OK(skt_setblocking(c->left, true));
    SKT_OK(skt_setblocking(c->a, true));
    skt_test_tcp_pair(&c->b, &c->right);
}

static void test_relay_copies_tls_with_half_close_both_ways(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct conns c;
    struct job j = {0};
    char buf[64];

    tls_conns(f, &c);
    relay_start(&j, c.a, c.b);
    send_text(c.left, "over TLS");
    /* close_notify, then FIN: the relay carries it as a plain FIN. */
    SKT_OK(skt_tls_shutdown_write(c.left));
    recv_to_end(c.right, buf, sizeof buf);
    assert_string_equal(buf, "over TLS");
    send_text(c.right, "back in the clear");
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    /* The relay's half-close of the TLS side is a close_notify: a clean
     * end of the stream, 0, not an error. */
    recv_to_end(c.left, buf, sizeof buf);
    assert_string_equal(buf, "back in the clear");
    SKT_OK(relay_join(&j));
    assert_false(j.stats.spliced);
    assert_int_equal(j.stats.a_to_b, 8);
    assert_int_equal(j.stats.b_to_a, 17);
    close_conns(&c);
}

/* Bytes TLS has decrypted already are not in the fd, where poll would
 * see them: the relay takes them first. */
static void test_relay_sends_bytes_waiting_in_tls(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct conns c;
    struct job j = {0};
    char two[2], buf[64];

    tls_conns(f, &c);
    /* One record of 9 bytes; reading 2 leaves 7 decrypted in OpenSSL. */
    send_text(c.left, "12waiting");
    SKT_OK(skt_recv_exact(c.a, two, 2, 0, NULL));
    assert_int_equal(skt_tls_pending(c.a), 7);
    relay_start(&j, c.a, c.b);
    expect_text(c.right, "waiting");
    SKT_OK(skt_tls_shutdown_write(c.left));
    SKT_OK(skt_shutdown(c.right, SHUT_WR));
    assert_int_equal(recv_to_end(c.left, buf, sizeof buf), 0);
    SKT_OK(relay_join(&j));
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* The buffered path: datagrams                                             */
/* ------------------------------------------------------------------------ */

/* Each datagram arrives whole and alone, the empty one and one over
 * 64 KiB included; a stop socket ends the relay, which has no end of its
 * own with datagrams. */
static void test_relay_forwards_each_datagram_whole(void **state)
{
    static const size_t sizes[] = {1, 1000, 0, 70000, 5};
    struct conns c;
    struct job j = {0};
    skt_socket *stop, *stopper;
    char *buf = malloc(100000), *got = malloc(100000);
    uint64_t total = 0;

    (void)state;
    SKT_OK(skt_socketpair(&c.left, &c.a, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_socketpair(&c.b, &c.right, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_socketpair(&stop, &stopper, AF_UNIX, SOCK_STREAM, 0));
    j.opts.stop = stop;
    relay_start(&j, c.a, c.b);
    SKT_OK(skt_settimeout(c.right, 5.0));
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(buf, 'a' + (int)i, sizes[i]);
        assert_int_equal(skt_send(c.left, buf, sizes[i], 0),
                         (ssize_t)sizes[i]);
        assert_int_equal(skt_recv(c.right, got, 100000, 0),
                         (ssize_t)sizes[i]);
        assert_memory_equal(got, buf, sizes[i]);
        total += sizes[i];
    }
    /* And back. */
    assert_int_equal(skt_send(c.right, "reply", 5, 0), 5);
    SKT_OK(skt_settimeout(c.left, 5.0));
    assert_int_equal(skt_recv(c.left, got, 100000, 0), 5);
    skt_close(stopper);
    assert_code(relay_join(&j), -ECANCELED);
    assert_contains(j.detail, "stop");
    assert_int_equal(j.stats.a_to_b, total);
    assert_int_equal(j.stats.b_to_a, 5);
    assert_false(j.stats.a_ended || j.stats.b_ended);
    skt_close(stop);
    close_conns(&c);
    free(buf);
    free(got);
}

/* From a stream to a datagram socket: each read goes as one datagram,
 * and the stream's end ends that direction. */
static void test_relay_sends_a_stream_as_datagrams(void **state)
{
    struct conns c;
    struct job j = {.opts = {.idle_timeout = 0.3}};
    char got[64];

    (void)state;
    SKT_OK(skt_socketpair(&c.left, &c.a, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_socketpair(&c.b, &c.right, AF_UNIX, SOCK_DGRAM, 0));
    relay_start(&j, c.a, c.b);
    send_text(c.left, "one read");
    SKT_OK(skt_settimeout(c.right, 5.0));
    assert_int_equal(skt_recv(c.right, got, sizeof got, 0), 8);
    assert_memory_equal(got, "one read", 8);
    SKT_OK(skt_shutdown(c.left, SHUT_WR));
    /* The datagram side never ends: the idle timeout ends the relay. */
    assert_code(relay_join(&j), -ETIMEDOUT);
    assert_true(j.stats.a_ended);
    assert_false(j.stats.b_ended);
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* Time and stopping                                                        */
/* ------------------------------------------------------------------------ */

static void test_relay_idle_timeout_is_etimedout(void **state)
{
    struct conns c;
    struct job j = {.opts = {.idle_timeout = 0.3}};
    double start, took;

    (void)state;
    tcp_conns(&c);
    start = skt_test_now();
    relay_start(&j, c.a, c.b);
    /* Data keeps the relay going past one idle timeout. */
    for (int i = 0; i < 3; i++) {
        usleep(200000);
        send_text(c.left, "x");
        expect_text(c.right, "x");
    }
    assert_code(relay_join(&j), -ETIMEDOUT);
    took = skt_test_now() - start;
    assert_true(took >= 0.9 && took < 2.0);
    assert_contains(j.detail, "relay: idle for 0.3 s");
    assert_int_equal(j.stats.a_to_b, 3);
    close_conns(&c);
}

static void test_relay_deadline_is_etimedout(void **state)
{
    struct conns c;
    struct job j = {.opts = {.timeout = 0.3, .idle_timeout = 10}};
    double start, took;

    (void)state;
    tcp_conns(&c);
    start = skt_test_now();
    relay_start(&j, c.a, c.b);
    send_text(c.left, "x");
    assert_code(relay_join(&j), -ETIMEDOUT);
    took = skt_test_now() - start;
    assert_true(took >= 0.3 && took < 1.5);
    assert_contains(j.detail, "relay: the deadline of 0.3 s passed");
    close_conns(&c);
}

static void test_relay_stop_socket_is_ecanceled(void **state)
{
    struct conns c;
    skt_socket *stop, *stopper;
    struct job j = {0};

    (void)state;
    tcp_conns(&c);
    SKT_OK(skt_socketpair(&stop, &stopper, AF_UNIX, SOCK_STREAM, 0));
    j.opts.stop = stop;
    relay_start(&j, c.a, c.b);
    send_text(c.left, "before the stop");
    expect_text(c.right, "before the stop");
    assert_int_equal(skt_send(stopper, "!", 1, 0), 1);
    assert_code(relay_join(&j), -ECANCELED);
    assert_int_equal(j.stats.a_to_b, 15);
    /* The relay closed nothing: both still carry data directly. */
    send_text(c.a, "after");
    expect_text(c.left, "after");
    skt_close(stop);
    skt_close(stopper);
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* Large transfers                                                          */
/* ------------------------------------------------------------------------ */

/* A byte stream no two positions of which are easy to confuse. */
static void fill(unsigned char *buf, size_t len, uint64_t offset)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull;
        buf[i] = (unsigned char)(x >> 56);
    }
}

/* FNV-1a, over a stream in pieces. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_START 0xcbf29ce484222325ull

/* Sends size bytes of fill's stream on a thread, then half-closes. */
struct sender {
    skt_socket *s;
    size_t size;
    uint64_t sum;
    int rc;
    pthread_t thread;
};

static void *send_thread(void *arg)
{
    struct sender *w = arg;
    unsigned char block[65536];
    size_t done = 0;

    w->sum = FNV_START;
    while (done < w->size && w->rc == 0) {
        size_t n = w->size - done < sizeof block ? w->size - done
                                                 : sizeof block;
        fill(block, n, done);
        w->sum = fnv(w->sum, block, n);
        w->rc = skt_sendall(w->s, block, n, 0, NULL);
        done += n;
    }
    if (w->rc == 0)
        w->rc = skt_tls_version(w->s) ? skt_tls_shutdown_write(w->s)
                                      : skt_shutdown(w->s, SHUT_WR);
    return NULL;
}

/* Receives to the end; the count and the checksum. */
static uint64_t recv_sum(skt_socket *s, size_t *count)
{
    static unsigned char block[65536];
    uint64_t sum = FNV_START;
    ssize_t got;

    *count = 0;
    SKT_OK(skt_settimeout(s, 30.0));
    while ((got = skt_recv(s, block, sizeof block, 0)) > 0) {
        sum = fnv(sum, block, (size_t)got);
        *count += (size_t)got;
    }
    assert_code(got, 0);
    return sum;
}

/* size bytes from the left and back_size from the right, at once. */
static void transfer_both_ways(struct conns *c, struct job *j, size_t size,
                               size_t back_size)
{
    struct sender out = {.s = c->left, .size = size};
    struct sender back = {.s = c->right, .size = back_size};
    uint64_t sum;
    size_t got;

    relay_start(j, c->a, c->b);
    assert_int_equal(pthread_create(&out.thread, NULL, send_thread, &out), 0);
    assert_int_equal(pthread_create(&back.thread, NULL, send_thread, &back),
                     0);
    /* The left side is read only once its sender is done: a TLS socket
     * allows one thread at a time. */
    sum = recv_sum(c->right, &got);
    assert_int_equal(got, size);
    pthread_join(out.thread, NULL);
    assert_true(sum == out.sum);
    sum = recv_sum(c->left, &got);
    assert_int_equal(got, back_size);
    pthread_join(back.thread, NULL);
    assert_true(sum == back.sum);
    SKT_OK(out.rc);
    SKT_OK(back.rc);
    SKT_OK(relay_join(j));
    assert_int_equal(j->stats.a_to_b, size);
    assert_int_equal(j->stats.b_to_a, back_size);
}

static void test_relay_moves_64_mib_through_splice_intact(void **state)
{
    SKT_LINUX_ONLY("the relay's splice path");
    struct conns c;
    struct job j = {0};

    (void)state;
    tcp_conns(&c);
    transfer_both_ways(&c, &j, 64u << 20, 8u << 20);
    assert_true(j.stats.spliced == SPLICES);
    close_conns(&c);
}

/* A kernel that refuses the first splice of each direction (EINVAL: this
 * pair of files cannot be spliced) leaves the relay to copy, with
 * nothing lost. */
static void test_relay_copies_when_the_kernel_refuses_to_splice(void **state)
{
    SKT_LINUX_ONLY("the relay's splice path");
    struct conns c;
    struct job j = {0};

    (void)state;
    tcp_conns(&c);
    skt__sys_inject(SKT__OP_SPLICE, -EINVAL, 0, 2, 0);
    transfer_both_ways(&c, &j, 8u << 20, 2u << 20);
    skt__sys_inject_clear();
    assert_false(j.stats.spliced);
    close_conns(&c);
}

static void test_relay_moves_16_mib_over_tls_intact(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct conns c;
    struct job j = {0};

    tls_conns(f, &c);
    transfer_both_ways(&c, &j, 16u << 20, 1u << 20);
    assert_false(j.stats.spliced);
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* A peer's reset                                                           */
/* ------------------------------------------------------------------------ */

/* Closes s with a reset (SO_LINGER of 0 s) instead of a FIN. */
static void reset(skt_socket *s)
{
    struct linger now = {1, 0};

    SKT_OK(skt_setsockopt(s, SOL_SOCKET, SO_LINGER, &now, sizeof now));
    skt_close(s);
}

/*
 * The left side sends 256 KiB, the right one reads a little of it (the
 * relay is under way), then one side resets its connection: -ECONNRESET,
 * naming the direction, with a and b left open for the caller to close.
 */
static void reset_mid_transfer(struct conns *c, struct job *j,
                               bool right_resets, const char *part)
{
    unsigned char block[65536];
    skt_socket **resetter = right_resets ? &c->right : &c->left;

    relay_start(j, c->a, c->b);
    fill(block, sizeof block, 0);
    for (int i = 0; i < 4; i++)
        SKT_OK(skt_sendall(c->left, block, sizeof block, 0, NULL));
    SKT_OK(skt_settimeout(c->right, 5.0));
    SKT_OK(skt_recv_exact(c->right, block, 1000, 0, NULL));
    reset(*resetter);
    *resetter = NULL;
    assert_code(relay_join(j), -ECONNRESET);
    assert_contains(j->detail, part);
    assert_true(j->stats.a_to_b <= 4 * sizeof block);
    /* Both are still the caller's: closing them works (the harness
     * fails the case on any fd left open). */
    SKT_OK(skt_close(c->a));
    SKT_OK(skt_close(c->b));
    c->a = c->b = NULL;
}

static void test_relay_peer_reset_is_econnreset_on_splice(void **state)
{
    SKT_LINUX_ONLY("the relay's splice path");
    struct conns c;
    struct job j = {0};

    (void)state;
    tcp_conns(&c);
    reset_mid_transfer(&c, &j, false,
                       "relay a to b: receive: Connection reset by peer");
    assert_true(j.stats.spliced == SPLICES);
    close_conns(&c);
}

static void test_relay_peer_reset_is_econnreset_over_tls(void **state)
{
    struct tls_fixture *f = tls_fixture(state);
    struct conns c;
    struct job j = {0};

    tls_conns(f, &c);
    /* The reset reaches the relay on b, while it sends the TLS side's
     * bytes there or waits for b's. */
    reset_mid_transfer(&c, &j, true, "Connection reset by peer");
    assert_false(j.stats.spliced);
    close_conns(&c);
}

/* ------------------------------------------------------------------------ */
/* Bad arguments                                                            */
/* ------------------------------------------------------------------------ */

/* skt_relay(a, b, opts) fails with code and a detail holding part. */
static void expect_refused(skt_socket *a, skt_socket *b,
                           const skt_relay_opts *opts, int code,
                           const char *part)
{
    skt_relay_stats stats = {.a_to_b = 99};

    assert_code(skt_relay(a, b, opts, &stats), code);
    assert_contains(skt_error_detail(), part);
    assert_int_equal(stats.a_to_b, 0);
}

static void test_relay_bad_arguments_are_einval(void **state)
{
    struct conns c;
    skt_socket *lone, *listener;
    int port;

    (void)state;
    tcp_conns(&c);
    expect_refused(NULL, c.b, NULL, -EINVAL, "relay: socket a is NULL");
    expect_refused(c.a, NULL, NULL, -EINVAL, "relay: socket b is NULL");
    expect_refused(c.a, c.a, NULL, -EINVAL, "the same socket");
    expect_refused(c.a, c.b, &(skt_relay_opts){.idle_timeout = -1},
                   -EINVAL, "idle_timeout -1");
    expect_refused(c.a, c.b, &(skt_relay_opts){.timeout = NAN}, -EINVAL,
                   "timeout nan");
    expect_refused(c.a, c.b, &(skt_relay_opts){.stop = c.a}, -EINVAL,
                   "the stop socket is one of the relayed ones");
    expect_refused(c.a, c.b, &(skt_relay_opts){.reserved = {&port}},
                   -EINVAL, "relay: options");
    SKT_OK(skt_open(&lone, AF_INET, SOCK_STREAM, 0));
    expect_refused(c.a, lone, NULL, -ENOTCONN,
                   "relay: socket b is not connected");
    skt_test_tcp_listener(&listener, &port);
    expect_refused(listener, c.b, NULL, -ENOTCONN,
                   "relay: socket a is not connected");
    skt_close(lone);
    skt_close(listener);
    /* Refused calls touched nothing: the sockets still work. */
    send_text(c.a, "fine");
    expect_text(c.left, "fine");
    close_conns(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_relay_carries_both_directions_through_splice),
    cmocka_unit_test(test_relay_carries_half_close_from_a),
    cmocka_unit_test(test_relay_carries_half_close_from_b),
    cmocka_unit_test(test_relay_gives_the_sockets_their_modes_back),
    SKT_CASE(test_relay_copies_tls_with_half_close_both_ways, pair),
    SKT_CASE(test_relay_sends_bytes_waiting_in_tls, pair),
    cmocka_unit_test(test_relay_forwards_each_datagram_whole),
    cmocka_unit_test(test_relay_sends_a_stream_as_datagrams),
    cmocka_unit_test(test_relay_idle_timeout_is_etimedout),
    cmocka_unit_test(test_relay_deadline_is_etimedout),
    cmocka_unit_test(test_relay_stop_socket_is_ecanceled),
    cmocka_unit_test(test_relay_moves_64_mib_through_splice_intact),
    cmocka_unit_test(test_relay_copies_when_the_kernel_refuses_to_splice),
    SKT_CASE(test_relay_moves_16_mib_over_tls_intact, pair),
    cmocka_unit_test(test_relay_peer_reset_is_econnreset_on_splice),
    SKT_CASE(test_relay_peer_reset_is_econnreset_over_tls, pair),
    cmocka_unit_test(test_relay_bad_arguments_are_einval),
};

SKT_TEST_MAIN(tests)
