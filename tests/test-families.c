/*
 * test-families.c - the Linux address families: their text forms (round
 * trips, non-canonical input, refusals, the raw form for bytes a form
 * cannot carry, lengths as the kernel reports them), and real sockets: a
 * netlink route dump compared with the interface list, an AF_PACKET
 * address read back from the kernel, AF_PACKET frames across a veth pair
 * in a network namespace the test builds, vsock, and -EAFNOSUPPORT for the
 * families this kernel lacks.
 */
#include "harness.h"
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

/* An EtherType from the range IEEE 802 leaves for local experiments. */
#define ETH_P_SKT_TEST 0x88b5

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* format(parse(text)) is text; parse(format(a)) equals a. */
static void check_round_trip(const char *text, int family)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a, b;
    int rc = skt_addr_parse(&a, text);

    if (rc != 0)
        fail_msg("parse \"%s\": %s", text, skt_error_detail());
    assert_int_equal(skt_addr_family(&a), family);
    assert_int_equal(skt_addr_format(&a, buf, sizeof buf), strlen(text));
    assert_string_equal(buf, text);
    SKT_OK(skt_addr_parse(&b, buf));
    assert_true(skt_addr_equal(&a, &b));
    assert_int_equal(a.len, b.len);
}

/* text parses and formats as canonical. */
static void check_canonical(const char *text, const char *canonical)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;

    SKT_OK(skt_addr_parse(&a, text));
    assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, canonical);
}

static void check_rejected(const char *text, int code)
{
    skt_addr a;
    int rc;

    memset(&a, 0x5a, sizeof a);
    rc = skt_addr_parse(&a, text);
    if (rc != code)
        fail_msg("parse \"%s\" gave %d (%s), not %d", text, rc,
                 skt_error_detail(), code);
    assert_int_equal(a.len, 0);
    assert_non_null(strstr(skt_error_detail(), "parse address"));
}

/* Formats an address built from a struct and checks the text, then that
 * the text parses back to an equal address. */
static void check_struct_formats(const void *sa, socklen_t len,
                                 const char *text)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a, b;

    SKT_OK(skt_addr_from_sockaddr(&a, sa, len));
    assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, text);
    SKT_OK(skt_addr_parse(&b, buf));
    assert_true(skt_addr_equal(&a, &b));
}

/* Writes "family:N:" and the bytes after sa_family in hex into text. */
static void raw_text(const void *sa, size_t len, char *text, size_t size)
{
    const unsigned char *bytes = sa;
    size_t used = (size_t)snprintf(text, size, "family:%u:",
                                   (unsigned)((const struct sockaddr *)sa)
                                       ->sa_family);

    for (size_t i = sizeof(sa_family_t); i < len; i++)
        used += (size_t)snprintf(text + used, size - used, "%02x", bytes[i]);
}

/* ------------------------------------------------------------------------ */
/* Text forms                                                               */
/* ------------------------------------------------------------------------ */

static void test_linux_forms_round_trip(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    static const struct {
        const char *text;
        int family;
    } table[] = {
        {"netlink:0:0", AF_NETLINK},
        {"netlink:1234:17", AF_NETLINK},
        {"netlink:4294967295:4294967295", AF_NETLINK},
        {"packet:lo", AF_PACKET},
        {"packet:lo:0x0800", AF_PACKET},
        {"packet:0", AF_PACKET},
        {"packet:0:0x0003", AF_PACKET},
        {"packet:lo:0x88b5:1:1:02:00:5e:00:00:01", AF_PACKET},
        {"packet:lo:0x0000:4:772:", AF_PACKET},
        {"packet:lo:0xffff:255:65535:01:02:03:04:05:06:07:08", AF_PACKET},
        {"vsock:2:1234", AF_VSOCK},
        {"vsock:4294967295:4294967295", AF_VSOCK},
        {"vsock:1:80:1", AF_VSOCK},
        {"can:0", AF_CAN},
        {"can:lo", AF_CAN},
        {"can:0:0x7e0:0x7e8", AF_CAN},
        {"alg:hash:sha256", AF_ALG},
        {"alg:skcipher:cbc(aes)", AF_ALG},
        {"alg:aead:name:with:colons", AF_ALG},
        {"tipc:socket:1:2", AF_TIPC},
        {"tipc:service:1000:5", AF_TIPC},
        {"tipc:range:1000:0:99", AF_TIPC},
        {"tipc:service:1000:5:cluster", AF_TIPC},
        {"tipc:range:1:2:3:node", AF_TIPC},
        {"tipc:socket:4294967295:0:zone", AF_TIPC},
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i].text, table[i].family);
}

