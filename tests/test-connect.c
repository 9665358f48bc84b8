/*
 * test-connect.c - create_connection, create_server and the timed resolver
 * on loopback: every option and failure path, and Python's own
 * create_server and create_connection as peers. The misbehaving networks
 * (black holes, a DNS server that never answers) are in test-netns.c.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A loopback port with nothing listening on 127.0.0.1 or ::1. */
static int closed_port(void)
{
    skt_socket *s;
    skt_addr a;
    int port;
    SKT_OK(skt_create_server(&s, "::", "0", &(skt_server_opts){
                                                 .dualstack = true}));
    SKT_OK(skt_getsockname(s, &a));
    port = skt_addr_port(&a);
    skt_close(s);
    return port;
}

static void port_text(int port, char *buf, size_t len)
{
    snprintf(buf, len, "%d", port);
}

/* A TCP listener on host (numeric), its port in text. */
static skt_socket *listen_on(const char *host, char *port, size_t len)
{
    skt_socket *s;
    skt_addr a;
    SKT_OK(skt_create_server(&s, host, "0", NULL));
    SKT_OK(skt_getsockname(s, &a));
    port_text(skt_addr_port(&a), port, len);
    return s;
}

static bool have_ipv6_loopback(void)
{
    skt_socket *s;
    int rc = skt_create_server(&s, "::1", "0", NULL);
    skt_close(s);
    return rc == 0;
}

/* ------------------------------------------------------------------------ */
/* create_connection                                                        */
/* ------------------------------------------------------------------------ */

static void test_create_connection_connects_numeric_host(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_socket *s, *conn;
    skt_addr peer, local;
    (void)state;
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, NULL));
    SKT_OK(skt_accept(listener, &conn, &peer));
    SKT_OK(skt_getsockname(s, &local));
    assert_true(skt_addr_equal(&peer, &local));
    /* NULL options: the default mode, blocking. */
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    assert_int_equal(skt_type(s), SOCK_STREAM);
    skt_close(conn);
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_timeout_becomes_socket_timeout(void **st)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_opts opts = {.timeout = 2.5};
    skt_socket *s;
    (void)st;
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
    assert_true(skt_gettimeout(s) == 2.5);
    assert_true(skt_getblocking(s));
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_zero_timeout_means_default(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_opts opts = {0};
    skt_socket *s;
    (void)state;
    SKT_OK(skt_setdefaulttimeout(1.5));
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
    assert_true(skt_gettimeout(s) == 1.5);
    skt_close(s);
    opts.timeout = SKT_BLOCKING;
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_refused_everywhere_lists_each(void **st)
{
    char port[8], v4[64], v6[64];
    skt_socket *s = (skt_socket *)&s;
    (void)st;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6 loopback: only one address to try");
    port_text(closed_port(), port, sizeof port);
    /* A NULL host is the loopback addresses of both families. */
    assert_int_equal(skt_create_connection(&s, NULL, port, NULL),
                     -ECONNREFUSED);
    assert_null(s);
    snprintf(v4, sizeof v4, "127.0.0.1:%s: Connection refused", port);
    snprintf(v6, sizeof v6, "[::1]:%s: Connection refused", port);
    assert_non_null(strstr(skt_error_detail(), v4));
    assert_non_null(strstr(skt_error_detail(), v6));
    assert_non_null(strstr(skt_error_detail(), "create_connection to "));
}

static void test_create_connection_falls_back_to_next_address(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_socket *s;
    skt_addr peer;
    (void)state;
    if (!have_ipv6_loopback()) {
        skt_close(listener);
        SKT_SKIP("no IPv6 loopback");
    }
    /* ::1 refuses (nothing listens there); 127.0.0.1 answers. */
    SKT_OK(skt_create_connection(&s, NULL, port, NULL));
    SKT_OK(skt_getpeername(s, &peer));
    assert_int_equal(skt_addr_family(&peer), AF_INET);
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_family_option(void **state)
{
    char port[8];
    skt_socket *listener, *s;
    skt_addr peer;
    skt_connect_opts opts = {.family = AF_INET6};
    (void)state;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6 loopback");
    listener = listen_on("::1", port, sizeof port);
    SKT_OK(skt_create_connection(&s, NULL, port, &opts));
    SKT_OK(skt_getpeername(s, &peer));
    assert_int_equal(skt_addr_family(&peer), AF_INET6);
    skt_close(s);
    /* AF_INET only: ::1 is never tried, so only 127.0.0.1 is listed. */
    opts.family = AF_INET;
    assert_int_equal(skt_create_connection(&s, NULL, port, &opts),
                     -ECONNREFUSED);
    assert_null(strstr(skt_error_detail(), "[::1]"));
    assert_non_null(strstr(skt_error_detail(), "127.0.0.1:"));
    skt_close(listener);
}

static void test_create_connection_source_address(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_opts opts = {0};
    skt_socket *s;
    skt_addr local;
    (void)state;
    opts.source.len = 0;
    SKT_OK(skt_addr_from_ip(&opts.source, "127.0.0.1", closed_port()));
    SKT_OK(skt_create_connection(&s, NULL, port, &opts));
    SKT_OK(skt_getsockname(s, &local));
    assert_true(skt_addr_equal(&local, &opts.source));
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_unknown_service_is_eai(void **state)
{
    skt_socket *s;
    int rc;
    (void)state;
    /* Services come from /etc/services: no network is involved. */
    rc = skt_create_connection(&s, "127.0.0.1", "no-such-service-skt", NULL);
    assert_true(rc <= SKT_EAI_BASE - 1 && rc >= SKT_EAI_BASE - 12);
    assert_non_null(strstr(skt_error_detail(), "no-such-service-skt"));
}

static void test_create_connection_rejects_bad_options(void **state)
{
    const skt_connect_opts bad[] = {
        {.timeout = -2.0},     {.timeout = NAN},
        {.family = AF_UNIX},   {.attempt_delay = NAN},
        {.timeout = INFINITY},
    };
    skt_connect_opts unknown = {.reserved = {&unknown}};
    skt_socket *s;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(skt_create_connection(&s, "127.0.0.1", "80",
                                               &bad[i]),
                         -EINVAL);
        assert_non_null(strstr(skt_error_detail(), "create_connection"));
    }
    /* An option this library does not know is refused, not ignored. */
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", "80", &unknown),
                     -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "reserved"));
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", NULL, NULL),
                     -EINVAL);
    assert_int_equal(skt_create_connection(NULL, "127.0.0.1", "80", NULL),
                     -EINVAL);
}

