/*
 * common.h - what the benchmarks share: the clock, medians, and running a
 * Python reference that prints one number.
 */
#ifndef SKT_BENCH_COMMON_H
#define SKT_BENCH_COMMON_H

#include <stddef.h>

#include "skt.h"

double bench_now(void);
/* Sorts values in place and returns the median. */
double bench_median(double *values, size_t count);
/* Runs a Python script from bench/ with arguments; returns the number it
 * prints on stdout, or -1 when Python is missing or the script fails. */
double bench_python(const char *script, const char *args);
/* Exits with a message if rc is not 0 (the benchmark cannot go on). */
void bench_check(long rc, const char *what);

/* A socket's handle, for the raw reference loops beside skt's. */
int bench_fd(const skt_socket *s);

#endif
