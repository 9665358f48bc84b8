/*
 * netdb.c - the resolver-layer module functions of Python's socket module:
 * getaddrinfo and getnameinfo under a timeout, the gethostby* family and
 * getfqdn, the host name, services and protocols, and has_dualstack_ipv6.
 * The numeric converters (inet_*) are in inet.c and the interface list in
 * iface.c, a layer below, with the helpers these functions share.
 *
 * Every function here is thread-safe: only the reentrant (_r) forms of the
 * netdb calls are used, each with a scratch buffer that grows on ERANGE.
 * Results are copied whole into the caller's buffer or not at all: a
 * buffer that is too small gives SKT_ETRUNCATED, never a cut name.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first scratch buffer of a reentrant netdb call, and the size past
 * which a result is taken to be broken rather than big. */
#define SCRATCH_START 1024
#define SCRATCH_MAX (1u << 20)

/* ------------------------------------------------------------------------ */
/* Scratch buffers                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Grows the scratch buffer of a reentrant netdb call that said ERANGE.
 * Past SCRATCH_MAX, or when memory runs out, the old buffer is freed and
 * NULL returned, so that a caller's loop has one exit to handle.
 */
static char *grow_scratch(char *buf, size_t *len)
{
    size_t want = *len == 0 ? SCRATCH_START : *len * 2;
    char *bigger;

    if (want > SCRATCH_MAX) {
        free(buf);
        return NULL;
    }
    bigger = realloc(buf, want);
    if (bigger == NULL) {
        free(buf);
        return NULL;
    }
    *len = want;
    return bigger;
}

/* ------------------------------------------------------------------------ */
/* getaddrinfo and getnameinfo                                              */
/* ------------------------------------------------------------------------ */

static int getaddrinfo_failed(int code, const char *host, const char *port)
{
    if (host == NULL)
        return skt__fail(code, "getaddrinfo port \"%s\"", port);
    if (port == NULL)
        return skt__fail(code, "getaddrinfo \"%s\"", host);
    return skt__fail(code, "getaddrinfo \"%s\" port \"%s\"", host, port);
}

/* Copies one system result; -ENOMEM, or -EINVAL for an address that does
 * not fit an skt_addr (which no resolver produces). */
static int copy_one_result(const struct addrinfo *ai, skt_addrinfo **out)
{
    skt_addrinfo *item;

    if (ai->ai_addrlen > sizeof(item->addr.u))
        return skt__fail(-EINVAL, "getaddrinfo: a result of %u bytes",
                         (unsigned)ai->ai_addrlen);
    item = calloc(1, sizeof *item);
    if (item == NULL)
        return skt__fail(-ENOMEM, "getaddrinfo: copying the results");
    item->family = ai->ai_family;
    item->type = ai->ai_socktype;
    item->proto = ai->ai_protocol;
    item->flags = ai->ai_flags;
    item->addr.len = ai->ai_addrlen;
    memcpy(&item->addr.u, ai->ai_addr, ai->ai_addrlen);
    if (ai->ai_canonname != NULL) {
        item->canonname = strdup(ai->ai_canonname);
        if (item->canonname == NULL) {
            free(item);
            return skt__fail(-ENOMEM, "getaddrinfo: copying the results");
        }
    }
    *out = item;
    return 0;
}

/* Copies the system's list into ours, in order; all or nothing. */
static int copy_results(const struct addrinfo *found, skt_addrinfo **res)
{
    skt_addrinfo *head = NULL, **tail = &head;

    for (const struct addrinfo *ai = found; ai != NULL; ai = ai->ai_next) {
        int rc = copy_one_result(ai, tail);
        if (rc < 0) {
            skt_freeaddrinfo(head);
            return rc;
        }
        tail = &(*tail)->next;
    }
    *res = head;
    return 0;
}

