/*
 * fuzz-addr.c - libFuzzer target for the address parser and formatter,
 * every family included (IP, Unix, the raw form, and the Linux forms of
 * addr_linux.c). Any text that parses must format, and the formatted text
 * must parse back to an equal address that formats to the same text:
 * format is the exact inverse of parse. The same bytes, read as a struct
 * sockaddr, must format too whenever skt_addr_from_sockaddr accepts them,
 * and that text must parse back. A mismatch aborts, which libFuzzer
 * reports as a crash.
 */
#include <skt.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, const char *text)
{
    if (!ok) {
        fprintf(stderr, "fuzz-addr: %s for \"%s\": %s\n", what, text,
                skt_error_detail());
        abort();
    }
}

/* Checks the round trip of an address that parsed from text. */
static void check_round_trip(const skt_addr *a, const char *text)
{
    char first[SKT_ADDRSTRLEN], second[SKT_ADDRSTRLEN];
    skt_addr again;
    int len;

    len = skt_addr_format(a, first, sizeof first);
    check(len > 0 && (size_t)len == strlen(first), "format failed", text);
    check(skt_addr_parse(&again, first) == 0, "reparse failed", first);
    check(skt_addr_equal(a, &again), "reparse differs", first);
    check(again.len == a->len, "reparse length differs", first);
    check(skt_addr_format(&again, second, sizeof second) == len,
          "second format length differs", first);
    check(strcmp(first, second) == 0, "second format differs", first);
}

/*
 * Checks an address the kernel could have handed over: its text must parse
 * back to an equal address, for every family, a Unix path that fills
 * sun_path without a NUL included.
 */
static void check_sockaddr(const uint8_t *data, size_t size)
{
    struct sockaddr_storage ss;
    char text[SKT_ADDRSTRLEN];
    skt_addr a, again;
    int rc;

    if (size > sizeof ss)
        return;
    memcpy(&ss, data, size);
    if (skt_addr_from_sockaddr(&a, (struct sockaddr *)&ss,
                               (socklen_t)size) < 0)
        return;
    check(skt_addr_format(&a, text, sizeof text) > 0,
          "format of a sockaddr failed", "(binary)");
    rc = skt_addr_parse(&again, text);
    check(rc == 0, "reparse of a sockaddr failed", text);
    check(skt_addr_equal(&a, &again), "reparse of a sockaddr differs", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parser takes a C string: an embedded NUL simply ends it. */
    char *text = malloc(size + 1);
    skt_addr a;
    int rc;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rc = skt_addr_parse(&a, text);
    if (rc == 0)
        check_round_trip(&a, text);
    else
        check(a.len == 0 && skt_error_detail()[0] != '\0',
              "failure left an address or no detail", text);
    free(text);
    check_sockaddr(data, size);
    return 0;
}
