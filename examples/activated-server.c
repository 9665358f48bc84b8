/*
 * activated-server.c - an event-driven echo server that starts the way
 * system services start: on the listener a service manager (systemd, or
 * systemd-socket-activate) opened and passed to it, and that stops the
 * way they stop: SIGTERM drains it (no new connections, the open ones
 * finish), SIGINT stops it at once.
 *
 *     activated-server [-w WORKERS] [-d DRAIN_SECONDS] [HOST PORT]
 *     activated-server --help
 *
 * With LISTEN_FDS and LISTEN_PID in the environment (the socket
 * activation protocol of sd_listen_fds(3)) it serves the first fd passed,
 * and HOST PORT are not needed; otherwise it binds HOST (numeric) and
 * PORT (0: the system chooses) itself. The first line printed is
 * "listening on ADDRESS", followed by "(fd 3, NAME, from the service
 * manager)" for a passed listener. -w runs WORKERS event loops, one per
 * thread (default 1; 0: one per CPU). On SIGTERM it stops accepting at
 * once (the port is free for its successor) and gives the open
 * connections DRAIN_SECONDS (default 10) to finish; then it prints the
 * connections and requests each worker served, "drained", and exits 0.
 *
 * Run it under systemd-socket-activate, which plays systemd's part:
 *
 *     systemd-socket-activate -l 127.0.0.1:8080 ./activated-server
 *
 * The Python this follows (the systemd module's listen_fds, then
 * socketserver on the inherited socket):
 *
 *     fds = systemd.daemon.listen_fds()
 *     sock = socket.socket(fileno=fds[0])
 *     server = socketserver.TCPServer(sock.getsockname(), Echo,
 *                                     bind_and_activate=False)
 *     server.socket = sock
 *     server.serve_forever()
 *
 * Build it alone against the installed library:
 *
 *     cc -o activated-server activated-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME "activated-server"
#define DRAIN_SECONDS 10.0

static skt_server *server;
static double drain_seconds = DRAIN_SECONDS;

/* SIGTERM: drain; SIGINT: stop. Both calls are async-signal-safe. */
static void on_signal(int signo)
{
    if (signo == SIGTERM)
        skt_server_drain(server, drain_seconds);
    else
        skt_server_shutdown(server);
}

/* Echoes what is there; the client's end of the stream closes it. */
static int echo_event(skt_server_conn *conn, int events, void *state)
{
    char buf[4096];
    ssize_t got = skt_server_conn_recv(conn, buf, sizeof buf);

    (void)events, (void)state;
    if (got == 0)
        return SKT_SERVER_CLOSE;
    if (got == -EAGAIN)
        return 0;
    if (got < 0)
        return (int)got;
    return skt_server_conn_send(conn, buf, (size_t)got);
}