/*
 * A port over 65535 is refused as skt_getaddrinfo refuses it: glibc alone
 * would keep its low 16 bits and connect to the listener below.
 */
static void test_create_connection_port_over_65535_is_eportrange(void **st)
{
    char port[8], wrapped[16];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_attempt tried[1];
    skt_connect_report report = {.attempts = tried, .capacity = 1,
                                 .count = 7};
    skt_connect_opts opts = {.timeout = 5, .report = &report};
    skt_socket *s = NULL, *conn = NULL;
    (void)st;
    snprintf(wrapped, sizeof wrapped, "%d", 65536 + atoi(port));
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", wrapped, &opts),
                     SKT_EPORTRANGE);
    assert_null(s);
    assert_int_equal(report.count, 0);
    assert_non_null(strstr(skt_error_detail(), "create_connection"));
    assert_non_null(strstr(skt_error_detail(), wrapped));
    assert_non_null(strstr(skt_error_detail(),
                           skt_strerror(SKT_EPORTRANGE)));
    /* Nothing reached the listener. */
    SKT_OK(skt_setblocking(listener, false));
    assert_int_equal(skt_accept(listener, &conn, NULL), -EAGAIN);
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", "99999999999",
                                           NULL),
                     SKT_EPORTRANGE);
    skt_close(listener);
}

static void test_create_connection_source_family_mismatch(void **state)
{
    skt_connect_opts opts = {.family = AF_INET6};
    skt_socket *s;
    (void)state;
    SKT_OK(skt_addr_parse(&opts.source, "127.0.0.1:0"));
    assert_int_equal(skt_create_connection(&s, NULL, "80", &opts), -EINVAL);
}

static void test_create_connection_to_parses_targets(void **state)
{
    char port[8], target[64];
    skt_socket *listener, *s;
    (void)state;
    listener = listen_on("127.0.0.1", port, sizeof port);
    snprintf(target, sizeof target, "127.0.0.1:%s", port);
    SKT_OK(skt_create_connection_to(&s, target, NULL));
    skt_close(s);
    snprintf(target, sizeof target, "localhost:%s", port);
    SKT_OK(skt_create_connection_to(&s, target, NULL));
    skt_close(s);
    skt_close(listener);
    if (have_ipv6_loopback()) {
        listener = listen_on("::1", port, sizeof port);
        snprintf(target, sizeof target, "[::1]:%s", port);
        SKT_OK(skt_create_connection_to(&s, target, NULL));
        skt_close(s);
        skt_close(listener);
    }
}

static void test_create_connection_to_rejects_bad_targets(void **state)
{
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"127.0.0.1", SKT_ENOPORT},  {"127.0.0.1:", SKT_ENOPORT},
        {"[::1:80", SKT_EADDRSYNTAX}, {"::1:80", SKT_EADDRSYNTAX},
        {"[::1]", SKT_ENOPORT},
    };
    skt_socket *s;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(skt_create_connection_to(&s, bad[i].text, NULL),
                         bad[i].code);
        assert_non_null(strstr(skt_error_detail(), bad[i].text));
    }
}

