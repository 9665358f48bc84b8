/*
 * wrap.c - making a socket a TLS socket and back: the checks of wrapping,
 * SNI and the name to verify, the session offered, handshakes under one
 * deadline in each of the socket's modes, and unwrapping.
 */
#include "tls_int.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Wrapping                                                                 */
/* ------------------------------------------------------------------------ */

int skt__tls_check_side(const skt_tls_ctx *ctx, const char *hostname,
                        bool server_side, const char *op)
{
    if (server_side != (ctx->side == SKT_TLS_SERVER))
        return skt__fail(-EINVAL, "%s: a %s context cannot make a %s-side "
                         "connection", op, ctx->side == SKT_TLS_SERVER ?
                         "server" : "client", server_side ? "server" :
                         "client");
    if (server_side && hostname != NULL)
        return skt__fail(-EINVAL, "%s: server_hostname is for the client "
                         "side only", op);
    if (!server_side && ctx->check_hostname &&
        (hostname == NULL || hostname[0] == '\0'))
        return skt__fail(-EINVAL, "%s: hostname checking is on but no "
                         "server_hostname was given", op);
    return 0;
}

static int check_wrap(const skt_socket *s, const skt_tls_ctx *ctx,
                      const char *hostname, bool server_side)
{
    SKT__CHECK(s != NULL && ctx != NULL, "NULL argument");
    if (s->transport != &skt__plain_transport)
        return skt__fail(-EINVAL, "tls_wrap: the socket already has a %s "
                         "transport", s->transport->name);
    if (s->type != SOCK_STREAM)
        return skt__fail(-EOPNOTSUPP, "tls_wrap: TLS needs a stream "
                         "socket");
    return skt__tls_check_side(ctx, hostname, server_side, "tls_wrap");
}

static bool is_ip_literal(const char *text)
{
    unsigned char bytes[16];

    return inet_pton(AF_INET, text, bytes) == 1 ||
           inet_pton(AF_INET6, text, bytes) == 1;
}

/*
 * SNI and the name to verify, set separately: SNI goes out for any DNS
 * name (never for an address: RFC 6066), and the certificate is checked
 * against the name or address whether or not it went out as SNI.
 */
static int set_server_name(struct tls *t, const char *hostname)
{
    X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
    bool ip = is_ip_literal(hostname);
    int ok;

    t->hostname = strdup(hostname);
    if (t->hostname == NULL)
        return skt__fail(-ENOMEM, "tls_wrap");
    if (!ip && SSL_set_tlsext_host_name(t->ssl, hostname) != 1) {
        ERR_clear_error();
        return skt__fail(-EINVAL, "tls_wrap: server_hostname \"%s\" cannot "
                         "be sent as SNI", hostname);
    }
    if (!t->ctx->check_hostname)
        return 0;
    X509_VERIFY_PARAM_set_hostflags(param, skt__tls_host_flags(t->ctx));
    ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, hostname)
            : X509_VERIFY_PARAM_set1_host(param, hostname, 0);
    if (ok != 1) {
        ERR_clear_error();
        return skt__fail(-EINVAL, "tls_wrap: server_hostname \"%s\" cannot "
                         "be checked", hostname);
    }
    return 0;
}

/* The session to offer: the one given, else the cache's for the key. */
static int offer_session(struct tls *t, const struct skt__tls_wrap_args *args)
{
    if (args->session != NULL)
        return skt__tls_offer_session(t, args->session);
    if (args->cache != NULL)
        return skt__tls_cache_attach(t, args->cache, args->hostname,
                                     args->port);
    return 0;
}

int skt__tls_prepare(struct tls *t, const struct skt__tls_wrap_args *args)
{
    int rc = 0;

    if (args->hostname != NULL && args->hostname[0] != '\0')
        rc = set_server_name(t, args->hostname);
    if (rc == 0)
        rc = offer_session(t, args);
    if (rc < 0)
        return rc;
    if (args->server_side)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    return 0;
}

