/*
 * test-mmsg.c - batched datagrams: sendmmsg/recvmmsg round trips, partial
 * completion (a message that fails after others went, a batch larger than
 * what is queued), waiting for the first message only, timeouts, and the
 * same through the sendmsg/recvmsg loop used where the kernel lacks the
 * calls; then UDP multicast on loopback and broadcast.
 */
#include "harness.h"
#include "internal.h"
#include "msg.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_BATCH = 32, PAYLOAD = 64 };

/* A batch of messages with their own buffers and addresses. */
struct batch {
    char data[MAX_BATCH][PAYLOAD];
    struct iovec iov[MAX_BATCH];
    skt_addr addr[MAX_BATCH];
    skt_msg msgs[MAX_BATCH];
};

/* Fills n messages "message i" (of different lengths) to dest. */
static void fill_outgoing(struct batch *b, size_t n, skt_addr *dest)
{
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(b->data[i], PAYLOAD, "message %zu%.*s", i,
                           (int)i, "................................");
        b->iov[i] = (struct iovec){b->data[i], (size_t)len};
        b->msgs[i] = (skt_msg){&b->iov[i], 1, dest, NULL, 0, 0};
    }
}

static void fill_incoming(struct batch *b, size_t n)
{
    memset(b->data, 0, sizeof b->data);
    for (size_t i = 0; i < n; i++) {
        b->iov[i] = (struct iovec){b->data[i], PAYLOAD};
        b->msgs[i] = (skt_msg){&b->iov[i], 1, &b->addr[i], NULL, 0, -1};
    }
}

static skt_socket *udp_bound(const char *text, skt_addr *addr)
{
    skt_socket *s;

    SKT_OK(skt_addr_parse(addr, text));
    SKT_OK(skt_open(&s, skt_addr_family(addr), SOCK_DGRAM, 0));
    SKT_OK(skt_bind(s, addr));
    SKT_OK(skt_settimeout(s, 5));
    SKT_OK(skt_getsockname(s, addr));
    return s;
}

/* Checks that in holds the first n messages of out, from `from`. */
static void assert_received(const struct batch *out, const struct batch *in,
                            size_t first, size_t n, const skt_addr *from)
{
    for (size_t i = 0; i < n; i++) {
        const skt_msg *m = &in->msgs[i];
        assert_int_equal(m->len, out->iov[first + i].iov_len);
        assert_memory_equal(in->data[i], out->data[first + i], m->len);
        assert_int_equal(m->flags, 0);
        assert_true(skt_addr_equal(&in->addr[i], from));
    }
}

/* ------------------------------------------------------------------------ */
/* Batches                                                                  */
/* ------------------------------------------------------------------------ */

static void batch_round_trip(void)
{
    static struct batch out, in;
    skt_addr a_addr, b_addr;
    skt_socket *a = udp_bound("127.0.0.1:0", &a_addr);
    skt_socket *b = udp_bound("127.0.0.1:0", &b_addr);

    fill_outgoing(&out, 16, &b_addr);
    assert_int_equal(skt_sendmmsg(a, out.msgs, 16, 0), 16);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(out.msgs[i].len, out.iov[i].iov_len);
    fill_incoming(&in, MAX_BATCH);
    /* All 16 are queued: one call takes them, and does not wait for the
     * 16 more there is room for. */
    assert_int_equal(skt_recvmmsg(b, in.msgs, MAX_BATCH, 0), 16);
    assert_received(&out, &in, 0, 16, &a_addr);
    skt_close(a);
    skt_close(b);
}

static void test_mmsg_batch_round_trip(void **state)
{
    (void)state;
    batch_round_trip();
}

static void test_mmsg_fallback_batch_round_trip(void **state)
{
    (void)state;
    skt__mmsg_force_fallback(true);
    batch_round_trip();
    skt__mmsg_force_fallback(false);
}

/*
 * Message 2 is too big for UDP: the first call sends 0 and 1 and stops,
 * the next call, starting at message 2, reports its error, and the rest
 * go after it.
 */
