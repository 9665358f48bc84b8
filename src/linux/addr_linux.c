/*
 * addr_linux.c - text forms for the Linux address families beyond IP and
 * Unix, behind the interface of addr_family.h:
 *
 *   netlink:PID:GROUPS                        AF_NETLINK
 *   packet:IFNAME[:PROTO]                     AF_PACKET, to bind or send
 *   packet:IFNAME:PROTO:PKTTYPE:HATYPE:ADDR   AF_PACKET, a sender as
 *                                             recvfrom reports it
 *   vsock:CID:PORT[:FLAGS]                    AF_VSOCK
 *   can:IFNAME[:RXID:TXID]                    AF_CAN (ISO-TP ids)
 *   alg:TYPE:NAME                             AF_ALG
 *   tipc:socket:REF:NODE[:SCOPE]              AF_TIPC, and the same with
 *   tipc:service:TYPE:INSTANCE[:SCOPE]        "service" and "range"
 *   tipc:range:TYPE:LOWER:UPPER[:SCOPE]
 *
 * A form is written only for bytes it carries exactly. Anything else (a
 * J1939 CAN address, an ALG feature mask, a TIPC lookup domain, padding
 * that is not zero) falls back to addr.c's "family:N:HEX", so that format
 * stays the exact inverse of parse for every address.
 */
#include "addr_family.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

/* Most fields a form has; the last field takes the rest of the text. */
#define FIELDS_MAX 6
/* Where an ALG name starts, and the longest one a sockaddr_storage holds
 * (the kernel reads it up to the address length, NUL included). */
#define ALG_NAME_OFFSET offsetof(struct sockaddr_alg, salg_name)
#define ALG_NAME_MAX (sizeof(struct sockaddr_storage) - ALG_NAME_OFFSET - 1)
#define ALG_TYPE_MAX (sizeof(((struct sockaddr_alg *)0)->salg_type) - 1)
/* Where CAN's J1939 fields go past ISO-TP's two ids. */
#define CAN_J1939_TAIL (offsetof(struct sockaddr_can, can_addr) + 8)

/* ------------------------------------------------------------------------ */
/* Fields and numbers                                                       */
/* ------------------------------------------------------------------------ */

struct field {
    const char *p;
    size_t n;
};

/* Splits spec at colons into at most max fields (the last one keeps any
 * further colons) and returns how many there are. */
static size_t split(const char *spec, struct field *f, size_t max)
{
    size_t count = 0;

    for (;;) {
        const char *colon = count + 1 < max ? strchr(spec, ':') : NULL;

        f[count].p = spec;
        f[count].n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
        count++;
        if (colon == NULL)
            return count;
        spec = colon + 1;
    }
}

static bool field_is(const struct field *f, const char *word)
{
    return f->n == strlen(word) && memcmp(f->p, word, f->n) == 0;
}

static int digit_value(int c, unsigned base)
{
    int value = -1;

    if (c >= '0' && c <= '9')
        value = c - '0';
    else if (c >= 'a' && c <= 'f')
        value = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        value = c - 'A' + 10;
    return value >= 0 && (unsigned)value < base ? value : -1;
}

static bool all_decimal(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (digit_value(p[i], 10) < 0)
            return false;
    return n > 0;
}

/*
 * Reads a number up to max: decimal, or hex after "0x". No sign and no
 * space, as for ports: "+1" or "1 " are more likely typos than intentions.
 */
static bool parse_number(const struct field *f, uint64_t max, uint64_t *out)
{
    const char *p = f->p;
    size_t n = f->n;
    unsigned base = 10;
    uint64_t value = 0;

    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        n -= 2;
    }
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        int digit = digit_value(p[i], base);
        /* value stays at or below max (< 2^32), so this cannot wrap. */
        if (digit < 0 || (value = value * base + (unsigned)digit) > max)
            return false;
    }
    *out = value;
    return true;
}

/* Parses each field in turn with the same maximum; false on the first
 * that is not a number. */
