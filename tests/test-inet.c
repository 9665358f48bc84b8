/*
 * test-inet.c - the inet_* converters (inet_aton, inet_ntoa, inet_pton,
 * inet_ntop): numeric only, compared with Python's answers on this machine
 * where Python has the same call.
 */
#include "netdb-common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* inet_aton, inet_ntoa, inet_pton, inet_ntop                               */
/* ------------------------------------------------------------------------ */

static void test_inet_aton_matches_python(void **state)
{
    static const char *const texts[] = {
        "127.1", "0x7f.1", "1.2.3", "017.1", "1.2.3.4", "4294967295",
        "1.2.3.4 trailing", "", " 1.2.3.4", "1.2.3.256", "1.2.3.4.5",
        "abc", "0x100.1"};
    char list[512], code[1024], expected[1024], got[1024] = "";
    size_t used = 0;
    (void)state;
    python_list(texts, sizeof texts / sizeof texts[0], list, sizeof list);
    snprintf(code, sizeof code,
             "def f(t):\n"
             "  try: return s.inet_aton(t).hex()\n"
             "  except OSError: return 'error'\n"
             "print(' '.join(f(t) for t in %s))", list);
    python_line(code, expected, sizeof expected);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct in_addr in;
        const unsigned char *b = (const unsigned char *)&in;
        int rc = skt_inet_aton(texts[i], &in);
        assert_true(rc == 0 || rc == SKT_EADDRSYNTAX);
        if (rc == 0)
            used += (size_t)snprintf(got + used, sizeof got - used,
                                     "%s%02x%02x%02x%02x", i ? " " : "",
                                     b[0], b[1], b[2], b[3]);
        else
            used += (size_t)snprintf(got + used, sizeof got - used,
                                     "%serror", i ? " " : "");
    }
    assert_string_equal(got, expected);
}

static void test_inet_aton_bad_text_is_eaddrsyntax(void **state)
{
    struct in_addr in = {.s_addr = 0x01020304};
    (void)state;
    assert_int_equal(skt_inet_aton("1.2.3.256", &in), SKT_EADDRSYNTAX);
    assert_int_equal(in.s_addr, 0x01020304);
    assert_true(detail_has("inet_aton \"1.2.3.256\""));
}

static void test_inet_aton_rejects_null(void **state)
{
    struct in_addr in;
    (void)state;
    assert_int_equal(skt_inet_aton(NULL, &in), -EINVAL);
    assert_int_equal(skt_inet_aton("1.2.3.4", NULL), -EINVAL);
}

static void test_inet_ntoa_gives_dotted_quad(void **state)
{
    struct in_addr in = {.s_addr = htonl(0xc0a80001)};
    char text[16];
    (void)state;
    assert_int_equal(skt_inet_ntoa(in, text, sizeof text), 11);
    assert_string_equal(text, "192.168.0.1");
}

static void test_inet_ntoa_short_buffer_is_etruncated(void **state)
{
    struct in_addr in = {.s_addr = htonl(0xffffffff)};
    char text[16];
    (void)state;
    assert_int_equal(skt_inet_ntoa(in, text, 15), SKT_ETRUNCATED);
    assert_string_equal(text, "");
    assert_int_equal(skt_inet_ntoa(in, text, 16), 15);
    assert_int_equal(skt_inet_ntoa(in, NULL, 16), -EINVAL);
}

static void test_inet_pton_ntop_ipv6_match_python(void **state)
{
    static const char *const texts[] = {
        "::1", "::", "1:2:3:4:5:6:7:8", "1:0:0:0:0:0:0:8", "::ffff:1.2.3.4",
        "::1.2.3.4", "fe80::1:0:0:1", "2001:DB8::A", "1:0:0:2:0:0:0:3",
        "1::2::3", "12345::", "::ffff:1.2.3", ":1::", "1:2:3:4:5:6:7:8:9"};
    char list[512], code[1024], expected[2048], got[2048] = "";
    size_t used = 0;
    (void)state;
    python_list(texts, sizeof texts / sizeof texts[0], list, sizeof list);
    snprintf(code, sizeof code,
             "def f(t):\n"
             "  try: b = s.inet_pton(s.AF_INET6, t)\n"
             "  except OSError: return 'error'\n"
             "  return b.hex() + '/' + s.inet_ntop(s.AF_INET6, b)\n"
             "print(' '.join(f(t) for t in %s))", list);
    python_line(code, expected, sizeof expected);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        unsigned char b[16];
        char text[INET6_ADDRSTRLEN];
        int rc = skt_inet_pton(AF_INET6, texts[i], b, sizeof b);
        used += (size_t)snprintf(got + used, sizeof got - used, "%s",
                                 i ? " " : "");
        if (rc < 0) {
            assert_int_equal(rc, SKT_EADDRSYNTAX);
            used += (size_t)snprintf(got + used, sizeof got - used, "error");
            continue;
        }
        assert_int_equal(rc, 16);
        for (int k = 0; k < 16; k++)
            used += (size_t)snprintf(got + used, sizeof got - used, "%02x",
                                     b[k]);
        assert_true(skt_inet_ntop(AF_INET6, b, 16, text, sizeof text) > 0);
        used += (size_t)snprintf(got + used, sizeof got - used, "/%s", text);
    }
    assert_string_equal(got, expected);
}

