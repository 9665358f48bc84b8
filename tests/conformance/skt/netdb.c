/*
 * netdb.c - the resolver and the module functions: getaddrinfo on
 * numeric and /etc/hosts names, getnameinfo, gethostbyname and company,
 * services and protocols, the inet_* converters and interface names, on
 * skt (py/netdb.py on Python). No scenario asks DNS.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* An address with its real port: "[::1]:443", "127.0.0.1:80". */
static const char *raw_addr(const skt_addr *a)
{
    static char text[SKT_ADDRSTRLEN];
    if (skt_addr_format(a, text, sizeof text) < 0)
        return "-";
    return text;
}

struct gai_case {
    const char *key, *host, *port;
    int family, type, proto, flags;
};

#define STREAM SOCK_STREAM
static const struct gai_case gai_cases[] = {
    {"numeric_v4", "127.0.0.1", "80", 0, STREAM, 0, 0},
    {"numeric_v4_every_type", "127.0.0.1", "80", 0, 0, 0, 0},
    {"numeric_v6", "::1", "443", 0, STREAM, 0, 0},
    {"numeric_scope", "fe80::1%lo", "80", AF_INET6, STREAM, 0, 0},
    {"localhost_inet", "localhost", "80", AF_INET, STREAM, 0, 0},
    {"localhost_any", "localhost", "80", 0, STREAM, 0, 0},
    {"localhost_inet6", "localhost", "80", AF_INET6, STREAM, 0, 0},
    {"hosts_alias", "runsc", "80", AF_INET, STREAM, 0, 0},
    {"passive_none", NULL, "80", AF_INET, STREAM, 0, AI_PASSIVE},
    {"passive_none_v6", NULL, "80", AF_INET6, STREAM, 0, AI_PASSIVE},
    {"host_none", NULL, "80", 0, STREAM, 0, 0},
    {"service_name", "127.0.0.1", "http", 0, STREAM, 0, 0},
    {"service_udp", "127.0.0.1", "domain", 0, SOCK_DGRAM, 0, 0},
    {"unknown_service", "127.0.0.1", "skt-no-such-service", 0, STREAM, 0, 0},
    {"numericserv_with_name", "127.0.0.1", "http", 0, STREAM, 0,
     AI_NUMERICSERV},
    {"numerichost_with_name", "localhost", "80", 0, 0, 0, AI_NUMERICHOST},
    {"numerichost_bad", "1.2.3.4.5", "80", 0, 0, 0, AI_NUMERICHOST},
    {"bad_flags", "127.0.0.1", "80", 0, 0, 0, 0x7fff0000},
    {"bad_family", "127.0.0.1", "80", 12345, 0, 0, 0},
    {"bad_socktype", "127.0.0.1", "80", 0, 12345, 0, 0},
    {"canonname", "localhost", "80", AF_INET, STREAM, 0, AI_CANONNAME},
    {"v4mapped", "127.0.0.1", "80", AF_INET6, STREAM, 0, AI_V4MAPPED},
    {"v6_host_for_inet", "::1", "80", AF_INET, 0, 0, AI_NUMERICHOST},
    {"port_none", "127.0.0.1", NULL, 0, STREAM, 0, 0},
    {"port_zero", "127.0.0.1", "0", 0, STREAM, 0, 0},
    {"port_over_65535", "127.0.0.1", "70000", 0, STREAM, 0, 0},
    {"proto_udp", "127.0.0.1", "53", 0, 0, IPPROTO_UDP, 0},
    {"both_none", NULL, NULL, 0, 0, 0, 0},
    {"empty_host", "", "80", 0, STREAM, 0, 0},
};

static void resolver(const char *name)
{
    for (size_t i = 0; i < sizeof gai_cases / sizeof gai_cases[0]; i++) {
        const struct gai_case *c = &gai_cases[i];
        skt_addrinfo hints = {.family = c->family,
                              .type = c->type,
                              .proto = c->proto,
                              .flags = c->flags};
        skt_addrinfo *res = NULL;
        char text[1024] = "";
        int rc = skt_getaddrinfo(c->host, c->port, &hints, 5, &res);

        if (rc < 0) {
            conf_emit_sub(name, c->key, "%s", conf_err(rc));
            continue;
        }
        for (skt_addrinfo *r = res; r; r = r->next) {
            size_t n = strlen(text);
            snprintf(text + n, sizeof text - n, "%s%d %d %d %s%s%s",
                     n ? ";" : "", r->family, r->type, r->proto,
                     raw_addr(&r->addr), r->canonname ? " canon=" : "",
                     r->canonname ? r->canonname : "");
        }
        conf_emit_sub(name, c->key, "%s", text);
        skt_freeaddrinfo(res);
    }
}

