/*
 * app-client.c - the client of the Real Python sockets tutorial's
 * application protocol, in C on skt.
 *
 *     app-client HOST PORT ACTION VALUE
 *     app-client --help
 *
 * Sends one request: for ACTION "search" a text/json {"action": "search",
 * "value": VALUE}; for any other action a binary request holding ACTION
 * followed by VALUE. Then prints the response, one line:
 *
 *     Got result: Follow the white rabbit. 🐰     (a text/json response)
 *     Got response: First 10 bytes of request: ...  (a binary response)
 *
 * and exits 0. Any failure (no connection, a malformed response, no
 * response within 10 seconds) is printed on stderr and exits 1. HOST may
 * be a name or an address; it is resolved with the same 10-second limit.
 *
 * The Python this follows is the tutorial's app-client.py (with
 * libclient.py), one request per connection:
 *
 *     request = create_request(action, value)
 *     sock.setblocking(False)
 *     sock.connect_ex(addr)
 *     message = libclient.Message(sel, sock, addr, request)
 *     sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
 *                  data=message)
 *
 * One difference: with one connection to serve, this client blocks, with
 * a timeout, where Python's uses a selector.
 *
 * Build it alone against the installed libraries (skt_app brings skt):
 *
 *     cc -o app-client app-client.c $(pkg-config --cflags --libs skt_app)
 */
#include <skt.h>
#include <skt_app.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One deadline for resolving and connecting, then for each exchange. */
#define TIMEOUT 10.0

/* Prints the last failure; returns the exit status 1. */
static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "app-client: %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Sends the request over s and receives the response. */
static int exchange(skt_socket *s, const char *action, const char *value,
                    skt_app_message **response)
{
    skt_app_message *request;
    int rc;

    rc = skt_app_request(&request, action, value);
    if (rc < 0)
        return rc;
    rc = skt_app_send(s, request, NULL);
    skt_app_message_free(request);
    if (rc < 0)
        return rc;
    return skt_app_recv(s, NULL, response);
}

/* Prints the response's result as one line. */
static int print_result(const skt_app_message *response)
{
    bool json = strcmp(response->content_type, "text/json") == 0;
    char *text;
    size_t len;
    int rc;

    rc = skt_app_result(response, &text, &len);
    if (rc < 0)
        return rc;
    /* Binary content may hold any byte: written by length. */
    fputs(json ? "Got result: " : "Got response: ", stdout);
    fwrite(text, 1, len, stdout);
    fputc('\n', stdout);
    free(text);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: app-client HOST PORT ACTION VALUE\n";

static const char help_text[] =
    "\n"
    "The client of the Real Python sockets tutorial's application protocol:\n"
    "sends one request to HOST and PORT (for ACTION \"search\" a text/json\n"
    "request, for any other action a binary one holding ACTION and VALUE)\n"
    "and prints the response on one line. Each step has a 10 second\n"
    "timeout.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "app-client: %s%s\n%s", what, arg, usage_text);
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
 * Returns -1 when the program is to run with HOST, PORT, ACTION
 * and VALUE at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT", "ACTION", "VALUE"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 4)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 4)
        return usage_error("unexpected argument ", argv[optind + 4]);
    return -1;
}

int main(int argc, char **argv)
{
    skt_connect_opts opts = {.timeout = TIMEOUT};
    skt_app_message *response = NULL;
    skt_socket *s;
    int rc = read_command_line(argc, argv);

    if (rc >= 0)
        return rc;
    rc = skt_create_connection(&s, argv[optind], argv[optind + 1], &opts);
    if (rc < 0)
        return report(rc);
    rc = exchange(s, argv[optind + 2], argv[optind + 3], &response);
    /* One request per connection: the server closes after its answer. */
    skt_close(s);
    if (rc == 0)
        rc = print_result(response);
    skt_app_message_free(response);
    return rc < 0 ? report(rc) : 0;
}
