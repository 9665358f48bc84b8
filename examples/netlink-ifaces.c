/*
 * netlink-ifaces.c - the network interfaces and their addresses, read
 * from the kernel through an AF_NETLINK route socket: the same data, in
 * the same layout, as `ip -br addr`.
 *
 *     netlink-ifaces
 *     netlink-ifaces --help
 *
 *     lo               UNKNOWN        127.0.0.1/8 ::1/128
 *     eth0             UP             192.0.2.2/24 fe80::1/64
 *
 * Two dumps are asked for with skt_sendmsg and read with skt_recvmsg:
 * RTM_GETLINK (names, operational state, links such as a veth's peer),
 * then RTM_GETADDR (every address of every family). The Python this
 * follows:
 *
 *     s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
 *                       socket.NETLINK_ROUTE)
 *     s.bind((0, 0))
 *     s.sendto(request, (0, 0))
 *     data = s.recv(65536)   # until NLMSG_DONE
 *
 * It takes no arguments, and refuses any.
 *
 * Build it alone against the installed library:
 *
 *     cc -o netlink-ifaces netlink-ifaces.c $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define LINKS_MAX 256
#define ADDRS_MAX 1024

struct link {
    int index;
    char name[IF_NAMESIZE];
    unsigned char operstate;
    bool has_link;   /* IFLA_LINK: the interface it sits on, or a peer */
    int link;
    bool other_netns;
};

struct address {
    int index;
    char text[INET6_ADDRSTRLEN + 8];
};

struct table {
    struct link links[LINKS_MAX];
    size_t nlinks;
    struct address addrs[ADDRS_MAX];
    size_t naddrs;
};

/* The detail names the operation; the message alone is a fallback. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "netlink-ifaces: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Reading the dumps                                                        */
/* ------------------------------------------------------------------------ */

static void add_link(struct table *t, const struct nlmsghdr *h)
{
    const struct ifinfomsg *info = NLMSG_DATA(h);
    const struct rtattr *rta = IFLA_RTA(info);
    int left = (int)IFLA_PAYLOAD(h);
    struct link *l;

    if (t->nlinks == LINKS_MAX)
        return;
    l = &t->links[t->nlinks++];
    memset(l, 0, sizeof *l);
    l->index = info->ifi_index;
    for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
        if (rta->rta_type == IFLA_IFNAME)
            snprintf(l->name, sizeof l->name, "%s",
                     (const char *)RTA_DATA(rta));
        else if (rta->rta_type == IFLA_OPERSTATE)
            l->operstate = *(const unsigned char *)RTA_DATA(rta);
        else if (rta->rta_type == IFLA_LINK) {
            l->has_link = true;
            memcpy(&l->link, RTA_DATA(rta), sizeof l->link);
        } else if (rta->rta_type == IFLA_LINK_NETNSID)
            l->other_netns = true;
    }
}

static void add_address(struct table *t, const struct nlmsghdr *h)
{
    const struct ifaddrmsg *ifa = NLMSG_DATA(h);
    const struct rtattr *rta = IFA_RTA(ifa);
    int left = (int)IFA_PAYLOAD(h);
    const void *local = NULL, *address = NULL;
    char host[INET6_ADDRSTRLEN];
    struct address *a;

    for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
        if (rta->rta_type == IFA_LOCAL)
            local = RTA_DATA(rta);
        else if (rta->rta_type == IFA_ADDRESS)
            address = RTA_DATA(rta);
    }
    /* IFA_LOCAL is the interface's own address where both are given (on
     * a point-to-point link IFA_ADDRESS is the peer's), as ip shows it. */
    if (local == NULL)
        local = address;
    if (local == NULL || t->naddrs == ADDRS_MAX ||
        inet_ntop(ifa->ifa_family, local, host, sizeof host) == NULL)
        return;
    a = &t->addrs[t->naddrs++];
    a->index = (int)ifa->ifa_index;
    snprintf(a->text, sizeof a->text, "%s/%u", host,
             (unsigned)ifa->ifa_prefixlen);
}

/* Takes the messages of one datagram. Returns 1 at NLMSG_DONE, 0 for
 * more to come, or -1 (with the reason on stderr). */
static int take_messages(struct table *t, char *buf, size_t len, int type)
{
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
         h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_DONE)
            return 1;
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = NLMSG_DATA(h);
            fprintf(stderr, "netlink-ifaces: the kernel refused the dump: "
                    "%s\n", skt_strerror(e->error));
            return -1;
        }
        if (type == RTM_GETLINK && h->nlmsg_type == RTM_NEWLINK)
            add_link(t, h);
        else if (type == RTM_GETADDR && h->nlmsg_type == RTM_NEWADDR)
            add_address(t, h);
    }
    return 0;
}