static void test_create_connection_sequential_mode(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_opts opts = {.attempt_delay = -1, .timeout = 5};
    skt_socket *s;
    (void)state;
    SKT_OK(skt_create_connection(&s, NULL, port, &opts));
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_closes_losing_attempts(void **state)
{
    skt_socket *listener, *s, *conn;
    skt_server_opts sopts = {.dualstack = true};
    skt_connect_opts copts = {.attempt_delay = 0.001, .timeout = 5};
    skt_addr a;
    char port[8];
    (void)state;
    if (skt_create_server(&listener, NULL, "0", &sopts) < 0)
        SKT_SKIP("no dual-stack IPv6 here");
    SKT_OK(skt_getsockname(listener, &a));
    port_text(skt_addr_port(&a), port, sizeof port);
    /* Both addresses answer; one wins and the other attempt is closed
     * (the harness fails the case if its fd stays open). */
    for (int i = 0; i < 20; i++) {
        SKT_OK(skt_create_connection(&s, NULL, port, &copts));
        SKT_OK(skt_accept(listener, &conn, NULL));
        skt_close(conn);
        skt_close(s);
    }
    /* A losing attempt may have reached the queue before it was closed. */
    SKT_OK(skt_settimeout(listener, 0));
    while (skt_accept(listener, &conn, NULL) == 0)
        skt_close(conn);
    skt_close(listener);
}

/* Fillers of a listener's accept queue. */
#define FILLERS_MAX 8
struct fillers {
    skt_socket *list[FILLERS_MAX];
    size_t used;
};

/*
 * Fills the accept queue of listener (host, port) with connections that
 * nobody accepts, so that the kernel drops the SYNs that follow: an address
 * that does not answer, on loopback. Returns false when the kernel went on
 * answering (the caller skips).
 */
static bool fill_accept_queue(skt_socket *listener, const char *host,
                              const char *port, struct fillers *f)
{
    skt_connect_opts quick = {.timeout = 0.2};

    SKT_OK(skt_listen(listener, 0));
    for (f->used = 0; f->used < FILLERS_MAX; f->used++)
        if (skt_create_connection(&f->list[f->used], host, port, &quick) < 0)
            return true;
    return false;
}

static void close_fillers(struct fillers *f)
{
    for (size_t i = 0; i < f->used; i++)
        skt_close(f->list[i]);
}

static void test_create_connection_times_out_as_one_deadline(void **state)
{
    skt_socket *listener, *s;
    skt_connect_opts opts = {.timeout = 0.5};
    struct fillers f;
    char port[8];
    double start, elapsed;
    bool dropping;
    int rc;
    (void)state;
    listener = listen_on("127.0.0.1", port, sizeof port);
    dropping = fill_accept_queue(listener, "127.0.0.1", port, &f);
    start = skt_test_now();
    rc = skt_create_connection(&s, "127.0.0.1", port, &opts);
    elapsed = skt_test_now() - start;
    close_fillers(&f);
    skt_close(listener);
    if (!dropping)
        SKT_SKIP("the kernel answered SYNs to a full accept queue");
    assert_int_equal(rc, -ETIMEDOUT);
    assert_true(elapsed >= 0.5 && elapsed < 1.0);
    assert_non_null(strstr(skt_error_detail(), "timed out"));
}

static void test_create_connection_single_address_blocking_eintr(void **st)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_socket *s, *conn;
    (void)st;
    /* One address, blocking: a signal after the kernel started the
     * connect must not restart it (EALREADY) but wait for it. */
    skt__sys_inject(SKT__OP_CONNECT, -EINTR, 0, 1, 0);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, NULL));
    skt__sys_inject_clear();
    assert_true(skt_gettimeout(s) == SKT_BLOCKING);
    SKT_OK(skt_accept(listener, &conn, NULL));
    assert_int_equal(skt_send(s, "x", 1, 0), 1);
    skt_close(conn);
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_nonblocking_default_mode(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_socket *s;
    char buf[1];
    (void)state;
    /* A default of 0 connects without a deadline and leaves the socket
     * non-blocking. */
    SKT_OK(skt_setdefaulttimeout(0));
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port, NULL));
    assert_true(skt_gettimeout(s) == 0.0);
    assert_int_equal(skt_recv(s, buf, 1, 0), -EAGAIN);
    skt_close(s);
    skt_close(listener);
}

static void test_create_connection_single_address_refused(void **state)
{
    char port[8], expected[64];
    skt_socket *s = (skt_socket *)&s;
    (void)state;
    port_text(closed_port(), port, sizeof port);
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", port, NULL),
                     -ECONNREFUSED);
    assert_null(s);
    snprintf(expected, sizeof expected, "127.0.0.1:%s: Connection refused",
             port);
    assert_non_null(strstr(skt_error_detail(), expected));
}

