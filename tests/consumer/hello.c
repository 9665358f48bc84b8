/*
 * hello.c - a small client and server on the installed library: a
 * listener on loopback port 0, a connection to it under one deadline, a
 * message each way. Prints "hello: ok" and exits 0 when all of it works.
 */
#include <skt.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "hello: %s: %s (%s)\n", what, skt_error_detail(),
            skt_errname(rc));
    return 1;
}

int main(void)
{
    skt_socket *listener = NULL, *client = NULL, *conn = NULL;
    skt_connect_opts opts;
    skt_addr where;
    char port[8], got[5];
    int rc;

    /* Written so that it also compiles as C++ (no designated initializer). */
    if (skt_version() != SKT_VERSION_NUM)
        return fail("the library is not the header's version", -EINVAL);
    memset(&opts, 0, sizeof opts);
    opts.timeout = 5.0;
    if ((rc = skt_create_server(&listener, "127.0.0.1", "0", NULL)) < 0)
        return fail("create_server", rc);
    skt_getsockname(listener, &where);
    snprintf(port, sizeof port, "%d", skt_addr_port(&where));
    if ((rc = skt_create_connection(&client, "127.0.0.1", port, &opts)) < 0)
        return fail("create_connection", rc);
    if ((rc = skt_accept(listener, &conn, NULL)) < 0)
        return fail("accept", rc);
    if ((rc = skt_sendall(client, "hello", 5, 0, NULL)) < 0 ||
        (rc = skt_recv_exact(conn, got, 5, 0, NULL)) < 0)
        return fail("transfer", rc);
    skt_close(conn);
    skt_close(client);
    skt_close(listener);
    if (memcmp(got, "hello", 5) != 0)
        return fail("the bytes differ", -EBADMSG);
    puts("hello: ok");
    return 0;
}