/* Checks the arguments and installs the TLS layer, handshake not begun. */
static int install(skt_socket *s, skt_tls_ctx *ctx,
                   const struct skt__tls_wrap_args *args)
{
    struct skt__detail_copy detail;
    struct tls *t = NULL;
    int rc = check_wrap(s, ctx, args->hostname, args->server_side);

    if (rc == 0)
        rc = skt__tls_new(&t, s->fd, ctx);
    if (rc == 0)
        rc = skt__tls_prepare(t, args);
    if (rc < 0) {
        skt__tls_free(t);
        return rc;
    }
    /* Not connected yet is fine: the detail asks again later. This is
     * no failure, so the thread's detail is left as it was. */
    skt__detail_save(&detail);
    skt_getpeername(s, &t->peer);
    skt__detail_restore(&detail, 0);
    skt__tls_attach(s, t);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Handshakes                                                               */
/* ------------------------------------------------------------------------ */

/*
 * One step of a handshake. Returns 0 once it is complete, -EAGAIN with
 * *wait set when it would block, or a failure code (the layer is then
 * failed, and the detail written).
 */
static int handshake_step(skt_socket *s, struct tls *t, short *wait)
{
    int r, rc;

    if (t->failed)
        return skt__fail(t->failed, "TLS handshake: the connection had "
                         "already failed");
    if (SSL_is_init_finished(t->ssl))
        return 0;
    skt__tls_begin_call(t);
    r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshaken = true;
        skt__tls_note_alpn(t);
        return 0;
    }
    rc = skt__tls_classify(t, r, wait);
    if (rc == -EAGAIN)
        return rc;
    /* An end of file in the middle of a handshake is a failure. */
    return skt__tls_connection_fail(s, t, rc == 0 ? SKT_ETLS_HANDSHAKE : rc,
                                    "TLS handshake");
}

/* Runs the handshake to its end, waiting on a non-blocking fd (or
 * blocking in OpenSSL on a blocking one) until the deadline. */
static int handshake_until(skt_socket *s, struct tls *t, int64_t deadline)
{
    char peer[SKT_ADDRSTRLEN + 300];

    for (;;) {
        short wait;
        int rc = handshake_step(s, t, &wait);
        if (rc != -EAGAIN)
            return rc;
        rc = skt__wait(s->fd, wait, deadline);
        if (rc < 0)
            return skt__fail(rc, "TLS handshake with %s",
                             skt__tls_peer_text(s, t, peer, sizeof peer));
    }
}

/* One step in non-blocking mode: "in progress" becomes a want code. */
static int handshake_nonblocking(skt_socket *s, struct tls *t)
{
    char peer[SKT_ADDRSTRLEN + 300];
    short wait;
    int rc = handshake_step(s, t, &wait);

    if (rc != -EAGAIN)
        return rc;
    return skt__fail(wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE,
                     "TLS handshake with %s: in progress",
                     skt__tls_peer_text(s, t, peer, sizeof peer));
}

/* The handshake under the socket's own mode and timeout. */
int skt__tls_handshake_by_mode(skt_socket *s, struct tls *t)
{
    if (s->timeout == 0)
        return handshake_nonblocking(s, t);
    return handshake_until(s, t, skt__deadline(s->timeout));
}

int skt_tls_wrap(skt_socket *s, skt_tls_ctx *ctx, const char *server_hostname,
                 bool server_side)
{
    struct skt__tls_wrap_args args = {.hostname = server_hostname,
                             .server_side = server_side};
    int rc = install(s, ctx, &args);

    if (rc < 0)
        return rc;
    return skt__tls_handshake_by_mode(s, s->transport_state);
}

int skt_tls_wrap_socket(skt_socket *s, skt_tls_ctx *ctx,
                        const skt_tls_wrap_opts *opts)
{
    static const skt_tls_wrap_opts defaults;
    struct skt__tls_wrap_args args;
    int rc;

    opts = opts != NULL ? opts : &defaults;
    if ((rc = SKT__CHECK_RESERVED(opts, "tls_wrap_socket")) < 0)
        return rc;
    args = (struct skt__tls_wrap_args){.hostname = opts->server_hostname,
                              .server_side = opts->server_side,
                              .session = opts->session};
    rc = install(s, ctx, &args);
    if (rc < 0 || opts->defer_handshake)
        return rc;
    return skt__tls_handshake_by_mode(s, s->transport_state);
}

int skt_tls_handshake(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_handshake: not a TLS socket");
    return skt__tls_handshake_by_mode(s, t);
}

