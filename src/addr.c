/*
 * addr.c - skt_addr: parsing and formatting socket addresses of every
 * family, numerically only.
 *
 * Nothing here ever makes a DNS lookup: a host name is refused with
 * SKT_EADDRNOTNUMERIC, so parsing never blocks and never depends on the
 * network. The text forms are chosen so that skt_addr_format is the exact
 * inverse of skt_addr_parse: Unix names escape the bytes that text cannot
 * carry, IPv6 scopes fall back to numbers, and families without a form of
 * their own are written as raw bytes ("family:N:HEX"). The Linux families
 * (netlink, packet, vsock, CAN, ALG, TIPC) have their forms in
 * addr_linux.c, behind addr_family.h.
 */
#include "addr_family.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

/* Where sun_path starts; also the length of an unnamed Unix address. */
#define UNIX_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)
/* Longest Unix name: sun_path less the path's final NUL, or less the
 * leading NUL that marks an abstract name. */
#define UNIX_NAME_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
/* Linux also takes, and getsockname reports, a path that fills sun_path
 * with no NUL at all: one byte more than UNIX_NAME_MAX. */
#define UNIX_PATH_MAX (UNIX_NAME_MAX + 1)
/* Most bytes an address of an unknown family can carry after sa_family. */
#define RAW_MAX (sizeof(struct sockaddr_storage) - sizeof(sa_family_t))
/* Characters of the input shown in a detail; room for one last escape,
 * "..." and the NUL. */
#define QUOTE_MAX 100
#define QUOTE_SIZE (QUOTE_MAX + 8)
#define PORT_MAX 65535

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
 * Records why text was refused, starting with the text itself so that the
 * user sees which of several addresses was wrong, and returns code.
 */
static int refuse(int code, const char *text, const char *why)
{
    char shown[QUOTE_SIZE];

    return skt__fail_raw(code, "parse address \"%s\": %s",
                         quote(text, shown), why);
}

int skt__addr_refuse(int code, const char *text, const char *why)
{
    return refuse(code, text, why);
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return n > 0;
}

static bool is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Whether a refused host looks like a name rather than a mistyped number:
 * only name characters, and at least one that is not a digit or a dot.
 * RFC 1123 forbids an all-numeric top label, so "127.1" or "1.2.3.256"
 * are bad numbers, while "localhost" and "b\xc3\xbccher.de" are names.
 */
static bool looks_like_name(const char *s, size_t n)
{
    bool has_letter = false;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80 || is_letter(c) || c == '-' || c == '_')
            has_letter = true;
        else if (!is_digit(c) && c != '.')
            return false;
    }
    return has_letter;
}

/* Refuses a host part that is not a numeric address of the family. */
static int refuse_host(const char *host, size_t n, const char *text,
                       const char *why)
{
    if (looks_like_name(host, n))
        return refuse(SKT_EADDRNOTNUMERIC, text,
                      "a host name where a numeric address is required "
                      "(no lookup is made)");
    return refuse(SKT_EADDRSYNTAX, text, why);
}

/* ------------------------------------------------------------------------ */
/* Parsing IP addresses                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Checks a port number and stores it in network order. The detail names
 * the port, since "out of range" alone does not say which number was bad.
 */
static int store_port(in_port_t *port, long value, const char *digits,
                      const char *text)
{
    char why[64];

    if (value < 0 || value > PORT_MAX) {
        snprintf(why, sizeof why, "port %.20s%s is outside 0..65535",
                 digits, strlen(digits) > 20 ? "..." : "");
        return refuse(SKT_EPORTRANGE, text, why);
    }
    *port = htons((uint16_t)value);
    return 0;
}

/*
 * Reads the decimal port that ends the text. Digits only: no sign, no
 * space, no service name, because "+80" or "80x" are more likely typos
 * than intentions, and a service name would need a lookup.
 */
static int parse_port(in_port_t *port, const char *digits, const char *text)
{
    long value = 0;

    if (*digits == '\0')
        return refuse(SKT_ENOPORT, text, "no port after the colon");
    for (const char *p = digits; *p != '\0'; p++) {
        if (!is_digit(*p))
            return refuse(SKT_EADDRSYNTAX, text,
                          "the port is not a decimal number");
        /* Saturate: any longer number is out of range anyway. */
        if (value <= PORT_MAX)
            value = value * 10 + (*p - '0');
    }
    return store_port(port, value, digits, text);
}

