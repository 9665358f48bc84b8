/*
 * resolve.c - getaddrinfo and getnameinfo bounded by a deadline, with the
 * system resolver's own semantics (/etc/hosts, nsswitch, resolv.conf).
 *
 * The C library's lookups cannot be interrupted, so a lookup that may go to
 * the network runs on a detached thread while the caller waits on a
 * condition variable until the deadline. A lookup that outlives its caller
 * is abandoned, not cancelled: it finishes on its own thread, frees its own
 * results, and blocks neither the caller nor process exit. Lookups that
 * cannot touch the network (numeric host and port, or no deadline at all)
 * run inline, costing no thread.
 */
#include "internal.h"

#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lookup {
    /* What to look up: forward (getaddrinfo) or reverse (getnameinfo). */
    bool reverse;
    char *host;
    char *port;
    struct addrinfo hints;
    skt_addr addr;
    int ni_flags;
    bool want_host;
    bool want_serv;
    /* What came back. */
    int eai;
    int error;
    struct addrinfo *found;
    char host_out[NI_MAXHOST];
    char serv_out[NI_MAXSERV];
    /* Hand-over between the caller and the worker. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int refs;
};

static void lookup_free(struct lookup *l)
{
    if (l->found != NULL)
        freeaddrinfo(l->found);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l->host);
    free(l->port);
    free(l);
}

/* Drops one reference; the last one frees, whoever holds it. */
static void lookup_release(struct lookup *l)
{
    bool last;

    pthread_mutex_lock(&l->lock);
    last = --l->refs == 0;
    pthread_mutex_unlock(&l->lock);
    if (last)
        lookup_free(l);
}

static void lookup_run(struct lookup *l)
{
    errno = 0;
    if (l->reverse)
        l->eai = getnameinfo(&l->addr.u.sa, l->addr.len,
                             l->want_host ? l->host_out : NULL,
                             l->want_host ? sizeof l->host_out : 0,
                             l->want_serv ? l->serv_out : NULL,
                             l->want_serv ? sizeof l->serv_out : 0,
                             l->ni_flags);
    else
        l->eai = getaddrinfo(l->host, l->port, &l->hints, &l->found);
    l->error = errno;
}

static void *lookup_worker(void *arg)
{
    struct lookup *l = arg;

    lookup_run(l);
    pthread_mutex_lock(&l->lock);
    l->done = true;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->lock);
    lookup_release(l);
    return NULL;
}

static char *copy_text(const char *text, bool *failed)
{
    char *copy;

    if (text == NULL)
        return NULL;
    copy = strdup(text);
    if (copy == NULL)
        *failed = true;
    return copy;
}

static struct lookup *lookup_new(const char *host, const char *port)
{
    struct lookup *l = calloc(1, sizeof *l);
    pthread_condattr_t attr;
    bool failed = false;

    if (l == NULL)
        return NULL;
    l->host = copy_text(host, &failed);
    l->port = copy_text(port, &failed);
    pthread_mutex_init(&l->lock, NULL);
    /* The wait is measured on the monotonic clock, like every deadline. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cond, &attr);
    pthread_condattr_destroy(&attr);
    l->refs = 1;
    if (failed) {
        lookup_free(l);
        return NULL;
    }
    return l;
}

/* Waits for the worker until the deadline; true when it finished. */
static bool wait_done(struct lookup *l, int64_t deadline)
{
    struct timespec ts = skt__timespec_from_ns(deadline);
    bool done;

    pthread_mutex_lock(&l->lock);
    while (!l->done && skt__now() < deadline)
        pthread_cond_timedwait(&l->cond, &l->lock, &ts);
    done = l->done;
    pthread_mutex_unlock(&l->lock);
    return done;
}

/*
 * Runs the lookup inline, or on a worker until the deadline. Returns 0 when
 * the lookup finished (its result is in l), -ETIMEDOUT when it was
 * abandoned (l then belongs to the worker), or -EAGAIN when no thread could
 * be started.
 */
static int lookup_start(struct lookup *l, int64_t deadline, bool local)
{
    pthread_attr_t attr;
    pthread_t thread;
    int rc;

    if (local || deadline == SKT__NEVER) {
        lookup_run(l);
        return 0;
    }
    l->refs = 2;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&thread, &attr, lookup_worker, l);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        l->refs = 1;
        return -rc;
    }
    return wait_done(l, deadline) ? 0 : -ETIMEDOUT;
}