static void nameinfo_of(const char *name, const char *sub, const char *text,
                        int flags)
{
    skt_addr a;
    char host[256], serv[64];
    int rc = skt_addr_parse(&a, text);

    if (rc == 0)
        rc =
            skt_getnameinfo(&a, flags, 5, host, sizeof host, serv, sizeof serv);
    if (rc < 0)
        conf_emit_sub(name, sub, "%s", conf_err(rc));
    else
        conf_emit_sub(name, sub, "%s %s", host, serv);
}

static void nameinfo(const char *name)
{
    const int num = NI_NUMERICHOST | NI_NUMERICSERV;

    nameinfo_of(name, "numeric", "127.0.0.1:80", num);
    nameinfo_of(name, "names", "127.0.0.1:80", 0);
    nameinfo_of(name, "v6_numeric", "[::1]:443", num);
    nameinfo_of(name, "dgram_service", "127.0.0.1:53",
                NI_NUMERICHOST | NI_DGRAM);
    nameinfo_of(name, "scope", "[fe80::1%lo]:80", num);
    nameinfo_of(name, "unknown_port", "127.0.0.1:61999", NI_NUMERICHOST);
    nameinfo_of(name, "namereqd_hosts", "127.0.0.1:22", NI_NAMEREQD);
    nameinfo_of(name, "nofqdn", "127.0.0.1:80", NI_NOFQDN | NI_NUMERICSERV);
}

/* ------------------------------------------------------------------------ */
/* netdb                                                                    */
/* ------------------------------------------------------------------------ */

static void hostbyname(const char *name, const char *sub, const char *host)
{
    char out[64];
    int rc = skt_gethostbyname(host, out, sizeof out);

    if (rc < 0)
        conf_emit_sub(name, sub, "%s", conf_err(rc));
    else
        conf_emit_sub(name, sub, "%s", out);
}

static const char *joined(char **list)
{
    static char text[4][512];
    static int next;
    char *out = text[next++ % 4];

    out[0] = '\0';
    for (size_t i = 0; list && list[i]; i++)
        snprintf(out + strlen(out), 512 - strlen(out), "%s%s", i ? "," : "",
                 list[i]);
    return out;
}

static void hostent(const char *name, const char *sub, const char *what,
                    bool by_addr)
{
    skt_hostent *h = NULL;
    int rc =
        by_addr ? skt_gethostbyaddr(what, &h) : skt_gethostbyname_ex(what, &h);

    if (rc < 0)
        conf_emit_sub(name, sub, "%s", conf_err(rc));
    else
        conf_emit_sub(name, sub, "%s [%s] %s", h->name, joined(h->aliases),
                      joined(h->addresses));
    skt_freehostent(h);
}

static void servbyport(const char *name, const char *sub, int port,
                       const char *proto)
{
    char out[64];
    int rc = skt_getservbyport(port, proto, out, sizeof out);

    if (rc < 0)
        conf_emit_sub(name, sub, "%s", conf_err(rc));
    else
        conf_emit_sub(name, sub, "%s", out);
}

static void fqdn(const char *name, const char *sub, const char *host)
{
    char out[256];
    int rc = skt_getfqdn(host, out, sizeof out);

    if (rc < 0)
        conf_emit_sub(name, sub, "%s", conf_err(rc));
    else
        conf_emit_sub(name, sub, "%s", out);
}

