/*
 * create-server-echo.c - an echo server on skt_create_server.
 *
 *     create-server-echo HOST PORT
 *     create-server-echo --help
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
 *
 * Build it alone against the installed library:
 *
 *     cc -o create-server-echo create-server-echo.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <getopt.h>
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

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: create-server-echo HOST PORT\n";

static const char help_text[] =
    "\n"
    "An echo server on skt_create_server, as Python's socket.create_server:\n"
    "listens on HOST (a name, an address of either family, or \"\" for every\n"
    "interface; \"::\" accepts IPv4 too) and PORT (0: a free port; the first\n"
    "line printed says which), and sends back what each client sends, one\n"
    "client after the other. With SKT_EXAMPLE_ONCE=1 in the environment it\n"
    "exits after the first client.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "create-server-echo: %s%s\n%s", what, arg, usage_text);
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
    skt_server_opts opts = {0};
    char where[SKT_ADDRSTRLEN];
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    skt_socket *server, *conn;
    skt_addr addr;
    const char *host, *port;
    int status = read_command_line(argc, argv);

    if (status >= 0)
        return status;
    host = argv[optind];
    port = argv[optind + 1];
    opts.dualstack = strcmp(host, "::") == 0;
    if (skt_create_server(&server, host, port, &opts) < 0 ||
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
