/*
 * test-addr.c - skt_addr: parsing and formatting every family as exact
 * inverses, the error code and detail of every refusal, building from
 * parts, equality, ports, and addresses read back from the kernel.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNIX_OFFSET offsetof(struct sockaddr_un, sun_path)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Checks both directions of the inverse: format(parse(text)) is text, and
 * parse(format(a)) is an address equal to a.
 */
static void check_round_trip(const char *text, int family)
{
    skt_addr a, b;
    char buf[SKT_ADDRSTRLEN];

    SKT_OK(skt_addr_parse(&a, text));
    assert_int_equal(skt_addr_family(&a), family);
    assert_int_equal(skt_addr_format(&a, buf, sizeof buf), strlen(text));
    assert_string_equal(buf, text);
    SKT_OK(skt_addr_parse(&b, buf));
    assert_true(skt_addr_equal(&a, &b));
    assert_int_equal(a.len, b.len);
}

static bool is_all_zero(const void *p, size_t n)
{
    const unsigned char *bytes = p;

    for (size_t i = 0; i < n; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

struct rejection {
    const char *text;
    int code;
};

/*
 * Checks that text is refused with the code, that the address is left
 * empty, and that the detail quotes the text.
 */
static void check_rejected(const char *text, int code)
{
    skt_addr a;

    memset(&a, 0xa5, sizeof a);
    assert_int_equal(skt_addr_parse(&a, text), code);
    assert_true(is_all_zero(&a, sizeof a));
    assert_int_equal(skt_addr_family(&a), AF_UNSPEC);
    assert_true(strlen(skt_error_detail()) > 0);
    if (strlen(text) < 80 && strstr(skt_error_detail(), text) == NULL)
        fail_msg("detail \"%s\" does not quote \"%s\"", skt_error_detail(),
                 text);
}

static void check_rejections(const struct rejection *table, size_t count)
{
    for (size_t i = 0; i < count; i++)
        check_rejected(table[i].text, table[i].code);
}

/* "unix:" then a mark ("/" or "@") and enough filler for n name bytes. */
static char *unix_text(char mark, size_t n, const char *filler)
{
    size_t step = strlen(filler);
    char *text = malloc(6 + n * step + 1);

    assert_non_null(text);
    memcpy(text, "unix:", 5);
    text[5] = mark;
    /* A path's mark is its first byte; an abstract name's is not. */
    if (mark == '/')
        n--;
    for (size_t i = 0; i < n; i++)
        memcpy(text + 6 + i * step, filler, step);
    text[6 + n * step] = '\0';
    return text;
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */
/* ------------------------------------------------------------------------ */

static void test_parse_ipv4_round_trips(void **state)
{
    static const char *const table[] = {
        "127.0.0.1:80", "0.0.0.0:0", "255.255.255.255:65535",
        "10.1.2.3:8080", "192.168.100.200:1",
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i], AF_INET);
}

static void test_parse_ipv4_fills_sockaddr_in(void **state)
{
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:8080"));
    assert_int_equal(a.len, sizeof(struct sockaddr_in));
    assert_int_equal(a.u.in4.sin_family, AF_INET);
    assert_int_equal(a.u.in4.sin_port, htons(8080));
    assert_int_equal(a.u.in4.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
}

static void test_parse_ipv6_round_trips(void **state)
{
    static const char *const table[] = {
        "[::1]:80",
        "[::]:0",
        "[2001:db8::1]:65535",
        "[fe80::1:2:3:4]:443",
        "[::ffff:1.2.3.4]:80",
        "[2001:db8:1:2:3:4:5:6]:1",
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i], AF_INET6);
}

static void test_parse_ipv6_named_scope_round_trips(void **state)
{
    skt_addr a;
    (void)state;
    check_round_trip("[fe80::1%lo]:80", AF_INET6);
    SKT_OK(skt_addr_parse(&a, "[fe80::1%lo]:80"));
    assert_int_equal(a.u.in6.sin6_scope_id, if_nametoindex("lo"));
}

static void test_parse_numeric_scope_of_missing_index_round_trips(void **state)
{
    char name[IF_NAMESIZE];
    skt_addr a;
    (void)state;
    if (if_indextoname(4000000000u, name) != NULL)
        SKT_SKIP("interface index 4000000000 exists here (%s)", name);
    check_round_trip("[fe80::1%4000000000]:80", AF_INET6);
    SKT_OK(skt_addr_parse(&a, "[fe80::1%4000000000]:80"));
    assert_int_equal(a.u.in6.sin6_scope_id, 4000000000u);
}

static void test_parse_unix_path_round_trips(void **state)
{
    static const char *const table[] = {
        "unix:/tmp/skt.sock",
        "unix:relative/sock",
        "unix:/with space/and:colon",
        "unix:/back\\\\slash",
        "unix:/tab\\x09and\\x7f",
        "unix:/caf\xc3\xa9",
        "unix:\\x40not-abstract",
        "unix:/a@b",
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i], AF_UNIX);
}

static void test_parse_unix_path_length_counts_its_nul(void **state)
{
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "unix:/tmp/x"));
    assert_int_equal(a.len, UNIX_OFFSET + strlen("/tmp/x") + 1);
    assert_string_equal(a.u.un.sun_path, "/tmp/x");
}