static int report(int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, NAME ": %s\n",
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

static void print_usage(FILE *stream)
{
    fprintf(stream, "usage: " NAME " [-w WORKERS] [-d DRAIN_SECONDS] "
                    "[HOST PORT]\n");
}

static int help(void)
{
    print_usage(stdout);
    printf("\nAn echo server for socket activation: it serves the listener\n"
           "a service manager passed (LISTEN_FDS, LISTEN_PID), or binds\n"
           "HOST (numeric) and PORT (0: the system chooses) without one.\n"
           "SIGTERM drains it: accepting stops at once and the open\n"
           "connections get DRAIN_SECONDS to finish; SIGINT stops it.\n"
           "\n"
           "  -w WORKERS        event loops, one per thread (default 1;\n"
           "                    0: one per CPU)\n"
           "  -d DRAIN_SECONDS  what SIGTERM gives open connections\n"
           "                    (default %g)\n"
           "  -h, --help        print this help and exit\n",
           DRAIN_SECONDS);
    return 0;
}

/* A usage error: what was wrong, then the usage; exit status 2. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, NAME ": %s%s\n", what, arg);
    print_usage(stderr);
    return 2;
}

static bool parse_number(const char *text, double *value)
{
    char *end;

    errno = 0;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && *value >= 0;
}

/* The option getopt refused, as it was typed. */
static const char *refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/* One option's value into cfg or drain_seconds; false if it is bad. */
static bool take_value(int opt, const char *text, skt_server_config *cfg)
{
    double value;

    if (!parse_number(text, &value)) {
        fprintf(stderr, NAME ": bad %s \"%s\"\n",
                opt == 'w' ? "worker count" : "drain time", text);
        return false;
    }
    if (opt == 'd') {
        drain_seconds = value;
        return true;
    }
    if (value > SKT_WORKERS_MAX || value != (int)value) {
        fprintf(stderr, NAME ": bad worker count \"%s\"\n", text);
        return false;
    }
    cfg->workers = value == 0 ? SKT_WORKERS_PER_CPU : (int)value;
    return true;
}

/*
 * The options, into cfg. Returns -1 to run, with the operands (none, or
 * HOST PORT) from argv[optind]; otherwise the exit status.
 */
static int options(int argc, char **argv, skt_server_config *cfg,
                   bool activated)
{
    static const struct option longs[] = {{"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:hw:d:", longs, NULL)) != -1) {
        if (opt == 'h')
            return help();
        if (opt == ':')
            return usage_error(optopt == 'w' ? "-w needs WORKERS"
                                             : "-d needs DRAIN_SECONDS",
                               "");
        if (opt == '?')
            return usage_error("unknown option ", refused_option(argv));
        if (!take_value(opt, optarg, cfg))
            return 1;
    }
    if (argc - optind > 2)
        return usage_error("unexpected argument ", argv[optind + 2]);
    if (argc - optind == 1)
        return usage_error("missing ", "PORT");
    if (argc == optind && !activated)
        return usage_error("missing ", "HOST (no listener was passed)");
    return -1;
}

/* The server on the passed listener, or on HOST PORT. Returns 0, or the
 * exit status 1 after saying what failed. */
static int make_server(int argc, char **argv, const skt_listen_fd *passed,
                       const skt_server_config *cfg)
{
    char *end;
    long port;
    skt_addr addr;
    int rc;

    if (passed != NULL && argc == optind) {
        rc = skt_server_new_from_fd(&server, passed->fd, cfg);
        return rc < 0 ? report(rc) : 0;
    }
    errno = 0;
    port = strtol(argv[optind + 1], &end, 10);
    if (*end != '\0' || end == argv[optind + 1] || errno != 0 ||
        port < INT_MIN || port > INT_MAX) {
        fprintf(stderr, NAME ": bad port \"%s\"\n", argv[optind + 1]);
        return 1;
    }
    rc = skt_addr_from_ip(&addr, argv[optind], (int)port);
    if (rc == 0)
        rc = skt_server_new(&server, &addr, cfg);
    return rc < 0 ? report(rc) : 0;
}

static void print_listening(const skt_listen_fd *passed, bool used)
{
    char text[SKT_ADDRSTRLEN] = "(unknown address)";
    skt_addr addr;

    skt_server_address(server, &addr);
    skt_addr_format(&addr, text, sizeof text);
    if (used)
        printf("listening on %s (fd %d, %s, from the service manager)\n",
               text, passed->fd, passed->name);
    else
        printf("listening on %s\n", text);
}

/* Each worker's share, as skt_server_stats counts it. */
static void print_stats(void)
{
    skt_server_worker_stats stats[64];
    int n = skt_server_stats(server, stats, 64);

    for (int i = 0; i < n && i < 64; i++)
        printf("worker %d: %llu connections, %llu requests\n", i,
               (unsigned long long)stats[i].connections,
               (unsigned long long)stats[i].requests);
}

int main(int argc, char **argv)
{
    skt_server_config cfg = {.mode = SKT_SERVER_EVENTS,
                             .on_event = echo_event};
    skt_listen_fd fds[8];
    struct sigaction sa;
    int passed, rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    passed = skt_listen_fds(fds, 8, 0);
    rc = options(argc, argv, &cfg, passed > 0);
    if (rc >= 0)
        return rc;
    if (passed < 0)
        return report(passed);
    if (make_server(argc, argv, passed > 0 ? &fds[0] : NULL, &cfg) != 0)
        return 1;
    print_listening(&fds[0], passed > 0 && argc == optind);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = skt_server_serve_forever(server);
    print_stats();
    printf("%s\n", skt_server_draining(server) ? "drained" : "shutting down");
    skt_server_close(server);
    return rc < 0 ? report(rc) : 0;
}
