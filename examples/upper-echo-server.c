/*
 * upper-echo-server.c - an echo server that answers in capitals: the
 * echo server of the Python socket module's examples with one line
 * changed, to show where a real server does its work.
 *
 *     upper-echo-server HOST PORT
 *     upper-echo-server --help
 *
 * HOST is a numeric address, PORT may be 0 (the first line printed shows
 * the port chosen). Every byte from 'a' to 'z' comes back as 'A' to 'Z';
 * every other byte, UTF-8 included, comes back unchanged:
 *
 *     $ echo-client 127.0.0.1 43527 "hello, world"
 *     received "HELLO, WORLD"
 *
 * Connections are served one after another; with SKT_EXAMPLE_ONCE=1 in
 * the environment the server exits after the first one.
 *
 * The Python this follows:
 *
 *     while data := conn.recv(4096):
 *         conn.sendall(data.upper())
 *
 * It is echo-server.c with that one change, the call to upper_ascii in
 * echo(), and its own name in messages.
 *
 * Build it alone against the installed library:
 *
 *     cc -o upper-echo-server upper-echo-server.c \
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

/*
 * Prints the last failure and returns the exit status 1. The library's
 * detail names the operation and the address ("bind to 127.0.0.1:80:
 * Permission denied"); the bare message is only a fallback.
 */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "upper-echo-server: %s\n",
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

/*
 * Reads PORT as a number. Its range (0..65535) is left for
 * skt_addr_from_ip to check, so that the error comes from the library.
 */
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

/* Creates a socket bound to addr and listening on it. */
static int open_listener(skt_socket **out, const skt_addr *addr)
{
    skt_socket *s;
    int rc;

    rc = skt_open(&s, skt_addr_family(addr), SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    /* Lets a restarted server bind its port again at once, while the
     * connections of the previous run are still in TIME_WAIT. */
    rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(s, addr);
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
 * Upper-cases ASCII letters only, byte by byte, as Python's bytes.upper()
 * does. toupper() would depend on the locale, and could change one byte of
 * a UTF-8 character.
 */
static void upper_ascii(char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] >= 'a' && buf[i] <= 'z')
            buf[i] = (char)(buf[i] - 'a' + 'A');
    }
}

/* Sends back what the client sends, in capitals, until it closes. */
static int echo(skt_socket *conn)
{
    char buf[4096];

    for (;;) {
        ssize_t got = skt_recv(conn, buf, sizeof buf, 0);
        int rc;

        if (got <= 0)
            return (int)got; /* 0: the client closed; < 0: an error */
        upper_ascii(buf, (size_t)got); /* the one line changed */
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
    report(code); /* "accept on ... (accepting again within 10 ms): ..." */
}

/* Accepts connections one after another; with once, only the first. */
static int serve(skt_socket *listener, bool once)
{
    /* Where Python's accept raises (out of fds, a client that gave up
     * before it was accepted), skt_accept_retry pauses or retries. */
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

static const char usage_text[] = "usage: upper-echo-server HOST PORT\n";

static const char help_text[] =
    "\n"
    "An echo server that answers in capitals: listens on HOST, a numeric\n"
    "address, and PORT (0: the system chooses; the first line printed says\n"
    "which), and sends back what each client sends with the letters a-z\n"
    "made A-Z, one client after the other. With SKT_EXAMPLE_ONCE=1 in the\n"
    "environment it exits after the first client.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "upper-echo-server: %s%s\n%s", what, arg, usage_text);
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
    const char *once = getenv("SKT_EXAMPLE_ONCE");
    const char *host, *port_text;
    skt_socket *listener;
    skt_addr addr;
    char text[SKT_ADDRSTRLEN];
    int port, rc, status;

    /* Each line goes out at once, even into a pipe or a file, so that a
     * script waiting for "listening on" sees it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    host = argv[optind];
    port_text = argv[optind + 1];
    if (!parse_port(port_text, &port)) {
        fprintf(stderr, "upper-echo-server: bad port \"%s\"\n", port_text);
        return 1;
    }
    /* Numeric only: a host name is refused here, never looked up. */
    rc = skt_addr_from_ip(&addr, host, port);
    if (rc < 0)
        return report(rc);
    rc = open_listener(&listener, &addr);
    if (rc < 0)
        return report(rc);

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
