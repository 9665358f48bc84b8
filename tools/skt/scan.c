/*
 * scan.c - -z HOST PORTS: which ports accept a TCP connection. Up to
 * PARALLEL non-blocking connects run at once, each under -w (default 1 s);
 * a refusal is "closed", silence or any other error "filtered". Results
 * are printed in port order as soon as every lower port is decided:
 * "PORT open" lines, and with -v the closed and filtered ones too. Exit
 * status 0 when a port is open, 1 when none is.
 */
#include "tool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Probes under way at once. */
#define PARALLEL 64
/* A probe's time without -w. */
#define PROBE_DEFAULT 1.0
#define PORTS 65536

enum port_state { UNDECIDED = 0, OPEN, CLOSED, FILTERED };

struct probe {
    skt_socket *s; /* NULL for a free slot */
    int port;
    double deadline;
};

struct scan {
    const struct config *c;
    skt_addr target;
    uint8_t map[PORTS / 8];
    uint8_t state[PORTS];
    int next_start, next_print; /* ports; PORTS when none is left */
    struct probe probes[PARALLEL];
    int active;
    skt_selector *sel;
    size_t open;
};

static bool wanted(const struct scan *z, int port)
{
    return z->map[port >> 3] & (1u << (port & 7));
}

/* The next port of the list after port, or PORTS. */
static int next_wanted(const struct scan *z, int port)
{
    while (++port < PORTS && !wanted(z, port))
        ;
    return port;
}

/* Prints every decided port from next_print on, in order. */
static void print_decided(struct scan *z)
{
    static const char *const words[] = {"", "open", "closed", "filtered"};

    while (z->next_print < PORTS && z->state[z->next_print] != UNDECIDED) {
        enum port_state st = z->state[z->next_print];
        if (st == OPEN || z->c->verbose)
            printf("%d %s\n", z->next_print, words[st]);
        z->next_print = next_wanted(z, z->next_print);
    }
    fflush(stdout);
}

static void decide(struct scan *z, int port, int code)
{
    z->state[port] = code == 0               ? OPEN
                     : code == -ECONNREFUSED ? CLOSED
                                             : FILTERED;
    if (code == 0)
        z->open++;
}

static void end_probe(struct scan *z, struct probe *p, int code)
{
    skt_selector_unregister_socket(z->sel, p->s);
    skt_close(p->s);
    p->s = NULL;
    z->active--;
    decide(z, p->port, code);
}

/* Starts a connect to port in a free slot; some end at once. */
static int start_probe(struct scan *z, struct probe *p, int port)
{
    skt_addr a = z->target;
    int rc = skt_open(&p->s, skt_addr_family(&a), SOCK_STREAM | SOCK_NONBLOCK,
                      0);

    if (rc < 0)
        return rc;
    skt_addr_set_port(&a, port);
    rc = skt_connect(p->s, &a);
    p->port = port;
    p->deadline = now_seconds() + (z->c->wait > 0 ? z->c->wait
                                                   : PROBE_DEFAULT);
    z->active++;
    if (rc == -EINPROGRESS)
        rc = skt_selector_register_socket(z->sel, p->s, SKT_EVENT_WRITE, p);
    if (rc != 0 && rc != -EINPROGRESS) {
        skt_close(p->s);
        p->s = NULL;
        z->active--;
        decide(z, port, rc);
    }
    return 0;
}

static int fill_slots(struct scan *z)
{
    for (int i = 0; i < PARALLEL && z->next_start < PORTS; i++) {
        int rc;
        if (z->probes[i].s != NULL)
            continue;
        rc = start_probe(z, &z->probes[i], z->next_start);
        if (rc < 0)
            return rc;
        z->next_start = next_wanted(z, z->next_start);
    }
    return 0;
}

/* Ends the probes past their deadline; returns the wait until the next. */
static double expire(struct scan *z)
{
    double now = now_seconds(), next = SKT_BLOCKING;

    for (int i = 0; i < PARALLEL; i++) {
        struct probe *p = &z->probes[i];
        if (p->s == NULL)
            continue;
        if (p->deadline <= now)
            end_probe(z, p, -ETIMEDOUT);
        else if (next < 0 || p->deadline - now < next)
            next = p->deadline - now;
    }
    return next;
}

static void collect(struct scan *z, const skt_selector_ready *ready,
                    int count)
{
    for (int i = 0; i < count; i++) {
        struct probe *p = ready[i].key.data;
        int error = 0;
        if (ready[i].events == 0 || p->s == NULL)
            continue;
        if (skt_getsockopt_int(p->s, SOL_SOCKET, SO_ERROR, &error) < 0)
            error = ENOTCONN;
        end_probe(z, p, -error);
    }
}

static int scan_all(struct scan *z)
{
    const skt_selector_ready *ready;
    int rc = 0;

    while (rc >= 0 && (z->next_start < PORTS || z->active > 0) &&
           signals_caught() == 0) {
        rc = fill_slots(z);
        print_decided(z);
        double wait = rc == 0 ? expire(z) : 0;
        if (rc == 0 && z->active > 0)
            rc = skt_selector_select(z->sel, wait, &ready);
        if (rc > 0)
            collect(z, ready, rc);
    }
    expire(z);
    print_decided(z);
    if (signals_caught())
        return EXIT_SIGNAL + signals_caught();
    if (rc < 0)
        return fail(rc, false);
    return z->open > 0 ? EXIT_OK : EXIT_NETWORK;
}

/* The first address of HOST, under -w. */
static int resolve_target(struct scan *z)
{
    const struct config *c = z->c;
    skt_addrinfo hints = {.family = c->family, .type = SOCK_STREAM}, *res;
    char buf[256], where[SKT_ADDRSTRLEN], unused[16];
    int rc;

    if (c->numeric)
        hints.flags = AI_NUMERICHOST;
    rc = skt_getaddrinfo(host_unbracketed(c->host, buf, sizeof buf), "0",
                         &hints, c->wait > 0 ? c->wait : SKT_BLOCKING, &res);
    if (rc < 0)
        return fail(rc, c->wait > 0);
    z->target = res->addr;
    skt_freeaddrinfo(res);
    if (c->verbose) {
        addr_host_port(&z->target, where, sizeof where, unused,
                       sizeof unused);
        note("scanning %s (%s)", c->host, where);
    }
    return 0;
}

int run_scan(const struct config *c)
{
    struct scan *z = calloc(1, sizeof *z);
    size_t count;
    char why[160];
    int status;

    if (z == NULL)
        return fail(skt_set_error_detail(-ENOMEM, "-z: out of memory"),
                    false);
    z->c = c;
    parse_port_list(c->ports, z->map, &count, why, sizeof why);
    z->next_start = z->next_print = next_wanted(z, 0);
    status = resolve_target(z);
    if (status == 0 && (status = skt_selector_new(&z->sel,
                                                  SKT_SELECTOR_POLL)) < 0)
        status = fail(status, false);
    if (status == 0) {
        signals_watch(z->sel);
        status = scan_all(z);
        signals_watch(NULL);
    }
    for (int i = 0; i < PARALLEL; i++)
        skt_close(z->probes[i].s);
    skt_selector_close(z->sel);
    free(z);
    return status;
}
