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
 *
 * No client holds up the others. With --tls each client's handshake runs
 * without blocking, the client watched for what it waits for, and -w
 * (else 10 s) is its deadline: a client still not done then is closed,
 * with a line on stderr. Data to a client is sent without blocking and
 * what it does not take waits in that client's queue, sent as it becomes
 * writable (while its handshake runs, all of it: a client gets what
 * comes after its accept). With --broker a client whose queue would pass
 * OUT_LIMIT is dropped ("client ADDR: dropped: not reading"); from
 * stdin, stdin is not read while a queue holds bytes, so that every
 * client still gets all of it (at the slowest client's pace, as with
 * blocking sends).
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536
/* --broker: the bytes a client may leave unread before it is dropped (a
 * single message longer than this still goes to a client that had
 * taken everything before). */
#define OUT_LIMIT ((size_t)1 << 20)

/* Selector tags: the listener, stdin, then client i is CLIENT_TAG + i. */
#define LISTENER_TAG 1
#define STDIN_TAG 2
#define CLIENT_TAG 3

struct client {
    skt_socket *s; /* NULL for a free slot */
    double last_activity;
    skt_frame_decoder *decoder; /* --frame: the client's messages */
    double handshake_deadline;  /* > 0 while its TLS handshake runs */
    int handshake_wants;        /* the event the handshake waits for */
    int events;                 /* what the selector watches (0: none) */
    char *out;                  /* the queue: out[out_start, out_end) */
    size_t out_start, out_end, out_cap;
    bool shut_pending; /* shut the write side once the queue is empty */
};

