/*
 * test-netns.c - create_connection and the resolver on networks that
 * misbehave, built by the test in a network namespace of its own:
 *
 *   dual.skt.test    2001:db8::1 (nft drops its SYNs), 192.0.2.1 (answers)
 *   black.skt.test   2001:db8::2, 2001:db8::3 (both dropped)
 *   DNS              127.0.0.1:53, a socket that never answers
 *
 * Each case runs twice: outside, it builds the namespace and runs itself
 * again inside with `ip netns exec` (which also puts the namespace's hosts
 * and resolv.conf in place); inside, it does the work. Needs root, ip and
 * nft; skips with the reason otherwise.
 */
#include "harness.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT "8080"

static const char *netns_name(void)
{
    static char name[32];
    snprintf(name, sizeof name, "skt-test-%d", (int)getpid());
    return name;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void teardown_netns(const char *ns)
{
    sh("ip netns del %s 2>/dev/null", ns);
    sh("rm -rf /etc/netns/%s", ns);
}

/* Builds the namespace; returns false (with the reason) if it cannot. */
static bool setup_netns(const char *ns, char *why, size_t len)
{
    char path[128];

    if (geteuid() != 0)
        return snprintf(why, len, "needs root for ip netns"), false;
    if (sh("command -v ip >/dev/null && command -v nft >/dev/null") != 0)
        return snprintf(why, len, "needs the ip and nft commands"), false;
    if (sh("ip netns add %s 2>/dev/null", ns) != 0)
        return snprintf(why, len, "ip netns add failed"), false;
    snprintf(path, sizeof path, "/etc/netns/%s", ns);
    mkdir("/etc/netns", 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "/etc/netns/%s/hosts", ns);
    write_file(path, "127.0.0.1 localhost\n"
                     "2001:db8::1 dual.skt.test\n192.0.2.1 dual.skt.test\n"
                     "2001:db8::2 black.skt.test\n"
                     "2001:db8::3 black.skt.test\n");
    snprintf(path, sizeof path, "/etc/netns/%s/resolv.conf", ns);
    /* The system resolver gives up after 2 s: the cases can then see an
     * abandoned lookup finish and free what it held. */
    write_file(path, "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n");
    if (sh("ip netns exec %s sh -c '"
           "ip link set lo up && "
           "ip addr add 192.0.2.1/32 dev lo && "
           "ip addr add 2001:db8::1/128 dev lo && "
           "ip addr add 2001:db8::2/128 dev lo && "
           "ip addr add 2001:db8::3/128 dev lo && "
           "nft add table inet skt && "
           "nft add chain inet skt out "
           "\"{ type filter hook output priority 0; }\" && "
           "nft add rule inet skt out ip6 daddr "
           "\"{ 2001:db8::1, 2001:db8::2, 2001:db8::3 }\" "
           "tcp flags syn drop' >/dev/null 2>&1",
           ns) != 0) {
        teardown_netns(ns);
        return snprintf(why, len, "could not configure the namespace "
                                  "(addresses or nft)"), false;
    }
    return true;
}

/*
 * Outside the namespace: builds it, runs this case inside, tears it down,
 * and fails if the inside run failed. Returns the inside run's wall time.
 */
static double run_inside(const char *case_name)
{
    const char *ns = netns_name();
    char why[128], self[512];
    double start, elapsed;
    pid_t pid;
    int status;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    assert_true(n > 0);
    self[n] = '\0';
    if (!setup_netns(ns, why, sizeof why))
        SKT_SKIP("%s", why);
    setenv("SKT_NETNS_INSIDE", "1", 1);
    start = skt_test_now();
    pid = skt_test_spawn((char *const[]){"ip", "netns", "exec", (char *)ns,
                                         self, (char *)case_name, NULL},
                         NULL);
    status = skt_test_wait(pid, 60);
    elapsed = skt_test_now() - start;
    unsetenv("SKT_NETNS_INSIDE");
    teardown_netns(ns);
    if (WIFEXITED(status) && WEXITSTATUS(status) == SKT_TEST_SKIP_STATUS)
        SKT_SKIP("skipped inside the namespace");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return elapsed;
}

static bool inside(void)
{
    return getenv("SKT_NETNS_INSIDE") != NULL;
}

/* Outside the namespace, runs the calling case inside it and returns;
 * inside, lets the case go on. */
#define IN_NAMESPACE()                                                        \
    do {                                                                      \
        if (!inside()) {                                                      \
            run_inside(__func__);                                             \
            return;                                                           \
        }                                                                     \
    } while (0)

/* Listeners on both addresses of dual.skt.test. */
static void listen_dual(skt_socket **v6, skt_socket **v4)
{
    SKT_OK(skt_create_server(v6, "2001:db8::1", PORT, NULL));
    SKT_OK(skt_create_server(v4, "192.0.2.1", PORT, NULL));
}

/* A DNS server that never answers: a bound socket nobody reads. */
static skt_socket *silent_dns(void)
{
    skt_socket *s;
    SKT_OK(skt_create_datagram_server(&s, "127.0.0.1", "53", NULL));
    return s;
}

/*
 * An abandoned lookup holds its socket until the system resolver gives up
 * (2 s here); then it must free it. Waits up to 4 s for the fd count to
 * come back to what it was.
 */
static void assert_abandoned_lookup_cleans_up(int fds_before)
{
    double end = skt_test_now() + 4.0;
    while (skt_test_count_fds() != fds_before && skt_test_now() < end)
        usleep(20000);
    assert_int_equal(skt_test_count_fds(), fds_before);
}

static void test_resolver_puts_blackholed_ipv6_first(void **state)
{
    skt_addrinfo hints = {.type = SOCK_STREAM}, *res;
    (void)state;
    IN_NAMESPACE();
    /* The premise of the Happy Eyeballs case: the dropped address comes
     * first, so a sequential client would stall on it. */
    SKT_OK(skt_getaddrinfo("dual.skt.test", PORT, &hints, 5, &res));
    assert_int_equal(res->family, AF_INET6);
    assert_non_null(res->next);
    assert_int_equal(res->next->family, AF_INET);
    skt_freeaddrinfo(res);
}

/*
 * Connects to dual.skt.test (its IPv6 address black-holed, its IPv4
 * address answering) and returns the seconds it took; the connection came
 * over IPv4.
 */
static double connect_dual(const skt_connect_opts *opts)
{
    skt_socket *v6, *v4, *s, *conn;
    skt_addr peer;
    double start, elapsed;

    listen_dual(&v6, &v4);
    start = skt_test_now();
    SKT_OK(skt_create_connection(&s, "dual.skt.test", PORT, opts));
    elapsed = skt_test_now() - start;
    SKT_OK(skt_getpeername(s, &peer));
    assert_int_equal(skt_addr_family(&peer), AF_INET);
    SKT_OK(skt_accept(v4, &conn, NULL));
    skt_close(conn);
    skt_close(s);
    skt_close(v6);
    skt_close(v4);
    return elapsed;
}

static void test_happy_eyeballs_skips_blackholed_ipv6(void **state)
{
    double elapsed;
    (void)state;
    IN_NAMESPACE();
    /* IPv6 went first and got no answer; IPv4 started after the attempt
     * delay and won at once, though the timeout is 10 s. */
    elapsed = connect_dual(&(skt_connect_opts){.timeout = 10});
    assert_true(elapsed >= SKT_ATTEMPT_DELAY_DEFAULT);
    assert_true(elapsed < SKT_ATTEMPT_DELAY_DEFAULT + 0.2);
}

static void test_happy_eyeballs_custom_attempt_delay(void **state)
{
    double elapsed;
    (void)state;
    IN_NAMESPACE();
    elapsed = connect_dual(&(skt_connect_opts){.timeout = 10,
                                               .attempt_delay = 0.1});
    assert_true(elapsed >= 0.1 && elapsed < 0.3);
}

static void test_sequential_blackholes_share_one_deadline(void **state)
{
    skt_connect_opts opts = {.timeout = 1.0, .attempt_delay = -1};
    skt_socket *s;
    double start, elapsed;
    (void)state;
    IN_NAMESPACE();
    start = skt_test_now();
    assert_int_equal(skt_create_connection(&s, "black.skt.test", PORT,
                                           &opts),
                     -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    /* One deadline for both addresses: about 1 s in all, not 2. */
    assert_true(elapsed >= 1.0 && elapsed < 1.4);
    assert_non_null(strstr(skt_error_detail(), "[2001:db8::2]:8080"));
}

/* One 1 s deadline over two addresses, strictly sequential: the
 * black-holed IPv6 gets its fair share (half), then IPv4 connects, as in
 * Python, which would spend its whole timeout on the first. */
static void test_sequential_gives_each_address_a_fair_share(void **state)
{
    skt_connect_opts opts = {.timeout = 1.0, .attempt_delay = -1};
    skt_connect_attempt tried[4];
    skt_connect_report report = {.attempts = tried, .capacity = 4};
    double elapsed;
    (void)state;
    IN_NAMESPACE();
    opts.report = &report;
    elapsed = connect_dual(&opts);
    assert_true(elapsed >= 0.5 && elapsed < 0.9);
    assert_int_equal(report.count, 2);
    assert_int_equal(skt_addr_family(&tried[0].addr), AF_INET6);
    assert_int_equal(tried[0].code, -ETIMEDOUT);
    assert_true(tried[0].seconds >= 0.45 && tried[0].seconds < 0.8);
    assert_int_equal(tried[1].code, 0);
}

/* Happy Eyeballs with an attempt delay (5 s) longer than the fair share
 * of a 1 s deadline: the next address starts when the first's share (half)
 * is spent, not after the delay, so IPv4 still connects in time. */
static void test_happy_eyeballs_long_delay_tries_every_address(void **state)
{
    skt_connect_opts opts = {.timeout = 1.0, .attempt_delay = 5.0};
    skt_connect_attempt tried[4];
    skt_connect_report report = {.attempts = tried, .capacity = 4};
    double elapsed;
    (void)state;
    IN_NAMESPACE();
    opts.report = &report;
    elapsed = connect_dual(&opts);
    assert_true(elapsed >= 0.5 && elapsed < 0.9);
    assert_int_equal(report.count, 2);
    assert_int_equal(skt_addr_family(&tried[0].addr), AF_INET6);
    assert_int_equal(tried[0].code, -ECANCELED);
    assert_int_equal(skt_addr_family(&tried[1].addr), AF_INET);
    assert_int_equal(tried[1].code, 0);
}

/* The same race with both addresses black-holed: both are tried (the
 * second from half-way), one deadline ends both, and the report and the
 * detail name each. */
static void test_happy_eyeballs_long_delay_blackholes_time_out(void **state)
{
    skt_connect_opts opts = {.timeout = 1.0, .attempt_delay = 5.0};
    skt_connect_attempt tried[4];
    skt_connect_report report = {.attempts = tried, .capacity = 4};
    char text[SKT_ADDRSTRLEN];
    skt_socket *s;
    double start, elapsed;
    (void)state;
    IN_NAMESPACE();
    opts.report = &report;
    start = skt_test_now();
    assert_int_equal(skt_create_connection(&s, "black.skt.test", PORT,
                                           &opts),
                     -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 1.0 && elapsed < 1.4);
    assert_int_equal(report.count, 2);
    skt_addr_format(&tried[0].addr, text, sizeof text);
    assert_string_equal(text, "[2001:db8::2]:8080");
    skt_addr_format(&tried[1].addr, text, sizeof text);
    assert_string_equal(text, "[2001:db8::3]:8080");
    assert_int_equal(tried[0].code, -ETIMEDOUT);
    assert_int_equal(tried[1].code, -ETIMEDOUT);
    /* The first ran the whole second; the second started at its share. */
    assert_true(tried[0].seconds >= 0.95 && tried[0].seconds < 1.3);
    assert_true(tried[1].seconds >= 0.45 && tried[1].seconds < 0.8);
    assert_non_null(strstr(skt_error_detail(), "[2001:db8::2]:8080"));
    assert_non_null(strstr(skt_error_detail(), "[2001:db8::3]:8080"));
}

static void test_getaddrinfo_timeout_with_silent_dns(void **state)
{
    skt_socket *dns;
    skt_addrinfo *res;
    double start, elapsed;
    int fds;
    (void)state;
    IN_NAMESPACE();
    dns = silent_dns();
    fds = skt_test_count_fds();
    start = skt_test_now();
    assert_int_equal(skt_getaddrinfo("nosuch.skt.test", PORT, NULL, 0.5,
                                     &res),
                     -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.5 && elapsed < 0.7);
    assert_non_null(strstr(skt_error_detail(), "nosuch.skt.test"));
    assert_abandoned_lookup_cleans_up(fds);
    skt_close(dns);
}

static void test_abandoned_lookup_does_not_block_exit(void **state)
{
    skt_socket *dns;
    double start, lifetime;
    int status;
    pid_t pid;
    (void)state;
    IN_NAMESPACE();
    dns = silent_dns();
    start = skt_test_now();
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        skt_addrinfo *res;
        int rc = skt_getaddrinfo("nosuch.skt.test", PORT, NULL, 0.3, &res);
        /* exit runs with the lookup still under way on its thread. */
        exit(rc == -ETIMEDOUT ? 0 : 1);
    }
    status = skt_test_wait(pid, 10);
    lifetime = skt_test_now() - start;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The resolver alone would have taken 2 s. */
    assert_true(lifetime < 1.2);
    skt_close(dns);
}

static void test_create_connection_deadline_covers_lookup(void **state)
{
    skt_connect_opts opts = {.timeout = 0.5};
    skt_socket *dns, *s;
    double start, elapsed;
    int fds;
    (void)state;
    IN_NAMESPACE();
    dns = silent_dns();
    fds = skt_test_count_fds();
    start = skt_test_now();
    assert_int_equal(skt_create_connection(&s, "nosuch.skt.test", PORT,
                                           &opts),
                     -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.5 && elapsed < 0.7);
    assert_abandoned_lookup_cleans_up(fds);
    skt_close(dns);
}

static void test_getnameinfo_timeout_with_silent_dns(void **state)
{
    skt_socket *dns;
    skt_addr a;
    char host[NI_MAXHOST];
    double start, elapsed;
    int fds;
    (void)state;
    IN_NAMESPACE();
    dns = silent_dns();
    fds = skt_test_count_fds();
    /* 198.51.100.7 is in no hosts file: the reverse lookup asks DNS. */
    SKT_OK(skt_addr_parse(&a, "198.51.100.7:80"));
    start = skt_test_now();
    assert_int_equal(skt_getnameinfo(&a, NI_NAMEREQD, 0.5, host, sizeof host,
                                     NULL, 0),
                     -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(elapsed >= 0.5 && elapsed < 0.7);
    assert_abandoned_lookup_cleans_up(fds);
    skt_close(dns);
}

static void test_hosts_names_resolve_without_dns(void **state)
{
    skt_socket *dns;
    skt_addrinfo hints = {.type = SOCK_STREAM}, *res;
    char text[SKT_ADDRSTRLEN];
    double start, elapsed;
    (void)state;
    IN_NAMESPACE();
    dns = silent_dns();
    start = skt_test_now();
    SKT_OK(skt_getaddrinfo("dual.skt.test", PORT, &hints, 5, &res));
    elapsed = skt_test_now() - start;
    assert_true(elapsed < 0.2);
    skt_addr_format(&res->next->addr, text, sizeof text);
    assert_string_equal(text, "192.0.2.1:8080");
    skt_freeaddrinfo(res);
    skt_close(dns);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_resolver_puts_blackholed_ipv6_first),
    cmocka_unit_test(test_happy_eyeballs_skips_blackholed_ipv6),
    cmocka_unit_test(test_happy_eyeballs_custom_attempt_delay),
    cmocka_unit_test(test_sequential_blackholes_share_one_deadline),
    cmocka_unit_test(test_sequential_gives_each_address_a_fair_share),
    cmocka_unit_test(test_happy_eyeballs_long_delay_tries_every_address),
    cmocka_unit_test(test_happy_eyeballs_long_delay_blackholes_time_out),
    cmocka_unit_test(test_getaddrinfo_timeout_with_silent_dns),
    cmocka_unit_test(test_abandoned_lookup_does_not_block_exit),
    cmocka_unit_test(test_create_connection_deadline_covers_lookup),
    cmocka_unit_test(test_getnameinfo_timeout_with_silent_dns),
    cmocka_unit_test(test_hosts_names_resolve_without_dns),
};

SKT_TEST_MAIN(tests)
