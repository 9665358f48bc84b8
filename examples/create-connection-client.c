/*
 * create-connection-client.c - the getaddrinfo-loop echo client of the
 * Python socket module's examples, rewritten with skt_create_connection.
 *
 *     create-connection-client HOST PORT MESSAGE...
 *     create-connection-client --help
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
 *
 * Build it alone against the installed library:
 *
 *     cc -o create-connection-client create-connection-client.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
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

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: create-connection-client HOST PORT MESSAGE...\n";

static const char help_text[] =
    "\n"
    "The getaddrinfo-loop echo client of the Python socket module's\n"
    "examples on skt_create_connection: connects to HOST (a name or an\n"
    "address of either family) and PORT, racing the addresses as Happy\n"
    "Eyeballs (RFC 8305) says, within one 5 second deadline; sends each\n"
    "MESSAGE and prints the echo.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "create-connection-client: %s%s\n%s", what, arg,
            usage_text);
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
    skt_connect_opts opts = {.timeout = 5.0};
    char where[SKT_ADDRSTRLEN];
    skt_socket *s;
    skt_addr peer;
    int status;

    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    if (skt_create_connection(&s, argv[optind], argv[optind + 1], &opts) < 0)
        return report(NULL);
    if (skt_getpeername(s, &peer) == 0 &&
        skt_addr_format(&peer, where, sizeof where) >= 0)
        printf("connected to %s\n", where);
    status = 0;
    for (int i = optind + 2; i < argc && status == 0; i++)
        status = echo(s, argv[i]);
    skt_close(s);
    return status;
}
