/*
 * addr_family.h - the small interface between addr.c, which parses and
 * formats IP and Unix addresses and the generic "family:N:HEX" form, and
 * addr_linux.c, which gives the Linux families (netlink, packet, vsock,
 * CAN, ALG, TIPC) text forms of their own. Another platform would bring
 * its own file behind the same four functions.
 */
#ifndef SKT_ADDR_FAMILY_H
#define SKT_ADDR_FAMILY_H

#include "internal.h"

/* What skt__addr_ext_parse returns for text that is none of its forms. */
#define SKT__ADDR_NOT_MINE 1

/*
 * Records why text was refused (the detail quotes the text) and returns
 * code. Defined in addr.c, so that every refusal reads the same.
 */
SKT__HIDDEN int skt__addr_refuse(int code, const char *text, const char *why);

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

#endif /* SKT_ADDR_FAMILY_H */
