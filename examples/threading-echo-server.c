/*
 * threading-echo-server.c - an echo server on skt_server that serves with
 * a thread per connection (Python's ThreadingTCPServer), at most
 * SKT_SERVER_THREADS_LIMIT (128) at once: further clients wait in the
 * listen backlog until a connection ends or times out (-i).
 *
 *     threading-echo-server [-i IDLE_SECONDS] HOST PORT
 *     threading-echo-server --help
 *
 * See serve-echo.h for what it prints and how it stops. It needs that
 * helper header beside it; build it against the installed library:
 *
 *     cc -o threading-echo-server threading-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    static const char about[] =
        "Serves each connection in a thread of its own, as Python's\n"
        "ThreadingTCPServer, at most 128 at once; more clients wait.\n";

    return serve_echo("threading-echo-server", SKT_SERVER_THREADS, about, argc,
                      argv);
}