static void test_linux_forms_accept_non_canonical_input(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    char by_index[32];
    (void)state;
    check_canonical("netlink:0x10:0X1", "netlink:16:1");
    check_canonical("netlink:007:0", "netlink:7:0");
    check_canonical("packet:lo:2048", "packet:lo:0x0800");
    check_canonical("packet:lo:0", "packet:lo");
    check_canonical("packet:lo:0:0:0:", "packet:lo");
    check_canonical("packet:lo:0x88B5:1:1:AA:bb:0c:00:00:01",
                    "packet:lo:0x88b5:1:1:aa:bb:0c:00:00:01");
    check_canonical("vsock:1:2:0", "vsock:1:2");
    check_canonical("can:0:0:0", "can:0");
    check_canonical("tipc:range:0x1:2:3", "tipc:range:1:2:3");
    snprintf(by_index, sizeof by_index, "packet:%u", if_nametoindex("lo"));
    check_canonical(by_index, "packet:lo");
}

static void test_linux_forms_reject_malformed_text(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    static const struct {
        const char *text;
        int code;
    } table[] = {
        {"netlink:", SKT_EADDRSYNTAX},
        {"netlink:1", SKT_EADDRSYNTAX},
        {"netlink:1:2:3", SKT_EADDRSYNTAX},
        {"netlink:-1:0", SKT_EADDRSYNTAX},
        {"netlink:+1:0", SKT_EADDRSYNTAX},
        {"netlink:4294967296:0", SKT_EADDRSYNTAX},
        {"netlink:1: 2", SKT_EADDRSYNTAX},
        {"netlink:0x:1", SKT_EADDRSYNTAX},
        {"packet:", SKT_EADDRSYNTAX},
        {"packet:lo:", SKT_EADDRSYNTAX},
        {"packet:lo:0x10000", SKT_EADDRSYNTAX},
        {"packet:lo:1:2", SKT_EADDRSYNTAX},
        {"packet:lo:1:2:3", SKT_EADDRSYNTAX},
        {"packet:lo:1:256:1:", SKT_EADDRSYNTAX},
        {"packet:lo:1:0:65536:", SKT_EADDRSYNTAX},
        {"packet:lo:1:0:1:0", SKT_EADDRSYNTAX},
        {"packet:lo:1:0:1:00:", SKT_EADDRSYNTAX},
        {"packet:lo:1:0:1:0g", SKT_EADDRSYNTAX},
        {"packet:lo:1:0:1:00:11:22:33:44:55:66:77:88", SKT_EADDRSYNTAX},
        {"packet:2147483648", SKT_EADDRSYNTAX},
        {"packet:nosuchif0", -ENODEV},
        {"packet:averyveryverylongname", -ENODEV},
        {"vsock:1", SKT_EADDRSYNTAX},
        {"vsock:1:2:256", SKT_EADDRSYNTAX},
        {"vsock:1:2:3:4", SKT_EADDRSYNTAX},
        {"can:", SKT_EADDRSYNTAX},
        {"can:0:1", SKT_EADDRSYNTAX},
        {"can:0:1:2:3", SKT_EADDRSYNTAX},
        {"can:nosuchif0", -ENODEV},
        {"alg:hash", SKT_EADDRSYNTAX},
        {"alg::sha256", SKT_EADDRSYNTAX},
        {"alg:hash:", SKT_EADDRSYNTAX},
        {"alg:hash:sha 256", SKT_EADDRSYNTAX},
        {"alg:ha\x01sh:sha256", SKT_EADDRSYNTAX},
        {"alg:aaaaaaaaaaaaaa:x", -ENAMETOOLONG},
        {"tipc:", SKT_EADDRSYNTAX},
        {"tipc:star:1:2", SKT_EADDRSYNTAX},
        {"tipc:socket:1", SKT_EADDRSYNTAX},
        {"tipc:socket:1:2:3", SKT_EADDRSYNTAX},
        {"tipc:range:1:2", SKT_EADDRSYNTAX},
        {"tipc:service:1:2:galaxy", SKT_EADDRSYNTAX},
        {"tipc:service:1:2:node:node", SKT_EADDRSYNTAX},
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_rejected(table[i].text, table[i].code);
}

static void test_alg_name_lengths(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    char text[160];
    skt_addr a;
    (void)state;
    /* Up to 63 bytes the name fits a sockaddr_alg; longer ones make the
     * address longer, up to what a sockaddr_storage holds. */
    snprintf(text, sizeof text, "alg:hash:%063d", 0);
    check_round_trip(text, AF_ALG);
    SKT_OK(skt_addr_parse(&a, text));
    assert_int_equal(a.len, sizeof(struct sockaddr_alg));
    snprintf(text, sizeof text, "alg:hash:%0103d", 0);
    check_round_trip(text, AF_ALG);
    SKT_OK(skt_addr_parse(&a, text));
    assert_int_equal(a.len, offsetof(struct sockaddr_alg, salg_name) + 104);
    snprintf(text, sizeof text, "alg:hash:%0104d", 0);
    check_rejected(text, -ENAMETOOLONG);
    check_round_trip("alg:aaaaaaaaaaaaa:x", AF_ALG);
}

static void test_parsed_structs_hold_the_fields(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    struct sockaddr_nl nl;
    struct sockaddr_ll ll;
    struct sockaddr_vm vm;
    struct sockaddr_tipc tipc;
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "netlink:77:5"));
    assert_int_equal(a.len, sizeof nl);
    memcpy(&nl, &a.u, sizeof nl);
    assert_int_equal(nl.nl_pid, 77);
    assert_int_equal(nl.nl_groups, 5);
    SKT_OK(skt_addr_parse(&a, "packet:lo:0x88b5:3:1:0a:0b"));
    assert_int_equal(a.len, sizeof ll);
    memcpy(&ll, &a.u, sizeof ll);
    assert_int_equal(ll.sll_ifindex, (int)if_nametoindex("lo"));
    assert_int_equal(ntohs(ll.sll_protocol), 0x88b5);
    assert_int_equal(ll.sll_pkttype, 3);
    assert_int_equal(ll.sll_hatype, 1);
    assert_int_equal(ll.sll_halen, 2);
    assert_memory_equal(ll.sll_addr, "\x0a\x0b\0\0\0\0\0\0", 8);
    SKT_OK(skt_addr_parse(&a, "vsock:3:1024"));
    memcpy(&vm, &a.u, sizeof vm);
    assert_int_equal(vm.svm_cid, 3);
    assert_int_equal(vm.svm_port, 1024);
    SKT_OK(skt_addr_parse(&a, "tipc:range:18888:17:99:node"));
    memcpy(&tipc, &a.u, sizeof tipc);
    assert_int_equal(tipc.addrtype, TIPC_SERVICE_RANGE);
    assert_int_equal(tipc.scope, TIPC_NODE_SCOPE);
    assert_int_equal(tipc.addr.nameseq.type, 18888);
    assert_int_equal(tipc.addr.nameseq.lower, 17);
    assert_int_equal(tipc.addr.nameseq.upper, 99);
}

