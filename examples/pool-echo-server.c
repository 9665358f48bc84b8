/*
 * pool-echo-server.c - an echo server on skt_server that serves with
 * a fixed pool of threads (online CPUs + 4, at most 32). A connection
 * holds a pool thread while it is open, so as many silent clients would
 * stop the server; the idle timeout (-i, 30 s by default) closes them.
 *
 *     pool-echo-server [-i IDLE_SECONDS] HOST PORT
 *
 * See serve-echo.h for what it prints and how it stops.
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    return serve_echo("pool-echo-server", SKT_SERVER_POOL, argc, argv);
}
