/*
 * session.c - TLS sessions and resumption, after Python's SSLSession and
 * SSLSocket.session: a connection's session and the offer of one on the
 * next, whether a handshake resumed, the client's session cache keyed by
 * host and port (create_connection's), the server's TLS 1.3 tickets and
 * the context's session statistics.
 *
 * A session keeps a reference to the context it was made under: resuming
 * skips certificate verification, so a session may only be offered on a
 * connection of the same context, whose checks it passed (Python's rule).
 */
#include "tls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct skt_tls_session {
    SSL_SESSION *ssl_session;
    skt_tls_ctx *ctx;
};

/* One entry of a cache: the newest session for a key. */
struct entry {
    char *key;
    skt_tls_session *session;
    uint64_t used; /* the cache's clock when last filed or taken */
};

struct skt_tls_session_cache {
    pthread_mutex_t lock;
    int refs; /* the caller's, plus one per socket that files into it */
    size_t capacity;
    size_t count;
    uint64_t clock;
    struct entry *entries;
};

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */
/* ------------------------------------------------------------------------ */

/* A session object for ssl_session (a reference is taken) under ctx;
 * NULL on no memory. */
static skt_tls_session *session_new(SSL_SESSION *ssl_session,
                                    skt_tls_ctx *ctx)
{
    skt_tls_session *session = calloc(1, sizeof *session);

    if (session == NULL || SSL_SESSION_up_ref(ssl_session) != 1) {
        free(session);
        return NULL;
    }
    session->ssl_session = ssl_session;
    session->ctx = ctx;
    skt__tls_ctx_ref(ctx);
    return session;
}

void skt_tls_session_free(skt_tls_session *session)
{
    if (session == NULL)
        return;
    SSL_SESSION_free(session->ssl_session);
    skt__tls_ctx_unref(session->ctx);
    free(session);
}

static int get_session(struct tls *t, skt_tls_session **out,
                       const char *op)
{
    SSL_SESSION *current;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    if (t == NULL)
        return skt__fail(-EINVAL, "%s: not a TLS socket", op);
    if (!SSL_is_init_finished(t->ssl))
        return skt__fail(-ENOTCONN, "%s: the handshake is not done", op);
    /* TLS 1.3 tickets come after the handshake: take those already here. */
    if (t->ctx->side == SKT_TLS_CLIENT)
        skt__tls_absorb(t);
    current = SSL_get1_session(t->ssl);
    if (current == NULL)
        return skt__fail(-ENOENT, "%s: the connection has no session", op);
    *out = session_new(current, t->ctx);
    SSL_SESSION_free(current);
    return *out != NULL ? 0 : skt__fail(-ENOMEM, "%s", op);
}

int skt_tls_get_session(skt_socket *s, skt_tls_session **out)
{
    return get_session(skt__tls_of(s), out, "tls_get_session");
}

int skt_tls_obj_get_session(skt_tls_obj *obj, skt_tls_session **out)
{
    SKT__CHECK(obj != NULL, "obj is NULL");
    return get_session(skt__tls_obj_state(obj), out, "tls_obj_get_session");
}

int skt__tls_offer_session(struct tls *t, const skt_tls_session *session)
{
    if (t->ctx->side != SKT_TLS_CLIENT)
        return skt__fail(-EINVAL, "tls_set_session: only a client offers "
                         "a session");
    if (session->ctx != t->ctx)
        return skt__fail(-EINVAL, "tls_set_session: the session was made "
                         "under another context");
    if (SSL_set_session(t->ssl, session->ssl_session) != 1)
        return skt__tls_config_fail("tls_set_session");
    return 0;
}

int skt_tls_set_session(skt_socket *s, const skt_tls_session *session)
{
    struct tls *t = skt__tls_of(s);

    SKT__CHECK(session != NULL, "session is NULL");
    if (t == NULL)
        return skt__fail(-EINVAL, "tls_set_session: not a TLS socket");
    if (t->handshaken || !SSL_in_before(t->ssl))
        return skt__fail(-EINVAL, "tls_set_session: the handshake has "
                         "begun; offer the session when wrapping");
    return skt__tls_offer_session(t, session);
}

bool skt_tls_session_reused(const skt_socket *s)
{
    struct tls *t = skt__tls_of(s);

    return t != NULL && SSL_session_reused(t->ssl) == 1;
}

const unsigned char *skt_tls_session_id(const skt_tls_session *session,
                                        size_t *len)
{
    unsigned int n = 0;
    const unsigned char *id = NULL;

    if (session != NULL)
        id = SSL_SESSION_get_id(session->ssl_session, &n);
    if (len != NULL)
        *len = n;
    return id;
}

int64_t skt_tls_session_time(const skt_tls_session *session)
{
    return session != NULL ? SSL_SESSION_get_time(session->ssl_session) : 0;
}

int64_t skt_tls_session_timeout(const skt_tls_session *session)
{
    return session != NULL ? SSL_SESSION_get_timeout(session->ssl_session)
                           : 0;
}