static void test_parse_abstract_round_trips(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    static const char *const table[] = {
        "unix:@name",
        "unix:@",
        "unix:@\\x00",
        "unix:@a\\x00b\\x01c\\x1f",
        "unix:@\\x00\\x00\\x00",
        "unix:@@",
        "unix:@back\\\\slash",
        "unix:@\xff\xfe",
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i], AF_UNIX);
}

static void test_parse_abstract_keeps_exact_length(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "unix:@a\\x00b"));
    assert_int_equal(a.len, UNIX_OFFSET + 1 + 3);
    assert_memory_equal(a.u.un.sun_path, "\0a\0b", 4);
}

static void test_parse_unnamed_round_trips(void **state)
{
    skt_addr a;
    (void)state;
    check_round_trip("unix:", AF_UNIX);
    SKT_OK(skt_addr_parse(&a, "unix:"));
    assert_int_equal(a.len, sizeof(sa_family_t));
}

static void test_parse_unknown_family_round_trips(void **state)
{
    static const char *const table[] = {
        "family:250:",
        "family:0:",
        "family:250:0001ff7f",
        "family:65535:00",
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        check_round_trip(table[i], atoi(table[i] + strlen("family:")));
}

static void test_parse_accepts_path_of_107_bytes(void **state)
{
    char *text = unix_text('/', 107, "p");
    skt_addr a;
    (void)state;
    check_round_trip(text, AF_UNIX);
    SKT_OK(skt_addr_parse(&a, text));
    assert_int_equal(a.len, sizeof(struct sockaddr_un));
    free(text);
}

static void test_parse_accepts_abstract_of_107_escaped_bytes(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    /* The longest text a Unix name can take: every byte escaped. */
    char *text = unix_text('@', 107, "\\x00");
    skt_addr a;
    (void)state;
    assert_true(strlen(text) < SKT_ADDRSTRLEN);
    check_round_trip(text, AF_UNIX);
    SKT_OK(skt_addr_parse(&a, text));
    assert_int_equal(a.len, sizeof(struct sockaddr_un));
    free(text);
}

static void test_parse_accepts_non_canonical_forms(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names among its cases");
    static const struct {
        const char *text;
        const char *canonical;
    } table[] = {
        {"[0:0:0:0:0:0:0:1]:80", "[::1]:80"},
        {"[2001:DB8::1]:80", "[2001:db8::1]:80"},
        {"1.2.3.4:0080", "1.2.3.4:80"},
        {"unix:/a\\x41", "unix:/aA"},
        {"unix:@\\x5c", "unix:@\\\\"},
        {"family:250:ABCD", "family:250:abcd"},
    };
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        SKT_OK(skt_addr_parse(&a, table[i].text));
        assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
        assert_string_equal(buf, table[i].canonical);
    }
}

static void test_parse_numeric_scope_formats_as_interface_name(void **state)
{
    char text[64], buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    snprintf(text, sizeof text, "[fe80::1%%%u]:80", if_nametoindex("lo"));
    SKT_OK(skt_addr_parse(&a, text));
    assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, "[fe80::1%lo]:80");
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                               */
/* ------------------------------------------------------------------------ */

