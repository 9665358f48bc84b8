/*
 * addr_family.h - what the address files share and the rest of the
 * library does not see: addr.c (the dispatch by family, the raw
 * "family:N:HEX" form, refusals), addr_ip.c (IPv4 and IPv6), addr_unix.c
 * (Unix paths and abstract names), and the platform's file for its own
 * families (addr_linux.c: netlink, packet, vsock, CAN, ALG, TIPC), which
 * another platform would replace with its own file behind the same four
 * skt__addr_ext_* functions.
 */
#ifndef SKT_ADDR_FAMILY_H
#define SKT_ADDR_FAMILY_H

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Shared by every address file (addr.c)                                    */
/* ------------------------------------------------------------------------ */

/* What skt__addr_ext_parse returns for text that is none of its forms. */
#define SKT__ADDR_NOT_MINE 1

/*
 * Records why text was refused (the detail quotes the text) and returns
 * code. Defined in addr.c, so that every refusal reads the same.
 */
SKT__HIDDEN int skt__addr_refuse(int code, const char *text, const char *why);

static inline bool skt__is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* The value of a hex digit, or -1 for any other character. */
static inline int skt__hex_value(int c)
{
    if (skt__is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The bytes after sa_family, reached without indexing a short array. */
static inline unsigned char *skt__addr_bytes(skt_addr *a)
{
    return (unsigned char *)&a->u + sizeof(sa_family_t);
}

static inline const unsigned char *skt__addr_bytes_const(const skt_addr *a)
{
    return (const unsigned char *)&a->u + sizeof(sa_family_t);
}

/* Text being formatted; len past the buffer marks an overflow. */
struct skt__addr_out {
    char buf[SKT_ADDRSTRLEN];
    size_t len;
};

/* Appends to the text; once it overflows, nothing more is written. */
SKT__HIDDEN void skt__addr_putf(struct skt__addr_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* IPv4 and IPv6 (addr_ip.c)                                                */
/* ------------------------------------------------------------------------ */

/*
 * Parse the whole of text ("1.2.3.4:80"; "[v6]:port" or "[v6%scope]:port",
 * text starting with "[") into *a. Return 0, or a negative code with the
 * detail set; on failure *a may hold partial bytes: the caller empties it.
 */
SKT__HIDDEN int skt__addr_parse_ipv4(skt_addr *a, const char *text);
SKT__HIDDEN int skt__addr_parse_ipv6(skt_addr *a, const char *text);

/*
 * Builds an IP address from a host without brackets (IPv6 if it holds a
 * colon, with an optional "%scope") and a port, as skt_addr_from_ip
 * documents. *a must be zero; on failure it may hold partial bytes.
 */
SKT__HIDDEN int skt__addr_build_ip(skt_addr *a, const char *host, int port);

/* Write "1.2.3.4:80" and "[v6%scope]:80". */
SKT__HIDDEN void skt__addr_format_ipv4(struct skt__addr_out *o,
                                       const struct sockaddr_in *in4);
SKT__HIDDEN void skt__addr_format_ipv6(struct skt__addr_out *o,
                                       const struct sockaddr_in6 *in6);

/* ------------------------------------------------------------------------ */
/* Unix paths and abstract names (addr_unix.c)                              */
/* ------------------------------------------------------------------------ */

/* Parses name, what follows "unix:" in text: nothing, "@abstract" or a
 * path, with "\\" and "\xHH" escapes. Returns 0 or a negative code. */
SKT__HIDDEN int skt__addr_parse_unix(skt_addr *a, const char *name,
                                     const char *text);

/*
 * Builds a Unix address from len bytes of name, as skt_addr_from_unix
 * documents, after the caller has checked a and name for NULL and zeroed
 * *a. Returns 0, -ENAMETOOLONG or -EINVAL, with the detail set.
 */
SKT__HIDDEN int skt__addr_build_unix(skt_addr *a, const void *name,
                                     size_t len, bool abstract);

/* Writes "unix:", "unix:@name" or "unix:path" for a valid Unix address. */
SKT__HIDDEN void skt__addr_format_unix(struct skt__addr_out *o,
                                       const skt_addr *a);

/* The length a valid Unix address compares at: a path is cut at its first
 * NUL (which is counted, when there is room for it). */
SKT__HIDDEN socklen_t skt__addr_unix_length(const skt_addr *a);

/*
 * The length of a sockaddr as the kernel reported it, less the NUL Linux
 * counts past the end of a Unix path that fills sun_path. Other addresses
 * keep len.
 */
SKT__HIDDEN socklen_t skt__addr_unix_trim(const struct sockaddr *sa,
                                          socklen_t len);

/* ------------------------------------------------------------------------ */
/* The platform's own families (addr_linux.c, addr_posix.c)                */
/* ------------------------------------------------------------------------ */

/*
 * Parses text if it starts with the prefix of one of the families
 * ("netlink:", "packet:", ...). Returns SKT__ADDR_NOT_MINE when it does
 * not, 0 when it parsed, or a negative code with the detail set. On
 * failure *a may hold partial bytes: the caller empties it.
 */
SKT__HIDDEN int skt__addr_ext_parse(skt_addr *a, const char *text);

/*
 * Writes the family's own text for a into buf (size len) and returns its
 * length, which may be len or more: the text was then cut and the caller
 * reports truncation. Returns -EAFNOSUPPORT when the family has no form of
 * its own, or when these bytes hold something the form cannot carry (the
 * caller then writes "family:N:HEX", so that nothing is lost).
 */
SKT__HIDDEN int skt__addr_ext_format(const skt_addr *a, char *buf,
                                     size_t len);

/*
 * Brings an address the kernel or a caller handed over to the one length
 * the family compares at: a packet address of 18 bytes (what getsockname
 * gives) is padded with zeros to a whole sockaddr_ll, longer ones are cut.
 * Addresses too short for their family, and other families, are left as
 * they are (they then format as "family:N:HEX").
 */
SKT__HIDDEN void skt__addr_ext_normalize(skt_addr *a);

/*
 * Whether the platform has abstract Unix names ("unix:@name"): 0 where it
 * does (Linux), else -EAFNOSUPPORT with a detail quoting text (NULL: an
 * address being built, not parsed).
 */
SKT__HIDDEN int skt__addr_ext_abstract(const char *text);

#endif /* SKT_ADDR_FAMILY_H */
