/*
 * resolve.c - skt resolve NAME [PORT]: the system resolver's answer in its
 * own order (the order create_connection starts from), one line per
 * address, then the time the lookup took:
 *
 *     IPv6  stream  [::1]:80
 *     IPv4  stream  127.0.0.1:80
 *     resolved localhost in 0.212 ms
 *
 * Without PORT the addresses have none. -4/-6 pick a family, -u datagram
 * answers, -n numeric input only, --canon adds the canonical name, and -w
 * bounds the lookup (exit status 4 when it expires).
 */
#include "tool.h"

#include <string.h>

static const char *family_name(int family)
{
    return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "?";
}

static const char *type_name(int type)
{
    switch (type) {
    case SOCK_STREAM:
        return "stream";
    case SOCK_DGRAM:
        return "dgram";
    case SOCK_RAW:
        return "raw";
    case SOCK_SEQPACKET:
        return "seqpacket";
    default:
        return "?";
    }
}

/* The address with its port when PORT was given, else the host alone. */
static const char *address(const struct config *c, const skt_addr *a,
                           char *buf, size_t len)
{
    if (c->port != NULL)
        return addr_text(a, buf, len);
    if (skt_getnameinfo(a, NI_NUMERICHOST | NI_NUMERICSERV, 0, buf, len,
                        NULL, 0) < 0)
        snprintf(buf, len, "?");
    return buf;
}

static void print_answer(const struct config *c, const skt_addrinfo *res)
{
    const char *canon = res->canonname;
    char where[SKT_ADDRSTRLEN];

    for (; res != NULL; res = res->next)
        printf("%-5s %-7s %s%s%s\n", family_name(res->family),
               type_name(res->type),
               address(c, &res->addr, where, sizeof where),
               c->canon ? "  " : "", c->canon && canon ? canon : "");
}

int run_resolve(const struct config *c)
{
    skt_addrinfo hints = {.family = c->family}, *res;
    char buf[256], took[32];
    double start = now_seconds(), elapsed;
    int rc;

    hints.type = c->udp ? SOCK_DGRAM : 0;
    hints.flags = (c->canon ? AI_CANONNAME : 0) |
                  (c->numeric ? AI_NUMERICHOST : 0);
    rc = skt_getaddrinfo(host_unbracketed(c->name, buf, sizeof buf), c->port,
                         &hints, c->wait > 0 ? c->wait : SKT_BLOCKING, &res);
    elapsed = now_seconds() - start;
    if (rc < 0)
        return fail(rc, c->wait > 0);
    print_answer(c, res);
    printf("resolved %s in %s\n", c->name, ms_text(elapsed, took,
                                                   sizeof took));
    skt_freeaddrinfo(res);
    return EXIT_OK;
}
