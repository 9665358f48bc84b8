/*
 * test-deadline.c - the time layer: every conversion between seconds,
 * nanoseconds, milliseconds and timespecs, the validity of a timeout, and
 * deadlines. Conversions round up, so that a wait never ends early.
 */
#include "harness.h"
#include "internal.h"

#include <limits.h>
#include <math.h>

static void test_seconds_to_ns_never_rounds_down(void **state)
{
    static const double values[] = {0.1, 0.3, 0.7, 1e-6, 2.675, 1.5,
                                    0.000123456789, 12345.678901234};
    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int64_t ns = skt__ns_from_seconds(values[i]);
        /* Never short of the timeout, and never more than 1 ns over. */
        assert_true((double)ns >= values[i] * 1e9);
        assert_true((double)(ns - 1) < values[i] * 1e9);
    }
    assert_int_equal(skt__ns_from_seconds(0.3), 300000000);
    assert_int_equal(skt__ns_from_seconds(0), 0);
}

static void test_seconds_to_ns_keeps_a_tiny_timeout_nonzero(void **state)
{
    (void)state;
    /* A tenth of a nanosecond is still a wait, not a poll. */
    assert_int_equal(skt__ns_from_seconds(1e-10), 1);
}

static void test_seconds_to_ns_caps_at_timeout_max(void **state)
{
    (void)state;
    assert_int_equal(skt__ns_from_seconds(SKT_TIMEOUT_MAX),
                     (int64_t)1000000000 * 1000000000);
    assert_int_equal(skt__ns_from_seconds(1e30),
                     skt__ns_from_seconds(SKT_TIMEOUT_MAX));
    assert_int_equal(skt__ns_from_seconds(INFINITY),
                     skt__ns_from_seconds(SKT_TIMEOUT_MAX));
}

static void test_timespec_from_ns_splits_seconds_and_rest(void **state)
{
    struct timespec ts = skt__timespec_from_ns(1500000001);
    (void)state;
    assert_int_equal(ts.tv_sec, 1);
    assert_int_equal(ts.tv_nsec, 500000001);
    ts = skt__timespec_from_ns(999999999);
    assert_int_equal(ts.tv_sec, 0);
    assert_int_equal(ts.tv_nsec, 999999999);
}

static void test_ms_from_ns_rounds_up_and_caps(void **state)
{
    (void)state;
    assert_int_equal(skt__ms_from_ns(0), 0);
    assert_int_equal(skt__ms_from_ns(1), 1);
    assert_int_equal(skt__ms_from_ns(1000000), 1);
    assert_int_equal(skt__ms_from_ns(1000001), 2);
    assert_int_equal(skt__ms_from_ns(-1), -1);
    assert_int_equal(skt__ms_from_ns(INT64_MAX), INT_MAX);
}

static void test_seconds_from_ns_is_exact_for_whole_units(void **state)
{
    (void)state;
    assert_true(skt__seconds_from_ns(1500000000) == 1.5);
    assert_true(skt__seconds_from_ns(0) == 0.0);
}

static void test_timeout_valid_takes_any_finite_value(void **state)
{
    (void)state;
    assert_true(skt__timeout_valid(SKT_BLOCKING));
    assert_true(skt__timeout_valid(0));
    assert_true(skt__timeout_valid(0.5));
    assert_true(skt__timeout_valid(SKT_TIMEOUT_MAX));
    assert_false(skt__timeout_valid(NAN));
    assert_false(skt__timeout_valid(-0.5));
    assert_false(skt__timeout_valid(INFINITY));
    /* A finite timeout past the clock's reach is practically forever. */
    assert_true(skt__timeout_valid(SKT_TIMEOUT_MAX * 2));
    assert_true(skt__timeout_valid(1e300));
    /* Seconds alone: no SKT_BLOCKING. */
    assert_false(skt__seconds_valid(SKT_BLOCKING));
    assert_true(skt__seconds_valid(0));
    assert_false(skt__seconds_valid(NAN));
}

static void test_deadline_of_blocking_never_comes(void **state)
{
    int64_t before = skt__now(), deadline = skt__deadline(0.25);
    (void)state;
    assert_int_equal(skt__deadline(SKT_BLOCKING), SKT__NEVER);
    assert_true(deadline >= before + 250000000);
    assert_true(deadline <= skt__now() + 250000000);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seconds_to_ns_never_rounds_down),
    cmocka_unit_test(test_seconds_to_ns_keeps_a_tiny_timeout_nonzero),
    cmocka_unit_test(test_seconds_to_ns_caps_at_timeout_max),
    cmocka_unit_test(test_timespec_from_ns_splits_seconds_and_rest),
    cmocka_unit_test(test_ms_from_ns_rounds_up_and_caps),
    cmocka_unit_test(test_seconds_from_ns_is_exact_for_whole_units),
    cmocka_unit_test(test_timeout_valid_takes_any_finite_value),
    cmocka_unit_test(test_deadline_of_blocking_never_comes),
};

SKT_TEST_MAIN(tests)