/* Parses a dotted quad of n characters; inet_pton refuses "127.1". */
static int parse_ipv4_host(skt_addr *a, const char *host, size_t n,
                           const char *text)
{
    char buf[INET_ADDRSTRLEN];

    if (n >= sizeof buf)
        return refuse_host(host, n, text, "not a dotted-quad IPv4 address");
    memcpy(buf, host, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, &a->u.in4.sin_addr) != 1)
        return refuse_host(host, n, text, "not a dotted-quad IPv4 address");
    a->u.in4.sin_family = AF_INET;
    a->len = sizeof a->u.in4;
    return 0;
}

/*
 * Parses a numeric scope. Any index is taken as given, since an interface
 * may come and go, but 0 means "no scope" and so names no interface.
 */
static int parse_scope_number(uint32_t *index, const char *digits, size_t n,
                              const char *text)
{
    uint64_t value = 0;

    for (size_t i = 0; i < n && value <= UINT32_MAX; i++)
        value = value * 10 + (uint64_t)(digits[i] - '0');
    if (value == 0 || value > UINT32_MAX)
        return refuse(SKT_ENOSCOPE, text,
                      "the scope number names no interface");
    *index = (uint32_t)value;
    return 0;
}

/* Parses the scope after "%": an interface number or name. */
static int parse_scope(uint32_t *index, const char *scope, size_t n,
                       const char *text)
{
    char name[IF_NAMESIZE];

    if (n == 0)
        return refuse(SKT_EADDRSYNTAX, text, "no scope after \"%\"");
    if (all_digits(scope, n))
        return parse_scope_number(index, scope, n, text);
    if (n >= sizeof name)
        return refuse(SKT_ENOSCOPE, text, "no interface has that name");
    memcpy(name, scope, n);
    name[n] = '\0';
    *index = if_nametoindex(name);
    if (*index == 0)
        return refuse(SKT_ENOSCOPE, text, "no interface has that name");
    return 0;
}

/* Parses an IPv6 address of n characters, with an optional "%scope". */
static int parse_ipv6_host(skt_addr *a, const char *host, size_t n,
                           const char *text)
{
    const char *percent = memchr(host, '%', n);
    size_t addr_len = percent != NULL ? (size_t)(percent - host) : n;
    char buf[INET6_ADDRSTRLEN];

    if (addr_len >= sizeof buf)
        return refuse_host(host, n, text, "not an IPv6 address");
    memcpy(buf, host, addr_len);
    buf[addr_len] = '\0';
    if (inet_pton(AF_INET6, buf, &a->u.in6.sin6_addr) != 1)
        return refuse_host(host, n, text, "not an IPv6 address");
    a->u.in6.sin6_family = AF_INET6;
    a->len = sizeof a->u.in6;
    if (percent == NULL)
        return 0;
    return parse_scope(&a->u.in6.sin6_scope_id, percent + 1,
                       n - addr_len - 1, text);
}

/* Parses "[v6]:port" and "[v6%scope]:port". */
static int parse_bracketed(skt_addr *a, const char *text)
{
    const char *close = strchr(text, ']');
    int rc;

    if (close == NULL)
        return refuse(SKT_EADDRSYNTAX, text, "\"[\" without \"]\"");
    rc = parse_ipv6_host(a, text + 1, (size_t)(close - text - 1), text);
    if (rc < 0)
        return rc;
    if (close[1] == '\0')
        return refuse(SKT_ENOPORT, text,
                      "no port (the form is \"[host]:port\")");
    if (close[1] != ':')
        return refuse(SKT_EADDRSYNTAX, text, "expected \":port\" after \"]\"");
    return parse_port(&a->u.in6.sin6_port, close + 2, text);
}

/*
 * Parses "1.2.3.4:80". A second colon can only mean an IPv6 address
 * without its brackets, which is refused: "::1:80" is ambiguous.
 */
static int parse_unbracketed(skt_addr *a, const char *text)
{
    const char *colon = strchr(text, ':');
    size_t n = colon != NULL ? (size_t)(colon - text) : strlen(text);
    int rc;

    if (colon != NULL && strchr(colon + 1, ':') != NULL)
        return refuse(SKT_EADDRSYNTAX, text,
                      "more than one colon (an IPv6 address needs "
                      "brackets, as in \"[::1]:80\")");
    rc = parse_ipv4_host(a, text, n, text);
    if (rc < 0)
        return rc;
    if (colon == NULL)
        return refuse(SKT_ENOPORT, text,
                      "no port (the form is \"host:port\")");
    return parse_port(&a->u.in4.sin_port, colon + 1, text);
}

