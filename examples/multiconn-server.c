/*
 * multiconn-server.c - the multi-connection server of the Real Python
 * sockets tutorial ("Handling Multiple Connections", multiconn-server.py),
 * in C on skt's selector.
 *
 *     multiconn-server HOST PORT
 *     multiconn-server --help
 *
 * One thread serves every client: the listening socket and each
 * connection are registered with a selector, and every connection echoes
 * what it receives. HOST is numeric; PORT 0 picks a free port. It prints
 *
 *     listening on 127.0.0.1:43527
 *     accepted connection from 127.0.0.1:51880
 *     echoing 22 bytes to 127.0.0.1:51880
 *     closing connection to 127.0.0.1:51880
 *
 * and runs until SIGINT or SIGTERM ("caught signal, exiting", status 0).
 * When the process runs out of fds, the listener leaves the selector for a
 * pause (10 ms, doubling up to 1 s, as skt_accept_retry says) and the
 * connections being served go on; Python's loop would spin on the
 * readable listener.
 *
 * The Python this follows (abridged):
 *
 *     sel = selectors.DefaultSelector()
 *     lsock.setblocking(False)
 *     sel.register(lsock, selectors.EVENT_READ, data=None)
 *     while True:
 *         for key, mask in sel.select(timeout=None):
 *             if key.data is None:
 *                 accept_wrapper(key.fileobj)
 *             else:
 *                 service_connection(key, mask)
 *
 * One difference: Python's version registers every connection for
 * EVENT_WRITE all the time, so its loop spins while a socket is
 * writable; here WRITE is asked for only while output waits.
 *
 * Build it alone against the installed library:
 *
 *     cc -o multiconn-server multiconn-server.c \
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
#include <time.h>

/* Above this much unsent output a connection is not read from, so a
 * client that sends without reading cannot make the server grow. */
#define HIGH_WATER (1024 * 1024)

/* What Python keeps in the key's data: the peer and unsent output. */
struct connection {
    skt_socket *sock;
    skt_addr addr;
    char text[SKT_ADDRSTRLEN];
    char *out;
    size_t out_len;
};

static skt_selector *selector;
static volatile sig_atomic_t stop_requested;
/* The accept back-off, and when accepting starts again after a pause
 * (seconds on the monotonic clock); 0 while the listener is selected. */
static skt_accept_backoff backoff;
static double accept_resume;

/* The selector's wake-up is async-signal-safe, made for this. */
static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
    skt_selector_wakeup(selector);
}

