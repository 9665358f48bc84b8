/*
 * test-netdb-hosts.c - the host, service and protocol databases: the
 * gethostby* family, getfqdn, gethostname and sethostname (in a UTS
 * namespace of its own), getservbyname, getservbyport and getprotobyname.
 * Where Python's socket module has the same call, the answer is compared
 * with Python's on this machine. Only names that need no network are
 * resolved; the one nonexistent name is looked up in a child process with
 * a time limit.
 */
#include "netdb-common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <netdb.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* "name|alias,alias|addr,addr", the form the Python snippets print. */
static void hostent_line(const skt_hostent *h, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%s|", h->name);

    for (size_t i = 0; h->aliases[i] != NULL; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 i ? "," : "", h->aliases[i]);
    used += (size_t)snprintf(buf + used, len - used, "|");
    for (size_t i = 0; h->addresses[i] != NULL; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 i ? "," : "", h->addresses[i]);
}

#define PY_HOSTENT_LINE                                                       \
    "print(h[0] + '|' + ','.join(h[1]) + '|' + ','.join(h[2]))"

/* ------------------------------------------------------------------------ */
/* gethostbyname, gethostbyname_ex, gethostbyaddr                           */
/* ------------------------------------------------------------------------ */

static void test_gethostbyname_matches_python(void **state)
{
    static const char *const names[] = {"localhost", "127.0.0.1", "127.1",
                                        "", "<broadcast>",
                                        "255.255.255.255"};
    char list[512], code[1024], expected[1024], got[1024] = "";
    size_t used = 0;
    (void)state;
    python_list(names, sizeof names / sizeof names[0], list, sizeof list);
    snprintf(code, sizeof code,
             "print(' '.join(s.gethostbyname(n) for n in %s))", list);
    python_line(code, expected, sizeof expected);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char text[INET_ADDRSTRLEN];
        SKT_OK(skt_gethostbyname(names[i], text, sizeof text));
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s",
                                 i ? " " : "", text);
    }
    assert_string_equal(got, expected);
}

static void test_gethostbyname_ipv6_literal_gives_eai_code(void **state)
{
    char text[64] = "x";
    int rc;
    (void)state;
    rc = skt_gethostbyname("::1", text, sizeof text);
    assert_true(is_eai_code(rc));
    assert_true(detail_has("gethostbyname \"::1\""));
}

static void test_gethostbyname_short_buffer_is_etruncated(void **state)
{
    char text[10];
    (void)state;
    assert_int_equal(skt_gethostbyname("127.0.0.1", text, 9),
                     SKT_ETRUNCATED);
    assert_string_equal(text, "");
    SKT_OK(skt_gethostbyname("127.0.0.1", text, 10));
    assert_string_equal(text, "127.0.0.1");
    assert_int_equal(skt_gethostbyname("127.0.0.1", text, 0),
                     SKT_ETRUNCATED);
}

static void test_gethostbyname_rejects_null(void **state)
{
    char text[32];
    (void)state;
    assert_int_equal(skt_gethostbyname(NULL, text, sizeof text), -EINVAL);
    assert_true(detail_has("name"));
    assert_int_equal(skt_gethostbyname("localhost", NULL, 0), -EINVAL);
}

static int lookup_unknown_gethostbyname(char *text, size_t len)
{
    return skt_gethostbyname(UNKNOWN_HOST, text, len);
}

static void test_gethostbyname_unknown_host_gives_eai_code(void **state)
{
    struct bounded_result r;
    (void)state;
    run_bounded(lookup_unknown_gethostbyname, &r);
    assert_true(is_eai_code(r.rc));
    assert_non_null(strstr(r.detail, "gethostbyname \"" UNKNOWN_HOST "\""));
}

static void test_gethostbyname_ex_localhost_matches_python(void **state)
{
    char expected[1024], got[1024];
    skt_hostent *h = NULL;
    (void)state;
    python_line("h = s.gethostbyname_ex('localhost')\n" PY_HOSTENT_LINE,
                expected, sizeof expected);
    SKT_OK(skt_gethostbyname_ex("localhost", &h));
    hostent_line(h, got, sizeof got);
    skt_freehostent(h);
    assert_string_equal(got, expected);
}