/* ------------------------------------------------------------------------ */
/* Parsing Unix and raw addresses                                           */
/* ------------------------------------------------------------------------ */

/* The bytes after sa_family, reached without indexing a short array. */
static unsigned char *raw_bytes(skt_addr *a)
{
    return (unsigned char *)&a->u + sizeof(sa_family_t);
}

static const unsigned char *raw_bytes_const(const skt_addr *a)
{
    return (const unsigned char *)&a->u + sizeof(sa_family_t);
}

/*
 * Stores a Unix name. A path gets its NUL and an abstract name its leading
 * NUL, so both lengths are the offset, one NUL and the name, which is
 * what the kernel itself reports for them; a path that fills sun_path has
 * no room for its NUL and goes without, as the kernel reports it too.
 */
static void store_unix(skt_addr *a, const void *name, size_t len,
                       bool abstract)
{
    memset(a, 0, sizeof *a);
    a->u.un.sun_family = AF_UNIX;
    if (len == 0 && !abstract) {
        a->len = UNIX_PATH_OFFSET;
        return;
    }
    memcpy(raw_bytes(a) + abstract, name, len);
    a->len = (socklen_t)(UNIX_PATH_OFFSET + 1 + len);
    if (len == UNIX_PATH_MAX)
        a->len--;
}

/* Decodes one escape after a backslash; advances *text past it. */
static int unescape_one(const char **text)
{
    const char *p = *text;

    if (p[0] == '\\') {
        *text = p + 1;
        return '\\';
    }
    if (p[0] == 'x' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
        *text = p + 3;
        return hex_value(p[1]) * 16 + hex_value(p[2]);
    }
    return SKT_EADDRSYNTAX;
}

/*
 * Decodes a Unix name into out (cap bytes). Every byte is counted, even
 * past cap, so that the caller can tell a long name from a bad escape.
 */
static int unescape(const char *text, unsigned char *out, size_t cap,
                    size_t *len)
{
    size_t n = 0;

    while (*text != '\0') {
        int c = (unsigned char)*text++;

        if (c == '\\' && (c = unescape_one(&text)) < 0)
            return c;
        if (n < cap)
            out[n] = (unsigned char)c;
        n++;
    }
    *len = n;
    return 0;
}

/* Parses what follows "unix:": nothing, "@abstract" or a path. */
static int parse_unix(skt_addr *a, const char *name, const char *text)
{
    bool abstract = name[0] == '@';
    unsigned char bytes[UNIX_PATH_MAX];
    size_t len;

    if (unescape(name + abstract, bytes, sizeof bytes, &len) < 0)
        return refuse(SKT_EADDRSYNTAX, text,
                      "a backslash must start \"\\\\\" or \"\\xHH\"");
    if (abstract && len > UNIX_NAME_MAX)
        return refuse(-ENAMETOOLONG, text,
                      "an abstract Unix name holds at most 107 bytes");
    if (len > UNIX_PATH_MAX)
        return refuse(-ENAMETOOLONG, text,
                      "a Unix path holds at most 108 bytes");
    if (!abstract && memchr(bytes, '\0', len) != NULL)
        return refuse(SKT_EADDRSYNTAX, text,
                      "a Unix path cannot hold a NUL byte");
    store_unix(a, bytes, len, abstract);
    return 0;
}

