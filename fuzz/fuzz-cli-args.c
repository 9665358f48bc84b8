/*
 * fuzz-cli-args.c - libFuzzer target for the skt tool's command line: the
 * option table's parser (tools/skt/parse.c) and the value parsers it uses
 * (tools/skt/args.c), which run without a network and without running
 * anything. The input is split at NUL bytes into argv. Whatever it holds,
 * parsing must end in one of its results; an error must come with one
 * line of reason; and a command line it accepts must have what its mode
 * needs. A broken promise aborts, which libFuzzer reports as a crash.
 */
#include "tool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Most arguments a case holds. */
#define ARGS_MAX 24

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz-cli-args: %s\n", what);
        abort();
    }
}

/* A command line the parser accepted has what its mode needs. */
static void check_accepted(const struct config *c)
{
    check(c->rule_count <= RULES_MAX, "too many rules");
    check(c->max_clients >= 1, "-m below 1");
    check(c->wait >= 0 && c->idle >= 0, "a negative time");
    if (c->command == CMD_RESOLVE) {
        check(c->name != NULL, "resolve without NAME");
        return;
    }
    if (c->unix_socket)
        check(c->path != NULL, "-U without PATH");
    else if (c->scan)
        check(c->host && c->ports, "-z without HOST PORTS");
    else
        check(c->port != NULL && (c->listen || c->host), "no PORT/HOST");
    check(!(c->send_only && c->recv_only), "--send-only with --recv-only");
    check(!c->listen || !c->tls || c->cert, "-l --tls without --cert");
}

/* The value parsers alone, on the first argument. */
static void check_values(const char *text)
{
    uint8_t map[8192];
    size_t count = 0;
    char err[256];
    struct rule r;
    skt_addr a;
    double seconds;

    if (parse_port_list(text, map, &count, err, sizeof err) == 0)
        check(count >= 1 && count <= 65535, "port list count");
    if (parse_rule(text, &r, err, sizeof err) == 0)
        check(r.prefix >= 0 && r.prefix <= 128, "rule prefix");
    if (parse_seconds(text, &seconds, err, sizeof err) == 0)
        check(seconds > 0 && seconds <= SKT_TIMEOUT_MAX, "seconds");
    parse_unix_path(text, &a, err, sizeof err);
    parse_host(text, false, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1), *argv[ARGS_MAX + 2], err[512];
    struct config c;
    int argc = 1;
    enum parse_result rc;

    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[0] = "skt";
    for (char *p = copy; argc <= ARGS_MAX && p <= copy + size;
         p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    check_values(argv[1]);
    rc = parse_args(argc, argv, &c, err, sizeof err);
    check(rc == PARSE_RUN || rc == PARSE_HELP || rc == PARSE_VERSION ||
              rc == PARSE_ERROR,
          "an unknown result");
    check(strlen(err) < sizeof err && strchr(err, '\n') == NULL,
          "a reason of more than one line");
    check((rc == PARSE_ERROR) == (err[0] != '\0'),
          "an error without a reason, or a reason without an error");
    if (rc == PARSE_RUN)
        check_accepted(&c);
    free(copy);
    return 0;
}