struct hub {
    const struct config *c;
    skt_socket *listener;
    skt_tls_ctx *tls;
    skt_selector *sel;
    struct client *clients; /* max_clients slots */
    long count;
    bool stdin_open, stdin_ended, accepting, stdout_open, last_cr;
    bool stdin_paused;  /* a client's queue holds stdin's bytes */
    char *frame;        /* --frame: one message as it goes out */
    size_t frame_cap;
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

static size_t queued(const struct client *cl)
{
    return cl->out_end - cl->out_start;
}

/* Watches a client for what it waits for: its handshake's event, else
 * its data (unless --send-only) and, with a queue, writability. */
static void watch(struct hub *h, long i)
{
    struct client *cl = &h->clients[i];
    int events = cl->handshake_deadline > 0 ? cl->handshake_wants
               : (h->c->send_only ? 0 : SKT_EVENT_READ) |
                     (queued(cl) > 0 ? SKT_EVENT_WRITE : 0);

    if (events == cl->events)
        return;
    if (events == 0)
        skt_selector_unregister_socket(h->sel, cl->s);
    else if (cl->events == 0)
        skt_selector_register_socket(h->sel, cl->s, events,
                                     tag(CLIENT_TAG + (uintptr_t)i));
    else
        skt_selector_modify_socket(h->sel, cl->s, events,
                                   tag(CLIENT_TAG + (uintptr_t)i));
    cl->events = events;
}

static const char *peer_text(skt_socket *s, char *buf, size_t len)
{
    skt_addr a = {0};

    if (skt_getpeername(s, &a) < 0)
        a.len = 0;
    return addr_text(&a, buf, len);
}

/* Closes client i; why (NULL: nothing) goes on stderr with -v. */
static void drop(struct hub *h, long i, const char *why)
{
    struct client *cl = &h->clients[i];
    char where[SKT_ADDRSTRLEN];

    if (h->c->verbose && why != NULL)
        note("%s %s", peer_text(cl->s, where, sizeof where), why);
    if (cl->events != 0)
        skt_selector_unregister_socket(h->sel, cl->s);
    skt_close(cl->s);
    skt_frame_decoder_free(cl->decoder);
    free(cl->out);
    *cl = (struct client){0};
    h->count--;
    set_accepting(h, true);
}

/* After stdin's end a client's write side is shut down, once what is
 * queued for it has gone. */
static void shut_write(struct hub *h, long i)
{
    struct client *cl = &h->clients[i];

    if (!h->stdin_ended || h->c->no_shutdown || cl->handshake_deadline > 0)
        return;
    cl->shut_pending = queued(cl) > 0;
    if (!cl->shut_pending)
        shutdown_write(cl->s);
}

/* A client ready for data: its handshake (if any) done. */
static void client_ready(struct hub *h, long i)
{
    struct client *cl = &h->clients[i];

    cl->handshake_deadline = 0;
    cl->last_activity = now_seconds();
    if (h->c->verbose && h->tls != NULL)
        tls_describe(h->c, cl->s);
    shut_write(h, i);
    watch(h, i);
}

/* One step of client i's handshake; a failure closes it (the reason on
 * stderr, as a handshake's failure always is). */
static void handshake(struct hub *h, long i, int rc)
{
    struct client *cl = &h->clients[i];

    if (rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE) {
        cl->handshake_wants = rc == SKT_EWANTREAD ? SKT_EVENT_READ
                                                  : SKT_EVENT_WRITE;
        watch(h, i);
    } else if (rc < 0) {
        fail(rc, false);
        drop(h, i, NULL);
    } else {
        client_ready(h, i);
    }
}

static void add_client(struct hub *h, skt_socket *s)
{
    long i = 0;
    struct client *cl;
    int rc;

    while (h->clients[i].s != NULL)
        i++;
    cl = &h->clients[i];
    *cl = (struct client){.s = s, .last_activity = now_seconds()};
    h->count++;
    if (h->count == h->c->max_clients)
        set_accepting(h, false);
    rc = skt_settimeout(s, 0);
    if (rc == 0 && h->c->framed)
        rc = skt_frame_decoder_new(&cl->decoder, &h->c->frame);
    if (rc < 0) {
        fail(rc, false);
        drop(h, i, NULL);
        return;
    }
    if (h->tls == NULL) {
        client_ready(h, i);
        return;
    }
    cl->handshake_deadline =
        now_seconds() + (h->c->wait > 0 ? h->c->wait : HANDSHAKE_DEFAULT);
    handshake(h, i, skt_tls_wrap(s, h->tls, NULL, true));
}

static void on_listener(struct hub *h)
{
    skt_socket *conn;
    int rc = accept_client(h->c, h->listener, NULL, &conn);

    if (rc == 0)
        add_client(h, conn);
    else if (rc < 0 && rc != -EAGAIN)
        fail(rc, false);
}

/* ------------------------------------------------------------------------ */
/* Data                                                                     */
/* ------------------------------------------------------------------------ */

static bool would_wait(ssize_t rc)
{
    return rc == -EAGAIN || rc == SKT_EWANTREAD || rc == SKT_EWANTWRITE;
}

/* From stdin: stdin is read again once every queue is empty. */
static void check_stdin(struct hub *h)
{
    if (!h->stdin_paused)
        return;
    for (long i = 0; i < h->c->max_clients; i++)
        if (h->clients[i].s != NULL && queued(&h->clients[i]) > 0)
            return;
    h->stdin_paused = false;
    if (h->stdin_open)
        skt_selector_register(h->sel, 0, SKT_EVENT_READ, tag(STDIN_TAG));
}

/* Client i is writable: sends what its queue holds, as much as it takes. */
static void flush(struct hub *h, long i)
{
    struct client *cl = &h->clients[i];
    ssize_t sent;

    if (queued(cl) == 0)
        return;
    /* After SKT_EWANTWRITE, TLS wants the same bytes again, or more. */
    sent = skt_send(cl->s, cl->out + cl->out_start, queued(cl), 0);
    if (would_wait(sent))
        return;
    if (sent < 0) {
        drop(h, i, "left (send failed)");
        check_stdin(h);
        return;
    }
    cl->last_activity = now_seconds();
    cl->out_start += (size_t)sent;
    if (queued(cl) == 0) {
        cl->out_start = cl->out_end = 0;
        if (cl->shut_pending) {
            cl->shut_pending = false;
            shutdown_write(cl->s);
        }
    }
    watch(h, i);
    check_stdin(h);
}

/* Appends len bytes to client i's queue; -ENOMEM when it cannot grow. */
static int enqueue(struct client *cl, const char *buf, size_t len)
{
    size_t have = queued(cl);

    if (cl->out_start > 0 && cl->out_end + len > cl->out_cap) {
        memmove(cl->out, cl->out + cl->out_start, have);
        cl->out_start = 0;
        cl->out_end = have;
    }
    if (cl->out_end + len > cl->out_cap) {
        size_t cap = cl->out_cap > 0 ? cl->out_cap : CHUNK;
        char *grown;
        while (cap < cl->out_end + len)
            cap *= 2;
        if ((grown = realloc(cl->out, cap)) == NULL)
            return -ENOMEM;
        cl->out = grown;
        cl->out_cap = cap;
    }
    memcpy(cl->out + cl->out_end, buf, len);
    cl->out_end += len;
    return 0;
}

/* Sends len bytes to client i without waiting; what it does not take is
 * queued (all of it while its handshake runs: a client gets what comes
 * after its accept). With --broker a client that would hold more than
 * OUT_LIMIT is dropped; from stdin, stdin waits for the queues to empty. */
static void send_client(struct hub *h, long i, const char *buf, size_t len)
{
    struct client *cl = &h->clients[i];
    char where[SKT_ADDRSTRLEN];

    if (queued(cl) == 0 && cl->handshake_deadline <= 0) {
        ssize_t sent = skt_send(cl->s, buf, len, 0);
        if (sent < 0 && !would_wait(sent)) {
            drop(h, i, "left (send failed)");
            return;
        }
        /* A TLS send that must be repeated took nothing yet. */
        if (sent > 0) {
            cl->last_activity = now_seconds();
            buf += sent;
            len -= (size_t)sent;
        }
        if (len == 0)
            return;
    } else if (h->c->broker && queued(cl) > 0 &&
               queued(cl) + len > OUT_LIMIT) {
        note("client %s: dropped: not reading",
             peer_text(cl->s, where, sizeof where));
        drop(h, i, NULL);
        return;
    }
    if (enqueue(cl, buf, len) < 0) {
        fail(skt_set_error_detail(-ENOMEM, "client %s: out of memory",
                                  peer_text(cl->s, where, sizeof where)),
             false);
        drop(h, i, NULL);
        return;
    }
    watch(h, i);
    if (!h->c->broker && h->stdin_open && !h->stdin_paused) {
        h->stdin_paused = true;
        skt_selector_unregister(h->sel, 0);
    }
}

/* Sends len bytes to every client but `except` (-1: all of them). */
static void send_all_clients(struct hub *h, const char *buf, size_t len,
                             long except)
{
    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        if (cl->s == NULL || i == except)
            continue;
        send_client(h, i, buf, len);
    }
}