static void test_bytes_a_form_cannot_carry_use_the_raw_form(void **state)
{
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_pid = 1};
    struct sockaddr_can can = {.can_family = AF_CAN};
    struct sockaddr_alg alg = {.salg_family = AF_ALG, .salg_feat = 1};
    struct sockaddr_tipc tipc = {.family = AF_TIPC,
                                 .addrtype = TIPC_SERVICE_ADDR};
    struct sockaddr_vm vm = {.svm_family = AF_VSOCK, .svm_reserved1 = 9};
    char text[SKT_ADDRSTRLEN];
    (void)state;
    nl.nl_pad = 1;
    raw_text(&nl, sizeof nl, text, sizeof text);
    check_struct_formats(&nl, sizeof nl, text);
    can.can_addr.j1939.pgn = 0x12300;
    raw_text(&can, sizeof can, text, sizeof text);
    check_struct_formats(&can, sizeof can, text);
    memcpy(alg.salg_type, "hash", 4);
    memcpy(alg.salg_name, "sha1", 4);
    raw_text(&alg, sizeof alg, text, sizeof text);
    check_struct_formats(&alg, sizeof alg, text);
    tipc.addr.name.domain = 5;
    raw_text(&tipc, sizeof tipc, text, sizeof text);
    check_struct_formats(&tipc, sizeof tipc, text);
    raw_text(&vm, sizeof vm, text, sizeof text);
    check_struct_formats(&vm, sizeof vm, text);
}

