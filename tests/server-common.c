/*
 * server-common.c - the helpers of server-common.h.
 */
#include "server-common.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void *serve_main(void *arg)
{
    struct serving *s = arg;

    s->rc = skt_server_serve_forever(s->srv);
    s->stopped_at = skt_test_now();
    return NULL;
}

void serving_run(struct serving *s, skt_server *srv)
{
    memset(s, 0, sizeof *s);
    s->srv = srv;
    assert_int_equal(pthread_create(&s->thread, NULL, serve_main, s), 0);
}

void serving_start(struct serving *s, const char *address,
                   const skt_server_config *cfg)
{
    skt_server *srv;
    skt_addr a;

    SKT_OK(skt_addr_parse(&a, address));
    SKT_OK(skt_server_new(&srv, &a, cfg));
    serving_run(s, srv);
}

void serving_join(struct serving *s)
{
    pthread_join(s->thread, NULL);
    SKT_OK(s->rc);
}

void serving_stop(struct serving *s)
{
    SKT_OK(skt_server_shutdown(s->srv));
    serving_join(s);
    SKT_OK(skt_server_close(s->srv));
}

skt_socket *server_connect(skt_server *srv)
{
    skt_socket *c;
    skt_addr a;

    SKT_OK(skt_server_address(srv, &a));
    SKT_OK(skt_open(&c, skt_addr_family(&a), SOCK_STREAM, 0));
    SKT_OK(skt_settimeout(c, 5.0));
    SKT_OK(skt_connect(c, &a));
    return c;
}

void server_hang_up(skt_socket *c)
{
    if (c == NULL)
        return;
    skt_shutdown(c, SHUT_RDWR);
    skt_close(c);
}

void server_check_echo(skt_socket *c, const char *text)
{
    char buf[256];
    size_t len = strlen(text);

    SKT_OK(skt_sendall(c, text, len, 0, NULL));
    SKT_OK(skt_recv_exact(c, buf, len, 0, NULL));
    assert_memory_equal(buf, text, len);
}

int server_echo_stream(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    char buf[4096];

    (void)srv, (void)client, (void)user;
    for (;;) {
        ssize_t n = skt_recv(conn, buf, sizeof buf, 0);
        int rc;
        if (n <= 0)
            return (int)n;
        rc = skt_sendall(conn, buf, (size_t)n, 0, NULL);
        if (rc < 0)
            return rc;
    }
}

int server_echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    ssize_t n = skt_server_conn_recv(conn, buf, sizeof buf);

    (void)events, (void)state;
    if (n == 0)
        return SKT_SERVER_CLOSE;
    if (n == -EAGAIN)
        return 0;
    if (n < 0)
        return (int)n;
    return skt_server_conn_send(conn, buf, (size_t)n);
}

skt_server_config server_echo_config(skt_server_mode mode)
{
    skt_server_config cfg = {0};

    cfg.mode = mode;
    cfg.handle = server_echo_stream;
    cfg.on_event = server_echo_event;
    /* A safety net: a child stuck by a failed test ends by itself. */
    if (mode == SKT_SERVER_FORK)
        cfg.idle_timeout = 10;
    return cfg;
}

bool server_wait_for(const int *flag, int value, double seconds)
{
    double until = skt_test_now() + seconds;
    struct timespec pause = {0, 2000000};

    while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) != value) {
        if (skt_test_now() > until)
            return false;
        nanosleep(&pause, NULL);
    }
    return true;
}
