/*
 * pool-echo-server.c - an echo server on skt_server that serves with
 * a fixed pool of threads (online CPUs + 4, at most 32).
 *
 *     pool-echo-server HOST PORT
 *
 * See serve-echo.h for what it prints and how it stops.
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    return serve_echo("pool-echo-server", SKT_SERVER_POOL, argc, argv);
}