static void partial_send(void)
{
    static struct batch out, in;
    static char huge[70000];
    struct iovec huge_iov = {huge, sizeof huge};
    skt_addr a_addr, b_addr;
    skt_socket *a = udp_bound("127.0.0.1:0", &a_addr);
    skt_socket *b = udp_bound("127.0.0.1:0", &b_addr);

    fill_outgoing(&out, 5, &b_addr);
    out.msgs[2].iov = &huge_iov;
    assert_int_equal(skt_sendmmsg(a, out.msgs, 5, 0), 2);
    assert_int_equal(skt_sendmmsg(a, out.msgs + 2, 3, 0), -EMSGSIZE);
    assert_non_null(strstr(skt_error_detail(), "sendmmsg"));
    assert_int_equal(skt_sendmmsg(a, out.msgs + 3, 2, 0), 2);
    fill_incoming(&in, MAX_BATCH);
    assert_int_equal(skt_recvmmsg(b, in.msgs, MAX_BATCH, 0), 4);
    assert_received(&out, &in, 0, 2, &a_addr);
    assert_memory_equal(in.data[2], out.data[3], out.iov[3].iov_len);
    assert_memory_equal(in.data[3], out.data[4], out.iov[4].iov_len);
    skt_close(a);
    skt_close(b);
}

static void test_sendmmsg_partial_completion(void **state)
{
    (void)state;
    partial_send();
}

static void test_sendmmsg_fallback_partial_completion(void **state)
{
    (void)state;
    skt__mmsg_force_fallback(true);
    partial_send();
    skt__mmsg_force_fallback(false);
}

static void recv_fewer_than_queued(void)
{
    static struct batch out, in;
    skt_addr a_addr, b_addr;
    skt_socket *a = udp_bound("127.0.0.1:0", &a_addr);
    skt_socket *b = udp_bound("127.0.0.1:0", &b_addr);

    fill_outgoing(&out, 5, &b_addr);
    assert_int_equal(skt_sendmmsg(a, out.msgs, 5, 0), 5);
    fill_incoming(&in, 3);
    assert_int_equal(skt_recvmmsg(b, in.msgs, 3, 0), 3);
    assert_received(&out, &in, 0, 3, &a_addr);
    fill_incoming(&in, MAX_BATCH);
    assert_int_equal(skt_recvmmsg(b, in.msgs, MAX_BATCH, 0), 2);
    assert_received(&out, &in, 3, 2, &a_addr);
    skt_close(a);
    skt_close(b);
}

static void test_recvmmsg_takes_at_most_count(void **state)
{
    (void)state;
    recv_fewer_than_queued();
}

static void test_recvmmsg_fallback_takes_at_most_count(void **state)
{
    (void)state;
    skt__mmsg_force_fallback(true);
    recv_fewer_than_queued();
    skt__mmsg_force_fallback(false);
}

static void timeout_with_nothing_queued(void)
{
    static struct batch in;
    skt_addr addr;
    skt_socket *s = udp_bound("127.0.0.1:0", &addr);
    double start;

    SKT_OK(skt_settimeout(s, 0.2));
    fill_incoming(&in, 4);
    start = skt_test_now();
    assert_int_equal(skt_recvmmsg(s, in.msgs, 4, 0), -ETIMEDOUT);
    assert_true(skt_test_now() - start >= 0.19);
    SKT_OK(skt_setblocking(s, false));
    assert_int_equal(skt_recvmmsg(s, in.msgs, 4, 0), -EAGAIN);
    skt_close(s);
}

static void test_recvmmsg_timeout(void **state)
{
    (void)state;
    timeout_with_nothing_queued();
}

static void test_recvmmsg_fallback_timeout(void **state)
{
    (void)state;
    skt__mmsg_force_fallback(true);
    timeout_with_nothing_queued();
    skt__mmsg_force_fallback(false);
}

static void test_recvmmsg_reports_truncation_per_message(void **state)
{
    static struct batch out, in;
    skt_addr a_addr, b_addr;
    skt_socket *a = udp_bound("127.0.0.1:0", &a_addr);
    skt_socket *b = udp_bound("127.0.0.1:0", &b_addr);
    (void)state;
    fill_outgoing(&out, 2, &b_addr);
    assert_int_equal(skt_sendmmsg(a, out.msgs, 2, 0), 2);
    fill_incoming(&in, 2);
    in.iov[1].iov_len = 4;
    assert_int_equal(skt_recvmmsg(b, in.msgs, 2, 0), 2);
    assert_int_equal(in.msgs[0].flags, 0);
    assert_int_equal(in.msgs[1].len, 4);
    assert_true(in.msgs[1].flags & MSG_TRUNC);
    skt_close(a);
    skt_close(b);
}