static void test_gethostbyname_ex_numeric_names_itself(void **state)
{
    skt_hostent *h = NULL;
    (void)state;
    SKT_OK(skt_gethostbyname_ex("127.0.0.1", &h));
    assert_string_equal(h->name, "127.0.0.1");
    assert_null(h->aliases[0]);
    assert_string_equal(h->addresses[0], "127.0.0.1");
    assert_null(h->addresses[1]);
    skt_freehostent(h);
}

static void test_gethostbyname_ex_ipv6_literal_gives_eai_code(void **state)
{
    skt_hostent *h = (skt_hostent *)&h;
    int rc;
    (void)state;
    /* As Python: the name is resolved for IPv4 first, and fails there. */
    rc = skt_gethostbyname_ex("::1", &h);
    assert_true(is_eai_code(rc));
    assert_null(h);
    assert_true(detail_has("gethostbyname_ex \"::1\""));
}

static int lookup_unknown_gethostbyname_ex(char *text, size_t len)
{
    skt_hostent *h = NULL;
    int rc = skt_gethostbyname_ex(UNKNOWN_HOST, &h);
    snprintf(text, len, "%s", h == NULL ? "null" : "entry");
    skt_freehostent(h);
    return rc;
}

static void test_gethostbyname_ex_unknown_host_gives_eai_code(void **state)
{
    struct bounded_result r;
    (void)state;
    run_bounded(lookup_unknown_gethostbyname_ex, &r);
    assert_true(is_eai_code(r.rc));
    assert_string_equal(r.text, "null");
    assert_non_null(strstr(r.detail, UNKNOWN_HOST));
}

static void test_gethostbyname_ex_rejects_null(void **state)
{
    skt_hostent *h = NULL;
    (void)state;
    assert_int_equal(skt_gethostbyname_ex(NULL, &h), -EINVAL);
    assert_int_equal(skt_gethostbyname_ex("localhost", NULL), -EINVAL);
    assert_true(detail_has("gethostbyname_ex"));
}

static void test_gethostbyaddr_loopback_matches_python(void **state)
{
    char expected[1024], got[1024];
    skt_hostent *h = NULL;
    (void)state;
    python_line("h = s.gethostbyaddr('127.0.0.1')\n" PY_HOSTENT_LINE,
                expected, sizeof expected);
    SKT_OK(skt_gethostbyaddr("127.0.0.1", &h));
    hostent_line(h, got, sizeof got);
    skt_freehostent(h);
    assert_string_equal(got, expected);
}

static void test_gethostbyaddr_resolves_a_name_first(void **state)
{
    char expected[1024], got[1024];
    skt_hostent *h = NULL;
    (void)state;
    python_line("h = s.gethostbyaddr('localhost')\n" PY_HOSTENT_LINE,
                expected, sizeof expected);
    SKT_OK(skt_gethostbyaddr("localhost", &h));
    hostent_line(h, got, sizeof got);
    skt_freehostent(h);
    assert_string_equal(got, expected);
}

static void test_gethostbyaddr_ambiguous_wildcard_is_einval(void **state)
{
    skt_hostent *h = NULL;
    (void)state;
    /* "" is both 0.0.0.0 and :: when no family is given; Python refuses
     * it as "wildcard resolved to multiple address". */
    assert_int_equal(skt_gethostbyaddr("", &h), -EINVAL);
    assert_null(h);
    assert_true(detail_has("wildcard"));
}

static int lookup_unknown_gethostbyaddr(char *text, size_t len)
{
    skt_hostent *h = NULL;
    int rc = skt_gethostbyaddr(UNKNOWN_HOST, &h);
    snprintf(text, len, "%s", h == NULL ? "null" : "entry");
    skt_freehostent(h);
    return rc;
}

static void test_gethostbyaddr_unknown_host_gives_eai_code(void **state)
{
    struct bounded_result r;
    (void)state;
    run_bounded(lookup_unknown_gethostbyaddr, &r);
    assert_true(is_eai_code(r.rc));
    assert_string_equal(r.text, "null");
    assert_non_null(strstr(r.detail, "gethostbyaddr \"" UNKNOWN_HOST));
}