static void test_raw_form_refused_where_the_own_form_fits(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    char text[SKT_ADDRSTRLEN];
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_pid = 5};
    (void)state;
    raw_text(&nl, sizeof nl, text, sizeof text);
    check_rejected(text, SKT_EADDRSYNTAX);
    assert_non_null(strstr(skt_error_detail(), "netlink:5:0"));
    /* A length the own form does not have keeps the raw form. */
    check_round_trip("family:16:00", AF_NETLINK);
    check_round_trip("family:17:", AF_PACKET);
}

static void test_short_kernel_lengths_are_padded(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    struct sockaddr_ll ll = {.sll_family = AF_PACKET};
    struct sockaddr_can can = {.can_family = AF_CAN};
    skt_addr a, b;
    char text[64];
    (void)state;
    /* getsockname on a packet socket stops after the hardware address. */
    ll.sll_ifindex = (int)if_nametoindex("lo");
    ll.sll_protocol = htons(ETH_P_SKT_TEST);
    ll.sll_hatype = 772;
    ll.sll_halen = 6;
    SKT_OK(skt_addr_from_sockaddr(&a, (struct sockaddr *)&ll,
                                  offsetof(struct sockaddr_ll, sll_addr) + 6));
    assert_int_equal(a.len, sizeof ll);
    check_struct_formats(&ll, offsetof(struct sockaddr_ll, sll_addr) + 6,
                         "packet:lo:0x88b5:0:772:00:00:00:00:00:00");
    /* CAN_RAW's getsockname gives the family and the index only. */
    can.can_ifindex = 0;
    SKT_OK(skt_addr_from_sockaddr(&b, (struct sockaddr *)&can, 8));
    assert_int_equal(b.len, sizeof can);
    assert_true(skt_addr_format(&b, text, sizeof text) > 0);
    assert_string_equal(text, "can:0");
    /* Too short for the family: kept as given, in the raw form. */
    SKT_OK(skt_addr_from_sockaddr(&b, (struct sockaddr *)&can, 6));
    assert_int_equal(b.len, 6);
    assert_true(skt_addr_format(&b, text, sizeof text) > 0);
    assert_string_equal(text, "family:29:00000000");
}

static void test_linux_forms_report_truncation(void **state)
{
    SKT_LINUX_ONLY("the Linux address families");
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "packet:lo:0x0800"));
    assert_int_equal(skt_addr_format(&a, buf, 16), SKT_ETRUNCATED);
    assert_string_equal(buf, "");
    assert_int_equal(skt_addr_format(&a, buf, 17), 16);
    assert_string_equal(buf, "packet:lo:0x0800");
}

/* ------------------------------------------------------------------------ */
/* Netlink                                                                  */
/* ------------------------------------------------------------------------ */

static skt_socket *netlink_route(void)
{
    skt_socket *s;
    skt_addr any;
    int rc = skt_open(&s, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

    if (rc == -EAFNOSUPPORT || rc == -EPROTONOSUPPORT)
        SKT_SKIP("no netlink route sockets here: %s", skt_error_detail());
    SKT_OK(rc);
    SKT_OK(skt_addr_parse(&any, "netlink:0:0"));
    SKT_OK(skt_bind(s, &any));
    SKT_OK(skt_settimeout(s, 5));
    return s;
}

static void test_netlink_bind_reads_back_its_port_id(void **state)
{
    SKT_LINUX_ONLY("netlink sockets");
    skt_socket *s = netlink_route();
    char text[SKT_ADDRSTRLEN];
    struct sockaddr_nl nl;
    skt_addr local, again;
    (void)state;
    SKT_OK(skt_getsockname(s, &local));
    assert_int_equal(skt_addr_family(&local), AF_NETLINK);
    assert_int_equal(local.len, sizeof nl);
    memcpy(&nl, &local.u, sizeof nl);
    assert_true(nl.nl_pid != 0);
    assert_true(skt_addr_format(&local, text, sizeof text) > 0);
    assert_memory_equal(text, "netlink:", 8);
    SKT_OK(skt_addr_parse(&again, text));
    assert_true(skt_addr_equal(&local, &again));
    skt_close(s);
}

/* Adds the name of one RTM_NEWLINK message to names; returns the count. */
static size_t link_name(const struct nlmsghdr *h, char names[][IF_NAMESIZE],
                        size_t count)
{
    const struct ifinfomsg *info = NLMSG_DATA(h);
    const struct rtattr *rta = IFLA_RTA(info);
    int left = (int)IFLA_PAYLOAD(h);

    for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left))
        if (rta->rta_type == IFLA_IFNAME && count < 64) {
            snprintf(names[count], IF_NAMESIZE, "%s",
                     (const char *)RTA_DATA(rta));
            return count + 1;
        }
    return count;
}