unsigned long
skt_tls_session_ticket_lifetime_hint(const skt_tls_session *session)
{
    return session != NULL
               ? SSL_SESSION_get_ticket_lifetime_hint(session->ssl_session)
               : 0;
}

bool skt_tls_session_has_ticket(const skt_tls_session *session)
{
    return session != NULL && SSL_SESSION_has_ticket(session->ssl_session);
}

bool skt_tls_session_is_resumable(const skt_tls_session *session)
{
    return session != NULL &&
           SSL_SESSION_is_resumable(session->ssl_session) == 1;
}

/* ------------------------------------------------------------------------ */
/* The client's session cache                                               */
/* ------------------------------------------------------------------------ */

int skt_tls_session_cache_new(skt_tls_session_cache **out, size_t capacity)
{
    skt_tls_session_cache *cache;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    capacity = capacity != 0 ? capacity : SKT_TLS_SESSION_CACHE_DEFAULT;
    SKT__CHECK(capacity <= 1000000, "capacity over 1000000");
    cache = calloc(1, sizeof *cache);
    if (cache != NULL)
        cache->entries = calloc(capacity, sizeof *cache->entries);
    if (cache == NULL || cache->entries == NULL) {
        free(cache);
        return skt__fail(-ENOMEM, "tls_session_cache_new");
    }
    pthread_mutex_init(&cache->lock, NULL);
    cache->capacity = capacity;
    cache->refs = 1;
    *out = cache;
    return 0;
}

static void cache_unref(skt_tls_session_cache *cache)
{
    if (cache == NULL || __atomic_sub_fetch(&cache->refs, 1, __ATOMIC_ACQ_REL))
        return;
    for (size_t i = 0; i < cache->count; i++) {
        free(cache->entries[i].key);
        skt_tls_session_free(cache->entries[i].session);
    }
    pthread_mutex_destroy(&cache->lock);
    free(cache->entries);
    free(cache);
}

void skt_tls_session_cache_free(skt_tls_session_cache *cache)
{
    cache_unref(cache);
}

/* "[host]:port", to free(); NULL on no memory. */
static char *cache_key(const char *host, const char *port)
{
    return skt__aprintf("[%s]:%s", host != NULL ? host : "",
                        port != NULL ? port : "");
}

/* The entry for key, or NULL; under the lock. */
static struct entry *find(skt_tls_session_cache *cache, const char *key)
{
    for (size_t i = 0; i < cache->count; i++)
        if (strcmp(cache->entries[i].key, key) == 0)
            return &cache->entries[i];
    return NULL;
}

/* Takes entry e out of the cache; under the lock. */
static void remove_entry(skt_tls_session_cache *cache, struct entry *e)
{
    free(e->key);
    skt_tls_session_free(e->session);
    *e = cache->entries[--cache->count];
}

/* The least recently used entry; under the lock, with count > 0. */
static struct entry *oldest(skt_tls_session_cache *cache)
{
    struct entry *e = &cache->entries[0];

    for (size_t i = 1; i < cache->count; i++)
        if (cache->entries[i].used < e->used)
            e = &cache->entries[i];
    return e;
}

/* Files session (owned by the cache from now on) under key (likewise). */
static void cache_store(skt_tls_session_cache *cache, char *key,
                        skt_tls_session *session)
{
    struct entry *e;

    pthread_mutex_lock(&cache->lock);
    e = find(cache, key);
    if (e != NULL)
        remove_entry(cache, e);
    else if (cache->count == cache->capacity)
        remove_entry(cache, oldest(cache));
    cache->entries[cache->count++] = (struct entry){
        .key = key, .session = session, .used = ++cache->clock};
    pthread_mutex_unlock(&cache->lock);
}

int skt_tls_session_cache_put(skt_tls_session_cache *cache, const char *host,
                              const char *port,
                              const skt_tls_session *session)
{
    skt_tls_session *copy;
    char *key;

    SKT__CHECK(cache != NULL && session != NULL, "NULL argument");
    key = cache_key(host, port);
    copy = key != NULL ? session_new(session->ssl_session, session->ctx)
                       : NULL;
    if (copy == NULL) {
        free(key);
        return skt__fail(-ENOMEM, "tls_session_cache_put");
    }
    cache_store(cache, key, copy);
    return 0;
}

/*
 * The session under key for ctx, or NULL. A TLS 1.3 session leaves the
 * cache as it is taken: a ticket is for one connection (RFC 8446, C.4),
 * and the server sends fresh ones on each.
 */
