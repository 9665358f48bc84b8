/*
 * echo-many-nolibuv.c - stands in for echo-many-libuv.c where the build
 * found no libuv: bench/echo-many.c then prints why the libuv column is
 * missing instead of measuring it.
 */
#include "echo-many.h"

#include <stdlib.h>

void echo_serve_libuv(int listener, int backlog)
{
    (void)listener, (void)backlog;
    exit(2);
}

const char *echo_libuv_missing(void)
{
    return "pkg-config found no libuv when this was built (Debian: "
           "libuv1-dev, in scripts/install-deps test)";
}
