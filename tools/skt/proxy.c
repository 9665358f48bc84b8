/*
 * proxy.c - --proxy: the tunnel through a SOCKS5 proxy (RFC 1928, with
 * RFC 1929's user/password method) or an HTTP proxy (CONNECT, with Basic
 * authentication), on a connection to the proxy that connect.c has made.
 * Every step runs under what is left of the one -w deadline, so that
 * lookup, connect, the proxy's handshake and TLS share it. A failure's
 * detail names the proxy and its reason: the SOCKS5 reply's meaning, or
 * the HTTP status line.
 */
#include "tool.h"

#include <errno.h>
#include <string.h>

/* The longest HTTP answer to CONNECT, headers included. */
#define HTTP_ANSWER_MAX 16384

/* One tunnel being asked for. */
struct tunnel {
    const struct config *c;
    skt_socket *s;
    double deadline; /* on now_seconds()'s clock; 0: none */
    const char *step; /* what is under way, for a failure's detail */
};

/* ------------------------------------------------------------------------ */
/* Steps under the deadline                                                 */
/* ------------------------------------------------------------------------ */

/* The detail of a failed step; returns code. */
static int step_failed(const struct tunnel *t, int code)
{
    if (code == -ETIMEDOUT)
        return skt_set_error_detail(code, "proxy %s: no answer %s within "
                                    "-w %g s", t->c->proxy, t->step,
                                    t->c->wait);
    if (code == SKT_EEOF)
        return skt_set_error_detail(-ECONNRESET, "proxy %s: closed the "
                                    "connection %s", t->c->proxy, t->step);
    return skt_set_error_detail(code, "proxy %s: %s: %s", t->c->proxy,
                                t->step, skt_strerror(code));
}

/* The socket's timeout: what is left of the deadline. */
static int arm(const struct tunnel *t)
{
    double left;

    if (t->deadline <= 0)
        return 0;
    left = t->deadline - now_seconds();
    if (left <= 0)
        return step_failed(t, -ETIMEDOUT);
    return skt_settimeout(t->s, left);
}

static int send_step(const struct tunnel *t, const void *buf, size_t len)
{
    int rc = arm(t);

    if (rc == 0)
        rc = skt_sendall(t->s, buf, len, 0, NULL);
    return rc < 0 ? step_failed(t, rc) : 0;
}

static int recv_step(const struct tunnel *t, void *buf, size_t len)
{
    int rc = arm(t);

    if (rc == 0)
        rc = skt_recv_exact(t->s, buf, len, 0, NULL);
    return rc < 0 ? step_failed(t, rc) : 0;
}

/* A protocol the proxy broke; returns -EPROTO. */
static int broken(const struct tunnel *t, const char *what)
{
    return skt_set_error_detail(-EPROTO, "proxy %s: %s %s", t->c->proxy,
                                what, t->step);
}

/* --proxy-auth USER:PASS split at its first colon. */
static void credentials(const struct config *c, const char **user,
                        size_t *user_len, const char **pass)
{
    const char *colon = strchr(c->proxy_auth, ':');

    *user = c->proxy_auth;
    *user_len = (size_t)(colon - c->proxy_auth);
    *pass = colon + 1;
}

/* ------------------------------------------------------------------------ */
/* SOCKS5                                                                   */
/* ------------------------------------------------------------------------ */

/* RFC 1928's meaning of a reply code. */
static const char *socks_reply_text(int code)
{
    static const char *const text[] = {
        "succeeded", "general SOCKS server failure",
        "connection not allowed by ruleset", "network unreachable",
        "host unreachable", "connection refused", "TTL expired",
        "command not supported", "address type not supported",
    };

    return code >= 0 && code <= 8 ? text[code] : "unknown reply code";
}

/* The error code that stands for a reply code. */
static int socks_reply_code(int code)
{
    switch (code) {
    case 2:
        return -EACCES;
    case 3:
        return -ENETUNREACH;
    case 4:
    case 6:
        return -EHOSTUNREACH;
    case 5:
        return -ECONNREFUSED;
    case 7:
    case 8:
        return -EOPNOTSUPP;
    default:
        return -EIO;
    }
}