static void test_create_connection_reports_real_error_not_timeout(void **s)
{
    const double modes[] = {SKT_BLOCKING, 2.0};
    skt_connect_opts opts = {0};
    skt_socket *sock;
    (void)s;
    /* 192.0.2.99 is no address of this host: bind fails at once, and
     * that, not a timeout, is what the caller hears. */
    SKT_OK(skt_addr_parse(&opts.source, "192.0.2.99:0"));
    for (size_t i = 0; i < 2; i++) {
        opts.timeout = modes[i];
        assert_int_equal(skt_create_connection(&sock, "127.0.0.1", "80",
                                               &opts),
                         -EADDRNOTAVAIL);
        assert_non_null(strstr(skt_error_detail(),
                               "Cannot assign requested address"));
    }
}

static void test_create_connection_poll_failure_ends_race(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_opts opts = {.timeout = 5};
    skt_socket *s;
    double start;
    int rc;
    (void)state;
    /* A poll that fails for good must end the race with its code, not
     * spin until the deadline. */
    skt__sys_inject(SKT__OP_POLL, -ENOMEM, 0, 1000000, 0);
    start = skt_test_now();
    rc = skt_create_connection(&s, "127.0.0.1", port, &opts);
    skt__sys_inject_clear();
    if (rc == 0) {
        skt_close(s);
        skt_close(listener);
        SKT_SKIP("the connect completed without a poll");
    }
    assert_int_equal(rc, -ENOMEM);
    assert_true(skt_test_now() - start < 0.5);
    skt_close(listener);
}

/* ------------------------------------------------------------------------ */
/* The report: each address tried, as data                                  */
/* ------------------------------------------------------------------------ */

static void test_create_connection_report_lists_each_refusal(void **state)
{
    skt_connect_attempt tried[4];
    skt_connect_report report = {.attempts = tried, .capacity = 4};
    skt_connect_opts opts = {.report = &report};
    char port[8];
    skt_socket *s;
    (void)state;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6 loopback: only one address to try");
    port_text(closed_port(), port, sizeof port);
    assert_int_equal(skt_create_connection(&s, NULL, port, &opts),
                     -ECONNREFUSED);
    assert_int_equal(report.count, 2);
    /* Both families, each with its own code and a time of its own. */
    assert_int_not_equal(skt_addr_family(&tried[0].addr),
                         skt_addr_family(&tried[1].addr));
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(tried[i].code, -ECONNREFUSED);
        assert_int_equal(skt_addr_port(&tried[i].addr), atoi(port));
        assert_true(tried[i].seconds >= 0 && tried[i].seconds < 1);
    }
    assert_true(report.resolve_seconds >= 0 && report.resolve_seconds < 1);
    assert_int_equal(report.handshake_code, 0);
}

static void test_create_connection_report_marks_the_winner(void **state)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_attempt tried[2];
    skt_connect_report report = {.attempts = tried, .capacity = 2};
    const double modes[] = {SKT_BLOCKING, 5.0};
    skt_socket *s;
    char text[SKT_ADDRSTRLEN];
    (void)state;
    /* One address: alone in blocking mode, raced in timeout mode; the
     * report reads the same. */
    for (size_t i = 0; i < 2; i++) {
        skt_connect_opts opts = {.timeout = modes[i], .report = &report};
        SKT_OK(skt_create_connection(&s, "127.0.0.1", port, &opts));
        skt_close(s);
        assert_int_equal(report.count, 1);
        assert_int_equal(tried[0].code, 0);
        skt_addr_format(&tried[0].addr, text, sizeof text);
        assert_string_equal(text + strlen("127.0.0.1:"), port);
        assert_true(tried[0].seconds >= 0 && tried[0].seconds < 1);
    }
    skt_close(listener);
}

static void test_create_connection_report_counts_past_capacity(void **st)
{
    skt_connect_attempt tried[2];
    skt_connect_report report = {.attempts = tried, .capacity = 1};
    skt_connect_opts opts = {.report = &report};
    char port[8];
    skt_socket *s;
    (void)st;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6 loopback: only one address to try");
    port_text(closed_port(), port, sizeof port);
    memset(&tried[1], 0x5a, sizeof tried[1]);
    assert_int_equal(skt_create_connection(&s, NULL, port, &opts),
                     -ECONNREFUSED);
    /* Two were tried; only the first fits, and nothing past it is
     * written. */
    assert_int_equal(report.count, 2);
    assert_int_equal(tried[0].code, -ECONNREFUSED);
    assert_int_equal(tried[1].code, 0x5a5a5a5a);
    /* No array at all: the count alone. */
    report = (skt_connect_report){0};
    assert_int_equal(skt_create_connection(&s, NULL, port, &opts),
                     -ECONNREFUSED);
    assert_int_equal(report.count, 2);
}

