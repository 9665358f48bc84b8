/*
 * mmsg.c - batched datagrams (sendmmsg and recvmmsg, with a loop of
 * sendmsg or recvmsg where the kernel lacks them), and the multicast and
 * broadcast helpers of UDP.
 *
 * Each batched call is one system call with the kernel's own partial
 * semantics: a send returns how many messages went, a receive waits for
 * the first message only (MSG_WAITFORONE) and takes what is queued. No
 * second call is made after progress, because a second call could consume
 * a pending socket error (an ICMP "port unreachable") that the caller
 * would then never see.
 */
#include "msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's batches are the platform's (msg_<platform>.c). */
#define BATCH_MAX SKT__BATCH_MAX

static int fallback_forced;
static int kernel_lacks_mmsg;

void skt__mmsg_force_fallback(bool on)
{
    __atomic_store_n(&fallback_forced, on, __ATOMIC_RELAXED);
}

static bool use_fallback(void)
{
    return __atomic_load_n(&fallback_forced, __ATOMIC_RELAXED) ||
           __atomic_load_n(&kernel_lacks_mmsg, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Batches                                                                  */
/* ------------------------------------------------------------------------ */

/* Checks every message first, so that a bad one sends nothing. The
 * detail of a bad one names its index. */
static int check_batch(const skt_msg *msgs, size_t count, const char *op)
{
    char which[48];

    for (size_t i = 0; i < count && i < BATCH_MAX; i++) {
        if (skt__msg_check(&msgs[i], op) == 0)
            continue;
        snprintf(which, sizeof which, "%s, message %zu", op, i);
        return skt__msg_check(&msgs[i], which);
    }
    return 0;
}

/* Checks what every batched call checks. */
static int check_call(skt_socket *s, const skt_msg *msgs, size_t count,
                      const char *op)
{
    int rc;

    if (s == NULL || msgs == NULL || count == 0)
        return skt__fail(-EINVAL, "%s: %s", op,
                         count == 0 ? "no messages" : "NULL argument");
    rc = skt__plain_only(s, op);
    return rc < 0 ? rc : check_batch(msgs, count, op);
}

static void note_enosys(int rc)
{
    if (rc == -ENOSYS)
        __atomic_store_n(&kernel_lacks_mmsg, 1, __ATOMIC_RELAXED);
}

static int fail_batch(int rc, const char *op, const skt_msg *first)
{
    char prefix[48];

    if (first->addr == NULL || first->addr->len == 0)
        return skt__fail(rc, "%s", op);
    snprintf(prefix, sizeof prefix, "%s, the first to", op);
    return skt__fail_addr(rc, prefix, first->addr);
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */
/* ------------------------------------------------------------------------ */

/* The same with one sendmsg per message: after progress, a message that
 * would block or fails ends the batch, as in sendmmsg. */
static int send_loop(skt_socket *s, skt_msg *msgs, size_t count, int flags)
{
    int64_t deadline = 0;
    size_t done = 0;

    while (done < count && done < BATCH_MAX) {
        struct msghdr h;
        ssize_t n;
        int rc;
        skt__msg_send_header(&h, &msgs[done]);
        n = skt__sys_sendmsg(s->fd, &h, flags);
        if (n >= 0) {
            msgs[done++].len = (size_t)n;
            continue;
        }
        if (done > 0)
            break;
        rc = skt__io_retry_flags(s, (int)n, POLLOUT, flags, &deadline);
        if (rc < 0)
            return rc;
    }
    return (int)done;
}

int skt_sendmmsg(skt_socket *s, skt_msg *msgs, size_t count, int flags)
{
    int n = check_call(s, msgs, count, "sendmmsg");

    if (n < 0)
        return n;
    n = -ENOSYS;
    if (!use_fallback()) {
        if ((n = skt__mmsg_send_batch(s, msgs, count, flags)) == -ENOMEM)
            return n;
        note_enosys(n);
    }
    if (n == -ENOSYS)
        n = send_loop(s, msgs, count, flags);
    return n < 0 ? fail_batch(n, "sendmmsg", &msgs[0]) : n;
}

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */
/* ------------------------------------------------------------------------ */

/* One recvmsg into m; with after_first, only what is already queued. */
static ssize_t recv_one(skt_socket *s, skt_msg *m, int flags,
                        bool after_first, int64_t *deadline)
{
    struct msghdr h;

    if (after_first)
        flags |= MSG_DONTWAIT;
    for (;;) {
        ssize_t n;
        int rc;
        skt__msg_recv_header(&h, m);
        n = skt__sys_recvmsg(s->fd, &h, skt__msg_recv_flags(s, flags));
        if (n >= 0) {
            skt__msg_received(m, &h, (size_t)n);
            return n;
        }
        rc = skt__io_retry_flags(s, (int)n, POLLIN, flags, deadline);
        if (rc < 0)
            return rc;
    }
}

/* The same with one recvmsg per message, as MSG_WAITFORONE does. */
static int recv_loop(skt_socket *s, skt_msg *msgs, size_t count, int flags)
{
    int64_t deadline = 0;
    size_t done = 0;

    while (done < count && done < BATCH_MAX) {
        ssize_t n = recv_one(s, &msgs[done], flags, done > 0, &deadline);
        if (n < 0)
            return done > 0 ? (int)done : (int)n;
        done++;
    }
    return (int)done;
}

int skt_recvmmsg(skt_socket *s, skt_msg *msgs, size_t count, int flags)
{
    int n = check_call(s, msgs, count, "recvmmsg");

    if (n < 0)
        return n;
    n = -ENOSYS;
    if (!use_fallback()) {
        if ((n = skt__mmsg_recv_batch(s, msgs, count, flags)) == -ENOMEM)
            return n;
        note_enosys(n);
    }
    if (n == -ENOSYS)
        n = recv_loop(s, msgs, count, flags);
    return n < 0 ? skt__fail(n, "recvmmsg of up to %zu messages on fd %d",
                             count, s->fd)
                 : n;
}

/* ------------------------------------------------------------------------ */
/* Multicast and broadcast                                                  */
/* ------------------------------------------------------------------------ */

static int fail_group(int rc, const char *op, const skt_addr *group,
                      unsigned ifindex, const char *why)
{
    char text[SKT_ADDRSTRLEN];

    skt__addr_text(group, text, sizeof text);
    if (why != NULL)
        return skt__fail(rc, "%s of %s: %s", op, text, why);
    return skt__fail(rc, "%s of %s on interface %u", op, text, ifindex);
}

static int membership_ipv4(skt_socket *s, const skt_addr *group,
                           unsigned ifindex, bool join, const char *op)
{
    struct ip_mreqn req;
    int rc;

    if (!IN_MULTICAST(ntohl(group->u.in4.sin_addr.s_addr)))
        return fail_group(-EINVAL, op, group, ifindex,
                          "not a multicast address (224.0.0.0/4)");
    memset(&req, 0, sizeof req);
    req.imr_multiaddr = group->u.in4.sin_addr;
    req.imr_ifindex = (int)ifindex;
    rc = skt__sys_setsockopt(s->fd, IPPROTO_IP,
                             join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                             &req, sizeof req);
    return rc < 0 ? fail_group(rc, op, group, ifindex, NULL) : 0;
}

static int membership_ipv6(skt_socket *s, const skt_addr *group,
                           unsigned ifindex, bool join, const char *op)
{
    struct ipv6_mreq req;
    int rc;

    if (!IN6_IS_ADDR_MULTICAST(&group->u.in6.sin6_addr))
        return fail_group(-EINVAL, op, group, ifindex,
                          "not a multicast address (ff00::/8)");
    memset(&req, 0, sizeof req);
    req.ipv6mr_multiaddr = group->u.in6.sin6_addr;
    req.ipv6mr_interface = ifindex;
    rc = skt__sys_setsockopt(s->fd, IPPROTO_IPV6,
                             join ? IPV6_ADD_MEMBERSHIP
                                  : IPV6_DROP_MEMBERSHIP,
                             &req, sizeof req);
    return rc < 0 ? fail_group(rc, op, group, ifindex, NULL) : 0;
}

/* The group's family picks the option: an IPv4 group can be joined on a
 * dual-stack IPv6 socket too. */
static int membership(skt_socket *s, const skt_addr *group,
                      unsigned ifindex, bool join)
{
    const char *op = join ? "mcast_join" : "mcast_leave";

    if (s == NULL || group == NULL)
        return skt__fail(-EINVAL, "%s: NULL argument", op);
    switch (skt_addr_family(group)) {
    case AF_INET:
        return membership_ipv4(s, group, ifindex, join, op);
    case AF_INET6:
        return membership_ipv6(s, group, ifindex, join, op);
    default:
        return skt__fail(-EAFNOSUPPORT, "%s: the group is not an IPv4 or "
                         "IPv6 address", op);
    }
}

int skt_mcast_join(skt_socket *s, const skt_addr *group, unsigned ifindex)
{
    return membership(s, group, ifindex, true);
}

int skt_mcast_leave(skt_socket *s, const skt_addr *group, unsigned ifindex)
{
    return membership(s, group, ifindex, false);
}

/* Sets an int option at the IPv4 or IPv6 level, by the socket's family. */
static int set_ip_int(skt_socket *s, const char *op, int ipv4_name,
                      int ipv6_name, int value)
{
    int rc;

    if (s->family == AF_INET)
        rc = skt__sys_setsockopt(s->fd, IPPROTO_IP, ipv4_name, &value,
                                 sizeof value);
    else if (s->family == AF_INET6)
        rc = skt__sys_setsockopt(s->fd, IPPROTO_IPV6, ipv6_name, &value,
                                 sizeof value);
    else
        return skt__fail(-EAFNOSUPPORT, "%s: not an IPv4 or IPv6 socket",
                         op);
    return rc < 0 ? skt__fail(rc, "%s(%d)", op, value) : 0;
}

int skt_mcast_set_ttl(skt_socket *s, int ttl)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    if (ttl < 0 || ttl > 255)
        return skt__fail(-EINVAL, "mcast_set_ttl(%d): outside 0..255", ttl);
    return set_ip_int(s, "mcast_set_ttl", IP_MULTICAST_TTL,
                      IPV6_MULTICAST_HOPS, ttl);
}

int skt_mcast_set_loop(skt_socket *s, bool loop)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    return set_ip_int(s, "mcast_set_loop", IP_MULTICAST_LOOP,
                      IPV6_MULTICAST_LOOP, loop);
}

int skt_mcast_set_interface(skt_socket *s, unsigned ifindex)
{
    struct ip_mreqn req;
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    if (s->family != AF_INET)
        return set_ip_int(s, "mcast_set_interface", IP_MULTICAST_IF,
                          IPV6_MULTICAST_IF, (int)ifindex);
    /* IPv4 takes the interface by index only through ip_mreqn. */
    memset(&req, 0, sizeof req);
    req.imr_ifindex = (int)ifindex;
    rc = skt__sys_setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &req,
                             sizeof req);
    return rc < 0 ? skt__fail(rc, "mcast_set_interface(%u)", ifindex) : 0;
}

int skt_set_broadcast(skt_socket *s, bool on)
{
    int value = on;
    int rc;

    SKT__CHECK(s != NULL, "socket is NULL");
    rc = skt__sys_setsockopt(s->fd, SOL_SOCKET, SO_BROADCAST, &value,
                             sizeof value);
    return rc < 0 ? skt__fail(rc, "set_broadcast(%d)", value) : 0;
}
