/*
 * serve-echo.h - a helper header of the examples; copy it with the
 * program. It is the body shared by the echo servers of the serving modes
 * (threading-echo-server.c, pool-echo-server.c, forking-echo-server.c,
 * event-echo-server.c), each of which is a main that names its mode and
 * builds with this header beside it:
 *
 *     cc -o event-echo-server event-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 *
 * Python's socketserver with an echo handler, in C on skt_server:
 *
 *     NAME [-i IDLE_SECONDS] HOST PORT
 *     NAME --help
 *
 * HOST is numeric (IPv4 or IPv6); PORT 0 picks a free port. The first
 * line printed is "listening on ADDRESS". Each connection is echoed until
 * the client closes it, or until it has sent nothing for IDLE_SECONDS
 * (30 by default; -i 0 never closes an idle connection): a client that
 * connects and stays silent must not hold a thread, a pool worker or a
 * process for good. SIGINT or SIGTERM stops the server cleanly
 * ("shutting down", status 0): the signal handler calls
 * skt_server_shutdown, which is async-signal-safe.
 *
 * The Python this follows:
 *
 *     class Echo(socketserver.BaseRequestHandler):
 *         def handle(self):
 *             while data := self.request.recv(4096):
 *                 self.request.sendall(data)
 *
 *     with socketserver.ThreadingTCPServer((HOST, PORT), Echo) as server:
 *         server.serve_forever()
 */
#ifndef SKT_EXAMPLE_SERVE_ECHO_H
#define SKT_EXAMPLE_SERVE_ECHO_H

#include <skt.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds a connection may stay silent before it is closed (-i). */
#define ECHO_IDLE_SECONDS 30.0

static skt_server *echo_server;
static const char *echo_name;

static void echo_on_signal(int signo)
{
    (void)signo;
    skt_server_shutdown(echo_server);
}

/* The blocking modes: one connection, in its thread or child. */
static int echo_handle(skt_server *srv, skt_socket *conn,
                       const skt_addr *client, void *user)
{
    char buf[4096];

    (void)srv, (void)client, (void)user;
    for (;;) {
        ssize_t got = skt_recv(conn, buf, sizeof buf, 0);
        int rc;
        if (got <= 0)
            return (int)got;
        rc = skt_sendall(conn, buf, (size_t)got, 0, NULL);
        if (rc < 0)
            return rc;
    }
}

/* The event-driven mode: the connection is readable and must not block. */
static int echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    ssize_t got = skt_recv(skt_server_conn_socket(conn), buf, sizeof buf, 0);

    (void)events, (void)state;
    if (got == 0)
        return SKT_SERVER_CLOSE;
    if (got == -EAGAIN)
        return 0;
    if (got < 0)
        return (int)got;
    return skt_server_conn_send(conn, buf, (size_t)got);
}