static void test_create_connection_report_after_failed_lookup(void **state)
{
    skt_connect_attempt tried[1];
    skt_connect_report report = {.attempts = tried, .capacity = 1,
                                 .count = 7};
    skt_connect_opts opts = {.report = &report};
    skt_socket *s;
    (void)state;
    assert_true(skt_create_connection(&s, "127.0.0.1", "no-such-service-skt",
                                      &opts) < 0);
    assert_int_equal(report.count, 0);
}

static void test_create_connection_report_needs_its_array(void **state)
{
    skt_connect_report report = {.capacity = 3};
    skt_connect_opts opts = {.report = &report};
    skt_socket *s;
    (void)state;
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", "80", &opts),
                     -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "report"));
}

static void test_create_connection_report_times_out_attempt(void **state)
{
    skt_socket *listener, *s;
    skt_connect_attempt tried[1];
    skt_connect_report report = {.attempts = tried, .capacity = 1};
    skt_connect_opts opts = {.timeout = 0.3, .report = &report};
    struct fillers f;
    char port[8];
    bool dropping;
    int rc;
    (void)state;
    listener = listen_on("127.0.0.1", port, sizeof port);
    dropping = fill_accept_queue(listener, "127.0.0.1", port, &f);
    rc = skt_create_connection(&s, "127.0.0.1", port, &opts);
    close_fillers(&f);
    skt_close(listener);
    if (!dropping)
        SKT_SKIP("the kernel answered SYNs to a full accept queue");
    assert_int_equal(rc, -ETIMEDOUT);
    assert_int_equal(report.count, 1);
    assert_int_equal(tried[0].code, -ETIMEDOUT);
    assert_true(tried[0].seconds >= 0.29 && tried[0].seconds < 0.8);
}

/*
 * Listeners on ::1 and 127.0.0.1 at one port; the one of the family the
 * resolver gives first for a NULL host has a full accept queue, so that its
 * attempt hangs and the other family's wins. Returns that first family, or
 * 0 when it cannot be arranged (the caller skips).
 */
static int listen_first_silent(skt_socket **v6, skt_socket **v4,
                               struct fillers *f, char *port, size_t len)
{
    skt_addrinfo hints = {.type = SOCK_STREAM}, *res;
    int first;

    *v6 = listen_on("::1", port, len);
    if (skt_create_server(v4, "127.0.0.1", port, NULL) < 0)
        return 0;
    SKT_OK(skt_getaddrinfo(NULL, port, &hints, 5, &res));
    first = res->family;
    skt_freeaddrinfo(res);
    if (!fill_accept_queue(first == AF_INET6 ? *v6 : *v4,
                           first == AF_INET6 ? "::1" : "127.0.0.1", port, f))
        return 0;
    return first;
}

static void test_create_connection_report_cancels_the_loser(void **state)
{
    skt_socket *v6 = NULL, *v4 = NULL, *s = NULL;
    skt_connect_attempt tried[2];
    skt_connect_report report = {.attempts = tried, .capacity = 2};
    skt_connect_opts opts = {.timeout = 5, .attempt_delay = 0.1,
                             .report = &report};
    struct fillers f = {.used = 0};
    char port[8];
    int first, rc = -1;
    (void)state;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6 loopback");
    first = listen_first_silent(&v6, &v4, &f, port, sizeof port);
    if (first != 0)
        rc = skt_create_connection(&s, NULL, port, &opts);
    skt_close(s);
    close_fillers(&f);
    skt_close(v6);
    skt_close(v4);
    if (first == 0)
        SKT_SKIP("could not make one loopback family drop SYNs");
    SKT_OK(rc);
    assert_int_equal(report.count, 2);
    /* The first hung past the attempt delay and was closed when the
     * second won. */
    assert_int_equal(skt_addr_family(&tried[0].addr), first);
    assert_int_equal(tried[0].code, -ECANCELED);
    assert_true(tried[0].seconds >= 0.1 && tried[0].seconds < 1);
    assert_int_equal(tried[1].code, 0);
}

static void test_create_connection_report_times_the_handshake(void **st)
{
    char port[8];
    skt_socket *listener = listen_on("127.0.0.1", port, sizeof port);
    skt_connect_report report = {0};
    skt_connect_opts opts = {.timeout = 0.3, .report = &report};
    skt_tls_ctx *ctx;
    skt_socket *s;
    (void)st;
    /* The listener never accepts, so the connection is made but no
     * ServerHello ever comes: the handshake times out under the one
     * deadline, and the report says so. */
    SKT_OK(skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT));
    opts.tls = ctx;
    assert_int_equal(skt_create_connection(&s, "127.0.0.1", port, &opts),
                     -ETIMEDOUT);
    assert_int_equal(report.count, 1);
    assert_int_equal(report.handshake_code, -ETIMEDOUT);
    assert_true(report.handshake_seconds > 0.2 &&
                report.handshake_seconds < 0.8);
    skt_tls_ctx_free(ctx);
    skt_close(listener);
}

