/*
 * app-hello.c - the protocol library, installed: encodes the tutorial's
 * search request and prints its size on the wire ("app-hello: N bytes").
 */
#include <skt_app.h>

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    skt_app_message *m = NULL;
    void *wire = NULL;
    size_t len = 0;
    int rc = skt_app_request(&m, "search", "ring");

    if (rc == 0)
        rc = skt_app_encode(m, &wire, &len);
    skt_app_message_free(m);
    free(wire);
    if (rc < 0) {
        fprintf(stderr, "app-hello: %s\n", skt_error_detail());
        return 1;
    }
    printf("app-hello: %zu bytes\n", len);
    return 0;
}
