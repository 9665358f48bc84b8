/*
 * fuzz-app-header.c - libFuzzer target for the application protocol's
 * header parser and decoder. The input is a byte stream fed to a decoder
 * all at once and one byte at a time: both must give the same messages or
 * the same error. A message that decodes must encode again to bytes that
 * decode to the same fields, and the server's response to it and a
 * client's reading of that response must not fail except as documented.
 * The header's JSON is also given straight to a decoder after a valid
 * length prefix, so that the fuzzer reaches the JSON parser at once. A
 * mismatch aborts, which libFuzzer reports.
 */
#include <skt_app.h>

/* The tutorial server's answers, which are the example's. */
#include "app-tutorial.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-app-header: %s (%s)\n", what,
                skt_error_detail());
        abort();
    }
}

static bool same_message(const skt_app_message *x, const skt_app_message *y)
{
    return strcmp(x->byteorder, y->byteorder) == 0 &&
           strcmp(x->content_type, y->content_type) == 0 &&
           strcmp(x->content_encoding, y->content_encoding) == 0 &&
           x->content_length == y->content_length &&
           memcmp(x->content, y->content, x->content_length) == 0;
}

/* Decodes the first message of data fed in pieces of step bytes. Returns
 * 1 and *out, 0 (incomplete) or the error. */
static int decode(const uint8_t *data, size_t size, size_t step,
                  const skt_app_opts *opts, skt_app_message **out)
{
    skt_app_decoder *d;
    int rc = 0;

    *out = NULL;
    check(skt_app_decoder_new(&d, opts) == 0, "decoder_new");
    check(skt_app_decoder_pop(d, out) == 0, "a message from nothing");
    for (size_t off = 0; off < size && rc == 0; off += step) {
        size_t n = size - off < step ? size - off : step;
        check(skt_app_decoder_feed(d, data + off, n) == 0, "feed");
        rc = skt_app_decoder_pop(d, out);
    }
    skt_app_decoder_free(d);
    check(rc == 0 || rc == 1 || rc == SKT_EBADHEADER || rc == SKT_EMSGTOOBIG,
          "unexpected decoder code");
    return rc;
}

/* Encodes m again and checks that it decodes to the same fields. */
static void check_round_trip(const skt_app_message *m)
{
    /* Escapes differ (a raw control byte the parser let through comes
     * back as \u00XX), so the new header may be longer: read it with the
     * protocol's own limit. */
    skt_app_opts opts = {.max_header = 65535};
    skt_app_message *again;
    size_t len;
    void *wire;
    int rc = skt_app_encode(m, &wire, &len);

    check(rc == 0 || rc == SKT_EMSGTOOBIG, "encode of a decoded message");
    if (rc != 0)
        return;
    check(decode(wire, len, len, &opts, &again) == 1,
          "re-encoded does not decode");
    check(same_message(m, again), "round trip changed the message");
    skt_app_message_free(again);
    free(wire);
}

/* Runs the server's and the client's logic on a decoded message. */
static void check_protocol(const skt_app_message *m)
{
    skt_app_message *response;
    char *text;
    size_t len;
    int rc = tutorial_respond(m, &response);

    check(rc == 0 || rc == 1, "respond failed");
    check(skt_app_result(response, &text, &len) == 0,
          "the server's own response does not read");
    free(text);
    skt_app_message_free(response);
    rc = skt_app_result(m, &text, &len);
    check(rc == 0 || rc == -EBADMSG, "result failed");
    if (rc == 0)
        free(text);
}

static void fuzz_stream(const uint8_t *data, size_t size)
{
    skt_app_message *whole, *bytewise;
    int rc_whole = decode(data, size, size ? size : 1, NULL, &whole);
    int rc_bytewise = decode(data, size, 1, NULL, &bytewise);

    check(rc_whole == rc_bytewise, "bytewise and whole codes differ");
    if (rc_whole != 1)
        return;
    check(same_message(whole, bytewise), "bytewise and whole differ");
    check_round_trip(whole);
    check_protocol(whole);
    skt_app_message_free(whole);
    skt_app_message_free(bytewise);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *framed;

    fuzz_stream(data, size);
    if (size > 65535)
        return 0;
    /* The same bytes as a header with a correct length prefix. */
    framed = malloc(size + 2);
    check(framed != NULL, "out of memory");
    framed[0] = (uint8_t)(size >> 8);
    framed[1] = (uint8_t)size;
    memcpy(framed + 2, data, size);
    fuzz_stream(framed, size + 2);
    free(framed);
    return 0;
}
