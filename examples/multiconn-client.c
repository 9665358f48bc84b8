/*
 * multiconn-client.c - the multi-connection client of the Real Python
 * sockets tutorial (multiconn-client.py), in C on skt's selector.
 *
 *     multiconn-client HOST PORT NUM_CONNECTIONS
 *     multiconn-client --help
 *
 * Opens NUM_CONNECTIONS non-blocking connections at once; on each it
 * sends two messages and reads their echoes, all from one thread:
 *
 *     starting connection 1 to 127.0.0.1:43527
 *     sending "Message 1 from client." to connection 1
 *     sending "Message 2 from client." to connection 1
 *     received "Message 1 from client.Message 2 from client." from connection 1
 *     closing connection 1
 *
 * (how the echoes are split into receives varies). The exit status is 0
 * when every connection got exactly its messages back, 1 otherwise, or
 * when nothing happens for 10 seconds.
 *
 * The Python this follows (abridged):
 *
 *     messages = [b"Message 1 from client.", b"Message 2 from client."]
 *     for i in range(num_conns):
 *         sock.setblocking(False)
 *         sock.connect_ex(server_addr)
 *         sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
 *                      data=SimpleNamespace(connid=i + 1, ...))
 *     while True:
 *         for key, mask in sel.select(timeout=1):
 *             service_connection(key, mask)
 *         if not sel.get_map():
 *             break
 *
 * Build it alone against the installed library:
 *
 *     cc -o multiconn-client multiconn-client.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_LIMIT 10.0

static const char *const messages[] = {"Message 1 from client.",
                                       "Message 2 from client."};
#define MESSAGE_COUNT 2
#define ECHO_TOTAL 44 /* both messages */

struct connection {
    int id;
    skt_socket *sock;
    int next_message;
    size_t sent; /* of the message being sent */
    char received[ECHO_TOTAL];
    size_t received_len;
};

static skt_selector *selector;
static int failures;

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "multiconn-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

static bool parse_number(const char *text, int min, int *value)
{
    char *end;
    long parsed;

    errno = 0;
    parsed = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || parsed < min ||
        parsed > INT_MAX)
        return false;
    *value = (int)parsed;
    return true;
}

/* Starts a non-blocking connect, as Python's connect_ex. */
static int start_connection(const skt_addr *addr, int id)
{
    struct connection *c = calloc(1, sizeof *c);
    int rc = c != NULL ? skt_open(&c->sock, skt_addr_family(addr),
                                  SOCK_STREAM, 0)
                       : -ENOMEM;

    if (rc == 0)
        rc = skt_setblocking(c->sock, false);
    if (rc == 0) {
        rc = skt_connect(c->sock, addr);
        rc = rc == -EINPROGRESS ? 0 : rc;
    }
    if (rc == 0)
        rc = skt_selector_register_socket(
            selector, c->sock, SKT_EVENT_READ | SKT_EVENT_WRITE, c);
    if (rc < 0) {
        if (c != NULL)
            skt_close(c->sock);
        free(c);
        return rc;
    }
    c->id = id;
    return 0;
}

static void close_connection(struct connection *c, bool ok)
{
    bool exact = c->received_len == ECHO_TOTAL &&
                 memcmp(c->received, "Message 1 from client.Message 2 from "
                        "client.", ECHO_TOTAL) == 0;

    if (!ok || !exact) {
        fprintf(stderr, "multiconn-client: connection %d got %zu of %d "
                "bytes back%s\n", c->id, c->received_len, ECHO_TOTAL,
                exact ? "" : " (not the messages sent)");
        failures++;
    }
    printf("closing connection %d\n", c->id);
    skt_selector_unregister_socket(selector, c->sock);
    skt_close(c->sock);
    free(c);
}

/* Returns false when the connection is finished. */
static bool read_echo(struct connection *c, bool *ok)
{
    char *into = c->received + c->received_len;
    ssize_t got = skt_recv(c->sock, into, ECHO_TOTAL - c->received_len, 0);

    if (got == -EAGAIN)
        return true;
    if (got < 0) {
        report((int)got);
        *ok = false;
        return false;
    }
    if (got == 0)
        return false;
    printf("received \"%.*s\" from connection %d\n", (int)got, into, c->id);
    c->received_len += (size_t)got;
    return c->received_len < ECHO_TOTAL;
}