static void netdb(const char *name)
{
    struct utsname u;
    char host[256];
    int rc;

    hostbyname(name, "gethostbyname_localhost", "localhost");
    hostbyname(name, "gethostbyname_numeric", "127.0.0.1");
    hostbyname(name, "gethostbyname_legacy", "127.1");
    hostbyname(name, "gethostbyname_alias", "vm");
    hostent(name, "gethostbyname_ex_localhost", "localhost", false);
    hostent(name, "gethostbyname_ex_alias", "runsc", false);
    hostent(name, "gethostbyaddr_loopback", "127.0.0.1", true);
    hostent(name, "gethostbyaddr_name", "localhost", true);
    uname(&u);
    rc = skt_gethostname(host, sizeof host);
    conf_emit_sub(name, "gethostname", "%s",
                  rc < 0 ? conf_err(rc)
                         : conf_bool(strcmp(host, u.nodename) == 0));
    fqdn(name, "getfqdn_localhost", "localhost");
    fqdn(name, "getfqdn_empty", "");
    conf_emit_sub(name, "getservbyname_http", "%s",
                  conf_val(skt_getservbyname("http", "tcp")));
    conf_emit_sub(name, "getservbyname_domain_udp", "%s",
                  conf_val(skt_getservbyname("domain", "udp")));
    conf_emit_sub(name, "getservbyname_any_proto", "%s",
                  conf_val(skt_getservbyname("ssh", NULL)));
    conf_emit_sub(name, "getservbyname_unknown", "%s",
                  conf_val(skt_getservbyname("skt-no-such-service", "tcp")));
    servbyport(name, "getservbyport_80", 80, "tcp");
    servbyport(name, "getservbyport_53_udp", 53, "udp");
    servbyport(name, "getservbyport_unknown", 61999, NULL);
    servbyport(name, "getservbyport_range", 70000, NULL);
    conf_emit_sub(name, "getprotobyname_tcp", "%s",
                  conf_val(skt_getprotobyname("tcp")));
    conf_emit_sub(name, "getprotobyname_udp", "%s",
                  conf_val(skt_getprotobyname("udp")));
    conf_emit_sub(name, "getprotobyname_icmp", "%s",
                  conf_val(skt_getprotobyname("icmp")));
    conf_emit_sub(name, "getprotobyname_ipv6-icmp", "%s",
                  conf_val(skt_getprotobyname("ipv6-icmp")));
    conf_emit_sub(name, "getprotobyname_unknown", "%s",
                  conf_val(skt_getprotobyname("skt-no-such-protocol")));
}

/* ------------------------------------------------------------------------ */
/* inet                                                                     */
/* ------------------------------------------------------------------------ */

static void aton(const char *name)
{
    static const char *const cases[][2] = {
        {"dotted", "127.0.0.1"},
        {"two_parts", "127.1"},
        {"three_parts", "10.1.2"},
        {"hex", "0x7f.1"},
        {"octal", "010.0.0.1"},
        {"one_number", "3232235777"},
        {"max", "255.255.255.255"},
        {"zero", "0"},
        {"five_parts", "1.2.3.4.5"},
        {"part_too_big", "1.2.3.256"},
        {"empty", ""},
        {"letters", "abc"},
        {"trailing_space", "1.2.3.4 junk"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct in_addr in;
        int rc = skt_inet_aton(cases[i][1], &in);

        conf_emit_sub(name, cases[i][0], "%s",
                      rc < 0 ? conf_err(rc) : conf_hex(&in, 4));
    }
}

static void ntoa(const char *name)
{
    static const struct {
        const char *key;
        uint32_t host_order;
    } cases[] = {{"loopback", 0x7f000001}, {"max", 0xffffffff}, {"zero", 0}};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct in_addr in = {htonl(cases[i].host_order)};
        char out[16];
        int rc = skt_inet_ntoa(in, out, sizeof out);

        conf_emit_sub(name, cases[i].key, "%s", rc < 0 ? conf_err(rc) : out);
    }
}

