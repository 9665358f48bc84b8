/*
 * listen.c - create_server and create_datagram_server, as Python's
 * socket.create_server: the address looked up (numeric or local names),
 * the options set before bind, and failures that name the address.
 */
#include "internal.h"

#include <netdb.h>
#include <string.h>

static int server_family(const char *host, const skt_server_opts *opts)
{
    if (opts->dualstack && opts->family != 0 && opts->family != AF_INET6)
        return skt__fail_raw(-EINVAL, "create_server: dualstack needs "
                             "AF_INET6, not family %d", opts->family);
    if (opts->family != 0)
        return opts->family;
    if (opts->dualstack)
        return AF_INET6;
    return host == NULL || *host == '\0' ? AF_INET : 0;
}

/* The address to bind: the first the host resolves to (AI_PASSIVE, so an
 * empty host means every interface). */
static int server_address(const char *host, const char *port, int family,
                          int type, skt_addr *a)
{
    struct addrinfo hints = {0}, *found = NULL;
    int rc;

    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_flags = AI_PASSIVE;
    if (host != NULL && *host == '\0')
        host = NULL;
    rc = skt__getaddrinfo_deadline(host, port ? port : "0", &hints,
                                   SKT__NEVER, &found);
    if (rc < 0)
        return skt__fail(rc, "create_server: getaddrinfo \"%s\" port "
                         "\"%s\"", host ? host : "", port ? port : "0");
    rc = skt_addr_from_sockaddr(a, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return rc;
}

static int set_server_options(skt_socket *s, int type,
                              const skt_server_opts *opts)
{
    int rc = 0;

    if (type == SOCK_STREAM)
        rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0 && opts->reuse_port &&
        skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
        rc = skt__fail(-EOPNOTSUPP, "create_server: SO_REUSEPORT");
    if (rc == 0 && skt_family(s) == AF_INET6) {
        /* Set either way, so the system's default (a sysctl) never
         * decides; where it cannot be cleared, dualstack is refused. */
        rc = skt_setsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY,
                                !opts->dualstack);
        if (rc < 0 && opts->dualstack)
            rc = skt__fail(-EOPNOTSUPP, "create_server: dualstack "
                           "(IPV6_V6ONLY=0) is not supported here");
    }
    return rc;
}

static int open_server(skt_socket **out, const char *host, const char *port,
                       int type, const skt_server_opts *opts)
{
    static const skt_server_opts defaults;
    skt_addr a;
    int family, rc;

    opts = opts != NULL ? opts : &defaults;
    if ((rc = SKT__CHECK_RESERVED(opts, "create_server: options")) < 0)
        return rc;
    if ((family = server_family(host, opts)) < 0)
        return family;
    if ((rc = server_address(host, port, family, type, &a)) < 0)
        return rc;
    if ((rc = skt_open(out, skt_addr_family(&a), type, 0)) < 0)
        return rc;
    rc = set_server_options(*out, type, opts);
    if (rc == 0 && (rc = skt_bind(*out, &a)) < 0)
        skt__fail_addr(rc, "create_server: bind to", &a);
    if (rc == 0 && type == SOCK_STREAM)
        rc = skt_listen(*out, opts->backlog > 0 ? opts->backlog
                                                : SKT_DEFAULT_BACKLOG);
    if (rc < 0) {
        skt_close(*out);
        *out = NULL;
    }
    return rc;
}

int skt_create_server(skt_socket **out, const char *host, const char *port,
                      const skt_server_opts *opts)
{
    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    return open_server(out, host, port, SOCK_STREAM, opts);
}

int skt_create_datagram_server(skt_socket **out, const char *host,
                               const char *port, const skt_server_opts *opts)
{
    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    return open_server(out, host, port, SOCK_DGRAM, opts);
}