static bool parse_numbers(const struct field *f, size_t count, uint64_t max,
                          uint64_t *out)
{
    for (size_t i = 0; i < count; i++)
        if (!parse_number(&f[i], max, &out[i]))
            return false;
    return true;
}

/*
 * Reads an interface: a decimal index (0 means any interface), or a name,
 * which must name an interface now. Names of digits only read as indexes,
 * which is why format writes such names as their index.
 */
static int parse_ifindex(const struct field *f, int *index, const char *text)
{
    char name[IF_NAMESIZE];
    uint64_t value;
    unsigned found;

    if (f->n == 0)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text, "no interface");
    if (all_decimal(f->p, f->n)) {
        if (!parse_number(f, INT_MAX, &value))
            return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                    "interface index over INT_MAX");
        *index = (int)value;
        return 0;
    }
    if (f->n >= sizeof name)
        return skt__addr_refuse(-ENODEV, text, "no interface has that name");
    memcpy(name, f->p, f->n);
    name[f->n] = '\0';
    found = if_nametoindex(name);
    if (found == 0 || found > INT_MAX)
        return skt__addr_refuse(-ENODEV, text, "no interface has that name");
    *index = (int)found;
    return 0;
}

/* Copies the family's struct into the address. */
static int store(skt_addr *a, const void *sa, size_t len)
{
    memcpy(&a->u, sa, len);
    a->len = (socklen_t)len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

/* Text being written; len counts past cap when the text does not fit. */
struct out {
    char *buf;
    size_t cap;
    size_t len;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    bool room = o->len < o->cap;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room ? o->buf + o->len : NULL, room ? o->cap - o->len : 0,
                  fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/*
 * Writes an interface by name when the index names one whose name reads
 * back as itself, else by number. Negative indexes have no text.
 */
static bool put_ifindex(struct out *o, int index)
{
    char name[IF_NAMESIZE];

    if (index < 0)
        return false;
    if (index > 0 && if_indextoname((unsigned)index, name) != NULL &&
        !all_decimal(name, strlen(name)) && strchr(name, ':') == NULL)
        put(o, "%s", name);
    else
        put(o, "%d", index);
    return true;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *bytes = p;

    for (size_t i = 0; i < n; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_NETLINK: netlink:PID:GROUPS                                           */
/* ------------------------------------------------------------------------ */

static int parse_netlink(skt_addr *a, const char *spec, const char *text)
{
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
    struct field f[FIELDS_MAX];
    uint64_t v[2];

    if (split(spec, f, 3) != 2 || !parse_numbers(f, 2, UINT32_MAX, v))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"netlink:PID:GROUPS\", numbers "
                                "below 2^32");
    nl.nl_pid = (uint32_t)v[0];
    nl.nl_groups = (uint32_t)v[1];
    return store(a, &nl, sizeof nl);
}

static bool format_netlink(struct out *o, const skt_addr *a)
{
    struct sockaddr_nl nl;

    if (a->len != sizeof nl)
        return false;
    memcpy(&nl, &a->u, sizeof nl);
    if (nl.nl_pad != 0)
        return false;
    put(o, "netlink:%u:%u", (unsigned)nl.nl_pid, (unsigned)nl.nl_groups);
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_PACKET: packet:IFNAME[:PROTO] or packet:IFNAME:PROTO:PKT:HA:ADDR      */
/* ------------------------------------------------------------------------ */

/* Reads a hardware address, "02:00:5e:10:00:01" (empty: none). */
static bool parse_hwaddr(const struct field *f, struct sockaddr_ll *ll)
{
    size_t i = 0, n = 0;

    while (i < f->n) {
        int high = digit_value(f->p[i], 16);
        int low = i + 1 < f->n ? digit_value(f->p[i + 1], 16) : -1;

        if (high < 0 || low < 0 || n == sizeof ll->sll_addr)
            return false;
        ll->sll_addr[n++] = (unsigned char)(high * 16 + low);
        i += 2;
        if (i < f->n && (f->p[i] != ':' || i + 1 == f->n))
            return false;
        i += i < f->n;
    }
    ll->sll_halen = (unsigned char)n;
    return true;
}

/* Reads the fields after the protocol of the long form. */
static bool parse_packet_tail(const struct field *f, struct sockaddr_ll *ll)
{
    uint64_t pkttype, hatype;

    if (!parse_number(&f[0], UINT8_MAX, &pkttype) ||
        !parse_number(&f[1], UINT16_MAX, &hatype))
        return false;
    ll->sll_pkttype = (unsigned char)pkttype;
    ll->sll_hatype = (unsigned short)hatype;
    return parse_hwaddr(&f[2], ll);
}

static int parse_packet(skt_addr *a, const char *spec, const char *text)
{
    struct sockaddr_ll ll = {.sll_family = AF_PACKET};
    struct field f[FIELDS_MAX];
    size_t count = split(spec, f, 5);
    uint64_t proto = 0;
    int rc;

    if (count != 1 && count != 2 && count != 5)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"packet:IFNAME[:PROTO]\" or "
                                "\"packet:IFNAME:PROTO:PKTTYPE:HATYPE:ADDR\"");
    rc = parse_ifindex(&f[0], &ll.sll_ifindex, text);
    if (rc < 0)
        return rc;
    if (count > 1 && !parse_number(&f[1], UINT16_MAX, &proto))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "the protocol is not a number up to 0xffff");
    ll.sll_protocol = htons((uint16_t)proto);
    if (count == 5 && !parse_packet_tail(&f[2], &ll))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "bad packet type (0..255), hardware type "
                                "(0..65535) or address (hex bytes such as "
                                "02:00:00:00:00:01, at most 8)");
    return store(a, &ll, sizeof ll);
}

static bool format_packet(struct out *o, const skt_addr *a)
{
    struct sockaddr_ll ll;

    if (a->len != sizeof ll)
        return false;
    memcpy(&ll, &a->u, sizeof ll);
    if (ll.sll_halen > sizeof ll.sll_addr ||
        !all_zero(ll.sll_addr + ll.sll_halen,
                  sizeof ll.sll_addr - ll.sll_halen))
        return false;
    put(o, "packet:");
    if (!put_ifindex(o, ll.sll_ifindex))
        return false;
    if (ll.sll_hatype == 0 && ll.sll_pkttype == 0 && ll.sll_halen == 0) {
        if (ll.sll_protocol != 0)
            put(o, ":0x%04x", (unsigned)ntohs(ll.sll_protocol));
        return true;
    }
    put(o, ":0x%04x:%u:%u:", (unsigned)ntohs(ll.sll_protocol),
        (unsigned)ll.sll_pkttype, (unsigned)ll.sll_hatype);
    for (unsigned i = 0; i < ll.sll_halen; i++)
        put(o, "%s%02x", i > 0 ? ":" : "", ll.sll_addr[i]);
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_VSOCK: vsock:CID:PORT[:FLAGS]                                         */
/* ------------------------------------------------------------------------ */

static int parse_vsock(skt_addr *a, const char *spec, const char *text)
{
    struct sockaddr_vm vm = {.svm_family = AF_VSOCK};
    struct field f[FIELDS_MAX];
    size_t count = split(spec, f, 4);
    uint64_t v[2], flags = 0;

    if ((count != 2 && count != 3) || !parse_numbers(f, 2, UINT32_MAX, v) ||
        (count == 3 && !parse_number(&f[2], UINT8_MAX, &flags)))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"vsock:CID:PORT[:FLAGS]\", numbers "
                                "below 2^32 (flags below 256)");
    vm.svm_cid = (unsigned)v[0];
    vm.svm_port = (unsigned)v[1];
    vm.svm_flags = (unsigned char)flags;
    return store(a, &vm, sizeof vm);
}

static bool format_vsock(struct out *o, const skt_addr *a)
{
    struct sockaddr_vm vm;

    if (a->len != sizeof vm)
        return false;
    memcpy(&vm, &a->u, sizeof vm);
    if (vm.svm_reserved1 != 0 || !all_zero(vm.svm_zero, sizeof vm.svm_zero))
        return false;
    put(o, "vsock:%u:%u", vm.svm_cid, vm.svm_port);
    if (vm.svm_flags != 0)
        put(o, ":%u", (unsigned)vm.svm_flags);
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_CAN: can:IFNAME[:RXID:TXID]                                           */
/* ------------------------------------------------------------------------ */

static int parse_can(skt_addr *a, const char *spec, const char *text)
{
    struct sockaddr_can can = {.can_family = AF_CAN};
    struct field f[FIELDS_MAX];
    size_t count = split(spec, f, 4);
    uint64_t ids[2] = {0, 0};
    int rc;

    if (count != 1 && count != 3)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"can:IFNAME[:RXID:TXID]\"");
    rc = parse_ifindex(&f[0], &can.can_ifindex, text);
    if (rc < 0)
        return rc;
    if (count == 3 && !parse_numbers(&f[1], 2, UINT32_MAX, ids))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "the CAN ids are not numbers below 2^32");
    can.can_addr.tp.rx_id = (canid_t)ids[0];
    can.can_addr.tp.tx_id = (canid_t)ids[1];
    return store(a, &can, sizeof can);
}

