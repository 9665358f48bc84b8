/*
 * error.c - the one table of codes (code, name, message) behind
 * skt_strerror and skt_errname, and the thread-local detail sentence.
 *
 * System errors are -errno; their messages come from the C library's
 * static descriptions. Resolver and library codes have their own ranges
 * (see skt.h) and their messages are written here.
 */
#include "internal.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

/* The errno values a socket program meets, by name. */
#define SKT__ERRNO_TABLE(X)                                                   \
    X(EPERM) X(ENOENT) X(EINTR) X(EIO) X(EBADF) X(EAGAIN) X(ENOMEM)           \
    X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) X(ENODEV) X(ENOTDIR) X(EINVAL)     \
    X(ENFILE) X(EMFILE) X(ENOSPC) X(EPIPE) X(ERANGE) X(ENAMETOOLONG)          \
    X(ENOSYS) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE)           \
    X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT) X(EOPNOTSUPP)        \
    X(EPFNOSUPPORT) X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL)            \
    X(ENETDOWN) X(ENETUNREACH) X(ENETRESET) X(ECONNABORTED) X(ECONNRESET)     \
    X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ESHUTDOWN) X(ETIMEDOUT)               \
    X(ECONNREFUSED) X(EHOSTDOWN) X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS)   \
    X(ENXIO) X(E2BIG) X(ESRCH) X(ECHILD) X(ENOTTY) X(EROFS) X(ELOOP)          \
    X(EOVERFLOW) X(EPROTO) X(ENOTSUP) X(ECANCELED) X(ENOKEY) X(EKEYREJECTED)

/*
 * EAI_NODATA and EAI_ADDRFAMILY are not POSIX's: glibc and musl show them
 * only under _GNU_SOURCE, so where the headers hide them they take those
 * libraries' values (the BSDs' EAI_* codes are positive: no clash).
 */
#ifndef EAI_NODATA
#define EAI_NODATA (-5)
#endif
#ifndef EAI_ADDRFAMILY
#define EAI_ADDRFAMILY (-9)
#endif

/* Resolver codes: ours, the EAI_* value they come from, and a message. */
#define SKT__EAI_TABLE(X)                                                     \
    X(SKT_EAI_AGAIN, EAI_AGAIN, "EAI_AGAIN",                                  \
      "Temporary failure in name resolution")                                 \
    X(SKT_EAI_BADFLAGS, EAI_BADFLAGS, "EAI_BADFLAGS",                         \
      "Bad value for ai_flags")                                               \
    X(SKT_EAI_FAIL, EAI_FAIL, "EAI_FAIL",                                     \
      "Non-recoverable failure in name resolution")                           \
    X(SKT_EAI_FAMILY, EAI_FAMILY, "EAI_FAMILY", "ai_family not supported")    \
    X(SKT_EAI_MEMORY, EAI_MEMORY, "EAI_MEMORY", "Memory allocation failure")  \
    X(SKT_EAI_NONAME, EAI_NONAME, "EAI_NONAME",                               \
      "Name or service not known")                                            \
    X(SKT_EAI_SERVICE, EAI_SERVICE, "EAI_SERVICE",                            \
      "Servname not supported for ai_socktype")                               \
    X(SKT_EAI_SOCKTYPE, EAI_SOCKTYPE, "EAI_SOCKTYPE",                         \
      "ai_socktype not supported")                                            \
    X(SKT_EAI_SYSTEM, EAI_SYSTEM, "EAI_SYSTEM", "System error")               \
    X(SKT_EAI_NODATA, EAI_NODATA, "EAI_NODATA",                               \
      "No address associated with hostname")                                  \
    X(SKT_EAI_ADDRFAMILY, EAI_ADDRFAMILY, "EAI_ADDRFAMILY",                   \
      "Address family for hostname not supported")                            \
    X(SKT_EAI_OVERFLOW, EAI_OVERFLOW, "EAI_OVERFLOW",                         \
      "Argument buffer overflow")

