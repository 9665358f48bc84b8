/*
 * sys_int.h - what the system-call files share (sys.c and the platform's
 * sys_<platform>.c): the fault point and the -errno conversion.
 */
#ifndef SKT_SYS_INT_H
#define SKT_SYS_INT_H

#include "internal.h"

#include <errno.h>

#define FAULT_POINT(op, short_len)                                            \
    (SKT__UNLIKELY(__atomic_load_n(&skt__faults_armed, __ATOMIC_ACQUIRE))     \
         ? skt__sys_take_fault(op, short_len)                                 \
         : 0)

static inline int result(int r)
{
    return r < 0 ? -errno : r;
}

static inline ssize_t result_size(ssize_t r)
{
    return r < 0 ? -errno : r;
}

#endif