/* Asks for one dump (type RTM_GETLINK or RTM_GETADDR) and reads it all. */
static int dump(skt_socket *s, int type, struct table *t)
{
    struct {
        struct nlmsghdr h;
        struct rtgenmsg g;
    } req;
    static char buf[65536];
    struct iovec out = {&req, sizeof req}, in = {buf, sizeof buf};
    skt_addr kernel;
    skt_msg request = {&out, 1, &kernel, NULL, 0, 0};
    skt_msg reply = {&in, 1, NULL, NULL, 0, 0};
    int rc;

    /* Zeroed whole, so that no padding byte goes out uninitialised. */
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = (unsigned short)type;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = (unsigned)type;
    req.g.rtgen_family = AF_UNSPEC;
    skt_addr_parse(&kernel, "netlink:0:0");
    if ((rc = (int)skt_sendmsg(s, &request, 0)) < 0)
        return report(rc);
    for (;;) {
        ssize_t n = skt_recvmsg(s, &reply, 0);
        if (n < 0)
            return report((int)n);
        if (reply.flags & MSG_TRUNC) {
            fprintf(stderr, "netlink-ifaces: a reply did not fit in %zu "
                    "bytes\n", sizeof buf);
            return 1;
        }
        rc = take_messages(t, buf, (size_t)n, type);
        if (rc != 0)
            return rc < 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Printing, as ip -br addr does                                            */
/* ------------------------------------------------------------------------ */

static const char *operstate_name(unsigned char state)
{
    static const char *const names[] = {
        "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
        "TESTING", "DORMANT",    "UP",
    };
    return state < sizeof names / sizeof names[0] ? names[state] : "UNKNOWN";
}

static const char *link_name(const struct table *t, int index)
{
    for (size_t i = 0; i < t->nlinks; i++)
        if (t->links[i].index == index)
            return t->links[i].name;
    return NULL;
}

/* "veth0@veth1", "veth0@if7" (a peer in another namespace), "gre0@NONE". */
static void full_name(const struct table *t, const struct link *l, char *out,
                      size_t len)
{
    const char *peer = link_name(t, l->link);

    if (!l->has_link)
        snprintf(out, len, "%s", l->name);
    else if (l->link == 0)
        snprintf(out, len, "%s@NONE", l->name);
    else if (l->other_netns || peer == NULL)
        snprintf(out, len, "%s@if%d", l->name, l->link);
    else
        snprintf(out, len, "%s@%s", l->name, peer);
}

static void print_table(const struct table *t)
{
    char name[2 * IF_NAMESIZE + 8];

    for (size_t i = 0; i < t->nlinks; i++) {
        const struct link *l = &t->links[i];
        full_name(t, l, name, sizeof name);
        printf("%-16s %-14s ", name, operstate_name(l->operstate));
        for (size_t k = 0; k < t->naddrs; k++)
            if (t->addrs[k].index == l->index)
                printf("%s ", t->addrs[k].text);
        printf("\n");
    }
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: netlink-ifaces\n";

static const char help_text[] =
    "\n"
    "Lists the network interfaces, their operational state and their\n"
    "addresses, as `ip -br addr` does, read from the kernel through an\n"
    "AF_NETLINK route socket (Python's socket.AF_NETLINK, NETLINK_ROUTE).\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "netlink-ifaces: %s%s\n%s", what, arg, usage_text);
    return 2;
}

/* The option getopt refused, as it was typed: "--bogus" or "-x". */
static const char *refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/*
 * Reads the options: -h or --help prints the help on stdout; the program
 * takes no operands. Returns -1 when it is to run, or the exit status: 0
 * after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (optind < argc)
        return usage_error("unexpected argument ", argv[optind]);
    return -1;
}

int main(int argc, char **argv)
{
    static struct table t;
    skt_socket *s;
    skt_addr any;
    int rc = read_command_line(argc, argv);

    if (rc >= 0)
        return rc;
    if ((rc = skt_open(&s, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) < 0)
        return report(rc);
    skt_addr_parse(&any, "netlink:0:0");
    if ((rc = skt_bind(s, &any)) < 0 || (rc = skt_settimeout(s, 5)) < 0) {
        skt_close(s);
        return report(rc);
    }
    rc = dump(s, RTM_GETLINK, &t);
    if (rc == 0)
        rc = dump(s, RTM_GETADDR, &t);
    skt_close(s);
    if (rc != 0)
        return 1;
    print_table(&t);
    return 0;
}
