/*
 * test-iface.c - the interfaces by name and index (if_nameindex,
 * if_nametoindex, if_indextoname), compared with Python's list on this
 * machine.
 */
#include "netdb-common.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Interfaces                                                               */
/* ------------------------------------------------------------------------ */

static void test_if_nameindex_matches_python(void **state)
{
    char expected[LINE_MAX_LEN], got[LINE_MAX_LEN] = "";
    skt_ifentry *list = NULL;
    size_t count = 0, used = 0;
    (void)state;
    python_line("print(';'.join('%d:%s' % e for e in s.if_nameindex()))",
                expected, sizeof expected);
    SKT_OK(skt_if_nameindex(&list, &count));
    assert_non_null(list);
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%u:%s",
                                 i ? ";" : "", list[i].index, list[i].name);
    skt_if_freenameindex(list, count);
    assert_string_equal(got, expected);
}

static void test_if_nameindex_rejects_null(void **state)
{
    skt_ifentry *list;
    size_t count;
    (void)state;
    assert_int_equal(skt_if_nameindex(NULL, &count), -EINVAL);
    assert_int_equal(skt_if_nameindex(&list, NULL), -EINVAL);
    skt_if_freenameindex(NULL, 3);
}

static void test_if_nametoindex_and_back_round_trip(void **state)
{
    char name[IF_NAMESIZE];
    int index;
    (void)state;
    index = skt_if_nametoindex("lo");
    if (index == -ENODEV)
        SKT_SKIP("no loopback interface named lo");
    assert_true(index > 0);
    assert_int_equal(skt_if_indextoname((unsigned)index, name, sizeof name),
                     2);
    assert_string_equal(name, "lo");
}

static void test_if_nametoindex_unknown_is_enodev(void **state)
{
    (void)state;
    assert_int_equal(skt_if_nametoindex("nosuchif0"), -ENODEV);
    assert_true(detail_has("nosuchif0"));
    assert_int_equal(skt_if_nametoindex("an-interface-name-too-long"),
                     -ENODEV);
    assert_int_equal(skt_if_nametoindex(NULL), -EINVAL);
}

static void test_if_indextoname_unknown_is_enxio(void **state)
{
    char name[IF_NAMESIZE];
    (void)state;
    assert_int_equal(skt_if_indextoname(0, name, sizeof name), -ENXIO);
    assert_int_equal(skt_if_indextoname(0x7ffffff0u, name, sizeof name),
                     -ENXIO);
    assert_true(detail_has("if_indextoname"));
}

static void test_if_indextoname_short_buffer_is_etruncated(void **state)
{
    skt_ifentry *list = NULL;
    size_t count = 0, len;
    char name[IF_NAMESIZE];
    (void)state;
    SKT_OK(skt_if_nameindex(&list, &count));
    if (count == 0) {
        skt_if_freenameindex(list, count);
        SKT_SKIP("no network interface at all");
    }
    len = strlen(list[0].name);
    assert_int_equal(skt_if_indextoname(list[0].index, name, len),
                     SKT_ETRUNCATED);
    assert_string_equal(name, "");
    assert_int_equal(skt_if_indextoname(list[0].index, name, len + 1),
                     (int)len);
    assert_string_equal(name, list[0].name);
    assert_int_equal(skt_if_indextoname(list[0].index, NULL, 0), -EINVAL);
    skt_if_freenameindex(list, count);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_if_nameindex_matches_python),
    cmocka_unit_test(test_if_nameindex_rejects_null),
    cmocka_unit_test(test_if_nametoindex_and_back_round_trip),
    cmocka_unit_test(test_if_nametoindex_unknown_is_enodev),
    cmocka_unit_test(test_if_indextoname_unknown_is_enxio),
    cmocka_unit_test(test_if_indextoname_short_buffer_is_etruncated),
};

SKT_TEST_MAIN(tests)
