/*
 * echo-client-any.c - the family-agnostic echo client of the Python socket
 * HOWTO, in C on skt: it works with IPv4 and IPv6 alike.
 *
 *     echo-client-any HOST PORT MESSAGE...
 *
 * HOST may be a name ("localhost") or a numeric address; PORT may be a
 * number or a service name. skt_getaddrinfo turns them into a list of
 * addresses, which are tried in turn until one connects. If none does,
 * every address tried is printed with its error:
 *
 *     $ echo-client-any localhost 1 hi
 *     echo-client-any: could not connect to localhost port 1
 *     echo-client-any:   127.0.0.1:1: Connection refused
 *     echo-client-any:   [::1]:1: Connection refused
 *
 * Each connect, send and reply has a 5 second timeout (so a list of
 * several dead addresses takes 5 seconds each).
 *
 * The Python this follows:
 *
 *     errors = []
 *     for af, socktype, proto, _, sa in socket.getaddrinfo(
 *             HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM):
 *         s = None
 *         try:
 *             s = socket.socket(af, socktype, proto)
 *             s.settimeout(5)
 *             s.connect(sa)
 *             break
 *         except OSError as err:
 *             errors.append((sa, err))
 *             if s is not None:
 *                 s.close()
 */
#include <skt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds allowed for the lookup, each connect, each send and reply. */
#define TIMEOUT 5.0

/* Prints the last failure as the library describes it; returns 1. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "echo-client-any: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* The text form of an address: "127.0.0.1:5000" or "[::1]:5000". */
static const char *addr_text(const skt_addr *addr, char *buf, size_t len)
{
    if (skt_addr_format(addr, buf, len) < 0)
        snprintf(buf, len, "(unknown address)");
    return buf;
}

/* Opens a socket for one result of getaddrinfo and connects it. */
static int try_connect(const skt_addrinfo *ai, skt_socket **out)
{
    skt_socket *s;
    int rc;

    rc = skt_open(&s, ai->family, ai->type, ai->proto);
    if (rc < 0)
        return rc;
    rc = skt_settimeout(s, TIMEOUT);
    if (rc == 0)
        rc = skt_connect(s, &ai->addr);
    if (rc < 0) {
        skt_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/*
 * Tries each address in turn and keeps the first socket that connects.
 * The error of each address is remembered, so that when all of them fail
 * the user sees why each one did, not only the last.
 */
static int connect_any(const skt_addrinfo *list, const char *host,
                       const char *port, skt_socket **out)
{
    const skt_addrinfo *ai;
    char text[SKT_ADDRSTRLEN];
    size_t count = 0, i = 0;
    int *errors;

    for (ai = list; ai != NULL; ai = ai->next)
        count++;
    errors = calloc(count + 1, sizeof *errors);
    if (errors == NULL) {
        fprintf(stderr, "echo-client-any: out of memory\n");
        return 1;
    }
    for (ai = list; ai != NULL; ai = ai->next, i++) {
        errors[i] = try_connect(ai, out);
        if (errors[i] == 0) {
            free(errors);
            return 0;
        }
    }
    fprintf(stderr, "echo-client-any: could not connect to %s port %s\n",
            host, port);
    for (ai = list, i = 0; ai != NULL; ai = ai->next, i++)
        fprintf(stderr, "echo-client-any:   %s: %s\n",
                addr_text(&ai->addr, text, sizeof text),
                skt_strerror(errors[i]));
    free(errors);
    return 1;
}

/* Sends one message and prints the echo. Returns the exit status. */
static int echo_message(skt_socket *s, const char *message)
{
    size_t len = strlen(message);
    char *reply;
    int rc;

    reply = malloc(len + 1);
    if (reply == NULL) {
        fprintf(stderr, "echo-client-any: out of memory\n");
        return 1;
    }
    /* sendall keeps sending until every byte is out; recv_exact keeps
     * receiving until len bytes are in (or fails with SKT_EEOF). */
    rc = skt_sendall(s, message, len, 0, NULL);
    if (rc == 0)
        rc = skt_recv_exact(s, reply, len, 0, NULL);
    if (rc == 0) {
        printf("received \"");
        fwrite(reply, 1, len, stdout);
        printf("\"\n");
    }
    free(reply);
    return rc < 0 ? report(rc) : 0;
}

int main(int argc, char **argv)
{
    skt_addrinfo hints = {.family = AF_UNSPEC, .type = SOCK_STREAM};
    skt_addrinfo *list;
    skt_socket *s;
    int rc, status;

    if (argc < 4) {
        fprintf(stderr, "usage: echo-client-any HOST PORT MESSAGE...\n");
        return 2;
    }
    /* AF_UNSPEC: IPv4 and IPv6 results both, in the resolver's order. */
    rc = skt_getaddrinfo(argv[1], argv[2], &hints, TIMEOUT, &list);
    if (rc < 0)
        return report(rc);
    status = connect_any(list, argv[1], argv[2], &s);
    skt_freeaddrinfo(list);
    if (status != 0)
        return status;

    for (int i = 3; i < argc && status == 0; i++)
        status = echo_message(s, argv[i]);

    /* Closing tells the server we are done: its recv returns 0. */
    rc = skt_close(s);
    if (rc < 0 && status == 0)
        status = report(rc);
    return status;
}
