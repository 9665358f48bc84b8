/*
 * hexdump.c - the transformations of the data itself: -x's hex dump of
 * each direction on stderr, in xxd's layout with the direction in front,
 *
 *     > 00000000: 4745 5420 2f20 4854 5450 2f31 2e30 0d0a  GET / HTTP/1.0..
 *
 * and -C's LF to CRLF.
 */
#include "tool.h"

#include <ctype.h>
#include <string.h>

/* One line of at most 16 bytes. */
static void dump_line(char direction, const unsigned char *p, size_t n,
                      uint64_t offset)
{
    char hex[41], text[17];
    size_t used = 0;

    for (size_t i = 0; i < 16; i++) {
        if (i < n)
            used += (size_t)snprintf(hex + used, sizeof hex - used, "%02x",
                                     p[i]);
        else
            used += (size_t)snprintf(hex + used, sizeof hex - used, "  ");
        if (i % 2 == 1)
            hex[used++] = ' ';
        text[i] = i < n ? (isprint(p[i]) ? (char)p[i] : '.') : '\0';
    }
    hex[used] = '\0';
    text[16] = '\0';
    fprintf(stderr, "%c %08llx: %s %s\n", direction,
            (unsigned long long)offset, hex, text);
}

void hex_dump(char direction, const void *buf, size_t len,
              uint64_t *offset)
{
    const unsigned char *p = buf;

    for (size_t done = 0; done < len; done += 16) {
        size_t n = len - done < 16 ? len - done : 16;
        dump_line(direction, p + done, n, *offset);
        *offset += n;
    }
}

size_t crlf_expand(const char *in, size_t len, char *out, bool *last_cr)
{
    size_t used = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && !*last_cr)
            out[used++] = '\r';
        out[used++] = in[i];
        *last_cr = in[i] == '\r';
    }
    return used;
}
