/*
 * test-version.c - the version, said four ways, is one version: the
 * header's macros, SKT_VERSION_STRING, the CMake project version (which
 * names the shared library and the packages), and what the library
 * answers at run time, both the static library linked here and the
 * shared one loaded with dlopen.
 */
#include "harness.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The header's parts, as "MAJOR.MINOR.PATCH". */
static const char *parts_as_text(void)
{
    static char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", SKT_VERSION_MAJOR,
             SKT_VERSION_MINOR, SKT_VERSION_PATCH);
    return text;
}

static void test_version_string_macro_matches_the_parts(void **state)
{
    (void)state;
    assert_string_equal(SKT_VERSION_STRING, parts_as_text());
}

/* 0xMMmmpp: each part has its byte, so numbers compare as versions do. */
static void test_version_number_packs_one_byte_a_part(void **state)
{
    (void)state;
    assert_true(SKT_VERSION_MINOR < 256 && SKT_VERSION_PATCH < 256);
    assert_int_equal(SKT_VERSION_NUM >> 16, SKT_VERSION_MAJOR);
    assert_int_equal((SKT_VERSION_NUM >> 8) & 0xff, SKT_VERSION_MINOR);
    assert_int_equal(SKT_VERSION_NUM & 0xff, SKT_VERSION_PATCH);
}

static void test_version_matches_the_cmake_project_version(void **state)
{
    (void)state;
    assert_string_equal(SKT_PROJECT_VERSION, SKT_VERSION_STRING);
}

static void test_version_functions_report_the_header_version(void **state)
{
    (void)state;
    assert_int_equal(skt_version(), SKT_VERSION_NUM);
    assert_non_null(skt_version_string());
    assert_string_equal(skt_version_string(), SKT_VERSION_STRING);
}

/* A program that loads libskt.so learns that library's version. */
static void test_shared_library_reports_the_header_version(void **state)
{
    unsigned (*version)(void);
    const char *(*version_string)(void);
    void *lib = dlopen(SKT_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    (void)state;

    if (lib == NULL)
        fail_msg("dlopen %s: %s", SKT_SHARED_LIBRARY, dlerror());
    *(void **)&version = dlsym(lib, "skt_version");
    *(void **)&version_string = dlsym(lib, "skt_version_string");
    assert_non_null(version);
    assert_non_null(version_string);
    assert_int_equal(version(), SKT_VERSION_NUM);
    assert_string_equal(version_string(), SKT_VERSION_STRING);
    dlclose(lib);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_version_string_macro_matches_the_parts),
    cmocka_unit_test(test_version_number_packs_one_byte_a_part),
    cmocka_unit_test(test_version_matches_the_cmake_project_version),
    cmocka_unit_test(test_version_functions_report_the_header_version),
    cmocka_unit_test(test_shared_library_reports_the_header_version),
};

SKT_TEST_MAIN(tests)