static bool format_can(struct out *o, const skt_addr *a)
{
    const unsigned char *bytes = (const unsigned char *)&a->u;
    struct sockaddr_can can;
    size_t pad = offsetof(struct sockaddr_can, can_ifindex);

    if (a->len != sizeof can || !all_zero(bytes + sizeof can.can_family,
                                          pad - sizeof can.can_family) ||
        !all_zero(bytes + CAN_J1939_TAIL, sizeof can - CAN_J1939_TAIL))
        return false;
    memcpy(&can, bytes, sizeof can);
    put(o, "can:");
    if (!put_ifindex(o, can.can_ifindex))
        return false;
    if (can.can_addr.tp.rx_id != 0 || can.can_addr.tp.tx_id != 0)
        put(o, ":0x%x:0x%x", (unsigned)can.can_addr.tp.rx_id,
            (unsigned)can.can_addr.tp.tx_id);
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_ALG: alg:TYPE:NAME                                                    */
/* ------------------------------------------------------------------------ */

/* ALG names are printable ASCII without spaces ("hmac(sha256)"); a type
 * cannot hold the colon that ends it. */
static bool alg_text_ok(const unsigned char *p, size_t n, bool colon_ok)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f || (!colon_ok && p[i] == ':'))
            return false;
    return n > 0;
}