static void test_parse_rejects_malformed_text(void **state)
{
    static const struct rejection table[] = {
        {"", SKT_EADDRSYNTAX},
        {"1.2.3.4:80x", SKT_EADDRSYNTAX},
        {"[::1]:80]", SKT_EADDRSYNTAX},
        {"127.1:80", SKT_EADDRSYNTAX},
        {"1.2.3.256:80", SKT_EADDRSYNTAX},
        {"01.2.3.4:80", SKT_EADDRSYNTAX},
        {":80", SKT_EADDRSYNTAX},
        {" 1.2.3.4:80", SKT_EADDRSYNTAX},
        {"1.2.3.4:+80", SKT_EADDRSYNTAX},
        {"1.2.3.4:-1", SKT_EADDRSYNTAX},
        {"1.2.3.4: 80", SKT_EADDRSYNTAX},
        {"1.2.3.4%lo:80", SKT_EADDRSYNTAX},
        {"::1:80", SKT_EADDRSYNTAX},
        {"[::1", SKT_EADDRSYNTAX},
        {"[::1]80", SKT_EADDRSYNTAX},
        {"[]:80", SKT_EADDRSYNTAX},
        {"[1.2.3.4]:80", SKT_EADDRSYNTAX},
        {"[fe80::1%]:80", SKT_EADDRSYNTAX},
        {"[::1::2]:80", SKT_EADDRSYNTAX},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_rejects_bad_unix_escapes(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names among its cases");
    static const struct rejection table[] = {
        {"unix:/a\\q", SKT_EADDRSYNTAX},
        {"unix:/a\\x4", SKT_EADDRSYNTAX},
        {"unix:/a\\xg0", SKT_EADDRSYNTAX},
        {"unix:/a\\", SKT_EADDRSYNTAX},
        {"unix:@\\", SKT_EADDRSYNTAX},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_rejects_nul_in_path(void **state)
{
    (void)state;
    check_rejected("unix:/a\\x00b", SKT_EADDRSYNTAX);
    check_rejected("unix:\\x00", SKT_EADDRSYNTAX);
}

static void test_parse_rejects_malformed_family_text(void **state)
{
    static const struct rejection table[] = {
        {"family:", SKT_EADDRSYNTAX},
        {"family:x:00", SKT_EADDRSYNTAX},
        {"family:250", SKT_EADDRSYNTAX},
        {"family:250:0", SKT_EADDRSYNTAX},
        {"family:250:zz", SKT_EADDRSYNTAX},
        {"family:65536:", SKT_EADDRSYNTAX},
        {"family:-1:", SKT_EADDRSYNTAX},
        /* Families with a text form of their own must use it. */
        {"family:2:00500100007f", SKT_EADDRSYNTAX},
        {"family:10:", SKT_EADDRSYNTAX},
        {"family:1:", SKT_EADDRSYNTAX},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_rejects_family_bytes_over_storage(void **state)
{
    char text[400];
    size_t used = (size_t)snprintf(text, sizeof text, "family:250:");
    (void)state;
    for (size_t i = 0; i < sizeof(struct sockaddr_storage) - 1; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "ab");
    check_rejected(text, SKT_EADDRSYNTAX);
    /* One byte fewer fills the storage exactly. */
    text[used - 2] = '\0';
    check_round_trip(text, 250);
}

static void test_parse_rejects_host_names(void **state)
{
    static const struct rejection table[] = {
        {"localhost:80", SKT_EADDRNOTNUMERIC},
        {"example.com:80", SKT_EADDRNOTNUMERIC},
        {"localhost", SKT_EADDRNOTNUMERIC},
        {"my_host-1:80", SKT_EADDRNOTNUMERIC},
        {"[localhost]:80", SKT_EADDRNOTNUMERIC},
        {"b\xc3\xbc" "cher.de:80", SKT_EADDRNOTNUMERIC},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_rejects_missing_port(void **state)
{
    static const struct rejection table[] = {
        {"1.2.3.4", SKT_ENOPORT},
        {"[::1]", SKT_ENOPORT},
        {"1.2.3.4:", SKT_ENOPORT},
        {"[::1]:", SKT_ENOPORT},
        {"[fe80::1%lo]", SKT_ENOPORT},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_rejects_port_out_of_range(void **state)
{
    static const struct rejection table[] = {
        {"1.2.3.4:65536", SKT_EPORTRANGE},
        {"1.2.3.4:70000", SKT_EPORTRANGE},
        {"[::1]:99999", SKT_EPORTRANGE},
        {"1.2.3.4:99999999999999999999999999", SKT_EPORTRANGE},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_port_detail_names_the_port(void **state)
{
    skt_addr a;
    (void)state;
    assert_int_equal(skt_addr_parse(&a, "1.2.3.4:70000"), SKT_EPORTRANGE);
    assert_non_null(strstr(skt_error_detail(),
                           "port 70000 is outside 0..65535"));
    assert_non_null(strstr(skt_error_detail(), "\"1.2.3.4:70000\""));
}

static void test_parse_rejects_unknown_scope(void **state)
{
    static const struct rejection table[] = {
        {"[fe80::1%nosuchif0]:80", SKT_ENOSCOPE},
        {"[fe80::1%0]:80", SKT_ENOSCOPE},
        {"[fe80::1%4294967296]:80", SKT_ENOSCOPE},
        {"[fe80::1%averyveryverylongname]:80", SKT_ENOSCOPE},
    };
    (void)state;
    check_rejections(table, sizeof table / sizeof table[0]);
}

static void test_parse_accepts_path_of_108_bytes_without_nul(void **state)
{
    char *text = unix_text('/', 108, "p");
    skt_addr a;
    (void)state;
    check_round_trip(text, AF_UNIX);
    SKT_OK(skt_addr_parse(&a, text));
    /* sun_path is full: the length counts no NUL, as Linux reports it. */
    assert_int_equal(a.len, sizeof(struct sockaddr_un));
    assert_int_equal(a.u.un.sun_path[107], 'p');
    free(text);
}

static void test_parse_rejects_path_of_109_bytes(void **state)
{
    char *text = unix_text('/', 109, "p");
    (void)state;
    check_rejected(text, -ENAMETOOLONG);
    free(text);
}

static void test_parse_rejects_abstract_of_108_bytes(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    char *text = unix_text('@', 108, "\\x01");
    char *plain = unix_text('@', 108, "n");
    (void)state;
    check_rejected(text, -ENAMETOOLONG);
    check_rejected(plain, -ENAMETOOLONG);
    free(text);
    free(plain);
}

static void test_parse_rejects_null(void **state)
{
    skt_addr a;
    (void)state;
    memset(&a, 0xa5, sizeof a);
    assert_int_equal(skt_addr_parse(&a, NULL), -EINVAL);
    assert_true(is_all_zero(&a, sizeof a));
    assert_non_null(strstr(skt_error_detail(), "NULL"));
    assert_int_equal(skt_addr_parse(NULL, "1.2.3.4:80"), -EINVAL);
}

static void test_parse_detail_caps_long_binary_text(void **state)
{
    char text[5000];
    const char *detail;
    skt_addr a;
    (void)state;
    memset(text, '9', sizeof text - 1);
    text[0] = '\x01';
    text[sizeof text - 1] = '\0';
    assert_int_equal(skt_addr_parse(&a, text), SKT_EADDRSYNTAX);
    detail = skt_error_detail();
    assert_true(strlen(detail) < 300);
    assert_non_null(strstr(detail, "\\x01999"));
    assert_non_null(strstr(detail, "..."));
    for (const char *p = detail; *p != '\0'; p++)
        assert_true((unsigned char)*p >= 0x20);
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

static void test_format_reports_truncation(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "1.2.3.4:80"));
    memset(buf, 'x', sizeof buf);
    assert_int_equal(skt_addr_format(&a, buf, 10), SKT_ETRUNCATED);
    assert_string_equal(buf, "");
    assert_true(strlen(skt_error_detail()) > 0);
    assert_int_equal(skt_addr_format(&a, buf, 11), 10);
    assert_string_equal(buf, "1.2.3.4:80");
    assert_int_equal(skt_addr_format(&a, buf, 0), SKT_ETRUNCATED);
}

static void test_format_rejects_empty_address(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr empty;
    (void)state;
    memset(&empty, 0, sizeof empty);
    assert_int_equal(skt_addr_format(&empty, buf, sizeof buf), -EINVAL);
    assert_int_equal(skt_addr_format(NULL, buf, sizeof buf), -EINVAL);
    SKT_OK(skt_addr_parse(&empty, "unix:"));
    assert_int_equal(skt_addr_format(&empty, NULL, 10), -EINVAL);
}

static void test_format_rejects_address_too_short_for_family(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "[::1]:80"));
    a.len = sizeof(struct sockaddr_in);
    assert_int_equal(skt_addr_format(&a, buf, sizeof buf), -EINVAL);
}

static void test_format_escapes_leading_at_of_path(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a, b;
    (void)state;
    SKT_OK(skt_addr_from_unix(&a, "@x", 2, false));
    assert_int_equal(skt_addr_format(&a, buf, sizeof buf), 10);
    assert_string_equal(buf, "unix:\\x40x");
    SKT_OK(skt_addr_parse(&b, buf));
    assert_true(skt_addr_equal(&a, &b));
    assert_int_equal(b.u.un.sun_path[0], '@');
}

static void test_format_writes_unknown_family_as_hex(void **state)
{
    struct sockaddr_storage ss;
    char buf[SKT_ADDRSTRLEN];
    skt_addr a, b;
    (void)state;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = 250;
    memcpy((char *)&ss + sizeof(sa_family_t), "\x01\x02\xff\x00", 4);
    SKT_OK(skt_addr_from_sockaddr(&a, (struct sockaddr *)&ss, 6));
    assert_int_equal(skt_addr_format(&a, buf, sizeof buf), 19);
    assert_string_equal(buf, "family:250:0102ff00");
    SKT_OK(skt_addr_parse(&b, buf));
    assert_true(skt_addr_equal(&a, &b));
}

static void test_addr_text_never_fails(void **state)
{
    char buf[SKT_ADDRSTRLEN], small[4];
    skt_addr a;
    (void)state;
    memset(&a, 0, sizeof a);
    assert_string_equal(skt__addr_text(&a, buf, sizeof buf), "?");
    assert_string_equal(skt__addr_text(NULL, buf, sizeof buf), "?");
    assert_string_equal(skt__addr_text(&a, NULL, 0), "?");
    SKT_OK(skt_addr_parse(&a, "10.0.0.1:443"));
    assert_string_equal(skt__addr_text(&a, buf, sizeof buf),
                        "10.0.0.1:443");
    assert_string_equal(skt__addr_text(&a, small, sizeof small), "?");
}

/* ------------------------------------------------------------------------ */
/* Equality, ports, families                                                */
/* ------------------------------------------------------------------------ */

static void test_equal_ignores_ipv6_flowinfo(void **state)
{
    skt_addr a, b;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "[2001:db8::1]:80"));
    b = a;
    b.u.in6.sin6_flowinfo = htonl(0x12345);
    assert_true(skt_addr_equal(&a, &b));
}

static void test_equal_ignores_ipv4_padding(void **state)
{
    skt_addr a, b;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "1.2.3.4:80"));
    b = a;
    memset(b.u.in4.sin_zero, 0x55, sizeof b.u.in4.sin_zero);
    assert_true(skt_addr_equal(&a, &b));
}

static void test_equal_compares_port_address_and_scope(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names among its cases");
    static const char *const pairs[][2] = {
        {"1.2.3.4:80", "1.2.3.4:81"},
        {"1.2.3.4:80", "1.2.3.5:80"},
        {"[::1]:80", "[::1]:81"},
        {"[::2]:80", "[::1]:80"},
        {"[fe80::1%lo]:80", "[fe80::1]:80"},
        {"[::ffff:1.2.3.4]:80", "1.2.3.4:80"},
        {"unix:/a", "unix:/b"},
        {"unix:/a", "unix:/ab"},
        {"unix:/a", "unix:@a"},
        {"unix:@a", "unix:@a\\x00"},
        {"unix:", "unix:@"},
        {"family:250:00", "family:251:00"},
        {"family:250:00", "family:250:0000"},
    };
    skt_addr a, b;
    (void)state;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        SKT_OK(skt_addr_parse(&a, pairs[i][0]));
        SKT_OK(skt_addr_parse(&b, pairs[i][1]));
        assert_false(skt_addr_equal(&a, &b));
        assert_false(skt_addr_equal(&b, &a));
        assert_true(skt_addr_equal(&a, &a));
    }
}

static void test_equal_empty_and_null(void **state)
{
    skt_addr a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_true(skt_addr_equal(&a, &b));
    assert_false(skt_addr_equal(&a, NULL));
    assert_false(skt_addr_equal(NULL, &a));
    SKT_OK(skt_addr_parse(&b, "unix:"));
    assert_false(skt_addr_equal(&a, &b));
}

static void test_port_reads_ipv4_and_ipv6(void **state)
{
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "1.2.3.4:65535"));
    assert_int_equal(skt_addr_port(&a), 65535);
    SKT_OK(skt_addr_parse(&a, "[::1]:0"));
    assert_int_equal(skt_addr_port(&a), 0);
}

static void test_port_of_unix_is_eafnosupport(void **state)
{
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "unix:/tmp/x"));
    assert_int_equal(skt_addr_port(&a), -EAFNOSUPPORT);
    memset(&a, 0, sizeof a);
    assert_int_equal(skt_addr_port(&a), -EAFNOSUPPORT);
    assert_int_equal(skt_addr_port(NULL), -EINVAL);
}

