/*
 * errno_linux.c - the C library's words for an errno value, for
 * skt_strerror and skt_errname: glibc's static descriptions and names
 * (strerrordesc_np, strerrorname_np), which need no buffer and are
 * thread-safe.
 */
#include "internal.h"

#include <string.h>

const char *skt__errno_text(int e)
{
    return strerrordesc_np(e);
}

const char *skt__errno_name(int e)
{
    return strerrorname_np(e);
}