/* RFC 1929: the user name and password, and the proxy's verdict. */
static int socks_login(struct tunnel *t)
{
    unsigned char msg[3 + 2 * 255], answer[2];
    const char *user, *pass;
    size_t user_len, pass_len, len = 0;
    int rc;

    credentials(t->c, &user, &user_len, &pass);
    pass_len = strlen(pass);
    msg[len++] = 1;
    msg[len++] = (unsigned char)user_len;
    memcpy(msg + len, user, user_len);
    len += user_len;
    msg[len++] = (unsigned char)pass_len;
    memcpy(msg + len, pass, pass_len);
    len += pass_len;
    t->step = "to the SOCKS5 user/password login";
    rc = send_step(t, msg, len);
    if (rc == 0)
        rc = recv_step(t, answer, sizeof answer);
    if (rc == 0 && answer[1] != 0)
        rc = skt_set_error_detail(-EACCES, "proxy %s: SOCKS5 user/password "
                                  "refused (status %d)", t->c->proxy,
                                  answer[1]);
    return rc;
}

/* The greeting: the methods offered, and the one the proxy chose. */
static int socks_greet(struct tunnel *t)
{
    const unsigned char plain[] = {5, 1, 0}, login[] = {5, 2, 0, 2};
    unsigned char answer[2];
    bool auth = t->c->proxy_auth != NULL;
    int rc;

    t->step = "to the SOCKS5 greeting";
    rc = auth ? send_step(t, login, sizeof login)
              : send_step(t, plain, sizeof plain);
    if (rc == 0)
        rc = recv_step(t, answer, sizeof answer);
    if (rc < 0)
        return rc;
    if (answer[0] != 5)
        return broken(t, "is not a SOCKS5 proxy: wrong version in its "
                         "answer");
    if (answer[1] == 0xff)
        return skt_set_error_detail(-EACCES, "proxy %s: SOCKS5: no "
                                    "acceptable authentication method "
                                    "(offered: %s)", t->c->proxy,
                                    auth ? "none, user/password"
                                         : "none; try --proxy-auth");
    if (answer[1] == 2 && auth)
        return socks_login(t);
    if (answer[1] != 0)
        return broken(t, "chose a method that was not offered");
    return 0;
}

/* The CONNECT request's address: IPv4, IPv6, or the name as it is. */
static size_t socks_address(const struct config *c, unsigned char *out)
{
    char buf[256];
    const char *host = host_unbracketed(c->host, buf, sizeof buf);
    skt_addr a;
    size_t len;

    if (skt_addr_from_ip(&a, host, 0) == 0 && skt_addr_family(&a) == AF_INET) {
        out[0] = 1;
        memcpy(out + 1, &a.u.in4.sin_addr, 4);
        return 5;
    }
    if (skt_addr_from_ip(&a, host, 0) == 0) {
        out[0] = 4;
        memcpy(out + 1, a.u.in6.sin6_addr.s6_addr, 16);
        return 17;
    }
    len = strlen(host);
    out[0] = 3;
    out[1] = (unsigned char)len;
    memcpy(out + 2, host, len);
    return 2 + len;
}

/* The rest of a reply after its first four bytes: the bound address. */
static int socks_skip_bound(struct tunnel *t, int type)
{
    unsigned char rest[256 + 2];
    size_t len;
    int rc = 0;

    if (type == 1)
        len = 4 + 2;
    else if (type == 4)
        len = 16 + 2;
    else if (type == 3 && (rc = recv_step(t, rest, 1)) == 0)
        len = (size_t)rest[0] + 2;
    else
        return rc < 0 ? rc : broken(t, "sent an unknown address type");
    return recv_step(t, rest, len);
}

static int socks_connect(struct tunnel *t)
{
    unsigned char msg[4 + 256 + 2], reply[4];
    size_t len = 3;
    int port = port_number(t->c->port, "tcp"), rc;

    memcpy(msg, "\x05\x01\x00", 3);
    len += socks_address(t->c, msg + len);
    msg[len++] = (unsigned char)(port >> 8);
    msg[len++] = (unsigned char)port;
    t->step = "to the SOCKS5 connect request";
    rc = send_step(t, msg, len);
    if (rc == 0)
        rc = recv_step(t, reply, sizeof reply);
    if (rc < 0)
        return rc;
    if (reply[0] != 5)
        return broken(t, "sent a wrong version");
    if (reply[1] != 0)
        return skt_set_error_detail(socks_reply_code(reply[1]),
                                    "proxy %s: SOCKS5 reply %d to the "
                                    "connection to %s port %s: %s",
                                    t->c->proxy, reply[1], t->c->host,
                                    t->c->port, socks_reply_text(reply[1]));
    return socks_skip_bound(t, reply[3]);
}