static void pton(const char *name)
{
    static const struct {
        const char *key;
        int family;
        const char *text;
    } cases[] = {
        {"v4", AF_INET, "1.2.3.4"},
        {"v4_short", AF_INET, "1.2.3"},
        {"v4_leading_zero", AF_INET, "01.2.3.4"},
        {"v4_octet_256", AF_INET, "1.2.3.256"},
        {"v6_loopback", AF_INET6, "::1"},
        {"v6_any", AF_INET6, "::"},
        {"v6_full", AF_INET6, "1:2:3:4:5:6:7:8"},
        {"v6_mapped", AF_INET6, "::ffff:1.2.3.4"},
        {"v6_upper", AF_INET6, "FE80::ABCD"},
        {"v6_two_gaps", AF_INET6, "1::2::3"},
        {"v6_bad_digit", AF_INET6, "::g"},
        {"v6_scope", AF_INET6, "fe80::1%lo"},
        {"v6_v4_text", AF_INET6, "1.2.3.4"},
        {"bad_family", 12345, "1.2.3.4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char out[16];
        int rc = skt_inet_pton(cases[i].family, cases[i].text, out, sizeof out);

        conf_emit_sub(name, cases[i].key, "%s",
                      rc < 0 ? conf_err(rc) : conf_hex(out, (size_t)rc));
    }
}

static void ntop(const char *name)
{
    static const struct {
        const char *key;
        int family;
        const char *hex;
        size_t len;
    } cases[] = {
        {"v4", AF_INET, "0a000001", 4},
        {"v6_loopback", AF_INET6, "00000000000000000000000000000001", 16},
        {"v6_any", AF_INET6, "00000000000000000000000000000000", 16},
        {"v6_gap", AF_INET6, "00010000000000000000000000000001", 16},
        {"v6_mapped", AF_INET6, "00000000000000000000ffff01020304", 16},
        {"v6_longest_gap", AF_INET6, "20010db8000000000001000000000001", 16},
        {"v4_wrong_length", AF_INET, "616263", 3},
        {"v6_wrong_length", AF_INET6, "000000000000000000000000000000", 15},
        {"bad_family", 12345, "00000000", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char bytes[16];
        char out[64];
        int rc;

        for (size_t j = 0; j < cases[i].len; j++)
            sscanf(cases[i].hex + 2 * j, "%2hhx", &bytes[j]);
        rc = skt_inet_ntop(cases[i].family, bytes, cases[i].len, out,
                           sizeof out);
        conf_emit_sub(name, cases[i].key, "%s", rc < 0 ? conf_err(rc) : out);
    }
}

/* ------------------------------------------------------------------------ */
/* iface                                                                    */
/* ------------------------------------------------------------------------ */

static void indextoname(const char *name, const char *sub, unsigned index)
{
    char out[64];
    int rc = skt_if_indextoname(index, out, sizeof out);

    conf_emit_sub(name, sub, "%s", rc < 0 ? conf_err(rc) : out);
}

static void iface(const char *name)
{
    skt_ifentry *list = NULL;
    size_t count = 0;
    char text[1024] = "";
    bool round = true;
    char long_name[41];
    int rc;

    memset(long_name, 'x', 40);
    long_name[40] = '\0';
    conf_emit_sub(name, "nametoindex_lo", "%s",
                  conf_val(skt_if_nametoindex("lo")));
    conf_emit_sub(name, "nametoindex_unknown", "%s",
                  conf_val(skt_if_nametoindex("skt-nope0")));
    conf_emit_sub(name, "nametoindex_empty", "%s",
                  conf_val(skt_if_nametoindex("")));
    conf_emit_sub(name, "nametoindex_too_long", "%s",
                  conf_val(skt_if_nametoindex(long_name)));
    indextoname(name, "indextoname_1", 1);
    indextoname(name, "indextoname_unknown", 99999);
    indextoname(name, "indextoname_zero", 0);
    rc = skt_if_nameindex(&list, &count);
    if (rc < 0) {
        conf_emit_sub(name, "nameindex", "%s", conf_err(rc));
        conf_emit_sub(name, "roundtrip", "%s", conf_err(rc));
        return;
    }
    for (size_t i = 0; i < count; i++) {
        char back[64];
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%u:%s",
                 i ? " " : "", list[i].index, list[i].name);
        round = round &&
                skt_if_nametoindex(list[i].name) == (int)list[i].index &&
                skt_if_indextoname(list[i].index, back, sizeof back) > 0 &&
                strcmp(back, list[i].name) == 0;
    }
    conf_emit_sub(name, "nameindex", "%s", text);
    conf_emit_sub(name, "roundtrip", "%s", conf_bool(round));
    skt_if_freenameindex(list, count);
}

const conf_scenario conf_netdb[] = {
    {"resolver", resolver}, {"nameinfo", nameinfo}, {"netdb", netdb},
    {"inet.aton", aton},    {"inet.ntoa", ntoa},    {"inet.pton", pton},
    {"inet.ntop", ntop},    {"iface", iface},       {NULL, NULL},
};