static void test_gethostbyaddr_rejects_null(void **state)
{
    skt_hostent *h = NULL;
    (void)state;
    assert_int_equal(skt_gethostbyaddr(NULL, &h), -EINVAL);
    assert_int_equal(skt_gethostbyaddr("127.0.0.1", NULL), -EINVAL);
    assert_true(detail_has("gethostbyaddr"));
}

static void test_freehostent_null_is_noop(void **state)
{
    (void)state;
    skt_freehostent(NULL);
}

/* ------------------------------------------------------------------------ */
/* getfqdn, gethostname, sethostname                                        */
/* ------------------------------------------------------------------------ */

static void test_getfqdn_matches_python(void **state)
{
    static const char *const names[] = {"", "localhost", "127.0.0.1",
                                        "0.0.0.0", "::", "  localhost \t"};
    char list[512], code[1024], expected[2048], got[2048] = "";
    size_t used = 0;
    (void)state;
    python_list(names, sizeof names / sizeof names[0], list, sizeof list);
    snprintf(code, sizeof code,
             "print('|'.join([s.getfqdn()] + [s.getfqdn(n) for n in %s]))",
             list);
    python_line(code, expected, sizeof expected);
    for (size_t i = 0; i <= sizeof names / sizeof names[0]; i++) {
        char fqdn[256];
        int len = skt_getfqdn(i == 0 ? NULL : names[i - 1], fqdn,
                              sizeof fqdn);
        assert_true(len >= 0);
        assert_int_equal((size_t)len, strlen(fqdn));
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s",
                                 i ? "|" : "", fqdn);
    }
    assert_string_equal(got, expected);
}

static int lookup_unknown_getfqdn(char *text, size_t len)
{
    return skt_getfqdn(" " UNKNOWN_HOST " ", text, len);
}

static void test_getfqdn_unknown_name_falls_back_to_it(void **state)
{
    struct bounded_result r;
    (void)state;
    run_bounded(lookup_unknown_getfqdn, &r);
    assert_int_equal(r.rc, (int)strlen(UNKNOWN_HOST));
    assert_string_equal(r.text, UNKNOWN_HOST);
}

static void test_getfqdn_short_buffer_is_etruncated(void **state)
{
    char fqdn[256];
    int len;
    (void)state;
    len = skt_getfqdn("localhost", fqdn, sizeof fqdn);
    assert_true(len > 0);
    assert_int_equal(skt_getfqdn("localhost", fqdn, (size_t)len),
                     SKT_ETRUNCATED);
    assert_string_equal(fqdn, "");
    assert_true(detail_has("getfqdn"));
    assert_int_equal(skt_getfqdn("localhost", fqdn, (size_t)len + 1), len);
}

static void test_getfqdn_rejects_null_output(void **state)
{
    (void)state;
    assert_int_equal(skt_getfqdn("localhost", NULL, 10), -EINVAL);
    assert_true(detail_has("getfqdn"));
}

static void test_gethostname_matches_python(void **state)
{
    char expected[256], name[256];
    int len;
    (void)state;
    python_line("print(s.gethostname())", expected, sizeof expected);
    len = skt_gethostname(name, sizeof name);
    assert_int_equal(len, (int)strlen(expected));
    assert_string_equal(name, expected);
}

static void test_gethostname_short_buffer_is_etruncated(void **state)
{
    char name[256];
    int len;
    (void)state;
    len = skt_gethostname(name, sizeof name);
    assert_true(len > 0);
    assert_int_equal(skt_gethostname(name, (size_t)len), SKT_ETRUNCATED);
    assert_string_equal(name, "");
    assert_true(detail_has("gethostname"));
    assert_int_equal(skt_gethostname(name, (size_t)len + 1), len);
}

static void test_gethostname_rejects_null(void **state)
{
    (void)state;
    assert_int_equal(skt_gethostname(NULL, 64), -EINVAL);
}

