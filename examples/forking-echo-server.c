/*
 * forking-echo-server.c - an echo server on skt_server that serves with
 * a child process per connection (Python's ForkingTCPServer); a silent
 * client's child ends with the idle timeout (-i).
 *
 *     forking-echo-server [-i IDLE_SECONDS] HOST PORT
 *
 * See serve-echo.h for what it prints and how it stops.
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    return serve_echo("forking-echo-server", SKT_SERVER_FORK, argc, argv);
}