/* The library's own codes. */
#define SKT__LIB_TABLE(X)                                                     \
    X(SKT_EEOF, "SKT_EEOF", "Connection closed by the peer before the end "   \
      "of the data")                                                          \
    X(SKT_EADDRSYNTAX, "SKT_EADDRSYNTAX", "Malformed address")                 \
    X(SKT_EADDRNOTNUMERIC, "SKT_EADDRNOTNUMERIC",                             \
      "Host name where a numeric address is required")                        \
    X(SKT_ENOPORT, "SKT_ENOPORT", "Address has no port")                      \
    X(SKT_EPORTRANGE, "SKT_EPORTRANGE", "Port outside 0..65535")              \
    X(SKT_ENOSCOPE, "SKT_ENOSCOPE", "IPv6 scope names no interface")          \
    X(SKT_ELINETOOLONG, "SKT_ELINETOOLONG", "Line longer than the maximum")   \
    X(SKT_EMSGTOOBIG, "SKT_EMSGTOOBIG",                                       \
      "Message larger than the maximum size")                                 \
    X(SKT_EBADHEADER, "SKT_EBADHEADER", "Malformed message header")           \
    X(SKT_ETRUNCATED, "SKT_ETRUNCATED", "Output buffer too small")            \
    X(SKT_EWANTREAD, "SKT_EWANTREAD",                                         \
      "TLS must read before the operation can go on")                         \
    X(SKT_EWANTWRITE, "SKT_EWANTWRITE",                                       \
      "TLS must write before the operation can go on")                        \
    X(SKT_ETLS_HANDSHAKE, "SKT_ETLS_HANDSHAKE", "TLS handshake failed")       \
    X(SKT_ETLS_VERSION, "SKT_ETLS_VERSION",                                   \
      "No TLS version acceptable to both sides")                              \
    X(SKT_ETLS_CERT_EXPIRED, "SKT_ETLS_CERT_EXPIRED",                         \
      "TLS certificate has expired")                                          \
    X(SKT_ETLS_HOSTNAME, "SKT_ETLS_HOSTNAME",                                 \
      "TLS certificate does not match the host name")                         \
    X(SKT_ETLS_UNKNOWN_CA, "SKT_ETLS_UNKNOWN_CA",                             \
      "TLS certificate issued by an unknown CA")                              \
    X(SKT_ETLS_SELF_SIGNED, "SKT_ETLS_SELF_SIGNED",                           \
      "TLS certificate is self-signed and not trusted")                       \
    X(SKT_ETLS_NO_CLIENT_CERT, "SKT_ETLS_NO_CLIENT_CERT",                     \
      "No TLS client certificate where one is required")                      \
    X(SKT_ETLS_CERT_VERIFY, "SKT_ETLS_CERT_VERIFY",                           \
      "TLS certificate verification failed")                                  \
    X(SKT_ETLS_PROTOCOL, "SKT_ETLS_PROTOCOL", "TLS protocol error")           \
    X(SKT_ETLS_CONFIG, "SKT_ETLS_CONFIG", "TLS setting refused by OpenSSL")

struct code_entry {
    int code;
    const char *name;
    const char *message;
};

#define SKT__ERRNO_ENTRY(e) {-(e), #e, NULL},
#define SKT__EAI_ENTRY(code, eai, name, message) {code, name, message},
#define SKT__LIB_ENTRY(code, name, message) {code, name, message},

static const struct code_entry table[] = {
    SKT__ERRNO_TABLE(SKT__ERRNO_ENTRY)
    SKT__EAI_TABLE(SKT__EAI_ENTRY)
    SKT__LIB_TABLE(SKT__LIB_ENTRY)
};

static const struct code_entry *find(int code)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

const char *skt_strerror(int code)
{
    const struct code_entry *e;

    if (code == 0)
        return "Success";
    e = find(code);
    if (e != NULL && e->message != NULL)
        return e->message;
    /* The platform's text is static or thread-local: thread-safe. */
    if (code < 0 && code > SKT_EAI_BASE) {
        const char *text = skt__errno_text(-code);
        if (text != NULL)
            return text;
    }
    return "Unknown error";
}

const char *skt_errname(int code)
{
    const struct code_entry *e;

    if (code == 0)
        return "OK";
    e = find(code);
    if (e != NULL)
        return e->name;
    if (code < 0 && code > SKT_EAI_BASE) {
        const char *name = skt__errno_name(-code);
        if (name != NULL)
            return name;
    }
    return "UNKNOWN";
}

int skt__eai_code(int eai)
{
#define SKT__EAI_CASE(code, value, name, message)                             \
    case value:                                                               \
        return code;
    if (eai == EAI_SYSTEM && errno != 0)
        return -errno;
    switch (eai) {
        SKT__EAI_TABLE(SKT__EAI_CASE)
    default:
        return SKT_EAI_FAIL;
    }
#undef SKT__EAI_CASE
}

/* ------------------------------------------------------------------------ */
/* The detail sentence                                                      */
/* ------------------------------------------------------------------------ */

static _Thread_local char detail[SKT__DETAIL_MAX];

const char *skt_error_detail(void)
{
    return detail;
}

static void set_detail(int code, bool with_message, const char *fmt,
                       va_list ap)
{
    /* errno is saved so that reporting a failure never changes it. */
    int saved = errno;
    int n = vsnprintf(detail, sizeof detail, fmt, ap);

    if (with_message && n >= 0 && (size_t)n < sizeof detail)
        snprintf(detail + n, sizeof detail - (size_t)n, ": %s",
                 skt_strerror(code));
    errno = saved;
}

int skt__fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_detail(code, true, fmt, ap);
    va_end(ap);
    return code;
}

int skt__check_reserved(void *const *reserved, size_t count,
                        const char *what)
{
    for (size_t i = 0; i < count; i++)
        if (reserved[i] != NULL)
            return skt__fail_raw(-EINVAL, "%s: reserved field %zu is not "
                                 "zero (an option this library does not "
                                 "know?)", what, i);
    return 0;
}

void skt__detail_save(struct skt__detail_copy *copy)
{
    memcpy(copy->text, detail, sizeof detail);
}

int skt__detail_restore(const struct skt__detail_copy *copy, int code)
{
    memcpy(detail, copy->text, sizeof detail);
    return code;
}

int skt__fail_raw(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_detail(code, false, fmt, ap);
    va_end(ap);
    return code;
}

/* The public skt__fail_raw, for the libraries and programs built on skt. */
int skt_set_error_detail(int code, const char *fmt, ...)
{
    va_list ap;

    if (fmt == NULL)
        fmt = "";
    va_start(ap, fmt);
    set_detail(code, false, fmt, ap);
    va_end(ap);
    return code;
}
