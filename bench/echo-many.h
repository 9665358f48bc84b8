/*
 * echo-many.h - what bench/echo-many.c shares with its libuv server, which
 * is built only where pkg-config finds libuv (echo-many-libuv.c), and with
 * the stand-in that says why it is missing (echo-many-nolibuv.c).
 */
#ifndef SKT_BENCH_ECHO_MANY_H
#define SKT_BENCH_ECHO_MANY_H

/* Echoes every connection accepted on the listening fd (a TCP socket
 * bound and listening) through libuv, until the process is killed. */
void echo_serve_libuv(int listener, int backlog);

/* NULL where the libuv server is built in; otherwise why it is not. */
const char *echo_libuv_missing(void);

#endif