/* A client that resets or times out is reported; the server goes on. */
static void echo_error(skt_server *srv, const skt_addr *client, int code,
                       void *user)
{
    char text[SKT_ADDRSTRLEN] = "server";
    const char *detail = skt_error_detail();

    (void)srv, (void)user;
    if (client != NULL && skt_addr_format(client, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(unknown address)");
    fprintf(stderr, "%s: %s: %s\n", echo_name, text,
            detail[0] != '\0' ? detail : skt_strerror(code));
}

static int echo_report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "%s: %s\n", echo_name,
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

static int echo_parse(const char *host, const char *port_text, skt_addr *a)
{
    char *end;
    long port;

    errno = 0;
    port = strtol(port_text, &end, 10);
    if (end == port_text || *end != '\0' || errno != 0 || port < INT_MIN ||
        port > INT_MAX) {
        fprintf(stderr, "%s: bad port \"%s\"\n", echo_name, port_text);
        return 1;
    }
    return skt_addr_from_ip(a, host, (int)port) < 0 ? echo_report(-EINVAL)
                                                     : 0;
}

/* Reads a number of seconds >= 0; false if text is not one. */
static bool echo_parse_seconds(const char *text, double *seconds)
{
    char *end;

    errno = 0;
    *seconds = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && *seconds >= 0;
}

/* Prints the usage on stream: "usage: NAME [-i IDLE_SECONDS] HOST PORT". */
static void echo_print_usage(FILE *stream)
{
    fprintf(stream, "usage: %s [-i IDLE_SECONDS] HOST PORT\n", echo_name);
}

/* Prints the usage and what the server does on stdout (--help); about is
 * what its serving mode is. Returns the exit status 0. */
static int echo_help(const char *about)
{
    echo_print_usage(stdout);
    printf("\n%s\n"
           "An echo server, as Python's socketserver with an echo handler:\n"
           "listens on HOST, a numeric address, and PORT (0: the system\n"
           "chooses; the first line printed says which), and sends back\n"
           "what each client sends. SIGINT or SIGTERM stops it cleanly.\n"
           "\n"
           "  -i IDLE_SECONDS  close a connection silent this long (default\n"
           "                   %g; 0: never)\n"
           "  -h, --help       print this help and exit\n",
           about, ECHO_IDLE_SECONDS);
    return 0;
}

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int echo_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s%s\n", echo_name, what, arg);
    echo_print_usage(stderr);
    return 2;
}

/* The option getopt refused, as it was typed: "--bogus" or "-x". */
static const char *echo_refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/*
 * Reads the options into cfg; -h or --help prints the help. They come
 * before the operands ("+"), so that no operand is taken for an option.
 * Returns -1 when the server is to run with HOST and PORT at argv[optind],
 * or the exit status: 0 after the help, 2 for a command line of the wrong
 * shape, 1 for a bad value.
 */
static int echo_options(int argc, char **argv, const char *about,
                        skt_server_config *cfg)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"HOST", "PORT"};
    int opt;

    cfg->idle_timeout = ECHO_IDLE_SECONDS;
    opterr = 0; /* the messages are ours, with the usage */
    /* The ':' after '+' makes a missing value ':', told from '?'. */
    while ((opt = getopt_long(argc, argv, "+:hi:", options, NULL)) != -1) {
        if (opt == 'h')
            return echo_help(about);
        if (opt == ':')
            return echo_usage_error("-i needs IDLE_SECONDS", "");
        if (opt != 'i')
            return echo_usage_error("unknown option ",
                                    echo_refused_option(argv));
        if (!echo_parse_seconds(optarg, &cfg->idle_timeout)) {
            fprintf(stderr, "%s: bad idle timeout \"%s\"\n", echo_name,
                    optarg);
            return 1;
        }
    }
    if (argc - optind < 2)
        return echo_usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 2)
        return echo_usage_error("unexpected argument ", argv[optind + 2]);
    return -1;
}

/*
 * The whole program: name is the program's, mode its serving mode, about
 * a sentence on that mode for --help. Returns the exit status.
 */
static int serve_echo(const char *name, skt_server_mode mode,
                      const char *about, int argc, char **argv)
{
    /* The thread mode's limit on connections served at once is the
     * library's default (SKT_SERVER_THREADS_LIMIT): more wait. */
    skt_server_config cfg = {.mode = mode, .handle = echo_handle,
                             .on_event = echo_event,
                             .handle_error = echo_error};
    struct sigaction sa;
    char text[SKT_ADDRSTRLEN];
    skt_addr addr;
    int rc;

    echo_name = name;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = echo_options(argc, argv, about, &cfg);
    if (rc >= 0)
        return rc;
    if (echo_parse(argv[optind], argv[optind + 1], &addr) != 0)
        return 1;
    rc = skt_server_new(&echo_server, &addr, &cfg);
    if (rc < 0)
        return echo_report(rc);
    skt_server_address(echo_server, &addr);
    skt_addr_format(&addr, text, sizeof text);
    printf("listening on %s\n", text);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = echo_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = skt_server_serve_forever(echo_server);
    printf("shutting down\n");
    skt_server_close(echo_server);
    return rc < 0 ? echo_report(rc) : 0;
}

#endif
