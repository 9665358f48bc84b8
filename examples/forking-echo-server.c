/*
 * forking-echo-server.c - an echo server on skt_server that serves with
 * a child process per connection (Python's ForkingTCPServer); a silent
 * client's child ends with the idle timeout (-i).
 *
 *     forking-echo-server [-i IDLE_SECONDS] HOST PORT
 *     forking-echo-server --help
 *
 * See serve-echo.h for what it prints and how it stops. It needs that
 * helper header beside it; build it against the installed library:
 *
 *     cc -o forking-echo-server forking-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    static const char about[] =
        "Serves each connection in a child process of its own, as Python's\n"
        "ForkingTCPServer.\n";

    return serve_echo("forking-echo-server", SKT_SERVER_FORK, about, argc,
                      argv);
}
