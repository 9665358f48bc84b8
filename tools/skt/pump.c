/*
 * pump.c - one stream connection's data: a selector over the local side
 * (stdin, or -e's socket pair) and the socket. Local data goes to the
 * socket (-C, -x on the way); the socket's data goes to the local output.
 * Local EOF half-closes (shutdown SHUT_WR, unless --no-shutdown) and
 * reading goes on; the peer's close ends it. -i bounds the time with no
 * data either way. A closed stdout (EPIPE) ends the connection quietly.
 * With --frame each stdin line is sent as one message (skt_frame_send)
 * and each message a decoder finds in what arrives is printed as a line.
 * When stdin is a regular file, its size is known: the progress bar of
 * skt send shows how much of it has gone (on a terminal, or --progress);
 * with --progress, any other stdin shows its bytes and rate.
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

/* Tags of the two registered fds. */
#define FROM_LOCAL ((void *)1)
#define FROM_SOCKET ((void *)2)

struct pump {
    const struct config *c;
    skt_socket *s;
    int in_fd, out_fd;
    bool local_open, socket_open, last_cr, done;
    uint64_t dumped_out, dumped_in;
    struct counters *n;
    skt_selector *sel;
    double last_activity;
    int status;
    /* --frame: the decoder of what arrives, and the lines of stdin. */
    skt_frame_decoder *decoder;
    struct lines lines;
    /* stdin a regular file: the bar of its bytes sent. */
    struct progress bar;
    uint64_t file_sent;
};

/* Ends the pump with status; returns it. */
static int finish(struct pump *p, int status)
{
    p->done = true;
    p->status = status;
    return status;
}

int shutdown_write(skt_socket *s)
{
    int rc = skt_tls_version(s) != NULL ? skt_tls_shutdown_write(s)
                                        : skt_shutdown(s, SHUT_WR);

    return rc == -ENOTCONN ? 0 : rc;
}

/* stdin ended: half-close unless --no-shutdown; --send-only is done. */
static int local_eof(struct pump *p)
{
    int rc;

    p->local_open = false;
    skt_selector_unregister(p->sel, p->in_fd);
    progress_end(&p->bar, true);
    if (!p->c->no_shutdown && (rc = shutdown_write(p->s)) < 0)
        return finish(p, fail(rc, false));
    /* With -e/-c the local side is the program: its end is the end. */
    if (p->c->send_only || p->c->exec_cmd || !p->socket_open)
        return finish(p, EXIT_OK);
    return 0;
}