/* The next message, then nothing: WRITE is no longer asked for. */
static bool write_message(struct connection *c, bool *ok)
{
    const char *msg = messages[c->next_message];
    size_t len = strlen(msg);
    ssize_t sent;

    if (c->sent == 0)
        printf("sending \"%s\" to connection %d\n", msg, c->id);
    sent = skt_send(c->sock, msg + c->sent, len - c->sent, 0);
    if (sent == -EAGAIN)
        return true;
    if (sent < 0) {
        report((int)sent);
        *ok = false;
        return false;
    }
    c->sent += (size_t)sent;
    if (c->sent == len) {
        c->sent = 0;
        if (++c->next_message == MESSAGE_COUNT)
            return skt_selector_modify_socket(selector, c->sock,
                                       SKT_EVENT_READ, c) == 0;
    }
    return true;
}

static void service_connection(struct connection *c, int events)
{
    bool alive = true, ok = true;

    if (events & SKT_EVENT_READ)
        alive = read_echo(c, &ok);
    if (alive && (events & SKT_EVENT_WRITE) &&
        c->next_message < MESSAGE_COUNT)
        alive = write_message(c, &ok);
    if (!alive)
        close_connection(c, ok);
}

static int run(const skt_addr *addr, int count)
{
    char text[SKT_ADDRSTRLEN];
    double idle = 0;

    skt_addr_format(addr, text, sizeof text);
    for (int id = 1; id <= count; id++) {
        int rc;
        printf("starting connection %d to %s\n", id, text);
        rc = start_connection(addr, id);
        if (rc < 0)
            return report(rc);
    }
    while (skt_selector_count(selector) > 0 && idle < IDLE_LIMIT) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(selector, 1.0, &ready);
        if (n < 0)
            return report(n);
        idle = n == 0 ? idle + 1.0 : 0;
        for (int i = 0; i < n; i++)
            if (ready[i].events != 0)
                service_connection(ready[i].key.data, ready[i].events);
    }
    if (idle >= IDLE_LIMIT) {
        fprintf(stderr, "multiconn-client: nothing happened for %g s\n",
                IDLE_LIMIT);
        return 1;
    }
    return failures > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: multiconn-client HOST PORT NUM_CONNECTIONS\n";

static const char help_text[] =
    "\n"
    "The multi-connection client of the Real Python sockets tutorial: opens\n"
    "NUM_CONNECTIONS non-blocking connections at once to HOST, a numeric\n"
    "address, and PORT, sends two messages on each and reads their echoes,\n"
    "all from one thread and a selector. Exits 0 when every connection got\n"
    "exactly its messages back.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "multiconn-client: %s%s\n%s", what, arg, usage_text);
    return 2;
}

/* The option getopt refused, as it was typed: "--bogus" or "-x". */
static const char *refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/*
 * Reads the options: -h or --help prints the help on stdout. They come
 * before the operands ("+"), so that no operand is taken for an option.
 * Returns -1 when the program is to run with HOST, PORT and
 * NUM_CONNECTIONS at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT", "NUM_CONNECTIONS"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 3)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 3)
        return usage_error("unexpected argument ", argv[optind + 3]);
    return -1;
}

int main(int argc, char **argv)
{
    skt_addr addr;
    int port, count, rc, status;

    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    if (!parse_number(argv[optind + 1], INT_MIN, &port) ||
        !parse_number(argv[optind + 2], 1, &count)) {
        fprintf(stderr, "multiconn-client: bad port or connection count\n");
        return 1;
    }
    rc = skt_addr_from_ip(&addr, argv[optind], port);
    if (rc < 0)
        return report(rc);
    rc = skt_selector_new(&selector, SKT_SELECTOR_DEFAULT);
    if (rc < 0)
        return report(rc);
    status = run(&addr, count);
    /* Connections still open after a failure are left to exit. */
    skt_selector_close(selector);
    return status;
}
