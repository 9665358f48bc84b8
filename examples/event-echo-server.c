/*
 * event-echo-server.c - an echo server on skt_server that serves with
 * one thread and a selector, non-blocking connections.
 *
 *     event-echo-server [-i IDLE_SECONDS] HOST PORT
 *     event-echo-server --help
 *
 * The Python it follows is the selectors module's echo server example,
 * with socketserver's interface. See serve-echo.h for what it prints and
 * how it stops. It needs that helper header beside it; build it against
 * the installed library:
 *
 *     cc -o event-echo-server event-echo-server.c \
 *         $(pkg-config --cflags --libs skt)
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    static const char about[] =
        "Serves every connection from one thread with a selector, as the\n"
        "selectors module's echo server: the connections never block.\n";

    return serve_echo("event-echo-server", SKT_SERVER_EVENTS, about, argc,
                      argv);
}