/* The length the kernel is given for a name of n bytes: a whole
 * sockaddr_alg, or more for a name that needs it. */
static size_t alg_length(size_t n)
{
    size_t needed = ALG_NAME_OFFSET + n + 1;
    return needed > sizeof(struct sockaddr_alg) ? needed
                                                 : sizeof(struct sockaddr_alg);
}

static int parse_alg(skt_addr *a, const char *spec, const char *text)
{
    unsigned char *bytes = (unsigned char *)&a->u;
    struct field f[FIELDS_MAX];

    if (split(spec, f, 2) != 2 ||
        !alg_text_ok((const unsigned char *)f[0].p, f[0].n, false) ||
        !alg_text_ok((const unsigned char *)f[1].p, f[1].n, true))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"alg:TYPE:NAME\" in printable "
                                "ASCII without spaces");
    if (f[0].n > ALG_TYPE_MAX || f[1].n > ALG_NAME_MAX)
        return skt__addr_refuse(-ENAMETOOLONG, text,
                                "an ALG type holds at most 13 bytes and a "
                                "name at most 103");
    a->u.sa.sa_family = AF_ALG;
    memcpy(bytes + offsetof(struct sockaddr_alg, salg_type), f[0].p, f[0].n);
    memcpy(bytes + ALG_NAME_OFFSET, f[1].p, f[1].n);
    a->len = (socklen_t)alg_length(f[1].n);
    return 0;
}

