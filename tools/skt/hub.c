/*
 * hub.c - -l -k: every client served at once, as ncat does. One selector
 * watches the listener, stdin and every client: stdin goes to every
 * client, every client's data goes to stdout (with --broker, to every
 * other client instead, and stdin is not read). After stdin's end each
 * current and later client's write side is shut down. At -m clients the
 * listener is left alone, so that new clients wait in the accept queue.
 * -i closes a client idle that long. With --frame each line of stdin
 * goes to every client as one message, and each client's messages come
 * out whole, one a line (with --broker, each goes to the others as one
 * message), so that clients never interleave within a message. It runs
 * until SIGINT or SIGTERM, or a line of stdin that does not fit the
 * framing (exit status 1).
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

/* Selector tags: the listener, stdin, then client i is CLIENT_TAG + i. */
#define LISTENER_TAG 1
#define STDIN_TAG 2
#define CLIENT_TAG 3

struct client {
    skt_socket *s; /* NULL for a free slot */
    double last_activity;
    skt_frame_decoder *decoder; /* --frame: the client's messages */
};

struct hub {
    const struct config *c;
    skt_socket *listener;
    skt_tls_ctx *tls;
    skt_selector *sel;
    struct client *clients; /* max_clients slots */
    long count;
    bool stdin_open, stdin_ended, accepting, stdout_open, last_cr;
    uint64_t dumped_out, dumped_in;
    struct lines lines; /* --frame: the lines of stdin */
    int status;         /* an exit status that ends the hub, or 0 */
};

static void *tag(uintptr_t value)
{
    return (void *)value;
}

/* ------------------------------------------------------------------------ */
/* Clients                                                                  */
/* ------------------------------------------------------------------------ */

static void set_accepting(struct hub *h, bool on)
{
    if (on == h->accepting)
        return;
    if (on)
        skt_selector_register_socket(h->sel, h->listener, SKT_EVENT_READ,
                                     tag(LISTENER_TAG));
    else
        skt_selector_unregister_socket(h->sel, h->listener);
    h->accepting = on;
}

static void drop(struct hub *h, long i, const char *why)
{
    struct client *cl = &h->clients[i];
    char where[SKT_ADDRSTRLEN];
    skt_addr a;

    if (h->c->verbose && skt_getpeername(cl->s, &a) == 0)
        note("%s %s", addr_text(&a, where, sizeof where), why);
    skt_selector_unregister_socket(h->sel, cl->s);
    skt_close(cl->s);
    skt_frame_decoder_free(cl->decoder);
    cl->s = NULL;
    cl->decoder = NULL;
    h->count--;
    set_accepting(h, true);
}

/* After stdin's end a client's write side is shut down at once. */
static void shut_write(struct hub *h, skt_socket *s)
{
    if (h->stdin_ended && !h->c->no_shutdown)
        shutdown_write(s);
}

static void add_client(struct hub *h, skt_socket *s)
{
    long i = 0;

    while (h->clients[i].s != NULL)
        i++;
    h->clients[i] = (struct client){s, now_seconds(), NULL};
    if (h->c->framed &&
        skt_frame_decoder_new(&h->clients[i].decoder, &h->c->frame) < 0) {
        fail(-ENOMEM, false);
        skt_close(s);
        h->clients[i].s = NULL;
        return;
    }
    h->count++;
    if (!h->c->send_only)
        skt_selector_register_socket(h->sel, s, SKT_EVENT_READ,
                                     tag(CLIENT_TAG + (uintptr_t)i));
    shut_write(h, s);
    if (h->count == h->c->max_clients)
        set_accepting(h, false);
}

static void on_listener(struct hub *h)
{
    skt_socket *conn;
    int rc = accept_client(h->c, h->listener, h->tls, &conn);

    if (rc == 0)
        add_client(h, conn);
    else if (rc < 0 && rc != -EAGAIN)
        fail(rc, false);
}

/* ------------------------------------------------------------------------ */
/* Data                                                                     */
/* ------------------------------------------------------------------------ */

/* Sends len bytes to every client but `except` (-1: all of them). */
static void send_all_clients(struct hub *h, const char *buf, size_t len,
                             long except)
{
    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        if (cl->s == NULL || i == except)
            continue;
        if (skt_sendall(cl->s, buf, len, 0, NULL) < 0)
            drop(h, i, "left (send failed)");
        else
            cl->last_activity = now_seconds();
    }
}

/* --frame: each message to every client but `except` (-1: all). */
static void send_message_all(struct hub *h, const void *msg, size_t len,
                             long except)
{
    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        if (cl->s == NULL || i == except)
            continue;
        if (skt_frame_send(cl->s, &h->c->frame, msg, len, NULL) < 0)
            drop(h, i, "left (send failed)");
        else
            cl->last_activity = now_seconds();
    }
}

/* --frame: each whole line of a read of stdin (len 0 at its end) as one
 * message to every client; a line that does not fit ends the hub. */
static void frame_stdin(struct hub *h, const char *buf, size_t len)
{
    const char *line;
    size_t line_len;
    int rc = lines_add(&h->lines, buf, len);

    while (rc == 0 &&
           (rc = lines_next(&h->lines, len == 0, &line, &line_len)) == 1 &&
           (rc = message_fits(h->c, line_len)) == 0) {
        if (h->c->hex_dump)
            hex_dump('>', line, line_len, &h->dumped_out);
        send_message_all(h, line, line_len, -1);
    }
    if (rc < 0)
        h->status = fail(rc, false);
}

