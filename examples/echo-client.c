/*
 * echo-client.c - the echo client of the Python socket module's examples
 * ("Echo client program"), in C on skt.
 *
 *     echo-client HOST PORT MESSAGE...
 *     echo-client --help
 *
 * Connects to a numeric address (no name is looked up), sends each
 * MESSAGE and reads back as many bytes as it sent:
 *
 *     $ echo-client 127.0.0.1 43527 hello world
 *     received "hello"
 *     received "world"
 *
 * Every step has a 5 second timeout. On failure the library's description
 * goes to stderr ("connect to 127.0.0.1:43527: Connection refused") and
 * the exit status is 1.
 *
 * The Python this follows:
 *
 *     with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
 *         s.settimeout(5)
 *         s.connect((HOST, PORT))
 *         s.sendall(b"hello")
 *         data = s.recv(1024)
 *     print(f"received {data!r}")
 *
 * One difference: recv may return fewer bytes than were sent (TCP is a
 * stream, not a sequence of messages), so this client uses recv_exact.
 *
 * Build it alone against the installed library:
 *
 *     cc -o echo-client echo-client.c $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds allowed for the connect, and for each send and each reply. */
#define TIMEOUT 5.0

/* Prints the last failure as the library describes it; returns 1. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "echo-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Reads PORT as a number; skt_addr_from_ip checks its range. */
static bool parse_port(const char *text, int *port)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < INT_MIN ||
        value > INT_MAX)
        return false;
    *port = (int)value;
    return true;
}

/* Opens a TCP socket with a timeout and connects it to addr. */
static int connect_to(skt_socket **out, const skt_addr *addr)
{
    skt_socket *s;
    int rc;

    rc = skt_open(&s, skt_addr_family(addr), SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = skt_settimeout(s, TIMEOUT);
    if (rc == 0)
        rc = skt_connect(s, addr);
    if (rc < 0) {
        skt_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Sends one message and prints the echo. Returns the exit status. */
static int echo_message(skt_socket *s, const char *message)
{
    size_t len = strlen(message);
    char *reply;
    int rc;

    reply = malloc(len + 1);
    if (reply == NULL) {
        fprintf(stderr, "echo-client: out of memory\n");
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

static const char usage_text[] = "usage: echo-client HOST PORT MESSAGE...\n";

static const char help_text[] =
    "\n"
    "The echo client of the Python socket module's examples: connects to\n"
    "HOST, a numeric address, and PORT, sends each MESSAGE and prints the\n"
    "echo that comes back (\"received \"...\"). Each step has a 5 second\n"
    "timeout.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "echo-client: %s%s\n%s", what, arg, usage_text);
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
    skt_socket *s;
    skt_addr addr;
    int port, rc, status;

    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    if (!parse_port(argv[optind + 1], &port)) {
        fprintf(stderr, "echo-client: bad port \"%s\"\n", argv[optind + 1]);
        return 1;
    }
    rc = skt_addr_from_ip(&addr, argv[optind], port);
    if (rc < 0)
        return report(rc);
    rc = connect_to(&s, &addr);
    if (rc < 0)
        return report(rc);

    status = 0;
    for (int i = optind + 2; i < argc && status == 0; i++)
        status = echo_message(s, argv[i]);

    /* Closing tells the server we are done: its recv returns 0. */
    rc = skt_close(s);
    if (rc < 0 && status == 0)
        status = report(rc);
    return status;
}