static void test_set_port_changes_only_the_port(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "1.2.3.4:80"));
    SKT_OK(skt_addr_set_port(&a, 8080));
    assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, "1.2.3.4:8080");
    SKT_OK(skt_addr_parse(&a, "[fe80::1%lo]:80"));
    SKT_OK(skt_addr_set_port(&a, 0));
    assert_true(skt_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, "[fe80::1%lo]:0");
}

static void test_set_port_rejects_out_of_range(void **state)
{
    skt_addr a, before;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "1.2.3.4:80"));
    before = a;
    assert_int_equal(skt_addr_set_port(&a, 65536), SKT_EPORTRANGE);
    assert_non_null(strstr(skt_error_detail(), "65536"));
    assert_int_equal(skt_addr_set_port(&a, -1), SKT_EPORTRANGE);
    assert_memory_equal(&a, &before, sizeof a);
}

static void test_set_port_rejects_unix_and_null(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names among its cases");
    skt_addr a;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "unix:@x"));
    assert_int_equal(skt_addr_set_port(&a, 80), -EAFNOSUPPORT);
    assert_int_equal(skt_addr_set_port(NULL, 80), -EINVAL);
}

static void test_family_and_sockaddr_accessors(void **state)
{
    skt_addr a;
    (void)state;
    memset(&a, 0, sizeof a);
    assert_int_equal(skt_addr_family(&a), AF_UNSPEC);
    assert_int_equal(skt_addr_family(NULL), AF_UNSPEC);
    assert_null(skt_addr_sockaddr(NULL));
    SKT_OK(skt_addr_parse(&a, "[::1]:80"));
    assert_int_equal(skt_addr_family(&a), AF_INET6);
    assert_ptr_equal(skt_addr_sockaddr(&a), &a.u.sa);
}

