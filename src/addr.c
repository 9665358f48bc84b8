/*
 * addr.c - skt_addr, the dispatch: the public skt_addr_* entry points,
 * parsing and formatting by family, copying from and to a sockaddr, the
 * raw "family:N:HEX" form, and the failure details that name an address.
 *
 * Nothing here ever makes a DNS lookup: a host name is refused with
 * SKT_EADDRNOTNUMERIC, so parsing never blocks and never depends on the
 * network. The text forms are chosen so that skt_addr_format is the exact
 * inverse of skt_addr_parse: Unix names escape the bytes that text cannot
 * carry, IPv6 scopes fall back to numbers, and families without a form of
 * their own are written as raw bytes ("family:N:HEX"). Each family's form
 * lives in its own file behind addr_family.h: IP in addr_ip.c, Unix in
 * addr_unix.c, and the Linux families (netlink, packet, vsock, CAN, ALG,
 * TIPC) in addr_linux.c.
 */
#include "addr_family.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Most bytes an address of an unknown family can carry after sa_family. */
#define RAW_MAX (sizeof(struct sockaddr_storage) - sizeof(sa_family_t))
/* Characters of the input shown in a detail; room for one last escape,
 * "..." and the NUL. */
#define QUOTE_MAX 100
#define QUOTE_SIZE (QUOTE_MAX + 8)

/* ------------------------------------------------------------------------ */
/* Failure details                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Copies text into buf (QUOTE_SIZE bytes) for a detail sentence. The text
 * may be long or binary, so control bytes and quotes are escaped and the
 * copy stops after QUOTE_MAX characters, marked with "...".
 */
static const char *quote(const char *text, char *buf)
{
    size_t used = 0;

    for (; *text != '\0' && used < QUOTE_MAX; text++) {
        unsigned char c = (unsigned char)*text;

        if (c < 0x20 || c == 0x7f || c == '"')
            used += (size_t)snprintf(buf + used, QUOTE_SIZE - used,
                                     "\\x%02x", c);
        else
            buf[used++] = (char)c;
    }
    buf[used] = '\0';
    if (*text != '\0')
        strcpy(buf + used, "...");
    return buf;
}

/*
 * The refusal starts with the text itself, so that the user sees which of
 * several addresses was wrong.
 */
int skt__addr_refuse(int code, const char *text, const char *why)
{
    char shown[QUOTE_SIZE];

    return skt__fail_raw(code, "parse address \"%s\": %s",
                         quote(text, shown), why);
}

int skt__fail_addr(int code, const char *op, const skt_addr *a)
{
    char text[SKT_ADDRSTRLEN];

    return skt__fail(code, "%s %s", op,
                     skt__addr_text(a, text, sizeof text));
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/* Decodes pairs of hex digits into the bytes after sa_family. */
static int parse_hex(skt_addr *a, const char *hex, const char *text)
{
    size_t n = 0;

    for (; *hex != '\0'; hex += 2) {
        int high = skt__hex_value(hex[0]);
        int low = high >= 0 ? skt__hex_value(hex[1]) : -1;

        if (low < 0)
            return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                    "expected pairs of hex digits after "
                                    "the family");
        if (n == RAW_MAX)
            return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                    "more bytes than a sockaddr_storage "
                                    "holds");
        skt__addr_bytes(a)[n++] = (unsigned char)(high * 16 + low);
    }
    a->len = (socklen_t)(sizeof(sa_family_t) + n);
    return 0;
}

/*
 * Parses what follows "family:", the form written for families without
 * one of their own. The families that have one must use it, so that each
 * address has exactly one text.
 */
static int parse_raw(skt_addr *a, const char *spec, const char *text)
{
    const char *p = spec;
    long family = 0;

    while (skt__is_digit(*p) && family <= UINT16_MAX)
        family = family * 10 + (*p++ - '0');
    if (p == spec || *p != ':' || family > UINT16_MAX)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \"family:N:HEX\"");
    if (family == AF_INET || family == AF_INET6 || family == AF_UNIX)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "this family has a text form of its own");
    a->u.sa.sa_family = (sa_family_t)family;
    return parse_hex(a, p + 1, text);
}

