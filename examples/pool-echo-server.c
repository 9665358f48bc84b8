/*
 * pool-echo-server.c - an echo server on skt_server that serves with
 * a fixed pool of threads (online CPUs + 4, at most 32). A connection
 * holds a pool thread while it is open, so as many silent clients would
 * stop the server; the idle timeout (-i, 30 s by default) closes them.
 *
 *     pool-echo-server [-i IDLE_SECONDS] HOST PORT
 *     pool-echo-server --help
 *
 * The Python it follows is socketserver's TCPServer with a
 * ThreadPoolExecutor: a fixed number of workers. See serve-echo.h for what
 * it prints and how it stops. It needs that helper header beside it;
 * build it against the installed library:
 *
 *     cc -o pool-echo-server pool-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    static const char about[] =
        "Serves the connections with a fixed pool of threads (online CPUs\n"
        "+ 4, at most 32), each holding a thread while it is open.\n";

    return serve_echo("pool-echo-server", SKT_SERVER_POOL, about, argc,
                      argv);
}