int skt_getaddrinfo(const char *host, const char *port,
                    const skt_addrinfo *hints, double timeout,
                    skt_addrinfo **res)
{
    /* Zero hints, not NULL: glibc would then add AI_V4MAPPED and
     * AI_ADDRCONFIG, and Python's defaults are all zero. */
    struct addrinfo want = {0}, *found = NULL;
    int rc;

    if (res == NULL)
        return skt__null_argument("getaddrinfo", "res");
    *res = NULL;
    /* The system's answer, and Python's: nothing to look up is no name. */
    if (host == NULL && port == NULL)
        return skt__fail(SKT_EAI_NONAME, "getaddrinfo: host and port are "
                         "both NULL");
    if (skt__check_timeout(timeout, "getaddrinfo") < 0)
        return -EINVAL;
    if (hints != NULL) {
        want.ai_family = hints->family;
        want.ai_socktype = hints->type;
        want.ai_protocol = hints->proto;
        want.ai_flags = hints->flags;
    }
    rc = skt__getaddrinfo_deadline(host, port, &want,
                                   skt__deadline(timeout), &found);
    if (rc != 0)
        return getaddrinfo_failed(rc, host, port);
    rc = copy_results(found, res);
    freeaddrinfo(found);
    return rc;
}

void skt_freeaddrinfo(skt_addrinfo *res)
{
    while (res != NULL) {
        skt_addrinfo *next = res->next;
        free(res->canonname);
        free(res);
        res = next;
    }
}

static int check_nameinfo_args(const skt_addr *a, const char *host,
                               size_t hostlen, const char *serv,
                               size_t servlen)
{
    if (a == NULL)
        return skt__null_argument("getnameinfo", "the address");
    if (a->len == 0 || a->len > sizeof(a->u))
        return skt__fail_raw(-EINVAL, "getnameinfo: an address of %u "
                             "bytes", (unsigned)a->len);
    if ((host == NULL && hostlen != 0) || (serv == NULL && servlen != 0))
        return skt__fail_raw(-EINVAL, "getnameinfo: a NULL buffer with a "
                             "length");
    if (host == NULL && serv == NULL)
        return skt__fail_raw(-EINVAL, "getnameinfo: neither the host nor "
                             "the service is asked for");
    return 0;
}

