/*
 * tls_peer.h - the TLS fixtures of tls.c: the test certificates'
 * contexts, and a server thread that serves TLS connections one after
 * another on a loopback listener, as py/tls.py's Server does.
 */
#ifndef SKT_CONF_TLS_PEER_H
#define SKT_CONF_TLS_PEER_H

#include <pthread.h>

#include "conf.h"

/* What the server does with one connection once its handshake is done;
 * it writes its outcome into result (size 128), or leaves "ok". */
typedef void tls_action(skt_socket *conn, char *result);

typedef struct tls_server {
    skt_socket *listener;
    skt_tls_ctx *ctx;
    tls_action *action;
    int count;
    int delay_ms; /* before each handshake; set before start (zero the struct)
                   */
    char port[8];
    char result[128];
    pthread_t thread;
} tls_server;

/* Every TLS scenario needs the certificates, which the driver makes. */
#define NEEDS_CERTS(name)                                                      \
    do {                                                                       \
        if (!conf_certs())                                                     \
            return conf_emit(name, "skip:no-certificates");                    \
    } while (0)

/* The path of a certificate file (in a static buffer, one of four). */
const char *tls_cert(const char *name);
/* A client context trusting ca.pem, or NULL (the code in *rc). */
skt_tls_ctx *tls_client_ctx(int *rc);
/* A server context with chain and key, or NULL (the code in *rc). */
skt_tls_ctx *tls_server_ctx(const char *chain, const char *key, int *rc);

/* Starts a server for count connections; it takes ctx. Returns 0. */
int tls_server_start(tls_server *srv, skt_tls_ctx *ctx, tls_action *action,
                     int count);
/* Waits for the server and frees it; returns its last result. */
const char *tls_server_done(tls_server *srv);

/* A TCP connection to 127.0.0.1:port in timeout mode 5. */
int tls_connect(const char *port, skt_socket **out);

/* Server actions. */
void tls_echo(skt_socket *conn, char *result);

#endif