static bool format_alg(struct out *o, const skt_addr *a)
{
    const unsigned char *bytes = (const unsigned char *)&a->u;
    const unsigned char *type = bytes + offsetof(struct sockaddr_alg,
                                                 salg_type);
    const unsigned char *name = bytes + ALG_NAME_OFFSET;
    size_t type_size = ALG_TYPE_MAX + 1, name_size;
    size_t type_len = strnlen((const char *)type, type_size), name_len;

    if (a->len < sizeof(struct sockaddr_alg))
        return false;
    name_size = a->len - ALG_NAME_OFFSET;
    name_len = strnlen((const char *)name, name_size);
    /* Feature and mask bits, and bytes after either NUL, have no text. */
    if (type_len == type_size || name_len == name_size ||
        a->len != alg_length(name_len) ||
        !all_zero(type + type_len, type_size - type_len) ||
        !all_zero(type + type_size, ALG_NAME_OFFSET - sizeof(sa_family_t) -
                                        type_size) ||
        !all_zero(name + name_len, name_size - name_len) ||
        !alg_text_ok(type, type_len, false) ||
        !alg_text_ok(name, name_len, true))
        return false;
    put(o, "alg:%s:%.*s", (const char *)type, (int)name_len,
        (const char *)name);
    return true;
}

/* ------------------------------------------------------------------------ */
/* AF_TIPC: tipc:socket|service|range:NUMBERS[:SCOPE]                       */
/* ------------------------------------------------------------------------ */

/* The kinds of TIPC address, by the number of values each holds. */
static const struct {
    const char *name;
    unsigned char addrtype;
    size_t values;
} tipc_kinds[] = {
    {"range", TIPC_SERVICE_RANGE, 3},
    {"service", TIPC_SERVICE_ADDR, 2},
    {"socket", TIPC_SOCKET_ADDR, 2},
};

static const char *const tipc_scopes[] = {NULL, "zone", "cluster", "node"};

static int tipc_kind(const struct field *f)
{
    for (size_t i = 0; i < sizeof tipc_kinds / sizeof tipc_kinds[0]; i++)
        if (field_is(f, tipc_kinds[i].name))
            return (int)i;
    return -1;
}

static int tipc_scope(const struct field *f)
{
    for (int i = 1; i < 4; i++)
        if (field_is(f, tipc_scopes[i]))
            return i;
    return -1;
}

/* Reads the values and the optional scope after the kind. */
static bool parse_tipc_values(const struct field *f, size_t count, int kind,
                              struct sockaddr_tipc *tipc)
{
    size_t values = tipc_kinds[kind].values;
    uint64_t v[3] = {0, 0, 0};
    uint32_t stored[3];
    int scope = 0;

    if (count != values && count != values + 1)
        return false;
    if (!parse_numbers(f, values, UINT32_MAX, v))
        return false;
    if (count > values && (scope = tipc_scope(&f[values])) < 0)
        return false;
    for (size_t i = 0; i < 3; i++)
        stored[i] = (uint32_t)v[i];
    tipc->addrtype = tipc_kinds[kind].addrtype;
    tipc->scope = (signed char)scope;
    /* The values sit one after another in each arm of the union. */
    memcpy(&tipc->addr, stored, values * sizeof stored[0]);
    return true;
}

static int parse_tipc(skt_addr *a, const char *spec, const char *text)
{
    struct sockaddr_tipc tipc = {.family = AF_TIPC};
    struct field f[FIELDS_MAX];
    size_t count = split(spec, f, FIELDS_MAX);
    int kind = tipc_kind(&f[0]);

    if (kind < 0 || !parse_tipc_values(f + 1, count - 1, kind, &tipc))
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"tipc:socket:REF:NODE\", "
                                "\"tipc:service:TYPE:INSTANCE\" or "
                                "\"tipc:range:TYPE:LOWER:UPPER\", then "
                                "optionally \":zone\", \":cluster\" or "
                                "\":node\"");
    return store(a, &tipc, sizeof tipc);
}