int skt_getnameinfo(const skt_addr *a, int flags, double timeout,
                    char *host, size_t hostlen, char *serv, size_t servlen)
{
    /* Full-size buffers, so that glibc never cuts a name and the caller's
     * own length is checked in one place, by skt__copy_out. */
    char host_text[NI_MAXHOST], serv_text[NI_MAXSERV], where[SKT_ADDRSTRLEN];
    int rc = check_nameinfo_args(a, host, hostlen, serv, servlen);

    if (rc < 0)
        return rc;
    if (skt__check_timeout(timeout, "getnameinfo") < 0)
        return -EINVAL;
    rc = skt__getnameinfo_deadline(a, flags, skt__deadline(timeout),
                                   host ? host_text : NULL, sizeof host_text,
                                   serv ? serv_text : NULL, sizeof serv_text);
    if (rc != 0)
        return skt__fail(rc, "getnameinfo for %s",
                         skt__addr_text(a, where, sizeof where));
    if (host != NULL) {
        rc = skt__copy_out(host_text, host, hostlen,
                           "getnameinfo (host)");
        if (rc < 0)
            return rc;
    }
    if (serv != NULL) {
        rc = skt__copy_out(serv_text, serv, servlen,
                           "getnameinfo (service)");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn                  */
/* ------------------------------------------------------------------------ */

/* Finds the wildcard address of a family, as CPython does for "". Both
 * families answering (AF_UNSPEC) is an error there, and here. */
static int wildcard_address(int family, skt_addr *out, const char *op)
{
    struct addrinfo want = {0}, *found = NULL;
    int rc;

    want.ai_family = family;
    want.ai_socktype = SOCK_DGRAM;
    want.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(NULL, "0", &want, &found);
    if (rc != 0)
        return skt__fail(skt__eai_code(rc), "%s \"\"", op);
    if (found->ai_next != NULL)
        rc = skt__fail_raw(-EINVAL, "%s: the wildcard \"\" resolves to "
                           "more than one address", op);
    else
        rc = skt_addr_from_sockaddr(out, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return rc;
}

/*
 * Turns a host into one address the way CPython's setipaddr does, so that
 * the gethostby* functions fail where Python's do and with the same kind
 * of error: "" is the wildcard, "<broadcast>" and "255.255.255.255" are
 * the IPv4 broadcast, anything else is the first getaddrinfo result
 * (numeric text is converted by getaddrinfo without a lookup). The callers
 * pass AF_INET or AF_UNSPEC, for which the broadcast is always allowed.
 */
static int resolve_first(const char *name, int family, skt_addr *out,
                         const char *op)
{
    struct addrinfo want = {0}, *found = NULL;
    int rc;

    if (name[0] == '\0')
        return wildcard_address(family, out, op);
    if (strcmp(name, "<broadcast>") == 0 ||
        strcmp(name, "255.255.255.255") == 0)
        return skt_addr_from_ip(out, "255.255.255.255", 0);
    want.ai_family = family;
    rc = getaddrinfo(name, NULL, &want, &found);
    if (rc != 0)
        return skt__fail(skt__eai_code(rc), "%s \"%s\"", op, name);
    rc = skt_addr_from_sockaddr(out, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return rc;
}

void skt_freehostent(skt_hostent *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; h->aliases != NULL && h->aliases[i] != NULL; i++)
        free(h->aliases[i]);
    for (size_t i = 0; h->addresses != NULL && h->addresses[i] != NULL;
         i++)
        free(h->addresses[i]);
    free(h->aliases);
    free(h->addresses);
    free(h->name);
    free(h);
}

/*
 * Allocates a NULL-terminated list as long as items. It is zeroed, so a
 * list filled half-way before memory ran out still ends with NULL and
 * skt_freehostent frees exactly what was filled.
 */
static char **new_list(char *const *items)
{
    size_t count = 0;

    while (items != NULL && items[count] != NULL)
        count++;
    return calloc(count + 1, sizeof(char *));
}

static int copy_aliases(const struct hostent *h, skt_hostent *copy)
{
    copy->aliases = new_list(h->h_aliases);
    if (copy->aliases == NULL)
        return -ENOMEM;
    for (size_t i = 0; h->h_aliases != NULL && h->h_aliases[i] != NULL;
         i++) {
        copy->aliases[i] = strdup(h->h_aliases[i]);
        if (copy->aliases[i] == NULL)
            return -ENOMEM;
    }
    return 0;
}

static int copy_addresses(const struct hostent *h, skt_hostent *copy)
{
    char text[INET6_ADDRSTRLEN];

    copy->addresses = new_list(h->h_addr_list);
    if (copy->addresses == NULL)
        return -ENOMEM;
    for (size_t i = 0; h->h_addr_list[i] != NULL; i++) {
        if (inet_ntop(h->h_addrtype, h->h_addr_list[i], text,
                      sizeof text) == NULL)
            return -EAFNOSUPPORT;
        copy->addresses[i] = strdup(text);
        if (copy->addresses[i] == NULL)
            return -ENOMEM;
    }
    return 0;
}

/* Copies a system hostent into a freshly allocated skt_hostent. */
static int copy_hostent(const struct hostent *h, skt_hostent **out,
                        const char *op)
{
    skt_hostent *copy = calloc(1, sizeof *copy);
    int rc = -ENOMEM;

    if (copy == NULL)
        goto fail;
    copy->name = strdup(h->h_name != NULL ? h->h_name : "");
    if (copy->name == NULL)
        goto fail;
    rc = copy_aliases(h, copy);
    if (rc == 0)
        rc = copy_addresses(h, copy);
    if (rc < 0)
        goto fail;
    *out = copy;
    return 0;
fail:
    skt_freehostent(copy);
    return skt__fail(rc, "%s: copying the result", op);
}

/* The code for an h_errno value, which Python reports as herror. */
static int host_error_code(int rc, int herr)
{
    switch (herr) {
    case HOST_NOT_FOUND:
        return SKT_EAI_NONAME;
    case TRY_AGAIN:
        return SKT_EAI_AGAIN;
    case NO_DATA:
        return SKT_EAI_NODATA;
    case NETDB_INTERNAL:
        return rc > 0 ? -rc : SKT_EAI_FAIL;
    default:
        return SKT_EAI_FAIL;
    }
}

/* A gethostbyname2_r (name set) or gethostbyaddr_r (bytes set) query. */
struct host_query {
    const char *op;
    const char *subject; /* what the detail names */
    const char *name;
    const void *bytes;
    socklen_t size;
    int family;
};

static int host_call(const struct host_query *q, struct hostent *entry,
                     char *buf, size_t len, struct hostent **found,
                     int *herr)
{
    if (q->name != NULL)
        return gethostbyname2_r(q->name, q->family, entry, buf, len, found,
                                herr);
    return gethostbyaddr_r(q->bytes, q->size, q->family, entry, buf, len,
                           found, herr);
}

static int host_query_run(const struct host_query *q, skt_hostent **out)
{
    struct hostent entry, *found = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc, herr = 0;

    do {
        buf = grow_scratch(buf, &len);
        if (buf == NULL)
            return skt__fail(-ENOMEM, "%s \"%s\"", q->op, q->subject);
        rc = host_call(q, &entry, buf, len, &found, &herr);
    } while (rc == ERANGE);
    if (found != NULL)
        rc = copy_hostent(found, out, q->op);
    else
        rc = skt__fail(host_error_code(rc, herr), "%s \"%s\"", q->op,
                       q->subject);
    free(buf);
    return rc;
}

int skt_gethostbyname(const char *name, char *out, size_t outlen)
{
    char text[INET_ADDRSTRLEN];
    skt_addr addr;
    int rc;

    if (name == NULL)
        return skt__null_argument("gethostbyname", "name");
    if (out == NULL)
        return skt__null_argument("gethostbyname", "out");
    /* As in CPython, the answer is the first IPv4 result of getaddrinfo,
     * which honours /etc/gai.conf, rather than gethostbyname's order. */
    rc = resolve_first(name, AF_INET, &addr, "gethostbyname");
    if (rc < 0)
        return rc;
    inet_ntop(AF_INET, &addr.u.in4.sin_addr, text, sizeof text);
    rc = skt__copy_out(text, out, outlen, "gethostbyname");
    return rc < 0 ? rc : 0;
}

int skt_gethostbyname_ex(const char *name, skt_hostent **out)
{
    struct host_query q = {.op = "gethostbyname_ex", .subject = name,
                           .name = name, .family = AF_INET};
    skt_addr addr;
    int rc;

    if (name == NULL)
        return skt__null_argument("gethostbyname_ex", "name");
    if (out == NULL)
        return skt__null_argument("gethostbyname_ex", "out");
    *out = NULL;
    /* CPython resolves the name first, so an unknown name or an IPv6
     * literal fails with getaddrinfo's error, before gethostbyname_r. */
    rc = resolve_first(name, AF_INET, &addr, "gethostbyname_ex");
    if (rc < 0)
        return rc;
    return host_query_run(&q, out);
}

int skt_gethostbyaddr(const char *ip, skt_hostent **out)
{
    struct host_query q = {.op = "gethostbyaddr", .subject = ip};
    skt_addr addr;
    int rc;

    if (ip == NULL)
        return skt__null_argument("gethostbyaddr", "ip");
    if (out == NULL)
        return skt__null_argument("gethostbyaddr", "out");
    *out = NULL;
    rc = resolve_first(ip, AF_UNSPEC, &addr, "gethostbyaddr");
    if (rc < 0)
        return rc;
    q.family = skt_addr_family(&addr);
    rc = skt__family_size(q.family, "gethostbyaddr");
    if (rc < 0)
        return rc;
    q.size = (socklen_t)rc;
    if (q.family == AF_INET)
        q.bytes = &addr.u.in4.sin_addr;
    else
        q.bytes = &addr.u.in6.sin6_addr;
    return host_query_run(&q, out);
}

/* Python's str.strip() whitespace, for the ASCII range. */
static bool is_python_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int dup_hostname(char **subject)
{
    char name[HOST_NAME_MAX + 1];
    int rc = skt_gethostname(name, sizeof name);

    if (rc < 0)
        return rc;
    *subject = strdup(name);
    return *subject != NULL ? 0 : skt__fail(-ENOMEM, "getfqdn");
}

/* The name getfqdn works on: name stripped, or this host's name for "",
 * "0.0.0.0" and "::", as in Python's Lib/socket.py. */
static int fqdn_subject(const char *name, char **subject)
{
    const char *start = name != NULL ? name : "";
    size_t len;

    while (is_python_space(*start))
        start++;
    len = strlen(start);
    while (len > 0 && is_python_space(start[len - 1]))
        len--;
    if (len == 0 || (len == 7 && memcmp(start, "0.0.0.0", 7) == 0) ||
        (len == 2 && memcmp(start, "::", 2) == 0))
        return dup_hostname(subject);
    *subject = strndup(start, len);
    return *subject != NULL ? 0 : skt__fail(-ENOMEM, "getfqdn");
}

/* Python's choice: the first of the name and its aliases holding a dot,
 * else the name gethostbyaddr gave (not the one asked about). */
static const char *fqdn_pick(const skt_hostent *h)
{
    if (strchr(h->name, '.') != NULL)
        return h->name;
    for (size_t i = 0; h->aliases[i] != NULL; i++)
        if (strchr(h->aliases[i], '.') != NULL)
            return h->aliases[i];
    return h->name;
}

int skt_getfqdn(const char *name, char *out, size_t outlen)
{
    skt_hostent *entry = NULL;
    char *subject = NULL;
    int rc;

    if (out == NULL)
        return skt__null_argument("getfqdn", "out");
    rc = fqdn_subject(name, &subject);
    if (rc < 0)
        return rc;
    /* Python catches OSError only: a lookup failure falls back to the
     * name, but running out of memory is still reported. */
    rc = skt_gethostbyaddr(subject, &entry);
    if (rc == 0)
        rc = skt__copy_out(fqdn_pick(entry), out, outlen, "getfqdn");
    else if (rc != -ENOMEM)
        rc = skt__copy_out(subject, out, outlen, "getfqdn");
    skt_freehostent(entry);
    free(subject);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Host name, services, protocols                                           */
/* ------------------------------------------------------------------------ */

int skt_gethostname(char *out, size_t outlen)
{
    char name[HOST_NAME_MAX + 1];

    if (out == NULL)
        return skt__null_argument("gethostname", "out");
    if (gethostname(name, sizeof name) < 0)
        return skt__fail(skt__errno_code(EIO), "gethostname");
    name[sizeof name - 1] = '\0';
    return skt__copy_out(name, out, outlen, "gethostname");
}

int skt_sethostname(const char *name)
{
    if (name == NULL)
        return skt__null_argument("sethostname", "name");
    if (sethostname(name, strlen(name)) < 0)
        return skt__fail(skt__errno_code(EIO), "sethostname \"%s\"", name);
    return 0;
}

int skt_getservbyname(const char *name, const char *proto)
{
    struct servent entry, *found = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (name == NULL)
        return skt__null_argument("getservbyname", "name");
    do {
        buf = grow_scratch(buf, &len);
        if (buf == NULL)
            return skt__fail(-ENOMEM, "getservbyname \"%s\"", name);
        rc = getservbyname_r(name, proto, &entry, buf, len, &found);
    } while (rc == ERANGE);
    if (found != NULL)
        rc = ntohs((uint16_t)found->s_port);
    else
        rc = skt__fail(SKT_EAI_SERVICE, "getservbyname \"%s\" for %s", name,
                       proto != NULL ? proto : "any protocol");
    free(buf);
    return rc;
}

int skt_getservbyport(int port, const char *proto, char *out, size_t outlen)
{
    struct servent entry, *found = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (out == NULL)
        return skt__null_argument("getservbyport", "out");
    if (port < 0 || port > SKT__PORT_MAX)
        return skt__fail(SKT_EPORTRANGE, "getservbyport %d", port);
    do {
        buf = grow_scratch(buf, &len);
        if (buf == NULL)
            return skt__fail(-ENOMEM, "getservbyport %d", port);
        rc = getservbyport_r((int)htons((uint16_t)port), proto, &entry, buf,
                             len, &found);
    } while (rc == ERANGE);
    if (found != NULL)
        rc = skt__copy_out(found->s_name, out, outlen, "getservbyport");
    else
        rc = skt__fail(SKT_EAI_SERVICE, "getservbyport %d for %s", port,
                       proto != NULL ? proto : "any protocol");
    free(buf);
    return rc;
}

int skt_getprotobyname(const char *name)
{
    struct protoent entry, *found = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (name == NULL)
        return skt__null_argument("getprotobyname", "name");
    do {
        buf = grow_scratch(buf, &len);
        if (buf == NULL)
            return skt__fail(-ENOMEM, "getprotobyname \"%s\"", name);
        rc = getprotobyname_r(name, &entry, buf, len, &found);
    } while (rc == ERANGE);
    if (found != NULL)
        rc = found->p_proto;
    else
        rc = skt__fail(-ENOPROTOOPT, "getprotobyname \"%s\"", name);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Dual-stack                                                               */
/* ------------------------------------------------------------------------ */

bool skt_has_dualstack_ipv6(void)
{
    int off = 0, fd;
    bool cleared;

    /* Python's test: an IPv6 stream socket whose IPV6_V6ONLY can be
     * turned off. skt__sys_socket adds SOCK_CLOEXEC. */
    fd = skt__sys_socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    cleared = skt__sys_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
                                  sizeof off) == 0;
    skt__sys_close(fd);
    return cleared;
}
