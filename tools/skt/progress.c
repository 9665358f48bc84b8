/*
 * progress.c - the progress bar of skt send and skt recv, on stderr:
 *
 *     42.0 MiB / 100.0 MiB  210.3 MiB/s  42%  ETA 0:00
 *
 * (bytes and rate only when the size is unknown), redrawn in place at
 * most ten times a second, shown only when stderr is a terminal unless
 * --progress forces it (--no-progress removes it). At the end it is
 * erased, or with -v replaced by one summary line: what, bytes, time,
 * rate.
 */
#include "tool.h"

#include <unistd.h>

/* Redraws at most this often, in seconds. */
#define REDRAW_EVERY 0.1

/* "42.0 MiB", "512 B". */
static const char *size_text(double bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t unit = 0;

    while (bytes >= 1024 && unit + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        unit++;
    }
    snprintf(buf, len, unit == 0 ? "%.0f %s" : "%.1f %s", bytes,
             units[unit]);
    return buf;
}

/* "1:05" for seconds. */
static const char *eta_text(double seconds, char *buf, size_t len)
{
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);

    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

static void draw(const struct progress *p, double now)
{
    char done[32], total[32], rate[32], eta[32];
    double elapsed = now - p->start;
    double per_second = elapsed > 0 ? (double)p->done / elapsed : 0;

    size_text((double)p->done, done, sizeof done);
    size_text(per_second, rate, sizeof rate);
    if (p->total == 0) {
        fprintf(stderr, "\r%s  %s/s\033[K", done, rate);
        return;
    }
    fprintf(stderr, "\r%s / %s  %s/s  %3d%%  ETA %s\033[K", done,
            size_text((double)p->total, total, sizeof total), rate,
            (int)(100.0 * (double)p->done / (double)p->total),
            eta_text(per_second > 0 ? (double)(p->total - p->done) /
                                          per_second
                                    : 0,
                     eta, sizeof eta));
}

void progress_start(struct progress *p, const struct config *c,
                    const char *what, uint64_t total)
{
    p->on = c->progress > 0 || (c->progress == 0 && isatty(2));
    p->verbose = c->verbose;
    p->what = what;
    p->total = total;
    p->done = 0;
    p->start = p->last_draw = now_seconds();
    if (p->on)
        draw(p, p->start);
}

void progress_update(struct progress *p, uint64_t done)
{
    double now;

    p->done = done;
    if (!p->on)
        return;
    now = now_seconds();
    if (now - p->last_draw < REDRAW_EVERY)
        return;
    p->last_draw = now;
    draw(p, now);
}

void progress_end(struct progress *p, bool ok)
{
    double elapsed = now_seconds() - p->start;
    char done[32], rate[32], took[32];

    if (p->on)
        fprintf(stderr, "\r\033[K");
    p->on = false;
    if (!ok || !p->verbose)
        return;
    p->verbose = false;
    note("%s: %s in %s (%s/s)", p->what,
         size_text((double)p->done, done, sizeof done),
         ms_text(elapsed, took, sizeof took),
         size_text(elapsed > 0 ? (double)p->done / elapsed : 0, rate,
                   sizeof rate));
}
