/*
 * test-netdb.c - the resolver's wrappers: getaddrinfo with its hints and
 * getnameinfo under a timeout, lookups from several threads at once, and
 * has_dualstack_ipv6 (the host, service and protocol databases are tested
 * in test-netdb-hosts.c). Where Python's socket module has the same call,
 * the answer is compared with Python's on this machine. Only names that
 * need no network are resolved; the one nonexistent name is looked up in
 * a child process with a time limit.
 */
#include "netdb-common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* getaddrinfo                                                              */
/* ------------------------------------------------------------------------ */

static void test_getaddrinfo_localhost_gives_loopback(void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_STREAM};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo("localhost", "80", &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    assert_int_equal(res->family, AF_INET);
    assert_int_equal(res->type, SOCK_STREAM);
    assert_int_equal(res->proto, IPPROTO_TCP);
    assert_int_equal(res->addr.len, sizeof(struct sockaddr_in));
    assert_int_equal(res->addr.u.in4.sin_family, AF_INET);
    assert_int_equal(res->addr.u.in4.sin_addr.s_addr,
                     htonl(INADDR_LOOPBACK));
    assert_int_equal(ntohs(res->addr.u.in4.sin_port), 80);
    assert_null(res->canonname);
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_null_hints_match_python(void **state)
{
    static const char *const hosts[] = {"127.0.0.1", "::1", "localhost"};
    char list[256], code[512], expected[LINE_MAX_LEN], got[LINE_MAX_LEN] = "";
    size_t used = 0;
    (void)state;
    python_list(hosts, sizeof hosts / sizeof hosts[0], list, sizeof list);
    snprintf(code, sizeof code,
             "print(' '.join('%%d/%%d/%%d' %% (f, t, p) for h in %s"
             " for f, t, p, c, a in s.getaddrinfo(h, '80')))", list);
    python_line(code, expected, sizeof expected);
    /* NULL hints are Python's zero defaults, not glibc's AI_V4MAPPED |
     * AI_ADDRCONFIG, which drop IPv6 results on a host without IPv6. */
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        skt_addrinfo *res = NULL;
        SKT_OK(skt_getaddrinfo(hosts[i], "80", NULL, SKT_BLOCKING, &res));
        for (const skt_addrinfo *ai = res; ai != NULL; ai = ai->next)
            used += (size_t)snprintf(got + used, sizeof got - used,
                                     "%s%d/%d/%d", used ? " " : "",
                                     ai->family, ai->type, ai->proto);
        skt_freeaddrinfo(res);
    }
    assert_string_equal(got, expected);
}