/* ------------------------------------------------------------------------ */
/* The resolver's timeout                                                   */
/* ------------------------------------------------------------------------ */

static void test_getaddrinfo_numeric_answers_with_zero_timeout(void **state)
{
    skt_addrinfo *res;
    (void)state;
    /* Numeric input needs no resolver, so even no time at all is enough. */
    SKT_OK(skt_getaddrinfo("127.0.0.1", "80", NULL, 0.0, &res));
    assert_int_equal(res->family, AF_INET);
    assert_int_equal(skt_addr_port(&res->addr), 80);
    skt_freeaddrinfo(res);
}

static void test_getaddrinfo_name_within_timeout(void **state)
{
    skt_addrinfo *res;
    char text[SKT_ADDRSTRLEN];
    (void)state;
    /* localhost comes from /etc/hosts through the worker thread. */
    SKT_OK(skt_getaddrinfo("localhost", "80", NULL, 5.0, &res));
    skt_addr_format(&res->addr, text, sizeof text);
    assert_true(strstr(text, "127.0.0.1") || strstr(text, "::1"));
    skt_freeaddrinfo(res);
}

static void test_getnameinfo_numeric_with_timeout(void **state)
{
    skt_addr a;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    (void)state;
    SKT_OK(skt_addr_parse(&a, "127.0.0.1:80"));
    SKT_OK(skt_getnameinfo(&a, NI_NUMERICHOST | NI_NUMERICSERV, 0.0, host,
                           sizeof host, serv, sizeof serv));
    assert_string_equal(host, "127.0.0.1");
    assert_string_equal(serv, "80");
    SKT_OK(skt_getnameinfo(&a, 0, 5.0, host, sizeof host, NULL, 0));
    assert_true(strlen(host) > 0);
    assert_int_equal(skt_getnameinfo(&a, 0, -3.0, host, sizeof host, NULL,
                                     0),
                     -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* create_server                                                            */
/* ------------------------------------------------------------------------ */

static int int_option(skt_socket *s, int level, int name)
{
    int value = -1;
    SKT_OK(skt_getsockopt_int(s, level, name, &value));
    return value;
}

static void test_create_server_sets_reuseaddr_on_tcp(void **state)
{
    skt_socket *s;
    (void)state;
    SKT_OK(skt_create_server(&s, "127.0.0.1", "0", NULL));
    assert_int_equal(int_option(s, SOL_SOCKET, SO_REUSEADDR), 1);
    assert_int_equal(int_option(s, SOL_SOCKET, SO_ACCEPTCONN), 1);
    assert_int_equal(int_option(s, SOL_SOCKET, SO_REUSEPORT), 0);
    skt_close(s);
}

static void test_create_datagram_server_never_sets_reuseaddr(void **state)
{
    skt_socket *s, *c;
    skt_addr a;
    char buf[8];
    (void)state;
    SKT_OK(skt_create_datagram_server(&s, "127.0.0.1", "0", NULL));
    assert_int_equal(skt_type(s), SOCK_DGRAM);
    assert_int_equal(int_option(s, SOL_SOCKET, SO_REUSEADDR), 0);
    SKT_OK(skt_getsockname(s, &a));
    SKT_OK(skt_open(&c, AF_INET, SOCK_DGRAM, 0));
    assert_int_equal(skt_sendto(c, "dgram", 5, 0, &a), 5);
    assert_int_equal(skt_recvfrom(s, buf, sizeof buf, 0, NULL), 5);
    skt_close(c);
    skt_close(s);
}

static void test_create_server_reuse_port_shares_port(void **state)
{
    skt_server_opts opts = {.reuse_port = true};
    skt_socket *a, *b;
    skt_addr addr;
    char port[8];
    (void)state;
    SKT_OK(skt_create_server(&a, "127.0.0.1", "0", &opts));
    assert_int_equal(int_option(a, SOL_SOCKET, SO_REUSEPORT), 1);
    SKT_OK(skt_getsockname(a, &addr));
    port_text(skt_addr_port(&addr), port, sizeof port);
    SKT_OK(skt_create_server(&b, "127.0.0.1", port, &opts));
    skt_close(a);
    skt_close(b);
}

static void test_create_server_in_use_names_address(void **state)
{
    skt_socket *a, *b = (skt_socket *)&b;
    char port[8], expected[96];
    (void)state;
    a = listen_on("127.0.0.1", port, sizeof port);
    assert_int_equal(skt_create_server(&b, "127.0.0.1", port, NULL),
                     -EADDRINUSE);
    assert_null(b);
    snprintf(expected, sizeof expected,
             "create_server: bind to 127.0.0.1:%s: Address already in use",
             port);
    assert_string_equal(skt_error_detail(), expected);
    skt_close(a);
}

static void test_create_server_empty_host_binds_every_interface(void **st)
{
    const char *hosts[] = {NULL, ""};
    char text[SKT_ADDRSTRLEN];
    skt_socket *s;
    skt_addr a;
    (void)st;
    for (size_t i = 0; i < 2; i++) {
        SKT_OK(skt_create_server(&s, hosts[i], NULL, NULL));
        SKT_OK(skt_getsockname(s, &a));
        skt_addr_format(&a, text, sizeof text);
        assert_true(strncmp(text, "0.0.0.0:", 8) == 0);
        assert_true(skt_addr_port(&a) > 0);
        skt_close(s);
    }
}

static void test_create_server_ipv6_sets_v6only_explicitly(void **state)
{
    skt_server_opts opts = {.family = AF_INET6};
    skt_socket *s;
    char text[SKT_ADDRSTRLEN];
    skt_addr a;
    (void)state;
    if (!have_ipv6_loopback())
        SKT_SKIP("no IPv6");
    SKT_OK(skt_create_server(&s, NULL, "0", &opts));
    assert_int_equal(int_option(s, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    SKT_OK(skt_getsockname(s, &a));
    skt_addr_format(&a, text, sizeof text);
    assert_true(strncmp(text, "[::]:", 5) == 0);
    skt_close(s);
}

static void test_create_server_dualstack_accepts_ipv4(void **state)
{
    skt_server_opts opts = {.dualstack = true};
    skt_socket *s, *c, *conn;
    skt_addr a;
    char port[8];
    (void)state;
    if (!skt_has_dualstack_ipv6())
        SKT_SKIP("this platform has no dual-stack IPv6");
    SKT_OK(skt_create_server(&s, NULL, "0", &opts));
    assert_int_equal(skt_family(s), AF_INET6);
    assert_int_equal(int_option(s, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    SKT_OK(skt_getsockname(s, &a));
    port_text(skt_addr_port(&a), port, sizeof port);
    SKT_OK(skt_create_connection(&c, "127.0.0.1", port, NULL));
    SKT_OK(skt_accept(s, &conn, NULL));
    skt_close(conn);
    skt_close(c);
    skt_close(s);
}

static void test_create_server_dualstack_requires_ipv6(void **state)
{
    skt_server_opts opts = {.dualstack = true, .family = AF_INET};
    skt_socket *s;
    (void)state;
    assert_int_equal(skt_create_server(&s, NULL, "0", &opts), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "dualstack"));
}

static void test_create_server_backlog_option(void **state)
{
    skt_server_opts opts = {.backlog = 1};
    skt_socket *s, *clients[6];
    skt_addr a;
    char port[8];
    size_t connected = 0;
    (void)state;
    SKT_OK(skt_create_server(&s, "127.0.0.1", "0", &opts));
    SKT_OK(skt_getsockname(s, &a));
    port_text(skt_addr_port(&a), port, sizeof port);
    /* Linux queues backlog + 1 connections; the next SYNs go unanswered. */
    for (; connected < 6; connected++) {
        skt_connect_opts quick = {.timeout = 0.2};
        if (skt_create_connection(&clients[connected], "127.0.0.1", port,
                                  &quick) < 0)
            break;
    }
    for (size_t i = 0; i < connected; i++)
        skt_close(clients[i]);
    skt_close(s);
    if (connected == 6)
        SKT_SKIP("this kernel does not bound the accept queue");
    assert_int_equal(connected, 2);
}

static void test_create_server_unknown_host_is_eai(void **state)
{
    skt_socket *s;
    int rc;
    (void)state;
    rc = skt_create_server(&s, "127.0.0.1", "no-such-service-skt", NULL);
    assert_true(rc <= SKT_EAI_BASE - 1 && rc >= SKT_EAI_BASE - 12);
}

static void test_create_server_port_over_65535_is_eportrange(void **state)
{
    skt_socket *s = NULL;
    (void)state;
    /* Python's create_server refuses it in bind(); glibc would bind 4464. */
    assert_int_equal(skt_create_server(&s, "127.0.0.1", "70000", NULL),
                     SKT_EPORTRANGE);
    assert_null(s);
    assert_non_null(strstr(skt_error_detail(), "create_server"));
    assert_non_null(strstr(skt_error_detail(), "70000"));
}

/* ------------------------------------------------------------------------ */
/* Python as the peer                                                       */
/* ------------------------------------------------------------------------ */

static void test_skt_create_connection_to_python_create_server(void **st)
{
    char script[512], line[128], port[8];
    const char *python = skt_test_python();
    skt_socket *s;
    char echo[6];
    int out;
    pid_t pid;
    (void)st;
    if (python == NULL)
        SKT_SKIP("python3 is not available");
    skt_test_source_path("tests/peers/create_peer.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "server",
                                         NULL},
                         &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%7s", port), 1);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port,
                                 &(skt_connect_opts){.timeout = 5}));
    SKT_OK(skt_sendall(s, "hello!", 6, 0, NULL));
    SKT_OK(skt_recv_exact(s, echo, 6, 0, NULL));
    assert_memory_equal(echo, "hello!", 6);
    skt_close(s);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    close(out);
}

static void test_python_create_connection_to_skt_create_server(void **st)
{
    char script[512], port[8], line[128], buf[64];
    const char *python = skt_test_python();
    skt_socket *s, *conn;
    skt_addr a;
    ssize_t n;
    int out;
    pid_t pid;
    (void)st;
    if (python == NULL)
        SKT_SKIP("python3 is not available");
    SKT_OK(skt_create_server(&s, "127.0.0.1", "0", NULL));
    SKT_OK(skt_getsockname(s, &a));
    port_text(skt_addr_port(&a), port, sizeof port);
    skt_test_source_path("tests/peers/create_peer.py", script, sizeof script);
    pid = skt_test_spawn((char *const[]){(char *)python, script, "client",
                                         "127.0.0.1", port, NULL},
                         &out);
    SKT_OK(skt_settimeout(s, 10));
    SKT_OK(skt_accept(s, &conn, NULL));
    SKT_OK(skt_settimeout(conn, 10));
    n = skt_recv(conn, buf, sizeof buf, 0);
    assert_int_equal(n, 7);
    SKT_OK(skt_sendall(conn, buf, (size_t)n, 0, NULL));
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_string_equal(line, "received \"from py\"");
    assert_int_equal(skt_test_wait(pid, 10), 0);
    skt_close(conn);
    skt_close(s);
    close(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_create_connection_connects_numeric_host),
    cmocka_unit_test(test_create_connection_timeout_becomes_socket_timeout),
    cmocka_unit_test(test_create_connection_zero_timeout_means_default),
    cmocka_unit_test(test_create_connection_refused_everywhere_lists_each),
    cmocka_unit_test(test_create_connection_falls_back_to_next_address),
    cmocka_unit_test(test_create_connection_family_option),
    cmocka_unit_test(test_create_connection_source_address),
    cmocka_unit_test(test_create_connection_unknown_service_is_eai),
    cmocka_unit_test(test_create_connection_rejects_bad_options),
    cmocka_unit_test(test_create_connection_source_family_mismatch),
    cmocka_unit_test(test_create_connection_port_over_65535_is_eportrange),
    cmocka_unit_test(test_create_connection_to_parses_targets),
    cmocka_unit_test(test_create_connection_to_rejects_bad_targets),
    cmocka_unit_test(test_create_connection_sequential_mode),
    cmocka_unit_test(test_create_connection_closes_losing_attempts),
    cmocka_unit_test(test_create_connection_times_out_as_one_deadline),
    cmocka_unit_test(test_create_connection_single_address_blocking_eintr),
    cmocka_unit_test(test_create_connection_nonblocking_default_mode),
    cmocka_unit_test(test_create_connection_single_address_refused),
    cmocka_unit_test(test_create_connection_reports_real_error_not_timeout),
    cmocka_unit_test(test_create_connection_poll_failure_ends_race),
    cmocka_unit_test(test_create_connection_report_lists_each_refusal),
    cmocka_unit_test(test_create_connection_report_marks_the_winner),
    cmocka_unit_test(test_create_connection_report_counts_past_capacity),
    cmocka_unit_test(test_create_connection_report_after_failed_lookup),
    cmocka_unit_test(test_create_connection_report_needs_its_array),
    cmocka_unit_test(test_create_connection_report_times_out_attempt),
    cmocka_unit_test(test_create_connection_report_cancels_the_loser),
    cmocka_unit_test(test_create_connection_report_times_the_handshake),
    cmocka_unit_test(test_getaddrinfo_numeric_answers_with_zero_timeout),
    cmocka_unit_test(test_getaddrinfo_name_within_timeout),
    cmocka_unit_test(test_getnameinfo_numeric_with_timeout),
    cmocka_unit_test(test_create_server_sets_reuseaddr_on_tcp),
    cmocka_unit_test(test_create_datagram_server_never_sets_reuseaddr),
    cmocka_unit_test(test_create_server_reuse_port_shares_port),
    cmocka_unit_test(test_create_server_in_use_names_address),
    cmocka_unit_test(test_create_server_empty_host_binds_every_interface),
    cmocka_unit_test(test_create_server_ipv6_sets_v6only_explicitly),
    cmocka_unit_test(test_create_server_dualstack_accepts_ipv4),
    cmocka_unit_test(test_create_server_dualstack_requires_ipv6),
    cmocka_unit_test(test_create_server_backlog_option),
    cmocka_unit_test(test_create_server_unknown_host_is_eai),
    cmocka_unit_test(test_create_server_port_over_65535_is_eportrange),
    cmocka_unit_test(test_skt_create_connection_to_python_create_server),
    cmocka_unit_test(test_python_create_connection_to_skt_create_server),
};

SKT_TEST_MAIN(tests)