/* ------------------------------------------------------------------------ */
/* Building from parts                                                      */
/* ------------------------------------------------------------------------ */

static void check_from_ip(const char *host, int port, const char *text)
{
    skt_addr a, b;

    SKT_OK(skt_addr_from_ip(&a, host, port));
    SKT_OK(skt_addr_parse(&b, text));
    assert_true(skt_addr_equal(&a, &b));
    assert_int_equal(a.len, b.len);
}

static void test_from_ip_builds_ipv4_and_ipv6(void **state)
{
    (void)state;
    check_from_ip("127.0.0.1", 80, "127.0.0.1:80");
    check_from_ip("::1", 443, "[::1]:443");
    check_from_ip("fe80::1%lo", 0, "[fe80::1%lo]:0");
    check_from_ip("::ffff:10.0.0.1", 65535, "[::ffff:10.0.0.1]:65535");
}

static void test_from_ip_rejects_bad_input(void **state)
{
    static const struct {
        const char *host;
        int port;
        int code;
    } table[] = {
        {"localhost", 80, SKT_EADDRNOTNUMERIC},
        {"[::1]", 80, SKT_EADDRSYNTAX},
        {"127.1", 80, SKT_EADDRSYNTAX},
        {"", 80, SKT_EADDRSYNTAX},
        {"1.2.3.4:80", 80, SKT_EADDRSYNTAX},
        {"1.2.3.4", 65536, SKT_EPORTRANGE},
        {"::1", -1, SKT_EPORTRANGE},
        {"fe80::1%nosuchif0", 1, SKT_ENOSCOPE},
        {NULL, 80, -EINVAL},
    };
    skt_addr a;
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        memset(&a, 0xa5, sizeof a);
        assert_int_equal(skt_addr_from_ip(&a, table[i].host, table[i].port),
                         table[i].code);
        assert_true(is_all_zero(&a, sizeof a));
        assert_true(strlen(skt_error_detail()) > 0);
    }
}

