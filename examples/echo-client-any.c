/*
 * echo-client-any.c - the family-agnostic echo client of the Python socket
 * module's examples, in C on skt: it works with IPv4 and IPv6 alike.
 *
 *     echo-client-any HOST PORT MESSAGE...
 *     echo-client-any --help
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
 *
 * Build it alone against the installed library:
 *
 *     cc -o echo-client-any echo-client-any.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
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

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: echo-client-any HOST PORT MESSAGE...\n";

static const char help_text[] =
    "\n"
    "The family-agnostic echo client of the Python socket module's\n"
    "examples: looks HOST (a name or an address) and PORT (a number or a\n"
    "service name) up, connects to the first address that answers, IPv4 or\n"
    "IPv6, sends each MESSAGE and prints the echo. If no address connects,\n"
    "each one is listed with its error. Each step has a 5 second timeout.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "echo-client-any: %s%s\n%s", what, arg, usage_text);
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
 * Returns -1 when the program is to run with HOST, PORT and the
 * messages from argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT", "MESSAGE"};
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
    return -1;
}

int main(int argc, char **argv)
{
    skt_addrinfo hints = {.family = AF_UNSPEC, .type = SOCK_STREAM};
    const char *host, *port;
    skt_addrinfo *list;
    skt_socket *s;
    int rc, status;

    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    host = argv[optind];
    port = argv[optind + 1];
    /* AF_UNSPEC: IPv4 and IPv6 results both, in the resolver's order. */
    rc = skt_getaddrinfo(host, port, &hints, TIMEOUT, &list);
    if (rc < 0)
        return report(rc);
    status = connect_any(list, host, port, &s);
    skt_freeaddrinfo(list);
    if (status != 0)
        return status;

    for (int i = optind + 2; i < argc && status == 0; i++)
        status = echo_message(s, argv[i]);

    /* Closing tells the server we are done: its recv returns 0. */
    rc = skt_close(s);
    if (rc < 0 && status == 0)
        status = report(rc);
    return status;
}
