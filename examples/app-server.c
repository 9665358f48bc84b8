/*
 * app-server.c - the server of the Real Python sockets tutorial's
 * application protocol, in C on skt: event-driven, one selector serving
 * any number of clients at once.
 *
 *     app-server HOST PORT
 *     app-server --help
 *
 * HOST is a numeric address; PORT 0 lets the system choose, and the first
 * line printed shows the address:
 *
 *     listening on 127.0.0.1:43527
 *     request from 127.0.0.1:51880: text/json, 41 bytes
 *
 * Each client sends one request and gets one response (see
 * tutorial_respond in app-tutorial.h: a search in a small table, or the
 * first 10 bytes of a binary request), then the server closes the
 * connection. A malformed request (a header field missing, bad JSON, a
 * header or content over the limits, a connection closed half-way) gets a
 * text/json response "Error: ..." and a line on stderr; everyone else goes
 * on being served. After an error reply the server reads and drops what
 * the client still sends, for up to 5 seconds, before it closes: closing
 * with unread bytes would reset the connection and could destroy the reply
 * before the client reads it.
 *
 * Sockets are non-blocking; an skt_app_decoder per connection collects the
 * request as its bytes arrive. SIGTERM or SIGINT stops the server cleanly
 * (exit status 0).
 *
 * The Python this follows is the tutorial's app-server.py (with
 * libserver.py):
 *
 *     sel.register(lsock, selectors.EVENT_READ, data=None)
 *     while True:
 *         for key, mask in sel.select(timeout=None):
 *             if key.data is None:
 *                 accept_wrapper(key.fileobj)
 *             else:
 *                 key.data.process_events(mask)   # a libserver.Message
 *
 * It needs its helper files app-tutorial.h and app-tutorial.c (the
 * tutorial's answers) beside it. Build it against the installed libraries
 * (skt_app brings skt):
 *
 *     cc -o app-server app-server.c app-tutorial.c \
 *         $(pkg-config --cflags --libs skt_app)
 */
#include <skt.h>
#include <skt_app.h>

#include "app-tutorial.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINGER_SECONDS 5.0

struct conn {
    skt_socket *sock;
    skt_app_decoder *decoder;
    char peer[SKT_ADDRSTRLEN];
    /* The encoded response and how much of it is sent. */
    void *out;
    size_t out_len;
    size_t out_sent;
    /* Some bytes of the request have come. */
    bool received;
    /* After the response: read and drop until the client closes. */
    bool linger_after;
    bool lingering;
    double linger_end;
    struct conn *prev, *next;
};

struct server {
    skt_selector *selector;
    skt_socket *listener;
    struct conn *conns;
    /* Out of fds, the server stops accepting for the pause of this
     * back-off (skt_accept_retry's: 10 ms, doubling up to 1 s), rather
     * than spin on a listener that stays readable, and accept_resume
     * says when it starts again (0: it runs). */
    skt_accept_backoff backoff;
    double accept_resume;
};

static volatile sig_atomic_t stopping;
static skt_selector *wake_on_signal;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the last failure, naming the client if there is one. */
static void complain(const char *peer, int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "app-server: %s%s%s\n", peer ? peer : "",
            peer ? ": " : "", detail[0] ? detail : skt_strerror(code));
}

/* skt_selector_wakeup may be called from a signal handler. */
static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
    if (wake_on_signal != NULL)
        skt_selector_wakeup(wake_on_signal);
}

/* ------------------------------------------------------------------------ */
/* Connections                                                              */
/* ------------------------------------------------------------------------ */

static void conn_close(struct server *srv, struct conn *c)
{
    skt_selector_unregister_socket(srv->selector, c->sock);
    skt_close(c->sock);
    skt_app_decoder_free(c->decoder);
    free(c->out);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c);
    /* An fd is free: accepting need not wait out its pause. */
    if (srv->accept_resume > 0)
        srv->accept_resume = now();
}

/* Takes over an accepted socket; on failure it is closed. */
static void conn_open(struct server *srv, skt_socket *sock,
                      const skt_addr *peer)
{
    struct conn *c = calloc(1, sizeof *c);
    int rc = c != NULL ? 0 : -ENOMEM;

    if (rc == 0 && skt_addr_format(peer, c->peer, sizeof c->peer) < 0)
        strcpy(c->peer, "(unknown address)");
    if (rc == 0)
        rc = skt_setblocking(sock, false);
    if (rc == 0)
        rc = skt_app_decoder_new(&c->decoder, NULL);
    if (rc == 0)
        rc = skt_selector_register_socket(srv->selector, sock,
                                          SKT_EVENT_READ, c);
    if (rc < 0) {
        complain(c != NULL ? c->peer : NULL, rc);
        if (c != NULL)
            skt_app_decoder_free(c->decoder);
        free(c);
        skt_close(sock);
        return;
    }
    c->sock = sock;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
}