/* Dumps the links through netlink with sendmsg/recvmsg; returns how many
 * names it found. */
static size_t dump_link_names(skt_socket *s, char names[][IF_NAMESIZE])
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg info;
    } req = {{sizeof req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0},
             {.ifi_family = AF_UNSPEC}};
    static char buf[65536];
    struct iovec out = {&req, sizeof req}, in = {buf, sizeof buf};
    skt_addr kernel, from;
    skt_msg send = {&out, 1, &kernel, NULL, 0, 0};
    skt_msg recv = {&in, 1, &from, NULL, 0, 0};
    size_t count = 0;

    SKT_OK(skt_addr_parse(&kernel, "netlink:0:0"));
    assert_int_equal(skt_sendmsg(s, &send, 0), sizeof req);
    for (;;) {
        ssize_t n = skt_recvmsg(s, &recv, 0);
        assert_true(n > 0);
        assert_int_equal(recv.flags & MSG_TRUNC, 0);
        assert_true(skt_addr_equal(&from, &kernel));
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
             NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return count;
            assert_int_not_equal(h->nlmsg_type, NLMSG_ERROR);
            if (h->nlmsg_type == RTM_NEWLINK)
                count = link_name(h, names, count);
        }
    }
}

static void test_netlink_link_dump_matches_if_nameindex(void **state)
{
    SKT_LINUX_ONLY("netlink sockets");
    skt_socket *s = netlink_route();
    char names[64][IF_NAMESIZE];
    skt_ifentry *list;
    size_t found, listed;
    (void)state;
    found = dump_link_names(s, names);
    SKT_OK(skt_if_nameindex(&list, &listed));
    assert_int_equal(found, listed);
    for (size_t i = 0; i < listed; i++) {
        bool seen = false;
        for (size_t k = 0; k < found; k++)
            seen |= strcmp(names[k], list[i].name) == 0;
        if (!seen)
            fail_msg("%s is missing from the netlink dump", list[i].name);
    }
    skt_if_freenameindex(list, listed);
    skt_close(s);
}

/* ------------------------------------------------------------------------ */
/* AF_PACKET                                                                */
/* ------------------------------------------------------------------------ */

/* A packet socket for the test EtherType bound to ifname; skips without
 * the privilege. */
static skt_socket *packet_socket(int type, const char *ifname)
{
    char text[64];
    skt_socket *s;
    skt_addr a;
    int rc = skt_open(&s, AF_PACKET, type, htons(ETH_P_SKT_TEST));

    if (rc == -EPERM || rc == -EACCES)
        SKT_SKIP("AF_PACKET needs CAP_NET_RAW (run as root)");
    if (rc == -EAFNOSUPPORT)
        SKT_SKIP("this kernel has no AF_PACKET");
    SKT_OK(rc);
    snprintf(text, sizeof text, "packet:%s:0x%04x", ifname, ETH_P_SKT_TEST);
    SKT_OK(skt_addr_parse(&a, text));
    SKT_OK(skt_bind(s, &a));
    SKT_OK(skt_settimeout(s, 5));
    return s;
}

static void test_packet_getsockname_reads_back_the_interface(void **state)
{
    SKT_LINUX_ONLY("packet sockets");
    skt_socket *s = packet_socket(SOCK_RAW, "lo");
    char text[SKT_ADDRSTRLEN];
    skt_addr local, again;
    (void)state;
    SKT_OK(skt_getsockname(s, &local));
    assert_int_equal(local.len, sizeof(struct sockaddr_ll));
    assert_true(skt_addr_format(&local, text, sizeof text) > 0);
    /* lo: loopback hardware type 772 and an all-zero 6-byte address. */
    assert_string_equal(text, "packet:lo:0x88b5:0:772:00:00:00:00:00:00");
    SKT_OK(skt_addr_parse(&again, text));
    assert_true(skt_addr_equal(&local, &again));
    skt_close(s);
}

