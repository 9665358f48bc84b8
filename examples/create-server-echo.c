/*
 * create-server-echo.c - an echo server on skt_create_server.
 *
 *     create-server-echo HOST PORT
 *
 * HOST may be a name, an address of either family, or "" for every
 * interface; PORT 0 picks a free port. The listener reuses its address
 * (SO_REUSEADDR), as Python's create_server does, so a restart does not
 * wait out TIME_WAIT. With an IPv6 host of "::", it also accepts IPv4
 * (dual stack). Connections are served one after another; with
 * SKT_EXAMPLE_ONCE=1 in the environment it exits after the first.
 *
 * The Python this follows:
 *
 *     with socket.create_server((HOST, PORT)) as server:
 *         conn, addr = server.accept()
 *         with conn:
 *             while data := conn.recv(1024):
 *                 conn.sendall(data)
 */
#include <skt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void serve(skt_socket *conn)
{
    char buf[4096];
    ssize_t n;

    while ((n = skt_recv(conn, buf, sizeof buf, 0)) > 0)
        if (skt_sendall(conn, buf, (size_t)n, 0, NULL) < 0)
            break;
    if (n < 0)
        fprintf(stderr, "create-server-echo: %s\n", skt_error_detail());
}

int main(int argc, char **argv)
{
    skt_server_opts opts = {0};
    char where[SKT_ADDRSTRLEN];
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    skt_socket *server, *conn;
    skt_addr addr;

    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    opts.dualstack = strcmp(argv[1], "::") == 0;
    if (skt_create_server(&server, argv[1], argv[2], &opts) < 0 ||
        skt_getsockname(server, &addr) < 0) {
        fprintf(stderr, "create-server-echo: %s\n", skt_error_detail());
        return 1;
    }
    skt_addr_format(&addr, where, sizeof where);
    printf("listening on %s\n", where);
    fflush(stdout);
    do {
        /* skt_accept_retry rides out what passes (no fd left for a while,
         * a client gone before it was accepted); anything else ends. */
        if (skt_accept_retry(server, &conn, &addr, NULL) < 0) {
            fprintf(stderr, "create-server-echo: %s\n", skt_error_detail());
            skt_close(server);
            return 1;
        }
        skt_addr_format(&addr, where, sizeof where);
        printf("connected by %s\n", where);
        fflush(stdout);
        serve(conn);
        skt_close(conn);
        printf("closed %s\n", where);
        fflush(stdout);
    } while (once == NULL || strcmp(once, "1") != 0);
    skt_close(server);
    return 0;
}
