/*
 * event-echo-server.c - an echo server on skt_server that serves with
 * one thread and a selector, non-blocking connections.
 *
 *     event-echo-server [-i IDLE_SECONDS] HOST PORT
 *
 * See serve-echo.h for what it prints and how it stops.
 */
#include "serve-echo.h"

int main(int argc, char **argv)
{
    return serve_echo("event-echo-server", SKT_SERVER_EVENTS, argc, argv);
}
