/*
 * common.c - helpers for the benchmarks.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skt.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *values, size_t count)
{
    qsort(values, count, sizeof *values, compare);
    if (count % 2 == 1)
        return values[count / 2];
    return (values[count / 2 - 1] + values[count / 2]) / 2;
}

double bench_python(const char *script, const char *args)
{
    char cmd[1024];
    double value = -1;
    FILE *p;

    snprintf(cmd, sizeof cmd, "python3 %s/bench/%s %s 2>/dev/null",
             SKT_SOURCE_DIR, script, args);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    if (fscanf(p, "%lf", &value) != 1)
        value = -1;
    if (pclose(p) != 0)
        value = -1;
    return value;
}

void bench_check(long rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bench: %s failed: %s (%s)\n", what,
                skt_strerror((int)rc), skt_error_detail());
        exit(1);
    }
}

int bench_fd(const skt_socket *s)
{
    skt_os_socket fd = SKT_INVALID_SOCKET;

    bench_check(skt_fileno(s, &fd), "skt_fileno");
    return fd;
}