static void test_mmsg_rejects_bad_batches(void **state)
{
    static struct batch out;
    skt_addr addr;
    skt_socket *s = udp_bound("127.0.0.1:0", &addr);
    (void)state;
    fill_outgoing(&out, 3, &addr);
    assert_int_equal(skt_sendmmsg(s, out.msgs, 0, 0), -EINVAL);
    assert_int_equal(skt_sendmmsg(s, NULL, 3, 0), -EINVAL);
    out.msgs[1].iov = NULL;
    assert_int_equal(skt_sendmmsg(s, out.msgs, 3, 0), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "message 1"));
    assert_int_equal(skt_recvmmsg(s, out.msgs, 3, 0), -EINVAL);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* Multicast and broadcast                                                  */
/* ------------------------------------------------------------------------ */

static void test_multicast_on_loopback(void **state)
{
    unsigned lo = if_nametoindex("lo");
    skt_addr any, group, dest, from, self;
    skt_socket *r, *s;
    char text[64], buf[16];
    int rc;
    (void)state;
    r = udp_bound("0.0.0.0:0", &any);
    snprintf(text, sizeof text, "239.255.%d.%d:%d", getpid() % 250,
             getpid() / 250 % 250, skt_addr_port(&any));
    SKT_OK(skt_addr_parse(&group, text));
    SKT_OK(skt_addr_parse(&dest, text));
    rc = skt_mcast_join(r, &group, lo);
    if (rc == -ENODEV || rc == -EADDRNOTAVAIL || rc == -ENOBUFS) {
        skt_close(r);
        SKT_SKIP("cannot join a multicast group on lo here: %s",
                 skt_error_detail());
    }
    SKT_OK(rc);
    assert_int_equal(skt_mcast_join(r, &group, lo), -EADDRINUSE);
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_mcast_set_interface(s, lo));
    SKT_OK(skt_mcast_set_loop(s, true));
    SKT_OK(skt_mcast_set_ttl(s, 1));
    rc = (int)skt_sendto(s, "group", 5, 0, &dest);
    if (rc == -ENETUNREACH || rc == -EPERM) {
        skt_close(s);
        skt_close(r);
        SKT_SKIP("cannot send multicast on lo here: %s", skt_error_detail());
    }
    assert_int_equal(rc, 5);
    SKT_OK(skt_settimeout(r, 2));
    assert_int_equal(skt_recvfrom(r, buf, sizeof buf, 0, &from), 5);
    assert_memory_equal(buf, "group", 5);
    SKT_OK(skt_getsockname(s, &self));
    assert_int_equal(skt_addr_port(&from), skt_addr_port(&self));
    SKT_OK(skt_mcast_leave(r, &group, lo));
    assert_int_equal(skt_mcast_leave(r, &group, lo), -EADDRNOTAVAIL);
    skt_close(s);
    skt_close(r);
}

static void test_multicast_options_read_back(void **state)
{
    skt_socket *s, *s6, *unix_socket, *unused;
    int value;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_mcast_set_ttl(s, 7));
    SKT_OK(skt_getsockopt_int(s, IPPROTO_IP, IP_MULTICAST_TTL, &value));
    assert_int_equal(value & 0xff, 7);
    SKT_OK(skt_mcast_set_loop(s, false));
    SKT_OK(skt_getsockopt_int(s, IPPROTO_IP, IP_MULTICAST_LOOP, &value));
    assert_int_equal(value & 0xff, 0);
    assert_int_equal(skt_mcast_set_ttl(s, 256), -EINVAL);
    assert_int_equal(skt_mcast_set_ttl(s, -1), -EINVAL);
    if (skt_open(&s6, AF_INET6, SOCK_DGRAM, 0) == 0) {
        SKT_OK(skt_mcast_set_ttl(s6, 9));
        SKT_OK(skt_getsockopt_int(s6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
                                  &value));
        assert_int_equal(value, 9);
        skt_close(s6);
    }
    SKT_OK(skt_socketpair(&unix_socket, &unused, AF_UNIX, SOCK_DGRAM, 0));
    assert_int_equal(skt_mcast_set_ttl(unix_socket, 1), -EAFNOSUPPORT);
    skt_close(unix_socket);
    skt_close(unused);
    skt_close(s);
}