/* ------------------------------------------------------------------------ */
/* HTTP CONNECT                                                             */
/* ------------------------------------------------------------------------ */

/* Base64 of len bytes into out (room for 4 * ((len + 2) / 3) + 1). */
static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned long)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        *out++ = digits[(v >> 18) & 63];
        *out++ = digits[(v >> 12) & 63];
        *out++ = i + 1 < len ? digits[(v >> 6) & 63] : '=';
        *out++ = i + 2 < len ? digits[v & 63] : '=';
    }
    *out = '\0';
}

/* "CONNECT host:port HTTP/1.1" and its headers, into buf. */
static int http_request(const struct config *c, char *buf, size_t len)
{
    char hostbuf[256], target[300], auth[760] = "";
    const char *host = host_unbracketed(c->host, hostbuf, sizeof hostbuf);

    snprintf(target, sizeof target, strchr(host, ':') ? "[%s]:%s" : "%s:%s",
             host, c->port);
    if (c->proxy_auth != NULL) {
        char encoded[700];
        base64((const unsigned char *)c->proxy_auth, strlen(c->proxy_auth),
               encoded);
        snprintf(auth, sizeof auth, "Proxy-Authorization: Basic %s\r\n",
                 encoded);
    }
    return snprintf(buf, len, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
                    target, target, auth);
}

/*
 * Reads the answer's head, up to and with its empty line, into buf (NUL
 * terminated): what is peeked is taken only as far as the head goes, so
 * that nothing the tunnel carries after it is lost.
 */
static int http_answer(struct tunnel *t, char *buf, size_t cap)
{
    size_t have = 0;

    while (have < 4 || memcmp(buf + have - 4, "\r\n\r\n", 4) != 0) {
        size_t take = 0;
        ssize_t got;
        int rc = arm(t);
        if (have + 1 >= cap)
            return broken(t, "sent an answer head over 16 KiB");
        got = rc < 0 ? rc : skt_recv(t->s, buf + have, cap - 1 - have,
                                     MSG_PEEK);
        if (got == 0)
            got = SKT_EEOF;
        if (got < 0)
            return step_failed(t, (int)got);
        while (take < (size_t)got &&
               (have + take < 4 ||
                memcmp(buf + have + take - 4, "\r\n\r\n", 4) != 0))
            take++;
        rc = recv_step(t, buf + have, take);
        if (rc < 0)
            return rc;
        have += take;
    }
    buf[have] = '\0';
    return 0;
}

/* The status line: 2xx opens the tunnel; anything else is named. */
static int http_status(const struct tunnel *t, const char *answer)
{
    size_t line = strcspn(answer, "\r\n");
    int status = 0;

    if (strncmp(answer, "HTTP/1.", 7) != 0 ||
        sscanf(answer + 8, " %3d", &status) != 1)
        return broken(t, "is not an HTTP proxy: no status line");
    if (status >= 200 && status < 300)
        return 0;
    return skt_set_error_detail(status == 407 || status == 403 ? -EACCES
                                                               : -ECONNREFUSED,
                                "proxy %s: HTTP CONNECT to %s port %s: "
                                "%.*s", t->c->proxy, t->c->host, t->c->port,
                                (int)(line > 200 ? 200 : line), answer);
}

static int http_connect(struct tunnel *t)
{
    char request[2048], answer[HTTP_ANSWER_MAX];
    int len = http_request(t->c, request, sizeof request), rc;

    t->step = "to the HTTP CONNECT request";
    rc = send_step(t, request, (size_t)len);
    if (rc == 0)
        rc = http_answer(t, answer, sizeof answer);
    return rc < 0 ? rc : http_status(t, answer);
}

/* ------------------------------------------------------------------------ */
/* The tunnel                                                               */
/* ------------------------------------------------------------------------ */

int proxy_tunnel(const struct config *c, skt_socket *s, double deadline)
{
    struct tunnel t = {.c = c, .s = s, .deadline = deadline, .step = ""};
    int rc;

    if (c->proxy_type == PROXY_HTTP)
        return http_connect(&t);
    rc = socks_greet(&t);
    return rc < 0 ? rc : socks_connect(&t);
}
