/*
 * inet.c - Python's inet_aton, inet_ntoa, inet_pton and inet_ntop: raw
 * IPv4 and IPv6 addresses to text and back, numerically (never a lookup).
 *
 * It also holds the helpers that every module function of Python's socket
 * module shares (here, in iface.c and in the resolver's netdb.c): the
 * NULL-argument refusal, the errno of a failed libc call, the size of a
 * family's raw address, and the whole-or-nothing copy of a result into the
 * caller's buffer, which gives SKT_ETRUNCATED rather than a cut name.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers of the module functions                                          */
/* ------------------------------------------------------------------------ */

int skt__null_argument(const char *op, const char *what)
{
    return skt__fail_raw(-EINVAL, "%s: %s must not be NULL", op, what);
}

int skt__errno_code(int fallback)
{
    return errno > 0 ? -errno : -fallback;
}

/* A short buffer never yields a plausible but cut name. */
int skt__copy_out(const char *text, char *out, size_t outlen,
                  const char *op)
{
    size_t len = strlen(text);

    if (len >= outlen) {
        if (outlen > 0)
            out[0] = '\0';
        return skt__fail(SKT_ETRUNCATED,
                         "%s needs a buffer of %zu bytes, not %zu", op,
                         len + 1, outlen);
    }
    memcpy(out, text, len + 1);
    return (int)len;
}

int skt__family_size(int family, const char *op)
{
    if (family == AF_INET)
        return (int)sizeof(struct in_addr);
    if (family == AF_INET6)
        return (int)sizeof(struct in6_addr);
    return skt__fail(-EAFNOSUPPORT, "%s: family %d is not AF_INET or "
                     "AF_INET6", op, family);
}

/* ------------------------------------------------------------------------ */
/* inet_aton, inet_ntoa, inet_pton, inet_ntop                               */
/* ------------------------------------------------------------------------ */

int skt_inet_aton(const char *text, struct in_addr *out)
{
    struct in_addr parsed;

    if (text == NULL)
        return skt__null_argument("inet_aton", "text");
    if (out == NULL)
        return skt__null_argument("inet_aton", "out");
    /* Python's inet_aton is libc's, so the legacy forms ("127.1",
     * "0x7f.1", "017.1") and even text after a space are accepted just as
     * Python accepts them. */
    if (inet_aton(text, &parsed) == 0)
        return skt__fail(SKT_EADDRSYNTAX, "inet_aton \"%s\"", text);
    *out = parsed;
    return 0;
}

int skt_inet_ntoa(struct in_addr in, char *out, size_t outlen)
{
    char text[INET_ADDRSTRLEN];

    if (out == NULL)
        return skt__null_argument("inet_ntoa", "out");
    inet_ntop(AF_INET, &in, text, sizeof text);
    return skt__copy_out(text, out, outlen, "inet_ntoa");
}

int skt_inet_pton(int family, const char *text, void *out, size_t outlen)
{
    unsigned char bytes[sizeof(struct in6_addr)];
    int size;

    if (text == NULL)
        return skt__null_argument("inet_pton", "text");
    if (out == NULL)
        return skt__null_argument("inet_pton", "out");
    size = skt__family_size(family, "inet_pton");
    if (size < 0)
        return size;
    if (inet_pton(family, text, bytes) != 1)
        return skt__fail(SKT_EADDRSYNTAX, "inet_pton \"%s\"", text);
    if (outlen < (size_t)size)
        return skt__fail(SKT_ETRUNCATED, "inet_pton needs %d bytes, not %zu",
                         size, outlen);
    memcpy(out, bytes, (size_t)size);
    return size;
}

int skt_inet_ntop(int family, const void *bytes, size_t len, char *out,
                  size_t outlen)
{
    char text[INET6_ADDRSTRLEN];
    int size;

    if (bytes == NULL)
        return skt__null_argument("inet_ntop", "bytes");
    if (out == NULL)
        return skt__null_argument("inet_ntop", "out");
    size = skt__family_size(family, "inet_ntop");
    if (size < 0)
        return size;
    if (len != (size_t)size)
        return skt__fail_raw(-EINVAL, "inet_ntop: %zu bytes given, the "
                             "family takes %d", len, size);
    if (inet_ntop(family, bytes, text, sizeof text) == NULL)
        return skt__fail(skt__errno_code(EINVAL), "inet_ntop");
    return skt__copy_out(text, out, outlen, "inet_ntop");
}
