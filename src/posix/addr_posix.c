/*
 * addr_posix.c - the platform's own address families, behind the
 * interface of addr_family.h: POSIX has none beyond IP and Unix paths.
 * The text forms of Linux's families ("netlink:", "packet:", ...) and
 * abstract Unix names are refused with -EAFNOSUPPORT and a detail that
 * says why, rather than as malformed text; a sockaddr of another family
 * is written in addr.c's raw "family:N:HEX" form.
 */
#include "addr_family.h"

#include <errno.h>
#include <string.h>

/* The prefixes of the families only Linux has (src/linux/addr_linux.c). */
static const char *const linux_forms[] = {
    "netlink:", "packet:", "vsock:", "can:", "alg:", "tipc:",
};

#define LINUX_FORM_COUNT (sizeof linux_forms / sizeof linux_forms[0])

int skt__addr_ext_parse(skt_addr *a, const char *text)
{
    (void)a;
    for (size_t i = 0; i < LINUX_FORM_COUNT; i++)
        if (strncmp(text, linux_forms[i], strlen(linux_forms[i])) == 0)
            return skt__addr_refuse(-EAFNOSUPPORT, text,
                                    "the family is Linux's; this platform "
                                    "has IPv4, IPv6 and Unix paths");
    return SKT__ADDR_NOT_MINE;
}

int skt__addr_ext_format(const skt_addr *a, char *buf, size_t len)
{
    (void)a, (void)buf, (void)len;
    return -EAFNOSUPPORT;
}

void skt__addr_ext_normalize(skt_addr *a)
{
    (void)a;
}

int skt__addr_ext_abstract(const char *text)
{
    if (text != NULL)
        return skt__addr_refuse(-EAFNOSUPPORT, text,
                                "abstract Unix names are Linux's; this "
                                "platform has Unix paths only");
    return skt__fail(-EAFNOSUPPORT, "build an abstract Unix name: this "
                     "platform has Unix paths only");
}