static void on_stdin(struct hub *h)
{
    static char buf[CHUNK], expanded[2 * CHUNK];
    ssize_t got = read(0, buf, sizeof buf);
    size_t len = got > 0 ? (size_t)got : 0;
    const char *out = buf;

    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (h->c->framed && got >= 0)
        frame_stdin(h, buf, len);
    if (got <= 0) {
        h->stdin_open = false;
        h->stdin_ended = true;
        skt_selector_unregister(h->sel, 0);
        for (long i = 0; i < h->c->max_clients; i++)
            if (h->clients[i].s != NULL)
                shut_write(h, h->clients[i].s);
        return;
    }
    if (h->c->framed)
        return;
    if (h->c->crlf) {
        len = crlf_expand(buf, len, expanded, &h->last_cr);
        out = expanded;
    }
    if (h->c->hex_dump)
        hex_dump('>', out, len, &h->dumped_out);
    send_all_clients(h, out, len, -1);
}

/* --frame: the messages of what client i sent, each out whole. */
static void client_messages(struct hub *h, long i, const char *buf,
                            size_t len)
{
    struct client *cl = &h->clients[i];
    const void *msg;
    size_t msg_len;
    int rc = skt_frame_decoder_feed(cl->decoder, buf, len);

    while (rc == 0 && (rc = skt_frame_decoder_pop(cl->decoder, &msg,
                                                  &msg_len)) == 1) {
        if (h->c->hex_dump)
            hex_dump('<', msg, msg_len, &h->dumped_in);
        if (h->c->broker) {
            send_message_all(h, msg, msg_len, i);
            rc = cl->s != NULL ? 0 : -EPIPE;
            continue;
        }
        if (h->stdout_open && (write_all(1, msg, msg_len) < 0 ||
                               write_all(1, "\n", 1) < 0))
            h->stdout_open = false;
        rc = 0;
    }
    if (rc < 0 && cl->s != NULL)
        drop(h, i, skt_error_detail());
}

static void on_client(struct hub *h, long i)
{
    static char buf[CHUNK];
    struct client *cl = &h->clients[i];
    ssize_t got = recv_ready(cl->s, buf, sizeof buf);

    if (got == -EAGAIN || got == SKT_EWANTREAD || got == SKT_EWANTWRITE)
        return;
    if (got <= 0) {
        drop(h, i, got == 0 ? "left" : skt_strerror((int)got));
        return;
    }
    cl->last_activity = now_seconds();
    if (h->c->framed) {
        client_messages(h, i, buf, (size_t)got);
        return;
    }
    if (h->c->hex_dump)
        hex_dump('<', buf, (size_t)got, &h->dumped_in);
    if (h->c->broker)
        send_all_clients(h, buf, (size_t)got, i);
    else if (h->stdout_open && write_all(1, buf, (size_t)got) < 0)
        h->stdout_open = false;
}

/* ------------------------------------------------------------------------ */
/* The loop                                                                 */
/* ------------------------------------------------------------------------ */

/* -i: drops idle clients; returns the wait until the next may expire. */
static double expire_idle(struct hub *h)
{
    double next = SKT_BLOCKING, now = now_seconds();

    if (h->c->idle <= 0)
        return SKT_BLOCKING;
    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        double left;
        if (cl->s == NULL)
            continue;
        left = cl->last_activity + h->c->idle - now;
        if (left <= 0)
            drop(h, i, "closed: idle");
        else if (next < 0 || left < next)
            next = left;
    }
    return next;
}

static void dispatch(struct hub *h, const skt_selector_ready *r)
{
    uintptr_t which = (uintptr_t)r->key.data;

    if (r->events == 0)
        return;
    if (which == LISTENER_TAG)
        on_listener(h);
    else if (which == STDIN_TAG)
        on_stdin(h);
    else if (h->clients[which - CLIENT_TAG].s != NULL)
        on_client(h, (long)(which - CLIENT_TAG));
}

static int loop(struct hub *h)
{
    const skt_selector_ready *ready;

    while (signals_caught() == 0 && h->status == 0) {
        int count = skt_selector_select(h->sel, expire_idle(h), &ready);
        if (count < 0)
            return fail(count, false);
        for (int i = 0; i < count && signals_caught() == 0 &&
                        h->status == 0; i++)
            dispatch(h, &ready[i]);
    }
    return h->status != 0 ? h->status : EXIT_SIGNAL + signals_caught();
}

static int start(struct hub *h)
{
    int rc = skt_selector_new(&h->sel, SKT_SELECTOR_POLL);

    lines_init(&h->lines, h->c);
    h->clients = calloc((size_t)h->c->max_clients, sizeof *h->clients);
    if (rc == 0 && h->clients == NULL)
        rc = skt_set_error_detail(-ENOMEM, "-m %ld clients: out of memory",
                                  h->c->max_clients);
    if (rc == 0)
        rc = skt_settimeout(h->listener, 0);
    if (rc == 0)
        set_accepting(h, true);
    if (rc == 0 && !h->c->broker && !h->c->recv_only) {
        h->stdin_open = skt_selector_register(h->sel, 0, SKT_EVENT_READ,
                                              tag(STDIN_TAG)) == 0;
        h->stdin_ended = !h->stdin_open;
    }
    return rc < 0 ? fail(rc, false) : 0;
}

int serve_hub(const struct config *c, skt_socket *listener,
              skt_tls_ctx *tls)
{
    struct hub h = {.c = c, .listener = listener, .tls = tls,
                    .stdout_open = true};
    int status = start(&h);

    if (status == 0) {
        signals_watch(h.sel);
        status = loop(&h);
        signals_watch(NULL);
    }
    for (long i = 0; h.clients != NULL && i < c->max_clients; i++) {
        skt_close(h.clients[i].s);
        skt_frame_decoder_free(h.clients[i].decoder);
    }
    free(h.clients);
    lines_free(&h.lines);
    skt_selector_close(h.sel);
    close_listener(c, listener);
    return status;
}