/* Queues a response and waits for the socket to take it. */
static void queue(struct server *srv, struct conn *c, skt_app_message *m)
{
    int rc = skt_app_encode(m, &c->out, &c->out_len);

    skt_app_message_free(m);
    if (rc == 0)
        rc = skt_selector_modify_socket(srv->selector, c->sock,
                                 SKT_EVENT_WRITE, c);
    if (rc < 0) {
        complain(c->peer, rc);
        conn_close(srv, c);
    }
}

/* Answers a request that could not be read with "Error: REASON". */
static void reply_error(struct server *srv, struct conn *c,
                        const char *reason)
{
    skt_app_message *m;

    fprintf(stderr, "app-server: %s: %s\n", c->peer, reason);
    c->linger_after = true;
    if (tutorial_error_reply(&m, reason) < 0) {
        complain(c->peer, -ENOMEM);
        conn_close(srv, c);
        return;
    }
    queue(srv, c, m);
}

/* Answers a complete request. */
static void answer(struct server *srv, struct conn *c,
                   skt_app_message *request)
{
    skt_app_message *response;
    int rc;

    printf("request from %s: %s, %zu bytes\n", c->peer,
           request->content_type, request->content_length);
    rc = tutorial_respond(request, &response);
    skt_app_message_free(request);
    if (rc < 0) {
        complain(c->peer, rc);
        conn_close(srv, c);
        return;
    }
    if (rc == 1)
        complain(c->peer, -EBADMSG); /* an error reply, already built */
    /* Bytes after the one request would be unread at close: drain them. */
    c->linger_after = rc == 1 || skt_app_decoder_buffered(c->decoder) > 0;
    queue(srv, c, response);
}

/* Takes the bytes received so far; answers once the request is whole. */
static void take_bytes(struct server *srv, struct conn *c, const char *buf,
                       size_t len)
{
    skt_app_message *request;
    int rc = skt_app_decoder_feed(c->decoder, buf, len);

    if (rc == 0)
        rc = skt_app_decoder_pop(c->decoder, &request);
    if (rc == 1) {
        answer(srv, c, request);
    } else if (rc < 0) {
        char reason[1024];
        snprintf(reason, sizeof reason, "%s", skt_error_detail());
        reply_error(srv, c, reason);
    }
}

static void on_readable(struct server *srv, struct conn *c)
{
    char buf[65536];
    ssize_t n = skt_recv(c->sock, buf, sizeof buf, 0);

    if (n == -EAGAIN)
        return;
    if (n < 0) {
        complain(c->peer, (int)n);
        conn_close(srv, c);
    } else if (c->lingering) {
        if (n == 0)
            conn_close(srv, c); /* the client has read the reply */
    } else if (n > 0) {
        c->received = true;
        take_bytes(srv, c, buf, (size_t)n);
    } else if (c->received) {
        /* Only its sending side may be closed: it may still read. */
        reply_error(srv, c, "the connection closed in the middle of the "
                            "request");
    } else {
        conn_close(srv, c); /* it left without asking anything */
    }
}

