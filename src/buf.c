/*
 * buf.c - the bottom layer's memory helpers: a growable byte queue (struct
 * skt__buf) that streams, frame and protocol decoders and the event
 * server's output share, skt__grow for arrays that only grow, and
 * memmem and asprintf for every platform. They call nothing of the
 * library, so every layer may use them.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first capacity of a byte queue: one page. */
#define BUF_FIRST_CAP 4096

/* Moves the bytes to the front, so that all free space is after them. */
void skt__buf_compact(struct skt__buf *b)
{
    size_t len = skt__buf_len(b);

    if (b->start == 0)
        return;
    if (len > 0)
        memmove(b->data, b->data + b->start, len);
    b->start = 0;
    b->end = len;
}

/* Gives the buffer a capacity of exactly cap >= its length. */
int skt__buf_resize(struct skt__buf *b, size_t cap)
{
    char *data;

    skt__buf_compact(b);
    data = realloc(b->data, cap);
    if (data == NULL)
        return -ENOMEM;
    b->data = data;
    b->cap = cap;
    return 0;
}

int skt__buf_reserve(struct skt__buf *b, size_t room)
{
    size_t len = skt__buf_len(b);
    size_t cap;

    if (b->cap - b->end >= room)
        return 0;
    if (room > SIZE_MAX / 2 - len)
        return -ENOMEM;
    if (b->cap - len >= room) {
        skt__buf_compact(b);
        return 0;
    }
    /* Doubling keeps the cost of appending linear in the bytes added. */
    cap = b->cap < BUF_FIRST_CAP ? BUF_FIRST_CAP : b->cap;
    while (cap < len + room)
        cap *= 2;
    return skt__buf_resize(b, cap);
}

int skt__buf_append(struct skt__buf *b, const void *p, size_t len)
{
    int rc;

    if (len == 0)
        return 0;
    rc = skt__buf_reserve(b, len);
    if (rc < 0)
        return rc;
    memcpy(b->data + b->end, p, len);
    b->end += len;
    return 0;
}

void skt__buf_free(struct skt__buf *b)
{
    free(b->data);
    *b = (struct skt__buf){0};
}

/*
 * Arrays that only grow (the selector's slots and ready list) double from
 * 16 entries, or jump to `want` where doubling would overflow an int.
 */
int skt__grow(void **array, int *cap, int want, size_t size)
{
    int cap_new = *cap > 0 ? *cap : 16;
    void *grown;

    if (want <= *cap)
        return 0;
    while (cap_new < want)
        cap_new = cap_new > INT_MAX / 2 ? want : cap_new * 2;
    grown = realloc(*array, (size_t)cap_new * size);
    if (grown == NULL)
        return -ENOMEM;
    *array = grown;
    *cap = cap_new;
    return 0;
}

/*
 * The byte and string helpers that POSIX lacks and GNU's C library shows
 * only under _GNU_SOURCE (memmem, asprintf), written once for every
 * platform.
 */
const void *skt__memmem(const void *haystack, size_t len, const void *needle,
                        size_t needle_len)
{
    const unsigned char *p = haystack, *end = p + len, *first;
    unsigned char head;

    if (needle_len == 0)
        return haystack;
    head = *(const unsigned char *)needle;
    while ((size_t)(end - p) >= needle_len &&
           (first = memchr(p, head, (size_t)(end - p) - needle_len + 1)) !=
               NULL) {
        if (memcmp(first, needle, needle_len) == 0)
            return first;
        p = first + 1;
    }
    return NULL;
}

char *skt__aprintf(const char *fmt, ...)
{
    va_list ap;
    char *text;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (text = malloc((size_t)n + 1)) == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return text;
}