static void test_inet_pton_ipv4_is_strict(void **state)
{
    unsigned char b[4];
    (void)state;
    assert_int_equal(skt_inet_pton(AF_INET, "10.1.2.3", b, sizeof b), 4);
    assert_memory_equal(b, "\x0a\x01\x02\x03", 4);
    /* Unlike inet_aton, the legacy forms are not addresses here. */
    assert_int_equal(skt_inet_pton(AF_INET, "127.1", b, sizeof b),
                     SKT_EADDRSYNTAX);
    assert_true(detail_has("inet_pton \"127.1\""));
}

static void test_inet_pton_short_output_is_etruncated(void **state)
{
    unsigned char b[16];
    (void)state;
    assert_int_equal(skt_inet_pton(AF_INET6, "::1", b, 15), SKT_ETRUNCATED);
    assert_int_equal(skt_inet_pton(AF_INET, "1.2.3.4", b, 3),
                     SKT_ETRUNCATED);
    assert_true(detail_has("inet_pton"));
}

static void test_inet_pton_rejects_other_families_and_null(void **state)
{
    unsigned char b[16];
    (void)state;
    assert_int_equal(skt_inet_pton(AF_UNIX, "::1", b, sizeof b),
                     -EAFNOSUPPORT);
    assert_int_equal(skt_inet_pton(AF_INET6, NULL, b, sizeof b), -EINVAL);
    assert_int_equal(skt_inet_pton(AF_INET6, "::1", NULL, 16), -EINVAL);
}

static void test_inet_ntop_wrong_byte_count_is_einval(void **state)
{
    unsigned char b[16] = {0};
    char text[64];
    (void)state;
    assert_int_equal(skt_inet_ntop(AF_INET, b, 5, text, sizeof text),
                     -EINVAL);
    assert_int_equal(skt_inet_ntop(AF_INET6, b, 4, text, sizeof text),
                     -EINVAL);
    assert_true(detail_has("inet_ntop"));
    assert_int_equal(skt_inet_ntop(AF_INET, b, 4, text, sizeof text), 7);
    assert_string_equal(text, "0.0.0.0");
}

static void test_inet_ntop_short_buffer_is_etruncated(void **state)
{
    unsigned char b[16] = {0};
    char text[64];
    (void)state;
    b[15] = 1;
    assert_int_equal(skt_inet_ntop(AF_INET6, b, 16, text, 3),
                     SKT_ETRUNCATED);
    assert_string_equal(text, "");
    assert_int_equal(skt_inet_ntop(AF_INET6, b, 16, text, 4), 3);
    assert_string_equal(text, "::1");
}

static void test_inet_ntop_rejects_other_families_and_null(void **state)
{
    unsigned char b[16] = {0};
    char text[64];
    (void)state;
    assert_int_equal(skt_inet_ntop(AF_UNIX, b, 16, text, sizeof text),
                     -EAFNOSUPPORT);
    assert_int_equal(skt_inet_ntop(AF_INET, NULL, 4, text, sizeof text),
                     -EINVAL);
    assert_int_equal(skt_inet_ntop(AF_INET, b, 4, NULL, 16), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_inet_aton_matches_python),
    cmocka_unit_test(test_inet_aton_bad_text_is_eaddrsyntax),
    cmocka_unit_test(test_inet_aton_rejects_null),
    cmocka_unit_test(test_inet_ntoa_gives_dotted_quad),
    cmocka_unit_test(test_inet_ntoa_short_buffer_is_etruncated),
    cmocka_unit_test(test_inet_pton_ntop_ipv6_match_python),
    cmocka_unit_test(test_inet_pton_ipv4_is_strict),
    cmocka_unit_test(test_inet_pton_short_output_is_etruncated),
    cmocka_unit_test(test_inet_pton_rejects_other_families_and_null),
    cmocka_unit_test(test_inet_ntop_wrong_byte_count_is_einval),
    cmocka_unit_test(test_inet_ntop_short_buffer_is_etruncated),
    cmocka_unit_test(test_inet_ntop_rejects_other_families_and_null),
};

SKT_TEST_MAIN(tests)