static int report(const char *what, int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "multiconn-server: %s: %s\n", what,
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

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

static const char *addr_text(const skt_addr *addr, char *buf, size_t len)
{
    if (skt_addr_format(addr, buf, len) < 0)
        snprintf(buf, len, "(unknown address)");
    return buf;
}

static int open_listener(skt_socket **out, const skt_addr *addr)
{
    skt_socket *s;
    int rc = skt_open(&s, skt_addr_family(addr), SOCK_STREAM, 0);

    if (rc < 0)
        return rc;
    rc = skt_setsockopt_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(s, addr);
    if (rc == 0)
        rc = skt_listen(s, SKT_DEFAULT_BACKLOG);
    /* Non-blocking: the selector says when accept will not wait. */
    if (rc == 0)
        rc = skt_setblocking(s, false);
    if (rc < 0) {
        skt_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_connection(struct connection *c)
{
    printf("closing connection to %s\n", c->text);
    skt_selector_unregister_socket(selector, c->sock);
    skt_close(c->sock);
    free(c->out);
    free(c);
    /* An fd is free: accepting need not wait out its pause. */
    if (accept_resume > 0)
        accept_resume = now();
}

/* READ while there is room for more output, WRITE while output waits. */
static int update_events(struct connection *c)
{
    int events = c->out_len < HIGH_WATER ? SKT_EVENT_READ : 0;

    if (c->out_len > 0)
        events |= SKT_EVENT_WRITE;
    return skt_selector_modify_socket(selector, c->sock, events, c);
}

/* Out of fds or memory: the listener leaves the selector for the pause
 * skt_accept_retry gave; the clients being served go on. */
static void pause_accepting(skt_socket *listener)
{
    skt_selector_unregister_socket(selector, listener);
    accept_resume = now() + backoff.pause;
}

/* The seconds select may wait: until accepting starts again, if paused. */
static double select_timeout(skt_socket *listener)
{
    double t;

    if (accept_resume == 0)
        return SKT_BLOCKING;
    t = now();
    if (t < accept_resume)
        return accept_resume - t;
    accept_resume = 0;
    if (skt_selector_register_socket(selector, listener, SKT_EVENT_READ,
                                     NULL) < 0)
        pause_accepting(listener); /* no memory either: later */
    return accept_resume == 0 ? SKT_BLOCKING : accept_resume - t;
}

/* Accepts one connection. Returns 0, or an error that ends the server. */
static int accept_wrapper(skt_socket *listener)
{
    struct connection *c;
    skt_socket *sock;
    skt_addr addr;
    int rc = skt_accept_retry(listener, &sock, &addr, &backoff);

    if (rc == -EAGAIN)
        return 0; /* the client gave up before it was accepted */
    if (rc < 0) {
        report("accept", rc);
        if (backoff.pause == 0)
            return rc;
        pause_accepting(listener); /* out of fds or memory, for now */
        return 0;
    }
    c = calloc(1, sizeof *c);
    rc = c != NULL ? skt_setblocking(sock, false) : -ENOMEM;
    if (rc == 0)
        rc = skt_selector_register_socket(selector, sock, SKT_EVENT_READ, c);
    if (rc < 0) {
        /* This client is lost; the others go on. */
        report("accept", rc);
        skt_close(sock);
        free(c);
        return 0;
    }
    c->sock = sock;
    c->addr = addr;
    printf("accepted connection from %s\n",
           addr_text(&c->addr, c->text, sizeof c->text));
    return 0;
}

/* Returns false when the connection is finished. */
static bool read_some(struct connection *c)
{
    char buf[4096];
    ssize_t got = skt_recv(c->sock, buf, sizeof buf, 0);
    char *grown;

    if (got == -EAGAIN)
        return true;
    if (got <= 0) {
        if (got < 0)
            report(c->text, (int)got);
        return false;
    }
    grown = realloc(c->out, c->out_len + (size_t)got);
    if (grown == NULL)
        return false;
    memcpy(grown + c->out_len, buf, (size_t)got);
    c->out = grown;
    c->out_len += (size_t)got;
    return true;
}

static bool write_some(struct connection *c)
{
    ssize_t sent;

    printf("echoing %zu bytes to %s\n", c->out_len, c->text);
    sent = skt_send(c->sock, c->out, c->out_len, 0);
    if (sent == -EAGAIN)
        return true;
    if (sent < 0) {
        report(c->text, (int)sent);
        return false;
    }
    memmove(c->out, c->out + sent, c->out_len - (size_t)sent);
    c->out_len -= (size_t)sent;
    return true;
}

static void service_connection(struct connection *c, int events)
{
    bool alive = true;

    if (events & SKT_EVENT_READ)
        alive = read_some(c);
    if (alive && (events & SKT_EVENT_WRITE) && c->out_len > 0)
        alive = write_some(c);
    if (alive && update_events(c) < 0)
        alive = false;
    if (!alive)
        close_connection(c);
}

static int serve(skt_socket *listener)
{
    while (!stop_requested) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(selector, select_timeout(listener),
                                    &ready);

        if (n < 0)
            return report("select", n);
        for (int i = 0; i < n; i++) {
            /* Skip an entry whose connection closed earlier in this loop. */
            if (ready[i].events == 0)
                continue;
            if (ready[i].key.data == NULL) {
                if (accept_wrapper(listener) < 0)
                    return 1;
            } else
                service_connection(ready[i].key.data, ready[i].events);
        }
    }
    printf("caught signal, exiting\n");
    return 0;
}

/* Closes what is still registered; the listener's key has no data. */
static void close_all(void)
{
    for (int fd = 0; skt_selector_count(selector) > 0; fd++) {
        skt_selector_key key;
        if (skt_selector_get_key(selector, fd, &key) < 0)
            continue;
        if (key.data != NULL)
            close_connection(key.data);
        else
            skt_selector_unregister(selector, fd);
    }
}

static int run(const skt_addr *addr)
{
    skt_socket *listener;
    skt_addr bound;
    char text[SKT_ADDRSTRLEN];
    int rc, status;

    rc = open_listener(&listener, addr);
    if (rc == 0)
        rc = skt_getsockname(listener, &bound);
    if (rc == 0)
        rc = skt_selector_register_socket(selector, listener, SKT_EVENT_READ,
                                          NULL);
    if (rc < 0)
        return report("listen", rc);
    printf("listening on %s\n", addr_text(&bound, text, sizeof text));
    status = serve(listener);
    close_all();
    skt_close(listener);
    return status;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: multiconn-server HOST PORT\n";

static const char help_text[] =
    "\n"
    "The multi-connection server of the Real Python sockets tutorial: one\n"
    "thread and a selector serve every client at once, each connection\n"
    "echoing what it receives. Listens on HOST, a numeric address, and PORT\n"
    "(0: the system chooses; the first line printed says which); runs until\n"
    "SIGINT or SIGTERM.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "multiconn-server: %s%s\n%s", what, arg, usage_text);
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
    struct sigaction sa;
    skt_addr addr;
    int port, rc, status;

    setvbuf(stdout, NULL, _IOLBF, 0);
    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    if (!parse_port(argv[optind + 1], &port)) {
        fprintf(stderr, "multiconn-server: bad port \"%s\"\n",
                argv[optind + 1]);
        return 1;
    }
    rc = skt_addr_from_ip(&addr, argv[optind], port);
    if (rc < 0)
        return report("address", rc);
    rc = skt_selector_new(&selector, SKT_SELECTOR_DEFAULT);
    if (rc < 0)
        return report("selector", rc);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    status = run(&addr);
    skt_selector_close(selector);
    return status;
}
