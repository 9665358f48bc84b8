/*
 * addr_unix.c - the Unix forms of skt_addr: "unix:" (unnamed),
 * "unix:/path" and "unix:@abstract", with the escapes ("\\", "\xHH") that
 * let text carry any byte, and the lengths Linux gives Unix addresses.
 *
 * A path and an abstract name are both stored as the kernel reports them:
 * the offset of sun_path, one NUL (after a path, before an abstract name)
 * and the name, so that an address parsed from text compares equal to the
 * one getsockname returns.
 */
#include "addr_family.h"

#include <errno.h>
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

/* Refuses a name over its limit, naming the limit. */
static int too_long(const char *text, const char *what, size_t max)
{
    char why[64];

    snprintf(why, sizeof why, "%s holds at most %zu bytes", what, max);
    return skt__addr_refuse(-ENAMETOOLONG, text, why);
}

/* ------------------------------------------------------------------------ */
/* Parsing and building                                                     */
/* ------------------------------------------------------------------------ */

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
    memcpy(skt__addr_bytes(a) + abstract, name, len);
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
    if (p[0] == 'x' && skt__hex_value(p[1]) >= 0 &&
        skt__hex_value(p[2]) >= 0) {
        *text = p + 3;
        return skt__hex_value(p[1]) * 16 + skt__hex_value(p[2]);
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

int skt__addr_parse_unix(skt_addr *a, const char *name, const char *text)
{
    bool abstract = name[0] == '@';
    unsigned char bytes[UNIX_PATH_MAX];
    size_t len;
    int rc = abstract ? skt__addr_ext_abstract(text) : 0;

    if (rc < 0)
        return rc;
    if (unescape(name + abstract, bytes, sizeof bytes, &len) < 0)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "a backslash must start \"\\\\\" or "
                                "\"\\xHH\"");
    if (abstract && len > UNIX_NAME_MAX)
        return too_long(text, "an abstract Unix name", UNIX_NAME_MAX);
    if (len > UNIX_PATH_MAX)
        return too_long(text, "a Unix path", UNIX_PATH_MAX);
    if (!abstract && memchr(bytes, '\0', len) != NULL)
        return skt__addr_refuse(SKT_EADDRSYNTAX, text,
                                "a Unix path cannot hold a NUL byte");
    store_unix(a, bytes, len, abstract);
    return 0;
}

int skt__addr_build_unix(skt_addr *a, const void *name, size_t len,
                         bool abstract)
{
    int rc = abstract && len > 0 ? skt__addr_ext_abstract(NULL) : 0;

    if (rc < 0)
        return rc;
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

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Writes name bytes, escaping those text cannot carry. A path starting
 * with "@" is escaped too, or it would read back as an abstract name.
 */
static void put_escaped(struct skt__addr_out *o, const unsigned char *name,
                        size_t len, bool path)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = name[i];

        if (c == '\\')
            skt__addr_putf(o, "\\\\");
        else if (c < 0x20 || c == 0x7f || (path && i == 0 && c == '@'))
            skt__addr_putf(o, "\\x%02x", c);
        else
            skt__addr_putf(o, "%c", c);
    }
}

void skt__addr_format_unix(struct skt__addr_out *o, const skt_addr *a)
{
    const unsigned char *name = skt__addr_bytes_const(a);
    size_t size = a->len - UNIX_PATH_OFFSET;

    skt__addr_putf(o, "unix:");
    if (size == 0)
        return;
    if (name[0] == '\0') {
        skt__addr_putf(o, "@");
        put_escaped(o, name + 1, size - 1, false);
        return;
    }
    /* A path ends at its NUL when the length counts one. */
    put_escaped(o, name, strnlen((const char *)name, size), true);
}

/* ------------------------------------------------------------------------ */
/* Lengths                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Cutting a path at its first NUL makes a sockaddr passed with a generous
 * length compare equal to the same address parsed from text. Unnamed and
 * abstract addresses keep their length: every byte of an abstract name
 * counts, NULs included.
 */
socklen_t skt__addr_unix_length(const skt_addr *a)
{
    const unsigned char *path = skt__addr_bytes_const(a);
    size_t size = a->len - UNIX_PATH_OFFSET;
    size_t n;

    if (size == 0 || path[0] == '\0')
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
socklen_t skt__addr_unix_trim(const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_UNIX && len == sizeof(struct sockaddr_un) + 1 &&
        ((const char *)sa)[sizeof(struct sockaddr_un)] == '\0')
        return sizeof(struct sockaddr_un);
    return len;
}
