/*
 * main.c - the skt command: parse the command line (parse.c, driven by the
 * option table in options.c), then run the one mode it asks for. Every
 * mode returns its exit status; see skt(1) for the list.
 */
#include "tool.h"

#include <stdio.h>

/* The mode of a parsed configuration. */
static int run(const struct config *c)
{
    if (c->command == CMD_RESOLVE)
        return run_resolve(c);
    if (c->command == CMD_SEND)
        return run_send(c);
    if (c->command == CMD_RECV)
        return run_recv(c);
    if (c->command == CMD_APP)
        return run_app(c);
    if (c->command == CMD_RELAY)
        return run_relay(c);
    if (c->scan)
        return run_scan(c);
    if (c->listen)
        return run_listen(c);
    return run_connect(c);
}

int main(int argc, char **argv)
{
    struct config c;
    char err[512];
    int status;

    switch (parse_args(argc, argv, &c, err, sizeof err)) {
    case PARSE_HELP:
        help(stdout);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_NETWORK;
    case PARSE_VERSION:
        version(stdout);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_NETWORK;
    case PARSE_ERROR:
        return usage(err);
    case PARSE_RUN:
        break;
    }
    signals_install();
    status = run(&c);
    fflush(stdout);
    return status;
}