static bool format_tipc(struct out *o, const skt_addr *a)
{
    struct sockaddr_tipc tipc;
    uint32_t v[3];
    int kind = -1;

    if (a->len != sizeof tipc)
        return false;
    memcpy(&tipc, &a->u, sizeof tipc);
    for (size_t i = 0; i < sizeof tipc_kinds / sizeof tipc_kinds[0]; i++)
        if (tipc_kinds[i].addrtype == tipc.addrtype)
            kind = (int)i;
    memcpy(v, &tipc.addr, sizeof v);
    /* A lookup domain, or bytes past a socket address, have no text. */
    if (kind < 0 || tipc.scope < 0 || tipc.scope > 3 ||
        (tipc_kinds[kind].values == 2 && v[2] != 0))
        return false;
    put(o, "tipc:%s:%u:%u", tipc_kinds[kind].name, v[0], v[1]);
    if (tipc_kinds[kind].values == 3)
        put(o, ":%u", v[2]);
    if (tipc.scope != 0)
        put(o, ":%s", tipc_scopes[tipc.scope]);
    return true;
}

/* ------------------------------------------------------------------------ */
/* The interface                                                            */
/* ------------------------------------------------------------------------ */

/*
 * The families, with the shortest address the kernel takes (shorter ones
 * are left as given) and the length they are compared at.
 */
static const struct form {
    const char *prefix;
    int family;
    socklen_t shortest;
    socklen_t size;
    int (*parse)(skt_addr *a, const char *spec, const char *text);
    bool (*format)(struct out *o, const skt_addr *a);
} forms[] = {
    {"netlink:", AF_NETLINK, sizeof(struct sockaddr_nl),
     sizeof(struct sockaddr_nl), parse_netlink, format_netlink},
    {"packet:", AF_PACKET, offsetof(struct sockaddr_ll, sll_addr),
     sizeof(struct sockaddr_ll), parse_packet, format_packet},
    {"vsock:", AF_VSOCK, sizeof(struct sockaddr_vm),
     sizeof(struct sockaddr_vm), parse_vsock, format_vsock},
    {"can:", AF_CAN, offsetof(struct sockaddr_can, can_addr),
     sizeof(struct sockaddr_can), parse_can, format_can},
    /* The kernel reads ALG names up to the length given: nothing to cut. */
    {"alg:", AF_ALG, 0, 0, parse_alg, format_alg},
    {"tipc:", AF_TIPC, sizeof(struct sockaddr_tipc),
     sizeof(struct sockaddr_tipc), parse_tipc, format_tipc},
};

#define FORM_COUNT (sizeof forms / sizeof forms[0])

static const struct form *form_of(int family)
{
    for (size_t i = 0; i < FORM_COUNT; i++)
        if (forms[i].family == family)
            return &forms[i];
    return NULL;
}

int skt__addr_ext_parse(skt_addr *a, const char *text)
{
    for (size_t i = 0; i < FORM_COUNT; i++) {
        size_t n = strlen(forms[i].prefix);
        if (strncmp(text, forms[i].prefix, n) == 0)
            return forms[i].parse(a, text + n, text);
    }
    return SKT__ADDR_NOT_MINE;
}

int skt__addr_ext_format(const skt_addr *a, char *buf, size_t len)
{
    const struct form *form = form_of(a->u.sa.sa_family);
    struct out o = {buf, len, 0};

    if (form == NULL || !form->format(&o, a))
        return -EAFNOSUPPORT;
    return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

void skt__addr_ext_normalize(skt_addr *a)
{
    const struct form *form = form_of(a->u.sa.sa_family);

    if (form == NULL || form->size == 0 || a->len < form->shortest)
        return;
    if (a->len < form->size)
        memset((char *)&a->u + a->len, 0, form->size - a->len);
    a->len = form->size;
}

/* Linux has abstract Unix names. */
int skt__addr_ext_abstract(const char *text)
{
    (void)text;
    return 0;
}