static void test_from_unix_builds_every_kind(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    skt_addr a, b;
    (void)state;
    SKT_OK(skt_addr_from_unix(&a, "/tmp/s", 6, false));
    SKT_OK(skt_addr_parse(&b, "unix:/tmp/s"));
    assert_true(skt_addr_equal(&a, &b));
    SKT_OK(skt_addr_from_unix(&a, "a\0b", 3, true));
    SKT_OK(skt_addr_parse(&b, "unix:@a\\x00b"));
    assert_true(skt_addr_equal(&a, &b));
    SKT_OK(skt_addr_from_unix(&a, NULL, 0, false));
    SKT_OK(skt_addr_parse(&b, "unix:"));
    assert_true(skt_addr_equal(&a, &b));
    /* Length 0 is the unnamed address whatever the abstract flag says. */
    SKT_OK(skt_addr_from_unix(&a, "", 0, true));
    assert_true(skt_addr_equal(&a, &b));
}

static void test_from_unix_rejects_bad_names(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    char name[109];
    skt_addr a;
    (void)state;
    memset(name, 'n', sizeof name);
    assert_int_equal(skt_addr_from_unix(&a, name, 109, false), -ENAMETOOLONG);
    assert_int_equal(a.len, 0);
    assert_int_equal(skt_addr_from_unix(&a, name, 108, true), -ENAMETOOLONG);
    /* A path may fill sun_path, without its NUL; an abstract name, which
     * starts with a NUL, may not. */
    SKT_OK(skt_addr_from_unix(&a, name, 108, false));
    assert_int_equal(a.len, sizeof(struct sockaddr_un));
    SKT_OK(skt_addr_from_unix(&a, name, 107, true));
    assert_int_equal(skt_addr_from_unix(&a, "a\0b", 3, false), -EINVAL);
    assert_int_equal(a.len, 0);
    assert_int_equal(skt_addr_from_unix(&a, NULL, 3, false), -EINVAL);
    assert_int_equal(skt_addr_from_unix(NULL, "x", 1, false), -EINVAL);
}

static void test_from_sockaddr_validates_length(void **state)
{
    static const struct {
        int family;
        socklen_t len;
        int code;
    } table[] = {
        {AF_INET, sizeof(struct sockaddr_in), 0},
        {AF_INET, sizeof(struct sockaddr_in) - 1, -EINVAL},
        {AF_INET6, sizeof(struct sockaddr_in6), 0},
        {AF_INET6, sizeof(struct sockaddr_in6) - 1, -EINVAL},
        {AF_UNIX, sizeof(sa_family_t), 0},
        {AF_UNIX, sizeof(struct sockaddr_un), 0},
        /* Linux reports a full sun_path with the NUL past its end. */
        {AF_UNIX, sizeof(struct sockaddr_un) + 1, 0},
        {AF_UNIX, sizeof(struct sockaddr_un) + 2, -EINVAL},
        {AF_UNIX, 1, -EINVAL},
        {250, sizeof(struct sockaddr_storage), 0},
        {250, sizeof(struct sockaddr_storage) + 1, -EINVAL},
        {AF_INET, 0, -EINVAL},
    };
    unsigned char raw[sizeof(struct sockaddr_storage) + 8];
    skt_addr a;
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        memset(raw, 0, sizeof raw);
        ((struct sockaddr *)raw)->sa_family = (sa_family_t)table[i].family;
        assert_int_equal(skt_addr_from_sockaddr(&a, (struct sockaddr *)raw,
                                                table[i].len),
                         table[i].code);
        if (table[i].code < 0)
            assert_int_equal(a.len, 0);
    }
    assert_int_equal(skt_addr_from_sockaddr(&a, NULL, 16), -EINVAL);
}

static void test_from_sockaddr_trims_unix_path_to_its_nul(void **state)
{
    struct sockaddr_un un;
    skt_addr a, b;
    (void)state;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, "/tmp/x");
    SKT_OK(skt_addr_from_sockaddr(&a, (struct sockaddr *)&un, sizeof un));
    SKT_OK(skt_addr_parse(&b, "unix:/tmp/x"));
    assert_int_equal(a.len, b.len);
    assert_true(skt_addr_equal(&a, &b));
    /* A length without the NUL still means the same path. */
    SKT_OK(skt_addr_from_sockaddr(&a, (struct sockaddr *)&un,
                                  (socklen_t)(UNIX_OFFSET + 6)));
    assert_true(skt_addr_equal(&a, &b));
}

