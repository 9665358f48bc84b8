/*
 * tls_int.h - what the files of src/tls/ share and nothing else sees: the
 * context and the per-socket TLS state, and the few functions that one
 * file of the folder calls in another.
 *
 * All of the library's OpenSSL code lives in src/tls/: context.c (the
 * skt_tls_ctx settings), errors.c (OpenSSL's failures as skt codes and
 * detail sentences), transport.c (the BIO, the transport, the close path,
 * a connection's state), wrap.c (wrapping, handshakes, unwrapping),
 * cert.c (what a connection tells: version, cipher, ALPN, the peer's
 * certificate), session.c (sessions, resumption, the client's session
 * cache), sni.c (the server name callback), memory.c (TLS over memory
 * buffers: skt_tls_obj), verify.c (verify flags, CRLs, DER trust, the
 * store's contents), info.c (chains, channel bindings, shared ciphers),
 * debug.c (the key log, the message callback), postauth.c (TLS 1.3
 * post-handshake client authentication), options.c (options, groups, DH
 * parameters) and halfclose.c (close_notify with reading open).
 */
#ifndef SKT_TLS_INT_H
#define SKT_TLS_INT_H

#include "internal.h"

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

struct skt_tls_ctx {
    SSL_CTX *ssl_ctx;
    int side;            /* SKT_TLS_CLIENT or SKT_TLS_SERVER */
    int verify_mode;     /* SKT_TLS_CERT_* */
    bool check_hostname;
    bool never_check_subject; /* hostname_checks_common_name off */
    bool post_handshake_auth; /* TLS 1.3 client authentication later */
    unsigned char *alpn; /* ALPN wire format: length-prefixed names */
    size_t alpn_len;
    skt_tls_sni_callback sni_callback; /* a server's, or NULL */
    void *sni_arg;
    struct skt__tls_keylog *keylog;    /* the key log file, or NULL */
    skt_tls_msg_callback msg_callback; /* the tracer, or NULL */
    void *msg_arg;
    int refs;            /* the caller's, plus one per wrapped socket */
};

/* The transport state of a TLS socket. */
struct tls {
    SSL *ssl;
    skt_tls_ctx *ctx;
    int fd;
    int sys_error;     /* errno of the BIO's last failed call, else 0 */
    bool eof;          /* the BIO has read an end of file */
    bool nowait;       /* the close path: no read or send may block */
    size_t drain_left; /* bytes the close path may still read */
    bool close_sent;   /* unwrap has sent close_notify */
    bool handshaken;   /* the handshake has completed once */
    int failed;        /* the code of a fatal failure; no more traffic */
    char *hostname;    /* the client's server_hostname, for details */
    skt_socket *sock;  /* the socket whose transport this is */
    skt_tls_session_cache *cache; /* where new sessions go, or NULL */
    char *cache_key;   /* their key there: "[host]:port" */
    skt_tls_ctx *sni_ctx; /* the context the server name callback chose */
    skt_addr peer;     /* the peer, taken at wrap time, for details: once
                        * the peer resets, getpeername fails */
    char alpn[256];    /* the selected ALPN protocol, NUL-terminated */
    char rejected[300]; /* the first certificate that failed to verify */
    char refusal[300];  /* why the server name callback failed the hello */
};

/* ------------------------------------------------------------------------ */
/* Contexts (context.c)                                                     */
/* ------------------------------------------------------------------------ */

/* Takes a reference to ctx, for a socket that keeps it. */
SKT__HIDDEN void skt__tls_ctx_ref(skt_tls_ctx *ctx);
/* Drops a reference; the last one frees the context. NULL is ignored. */
SKT__HIDDEN void skt__tls_ctx_unref(skt_tls_ctx *ctx);
/* Gives OpenSSL the verify flags that the mode, the side and
 * post-handshake authentication call for. */
