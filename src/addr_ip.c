/*
 * addr_ip.c - the IPv4 and IPv6 forms of skt_addr: "1.2.3.4:80",
 * "[::1]:80" and "[fe80::1%eth0]:80", parsed and formatted numerically,
 * with their ports and IPv6 scopes.
 *
 * A host name is refused with SKT_EADDRNOTNUMERIC, never looked up. A
 * scope given by name is turned into its interface index (a local lookup,
 * not DNS), and formatted back by name when the name would read back as
 * itself, else by number.
 */
#include "addr_family.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Refusing a host                                                          */
/* ------------------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!skt__is_digit(s[i]))
            return false;
    return n > 0;
}

static bool is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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
        else if (!skt__is_digit(c) && c != '.')
            return false;
    }
    return has_letter;
}

/* Refuses a host part that is not a numeric address of the family. */
static int refuse_host(const char *host, size_t n, const char *text,
                       const char *why)
{
    if (looks_like_name(host, n))
        return skt__addr_refuse(SKT_EADDRNOTNUMERIC, text,
                                "a host name where a numeric address is "
                                "required (no lookup is made)");
    return skt__addr_refuse(SKT_EADDRSYNTAX, text, why);
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Checks a port number and stores it in network order. The detail names
 * the port, since "out of range" alone does not say which number was bad.
 */
static int store_port(in_port_t *port, long value, const char *digits,
                      const char *text)
{
    char why[64];

    if (value < 0 || value > SKT__PORT_MAX) {
        snprintf(why, sizeof why, "port %.20s%s is outside 0..%d",
                 digits, strlen(digits) > 20 ? "..." : "", SKT__PORT_MAX);
        return skt__addr_refuse(SKT_EPORTRANGE, text, why);
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
        return skt__addr_refuse(SKT_ENOPORT, text, "no port after the colon");
    for (const char *p = digits; *p != '\0'; p++) {
        if (!skt__is_digit(*p))
            return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                    "the port is not a decimal number");
        /* Saturate: any longer number is out of range anyway. */
        if (value <= SKT__PORT_MAX)
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
        return skt__addr_refuse(SKT_ENOSCOPE, text,
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
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "no scope after \"%\"");
    if (all_digits(scope, n))
        return parse_scope_number(index, scope, n, text);
    if (n >= sizeof name)
        return skt__addr_refuse(SKT_ENOSCOPE, text,
                                "no interface has that name");
    memcpy(name, scope, n);
    name[n] = '\0';
    *index = if_nametoindex(name);
    if (*index == 0)
        return skt__addr_refuse(SKT_ENOSCOPE, text,
                                "no interface has that name");
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
int skt__addr_parse_ipv6(skt_addr *a, const char *text)
{
    const char *close = strchr(text, ']');
    int rc;

    if (close == NULL)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "\"[\" without \"]\"");
    rc = parse_ipv6_host(a, text + 1, (size_t)(close - text - 1), text);
    if (rc < 0)
        return rc;
    if (close[1] == '\0')
        return skt__addr_refuse(SKT_ENOPORT, text,
                                "no port (the form is \"[host]:port\")");
    if (close[1] != ':')
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "expected \":port\" after \"]\"");
    return parse_port(&a->u.in6.sin6_port, close + 2, text);
}

/*
 * Parses "1.2.3.4:80". A second colon can only mean an IPv6 address
 * without its brackets, which is refused: "::1:80" is ambiguous.
 */
int skt__addr_parse_ipv4(skt_addr *a, const char *text)
{
    const char *colon = strchr(text, ':');
    size_t n = colon != NULL ? (size_t)(colon - text) : strlen(text);
    int rc;

    if (colon != NULL && strchr(colon + 1, ':') != NULL)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "more than one colon (an IPv6 address "
                                "needs brackets, as in \"[::1]:80\")");
    rc = parse_ipv4_host(a, text, n, text);
    if (rc < 0)
        return rc;
    if (colon == NULL)
        return skt__addr_refuse(SKT_ENOPORT, text,
                                "no port (the form is \"host:port\")");
    return parse_port(&a->u.in4.sin_port, colon + 1, text);
}

/* Parses host text without brackets: IPv6 if it has a colon, else IPv4. */
static int parse_ip_host(skt_addr *a, const char *host)
{
    if (strchr(host, ':') != NULL)
        return parse_ipv6_host(a, host, strlen(host), host);
    return parse_ipv4_host(a, host, strlen(host), host);
}

int skt__addr_build_ip(skt_addr *a, const char *host, int port)
{
    char digits[16];
    int rc = parse_ip_host(a, host);

    if (rc < 0)
        return rc;
    snprintf(digits, sizeof digits, "%d", port);
    return store_port(a->u.sa.sa_family == AF_INET ? &a->u.in4.sin_port
                                                   : &a->u.in6.sin6_port,
                      port, digits, host);
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Whether an interface name can be written as a scope: a name of digits
 * would read back as an index, and "]" would end the brackets.
 */
static bool scope_name_usable(const char *name)
{
    return !all_digits(name, strlen(name)) && strchr(name, ']') == NULL;
}

void skt__addr_format_ipv6(struct skt__addr_out *o,
                           const struct sockaddr_in6 *in6)
{
    char host[INET6_ADDRSTRLEN];
    char name[IF_NAMESIZE];

    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    skt__addr_putf(o, "[%s", host);
    if (in6->sin6_scope_id != 0) {
        if (if_indextoname(in6->sin6_scope_id, name) != NULL &&
            scope_name_usable(name))
            skt__addr_putf(o, "%%%s", name);
        else
            skt__addr_putf(o, "%%%u", (unsigned)in6->sin6_scope_id);
    }
    skt__addr_putf(o, "]:%u", (unsigned)ntohs(in6->sin6_port));
}

void skt__addr_format_ipv4(struct skt__addr_out *o,
                           const struct sockaddr_in *in4)
{
    char host[INET_ADDRSTRLEN];

    inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
    skt__addr_putf(o, "%s:%u", host, (unsigned)ntohs(in4->sin_port));
}
