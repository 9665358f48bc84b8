/*
 * app.c - skt app HOST PORT ACTION VALUE: one request of the sockets
 * tutorial's JSON-header application protocol (libskt_app), and the
 * result printed as one line. "search" goes as a text/json request;
 * any other action as the tutorial's binary request. -i bounds the wait
 * for the response; -v says what came back.
 */
#include "tool.h"

#include <skt_app.h>

#include <errno.h>
#include <stdlib.h>

/* The response's result on stdout. */
static int print_result(const struct config *c, const skt_app_message *m)
{
    char *text = NULL;
    size_t len = 0;
    int rc = skt_app_result(m, &text, &len);

    if (rc < 0)
        return rc;
    if (c->verbose)
        note("response: %s, %s, %zu bytes", m->content_type,
             m->content_encoding, m->content_length);
    rc = write_all(1, text, len);
    if (rc == 0)
        rc = write_all(1, "\n", 1);
    free(text);
    return rc == -EPIPE ? 0 : rc;
}

int run_app(const struct config *c)
{
    skt_app_message *request = NULL, *response = NULL;
    skt_socket *s = NULL;
    int status = open_connection(c, &s), rc = 0;

    if (status != 0)
        return status;
    if (c->idle > 0)
        rc = skt_settimeout(s, c->idle);
    if (rc == 0)
        rc = skt_app_request(&request, c->action, c->value);
    if (rc == 0)
        rc = skt_app_send(s, request, NULL);
    if (rc == 0)
        rc = skt_app_recv(s, NULL, &response);
    if (rc == 0)
        rc = print_result(c, response);
    if (rc < 0)
        status = fail(rc, c->idle > 0);
    skt_app_message_free(request);
    skt_app_message_free(response);
    skt_close(s);
    return status;
}