/* --frame: the bytes of one message as the framing sends it, in h->frame.
 * Returns their count or a negative code (as skt_frame_send's). */
static ssize_t frame_message(struct hub *h, const void *msg, size_t len)
{
    const skt_frame_opts *f = &h->c->frame;
    size_t need = len + 8 + (f->kind == SKT_FRAME_DELIMITER
                                 ? f->delimiter_len : 0);

    if (f->kind == SKT_FRAME_DELIMITER && f->delimiter_len > 0 &&
        memmem(msg, len, f->delimiter, f->delimiter_len) != NULL)
        return skt_set_error_detail(-EINVAL, "--frame: a message that "
                                    "holds the delimiter");
    if (need > h->frame_cap) {
        char *grown = realloc(h->frame, need);
        if (grown == NULL)
            return -ENOMEM;
        h->frame = grown;
        h->frame_cap = need;
    }
    return frame_datagram(h->c, msg, len, h->frame, h->frame_cap);
}

/* --frame: each message to every client but `except` (-1: all). */
static void send_message_all(struct hub *h, const void *msg, size_t len,
                             long except)
{
    ssize_t framed = frame_message(h, msg, len);

    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        if (cl->s == NULL || i == except)
            continue;
        if (framed < 0)
            drop(h, i, "left (send failed)");
        else
            send_client(h, i, h->frame, (size_t)framed);
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
        if (!h->stdin_paused)
            skt_selector_unregister(h->sel, 0);
        for (long i = 0; i < h->c->max_clients; i++)
            if (h->clients[i].s != NULL)
                shut_write(h, i);
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

/* When client i expires: its handshake's deadline, else with -i its idle
 * limit; < 0 for never. */
static double expiry(const struct hub *h, const struct client *cl)
{
    if (cl->handshake_deadline > 0)
        return cl->handshake_deadline;
    return h->c->idle > 0 ? cl->last_activity + h->c->idle : -1;
}

/* Drops clients whose handshake is past its deadline and, with -i, idle
 * clients; returns the wait until the next may expire. */
static double expire(struct hub *h)
{
    double next = SKT_BLOCKING, now = now_seconds();
    char where[SKT_ADDRSTRLEN];

    for (long i = 0; i < h->c->max_clients; i++) {
        struct client *cl = &h->clients[i];
        double left;
        if (cl->s == NULL || expiry(h, cl) < 0)
            continue;
        left = expiry(h, cl) - now;
        if (left > 0) {
            if (next < 0 || left < next)
                next = left;
        } else if (cl->handshake_deadline > 0) {
            note("TLS handshake with %s: %s",
                 peer_text(cl->s, where, sizeof where),
                 skt_strerror(-ETIMEDOUT));
            drop(h, i, NULL);
        } else {
            drop(h, i, "closed: idle");
        }
    }
    return next;
}

static void dispatch(struct hub *h, const skt_selector_ready *r)
{
    uintptr_t which = (uintptr_t)r->key.data;
    long i = (long)(which - CLIENT_TAG);

    if (r->events == 0)
        return;
    if (which == LISTENER_TAG) {
        on_listener(h);
        return;
    }
    if (which == STDIN_TAG) {
        on_stdin(h);
        return;
    }
    if (h->clients[i].s == NULL)
        return;
    if (h->clients[i].handshake_deadline > 0) {
        handshake(h, i, skt_tls_handshake(h->clients[i].s));
        return;
    }
    /* A TLS send may wait for a read too: a readable client retries. */
    if (queued(&h->clients[i]) > 0)
        flush(h, i);
    if (h->clients[i].s != NULL && (r->events & SKT_EVENT_READ) &&
        !h->c->send_only)
        on_client(h, i);
}

static int loop(struct hub *h)
{
    const skt_selector_ready *ready;

    while (signals_caught() == 0 && h->status == 0) {
        int count = skt_selector_select(h->sel, expire(h), &ready);
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
        free(h.clients[i].out);
    }
    free(h.clients);
    free(h.frame);
    lines_free(&h.lines);
    skt_selector_close(h.sel);
    close_listener(c, listener);
    return status;
}
