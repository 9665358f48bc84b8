/*
 * create-connection-client.c - the getaddrinfo-loop client of the Python
 * socket HOWTO, rewritten with skt_create_connection.
 *
 *     create-connection-client HOST PORT MESSAGE...
 *
 * HOST may be a name or an address of either family. One 5 second
 * deadline covers the lookup and every connect attempt; the addresses are
 * raced as Happy Eyeballs (RFC 8305) says, so a broken IPv6 path costs a
 * quarter of a second, not the whole timeout:
 *
 *     $ create-connection-client localhost 43527 hello
 *     connected to 127.0.0.1:43527
 *     received "hello"
 *
 * The Python this replaces:
 *
 *     with socket.create_connection((HOST, PORT), timeout=5) as s:
 *         s.sendall(b"hello")
 *         data = s.recv(1024)
 *
 * On failure, every address tried is listed with its own error.
 */
#include <skt.h>

#include <stdio.h>
#include <string.h>

static int report(const char *what)
{
    fprintf(stderr, "create-connection-client: %s\n",
            what != NULL ? what : skt_error_detail());
    return 1;
}

static int echo(skt_socket *s, const char *message)
{
    char reply[4096];
    size_t len = strlen(message);

    if (len > sizeof reply)
        return report("message longer than 4096 bytes");
    if (skt_sendall(s, message, len, 0, NULL) < 0 ||
        skt_recv_exact(s, reply, len, 0, NULL) < 0)
        return report(NULL);
    printf("received \"%.*s\"\n", (int)len, reply);
    return 0;
}

int main(int argc, char **argv)
{
    skt_connect_opts opts = {.timeout = 5.0};
    char where[SKT_ADDRSTRLEN];
    skt_socket *s;
    skt_addr peer;
    int status = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT MESSAGE...\n", argv[0]);
        return 2;
    }
    if (skt_create_connection(&s, argv[1], argv[2], &opts) < 0)
        return report(NULL);
    if (skt_getpeername(s, &peer) == 0 &&
        skt_addr_format(&peer, where, sizeof where) >= 0)
        printf("connected to %s\n", where);
    for (int i = 3; i < argc && status == 0; i++)
        status = echo(s, argv[i]);
    skt_close(s);
    return status;
}
