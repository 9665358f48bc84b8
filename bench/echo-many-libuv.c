/*
 * echo-many-libuv.c - the libuv echo server of bench/echo-many.c, written
 * as a libuv program would be: uv_read_start with one read buffer for the
 * whole loop (each read is echoed before the next one), uv_try_write, and
 * uv_write with a copy for whatever the socket did not take.
 */
#include "echo-many.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct pending_write {
    uv_write_t req;
    char data[];
};

/* Every read lands here: the echo is sent, or copied, before uv_run
 * reads again. */
static char read_buffer[65536];

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    (void)h, (void)size;
    *buf = uv_buf_init(read_buffer, sizeof read_buffer);
}

static void on_close(uv_handle_t *h)
{
    free(h);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

/* What uv_try_write did not take is copied and queued with uv_write. */
static void send_rest(uv_stream_t *s, const char *data, size_t len)
{
    struct pending_write *w = malloc(sizeof *w + len);
    uv_buf_t b;

    if (w == NULL)
        return;
    memcpy(w->data, data, len);
    b = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, s, &b, 1, on_written) != 0)
        free(w);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    uv_buf_t b;
    int sent;

    if (n < 0) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (n == 0)
        return;
    b = uv_buf_init(buf->base, (unsigned)n);
    sent = uv_try_write(s, &b, 1);
    if (sent < 0)
        sent = 0;
    if (sent < n)
        send_rest(s, buf->base + sent, (size_t)(n - sent));
}

static void on_connection(uv_stream_t *server, int status)
{
    uv_tcp_t *c = malloc(sizeof *c);

    if (status < 0 || c == NULL) {
        free(c);
        return;
    }
    uv_tcp_init(server->loop, c);
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_close);
        return;
    }
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

void echo_serve_libuv(int listener, int backlog)
{
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;

    uv_tcp_init(loop, &server);
    if (uv_tcp_open(&server, listener) != 0 ||
        uv_listen((uv_stream_t *)&server, backlog, on_connection) != 0)
        exit(1);
    uv_run(loop, UV_RUN_DEFAULT);
}

const char *echo_libuv_missing(void)
{
    return NULL;
}
