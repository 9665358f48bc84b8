/*
 * test-netdb.c - the resolver and module functions: getaddrinfo with its
 * hints, getnameinfo, the gethostby* family, getfqdn, host names, services,
 * protocols, the inet_* converters and the interface list. Where Python's
 * socket module has the same call, the answer is compared with Python's on
 * this machine. Only names that need no network are resolved; the one
 * nonexistent name is looked up in a child process with a time limit.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <math.h>
#include <net/if.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNKNOWN_HOST "nosuchhost.invalid"
#define LINE_MAX_LEN 4096

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static bool is_eai_code(int rc)
{
    return rc <= SKT_EAI_AGAIN && rc >= SKT_EAI_OVERFLOW;
}

static bool detail_has(const char *text)
{
    return strstr(skt_error_detail(), text) != NULL;
}

/*
 * Runs a snippet under Python (with `socket` imported as s) and reads the
 * one line it prints; skips the case when there is no Python.
 */
static void python_line(const char *code, char *out, size_t len)
{
    const char *python = skt_test_python();
    char program[LINE_MAX_LEN];
    char *argv[4];
    int fd, got, status;
    pid_t pid;

    if (python == NULL)
        SKT_SKIP("no python3 to compare with");
    snprintf(program, sizeof program, "import socket as s\n%s", code);
    argv[0] = (char *)python;
    argv[1] = "-c";
    argv[2] = program;
    argv[3] = NULL;
    pid = skt_test_spawn(argv, &fd);
    got = skt_test_read_line(fd, out, len, 30.0);
    close(fd);
    status = skt_test_wait(pid, 10.0);
    assert_true(got >= 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Writes items as a Python list of str literals (no quotes inside). */
static void python_list(const char *const *items, size_t count, char *buf,
                        size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "[");

    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(buf + used, len - used, "'%s',", items[i]);
    snprintf(buf + used, len - used, "]");
}

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

/*
 * Runs a lookup of a name that does not exist in a child process, so that
 * a resolver that never answers costs a bounded time (the case is skipped
 * then). The child's return code, text result and detail come back
 * through a pipe.
 */
typedef int (*lookup_fn)(char *text, size_t len);

struct bounded_result {
    int rc;
    char text[512];
    char detail[1024];
};

static void run_in_child(lookup_fn lookup, int fd)
{
    char text[512] = "";
    int rc;

    /* One try of at most two seconds per server keeps a dead resolver
     * inside the parent's wait. */
    setenv("RES_OPTIONS", "timeout:2 attempts:1", 1);
    rc = lookup(text, sizeof text);
    dprintf(fd, "%d\t%s\t%s\n", rc, text, skt_error_detail());
    _exit(0);
}

static void run_bounded(lookup_fn lookup, struct bounded_result *out)
{
    char line[2048];
    char *text, *detail;
    int fds[2], got;
    pid_t pid;

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        run_in_child(lookup, fds[1]);
    }
    close(fds[1]);
    got = skt_test_read_line(fds[0], line, sizeof line, 30.0);
    close(fds[0]);
    skt_test_wait(pid, 5.0);
    if (got < 0)
        SKT_SKIP("the resolver did not answer within 30 seconds");
    text = strchr(line, '\t');
    assert_non_null(text);
    detail = strchr(text + 1, '\t');
    assert_non_null(detail);
    *text++ = '\0';
    *detail++ = '\0';
    out->rc = atoi(line);
    snprintf(out->text, sizeof out->text, "%s", text);
    snprintf(out->detail, sizeof out->detail, "%s", detail);
}

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
    assert_int_equal(skt_getaddrinfo(NULL, NULL, NULL, SKT_BLOCKING, &res),
                     -EINVAL);
    assert_null(res);
    assert_true(detail_has("both NULL"));
}

static void test_getaddrinfo_rejects_bad_timeouts(void **state)
{
    static const double bad[] = {-2.0, -0.5, NAN, INFINITY, 2e9};
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
    static const double good[] = {SKT_BLOCKING, 0.0, 2.5, SKT_TIMEOUT_MAX};
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

/* ------------------------------------------------------------------------ */
/* Interfaces and dual-stack                                                */
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
    cmocka_unit_test(test_if_nameindex_matches_python),
    cmocka_unit_test(test_if_nameindex_rejects_null),
    cmocka_unit_test(test_if_nametoindex_and_back_round_trip),
    cmocka_unit_test(test_if_nametoindex_unknown_is_enodev),
    cmocka_unit_test(test_if_indextoname_unknown_is_enxio),
    cmocka_unit_test(test_if_indextoname_short_buffer_is_etruncated),
    cmocka_unit_test(test_has_dualstack_ipv6_matches_python),
};

SKT_TEST_MAIN(tests)
