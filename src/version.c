/*
 * version.c - the version of the library loaded at run time, so that a
 * program can tell it from the header it was built with.
 */
#include "internal.h"

unsigned skt_version(void)
{
    return SKT_VERSION_NUM;
}

const char *skt_version_string(void)
{
    return SKT_VERSION_STRING;
}

const char *skt_platform(void)
{
    return SKT__PLATFORM_NAME;
}
