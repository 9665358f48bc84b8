/*
 * test-sha256.c - skt_sha256: the NIST example messages ("", "abc", the
 * 448-bit message, a million 'a' fed in uneven pieces), a digest taken in
 * the middle leaving the hash going on, a random buffer against Python's
 * hashlib, and the argument checks.
 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The digest as 64 lowercase hex digits, into hex (65 bytes). */
static const char *hex_of(const unsigned char *digest, char *hex)
{
    for (size_t i = 0; i < SKT_SHA256_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return hex;
}

/* The hex digest of the bytes fed so far. */
static const char *hex_digest(const skt_sha256 *h, char *hex)
{
    unsigned char digest[SKT_SHA256_SIZE];

    SKT_OK(skt_sha256_digest(h, digest));
    return hex_of(digest, hex);
}

/* The hex digest of text, fed in one piece. */
static void expect_digest_of(const char *text, const char *want)
{
    skt_sha256 *h;
    char hex[2 * SKT_SHA256_SIZE + 1];

    SKT_OK(skt_sha256_new(&h));
    SKT_OK(skt_sha256_update(h, text, strlen(text)));
    assert_string_equal(hex_digest(h, hex), want);
    skt_sha256_free(h);
}

/* FIPS 180-2, appendix B, and NIST's example values. */
static void test_nist_short_messages(void **state)
{
    (void)state;
    expect_digest_of("", "e3b0c44298fc1c149afbf4c8996fb924"
                         "27ae41e4649b934ca495991b7852b855");
    expect_digest_of("abc", "ba7816bf8f01cfea414140de5dae2223"
                            "b00361a396177a9cb410ff61f20015ad");
    expect_digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                     "248d6a61d20638b8e5c026930c3e6039"
                     "a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a' in pieces of 1, 2, ... 997 bytes, in turn, crossing the
 * 64-byte blocks at every offset. */
static void test_million_a_in_uneven_pieces(void **state)
{
    static char a[1000];
    char hex[2 * SKT_SHA256_SIZE + 1];
    size_t fed = 0, piece = 1;
    skt_sha256 *h;

    (void)state;
    memset(a, 'a', sizeof a);
    SKT_OK(skt_sha256_new(&h));
    while (fed < 1000000) {
        size_t n = piece < 1000000 - fed ? piece : 1000000 - fed;
        SKT_OK(skt_sha256_update(h, a, n));
        fed += n;
        piece = piece % 997 + 1;
    }
    assert_string_equal(hex_digest(h, hex),
                        "cdc76e5c9914fb9281a1c7e284d73e67"
                        "f1809a48a497200e046d39ccc7112cd0");
    skt_sha256_free(h);
}

/* A digest leaves the hash going on: "ab" then "c" gives abc's digest. */
static void test_digest_leaves_the_hash_going_on(void **state)
{
    char hex[2 * SKT_SHA256_SIZE + 1];
    skt_sha256 *h;

    (void)state;
    SKT_OK(skt_sha256_new(&h));
    SKT_OK(skt_sha256_update(h, "ab", 2));
    assert_string_equal(hex_digest(h, hex),
                        "fb8e20fc2e4c3f248c60c39bd652f3c1"
                        "347298bb977b8b4d5903b85055620603");
    assert_string_equal(hex_digest(h, hex),
                        "fb8e20fc2e4c3f248c60c39bd652f3c1"
                        "347298bb977b8b4d5903b85055620603");
    SKT_OK(skt_sha256_update(h, NULL, 0));
    SKT_OK(skt_sha256_update(h, "c", 1));
    assert_string_equal(hex_digest(h, hex),
                        "ba7816bf8f01cfea414140de5dae2223"
                        "b00361a396177a9cb410ff61f20015ad");
    skt_sha256_free(h);
}

/* All of fd, to its end; *len bytes, malloc'd. */
static unsigned char *read_all(int fd, size_t *len)
{
    size_t cap = 1 << 16, used = 0;
    unsigned char *data = malloc(cap);
    ssize_t got;

    assert_non_null(data);
    while ((got = read(fd, data + used, cap - used)) > 0) {
        used += (size_t)got;
        if (used == cap)
            assert_non_null(data = realloc(data, cap *= 2));
    }
    *len = used;
    return data;
}

/* Python writes hashlib's digest of a random buffer, then the buffer;
 * skt hashes the buffer in random pieces and must agree. */
static void test_random_buffer_matches_python_hashlib(void **state)
{
    const char *python = skt_test_python();
    unsigned char digest[SKT_SHA256_SIZE], *data;
    uint32_t seed = 12345;
    size_t len, at = SKT_SHA256_SIZE;
    skt_sha256 *h;
    int fd;

    (void)state;
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    char *argv[] = {(char *)python, "-c",
                    "import hashlib, os, sys\n"
                    "data = os.urandom(1000003)\n"
                    "sys.stdout.buffer.write(hashlib.sha256(data).digest()"
                    " + data)\n",
                    NULL};
    pid_t pid = skt_test_spawn(argv, &fd);
    data = read_all(fd, &len);
    close(fd);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    assert_int_equal(len, SKT_SHA256_SIZE + 1000003);
    SKT_OK(skt_sha256_new(&h));
    while (at < len) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 8) % 70000;
        n = n < len - at ? n : len - at;
        SKT_OK(skt_sha256_update(h, data + at, n));
        at += n;
    }
    SKT_OK(skt_sha256_digest(h, digest));
    assert_memory_equal(digest, data, SKT_SHA256_SIZE);
    skt_sha256_free(h);
    free(data);
}

/* NULL arguments are -EINVAL with a detail; free takes NULL. */
static void test_null_arguments_are_einval(void **state)
{
    unsigned char digest[SKT_SHA256_SIZE];
    skt_sha256 *h;

    (void)state;
    assert_int_equal(skt_sha256_new(NULL), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "sha256_new"));
    assert_int_equal(skt_sha256_update(NULL, "a", 1), -EINVAL);
    assert_int_equal(skt_sha256_digest(NULL, digest), -EINVAL);
    SKT_OK(skt_sha256_new(&h));
    assert_int_equal(skt_sha256_update(h, NULL, 1), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "data is NULL"));
    assert_int_equal(skt_sha256_digest(h, NULL), -EINVAL);
    skt_sha256_free(h);
    skt_sha256_free(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_nist_short_messages),
    cmocka_unit_test(test_million_a_in_uneven_pieces),
    cmocka_unit_test(test_digest_leaves_the_hash_going_on),
    cmocka_unit_test(test_random_buffer_matches_python_hashlib),
    cmocka_unit_test(test_null_arguments_are_einval),
};

SKT_TEST_MAIN(tests)
