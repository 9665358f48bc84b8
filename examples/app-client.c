/*
 * app-client.c - the client of the Real Python sockets tutorial's
 * application protocol, in C on skt.
 *
 *     app-client HOST PORT ACTION VALUE
 *
 * Sends one request: for ACTION "search" a text/json {"action": "search",
 * "value": VALUE}; for any other action a binary request holding ACTION
 * followed by VALUE. Then prints the response, one line:
 *
 *     Got result: Follow the white rabbit. 🐰     (a text/json response)
 *     Got response: First 10 bytes of request: ...  (a binary response)
 *
 * and exits 0. Any failure (no connection, a malformed response, no
 * response within 10 seconds) is printed on stderr and exits 1. HOST may
 * be a name or an address; it is resolved with the same 10-second limit.
 */
#include <skt.h>
#include <skt_app.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One deadline for resolving and connecting, then for each exchange. */
#define TIMEOUT 10.0

/* Prints the last failure; returns the exit status 1. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "app-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Sends the request over s and receives the response. */
static int exchange(skt_socket *s, const char *action, const char *value,
                    skt_app_message **response)
{
    skt_app_message *request;
    int rc;

    rc = skt_app_request(&request, action, value);
    if (rc < 0)
        return rc;
    rc = skt_app_send(s, request, NULL);
    skt_app_message_free(request);
    if (rc < 0)
        return rc;
    return skt_app_recv(s, NULL, response);
}

/* Prints the response's result as one line. */
static int print_result(const skt_app_message *response)
{
    bool json = strcmp(response->content_type, "text/json") == 0;
    char *text;
    size_t len;
    int rc;

    rc = skt_app_result(response, &text, &len);
    if (rc < 0)
        return rc;
    /* Binary content may hold any byte: written by length. */
    fputs(json ? "Got result: " : "Got response: ", stdout);
    fwrite(text, 1, len, stdout);
    fputc('\n', stdout);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    skt_connect_opts opts = {.timeout = TIMEOUT};
    skt_app_message *response = NULL;
    skt_socket *s;
    int rc;

    if (argc != 5) {
        fprintf(stderr, "usage: app-client HOST PORT ACTION VALUE\n");
        return 2;
    }
    rc = skt_create_connection(&s, argv[1], argv[2], &opts);
    if (rc < 0)
        return report(rc);
    rc = exchange(s, argv[3], argv[4], &response);
    /* One request per connection: the server closes after its answer. */
    skt_close(s);
    if (rc == 0)
        rc = print_result(response);
    skt_app_message_free(response);
    return rc < 0 ? report(rc) : 0;
}