SKT__HIDDEN void skt__tls_apply_verify_mode(skt_tls_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Failures (errors.c)                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Fails a context setting: -errno when OpenSSL met a system error (a
 * missing file is -ENOENT), else SKT_ETLS_CONFIG; the detail holds the
 * formatted text and OpenSSL's queued reasons, which it drains.
 */
SKT__HIDDEN int skt__tls_config_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The verify callback of every context: notes the first certificate that
 * failed in the connection's state, and returns OpenSSL's verdict ok. */
SKT__HIDDEN int skt__tls_note_verify(int ok, X509_STORE_CTX *store);

/* The code for an X509_V_* verification result; 0 for X509_V_OK. */
SKT__HIDDEN int skt__tls_verify_code(long result);

/* Starts an OpenSSL call on t afresh: no stale queued errors, no stale
 * errno from the BIO. */
SKT__HIDDEN void skt__tls_begin_call(struct tls *t);

/*
 * What a failed OpenSSL call (returning r) means: -EAGAIN with *wait set
 * to POLLIN or POLLOUT when it would block, 0 for the end of the stream,
 * or a fatal code, with OpenSSL's reasons still queued.
 */
SKT__HIDDEN int skt__tls_classify(struct tls *t, int r, short *wait);

/* "127.0.0.1:4433 (server name localhost)" in buf, for a detail; returns
 * buf. */
SKT__HIDDEN const char *skt__tls_peer_text(const skt_socket *s,
                                           const struct tls *t, char *buf,
                                           size_t len);

/*
 * Marks the connection failed with code (no traffic follows), drains
 * OpenSSL's reasons into the detail "<op> with <peer>: <reasons>", and
 * returns code.
 */
SKT__HIDDEN int skt__tls_connection_fail(skt_socket *s, struct tls *t,
                                         int code, const char *op);

/* ------------------------------------------------------------------------ */
/* The transport (transport.c)                                              */
/* ------------------------------------------------------------------------ */

/* The TLS state of s, or NULL when s is NULL or has no TLS layer. */
SKT__HIDDEN struct tls *skt__tls_of(const skt_socket *s);

/* A connection's state for fd with ctx (referenced), its BIO on fd (no
 * BIO when fd < 0: the caller sets its own); -ENOMEM with the detail on
 * failure. */
SKT__HIDDEN int skt__tls_new(struct tls **out, int fd, skt_tls_ctx *ctx);
/* Frees a connection's state, and what it holds. NULL is ignored. */
SKT__HIDDEN void skt__tls_free(struct tls *t);
/* Installs t as the transport of s; skt__tls_detach takes it off (the
 * caller frees it). */
SKT__HIDDEN void skt__tls_attach(skt_socket *s, struct tls *t);
SKT__HIDDEN void skt__tls_detach(skt_socket *s);

/*
 * Fails a send (op) as skt__tls_connection_fail does, except that a reset
 * or a broken pipe (code -ECONNRESET or -EPIPE) gives way to the fatal
 * alert that the peer sent before it, when the fd still holds one (read
 * without waiting): its code and reasons, as a recv would report them.
 */
SKT__HIDDEN int skt__tls_send_fail(skt_socket *s, struct tls *t, int code,
                                   const char *op);

/*
 * Reads and processes, without waiting, what the peer sent that the
 * application never asked for (TLS 1.3 session tickets, key updates, the
 * peer's close_notify), at most one record's worth. Returns true when
 * application data was found (it stays readable).
 */
SKT__HIDDEN bool skt__tls_absorb(struct tls *t);

/* ------------------------------------------------------------------------ */
/* Wrapping (wrap.c)                                                        */
/* ------------------------------------------------------------------------ */

/* What a wrap asks for, beyond the connection and the context. */
struct skt__tls_wrap_args {
    const char *hostname;
    bool server_side;
    const skt_tls_session *session; /* to offer, or NULL */
    skt_tls_session_cache *cache;   /* to take from and fill, or NULL */
    const char *port;               /* the cache's key, with hostname */
};

/* The checks of ctx's side against server_side and hostname; -EINVAL
 * with a detail starting with op. */
SKT__HIDDEN int skt__tls_check_side(const skt_tls_ctx *ctx,
                                    const char *hostname, bool server_side,
                                    const char *op);

/* Runs the handshake of s (or what OpenSSL has to send after a
 * post-handshake request) under the socket's mode and timeout. */
SKT__HIDDEN int skt__tls_handshake_by_mode(skt_socket *s, struct tls *t);

/* Readies a new connection's state for its handshake: SNI and the name to
 * verify, the session offered, the side. */
SKT__HIDDEN int skt__tls_prepare(struct tls *t,
                                 const struct skt__tls_wrap_args *args);

/* ------------------------------------------------------------------------ */
/* Sessions (session.c)                                                     */
/* ------------------------------------------------------------------------ */

/* The session settings of a new context: the client's callback that
 * keeps new sessions, the server's session ID context. */
SKT__HIDDEN int skt__tls_session_defaults(skt_tls_ctx *ctx);

/* Offers session on t's handshake; -EINVAL when it belongs to another
 * context. */
SKT__HIDDEN int skt__tls_offer_session(struct tls *t,
                                       const skt_tls_session *session);

/* Ties t to cache under the key of host and port: offers the session the
 * cache holds there, and files there the sessions the server sends. */
SKT__HIDDEN int skt__tls_cache_attach(struct tls *t,
                                      skt_tls_session_cache *cache,
                                      const char *host, const char *port);

/* Lets go of what t holds of sessions (the cache). */
SKT__HIDDEN void skt__tls_session_forget(struct tls *t);

/* ------------------------------------------------------------------------ */
/* Debugging (debug.c)                                                      */
/* ------------------------------------------------------------------------ */

/* Closes and frees a context's key log; NULL is ignored. */
SKT__HIDDEN void skt__tls_keylog_free(struct skt__tls_keylog *log);

/* ------------------------------------------------------------------------ */
/* Memory objects (memory.c)                                                */
/* ------------------------------------------------------------------------ */

/* The connection's state of obj, or NULL when obj is NULL. */
SKT__HIDDEN struct tls *skt__tls_obj_state(const skt_tls_obj *obj);

/* ------------------------------------------------------------------------ */
/* Connection information (cert.c)                                          */
/* ------------------------------------------------------------------------ */

/* An X509 name in RFC 2253 form, to free(); NULL on no memory. */
SKT__HIDDEN char *skt__tls_name_text(const X509_NAME *name);

/* Keeps the selected ALPN protocol in t->alpn as a C string. */
SKT__HIDDEN void skt__tls_note_alpn(struct tls *t);

/* The certificates of chain as a new NULL-terminated list in *out (free
 * with skt_tls_freecerts); returns their count, or -ENOMEM with a detail
 * starting with op. */
SKT__HIDDEN int skt__tls_cert_list(STACK_OF(X509) *chain,
                                   skt_tls_cert ***out, const char *op);

/* ------------------------------------------------------------------------ */
/* Verification controls (verify.c)                                         */
/* ------------------------------------------------------------------------ */

/* The X509_CHECK_FLAG_* for matching a server's name under ctx. */
SKT__HIDDEN unsigned skt__tls_host_flags(const skt_tls_ctx *ctx);

#endif
