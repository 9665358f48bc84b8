/*
 * tls_peer.c - the TLS fixtures of tls.c (see tls_peer.h).
 */
#include "tls_peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *tls_cert(const char *name)
{
    static char path[4][512];
    static int next;
    char *out = path[next++ % 4];

    snprintf(out, 512, "%s/%s", conf_certs() ? conf_certs() : ".", name);
    return out;
}

skt_tls_ctx *tls_client_ctx(int *rc)
{
    skt_tls_ctx *ctx = NULL;

    *rc = skt_tls_ctx_new(&ctx, SKT_TLS_CLIENT);
    if (*rc == 0)
        *rc = skt_tls_ctx_load_verify_locations(ctx, tls_cert("ca.pem"), NULL,
                                                NULL);
    if (*rc < 0) {
        skt_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

skt_tls_ctx *tls_server_ctx(const char *chain, const char *key, int *rc)
{
    skt_tls_ctx *ctx = NULL;

    *rc = skt_tls_ctx_new(&ctx, SKT_TLS_SERVER);
    if (*rc == 0)
        *rc = skt_tls_ctx_load_cert_chain(ctx, tls_cert(chain), tls_cert(key),
                                          NULL);
    if (*rc < 0) {
        skt_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

static void serve_one(tls_server *srv)
{
    skt_socket *conn = NULL;
    int rc = skt_accept(srv->listener, &conn, NULL);

    if (rc == 0)
        rc = skt_settimeout(conn, 5);
    if (rc == 0 && srv->delay_ms > 0) {
        struct timespec ts = {0, (long)srv->delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (rc == 0)
        rc = skt_tls_wrap(conn, srv->ctx, NULL, true);
    snprintf(srv->result, sizeof srv->result, "%s", conf_err(rc));
    if (rc == 0 && srv->action)
        srv->action(conn, srv->result);
    skt_close(conn);
}

static void *serve(void *arg)
{
    tls_server *srv = arg;

    for (int i = 0; i < srv->count; i++)
        serve_one(srv);
    return NULL;
}

int tls_server_start(tls_server *srv, skt_tls_ctx *ctx, tls_action *action,
                     int count)
{
    skt_addr a;
    int rc = conf_listener(AF_INET, &srv->listener, &a);

    srv->ctx = ctx;
    srv->action = action;
    srv->count = count;
    snprintf(srv->result, sizeof srv->result, "none");
    snprintf(srv->port, sizeof srv->port, "%d", skt_addr_port(&a));
    if (rc == 0 && pthread_create(&srv->thread, NULL, serve, srv) != 0)
        rc = -EAGAIN;
    if (rc < 0) {
        skt_close(srv->listener);
        skt_tls_ctx_free(ctx);
    }
    return rc;
}

const char *tls_server_done(tls_server *srv)
{
    pthread_join(srv->thread, NULL);
    skt_close(srv->listener);
    skt_tls_ctx_free(srv->ctx);
    return srv->result;
}

int tls_connect(const char *port, skt_socket **out)
{
    skt_connect_opts opts = {.timeout = 5};
    return skt_create_connection(out, "127.0.0.1", port, &opts);
}

void tls_echo(skt_socket *conn, char *result)
{
    char buf[100];
    ssize_t n = skt_recv(conn, buf, sizeof buf, 0);

    if (n > 0)
        n = skt_sendall(conn, buf, (size_t)n, 0, NULL);
    if (n < 0)
        snprintf(result, 128, "%s", conf_err(n));
}
