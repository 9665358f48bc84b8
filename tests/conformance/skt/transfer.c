/*
 * transfer.c - send, recv and their variants and flags on TCP, UDP and
 * Unix sockets, on skt (py/transfer.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BIG  ((size_t)8 << 20)
#define HUGE ((size_t)32 << 20)

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The line for a receive: the bytes, or the code. */
static void emit_recv(const char *name, const char *buf, long n)
{
    conf_emit(name, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

static void emit_timed(const char *name, double start, const char *result)
{
    conf_emit(name, "%s %s", result, conf_bucket(conf_now() - start));
}

/* ------------------------------------------------------------------------ */
/* TCP                                                                      */
/* ------------------------------------------------------------------------ */

typedef void tcp_fn(const char *name, skt_socket *c, skt_socket *s);

/* Set by a body that closed the server side itself. */
static bool server_closed;

static void on_tcp(const char *name, tcp_fn *fn)
{
    skt_socket *c, *s;
    int rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    server_closed = false;
    fn(name, c, s);
    conf_close(c, server_closed ? NULL : s, NULL);
}

#define TCP(fn)                                                                \
    static void fn##_body(const char *, skt_socket *, skt_socket *);           \
    static void fn(const char *name)                                           \
    {                                                                          \
        on_tcp(name, fn##_body);                                               \
    }                                                                          \
    static void fn##_body(const char *name, skt_socket *c, skt_socket *s)

TCP(io_send_count)
{
    (void)s;
    conf_emit(name, "%s", conf_val(skt_send(c, "hello", 5, 0)));
}

TCP(io_recv_data)
{
    char buf[100];
    skt_sendall(c, "hello", 5, 0, NULL);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, 0));
}

TCP(io_recv_peek)
{
    char peek[3], buf[100];
    ssize_t n, m;

    skt_sendall(c, "hello", 5, 0, NULL);
    n = skt_recv(s, peek, sizeof peek, MSG_PEEK);
    m = n < 0 ? n : skt_recv(s, buf, sizeof buf, 0);
    if (m < 0)
        return conf_rc(name, m);
    conf_emit(name, "%.*s %.*s", (int)n, peek, (int)m, buf);
}

TCP(io_recv_zero_nonblocking)
{
    char buf[1];
    (void)c;
    skt_setblocking(s, false);
    emit_recv(name, buf, skt_recv(s, buf, 0, 0));
}

TCP(io_recv_zero_timeout)
{
    char buf[1];
    double start = conf_now();
    ssize_t n;

    (void)c;
    skt_settimeout(s, 2);
    n = skt_recv(s, buf, 0, 0);
    emit_timed(name, start, n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

TCP(io_recv_eof)
{
    char buf[10];
    skt_shutdown(c, SHUT_WR);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, 0));
}

TCP(io_recv_eof_twice)
{
    char buf[10];
    ssize_t n, m;

    skt_shutdown(c, SHUT_WR);
    n = skt_recv(s, buf, sizeof buf, 0);
    m = skt_recv(s, buf, sizeof buf, 0);
    conf_emit(name, "%s %s", n == 0 ? "b''" : conf_val(n),
              m == 0 ? "b''" : conf_val(m));
}

TCP(io_recv_dontwait)
{
    char buf[10];
    (void)c;
    skt_setblocking(s, true);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, MSG_DONTWAIT));
}

TCP(io_recv_dontwait_timeout)
{
    char buf[10];
    double start;
    ssize_t n;

    (void)c;
    skt_settimeout(s, 0.2);
    start = conf_now();
    n = skt_recv(s, buf, sizeof buf, MSG_DONTWAIT);
    emit_timed(name, start, n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
}

TCP(io_recv_dontwait_with_data)
{
    char buf[10];
    skt_sendall(c, "ready", 5, 0, NULL);
    pause_ms(50);
    skt_settimeout(s, 0.2);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, MSG_DONTWAIT));
}

TCP(io_send_dontwait_timeout)
{
    (void)s;
    skt_settimeout(c, 0.2);
    conf_emit(name, "%s", conf_val(skt_send(c, "x", 1, MSG_DONTWAIT)));
}