static void test_getaddrinfo_ipv6_family_gives_only_ipv6(void **state)
{
    skt_addrinfo hints = {.family = AF_INET6};
    skt_addrinfo *res = NULL;
    int count = 0;
    (void)state;
    SKT_OK(skt_getaddrinfo("::1", "443", &hints, SKT_BLOCKING, &res));
    for (const skt_addrinfo *ai = res; ai != NULL; ai = ai->next) {
        assert_int_equal(ai->family, AF_INET6);
        assert_int_equal(ai->addr.len, sizeof(struct sockaddr_in6));
        assert_true(IN6_IS_ADDR_LOOPBACK(&ai->addr.u.in6.sin6_addr));
        assert_int_equal(ntohs(ai->addr.u.in6.sin6_port), 443);
        count++;
    }
    assert_true(count > 0);
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_ipv6_family_refuses_ipv4_literal(void **state)
{
    skt_addrinfo hints = {.family = AF_INET6};
    skt_addrinfo *res = (skt_addrinfo *)&res;
    int rc;
    (void)state;
    rc = skt_getaddrinfo("127.0.0.1", "80", &hints, SKT_BLOCKING, &res);
    assert_true(is_eai_code(rc));
    assert_null(res);
    assert_true(detail_has("\"127.0.0.1\" port \"80\""));
}

static void test_getaddrinfo_dgram_hint_gives_udp(void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_DGRAM};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo("127.0.0.1", "53", &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    for (const skt_addrinfo *ai = res; ai != NULL; ai = ai->next) {
        assert_int_equal(ai->type, SOCK_DGRAM);
        assert_int_equal(ai->proto, IPPROTO_UDP);
    }
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_passive_null_host_gives_wildcard(void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_STREAM,
                          .flags = AI_PASSIVE};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo(NULL, "8080", &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    assert_int_equal(res->addr.u.in4.sin_addr.s_addr, htonl(INADDR_ANY));
    assert_int_equal(ntohs(res->addr.u.in4.sin_port), 8080);
    skt_freeaddrinfo(res);
    hints.family = AF_INET6;
    SKT_OK(skt_getaddrinfo(NULL, "8080", &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    assert_true(IN6_IS_ADDR_UNSPECIFIED(&res->addr.u.in6.sin6_addr));
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_null_host_without_passive_is_loopback(
    void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_STREAM};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo(NULL, "8080", &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    assert_int_equal(res->addr.u.in4.sin_addr.s_addr,
                     htonl(INADDR_LOOPBACK));
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_canonname_on_first_result(void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .flags = AI_CANONNAME};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo("localhost", NULL, &hints, SKT_BLOCKING, &res));
    assert_non_null(res);
    assert_non_null(res->canonname);
    assert_string_equal(res->canonname, "localhost");
    for (const skt_addrinfo *ai = res->next; ai != NULL; ai = ai->next)
        assert_null(ai->canonname);
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_service_name_gives_its_port(void **state)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_STREAM};
    skt_addrinfo *res = NULL;
    (void)state;
    SKT_OK(skt_getaddrinfo("127.0.0.1", "http", &hints, SKT_BLOCKING,
                           &res));
    assert_non_null(res);
    assert_int_equal(ntohs(res->addr.u.in4.sin_port), 80);
    skt_freeaddrinfo(res);
}

static int lookup_unknown_getaddrinfo(char *text, size_t len)
{
    skt_addrinfo *res = NULL;
    int rc = skt_getaddrinfo(UNKNOWN_HOST, "80", NULL, SKT_BLOCKING, &res);
    snprintf(text, len, "%s", res == NULL ? "null" : "list");
    skt_freeaddrinfo(res);
    return rc;
}

static void test_getaddrinfo_unknown_host_gives_eai_code(void **state)
{
    struct bounded_result r;
    (void)state;
    run_bounded(lookup_unknown_getaddrinfo, &r);
    assert_true(is_eai_code(r.rc));
    assert_string_equal(r.text, "null");
    assert_non_null(strstr(r.detail, "getaddrinfo \"" UNKNOWN_HOST
                                     "\" port \"80\": "));
    assert_non_null(strstr(r.detail, skt_strerror(r.rc)));
}

static void test_getaddrinfo_bad_flags_give_eai_badflags(void **state)
{
    skt_addrinfo hints = {.flags = 0x40000};
    skt_addrinfo *res = NULL;
    (void)state;
    assert_int_equal(skt_getaddrinfo("127.0.0.1", "80", &hints,
                                     SKT_BLOCKING, &res),
                     SKT_EAI_BADFLAGS);
    assert_null(res);
}

static void test_getaddrinfo_numeric_port_over_65535_is_eportrange(
    void **state)
{
    static const char *const ports[] = {"65536", "70000", "-1",
                                        "99999999999999999999"};
    skt_addrinfo *res = NULL;
    (void)state;
    /* glibc alone would wrap "70000" round to port 4464. */
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        assert_int_equal(skt_getaddrinfo("127.0.0.1", ports[i], NULL,
                                         SKT_BLOCKING, &res),
                         SKT_EPORTRANGE);
        assert_null(res);
        assert_true(detail_has(ports[i]));
    }
    SKT_OK(skt_getaddrinfo("127.0.0.1", "65535", NULL, SKT_BLOCKING, &res));
    assert_int_equal(ntohs(res->addr.u.in4.sin_port), 65535);
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_rejects_null_arguments(void **state)
{
    skt_addrinfo *res = (skt_addrinfo *)&res;
    (void)state;
    assert_int_equal(skt_getaddrinfo("localhost", "80", NULL, SKT_BLOCKING,
                                     NULL),
                     -EINVAL);
    assert_true(detail_has("res"));
}

/* Python's getaddrinfo(None, None) is gaierror EAI_NONAME, the system's
 * answer; skt gives the same code, without asking the resolver. */
static void test_getaddrinfo_host_and_port_both_null_is_eai_noname(
    void **state)
{
    char line[64];
    skt_addrinfo *res = (skt_addrinfo *)&res;
    (void)state;
    assert_int_equal(skt_getaddrinfo(NULL, NULL, NULL, SKT_BLOCKING, &res),
                     SKT_EAI_NONAME);
    assert_null(res);
    assert_true(detail_has("both NULL"));
    assert_true(detail_has(skt_strerror(SKT_EAI_NONAME)));
    assert_string_equal(skt_errname(SKT_EAI_NONAME), "EAI_NONAME");
    python_line("try: s.getaddrinfo(None, None)\n"
                "except s.gaierror as e: print(e.errno == s.EAI_NONAME)",
                line, sizeof line);
    assert_string_equal(line, "True");
}

static void test_getaddrinfo_rejects_bad_timeouts(void **state)
{
    static const double bad[] = {-2.0, -0.5, NAN, INFINITY, -INFINITY};
    skt_addrinfo *res = NULL;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(skt_getaddrinfo("127.0.0.1", "80", NULL, bad[i],
                                         &res),
                         -EINVAL);
        assert_null(res);
        assert_true(detail_has("timeout"));
    }
}

static void test_getaddrinfo_accepts_every_timeout_mode(void **state)
{
    static const double good[] = {SKT_BLOCKING, 0.0, 2.5, SKT_TIMEOUT_MAX,
                                  5e9};
    skt_addrinfo *res = NULL;
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        SKT_OK(skt_getaddrinfo("127.0.0.1", "80", NULL, good[i], &res));
        assert_non_null(res);
        skt_freeaddrinfo(res);
        res = NULL;
    }
}

static void test_freeaddrinfo_null_is_noop(void **state)
{
    (void)state;
    skt_freeaddrinfo(NULL);
}

/* ------------------------------------------------------------------------ */
/* Thread safety                                                            */
/* ------------------------------------------------------------------------ */

struct worker {
    pthread_barrier_t *start;
    const char *loopback_name;
    int failures;
};

static bool resolve_once(const struct worker *w)
{
    skt_addrinfo hints = {.family = AF_INET, .type = SOCK_STREAM};
    skt_addrinfo *res = NULL;
    skt_hostent *h = NULL;
    char text[64];
    bool ok;

    ok = skt_getaddrinfo("localhost", "80", &hints, SKT_BLOCKING, &res) == 0
         && res->addr.u.in4.sin_addr.s_addr == htonl(INADDR_LOOPBACK)
         && ntohs(res->addr.u.in4.sin_port) == 80;
    skt_freeaddrinfo(res);
    ok = ok && skt_gethostbyname("localhost", text, sizeof text) == 0 &&
         strcmp(text, "127.0.0.1") == 0;
    ok = ok && skt_gethostbyaddr("127.0.0.1", &h) == 0 &&
         strcmp(h->name, w->loopback_name) == 0;
    skt_freehostent(h);
    ok = ok && skt_getservbyname("http", "tcp") == 80 &&
         skt_getservbyport(22, "tcp", text, sizeof text) > 0 &&
         strcmp(text, "ssh") == 0;
    return ok;
}

static void *resolve_repeatedly(void *arg)
{
    struct worker *w = arg;

    pthread_barrier_wait(w->start);
    for (int i = 0; i < 200; i++)
        if (!resolve_once(w))
            w->failures++;
    return NULL;
}

static void test_lookups_from_four_threads_agree(void **state)
{
    pthread_barrier_t start;
    struct worker workers[4];
    pthread_t threads[4];
    skt_hostent *h = NULL;
    (void)state;
    SKT_OK(skt_gethostbyaddr("127.0.0.1", &h));
    assert_int_equal(pthread_barrier_init(&start, NULL, 4), 0);
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct worker){&start, h->name, 0};
        assert_int_equal(pthread_create(&threads[i], NULL,
                                        resolve_repeatedly, &workers[i]),
                         0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].failures, 0);
    }
    pthread_barrier_destroy(&start);
    skt_freehostent(h);
}

