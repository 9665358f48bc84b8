/*
 * server-common.h - what the server test programs (test-server-workers.c,
 * test-server-drain.c, test-server-activate.c) share: a server serving on
 * a thread of the test, clients with a bounded wait, and the echo
 * handlers of each mode.
 */
#ifndef SKT_TEST_SERVER_COMMON_H
#define SKT_TEST_SERVER_COMMON_H

#include "harness.h"

#include <pthread.h>

/* A server whose serve_forever runs on a thread of the test. */
struct serving {
    skt_server *srv;
    pthread_t thread;
    int rc;
    double stopped_at; /* skt_test_now() when serve_forever returned */
};

/* The switch between the two ways of sharing a port among event workers
 * (1: a listener each, 0: one for all, -1: the platform's choice), read
 * when a server is made: src/server/workers.c. */
extern int skt__server_listeners_override;

/* skt_server_new on address, then serve_forever on a thread. */
void serving_start(struct serving *s, const char *address,
                   const skt_server_config *cfg);
/* serve_forever on a thread for a server made already. */
void serving_run(struct serving *s, skt_server *srv);
/* Joins the serving thread, which must end by itself with 0. */
void serving_join(struct serving *s);
/* Shutdown, join, close. */
void serving_stop(struct serving *s);

/* A client of srv, in timeout mode (5 s). */
skt_socket *server_connect(skt_server *srv);
/* Ends a client: shutdown first, for copies held by forked children. */
void server_hang_up(skt_socket *c);
/* Sends text and reads its echo. */
void server_check_echo(skt_socket *c, const char *text);

/* Echo handlers: blocking modes, and SKT_SERVER_EVENTS (over
 * skt_server_conn_recv). */
int server_echo_stream(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user);
int server_echo_event(skt_server_conn *conn, int events, void *state);

/* A config of mode with both echo handlers. */
skt_server_config server_echo_config(skt_server_mode mode);

/* Waits up to seconds for *flag (read atomically) to reach value. */
bool server_wait_for(const int *flag, int value, double seconds);

#endif