TCP(io_recv_into)
{
    char buf[10];
    ssize_t n;

    skt_sendall(c, "hello", 5, 0, NULL);
    n = skt_recv_into(s, buf, sizeof buf, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%zd %.*s", n, (int)n, buf);
}

TCP(io_recv_into_nbytes)
{
    char buf[10];
    ssize_t n;

    skt_sendall(c, "hello", 5, 0, NULL);
    n = skt_recv_into(s, buf, 3, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%zd %.*s", n, (int)n, buf);
}

struct reader {
    skt_socket *s;
    size_t total;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    char *buf = malloc(65536);
    ssize_t n;

    while (buf && r->total < BIG && (n = skt_recv(r->s, buf, 65536, 0)) > 0)
        r->total += (size_t)n;
    free(buf);
    return NULL;
}

TCP(io_sendall_large)
{
    struct reader r = {s, 0};
    char *data = malloc(BIG);
    pthread_t t;
    int rc;

    if (!data)
        return conf_rc(name, -ENOMEM);
    memset(data, 'x', BIG);
    pthread_create(&t, NULL, read_all, &r);
    rc = skt_sendall(c, data, BIG, 0, NULL);
    pthread_join(t, NULL);
    conf_emit(name, "%s %zu", conf_err(rc), r.total);
    free(data);
}

/* Sends HUGE bytes in mode `mode` with sendall (or one send). */
static void send_huge(const char *name, skt_socket *c, double mode, bool all)
{
    char *data = calloc(1, HUGE);
    double start;
    ssize_t n;

    if (!data)
        return conf_rc(name, -ENOMEM);
    skt_settimeout(c, mode);
    start = conf_now();
    if (all)
        n = skt_sendall(c, data, HUGE, 0, NULL);
    else
        n = skt_send(c, data, HUGE, 0);
    if (mode > 0)
        emit_timed(name, start, conf_err(n));
    else if (all)
        conf_rc(name, n);
    else
        conf_emit(name, "%s",
                  n < 0 ? conf_err(n) : conf_bool(n > 0 && (size_t)n < HUGE));
    free(data);
}

TCP(io_sendall_timeout)
{
    (void)s;
    send_huge(name, c, 0.2, true);
}
TCP(io_sendall_nonblocking)
{
    (void)s;
    send_huge(name, c, 0, true);
}
TCP(io_send_nonblocking_partial)
{
    (void)s;
    send_huge(name, c, 0, false);
}

TCP(io_send_nonblocking_full)
{
    static char block[65536];
    ssize_t n;

    (void)s;
    skt_setblocking(c, false);
    while ((n = skt_send(c, block, sizeof block, 0)) > 0)
        ;
    conf_rc(name, n);
}

TCP(io_recv_waitall)
{
    char buf[4];
    skt_sendall(c, "ab", 2, 0, NULL);
    skt_sendall(c, "cd", 2, 0, NULL);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, MSG_WAITALL));
}

TCP(io_recv_waitall_eof)
{
    char buf[4];
    skt_sendall(c, "ab", 2, 0, NULL);
    skt_shutdown(c, SHUT_WR);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, MSG_WAITALL));
}

TCP(io_send_after_peer_closed)
{
    ssize_t n;

    skt_shutdown(s, SHUT_RDWR);
    n = skt_send(c, "x", 1, 0);
    pause_ms(100);
    if (n >= 0)
        n = skt_send(c, "y", 1, 0);
    conf_rc(name, n);
}

TCP(io_recv_reset)
{
    char buf[10];

    skt_sendall(c, "unread", 6, 0, NULL);
    pause_ms(50);
    /* Closing with unread data resets the connection. */
    skt_close(s);
    server_closed = true;
    emit_recv(name, buf, skt_recv(c, buf, sizeof buf, 0));
}