/* ------------------------------------------------------------------------ */
/* getnameinfo                                                              */
/* ------------------------------------------------------------------------ */

static void loopback_port_80(skt_addr *a)
{
    memset(a, 0, sizeof *a);
    a->u.in4.sin_family = AF_INET;
    a->u.in4.sin_port = htons(80);
    a->u.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->len = sizeof(struct sockaddr_in);
}

static void check_nameinfo_against_python(int flags, const char *pyflags)
{
    char code[256], expected[512], got[NI_MAXHOST + NI_MAXSERV + 2];
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    skt_addr a;

    snprintf(code, sizeof code, "print('%%s %%s' %% s.getnameinfo("
             "('127.0.0.1', 80), %s))", pyflags);
    python_line(code, expected, sizeof expected);
    loopback_port_80(&a);
    SKT_OK(skt_getnameinfo(&a, flags, SKT_BLOCKING,
                           host, sizeof host, serv, sizeof serv));
    snprintf(got, sizeof got, "%s %s", host, serv);
    assert_string_equal(got, expected);
}

static void test_getnameinfo_numeric_matches_python(void **state)
{
    (void)state;
    check_nameinfo_against_python(NI_NUMERICHOST | NI_NUMERICSERV,
                                  "s.NI_NUMERICHOST | s.NI_NUMERICSERV");
}