static void on_writable(struct server *srv, struct conn *c)
{
    const char *out = c->out;
    ssize_t n = skt_send(c->sock, out + c->out_sent,
                         c->out_len - c->out_sent, 0);

    if (n == -EAGAIN)
        return;
    if (n < 0) {
        complain(c->peer, (int)n);
        conn_close(srv, c);
        return;
    }
    c->out_sent += (size_t)n;
    if (c->out_sent < c->out_len)
        return;
    if (!c->linger_after) {
        conn_close(srv, c);
        return;
    }
    /* The end of our side tells the client the reply is complete. */
    skt_shutdown(c->sock, SHUT_WR);
    c->lingering = true;
    c->linger_end = now() + LINGER_SECONDS;
    if (skt_selector_modify_socket(srv->selector, c->sock,
                            SKT_EVENT_READ, c) < 0)
        conn_close(srv, c);
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

/* Accepts every waiting connection. Returns 0, or an error that ends the
 * server (a client that left before it was accepted is not one:
 * skt_accept_retry goes on to the next). */
static int accept_all(struct server *srv)
{
    for (;;) {
        skt_socket *sock;
        skt_addr peer;
        int rc = skt_accept_retry(srv->listener, &sock, &peer,
                                  &srv->backoff);

        if (rc == -EAGAIN)
            return 0;
        if (rc < 0 && srv->backoff.pause > 0) {
            /* The clients being served go on; new ones wait a little. */
            complain(NULL, rc);
            skt_selector_unregister_socket(srv->selector, srv->listener);
            srv->accept_resume = now() + srv->backoff.pause;
            return 0;
        }
        if (rc < 0) {
            complain(NULL, rc);
            return rc;
        }
        conn_open(srv, sock, &peer);
    }
}

/* The earlier of a wait (< 0: none) and seconds from now. */
static double sooner(double wait, double seconds)
{
    return wait < 0 || seconds < wait ? seconds : wait;
}

/*
 * Runs what is due: connections whose lingering is over are closed, and
 * accepting starts again after a pause. Returns the seconds until the next
 * thing is due, or SKT_BLOCKING when nothing is.
 */
static double timers(struct server *srv)
{
    double t = now(), next = SKT_BLOCKING;
    struct conn *c = srv->conns;

    while (c != NULL) {
        struct conn *following = c->next;
        if (c->lingering && c->linger_end <= t)
            conn_close(srv, c);
        else if (c->lingering)
            next = sooner(next, c->linger_end - t);
        c = following;
    }
    if (srv->accept_resume > 0 && srv->accept_resume <= t) {
        srv->accept_resume = 0;
        if (skt_selector_register_socket(srv->selector, srv->listener,
                                         SKT_EVENT_READ, NULL) < 0)
            complain(NULL, -ENOMEM);
    } else if (srv->accept_resume > 0) {
        next = sooner(next, srv->accept_resume - t);
    }
    return next;
}

static int serve(struct server *srv)
{
    while (!stopping) {
        const skt_selector_ready *ready;
        int n = skt_selector_select(srv->selector, timers(srv), &ready);

        if (n < 0) {
            complain(NULL, n);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = ready[i].key.data;
            /* An entry whose fd a handler before it closed. */
            if (ready[i].events == 0)
                continue;
            if (c == NULL) {
                if (accept_all(srv) < 0)
                    return 1;
            } else if (ready[i].events & SKT_EVENT_WRITE)
                on_writable(srv, c);
            else
                on_readable(srv, c);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Setting up                                                               */
/* ------------------------------------------------------------------------ */

/* Reads PORT; its range is left for skt_addr_from_ip to check. */
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

/* A non-blocking listening socket on addr, registered for reading. */
static int open_listener(struct server *srv, const skt_addr *addr)
{
    int rc = skt_open(&srv->listener, skt_addr_family(addr), SOCK_STREAM,
                      0);

    if (rc < 0)
        return rc;
    /* A restarted server can bind again while old connections linger. */
    rc = skt_setsockopt_int(srv->listener, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = skt_bind(srv->listener, addr);
    if (rc == 0)
        rc = skt_listen(srv->listener, SKT_DEFAULT_BACKLOG);
    if (rc == 0)
        rc = skt_setblocking(srv->listener, false);
    if (rc == 0)
        rc = skt_selector_register_socket(srv->selector, srv->listener,
                                          SKT_EVENT_READ, NULL);
    return rc;
}

static int start(struct server *srv, const char *host, int port)
{
    char text[SKT_ADDRSTRLEN];
    skt_addr addr;
    int rc;

    rc = skt_addr_from_ip(&addr, host, port);
    if (rc == 0)
        rc = skt_selector_new(&srv->selector, SKT_SELECTOR_DEFAULT);
    if (rc == 0)
        rc = open_listener(srv, &addr);
    if (rc == 0)
        rc = skt_getsockname(srv->listener, &addr);
    if (rc < 0)
        return rc;
    skt_addr_format(&addr, text, sizeof text);
    printf("listening on %s\n", text);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: app-server HOST PORT\n";

static const char help_text[] =
    "\n"
    "The server of the Real Python sockets tutorial's application protocol,\n"
    "event-driven: one selector serves any number of clients, each sending\n"
    "one request (a search in a small table, or a binary request) and\n"
    "getting one response. Listens on HOST, a numeric address, and PORT (0:\n"
    "the system chooses; the first line printed says which); runs until\n"
    "SIGINT or SIGTERM.\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "app-server: %s%s\n%s", what, arg, usage_text);
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
    struct server srv = {0};
    struct sigaction sa = {.sa_handler = on_signal};
    int port, rc, status = 1;

    /* Each line goes out at once, so that a script sees "listening on". */
    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = read_command_line(argc, argv);
    if (rc >= 0)
        return rc;
    if (!parse_port(argv[optind + 1], &port)) {
        fprintf(stderr, "app-server: bad port \"%s\"\n", argv[optind + 1]);
        return 1;
    }
    rc = start(&srv, argv[optind], port);
    if (rc < 0) {
        complain(NULL, rc);
    } else {
        wake_on_signal = srv.selector;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        status = serve(&srv);
    }
    while (srv.conns != NULL)
        conn_close(&srv, srv.conns);
    skt_close(srv.listener);
    skt_selector_close(srv.selector);
    return status;
}
