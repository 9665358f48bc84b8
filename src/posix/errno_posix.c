/*
 * errno_posix.c - the C library's words for an errno value, for
 * skt_strerror and skt_errname, with POSIX alone: the description from
 * strerror_r into a buffer of the calling thread; no name (POSIX has no
 * call for it), so skt_errname knows the names of its own table only.
 */
#include "internal.h"

#include <string.h>

/* Long enough for every description a C library writes. */
#define TEXT_MAX 128

const char *skt__errno_text(int e)
{
    static _Thread_local char text[TEXT_MAX];

    return strerror_r(e, text, sizeof text) == 0 ? text : NULL;
}

const char *skt__errno_name(int e)
{
    (void)e;
    return NULL;
}