static void test_getnameinfo_names_match_python(void **state)
{
    (void)state;
    check_nameinfo_against_python(0, "0");
}

static void test_getnameinfo_host_or_service_alone(void **state)
{
    char host[64], serv[16];
    skt_addr a;
    (void)state;
    loopback_port_80(&a);
    SKT_OK(skt_getnameinfo(&a, NI_NUMERICHOST, SKT_BLOCKING,
                           host, sizeof host, NULL, 0));
    assert_string_equal(host, "127.0.0.1");
    SKT_OK(skt_getnameinfo(&a, NI_NUMERICSERV, SKT_BLOCKING,
                           NULL, 0, serv, sizeof serv));
    assert_string_equal(serv, "80");
}

static void test_getnameinfo_short_host_buffer_is_etruncated(void **state)
{
    char host[9] = "x", serv[16];
    skt_addr a;
    (void)state;
    loopback_port_80(&a);
    /* "127.0.0.1" needs 10 bytes with its NUL. */
    assert_int_equal(skt_getnameinfo(&a, NI_NUMERICHOST | NI_NUMERICSERV,
                                     SKT_BLOCKING, host, sizeof host, serv,
                                     sizeof serv),
                     SKT_ETRUNCATED);
    assert_string_equal(host, "");
    assert_true(detail_has("getnameinfo"));
}

static void test_getnameinfo_short_service_buffer_is_etruncated(
    void **state)
{
    char host[64], serv[2] = "x";
    skt_addr a;
    (void)state;
    loopback_port_80(&a);
    assert_int_equal(skt_getnameinfo(&a, NI_NUMERICHOST | NI_NUMERICSERV,
                                     SKT_BLOCKING, host, sizeof host, serv,
                                     sizeof serv),
                     SKT_ETRUNCATED);
    assert_string_equal(serv, "");
}