static void test_mcast_join_rejects_unicast_and_unix(void **state)
{
    skt_addr unicast, six, path;
    skt_socket *s;
    (void)state;
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    SKT_OK(skt_addr_parse(&unicast, "10.0.0.1:0"));
    assert_int_equal(skt_mcast_join(s, &unicast, 0), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "10.0.0.1"));
    SKT_OK(skt_addr_parse(&six, "[2001:db8::1]:0"));
    assert_int_equal(skt_mcast_join(s, &six, 0), -EINVAL);
    SKT_OK(skt_addr_parse(&path, "unix:/x"));
    assert_int_equal(skt_mcast_join(s, &path, 0), -EAFNOSUPPORT);
    assert_int_equal(skt_mcast_join(NULL, &unicast, 0), -EINVAL);
    skt_close(s);
}

static void test_ipv6_multicast_on_loopback(void **state)
{
    unsigned lo = if_nametoindex("lo");
    skt_addr any, group;
    skt_socket *r, *s;
    char text[64], buf[8];
    int rc;
    (void)state;
    if (skt_addr_parse(&any, "[::]:0") < 0 ||
        skt_open(&r, AF_INET6, SOCK_DGRAM, 0) < 0)
        SKT_SKIP("no IPv6 here");
    SKT_OK(skt_bind(r, &any));
    SKT_OK(skt_getsockname(r, &any));
    snprintf(text, sizeof text, "[ff02::1:%x%%lo]:%d", getpid() & 0xffff,
             skt_addr_port(&any));
    SKT_OK(skt_addr_parse(&group, text));
    SKT_OK(skt_mcast_join(r, &group, lo));
    SKT_OK(skt_open(&s, AF_INET6, SOCK_DGRAM, 0));
    SKT_OK(skt_mcast_set_interface(s, lo));
    rc = (int)skt_sendto(s, "six", 3, 0, &group);
    if (rc == -ENETUNREACH || rc == -EADDRNOTAVAIL) {
        skt_close(s);
        skt_close(r);
        SKT_SKIP("lo has no MULTICAST flag here, so IPv6 multicast cannot "
                 "leave by it (%s)", skt_strerror(rc));
    }
    assert_int_equal(rc, 3);
    SKT_OK(skt_settimeout(r, 2));
    assert_int_equal(skt_recv(r, buf, sizeof buf, 0), 3);
    skt_close(s);
    skt_close(r);
}

static void test_broadcast_needs_so_broadcast(void **state)
{
    skt_addr any, bcast;
    skt_socket *r, *s;
    char text[64], buf[8];
    (void)state;
    r = udp_bound("0.0.0.0:0", &any);
    snprintf(text, sizeof text, "127.255.255.255:%d", skt_addr_port(&any));
    SKT_OK(skt_addr_parse(&bcast, text));
    SKT_OK(skt_open(&s, AF_INET, SOCK_DGRAM, 0));
    assert_int_equal(skt_sendto(s, "b", 1, 0, &bcast), -EACCES);
    SKT_OK(skt_set_broadcast(s, true));
    assert_int_equal(skt_sendto(s, "b", 1, 0, &bcast), 1);
    assert_int_equal(skt_recv(r, buf, sizeof buf, 0), 1);
    SKT_OK(skt_set_broadcast(s, false));
    assert_int_equal(skt_sendto(s, "b", 1, 0, &bcast), -EACCES);
    skt_close(s);
    skt_close(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mmsg_batch_round_trip),
    cmocka_unit_test(test_mmsg_fallback_batch_round_trip),
    cmocka_unit_test(test_sendmmsg_partial_completion),
    cmocka_unit_test(test_sendmmsg_fallback_partial_completion),
    cmocka_unit_test(test_recvmmsg_takes_at_most_count),
    cmocka_unit_test(test_recvmmsg_fallback_takes_at_most_count),
    cmocka_unit_test(test_recvmmsg_timeout),
    cmocka_unit_test(test_recvmmsg_fallback_timeout),
    cmocka_unit_test(test_recvmmsg_reports_truncation_per_message),
    cmocka_unit_test(test_mmsg_rejects_bad_batches),
    cmocka_unit_test(test_multicast_on_loopback),
    cmocka_unit_test(test_multicast_options_read_back),
    cmocka_unit_test(test_mcast_join_rejects_unicast_and_unix),
    cmocka_unit_test(test_ipv6_multicast_on_loopback),
    cmocka_unit_test(test_broadcast_needs_so_broadcast),
};

SKT_TEST_MAIN(tests)
