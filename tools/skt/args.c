/*
 * args.c - the parsers of option and positional values: seconds, counts,
 * ports and port lists, hosts, --allow/--deny rules, Unix paths. Each
 * checks its text whole (no trailing garbage, no silent wrap-around) and
 * says in one sentence what is wrong. None makes a network lookup.
 */
#include "tool.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Sets the reason; returns -1. */
static int wrong(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int wrong(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */
/* ------------------------------------------------------------------------ */

int parse_seconds(const char *text, double *out, char *err, size_t errlen)
{
    char *end;
    double value;

    errno = 0;
    value = strtod(text, &end);
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || *end != '\0' ||
        errno != 0 || !isfinite(value))
        return wrong(err, errlen, "'%s' is not a number of seconds", text);
    if (!(value > 0) || value > SKT_TIMEOUT_MAX)
        return wrong(err, errlen, "%s seconds is out of range (more than 0, "
                     "at most %g)", text, SKT_TIMEOUT_MAX);
    *out = value;
    return 0;
}

/* A decimal integer, digits only; -1 for anything else or an overflow. */
static long decimal(const char *text, size_t len)
{
    long value = 0;

    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

int parse_count(const char *text, long min, long max, long *out, char *err,
                size_t errlen)
{
    long value = decimal(text, strlen(text));

    if (value < 0)
        return wrong(err, errlen, "'%s' is not a whole number", text);
    if (value < min || value > max)
        return wrong(err, errlen, "%s is out of range (%ld to %ld)", text,
                     min, max);
    *out = value;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Ports                                                                    */
/* ------------------------------------------------------------------------ */

/* A service name: letters, digits, '-', '_', '.', '+', '/', not all
 * digits (that is a number). */
static bool service_syntax(const char *text)
{
    size_t len = strlen(text);

    if (len == 0 || len > 32 || !isalpha((unsigned char)text[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)text[i]) && !strchr("-_.+/", text[i]))
            return false;
    return true;
}

int parse_port(const char *text, bool zero_ok, char *err, size_t errlen)
{
    long value;

    if (text[0] != '\0' && isdigit((unsigned char)text[0])) {
        value = decimal(text, strlen(text));
        if (value < 0)
            return wrong(err, errlen, "'%s' is not a port", text);
        if (value > 65535 || (value == 0 && !zero_ok))
            return wrong(err, errlen, "port %s is out of range (%d to "
                         "65535)", text, zero_ok ? 0 : 1);
        return 0;
    }
    if (!service_syntax(text))
        return wrong(err, errlen, "'%s' is not a port (a number or a "
                     "service name)", text);
    if (skt_getservbyname(text, NULL) < 0)
        return wrong(err, errlen, "'%s' is not a port: no such service",
                     text);
    return 0;
}

/* One item of a port list: N or N-M, len bytes of text. */
static int port_range(const char *text, size_t len, uint8_t map[8192],
                      size_t *count, char *err, size_t errlen)
{
    const char *dash = memchr(text, '-', len);
    size_t first_len = dash ? (size_t)(dash - text) : len;
    long first = decimal(text, first_len);
    long last = dash ? decimal(dash + 1, len - first_len - 1) : first;

    if (first < 0 || last < 0)
        return wrong(err, errlen, "'%.*s' in the port list is not N or N-M",
                     (int)len, text);
    if (first < 1 || last > 65535 || first > last)
        return wrong(err, errlen, "'%.*s' in the port list is out of range "
                     "(1 to 65535, N-M with N <= M)", (int)len, text);
    for (long p = first; p <= last; p++) {
        if (!(map[p >> 3] & (1u << (p & 7))))
            (*count)++;
        map[p >> 3] |= (uint8_t)(1u << (p & 7));
    }
    return 0;
}

int parse_port_list(const char *text, uint8_t map[8192], size_t *count,
                    char *err, size_t errlen)
{
    const char *item = text;

    memset(map, 0, 8192);
    *count = 0;
    for (;;) {
        size_t len = strcspn(item, ",");
        if (port_range(item, len, map, count, err, errlen) < 0)
            return -1;
        if (item[len] == '\0')
            return 0;
        item += len + 1;
    }
}

/* ------------------------------------------------------------------------ */
/* Hosts and addresses                                                      */
/* ------------------------------------------------------------------------ */

const char *host_unbracketed(const char *text, char *buf, size_t len)
{
    size_t n = strlen(text);

    if (n < 2 || text[0] != '[' || text[n - 1] != ']' || n - 1 > len)
        return text;
    memcpy(buf, text + 1, n - 2);
    buf[n - 2] = '\0';
    return buf;
}

/* Letters, digits, '-', '_' and '.', in labels of 1..63 bytes. */
static bool name_syntax(const char *text)
{
    size_t len = strlen(text), label = 0;

    if (len == 0 || len > 253 || text[0] == '-' || text[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (isalnum(ch) || ch == '-' || ch == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

int parse_host(const char *text, bool numeric, char *err, size_t errlen)
{
    char buf[256];
    const char *host = host_unbracketed(text, buf, sizeof buf);
    skt_addr a;
    int rc = skt_addr_from_ip(&a, host, 0);

    if (rc == 0)
        return 0;
    if (rc == SKT_ENOSCOPE)
        return wrong(err, errlen, "'%s': the scope names no interface",
                     text);
    if (host != text || strchr(host, ':') != NULL)
        return wrong(err, errlen, "'%s' is not an IPv6 address", text);
    if (strspn(host, "0123456789.") == strlen(host))
        return wrong(err, errlen, "'%s' is not an IPv4 address", text);
    if (!name_syntax(host))
        return wrong(err, errlen, "'%s' is not a host name or address",
                     text);
    if (numeric)
        return wrong(err, errlen, "'%s' is a name, where a numeric address "
                     "is needed (-n, -s)", text);
    return 0;
}

int parse_rule(const char *text, struct rule *r, char *err, size_t errlen)
{
    char host[128];
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    long prefix;
    int max;

    if (len >= sizeof host)
        return wrong(err, errlen, "'%s' is not ADDR[/PREFIX]", text);
    memcpy(host, text, len);
    host[len] = '\0';
    if (skt_addr_from_ip(&r->net, host, 0) < 0)
        return wrong(err, errlen, "'%s' is not a numeric address", host);
    max = skt_addr_family(&r->net) == AF_INET ? 32 : 128;
    prefix = slash ? decimal(slash + 1, strlen(slash + 1)) : max;
    if (prefix < 0 || prefix > max)
        return wrong(err, errlen, "'%s': the prefix must be 0 to %d", text,
                     max);
    r->prefix = (int)prefix;
    return 0;
}

int parse_frame(const char *text, skt_frame_opts *opts, char *err,
                size_t errlen)
{
    static const char *const lengths[] = {"len1", "len2", "len4", "len8"};
    long size;

    for (int i = 0; i < 4; i++)
        if (strcmp(text, lengths[i]) == 0) {
            opts->kind = SKT_FRAME_LENGTH;
            opts->header_size = 1 << i;
            return 0;
        }
    if (strcmp(text, "line") == 0 || strcmp(text, "crlf") == 0) {
        opts->kind = SKT_FRAME_DELIMITER;
        opts->delimiter = text[0] == 'l' ? "\n" : "\r\n";
        opts->delimiter_len = text[0] == 'l' ? 1 : 2;
        return 0;
    }
    if (strncmp(text, "fixed:", 6) == 0) {
        size = decimal(text + 6, strlen(text + 6));
        if (size < 1)
            return wrong(err, errlen, "'%s': the size of fixed:N must be a "
                         "whole number of bytes, at least 1", text);
        opts->kind = SKT_FRAME_FIXED;
        opts->size = (size_t)size;
        return 0;
    }
    return wrong(err, errlen, "'%s' is not len1, len2, len4, len8, line, "
                 "crlf or fixed:N", text);
}

int parse_proxy(const char *text, bool numeric, char *host, size_t len,
                const char **port, char *err, size_t errlen)
{
    const char *colon = strrchr(text, ':');
    size_t host_len = colon ? (size_t)(colon - text) : 0;
    char why[160];

    if (colon == NULL || host_len == 0 || colon[1] == '\0')
        return wrong(err, errlen, "'%s' is not HOST:PORT", text);
    if (memchr(text, ':', host_len) != NULL && text[0] != '[')
        return wrong(err, errlen, "'%s': an IPv6 proxy is written "
                     "[ADDRESS]:PORT", text);
    if (host_len >= len)
        return wrong(err, errlen, "'%.40s...': the host is too long", text);
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    *port = colon + 1;
    if (parse_host(host, numeric, why, sizeof why) < 0 ||
        parse_port(*port, false, why, sizeof why) < 0)
        return wrong(err, errlen, "%s", why);
    return 0;
}

int parse_proxy_auth(const char *text, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    size_t user = colon ? (size_t)(colon - text) : 0;

    if (colon == NULL || user == 0 || colon[1] == '\0')
        return wrong(err, errlen, "not USER:PASS (a user name, a colon "
                     "and a password, neither empty)");
    if (user > 255 || strlen(colon + 1) > 255)
        return wrong(err, errlen, "the user name and the password may "
                     "have 255 bytes each");
    return 0;
}

int parse_unix_path(const char *text, skt_addr *out, char *err,
                    size_t errlen)
{
    bool abstract = text[0] == '@';
    const char *name = abstract ? text + 1 : text;
    int rc;

    if (name[0] == '\0')
        return wrong(err, errlen, "'%s' is not a Unix socket path", text);
    rc = skt_addr_from_unix(out, name, strlen(name), abstract);
    if (rc == -ENAMETOOLONG)
        return wrong(err, errlen, "Unix socket path '%.40s...' is too long "
                     "(at most %d bytes)", text, abstract ? 107 : 108);
    if (rc < 0) /* an abstract name where the system has none, say */
        return wrong(err, errlen, "Unix socket path '%.40s%s': %s", text,
                     strlen(text) > 40 ? "..." : "", skt_error_detail());
    return 0;
}

/* ------------------------------------------------------------------------ */
/* skt relay's addresses                                                    */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    enum relay_kind kind;
} relay_kinds[] = {
    {"tcp", RELAY_TCP},         {"tcp-listen", RELAY_TCP_LISTEN},
    {"tls", RELAY_TLS},         {"tls-listen", RELAY_TLS_LISTEN},
    {"udp", RELAY_UDP},         {"udp-listen", RELAY_UDP_LISTEN},
    {"unix", RELAY_UNIX},       {"unix-listen", RELAY_UNIX_LISTEN},
    {"exec", RELAY_EXEC},
};

#define RELAY_KIND_LIST                                                       \
    "tcp, tcp-listen, tls, tls-listen, udp, udp-listen, unix, unix-listen, " \
    "exec, stdio"

/* Where rest's HOST ends: after the ']' of a bracketed address, else at
 * the last colon (NULL when there is none); *bad when a bracket is not
 * closed or a colon is outside brackets. */
static const char *host_end(const char *rest, bool *bad)
{
    const char *close = rest[0] == '[' ? strchr(rest, ']') : NULL;
    const char *colon = strrchr(rest, ':');

    *bad = false;
    if (rest[0] == '[') {
        *bad = close == NULL || (close[1] != ':' && close[1] != '\0');
        return close != NULL ? close + 1 : NULL;
    }
    *bad = colon != NULL && memchr(rest, ':', (size_t)(colon - rest));
    return colon;
}

/* HOST:PORT, or for a listener [HOST:]PORT, of address text (rest is
 * what follows its kind), into out. */
static int relay_host_port(const char *text, const char *rest,
                           bool listening, bool numeric,
                           struct relay_addr *out, char *err, size_t errlen)
{
    bool bad;
    const char *end = host_end(rest, &bad);
    size_t host_len = end ? (size_t)(end - rest) : 0;
    const char *port = end ? end + (*end == ':') : rest;
    char why[160];

    if (bad)
        return wrong(err, errlen, "relay address '%s': an IPv6 address is "
                     "written in brackets, [ADDRESS]:PORT", text);
    if (end == NULL && !listening)
        return wrong(err, errlen, "relay address '%s' is not KIND:HOST:PORT",
                     text);
    if (end != NULL && host_len == 0)
        return wrong(err, errlen, "relay address '%s': the host is empty",
                     text);
    if (port[0] == '\0')
        return wrong(err, errlen, "relay address '%s': the port is missing",
                     text);
    if (host_len >= sizeof out->host || strlen(port) >= sizeof out->port)
        return wrong(err, errlen, "relay address '%.40s...' is too long",
                     text);
    memcpy(out->host, rest, host_len);
    out->host[host_len] = '\0';
    strcpy(out->port, port);
    if ((host_len > 0 && parse_host(out->host, numeric, why, sizeof why) < 0) ||
        parse_port(out->port, listening, why, sizeof why) < 0)
        return wrong(err, errlen, "relay address '%s': %s", text, why);
    return 0;
}

/* What follows unix:, unix-listen: or exec:. */
static int relay_path(const char *text, const char *rest,
                      struct relay_addr *out, char *err, size_t errlen)
{
    char why[160];
    skt_addr a;

    out->path = rest;
    if (out->kind == RELAY_EXEC) {
        if (strspn(rest, " \t") == strlen(rest))
            return wrong(err, errlen, "relay address '%s': the command is "
                         "empty", text);
        return 0;
    }
    if (parse_unix_path(rest, &a, why, sizeof why) < 0)
        return wrong(err, errlen, "relay address '%s': %s", text, why);
    return 0;
}

int parse_relay_address(const char *text, bool numeric,
                        struct relay_addr *out, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    size_t kind_len = colon ? (size_t)(colon - text) : 0;
    size_t i = 0, count = sizeof relay_kinds / sizeof relay_kinds[0];

    memset(out, 0, sizeof *out);
    out->text = text;
    out->kind = RELAY_STDIO;
    if (strcmp(text, "stdio") == 0 || strcmp(text, "-") == 0)
        return 0;
    if (colon == NULL)
        return wrong(err, errlen, "relay address '%s' is not KIND:VALUE or "
                     "stdio (KIND: %s)", text, RELAY_KIND_LIST);
    while (i < count && (strlen(relay_kinds[i].name) != kind_len ||
                         strncmp(relay_kinds[i].name, text, kind_len) != 0))
        i++;
    if (i == count)
        return wrong(err, errlen, "relay address '%s': unknown kind '%.*s' "
                     "(%s)", text, (int)kind_len, text, RELAY_KIND_LIST);
    out->kind = relay_kinds[i].kind;
    if (out->kind == RELAY_UNIX || out->kind == RELAY_UNIX_LISTEN ||
        out->kind == RELAY_EXEC)
        return relay_path(text, colon + 1, out, err, errlen);
    return relay_host_port(text, colon + 1,
                           strstr(relay_kinds[i].name, "-listen") != NULL,
                           numeric, out, err, errlen);
}
