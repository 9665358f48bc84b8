/*
 * echo-server-any.c - the family-agnostic echo server of the Python socket
 * module's examples, in C on skt: it works with IPv4 and IPv6 alike.
 *
 *     echo-server-any HOST PORT
 *     echo-server-any --help
 *
 * HOST may be a name ("localhost"), a numeric address ("::1"), or "" for
 * every local address; PORT may be a number (0: the system chooses) or a
 * service name. skt_getaddrinfo with AI_PASSIVE turns them into a list of
 * addresses to listen on, and the server takes the first one it can bind:
 *
 *     $ echo-server-any ::1 0
 *     listening on [::1]:43527
 *     connected by [::1]:51880
 *     closed [::1]:51880
 *
 * If no address can be bound, each one tried is printed with its error.
 * Connections are served one after another; with SKT_EXAMPLE_ONCE=1 in
 * the environment the server exits after the first one.
 *
 * The Python this follows:
 *
 *     for af, socktype, proto, _, sa in socket.getaddrinfo(
 *             HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM, 0,
 *             socket.AI_PASSIVE):
 *         s = None
 *         try:
 *             s = socket.socket(af, socktype, proto)
 *             s.bind(sa)
 *             s.listen()
 *             break
 *         except OSError as err:
 *             errors.append((sa, err))
 *             if s is not None:
 *                 s.close()
 *
 * Build it alone against the installed library:
 *
 *     cc -o echo-server-any echo-server-any.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the last failure as the library describes it; returns 1. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "echo-server-any: %s\n",
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

/* Opens a socket for one result of getaddrinfo, binds it and listens. */
static int try_listen(const skt_addrinfo *ai, skt_socket **out)
{
    skt_socket *s;
    int rc;

    rc = skt_open(&s, ai->family, ai->type, ai->proto);
    if (rc < 0)
        return rc;
    /* Lets a restarted server bind its port again at once, while the
     * connections of the previous run are still in TIME_WAIT. */
    rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(s, &ai->addr);
    if (rc == 0)
        rc = skt_listen(s, SKT_DEFAULT_BACKLOG);
    if (rc < 0) {
        skt_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/*
 * Takes the first address that can be bound. The error of each address is
 * remembered, so that when all of them fail the user sees why each one
 * did, not only the last.
 */
static int listen_any(const skt_addrinfo *list, const char *host,
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
        fprintf(stderr, "echo-server-any: out of memory\n");
        return 1;
    }
    for (ai = list; ai != NULL; ai = ai->next, i++) {
        errors[i] = try_listen(ai, out);
        if (errors[i] == 0) {
            free(errors);
            return 0;
        }
    }
    fprintf(stderr, "echo-server-any: could not listen on %s port %s\n",
            host, port);
    for (ai = list, i = 0; ai != NULL; ai = ai->next, i++)
        fprintf(stderr, "echo-server-any:   %s: %s\n",
                addr_text(&ai->addr, text, sizeof text),
                skt_strerror(errors[i]));
    free(errors);
    return 1;
}

/* Sends back everything the client sends, until it closes its side. */
static int echo(skt_socket *conn)
{
    char buf[4096];

    for (;;) {
        ssize_t got = skt_recv(conn, buf, sizeof buf, 0);
        int rc;

        if (got <= 0)
            return (int)got; /* 0: the client closed; < 0: an error */
        /* One send may take only part of the data; sendall loops. */
        rc = skt_sendall(conn, buf, (size_t)got, 0, NULL);
        if (rc < 0)
            return rc;
    }
}
/* Serves one connection and closes it. Returns the exit status. */
static int serve_connection(skt_socket *conn, const skt_addr *peer)
{
    char text[SKT_ADDRSTRLEN];
    int status = 0;
    int rc;

    printf("connected by %s\n", addr_text(peer, text, sizeof text));
    rc = echo(conn);
    if (rc < 0)
        status = report(rc); /* this client is lost; the server goes on */
    rc = skt_close(conn);
    if (rc < 0 && status == 0)
        status = report(rc);
    printf("closed %s\n", text);
    return status;
}
/* Says that accepting paused; skt_accept_retry tries again after it. */
static void say_paused(skt_socket *listener, int code, double seconds,
                       void *user)
{
    (void)listener, (void)seconds, (void)user;
    report(code);
}

/* Accepts connections one after another; with once, only the first. Out
 * of fds, or a client gone before it was accepted: the loop pauses or
 * retries instead of ending. */
static int serve(skt_socket *listener, bool once)
{
    skt_accept_backoff backoff = {.on_pause = say_paused};

    for (;;) {
        skt_socket *conn;
        skt_addr peer;
        int status;
        int rc;

        rc = skt_accept_retry(listener, &conn, &peer, &backoff);
        if (rc < 0)
            return report(rc);
        status = serve_connection(conn, &peer);
        if (once)
            return status;
    }
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: echo-server-any HOST PORT\n";

static const char help_text[] =
    "\n"
    "The family-agnostic echo server of the Python socket module's\n"
    "examples: looks HOST (a name, an address, or \"\" for every local\n"
    "address) and PORT (a number, 0 for a free port, or a service name) up,\n"
    "listens on the first address it can bind, IPv4 or IPv6, and sends back\n"
    "what each client sends, one client after the other. With\n"
    "SKT_EXAMPLE_ONCE=1 in the environment it exits after the first client.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "echo-server-any: %s%s\n%s", what, arg, usage_text);
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
 * Returns -1 when the program is to run with HOST and PORT at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 2)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 2)
        return usage_error("unexpected argument ", argv[optind + 2]);
    return -1;
}

int main(int argc, char **argv)
{
    skt_addrinfo hints = {
        .family = AF_UNSPEC,
        .type = SOCK_STREAM,
        .flags = AI_PASSIVE, /* addresses to listen on, not to connect to */
    };
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    const char *host, *port;
    skt_addrinfo *list;
    skt_socket *listener;
    skt_addr addr;
    char text[SKT_ADDRSTRLEN];
    int rc, status;

    /* Each line goes out at once, even into a pipe or a file, so that a
     * script waiting for "listening on" sees it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    /* No host (Python's None) means the wildcard addresses. */
    host = argv[optind][0] != '\0' ? argv[optind] : NULL;
    port = argv[optind + 1];
    rc = skt_getaddrinfo(host, port, &hints, SKT_BLOCKING, &list);
    if (rc < 0)
        return report(rc);
    status = listen_any(list, argv[optind], port, &listener);
    skt_freeaddrinfo(list);
    if (status != 0)
        return status;

    /* Ask for the address we really got: with port 0, the system chose. */
    rc = skt_getsockname(listener, &addr);
    if (rc < 0) {
        status = report(rc);
        skt_close(listener);
        return status;
    }
    printf("listening on %s\n", addr_text(&addr, text, sizeof text));

    status = serve(listener, once != NULL && strcmp(once, "1") == 0);
    rc = skt_close(listener);
    if (rc < 0 && status == 0)
        status = report(rc);
    return status;
}