/* Decodes pairs of hex digits into the bytes after sa_family. */
static int parse_hex(skt_addr *a, const char *hex, const char *text)
{
    size_t n = 0;

    for (; *hex != '\0'; hex += 2) {
        int high = hex_value(hex[0]);
        int low = high >= 0 ? hex_value(hex[1]) : -1;

        if (low < 0)
            return refuse(SKT_EADDRSYNTAX, text,
                          "expected pairs of hex digits after the family");
        if (n == RAW_MAX)
            return refuse(SKT_EADDRSYNTAX, text,
                          "more bytes than a sockaddr_storage holds");
        raw_bytes(a)[n++] = (unsigned char)(high * 16 + low);
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

    while (is_digit(*p) && family <= UINT16_MAX)
        family = family * 10 + (*p++ - '0');
    if (p == spec || *p != ':' || family > UINT16_MAX)
        return refuse(SKT_EADDRSYNTAX, text, "expected \"family:N:HEX\"");
    if (family == AF_INET || family == AF_INET6 || family == AF_UNIX)
        return refuse(SKT_EADDRSYNTAX, text,
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
    return refuse(SKT_EADDRSYNTAX, text, why);
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static int parse_text(skt_addr *a, const char *text)
{
    int rc;

    if (*text == '\0')
        return refuse(SKT_EADDRSYNTAX, text, "empty text");
    if (starts_with(text, "unix:"))
        return parse_unix(a, text + strlen("unix:"), text);
    if (starts_with(text, "family:"))
        return parse_raw_checked(a, text + strlen("family:"), text);
    if (text[0] == '[')
        return parse_bracketed(a, text);
    rc = skt__addr_ext_parse(a, text);
    if (rc != SKT__ADDR_NOT_MINE)
        return rc;
    return parse_unbracketed(a, text);
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

/* Text being built; len past the buffer marks an overflow. */
struct text {
    char buf[SKT_ADDRSTRLEN];
    size_t len;
};

static void putf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void putf(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->len >= sizeof t->buf)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    t->len = n < 0 ? sizeof t->buf : t->len + (size_t)n;
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

/*
 * Whether an interface name can be written as a scope: a name of digits
 * would read back as an index, and "]" would end the brackets.
 */
static bool scope_name_usable(const char *name)
{
    return !all_digits(name, strlen(name)) && strchr(name, ']') == NULL;
}

static void format_ipv6(struct text *t, const struct sockaddr_in6 *in6)
{
    char host[INET6_ADDRSTRLEN];
    char name[IF_NAMESIZE];

    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    putf(t, "[%s", host);
    if (in6->sin6_scope_id != 0) {
        if (if_indextoname(in6->sin6_scope_id, name) != NULL &&
            scope_name_usable(name))
            putf(t, "%%%s", name);
        else
            putf(t, "%%%u", (unsigned)in6->sin6_scope_id);
    }
    putf(t, "]:%u", (unsigned)ntohs(in6->sin6_port));
}

static void format_ipv4(struct text *t, const struct sockaddr_in *in4)
{
    char host[INET_ADDRSTRLEN];

    inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
    putf(t, "%s:%u", host, (unsigned)ntohs(in4->sin_port));
}

/*
 * Writes name bytes, escaping those text cannot carry. A path starting
 * with "@" is escaped too, or it would read back as an abstract name.
 */
static void put_escaped(struct text *t, const unsigned char *name,
                        size_t len, bool path)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = name[i];

        if (c == '\\')
            putf(t, "\\\\");
        else if (c < 0x20 || c == 0x7f || (path && i == 0 && c == '@'))
            putf(t, "\\x%02x", c);
        else
            putf(t, "%c", c);
    }
}

static void format_unix(struct text *t, const skt_addr *a)
{
    const unsigned char *name = raw_bytes_const(a);
    size_t size = a->len - UNIX_PATH_OFFSET;

    putf(t, "unix:");
    if (size == 0)
        return;
    if (name[0] == '\0') {
        putf(t, "@");
        put_escaped(t, name + 1, size - 1, false);
        return;
    }
    /* A path ends at its NUL when the length counts one. */
    put_escaped(t, name, strnlen((const char *)name, size), true);
}

static void format_raw(struct text *t, const skt_addr *a)
{
    const unsigned char *bytes = raw_bytes_const(a);

    putf(t, "family:%u:", (unsigned)a->u.sa.sa_family);
    for (size_t i = 0; i < a->len - sizeof(sa_family_t); i++)
        putf(t, "%02x", bytes[i]);
}

/* Writes the text of a valid address, in its family's form if it has
 * one that carries these bytes, else in the raw form. */
static void format_text(struct text *t, const skt_addr *a)
{
    int n;

    if (a->u.sa.sa_family == AF_INET)
        format_ipv4(t, &a->u.in4);
    else if (a->u.sa.sa_family == AF_INET6)
        format_ipv6(t, &a->u.in6);
    else if (a->u.sa.sa_family == AF_UNIX)
        format_unix(t, a);
    else if ((n = skt__addr_ext_format(a, t->buf, sizeof t->buf)) >= 0)
        t->len = (size_t)n;
    else
        format_raw(t, a);
}

/*
 * Formats without touching the thread's detail, so that the detail code
 * can call it while it builds a sentence.
 */
static int format_into(const skt_addr *a, char *buf, size_t size)
{
    struct text t = { .len = 0 };

    if (a == NULL || buf == NULL || !is_valid(a))
        return -EINVAL;
    format_text(&t, a);
    if (t.len >= size || t.len >= sizeof t.buf) {
        if (size > 0)
            buf[0] = '\0';
        return SKT_ETRUNCATED;
    }
    memcpy(buf, t.buf, t.len + 1);
    return (int)t.len;
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

/* Parses host text without brackets: IPv6 if it has a colon, else IPv4. */
static int parse_ip_host(skt_addr *a, const char *host)
{
    if (strchr(host, ':') != NULL)
        return parse_ipv6_host(a, host, strlen(host), host);
    return parse_ipv4_host(a, host, strlen(host), host);
}

int skt_addr_from_ip(skt_addr *a, const char *host, int port)
{
    char digits[16];
    int rc;

    if (a == NULL)
        return skt__fail(-EINVAL, "build an IP address: NULL argument");
    memset(a, 0, sizeof *a);
    if (host == NULL)
        return skt__fail(-EINVAL, "build an IP address: the host is NULL");
    rc = parse_ip_host(a, host);
    if (rc == 0) {
        snprintf(digits, sizeof digits, "%d", port);
        rc = store_port(a->u.sa.sa_family == AF_INET ? &a->u.in4.sin_port
                                                     : &a->u.in6.sin6_port,
                        port, digits, host);
    }
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
    if (len > (abstract ? UNIX_NAME_MAX : UNIX_PATH_MAX))
        return skt__fail(-ENAMETOOLONG,
                         "build a Unix %s of %zu bytes (at most %zu)",
                         abstract ? "abstract name" : "path", len,
                         abstract ? UNIX_NAME_MAX : UNIX_PATH_MAX);
    if (!abstract && len > 0 && memchr(name, '\0', len) != NULL)
        return skt__fail(-EINVAL,
                         "build a Unix address: a path cannot hold a NUL");
    store_unix(a, name, len, abstract && len > 0);
    return 0;
}

/*
 * The meaningful length of an address: IP addresses are cut to their
 * struct, and a Unix path to its first NUL, so that a sockaddr passed with
 * a generous length compares equal to the same address parsed from text.
 */
static socklen_t meaningful_length(const skt_addr *a)
{
    const unsigned char *path = raw_bytes_const(a);
    size_t size = a->len - UNIX_PATH_OFFSET;
    size_t n;

    if (a->u.sa.sa_family == AF_INET)
        return sizeof(struct sockaddr_in);
    if (a->u.sa.sa_family == AF_INET6)
        return sizeof(struct sockaddr_in6);
    if (a->u.sa.sa_family != AF_UNIX || size == 0 || path[0] == '\0')
        return a->len;
    n = strnlen((const char *)path, size);
    if (n < UNIX_NAME_MAX + 1)
        n++;
    return (socklen_t)(UNIX_PATH_OFFSET + n);
}

/*
 * Linux reports a path that fills sun_path with one byte more than
 * sockaddr_un: the NUL it keeps past the end. That byte is no part of the
 * address, so the length drops it.
 */
static socklen_t unix_reported_length(const struct sockaddr *sa,
                                      socklen_t len)
{
    if (sa->sa_family == AF_UNIX && len == sizeof(struct sockaddr_un) + 1 &&
        ((const char *)sa)[sizeof(struct sockaddr_un)] == '\0')
        return sizeof(struct sockaddr_un);
    return len;
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
        len = unix_reported_length(sa, len);
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

void skt__addr_from_kernel(skt_addr *a, socklen_t len)
{
    a->len = len < sizeof a->u ? len : sizeof a->u;
    if (a->len >= sizeof(sa_family_t))
        a->len = unix_reported_length(&a->u.sa, a->len);
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
    if (port < 0 || port > PORT_MAX)
        return skt__fail_raw(SKT_EPORTRANGE,
                             "set the port: %d is outside 0..65535", port);
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