static skt_tls_session *cache_take(skt_tls_session_cache *cache,
                                   skt_tls_ctx *ctx, const char *key)
{
    skt_tls_session *found = NULL;
    struct entry *e;

    pthread_mutex_lock(&cache->lock);
    e = find(cache, key);
    if (e != NULL && e->session->ctx == ctx) {
        if (SSL_SESSION_get_protocol_version(e->session->ssl_session) >=
            TLS1_3_VERSION) {
            found = e->session;
            e->session = NULL;
            remove_entry(cache, e);
        } else {
            found = session_new(e->session->ssl_session, ctx);
            e->used = ++cache->clock;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return found;
}

int skt_tls_session_cache_get(skt_tls_session_cache *cache, skt_tls_ctx *ctx,
                              const char *host, const char *port,
                              skt_tls_session **out)
{
    char *key;

    SKT__CHECK(cache != NULL && ctx != NULL && out != NULL, "NULL argument");
    *out = NULL;
    key = cache_key(host, port);
    if (key == NULL)
        return skt__fail(-ENOMEM, "tls_session_cache_get");
    *out = cache_take(cache, ctx, key);
    if (*out == NULL) {
        int rc = skt__fail(-ENOENT, "tls_session_cache_get: no session "
                           "for %s", key);
        free(key);
        return rc;
    }
    free(key);
    return 0;
}

int skt__tls_cache_attach(struct tls *t, skt_tls_session_cache *cache,
                          const char *host, const char *port)
{
    skt_tls_session *session;
    int rc = 0;

    t->cache_key = cache_key(host, port);
    if (t->cache_key == NULL)
        return skt__fail(-ENOMEM, "tls_wrap: the session cache's key");
    t->cache = cache;
    __atomic_add_fetch(&cache->refs, 1, __ATOMIC_RELAXED);
    session = cache_take(cache, t->ctx, t->cache_key);
    if (session != NULL)
        rc = skt__tls_offer_session(t, session);
    skt_tls_session_free(session);
    return rc;
}

void skt__tls_session_forget(struct tls *t)
{
    cache_unref(t->cache);
    free(t->cache_key);
    t->cache = NULL;
    t->cache_key = NULL;
}

/*
 * OpenSSL's report of a new session on a client: the end of a TLS 1.2
 * handshake, or each TLS 1.3 ticket, which may come long after it (even
 * while the socket closes). Filed in the connection's cache, if any.
 * Returns 0: OpenSSL keeps its own reference.
 */
static int on_new_session(SSL *ssl, SSL_SESSION *ssl_session)
{
    struct tls *t = SSL_get_app_data(ssl);
    skt_tls_session *session;
    char *key;

    if (t == NULL || t->cache == NULL ||
        SSL_SESSION_is_resumable(ssl_session) != 1)
        return 0;
    key = strdup(t->cache_key);
    session = key != NULL ? session_new(ssl_session, t->ctx) : NULL;
    if (session == NULL) {
        free(key); /* a cache may forget; nothing is lost but time */
        return 0;
    }
    cache_store(t->cache, key, session);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Context settings                                                         */
/* ------------------------------------------------------------------------ */

int skt__tls_session_defaults(skt_tls_ctx *ctx)
{
    static const unsigned char id_context[] = "skt";
    SSL_CTX *c = ctx->ssl_ctx;

    if (ctx->side == SKT_TLS_CLIENT) {
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT |
                                              SSL_SESS_CACHE_NO_INTERNAL);
        SSL_CTX_sess_set_new_cb(c, on_new_session);
        return 0;
    }
    /* Without a session ID context a server refuses to resume when it
     * verifies client certificates. */
    if (SSL_CTX_set_session_id_context(c, id_context,
                                       sizeof id_context - 1) != 1)
        return skt__tls_config_fail("tls_ctx_new: session ID context");
    return 0;
}

int skt_tls_ctx_set_num_tickets(skt_tls_ctx *ctx, size_t count)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    if (ctx->side != SKT_TLS_SERVER)
        return skt__fail(-EINVAL, "tls_ctx_set_num_tickets: a client "
                         "context sends no tickets");
    SKT__CHECK(count <= 1000, "count over 1000");
    SSL_CTX_set_num_tickets(ctx->ssl_ctx, count);
    return 0;
}

int skt_tls_ctx_get_num_tickets(const skt_tls_ctx *ctx)
{
    SKT__CHECK(ctx != NULL, "context is NULL");
    return (int)SSL_CTX_get_num_tickets(ctx->ssl_ctx);
}

int skt_tls_ctx_session_stats(const skt_tls_ctx *ctx,
                              skt_tls_session_stats *out)
{
    SSL_CTX *c;

    SKT__CHECK(ctx != NULL && out != NULL, "NULL argument");
    c = ctx->ssl_ctx;
    *out = (skt_tls_session_stats){
        .number = SSL_CTX_sess_number(c),
        .connect = SSL_CTX_sess_connect(c),
        .connect_good = SSL_CTX_sess_connect_good(c),
        .connect_renegotiate = SSL_CTX_sess_connect_renegotiate(c),
        .accept = SSL_CTX_sess_accept(c),
        .accept_good = SSL_CTX_sess_accept_good(c),
        .accept_renegotiate = SSL_CTX_sess_accept_renegotiate(c),
        .hits = SSL_CTX_sess_hits(c),
        .misses = SSL_CTX_sess_misses(c),
        .timeouts = SSL_CTX_sess_timeouts(c),
        .cache_full = SSL_CTX_sess_cache_full(c),
    };
    return 0;
}