/*
 * Runs a check in a child that has its own UTS namespace, so that setting
 * the host name never touches the machine's. The child exits 0 on success,
 * 77 when the namespace cannot be made, and the failing step otherwise.
 */
static void run_in_uts_namespace(int (*check)(void))
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWUTS) < 0)
            _exit(SKT_TEST_SKIP_STATUS);
        _exit(check());
    }
    status = skt_test_wait(pid, 30.0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == SKT_TEST_SKIP_STATUS)
        SKT_SKIP("the child could not unshare(CLONE_NEWUTS) or capset");
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int set_and_get_hostname(void)
{
    char name[256];

    if (skt_sethostname("skt-test-host") != 0)
        return 1;
    if (skt_gethostname(name, sizeof name) != 13)
        return 2;
    return strcmp(name, "skt-test-host") == 0 ? 0 : 3;
}

static void test_sethostname_then_gethostname_round_trips(void **state)
{
    (void)state;
    run_in_uts_namespace(set_and_get_hostname);
}

static int set_overlong_hostname(void)
{
    char name[HOST_NAME_MAX + 2];

    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    if (skt_sethostname(name) != -EINVAL)
        return 1;
    return strstr(skt_error_detail(), "sethostname") != NULL ? 0 : 2;
}

static void test_sethostname_too_long_is_einval(void **state)
{
    (void)state;
    run_in_uts_namespace(set_overlong_hostname);
}

static int set_hostname_without_capability(void)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3,
                                              0};
    struct __user_cap_data_struct none[2];

    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &header, none) != 0)
        return SKT_TEST_SKIP_STATUS;
    return skt_sethostname("skt-no-permission") == -EPERM ? 0 : 1;
}

static void test_sethostname_without_permission_is_eperm(void **state)
{
    (void)state;
    run_in_uts_namespace(set_hostname_without_capability);
}

static void test_sethostname_rejects_null(void **state)
{
    (void)state;
    assert_int_equal(skt_sethostname(NULL), -EINVAL);
    assert_true(detail_has("sethostname"));
}

/* ------------------------------------------------------------------------ */
/* Services and protocols                                                   */
/* ------------------------------------------------------------------------ */

static void test_getservbyname_matches_python(void **state)
{
    char expected[64];
    (void)state;
    python_line("print(s.getservbyname('http', 'tcp'))", expected,
                sizeof expected);
    assert_int_equal(skt_getservbyname("http", "tcp"), atoi(expected));
    assert_int_equal(skt_getservbyname("http", NULL), atoi(expected));
}

static void test_getservbyname_unknown_is_eai_service(void **state)
{
    (void)state;
    assert_int_equal(skt_getservbyname("no-such-service", "tcp"),
                     SKT_EAI_SERVICE);
    assert_true(detail_has("no-such-service"));
    assert_int_equal(skt_getservbyname("http", "no-such-proto"),
                     SKT_EAI_SERVICE);
}

static void test_getservbyname_rejects_null_name(void **state)
{
    (void)state;
    assert_int_equal(skt_getservbyname(NULL, "tcp"), -EINVAL);
}

static void test_getservbyport_matches_python(void **state)
{
    char expected[64], name[64];
    int len;
    (void)state;
    python_line("print(s.getservbyport(22))", expected, sizeof expected);
    len = skt_getservbyport(22, NULL, name, sizeof name);
    assert_int_equal(len, (int)strlen(expected));
    assert_string_equal(name, expected);
}

static void test_getservbyport_out_of_range_is_eportrange(void **state)
{
    char name[64];
    (void)state;
    assert_int_equal(skt_getservbyport(65536, "tcp", name, sizeof name),
                     SKT_EPORTRANGE);
    assert_true(detail_has("65536"));
    assert_int_equal(skt_getservbyport(-1, "tcp", name, sizeof name),
                     SKT_EPORTRANGE);
}

static void test_getservbyport_unknown_is_eai_service(void **state)
{
    char name[64];
    (void)state;
    assert_int_equal(skt_getservbyport(22, "no-such-proto", name,
                                       sizeof name),
                     SKT_EAI_SERVICE);
}

