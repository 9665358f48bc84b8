/*
 * threading-echo-server.c - an echo server on skt_server that serves with
 * a thread per connection (Python's ThreadingTCPServer), at most
 * SKT_SERVER_THREADS_LIMIT (128) at once: further clients wait in the
 * listen backlog until a connection ends or times out (-i).
 *
 *     threading-echo-server [-i IDLE_SECONDS] HOST PORT
 *
 * See serve-echo.h for what it prints and how it stops.
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    return serve_echo("threading-echo-server", SKT_SERVER_THREADS, argc, argv);
}