static void test_from_sockaddr_takes_full_path_as_linux_reports_it(
    void **state)
{
    struct sockaddr_storage ss;
    char *text = unix_text('/', 108, "q");
    skt_addr a, b;
    (void)state;
    /* getsockname's form: 108 path bytes, then a NUL past sun_path, with
     * the NUL counted in the length. */
    memset(&ss, 0, sizeof ss);
    ss.ss_family = AF_UNIX;
    memset((char *)&ss + UNIX_OFFSET, 'q', 108);
    ((char *)&ss)[UNIX_OFFSET] = '/';
    SKT_OK(skt_addr_from_sockaddr(&a, (struct sockaddr *)&ss,
                                  sizeof(struct sockaddr_un) + 1));
    assert_int_equal(a.len, sizeof(struct sockaddr_un));
    SKT_OK(skt_addr_parse(&b, text));
    assert_true(skt_addr_equal(&a, &b));
    /* A byte there that is not a NUL is more than sockaddr_un holds. */
    ((char *)&ss)[sizeof(struct sockaddr_un)] = 'q';
    assert_int_equal(skt_addr_from_sockaddr(&a, (struct sockaddr *)&ss,
                                            sizeof(struct sockaddr_un) + 1),
                     -EINVAL);
    free(text);
}

static void test_from_sockaddr_copies_ip_addresses(void **state)
{
    skt_addr a, b;
    (void)state;
    SKT_OK(skt_addr_parse(&a, "[fe80::1%lo]:8080"));
    SKT_OK(skt_addr_from_sockaddr(&b, skt_addr_sockaddr(&a), a.len));
    assert_true(skt_addr_equal(&a, &b));
    SKT_OK(skt_addr_parse(&a, "10.9.8.7:1"));
    SKT_OK(skt_addr_from_sockaddr(&b, skt_addr_sockaddr(&a), a.len));
    assert_true(skt_addr_equal(&a, &b));
}

/* ------------------------------------------------------------------------ */
/* Addresses the kernel gives back                                          */
/* ------------------------------------------------------------------------ */

/* Binds a new AF_UNIX socket to text and reads its address back. */
static void bind_and_read_back(const char *text, skt_addr *bound,
                               skt_addr *local)
{
    skt_socket *s;

    SKT_OK(skt_addr_parse(bound, text));
    SKT_OK(skt_open(&s, skt_addr_family(bound), SOCK_STREAM, 0));
    SKT_OK(skt_bind(s, bound));
    SKT_OK(skt_getsockname(s, local));
    SKT_OK(skt_close(s));
}

static void test_bind_abstract_then_getsockname_is_equal(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    char text[128], buf[SKT_ADDRSTRLEN];
    skt_addr bound, local;
    (void)state;
    snprintf(text, sizeof text, "unix:@skt-test-addr-%d\\x00\\x01end",
             (int)getpid());
    bind_and_read_back(text, &bound, &local);
    assert_true(skt_addr_equal(&bound, &local));
    assert_true(skt_addr_format(&local, buf, sizeof buf) > 0);
    assert_string_equal(buf, text);
}

static void test_bind_path_then_getsockname_is_equal(void **state)
{
    char dir[] = "/tmp/skt-test-addr-XXXXXX";
    char path[64], text[128];
    skt_addr bound, local;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sock", dir);
    snprintf(text, sizeof text, "unix:%s", path);
    bind_and_read_back(text, &bound, &local);
    unlink(path);
    rmdir(dir);
    assert_true(skt_addr_equal(&bound, &local));
}

static void test_bind_unnamed_autobinds_abstract(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names");
    char buf[SKT_ADDRSTRLEN];
    skt_addr bound, local, again;
    (void)state;
    bind_and_read_back("unix:", &bound, &local);
    assert_int_equal(skt_addr_family(&local), AF_UNIX);
    assert_true(local.len > UNIX_OFFSET + 1);
    assert_int_equal(local.u.un.sun_path[0], '\0');
    assert_true(skt_addr_format(&local, buf, sizeof buf) > 0);
    assert_memory_equal(buf, "unix:@", 6);
    SKT_OK(skt_addr_parse(&again, buf));
    assert_true(skt_addr_equal(&again, &local));
}

static void test_bind_path_of_108_bytes_reads_back_and_round_trips(
    void **state)
{
    char dir[] = "/tmp/skt-test-addr-XXXXXX";
    char path[128], text[SKT_ADDRSTRLEN], buf[SKT_ADDRSTRLEN];
    skt_addr bound, local, again;
    size_t used;
    (void)state;
    assert_non_null(mkdtemp(dir));
    used = (size_t)snprintf(path, sizeof path, "%s/", dir);
    memset(path + used, 's', 108 - used);
    path[108] = '\0';
    snprintf(text, sizeof text, "unix:%s", path);
    bind_and_read_back(text, &bound, &local);
    unlink(path);
    rmdir(dir);
    /* Linux reports the whole sun_path and no NUL: 110 bytes. */
    assert_int_equal(local.len, sizeof(struct sockaddr_un));
    assert_true(skt_addr_equal(&bound, &local));
    assert_int_equal(skt_addr_format(&local, buf, sizeof buf),
                     strlen(text));
    assert_string_equal(buf, text);
    SKT_OK(skt_addr_parse(&again, buf));
    assert_true(skt_addr_equal(&again, &local));
}