static void test_getnameinfo_rejects_bad_arguments(void **state)
{
    char host[64];
    skt_addr a, empty;
    (void)state;
    loopback_port_80(&a);
    memset(&empty, 0, sizeof empty);
    assert_int_equal(skt_getnameinfo(NULL, 0, SKT_BLOCKING,
                                     host, sizeof host, NULL, 0),
                     -EINVAL);
    assert_int_equal(skt_getnameinfo(&empty, 0, SKT_BLOCKING,
                                     host, sizeof host, NULL, 0),
                     -EINVAL);
    assert_int_equal(skt_getnameinfo(&a, 0, SKT_BLOCKING,
                                     NULL, 0, NULL, 0), -EINVAL);
    assert_int_equal(skt_getnameinfo(&a, 0, SKT_BLOCKING,
                                     NULL, 10, NULL, 0), -EINVAL);
    assert_int_equal(skt_getnameinfo(&a, 0, SKT_BLOCKING,
                                     host, sizeof host, NULL, 5),
                     -EINVAL);
    assert_true(detail_has("getnameinfo"));
}

/* ------------------------------------------------------------------------ */
/* Dual-stack                                                               */
/* ------------------------------------------------------------------------ */

static void test_has_dualstack_ipv6_matches_python(void **state)
{
    char expected[16];
    (void)state;
    python_line("print(s.has_dualstack_ipv6())", expected, sizeof expected);
    assert_string_equal(skt_has_dualstack_ipv6() ? "True" : "False",
                        expected);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_getaddrinfo_localhost_gives_loopback),
    cmocka_unit_test(test_getaddrinfo_null_hints_match_python),
    cmocka_unit_test(test_getaddrinfo_ipv6_family_gives_only_ipv6),
    cmocka_unit_test(test_getaddrinfo_ipv6_family_refuses_ipv4_literal),
    cmocka_unit_test(test_getaddrinfo_dgram_hint_gives_udp),
    cmocka_unit_test(test_getaddrinfo_passive_null_host_gives_wildcard),
    cmocka_unit_test(test_getaddrinfo_null_host_without_passive_is_loopback),
    cmocka_unit_test(test_getaddrinfo_canonname_on_first_result),
    cmocka_unit_test(test_getaddrinfo_service_name_gives_its_port),
    cmocka_unit_test(test_getaddrinfo_unknown_host_gives_eai_code),
    cmocka_unit_test(test_getaddrinfo_bad_flags_give_eai_badflags),
    cmocka_unit_test(test_getaddrinfo_numeric_port_over_65535_is_eportrange),
    cmocka_unit_test(test_getaddrinfo_rejects_null_arguments),
    cmocka_unit_test(test_getaddrinfo_host_and_port_both_null_is_eai_noname),
    cmocka_unit_test(test_getaddrinfo_rejects_bad_timeouts),
    cmocka_unit_test(test_getaddrinfo_accepts_every_timeout_mode),
    cmocka_unit_test(test_freeaddrinfo_null_is_noop),
    cmocka_unit_test(test_lookups_from_four_threads_agree),
    cmocka_unit_test(test_getnameinfo_numeric_matches_python),
    cmocka_unit_test(test_getnameinfo_names_match_python),
    cmocka_unit_test(test_getnameinfo_host_or_service_alone),
    cmocka_unit_test(test_getnameinfo_short_host_buffer_is_etruncated),
    cmocka_unit_test(test_getnameinfo_short_service_buffer_is_etruncated),
    cmocka_unit_test(test_getnameinfo_rejects_bad_arguments),
    cmocka_unit_test(test_has_dualstack_ipv6_matches_python),
};

SKT_TEST_MAIN(tests)