static void recv_oob_in(const char *name, skt_socket *c, skt_socket *s,
                        double mode)
{
    char buf[1];
    double start;
    ssize_t n;

    skt_send(c, "!", 1, MSG_OOB);
    pause_ms(50);
    skt_settimeout(s, mode);
    start = conf_now();
    n = skt_recv(s, buf, sizeof buf, MSG_OOB);
    if (mode > 0)
        emit_timed(name, start,
                   n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
    else
        emit_recv(name, buf, n);
}

TCP(io_recv_oob)
{
    recv_oob_in(name, c, s, SKT_BLOCKING);
}
TCP(io_recv_oob_timeout)
{
    recv_oob_in(name, c, s, 0.2);
}

TCP(io_recvfrom_tcp)
{
    char buf[10];
    skt_addr from;
    ssize_t n;

    skt_sendall(c, "data", 4, 0, NULL);
    n = skt_recvfrom(s, buf, sizeof buf, 0, &from);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%.*s %s", (int)n, buf, conf_addr(&from));
}

TCP(io_recv_nonblocking_ready)
{
    char buf[10];
    skt_sendall(c, "ready", 5, 0, NULL);
    pause_ms(50);
    skt_setblocking(s, false);
    emit_recv(name, buf, skt_recv(s, buf, sizeof buf, 0));
}

/* ------------------------------------------------------------------------ */
/* Datagrams and unconnected sockets                                        */
/* ------------------------------------------------------------------------ */

typedef void udp_fn(const char *name, skt_socket *a, skt_socket *b);

static void on_udp(const char *name, udp_fn *fn)
{
    skt_socket *a, *b;
    int rc = conf_udp_pair(&a, &b);

    if (rc < 0)
        return conf_rc(name, rc);
    fn(name, a, b);
    conf_close(a, b, NULL);
}

#define UDP(fn)                                                                \
    static void fn##_body(const char *, skt_socket *, skt_socket *);           \
    static void fn(const char *name)                                           \
    {                                                                          \
        on_udp(name, fn##_body);                                               \
    }                                                                          \
    static void fn##_body(const char *name, skt_socket *a, skt_socket *b)

UDP(io_udp_sendto_recvfrom)
{
    skt_addr to, src, mine;
    char buf[100];
    ssize_t n, m;

    skt_getsockname(b, &to);
    skt_getsockname(a, &mine);
    n = skt_sendto(a, "dgram", 5, 0, &to);
    m = n < 0 ? n : skt_recvfrom(b, buf, sizeof buf, 0, &src);
    if (m < 0)
        return conf_rc(name, m);
    conf_emit(name, "%zd %.*s %s %s", n, (int)m, buf, conf_addr(&src),
              conf_bool(skt_addr_equal(&src, &mine)));
}

UDP(io_udp_truncate)
{
    char buf[10];
    ssize_t n, m;

    skt_send(a, "0123456789", 10, 0);
    n = skt_recv(b, buf, 3, 0);
    if (n < 0)
        return conf_rc(name, n);
    skt_setblocking(b, false);
    m = skt_recv(b, buf + 3, sizeof buf - 3, 0);
    conf_emit(name, "%.*s %s", (int)n, buf, m < 0 ? conf_err(m) : "more");
}

UDP(io_udp_msg_trunc)
{
    char buf[3];
    skt_send(a, "0123456789", 10, 0);
    conf_emit(name, "%s", conf_val(skt_recv(b, buf, sizeof buf, MSG_TRUNC)));
}

UDP(io_udp_empty)
{
    char buf[10];
    skt_addr src;
    ssize_t n;

    skt_send(a, "", 0, 0);
    n = skt_recvfrom(b, buf, sizeof buf, 0, &src);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%s %s", conf_bytes(buf, (size_t)n), conf_addr(&src));
}

UDP(io_udp_emsgsize)
{
    static char big[70000];
    (void)b;
    conf_rc(name, skt_send(a, big, sizeof big, 0));
}

UDP(io_udp_two_datagrams)
{
    char one[10], two[10];
    ssize_t n, m;

    skt_send(a, "one", 3, 0);
    skt_send(a, "two", 3, 0);
    n = skt_recv(b, one, sizeof one, 0);
    m = n < 0 ? n : skt_recv(b, two, sizeof two, 0);
    if (m < 0)
        return conf_rc(name, m);
    conf_emit(name, "%.*s %.*s", (int)n, one, (int)m, two);
}

/* A third UDP socket bound on 127.0.0.1 (or not bound). */
static int third(skt_socket **x, bool bind_it)
{
    skt_addr any;
    int rc = skt_open(x, AF_INET, SOCK_DGRAM, 0);

    if (rc == 0 && bind_it && (rc = skt_addr_parse(&any, "127.0.0.1:0")) == 0)
        rc = skt_bind(*x, &any);
    if (rc == 0)
        rc = skt_settimeout(*x, 2);
    return rc;
}

UDP(io_udp_sendto_other_than_peer)
{
    skt_socket *x;
    skt_addr to;
    char buf[10];
    ssize_t n = third(&x, true);

    (void)b;
    if (n < 0)
        return conf_rc(name, n);
    skt_getsockname(x, &to);
    n = skt_sendto(a, "else", 4, 0, &to);
    if (n >= 0)
        n = skt_recv(x, buf, sizeof buf, 0);
    emit_recv(name, buf, n);
    skt_close(x);
}

UDP(io_udp_from_stranger_dropped)
{
    skt_socket *x;
    skt_addr to;
    char buf[10];
    ssize_t n = third(&x, false);

    if (n < 0)
        return conf_rc(name, n);
    skt_getsockname(b, &to);
    skt_sendto(x, "stranger", 8, 0, &to);
    skt_send(a, "peer", 4, 0);
    emit_recv(name, buf, skt_recv(b, buf, sizeof buf, 0));
    skt_close(x);
}

static void send_unconnected(const char *name, int type, bool to)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_open(&s, AF_INET, type, 0);

    if (rc < 0)
        return conf_rc(name, rc);
    skt_addr_parse(&a, "127.0.0.1:9");
    conf_rc(name, to ? skt_sendto(s, "x", 1, 0, &a) : skt_send(s, "x", 1, 0));
    skt_close(s);
}

static void io_tcp_send_unconnected(const char *n)
{
    send_unconnected(n, SOCK_STREAM, false);
}
static void io_tcp_sendto_unconnected(const char *n)
{
    send_unconnected(n, SOCK_STREAM, true);
}
static void io_udp_send_unconnected(const char *n)
{
    send_unconnected(n, SOCK_DGRAM, false);
}

static void io_unix_dgram_recvfrom(const char *name)
{
    skt_socket *a, *b;
    skt_addr src;
    char buf[10];
    ssize_t n = conf_unix_pair(SOCK_DGRAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    skt_send(a, "q", 1, 0);
    n = skt_recvfrom(b, buf, sizeof buf, 0, &src);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %s", (int)n, buf, conf_addr(&src));
    conf_close(a, b, NULL);
}

static void io_unix_seqpacket_boundaries(const char *name)
{
    skt_socket *a, *b;
    char one[3], two[10];
    ssize_t n = conf_unix_pair(SOCK_SEQPACKET, &a, &b), m;

    if (n < 0)
        return conf_rc(name, n);
    skt_send(a, "first", 5, 0);
    skt_send(a, "second", 6, 0);
    n = skt_recv(b, one, sizeof one, 0);
    m = n < 0 ? n : skt_recv(b, two, sizeof two, 0);
    if (m < 0)
        conf_rc(name, m);
    else
        conf_emit(name, "%.*s %.*s", (int)n, one, (int)m, two);
    conf_close(a, b, NULL);
}

static void io_unix_stream_recv(const char *name)
{
    skt_socket *a, *b;
    char buf[100];
    ssize_t n = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    skt_sendall(a, "stream", 6, 0, NULL);
    emit_recv(name, buf, skt_recv(b, buf, sizeof buf, 0));
    conf_close(a, b, NULL);
}

const conf_scenario conf_transfer[] = {
    {"io.send_count", io_send_count},
    {"io.recv_data", io_recv_data},
    {"io.recv_peek", io_recv_peek},
    {"io.recv_zero_nonblocking", io_recv_zero_nonblocking},
    {"io.recv_zero_timeout", io_recv_zero_timeout},
    {"io.recv_eof", io_recv_eof},
    {"io.recv_eof_twice", io_recv_eof_twice},
    {"io.recv_dontwait", io_recv_dontwait},
    {"io.recv_dontwait_timeout", io_recv_dontwait_timeout},
    {"io.recv_dontwait_with_data", io_recv_dontwait_with_data},
    {"io.send_dontwait_timeout", io_send_dontwait_timeout},
    {"io.recv_into", io_recv_into},
    {"io.recv_into_nbytes", io_recv_into_nbytes},
    {"io.sendall_large", io_sendall_large},
    {"io.sendall_timeout", io_sendall_timeout},
    {"io.sendall_nonblocking", io_sendall_nonblocking},
    {"io.send_nonblocking_partial", io_send_nonblocking_partial},
    {"io.send_nonblocking_full", io_send_nonblocking_full},
    {"io.recv_waitall", io_recv_waitall},
    {"io.recv_waitall_eof", io_recv_waitall_eof},
    {"io.send_after_peer_closed", io_send_after_peer_closed},
    {"io.recv_reset", io_recv_reset},
    {"io.recv_oob", io_recv_oob},
    {"io.recv_oob_timeout", io_recv_oob_timeout},
    {"io.recvfrom_tcp", io_recvfrom_tcp},
    {"io.recv_nonblocking_ready", io_recv_nonblocking_ready},
    {"io.udp_sendto_recvfrom", io_udp_sendto_recvfrom},
    {"io.udp_truncate", io_udp_truncate},
    {"io.udp_msg_trunc", io_udp_msg_trunc},
    {"io.udp_empty", io_udp_empty},
    {"io.udp_emsgsize", io_udp_emsgsize},
    {"io.udp_two_datagrams", io_udp_two_datagrams},
    {"io.udp_sendto_other_than_peer", io_udp_sendto_other_than_peer},
    {"io.udp_from_stranger_dropped", io_udp_from_stranger_dropped},
    {"io.tcp_send_unconnected", io_tcp_send_unconnected},
    {"io.tcp_sendto_unconnected", io_tcp_sendto_unconnected},
    {"io.udp_send_unconnected", io_udp_send_unconnected},
    {"io.unix_dgram_recvfrom", io_unix_dgram_recvfrom},
    {"io.unix_seqpacket_boundaries", io_unix_seqpacket_boundaries},
    {"io.unix_stream_recv", io_unix_stream_recv},
    {NULL, NULL},
};