static const char *netns_name(void)
{
    static char name[32];
    snprintf(name, sizeof name, "skt-fam-%d", (int)getpid());
    return name;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* Builds a namespace with a veth pair skt0 <-> skt1, both up. */
static bool setup_netns(const char *ns, char *why, size_t len)
{
    if (geteuid() != 0)
        return snprintf(why, len, "needs root for ip netns"), false;
    if (sh("command -v ip >/dev/null") != 0)
        return snprintf(why, len, "needs the ip command"), false;
    if (sh("ip netns add %s 2>/dev/null", ns) != 0)
        return snprintf(why, len, "ip netns add failed"), false;
    if (sh("ip netns exec %s sh -c 'ip link add skt0 type veth peer name "
           "skt1 && ip link set skt0 up && ip link set skt1 up' "
           ">/dev/null 2>&1",
           ns) != 0) {
        sh("ip netns del %s 2>/dev/null", ns);
        return snprintf(why, len, "cannot create a veth pair here"), false;
    }
    return true;
}

/* Outside: builds the namespace, runs this case inside it, tears it down
 * and fails if the inside run did. */
static void run_inside(const char *case_name)
{
    const char *ns = netns_name();
    char why[128], self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int status;
    pid_t pid;

    assert_true(n > 0);
    self[n] = '\0';
    if (!setup_netns(ns, why, sizeof why))
        SKT_SKIP("%s", why);
    setenv("SKT_NETNS_INSIDE", "1", 1);
    pid = skt_test_spawn((char *const[]){"ip", "netns", "exec", (char *)ns,
                                         self, (char *)case_name, NULL},
                         NULL);
    status = skt_test_wait(pid, 30);
    unsetenv("SKT_NETNS_INSIDE");
    sh("ip netns del %s 2>/dev/null", ns);
    if (WIFEXITED(status) && WEXITSTATUS(status) == SKT_TEST_SKIP_STATUS)
        SKT_SKIP("skipped inside the namespace");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* The hardware address of the interface s is bound to, as text. */
static void bound_hwaddr(skt_socket *s, char *text, size_t size)
{
    struct sockaddr_ll ll;
    skt_addr local;
    size_t used = 0;

    SKT_OK(skt_getsockname(s, &local));
    memcpy(&ll, &local.u, sizeof ll);
    assert_int_equal(ll.sll_halen, 6);
    for (int i = 0; i < 6; i++)
        used += (size_t)snprintf(text + used, size - used, "%s%02x",
                                 i > 0 ? ":" : "", ll.sll_addr[i]);
}

static void test_packet_frame_crosses_a_veth_pair(void **state)
{
    SKT_LINUX_ONLY("packet sockets");
    char mac[32], dest_text[96], expected[128], text[SKT_ADDRSTRLEN];
    unsigned char frame[128];
    struct iovec in = {frame, sizeof frame};
    skt_addr dest, from;
    skt_msg recv = {&in, 1, &from, NULL, 0, 0};
    skt_socket *receiver, *sender;
    ssize_t n;
    (void)state;
    if (getenv("SKT_NETNS_INSIDE") == NULL) {
        run_inside(__func__);
        return;
    }
    receiver = packet_socket(SOCK_RAW, "skt1");
    sender = packet_socket(SOCK_DGRAM, "skt0");
    bound_hwaddr(sender, mac, sizeof mac);
    /* SOCK_DGRAM builds the Ethernet header from the destination. */
    snprintf(dest_text, sizeof dest_text,
             "packet:skt0:0x%04x:0:1:ff:ff:ff:ff:ff:ff", ETH_P_SKT_TEST);
    SKT_OK(skt_addr_parse(&dest, dest_text));
    assert_int_equal(skt_sendto(sender, "hello veth", 10, 0, &dest), 10);
    n = skt_recvmsg(receiver, &recv, 0);
    assert_true(n >= 14 + 10);
    assert_memory_equal(frame, "\xff\xff\xff\xff\xff\xff", 6);
    assert_memory_equal(frame + 12, "\x88\xb5", 2);
    assert_memory_equal(frame + 14, "hello veth", 10);
    /* The sender as recvmsg names it: broadcast (1), Ethernet (1), and
     * skt0's hardware address. */
    snprintf(expected, sizeof expected, "packet:skt1:0x%04x:1:1:%s",
             ETH_P_SKT_TEST, mac);
    assert_true(skt_addr_format(&from, text, sizeof text) > 0);
    assert_string_equal(text, expected);
    skt_close(sender);
    skt_close(receiver);
}

/* ------------------------------------------------------------------------ */
/* vsock and the families this kernel may lack                              */
/* ------------------------------------------------------------------------ */

static void test_vsock_bind_reads_back_its_port(void **state)
{
    SKT_LINUX_ONLY("vsock sockets");
    char text[SKT_ADDRSTRLEN];
    skt_addr any, local, again;
    skt_socket *s;
    int rc = skt_open(&s, AF_VSOCK, SOCK_STREAM, 0);
    (void)state;
    if (rc == -EAFNOSUPPORT)
        SKT_SKIP("this kernel has no AF_VSOCK");
    SKT_OK(rc);
    SKT_OK(skt_addr_parse(&any, "vsock:4294967295:4294967295"));
    rc = skt_bind(s, &any);
    if (rc < 0) {
        skt_close(s);
        SKT_SKIP("cannot bind a vsock socket here: %s", skt_error_detail());
    }
    SKT_OK(skt_getsockname(s, &local));
    assert_int_equal(local.len, sizeof(struct sockaddr_vm));
    assert_true(skt_addr_format(&local, text, sizeof text) > 0);
    assert_memory_equal(text, "vsock:4294967295:", 17);
    assert_string_not_equal(text, "vsock:4294967295:4294967295");
    SKT_OK(skt_addr_parse(&again, text));
    assert_true(skt_addr_equal(&local, &again));
    skt_close(s);
}

/*
 * Opening a family: either the kernel has it (then nothing to check here
 * but success), or skt_open must say -EAFNOSUPPORT with the family in the
 * detail, and leak nothing.
 */
static void check_family_open(int family, int type, int proto,
                              const char *name)
{
    char number[32];
    skt_socket *s = (skt_socket *)&s;
    int rc = skt_open(&s, family, type, proto);

    if (rc == 0) {
        skt_close(s);
        SKT_SKIP("this kernel has %s: nothing to refuse", name);
    }
    assert_int_equal(rc, -EAFNOSUPPORT);
    assert_null(s);
    snprintf(number, sizeof number, "family %d", family);
    assert_non_null(strstr(skt_error_detail(), number));
    assert_non_null(strstr(skt_error_detail(), "not supported"));
}

static void test_can_open_is_eafnosupport_where_missing(void **state)
{
    (void)state;
    check_family_open(AF_CAN, SOCK_RAW, CAN_RAW, "AF_CAN");
}

static void test_alg_open_is_eafnosupport_where_missing(void **state)
{
    (void)state;
    check_family_open(AF_ALG, SOCK_SEQPACKET, 0, "AF_ALG");
}

static void test_tipc_open_is_eafnosupport_where_missing(void **state)
{
    (void)state;
    check_family_open(AF_TIPC, SOCK_RDM, 0, "AF_TIPC");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_linux_forms_round_trip),
    cmocka_unit_test(test_linux_forms_accept_non_canonical_input),
    cmocka_unit_test(test_linux_forms_reject_malformed_text),
    cmocka_unit_test(test_alg_name_lengths),
    cmocka_unit_test(test_parsed_structs_hold_the_fields),
    cmocka_unit_test(test_bytes_a_form_cannot_carry_use_the_raw_form),
    cmocka_unit_test(test_raw_form_refused_where_the_own_form_fits),
    cmocka_unit_test(test_short_kernel_lengths_are_padded),
    cmocka_unit_test(test_linux_forms_report_truncation),
    cmocka_unit_test(test_netlink_bind_reads_back_its_port_id),
    cmocka_unit_test(test_netlink_link_dump_matches_if_nameindex),
    cmocka_unit_test(test_packet_getsockname_reads_back_the_interface),
    cmocka_unit_test(test_packet_frame_crosses_a_veth_pair),
    cmocka_unit_test(test_vsock_bind_reads_back_its_port),
    cmocka_unit_test(test_can_open_is_eafnosupport_where_missing),
    cmocka_unit_test(test_alg_open_is_eafnosupport_where_missing),
    cmocka_unit_test(test_tipc_open_is_eafnosupport_where_missing),
};

SKT_TEST_MAIN(tests)