/* The skt code of a finished lookup: 0, SKT_EAI_*, or -errno. */
static int lookup_code(const struct lookup *l)
{
    if (l->eai == 0)
        return 0;
    if (l->eai == EAI_SYSTEM && l->error != 0)
        return -l->error;
    return skt__eai_code(l->eai);
}

/*
 * glibc takes any text that strtoul reads whole as a port number and keeps
 * its low 16 bits, so "70000" would quietly become port 4464. A numeric
 * port outside 0..65535 is refused instead (SKT_EPORTRANGE), for every
 * caller: getaddrinfo, create_connection and create_server alike. Names
 * are left to the resolver.
 */
static int check_port_text(const char *port)
{
    unsigned long value;
    char *end;

    if (port == NULL)
        return 0;
    errno = 0;
    value = strtoul(port, &end, 10);
    if (end == port || *end != '\0')
        return 0;
    return value > SKT__PORT_MAX || errno == ERANGE ? SKT_EPORTRANGE : 0;
}

/*
 * A numeric host and port need no resolver: they are answered inline, and
 * that answer is final. Only EAI_NONAME (a name, not a number) sends the
 * lookup on to the resolver.
 */
static int try_numeric(const char *host, const char *port,
                       const struct addrinfo *hints, struct addrinfo **found)
{
    struct addrinfo numeric = *hints;
    int eai;

    numeric.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
    errno = 0;
    eai = getaddrinfo(host, port, &numeric, found);
    if (eai == EAI_NONAME)
        return 1;
    if (eai == EAI_SYSTEM && errno != 0)
        return -errno;
    return eai == 0 ? 0 : skt__eai_code(eai);
}

int skt__getaddrinfo_deadline(const char *host, const char *port,
                              const struct addrinfo *hints, int64_t deadline,
                              struct addrinfo **found)
{
    struct lookup *l;
    int rc;

    *found = NULL;
    rc = check_port_text(port);
    if (rc == 0)
        rc = try_numeric(host, port, hints, found);
    if (rc <= 0)
        return rc;
    l = lookup_new(host, port);
    if (l == NULL)
        return -ENOMEM;
    l->hints = *hints;
    rc = lookup_start(l, deadline, false);
    if (rc < 0) {
        lookup_release(l);
        return rc;
    }
    rc = lookup_code(l);
    *found = l->found;
    l->found = NULL;
    lookup_release(l);
    return rc;
}

int skt__getnameinfo_deadline(const skt_addr *a, int flags, int64_t deadline,
                              char *host, size_t hostlen, char *serv,
                              size_t servlen)
{
    struct lookup *l = lookup_new(NULL, NULL);
    bool local = (flags & NI_NUMERICHOST) && (flags & NI_NUMERICSERV);
    int rc;

    if (l == NULL)
        return -ENOMEM;
    l->reverse = true;
    l->addr = *a;
    l->ni_flags = flags;
    l->want_host = host != NULL;
    l->want_serv = serv != NULL;
    rc = lookup_start(l, deadline, local);
    if (rc == 0)
        rc = lookup_code(l);
    /* The caller passes buffers of NI_MAXHOST and NI_MAXSERV bytes and
     * checks its own lengths afterwards, so these copies always fit. */
    if (rc == 0 && host != NULL)
        snprintf(host, hostlen, "%s", l->host_out);
    if (rc == 0 && serv != NULL)
        snprintf(serv, servlen, "%s", l->serv_out);
    lookup_release(l);
    return rc;
}