static void test_bind_ipv4_port_zero_reads_back_a_port(void **state)
{
    char buf[SKT_ADDRSTRLEN];
    skt_addr bound, local, again;
    (void)state;
    bind_and_read_back("127.0.0.1:0", &bound, &local);
    assert_true(skt_addr_port(&local) > 0);
    assert_true(skt_addr_format(&local, buf, sizeof buf) > 0);
    SKT_OK(skt_addr_parse(&again, buf));
    assert_true(skt_addr_equal(&again, &local));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_ipv4_round_trips),
    cmocka_unit_test(test_parse_ipv4_fills_sockaddr_in),
    cmocka_unit_test(test_parse_ipv6_round_trips),
    cmocka_unit_test(test_parse_ipv6_named_scope_round_trips),
    cmocka_unit_test(test_parse_numeric_scope_of_missing_index_round_trips),
    cmocka_unit_test(test_parse_unix_path_round_trips),
    cmocka_unit_test(test_parse_unix_path_length_counts_its_nul),
    cmocka_unit_test(test_parse_abstract_round_trips),
    cmocka_unit_test(test_parse_abstract_keeps_exact_length),
    cmocka_unit_test(test_parse_unnamed_round_trips),
    cmocka_unit_test(test_parse_unknown_family_round_trips),
    cmocka_unit_test(test_parse_accepts_path_of_107_bytes),
    cmocka_unit_test(test_parse_accepts_abstract_of_107_escaped_bytes),
    cmocka_unit_test(test_parse_accepts_non_canonical_forms),
    cmocka_unit_test(test_parse_numeric_scope_formats_as_interface_name),
    cmocka_unit_test(test_parse_rejects_malformed_text),
    cmocka_unit_test(test_parse_rejects_bad_unix_escapes),
    cmocka_unit_test(test_parse_rejects_nul_in_path),
    cmocka_unit_test(test_parse_rejects_malformed_family_text),
    cmocka_unit_test(test_parse_rejects_family_bytes_over_storage),
    cmocka_unit_test(test_parse_rejects_host_names),
    cmocka_unit_test(test_parse_rejects_missing_port),
    cmocka_unit_test(test_parse_rejects_port_out_of_range),
    cmocka_unit_test(test_parse_port_detail_names_the_port),
    cmocka_unit_test(test_parse_rejects_unknown_scope),
    cmocka_unit_test(test_parse_accepts_path_of_108_bytes_without_nul),
    cmocka_unit_test(test_parse_rejects_path_of_109_bytes),
    cmocka_unit_test(test_parse_rejects_abstract_of_108_bytes),
    cmocka_unit_test(test_parse_rejects_null),
    cmocka_unit_test(test_parse_detail_caps_long_binary_text),
    cmocka_unit_test(test_format_reports_truncation),
    cmocka_unit_test(test_format_rejects_empty_address),
    cmocka_unit_test(test_format_rejects_address_too_short_for_family),
    cmocka_unit_test(test_format_escapes_leading_at_of_path),
    cmocka_unit_test(test_format_writes_unknown_family_as_hex),
    cmocka_unit_test(test_addr_text_never_fails),
    cmocka_unit_test(test_equal_ignores_ipv6_flowinfo),
    cmocka_unit_test(test_equal_ignores_ipv4_padding),
    cmocka_unit_test(test_equal_compares_port_address_and_scope),
    cmocka_unit_test(test_equal_empty_and_null),
    cmocka_unit_test(test_port_reads_ipv4_and_ipv6),
    cmocka_unit_test(test_port_of_unix_is_eafnosupport),
    cmocka_unit_test(test_set_port_changes_only_the_port),
    cmocka_unit_test(test_set_port_rejects_out_of_range),
    cmocka_unit_test(test_set_port_rejects_unix_and_null),
    cmocka_unit_test(test_family_and_sockaddr_accessors),
    cmocka_unit_test(test_from_ip_builds_ipv4_and_ipv6),
    cmocka_unit_test(test_from_ip_rejects_bad_input),
    cmocka_unit_test(test_from_unix_builds_every_kind),
    cmocka_unit_test(test_from_unix_rejects_bad_names),
    cmocka_unit_test(test_from_sockaddr_validates_length),
    cmocka_unit_test(test_from_sockaddr_trims_unix_path_to_its_nul),
    cmocka_unit_test(test_from_sockaddr_takes_full_path_as_linux_reports_it),
    cmocka_unit_test(test_from_sockaddr_copies_ip_addresses),
    cmocka_unit_test(test_bind_abstract_then_getsockname_is_equal),
    cmocka_unit_test(test_bind_path_then_getsockname_is_equal),
    cmocka_unit_test(test_bind_unnamed_autobinds_abstract),
    cmocka_unit_test(test_bind_path_of_108_bytes_reads_back_and_round_trips),
    cmocka_unit_test(test_bind_ipv4_port_zero_reads_back_a_port),
};

SKT_TEST_MAIN(tests)