static void test_getservbyport_short_buffer_is_etruncated(void **state)
{
    char name[4];
    (void)state;
    assert_int_equal(skt_getservbyport(22, "tcp", name, 3), SKT_ETRUNCATED);
    assert_string_equal(name, "");
    assert_int_equal(skt_getservbyport(22, "tcp", name, 4), 3);
    assert_string_equal(name, "ssh");
}

static void test_getservbyport_rejects_null_output(void **state)
{
    (void)state;
    assert_int_equal(skt_getservbyport(22, "tcp", NULL, 0), -EINVAL);
}

static void test_getprotobyname_matches_python(void **state)
{
    char expected[64];
    (void)state;
    python_line("print(s.getprotobyname('udp'))", expected, sizeof expected);
    assert_int_equal(skt_getprotobyname("udp"), atoi(expected));
    assert_int_equal(skt_getprotobyname("tcp"), IPPROTO_TCP);
}

static void test_getprotobyname_unknown_is_enoprotoopt(void **state)
{
    (void)state;
    assert_int_equal(skt_getprotobyname("no-such-proto"), -ENOPROTOOPT);
    assert_true(detail_has("no-such-proto"));
    assert_int_equal(skt_getprotobyname(NULL), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_gethostbyname_matches_python),
    cmocka_unit_test(test_gethostbyname_ipv6_literal_gives_eai_code),
    cmocka_unit_test(test_gethostbyname_short_buffer_is_etruncated),
    cmocka_unit_test(test_gethostbyname_rejects_null),
    cmocka_unit_test(test_gethostbyname_unknown_host_gives_eai_code),
    cmocka_unit_test(test_gethostbyname_ex_localhost_matches_python),
    cmocka_unit_test(test_gethostbyname_ex_numeric_names_itself),
    cmocka_unit_test(test_gethostbyname_ex_ipv6_literal_gives_eai_code),
    cmocka_unit_test(test_gethostbyname_ex_unknown_host_gives_eai_code),
    cmocka_unit_test(test_gethostbyname_ex_rejects_null),
    cmocka_unit_test(test_gethostbyaddr_loopback_matches_python),
    cmocka_unit_test(test_gethostbyaddr_resolves_a_name_first),
    cmocka_unit_test(test_gethostbyaddr_ambiguous_wildcard_is_einval),
    cmocka_unit_test(test_gethostbyaddr_unknown_host_gives_eai_code),
    cmocka_unit_test(test_gethostbyaddr_rejects_null),
    cmocka_unit_test(test_freehostent_null_is_noop),
    cmocka_unit_test(test_getfqdn_matches_python),
    cmocka_unit_test(test_getfqdn_unknown_name_falls_back_to_it),
    cmocka_unit_test(test_getfqdn_short_buffer_is_etruncated),
    cmocka_unit_test(test_getfqdn_rejects_null_output),
    cmocka_unit_test(test_gethostname_matches_python),
    cmocka_unit_test(test_gethostname_short_buffer_is_etruncated),
    cmocka_unit_test(test_gethostname_rejects_null),
    cmocka_unit_test(test_sethostname_then_gethostname_round_trips),
    cmocka_unit_test(test_sethostname_too_long_is_einval),
    cmocka_unit_test(test_sethostname_without_permission_is_eperm),
    cmocka_unit_test(test_sethostname_rejects_null),
    cmocka_unit_test(test_getservbyname_matches_python),
    cmocka_unit_test(test_getservbyname_unknown_is_eai_service),
    cmocka_unit_test(test_getservbyname_rejects_null_name),
    cmocka_unit_test(test_getservbyport_matches_python),
    cmocka_unit_test(test_getservbyport_out_of_range_is_eportrange),
    cmocka_unit_test(test_getservbyport_unknown_is_eai_service),
    cmocka_unit_test(test_getservbyport_short_buffer_is_etruncated),
    cmocka_unit_test(test_getservbyport_rejects_null_output),
    cmocka_unit_test(test_getprotobyname_matches_python),
    cmocka_unit_test(test_getprotobyname_unknown_is_enoprotoopt),
};

SKT_TEST_MAIN(tests)
