/*
 * test-options.c - the rule every options struct keeps: all zero (or a
 * NULL pointer) means the defaults, and a reserved field that is not zero
 * (an option from a newer header) is refused with -EINVAL and a detail,
 * never ignored.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

#include "skt_app.h"

/* Any non-NULL pointer stands for a newer header's option. */
static int marker;

static void assert_refused(int rc)
{
    assert_int_equal(rc, -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "reserved field"));
}

static void test_stream_opts_reserved_field_is_refused(void **state)
{
    skt_socket *a, *b;
    skt_stream *st = NULL;
    skt_stream_opts opts = {0};
    (void)state;
    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_makefile(a, &st, &opts));
    SKT_OK(skt_stream_close(st));
    opts.reserved[3] = &marker;
    assert_refused(skt_makefile(a, &st, &opts));
    assert_null(st);
    skt_close(a);
    skt_close(b);
}

static void test_frame_opts_reserved_field_is_refused(void **state)
{
    skt_frame_decoder *d = NULL;
    skt_frame_opts opts = {0};
    (void)state;
    SKT_OK(skt_frame_decoder_new(&d, &opts));
    skt_frame_decoder_free(d);
    d = NULL;
    opts.reserved[0] = &marker;
    assert_refused(skt_frame_decoder_new(&d, &opts));
    assert_null(d);
}

static void test_server_opts_reserved_field_is_refused(void **state)
{
    skt_socket *s = NULL;
    skt_server_opts opts = {0};
    (void)state;
    SKT_OK(skt_create_server(&s, "127.0.0.1", "0", &opts));
    skt_close(s);
    s = NULL;
    opts.reserved[1] = &marker;
    assert_refused(skt_create_server(&s, "127.0.0.1", "0", &opts));
    assert_null(s);
}

static int handle(skt_server *srv, skt_socket *conn, const skt_addr *peer,
                  void *user)
{
    (void)srv;
    (void)conn;
    (void)peer;
    (void)user;
    return 0;
}

static void test_server_config_reserved_field_is_refused(void **state)
{
    skt_server *srv = NULL;
    skt_server_config cfg = {0};
    skt_addr where;
    (void)state;
    SKT_OK(skt_addr_parse(&where, "127.0.0.1:0"));
    cfg.handle = handle;
    SKT_OK(skt_server_new(&srv, &where, &cfg));
    SKT_OK(skt_server_close(srv));
    srv = NULL;
    cfg.reserved[0] = &marker;
    assert_refused(skt_server_new(&srv, &where, &cfg));
    assert_null(srv);
}

static void test_accept_backoff_reserved_field_is_refused(void **state)
{
    skt_socket *listener, *conn = NULL;
    skt_accept_backoff backoff = {0};
    int port;
    (void)state;
    skt_test_tcp_listener(&listener, &port);
    backoff.reserved[0] = &marker;
    assert_refused(skt_accept_retry(listener, &conn, NULL, &backoff));
    assert_null(conn);
    skt_close(listener);
}

static void test_app_opts_reserved_field_is_refused(void **state)
{
    skt_app_decoder *d = NULL;
    skt_app_opts opts = {0};
    (void)state;
    SKT_OK(skt_app_decoder_new(&d, &opts));
    skt_app_decoder_free(d);
    d = NULL;
    opts.reserved[3] = &marker;
    assert_refused(skt_app_decoder_new(&d, &opts));
    assert_null(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stream_opts_reserved_field_is_refused),
    cmocka_unit_test(test_frame_opts_reserved_field_is_refused),
    cmocka_unit_test(test_server_opts_reserved_field_is_refused),
    cmocka_unit_test(test_server_config_reserved_field_is_refused),
    cmocka_unit_test(test_accept_backoff_reserved_field_is_refused),
    cmocka_unit_test(test_app_opts_reserved_field_is_refused),
};

SKT_TEST_MAIN(tests)