/*
 * Parses the raw form, then refuses it where the family's own form could
 * carry the same bytes, so that each address has exactly one text. The
 * raw form stays for the bytes an own form cannot carry.
 */
static int parse_raw_checked(skt_addr *a, const char *spec, const char *text)
{
    char own[SKT_ADDRSTRLEN];
    char why[SKT_ADDRSTRLEN + 64];
    int rc = parse_raw(a, spec, text);

    if (rc < 0 || skt__addr_ext_format(a, own, sizeof own) < 0)
        return rc;
    snprintf(why, sizeof why, "this address has a text form of its own: %s",
             own);
    return skt__addr_refuse(SKT_EADDRSYNTAX, text, why);
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static int parse_text(skt_addr *a, const char *text)
{
    int rc;

    if (*text == '\0')
        return skt__addr_refuse(SKT_EADDRSYNTAX, text, "empty text");
    if (starts_with(text, "unix:"))
        return skt__addr_parse_unix(a, text + strlen("unix:"), text);
    if (starts_with(text, "family:"))
        return parse_raw_checked(a, text + strlen("family:"), text);
    if (text[0] == '[')
        return skt__addr_parse_ipv6(a, text);
    rc = skt__addr_ext_parse(a, text);
    if (rc != SKT__ADDR_NOT_MINE)
        return rc;
    return skt__addr_parse_ipv4(a, text);
}

int skt_addr_parse(skt_addr *a, const char *text)
{
    int rc;

    if (a == NULL)
        return skt__fail(-EINVAL, "parse address: no skt_addr to fill");
    memset(a, 0, sizeof *a);
    if (text == NULL)
        return skt__fail(-EINVAL, "parse address: the text is NULL");
    rc = parse_text(a, text);
    if (rc < 0)
        memset(a, 0, sizeof *a);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

void skt__addr_putf(struct skt__addr_out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->len >= sizeof o->buf)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    o->len = n < 0 ? sizeof o->buf : o->len + (size_t)n;
}

/*
 * Whether len makes sense for an address of the family. Unix addresses
 * are capped at sockaddr_un, the most the kernel accepts.
 */
static bool length_fits(int family, size_t len)
{
    if (len < sizeof(sa_family_t) || len > sizeof(struct sockaddr_storage))
        return false;
    switch (family) {
    case AF_INET:
        return len >= sizeof(struct sockaddr_in);
    case AF_INET6:
        return len >= sizeof(struct sockaddr_in6);
    case AF_UNIX:
        return len <= sizeof(struct sockaddr_un);
    default:
        return true;
    }
}

static bool is_valid(const skt_addr *a)
{
    return length_fits(a->u.sa.sa_family, a->len);
}

static void format_raw(struct skt__addr_out *o, const skt_addr *a)
{
    const unsigned char *bytes = skt__addr_bytes_const(a);

    skt__addr_putf(o, "family:%u:", (unsigned)a->u.sa.sa_family);
    for (size_t i = 0; i < a->len - sizeof(sa_family_t); i++)
        skt__addr_putf(o, "%02x", bytes[i]);
}

/* Writes the text of a valid address, in its family's form if it has
 * one that carries these bytes, else in the raw form. */
static void format_text(struct skt__addr_out *o, const skt_addr *a)
{
    int n;

    if (a->u.sa.sa_family == AF_INET)
        skt__addr_format_ipv4(o, &a->u.in4);
    else if (a->u.sa.sa_family == AF_INET6)
        skt__addr_format_ipv6(o, &a->u.in6);
    else if (a->u.sa.sa_family == AF_UNIX)
        skt__addr_format_unix(o, a);
    else if ((n = skt__addr_ext_format(a, o->buf, sizeof o->buf)) >= 0)
        o->len = (size_t)n;
    else
        format_raw(o, a);
}

/*
 * Formats without touching the thread's detail, so that the detail code
 * can call it while it builds a sentence.
 */
static int format_into(const skt_addr *a, char *buf, size_t size)
{
    struct skt__addr_out o = { .len = 0 };

    if (a == NULL || buf == NULL || !is_valid(a))
        return -EINVAL;
    format_text(&o, a);
    if (o.len >= size || o.len >= sizeof o.buf) {
        if (size > 0)
            buf[0] = '\0';
        return SKT_ETRUNCATED;
    }
    memcpy(buf, o.buf, o.len + 1);
    return (int)o.len;
}

int skt_addr_format(const skt_addr *a, char *buf, size_t len)
{
    int rc = format_into(a, buf, len);

    if (rc == -EINVAL && (a == NULL || buf == NULL))
        return skt__fail(rc, "format address: NULL argument");
    if (rc == -EINVAL)
        return skt__fail(rc, "format address: empty or invalid address");
    if (rc == SKT_ETRUNCATED)
        return skt__fail(rc, "format address into %zu bytes", len);
    return rc;
}

const char *skt__addr_text(const skt_addr *a, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return "?";
    if (format_into(a, buf, len) < 0)
        snprintf(buf, len, "?");
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Building and inspecting                                                  */
/* ------------------------------------------------------------------------ */

int skt_addr_from_ip(skt_addr *a, const char *host, int port)
{
    int rc;

    if (a == NULL)
        return skt__fail(-EINVAL, "build an IP address: NULL argument");
    memset(a, 0, sizeof *a);
    if (host == NULL)
        return skt__fail(-EINVAL, "build an IP address: the host is NULL");
    rc = skt__addr_build_ip(a, host, port);
    if (rc < 0)
        memset(a, 0, sizeof *a);
    return rc;
}

int skt_addr_from_unix(skt_addr *a, const void *name, size_t len,
                       bool abstract)
{
    if (a == NULL)
        return skt__fail(-EINVAL, "build a Unix address: NULL argument");
    memset(a, 0, sizeof *a);
    if (name == NULL && len > 0)
        return skt__fail(-EINVAL, "build a Unix address: the name is NULL");
    return skt__addr_build_unix(a, name, len, abstract);
}

/*
 * The meaningful length of an address: IP addresses are cut to their
 * struct, and a Unix path to its first NUL, so that a sockaddr passed with
 * a generous length compares equal to the same address parsed from text.
 */
static socklen_t meaningful_length(const skt_addr *a)
{
    if (a->u.sa.sa_family == AF_INET)
        return sizeof(struct sockaddr_in);
    if (a->u.sa.sa_family == AF_INET6)
        return sizeof(struct sockaddr_in6);
    if (a->u.sa.sa_family == AF_UNIX)
        return skt__addr_unix_length(a);
    return a->len;
}

int skt_addr_from_sockaddr(skt_addr *a, const struct sockaddr *sa,
                           socklen_t len)
{
    if (a == NULL)
        return skt__fail(-EINVAL, "copy a sockaddr: NULL argument");
    memset(a, 0, sizeof *a);
    if (sa == NULL)
        return skt__fail(-EINVAL, "copy a sockaddr: the sockaddr is NULL");
    if (len >= sizeof(sa_family_t))
        len = skt__addr_unix_trim(sa, len);
    if (len < sizeof(sa_family_t))
        return skt__fail(-EINVAL, "copy a sockaddr of length %u: too short "
                         "to hold a family", (unsigned)len);
    if (!length_fits(sa->sa_family, len))
        return skt__fail(-EINVAL, "copy a sockaddr of length %u: wrong "
                         "length for family %d", (unsigned)len,
                         sa->sa_family);
    memcpy(&a->u, sa, len);
    a->len = len;
    a->len = meaningful_length(a);
    skt__addr_ext_normalize(a);
    return 0;
}

/*
 * Clears the bytes of a's union past the first `used` (a constant where
 * it is inlined) in pieces of at most 64 bytes: compilers write those as
 * a few vector stores, where one memset of the whole tail becomes a string
 * instruction that is slow to start.
 */
static inline void clear_past(skt_addr *a, size_t used)
{
    char *bytes = (char *)&a->u;

    for (size_t at = used; at < sizeof a->u; at += 64)
        memset(bytes + at, 0,
               sizeof a->u - at < 64 ? sizeof a->u - at : 64);
}

/* An IPv4 or IPv6 address of exactly its struct's length is already in
 * skt_addr_from_sockaddr's form once the bytes past it are cleared: the
 * case of every datagram received, made short. */
static bool from_kernel_ip(skt_addr *a, socklen_t len)
{
    if (len == sizeof(struct sockaddr_in) && a->u.sa.sa_family == AF_INET)
        clear_past(a, sizeof(struct sockaddr_in));
    else if (len == sizeof(struct sockaddr_in6) &&
             a->u.sa.sa_family == AF_INET6)
        clear_past(a, sizeof(struct sockaddr_in6));
    else
        return false;
    a->len = len;
    return true;
}

/* Every other address, as skt_addr_from_sockaddr would copy it. Out of
 * line, so that the IP case needs no stack frame. */
static __attribute__((noinline)) void from_kernel_other(skt_addr *a,
                                                        socklen_t len)
{
    a->len = len < sizeof a->u ? len : sizeof a->u;
    if (a->len >= sizeof(sa_family_t))
        a->len = skt__addr_unix_trim(&a->u.sa, a->len);
    /* The bytes past the address are cleared, as from_sockaddr does, so
     * that a caller comparing whole structs sees no leftovers. */
    memset((char *)&a->u + a->len, 0, sizeof a->u - a->len);
    if (!is_valid(a)) {
        /* Nothing a caller could use, such as the empty name of an
         * unnamed peer: the address is left empty. */
        a->len = 0;
        return;
    }
    a->len = meaningful_length(a);
    skt__addr_ext_normalize(a);
}

void skt__addr_from_kernel(skt_addr *a, socklen_t len)
{
    if (!from_kernel_ip(a, len))
        from_kernel_other(a, len);
}

const struct sockaddr *skt_addr_sockaddr(const skt_addr *a)
{
    return a != NULL ? &a->u.sa : NULL;
}

int skt_addr_family(const skt_addr *a)
{
    if (a == NULL || a->len < sizeof(sa_family_t))
        return AF_UNSPEC;
    return a->u.sa.sa_family;
}

/* The port field of an IP address, or NULL for other families. */
static const in_port_t *port_field(const skt_addr *a)
{
    if (!is_valid(a))
        return NULL;
    if (a->u.sa.sa_family == AF_INET)
        return &a->u.in4.sin_port;
    if (a->u.sa.sa_family == AF_INET6)
        return &a->u.in6.sin6_port;
    return NULL;
}

int skt_addr_port(const skt_addr *a)
{
    const in_port_t *port;

    if (a == NULL)
        return skt__fail(-EINVAL, "get the port: NULL address");
    port = port_field(a);
    if (port == NULL)
        return skt__fail(-EAFNOSUPPORT, "get the port of a family-%d "
                         "address", skt_addr_family(a));
    return ntohs(*port);
}

int skt_addr_set_port(skt_addr *a, int port)
{
    in_port_t *field;

    if (a == NULL)
        return skt__fail(-EINVAL, "set the port: NULL address");
    field = (in_port_t *)port_field(a);
    if (field == NULL)
        return skt__fail(-EAFNOSUPPORT, "set the port of a family-%d "
                         "address", skt_addr_family(a));
    if (port < 0 || port > SKT__PORT_MAX)
        return skt__fail_raw(SKT_EPORTRANGE,
                             "set the port: %d is outside 0..%d", port,
                             SKT__PORT_MAX);
    *field = htons((uint16_t)port);
    return 0;
}

bool skt_addr_equal(const skt_addr *a, const skt_addr *b)
{
    if (a == NULL || b == NULL)
        return false;
    if (!is_valid(a) || !is_valid(b))
        return a->len == 0 && b->len == 0;
    if (a->u.sa.sa_family != b->u.sa.sa_family)
        return false;
    if (a->u.sa.sa_family == AF_INET)
        return a->u.in4.sin_addr.s_addr == b->u.in4.sin_addr.s_addr &&
               a->u.in4.sin_port == b->u.in4.sin_port;
    if (a->u.sa.sa_family == AF_INET6)
        return memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr,
                      sizeof a->u.in6.sin6_addr) == 0 &&
               a->u.in6.sin6_port == b->u.in6.sin6_port &&
               a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id;
    return a->len == b->len && memcmp(&a->u, &b->u, a->len) == 0;
}