/* Sends one read of local data, after -C and -x. */
static int send_local(struct pump *p, const char *buf, size_t len)
{
    static char expanded[2 * CHUNK];
    int rc;

    if (p->c->crlf) {
        len = crlf_expand(buf, len, expanded, &p->last_cr);
        buf = expanded;
    }
    if (p->c->hex_dump)
        hex_dump('>', buf, len, &p->dumped_out);
    rc = skt_sendall(p->s, buf, len, 0, NULL);
    if (rc < 0)
        return finish(p, fail(rc, p->c->idle > 0));
    p->n->sent += len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* --frame                                                                  */
/* ------------------------------------------------------------------------ */

/* Sends one stdin line as one message; fixed:N wants N bytes. Returns
 * 0 or a negative code. */
static int send_message(struct pump *p, const char *line, size_t len)
{
    size_t sent = 0;
    int rc = message_fits(p->c, len);

    if (rc < 0)
        return rc;
    if (p->c->hex_dump)
        hex_dump('>', line, len, &p->dumped_out);
    rc = skt_frame_send(p->s, &p->c->frame, line, len, &sent);
    p->n->sent += sent;
    return rc;
}

/* A read of stdin (len 0 at its end): each complete line goes out as one
 * message (-x dumps messages, both ways, not their framing). */
static int frame_local(struct pump *p, const char *buf, size_t len)
{
    const char *line;
    size_t line_len;
    int rc = lines_add(&p->lines, buf, len);

    while (rc == 0 && (rc = lines_next(&p->lines, len == 0, &line,
                                       &line_len)) == 1)
        rc = send_message(p, line, line_len);
    return rc < 0 ? finish(p, fail(rc, p->c->idle > 0)) : 0;
}

/* What arrived, to the decoder; each message out as one line. */
static int frame_received(struct pump *p, const char *buf, size_t len)
{
    const void *msg;
    size_t msg_len;
    int rc = skt_frame_decoder_feed(p->decoder, buf, len);

    while (rc == 0 && (rc = skt_frame_decoder_pop(p->decoder, &msg,
                                                  &msg_len)) == 1) {
        if (p->c->hex_dump)
            hex_dump('<', msg, msg_len, &p->dumped_in);
        rc = write_all(p->out_fd, msg, msg_len);
        if (rc == 0)
            rc = write_all(p->out_fd, "\n", 1);
    }
    if (rc == -EPIPE)
        return finish(p, EXIT_OK);
    return rc < 0 ? finish(p, fail(rc, false)) : 0;
}

/* ------------------------------------------------------------------------ */
/* The two sides                                                            */
/* ------------------------------------------------------------------------ */

static int on_local(struct pump *p)
{
    static char buf[CHUNK];
    ssize_t got = read(p->in_fd, buf, sizeof buf);

    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (got < 0)
        return finish(p, fail(skt_set_error_detail(-errno, "read from "
                                                   "stdin: %s",
                                                   strerror(errno)),
                              false));
    if (got == 0 && p->decoder != NULL && frame_local(p, buf, 0) != 0)
        return p->status;
    if (got == 0)
        return local_eof(p);
    p->file_sent += (uint64_t)got;
    progress_update(&p->bar, p->file_sent);
    if (p->decoder != NULL)
        return frame_local(p, buf, (size_t)got);
    return send_local(p, buf, (size_t)got);
}

static int on_socket(struct pump *p)
{
    static char buf[CHUNK];
    ssize_t got = recv_ready(p->s, buf, sizeof buf);
    int rc;

    if (got == -EAGAIN || got == SKT_EWANTREAD || got == SKT_EWANTWRITE)
        return 0;
    if (got < 0)
        return finish(p, fail((int)got, p->c->idle > 0));
    if (got == 0) {
        p->socket_open = false;
        return finish(p, EXIT_OK);
    }
    p->n->received += (uint64_t)got;
    if (p->decoder != NULL)
        return frame_received(p, buf, (size_t)got);
    if (p->c->hex_dump)
        hex_dump('<', buf, (size_t)got, &p->dumped_in);
    rc = write_all(p->out_fd, buf, (size_t)got);
    if (rc == -EPIPE)
        return finish(p, EXIT_OK);
    if (rc < 0)
        return finish(p, fail(skt_set_error_detail(rc, "write to stdout: "
                                                   "%s", skt_strerror(rc)),
                              false));
    return 0;
}

/* The selector's timeout: what is left of -i, or none. */
static double wait_time(const struct pump *p)
{
    double left;

    if (p->c->idle <= 0)
        return SKT_BLOCKING;
    left = p->last_activity + p->c->idle - now_seconds();
    return left > 0 ? left : 0;
}

static int idle_expired(struct pump *p)
{
    skt_set_error_detail(-ETIMEDOUT, "idle for %g s: no data either way",
                         p->c->idle);
    return finish(p, fail(-ETIMEDOUT, true));
}

/* One select and the work it found. */
static void round_trip(struct pump *p)
{
    const skt_selector_ready *ready;
    int count = skt_selector_select(p->sel, wait_time(p), &ready);

    if (signals_caught()) {
        finish(p, EXIT_SIGNAL + signals_caught());
        return;
    }
    if (count < 0) {
        finish(p, fail(count, false));
        return;
    }
    if (count == 0 && p->c->idle > 0 &&
        now_seconds() - p->last_activity >= p->c->idle) {
        idle_expired(p);
        return;
    }
    for (int i = 0; i < count && !p->done; i++) {
        if (ready[i].events == 0)
            continue;
        p->last_activity = now_seconds();
        if (ready[i].key.data == FROM_LOCAL)
            on_local(p);
        else
            on_socket(p);
    }
}

/* The bar of stdin's bytes sent (not while -x writes stderr): for a
 * regular file, what is left of it from its offset is the total (shown
 * on a terminal, or with --progress); any other stdin has no size known,
 * and shows bytes and rate only, when --progress asks for it (never for
 * a terminal that someone types into). */
static void start_bar(struct pump *p)
{
    struct stat st;
    off_t at;

    if (p->c->hex_dump || p->c->recv_only || p->in_fd < 0 ||
        fstat(p->in_fd, &st) < 0)
        return;
    if (!S_ISREG(st.st_mode)) {
        if (p->c->progress > 0 && !p->c->exec_cmd && !isatty(p->in_fd))
            progress_start(&p->bar, p->c, "sent stdin", 0);
        p->bar.verbose = false;
        return;
    }
    at = lseek(p->in_fd, 0, SEEK_CUR);
    progress_start(&p->bar, p->c, "sent stdin",
                   (uint64_t)(st.st_size - (at > 0 ? at : 0)));
    /* The summary line is -v's own "sent N bytes" line. */
    p->bar.verbose = false;
}

static int start(struct pump *p)
{
    int rc = skt_selector_new(&p->sel, SKT_SELECTOR_POLL);

    lines_init(&p->lines, p->c);
    if (rc == 0 && p->c->framed)
        rc = skt_frame_decoder_new(&p->decoder, &p->c->frame);
    if (rc < 0)
        return fail(rc, false);
    if (p->c->recv_only || p->in_fd < 0 ||
        skt_selector_register(p->sel, p->in_fd, SKT_EVENT_READ,
                              FROM_LOCAL) < 0)
        p->local_open = false;
    if (!p->c->send_only)
        rc = skt_selector_register_socket(p->sel, p->s, SKT_EVENT_READ,
                                          FROM_SOCKET);
    else
        p->socket_open = false;
    if (rc == 0 && p->c->idle > 0)
        rc = skt_settimeout(p->s, p->c->idle);
    if (rc == 0)
        start_bar(p);
    return rc < 0 ? fail(rc, false) : 0;
}

int pump_stream(const struct config *c, skt_socket *s, int in_fd,
                int out_fd, struct counters *n)
{
    struct pump p = {
        .c = c, .s = s, .in_fd = in_fd, .out_fd = out_fd,
        .local_open = true, .socket_open = true, .n = n,
        .last_activity = now_seconds(),
    };
    int status = start(&p);

    if (status == 0 && p.sel != NULL) {
        signals_watch(p.sel);
        if (!p.local_open && p.in_fd >= 0 && !c->recv_only)
            local_eof(&p);
        while (!p.done)
            round_trip(&p);
        progress_end(&p.bar, false);
        signals_watch(NULL);
        status = p.status;
    }
    skt_selector_close(p.sel);
    skt_frame_decoder_free(p.decoder);
    lines_free(&p.lines);
    return status;
}