/* Wraps and handshakes under the caller's deadline, whatever the mode. */
static int wrap_until(skt_socket *s, skt_tls_ctx *ctx,
                      const struct skt__tls_wrap_args *args, int64_t deadline)
{
    bool blocking;
    int rc = install(s, ctx, args);

    if (rc < 0)
        return rc;
    /* A blocking fd would let OpenSSL wait past the deadline. */
    blocking = s->timeout < 0 && deadline != SKT__NEVER;
    if (blocking && (rc = skt__sys_set_nonblocking(s->fd, true)) < 0) {
        ((struct tls *)s->transport_state)->failed = rc;
        return skt__fail(rc, "TLS handshake: making the fd non-blocking");
    }
    rc = handshake_until(s, s->transport_state, deadline);
    if (blocking)
        skt__sys_set_nonblocking(s->fd, false);
    return rc;
}

int skt__tls_client_handshake(skt_socket *s, skt_tls_ctx *ctx,
                              const char *hostname, int64_t deadline)
{
    struct skt__tls_wrap_args args = {.hostname = hostname};

    return wrap_until(s, ctx, &args, deadline);
}

int skt__tls_client_handshake_cached(skt_socket *s, skt_tls_ctx *ctx,
                                     const char *hostname,
                                     skt_tls_session_cache *cache,
                                     const char *port, int64_t deadline)
{
    struct skt__tls_wrap_args args = {.hostname = hostname, .cache = cache,
                             .port = port};

    return wrap_until(s, ctx, &args, deadline);
}

int skt__tls_server_handshake(skt_socket *s, skt_tls_ctx *ctx,
                              int64_t deadline)
{
    struct skt__tls_wrap_args args = {.server_side = true};

    return wrap_until(s, ctx, &args, deadline);
}

/* ------------------------------------------------------------------------ */
/* Unwrapping                                                               */
/* ------------------------------------------------------------------------ */

/*
 * One step of the closing exchange: send close_notify, then read until the
 * peer's arrives, dropping data that crossed ours, as the peer drops what
 * follows its own. Returns 0 when done, -EAGAIN with *wait, or a failure.
 */
static int shutdown_step(skt_socket *s, struct tls *t, short *wait)
{
    char scratch[4096];
    size_t got;
    int r, rc;

    skt__tls_begin_call(t);
    if (!t->close_sent) {
        r = SSL_shutdown(t->ssl);
        if (r == 1)
            return 0; /* the peer's close_notify had come already */
        rc = r < 0 ? skt__tls_classify(t, r, wait) : 0;
        if (r < 0 && rc == 0)
            return 0;
        if (rc == -EAGAIN)
            return rc;
        if (rc < 0)
            return skt__tls_send_fail(s, t, rc, "TLS unwrap");
        t->close_sent = true;
    }
    while (SSL_read_ex(t->ssl, scratch, sizeof scratch, &got) == 1)
        skt__tls_begin_call(t);
    rc = skt__tls_classify(t, 0, wait);
    if (rc < 0 && rc != -EAGAIN)
        return skt__tls_connection_fail(s, t, rc, "TLS unwrap");
    return rc; /* 0: the peer's close_notify, or its end of file */
}

static int shutdown_by_mode(skt_socket *s, struct tls *t)
{
    char peer[SKT_ADDRSTRLEN + 300];
    int64_t deadline = skt__deadline(s->timeout > 0 ? s->timeout : -1);

    for (;;) {
        short wait;
        int rc = shutdown_step(s, t, &wait);
        if (rc != -EAGAIN)
            return rc;
        if (s->timeout == 0)
            rc = wait == POLLIN ? SKT_EWANTREAD : SKT_EWANTWRITE;
        else
            rc = skt__wait(s->fd, wait, deadline);
        if (rc < 0)
            return skt__fail(rc, "TLS unwrap with %s",
                             skt__tls_peer_text(s, t, peer, sizeof peer));
    }
}

int skt_tls_unwrap(skt_socket *s)
{
    struct tls *t = skt__tls_of(s);
    int rc;

    if (t == NULL)
        return skt__fail(-EINVAL, "tls_unwrap: not a TLS socket");
    if (!t->failed && SSL_is_init_finished(t->ssl)) {
        rc = shutdown_by_mode(s, t);
        if (rc < 0)
            return rc;
    }
    skt__tls_detach(s);
    ERR_clear_error();
    skt__tls_free(t);
    return 0;
}
