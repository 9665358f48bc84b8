/*
 * parse.c - the command line into a struct config, driven by the option
 * table: the command word, options (bundled short ones, --long and
 * --long=VALUE, anywhere before "--"), the positional arguments, and the
 * rules on how they combine. Nothing runs and nothing is looked up on the
 * network here, so the fuzz target can call parse_args on any input.
 */
#include "tool.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Sets the reason of a usage error; returns PARSE_ERROR. */
static int refuse(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return PARSE_ERROR;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/* The command words, by enum command. */
static const char *const command_words[] = {
    [CMD_NET] = "", [CMD_RESOLVE] = "resolve", [CMD_SEND] = "send",
    [CMD_RECV] = "recv", [CMD_APP] = "app", [CMD_RELAY] = "relay",
};

static const char *command_name(enum command cmd)
{
    static const char *const names[] = {
        [CMD_NET] = "skt", [CMD_RESOLVE] = "skt resolve",
        [CMD_SEND] = "skt send", [CMD_RECV] = "skt recv",
        [CMD_APP] = "skt app", [CMD_RELAY] = "skt relay",
    };
    return names[cmd];
}

/* The command its word names (argv[1]), or CMD_NET. */
static enum command command_of(const char *word)
{
    for (int cmd = CMD_RESOLVE; cmd <= CMD_RELAY; cmd++)
        if (strcmp(word, command_words[cmd]) == 0)
            return (enum command)cmd;
    return CMD_NET;
}

static const struct option_spec *find_short(char name)
{
    for (const struct option_spec *o = option_table; o->help; o++)
        if (o->short_name == name && name != 0)
            return o;
    return NULL;
}

/* The option of a long name, the part of text before '=' (len bytes). */
static const struct option_spec *find_long(const char *text, size_t len)
{
    for (const struct option_spec *o = option_table; o->help; o++)
        if (strlen(o->long_name) == len &&
            strncmp(o->long_name, text, len) == 0)
            return o;
    return NULL;
}

/* Runs the option's setter, once the command is known to take it. */
static int apply(struct config *c, const struct option_spec *o,
                 const char *arg, char *err, size_t errlen)
{
    if (!(o->commands & (1u << c->command)))
        return refuse(err, errlen, "option --%s does not apply to %s",
                      o->long_name, command_name(c->command));
    return o->set(c, o, arg, err, errlen) < 0 ? PARSE_ERROR : 0;
}

/* "--name" or "--name=value"; *i moves past an argument taken from argv. */
static int long_option(struct config *c, int argc, char **argv, int *i,
                       char *err, size_t errlen)
{
    const char *text = argv[*i] + 2, *eq = strchr(text, '=');
    size_t len = eq ? (size_t)(eq - text) : strlen(text);
    const struct option_spec *o = find_long(text, len);

    if (o == NULL)
        return refuse(err, errlen, "unknown option --%.*s", (int)len, text);
    if (o->arg == NULL && eq != NULL)
        return refuse(err, errlen, "option --%s takes no argument",
                      o->long_name);
    if (o->arg == NULL || eq != NULL)
        return apply(c, o, eq ? eq + 1 : NULL, err, errlen);
    if (*i + 1 >= argc)
        return refuse(err, errlen, "option --%s needs an argument (%s)",
                      o->long_name, o->arg);
    return apply(c, o, argv[++*i], err, errlen);
}

/* "-abc", "-w5" or "-w 5"; *i moves past an argument taken from argv. */
static int short_options(struct config *c, int argc, char **argv, int *i,
                         char *err, size_t errlen)
{
    const char *text = argv[*i];

    for (size_t k = 1; text[k] != '\0'; k++) {
        const struct option_spec *o = find_short(text[k]);
        if (o == NULL)
            return refuse(err, errlen, "unknown option -%c", text[k]);
        if (o->arg == NULL) {
            if (apply(c, o, NULL, err, errlen) < 0)
                return PARSE_ERROR;
            continue;
        }
        if (text[k + 1] != '\0')
            return apply(c, o, text + k + 1, err, errlen);
        if (*i + 1 >= argc)
            return refuse(err, errlen, "option -%c needs an argument (%s)",
                          o->short_name, o->arg);
        return apply(c, o, argv[++*i], err, errlen);
    }
    return 0;
}

static int add_positional(struct config *c, const char *arg, char *err,
                          size_t errlen)
{
    if (c->positional_count == POSITIONAL_MAX)
        return refuse(err, errlen, "too many arguments, from '%s'", arg);
    c->positional[c->positional_count++] = arg;
    return 0;
}

/* Every argument after the command word, options and positional ones. */
static int scan_arguments(struct config *c, int argc, char **argv,
                          int first, char *err, size_t errlen)
{
    bool options_done = false;
    int rc = 0;

    for (int i = first; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0')
            rc = add_positional(c, arg, err, errlen);
        else if (strcmp(arg, "--") == 0)
            options_done = true;
        else if (arg[1] == '-')
            rc = long_option(c, argc, argv, &i, err, errlen);
        else
            rc = short_options(c, argc, argv, &i, err, errlen);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* How options combine                                                      */
/* ------------------------------------------------------------------------ */

/* Each entry: a condition that is an error, and its sentence. */
struct conflict {
    bool wrong;
    const char *reason;
};

/* The reason of the first entry of list that is wrong, or 0. */
static int first_conflict(const struct conflict *list, size_t count,
                          char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++)
        if (list[i].wrong)
            return refuse(err, errlen, "%s", list[i].reason);
    return 0;
}

static int check_conflicts(const struct config *c, char *err, size_t errlen)
{
    const struct conflict list[] = {
        {c->keep_open && !c->listen, "-k needs -l"},
        {c->max_clients_set && !c->keep_open, "-m needs -k"},
        {c->broker && !c->listen, "--broker needs -l"},
        {c->rule_count > 0 && !c->listen, "--allow and --deny need -l"},
        {c->scan && c->listen, "-z and -l exclude each other"},
        {c->scan && (c->udp || c->unix_socket),
         "-z scans TCP ports only: not with -u or -U"},
        {c->scan && (c->tls || c->exec_cmd),
         "-z makes no connection to use: not with --tls, -e or -c"},
        {c->send_only && c->recv_only,
         "--send-only and --recv-only exclude each other"},
        {c->broker && c->exec_cmd, "--broker and -e/-c exclude each other"},
        {c->exec_cmd && (c->send_only || c->recv_only || c->hex_dump ||
                         c->crlf),
         "-e/-c give the connection to the program: not with --send-only, "
         "--recv-only, -x or -C"},
        {c->exec_cmd && c->no_shutdown,
         "-e/-c: the program's end is the connection's end: not with "
         "--no-shutdown"},
        {c->unix_socket && c->family, "-4 and -6 do not apply to -U"},
        {c->unix_socket && (c->source || c->source_port),
         "-s and -p do not apply to -U"},
        {c->udp && (c->tls || c->broker),
         "-u: TLS and --broker need a stream: not with --tls or --broker"},
        {c->unix_socket && c->tls && !c->listen && !c->sni && !c->insecure,
         "-U --tls: give --sni NAME, the name the server's certificate "
         "must have (a Unix socket has no host name), or --insecure"},
        {c->numeric && c->unix_socket, "-n does not apply to -U"},
        {c->framed && (c->scan || c->crlf),
         "--frame frames stdin and the messages received: not with -z or "
         "-C"},
        {c->frame.max_size && !c->framed, "--frame-max needs --frame"},
        {c->framed && c->frame.kind == SKT_FRAME_FIXED && c->frame.max_size &&
             c->frame.size > c->frame.max_size,
         "--frame fixed:N is over --frame-max"},
    };

    return first_conflict(list, sizeof list / sizeof list[0], err, errlen);
}

/* Options that would have no effect in the mode asked for. */
static int check_effects(const struct config *c, char *err, size_t errlen)
{
    const struct conflict list[] = {
        {c->scan && (c->source || c->source_port),
         "-z probes from any local address: not with -s or -p"},
        {c->scan && (c->idle > 0 || c->crlf || c->hex_dump || c->send_only ||
                     c->recv_only || c->no_shutdown),
         "-z moves no data: not with -i, -C, -x, --send-only, --recv-only "
         "or --no-shutdown"},
        {c->udp && (c->send_only || c->no_shutdown),
         "-u: --send-only and --no-shutdown are for streams"},
        {c->broker && (c->crlf || c->send_only || c->recv_only ||
                       c->no_shutdown),
         "--broker reads no stdin and passes on what clients send: not with "
         "-C, --send-only, --recv-only or --no-shutdown"},
        {c->recv_only && (c->crlf || c->no_shutdown),
         "--recv-only sends nothing: not with -C or --no-shutdown"},
        {c->progress > 0 && (c->scan || c->udp || c->keep_open ||
                             c->exec_cmd || c->hex_dump || c->recv_only),
         "--progress shows how much of stdin has gone to one connection: "
         "not with -z, -u, -k, -e, -c, -x or --recv-only"},
    };

    return first_conflict(list, sizeof list / sizeof list[0], err, errlen);
}

/* --proxy is for TCP clients; its other options need it. */
static int check_proxy(const struct config *c, char *err, size_t errlen)
{
    if ((c->proxy_type_set || c->proxy_auth) && !c->proxy)
        return refuse(err, errlen, "--proxy-type and --proxy-auth need "
                      "--proxy");
    if (c->proxy && (c->listen || c->udp || c->unix_socket || c->scan))
        return refuse(err, errlen, "--proxy is for TCP connections: not "
                      "with -l, -u, -U or -z");
    if (c->proxy && c->numeric &&
        parse_host(c->proxy_host, true, err, errlen) < 0)
        return refuse(err, errlen, "option --proxy: '%s' is a name, where "
                      "a numeric address is needed (-n)", c->proxy_host);
    return 0;
}

/* The TLS options need --tls, and a listener needs its certificate. */
static int check_tls(const struct config *c, char *err, size_t errlen)
{
    if (!c->tls && (c->cafile || c->capath || c->cert || c->key || c->sni ||
                    c->alpn || c->tls_min || c->verify_client ||
                    c->insecure))
        return refuse(err, errlen, "the TLS options need --tls");
    if (c->key && !c->cert)
        return refuse(err, errlen, "--key needs --cert");
    if (c->tls && c->listen && !c->cert)
        return refuse(err, errlen, "-l --tls needs --cert FILE (and --key "
                      "FILE unless the key is in it)");
    if (c->verify_client && !c->listen)
        return refuse(err, errlen, "--verify-client needs -l --tls");
    if (c->listen && c->insecure)
        return refuse(err, errlen, "--insecure is for clients (a listener "
                      "verifies nobody unless --verify-client)");
    if (c->listen && c->sni)
        return refuse(err, errlen, "--sni is for clients");
    if (c->listen && (c->cafile || c->capath) && !c->verify_client)
        return refuse(err, errlen, "-l: --cafile and --capath are the CAs "
                      "of --verify-client, which is not given");
    if (c->insecure && (c->cafile || c->capath))
        return refuse(err, errlen, "--insecure verifies nothing: not with "
                      "--cafile or --capath");
    return 0;
}

/* -w of a listener bounds each client's TLS handshake, and only that. */
static int check_listen_wait(const struct config *c, char *err,
                             size_t errlen)
{
    if (c->listen && c->wait > 0 && !c->tls)
        return refuse(err, errlen, "-l -w bounds each client's TLS "
                      "handshake: not without --tls (-i is the idle "
                      "timeout)");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Positional arguments                                                     */
/* ------------------------------------------------------------------------ */

static int check_port_arg(const char *port, bool zero_ok, char *err,
                          size_t errlen)
{
    char why[160];

    if (parse_port(port, zero_ok, why, sizeof why) == 0)
        return 0;
    return refuse(err, errlen, "%s", why);
}

static int check_host_arg(const char *host, bool numeric, char *err,
                          size_t errlen)
{
    char why[160];

    if (parse_host(host, numeric, why, sizeof why) == 0)
        return 0;
    return refuse(err, errlen, "%s", why);
}

/* -U: PATH. */
static int positional_unix(struct config *c, char *err, size_t errlen)
{
    char why[160];
    skt_addr a;

    if (c->positional_count != 1)
        return refuse(err, errlen, c->positional_count == 0
                                       ? "-U needs PATH"
                                       : "-U takes one PATH, not HOST PORT");
    c->path = c->positional[0];
    if (parse_unix_path(c->path, &a, why, sizeof why) < 0)
        return refuse(err, errlen, "%s", why);
    return 0;
}

/* -l: [HOST] PORT, or -s and -p in their place (as ncat takes them). */
static int positional_listen(struct config *c, char *err, size_t errlen)
{
    size_t n = c->positional_count;

    if (n > 2)
        return refuse(err, errlen, "too many arguments, from '%s'",
                      c->positional[2]);
    if ((n == 2 && c->source) || (n >= 1 && c->source_port))
        return refuse(err, errlen, "give the listening address once: as "
                      "[HOST] PORT or with -s and -p");
    c->host = n == 2 ? c->positional[0] : c->source;
    c->port = n >= 1 ? c->positional[n - 1] : c->source_port;
    if (c->port == NULL)
        return refuse(err, errlen, "-l needs PORT");
    if (c->host && check_host_arg(c->host, c->numeric, err, errlen) < 0)
        return PARSE_ERROR;
    return check_port_arg(c->port, true, err, errlen);
}

/* Connect: HOST PORT; -z: HOST PORTS. */
static int positional_connect(struct config *c, char *err, size_t errlen)
{
    const char *what = c->scan ? "PORTS" : "PORT";
    uint8_t map[8192];
    size_t count;
    char why[160];

    if (c->positional_count < 2)
        return refuse(err, errlen, c->positional_count == 0
                                       ? "missing HOST and %s"
                                       : "missing %s", what);
    if (c->positional_count > 2)
        return refuse(err, errlen, "too many arguments, from '%s'",
                      c->positional[2]);
    c->host = c->positional[0];
    if (check_host_arg(c->host, c->numeric, err, errlen) < 0)
        return PARSE_ERROR;
    if (!c->scan) {
        c->port = c->positional[1];
        return check_port_arg(c->port, false, err, errlen);
    }
    c->ports = c->positional[1];
    if (parse_port_list(c->ports, map, &count, why, sizeof why) < 0)
        return refuse(err, errlen, "%s", why);
    return 0;
}

/* -s and -p of a client: a numeric address and a port. */
static int check_source(const struct config *c, char *err, size_t errlen)
{
    if (c->listen)
        return 0;
    if (c->source && check_host_arg(c->source, true, err, errlen) < 0)
        return PARSE_ERROR;
    if (c->source_port &&
        check_port_arg(c->source_port, false, err, errlen) < 0)
        return PARSE_ERROR;
    return 0;
}

static int check_net(struct config *c, char *err, size_t errlen)
{
    int rc;

    if (c->broker)
        c->keep_open = true;
    rc = check_conflicts(c, err, errlen);
    if (rc == 0)
        rc = check_proxy(c, err, errlen);
    if (rc == 0)
        rc = check_tls(c, err, errlen);
    if (rc == 0)
        rc = check_effects(c, err, errlen);
    if (rc == 0)
        rc = check_listen_wait(c, err, errlen);
    if (rc == 0 && c->unix_socket)
        rc = positional_unix(c, err, errlen);
    else if (rc == 0 && c->listen)
        rc = positional_listen(c, err, errlen);
    else if (rc == 0)
        rc = positional_connect(c, err, errlen);
    if (rc == 0)
        rc = check_source(c, err, errlen);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* skt send and skt recv                                                    */
/* ------------------------------------------------------------------------ */

/* True for text made of digits only: a port number, not a path. */
static bool all_digits(const char *text)
{
    return text[0] != '\0' && strspn(text, "0123456789") == strlen(text);
}

/*
 * How many of the positional arguments name HOST: without -l, one; with
 * -l, one when there are three (HOST PORT FILE or DEST), and for recv -l
 * with two when the second is a port number (HOST PORT, not PORT DEST).
 */
static size_t transfer_hosts(const struct config *c)
{
    size_t n = c->positional_count;

    if (!c->listen || n == 3)
        return 1;
    if (c->command == CMD_SEND)
        return 0;
    return n == 2 && all_digits(c->positional[1]) ? 1 : 0;
}

/* [HOST] PORT, then FILE for send and [DEST] for recv. */
static int transfer_positional(struct config *c, char *err, size_t errlen)
{
    static const char *const forms[2][2] = {
        {"HOST PORT [DEST]", "[HOST] PORT [DEST]"},
        {"HOST PORT FILE", "[HOST] PORT FILE"},
    };
    bool send = c->command == CMD_SEND;
    size_t n = c->positional_count, least = (c->listen ? 1 : 2) + send;
    size_t hosts;

    if (n < least || n > 3)
        return refuse(err, errlen, "%s takes %s", command_name(c->command),
                      forms[send][c->listen]);
    hosts = transfer_hosts(c);
    c->host = hosts ? c->positional[0] : NULL;
    c->port = c->positional[hosts];
    c->file = hosts + 1 < n ? c->positional[hosts + 1] : NULL;
    return 0;
}

static int check_transfer(struct config *c, char *err, size_t errlen)
{
    int rc = check_tls(c, err, errlen);

    if (rc == 0)
        rc = check_proxy(c, err, errlen);
    if (rc == 0 && c->rule_count > 0 && !c->listen)
        rc = refuse(err, errlen, "--allow and --deny need -l");
    if (rc == 0)
        rc = check_listen_wait(c, err, errlen);
    if (rc == 0)
        rc = transfer_positional(c, err, errlen);
    if (rc == 0 && c->host)
        rc = check_host_arg(c->host, c->numeric, err, errlen);
    if (rc == 0)
        rc = check_port_arg(c->port, c->listen, err, errlen);
    if (rc == 0 && c->file && c->file[0] == '\0')
        rc = refuse(err, errlen, "the file name is empty");
    if (rc == 0 && c->listen && (c->source || c->source_port))
        rc = refuse(err, errlen, "-s and -p are for connecting; with -l, "
                    "give [HOST] PORT");
    if (rc == 0 && !c->listen)
        rc = check_source(c, err, errlen);
    return rc;
}

/* skt app: HOST PORT ACTION VALUE. */
static int check_app(struct config *c, char *err, size_t errlen)
{
    int rc = check_tls(c, err, errlen);

    if (rc == 0)
        rc = check_proxy(c, err, errlen);
    if (rc == 0 && c->positional_count != 4)
        rc = refuse(err, errlen, "skt app takes HOST PORT ACTION VALUE");
    if (rc < 0)
        return rc;
    c->host = c->positional[0];
    c->port = c->positional[1];
    c->action = c->positional[2];
    c->value = c->positional[3];
    rc = check_host_arg(c->host, c->numeric, err, errlen);
    if (rc == 0)
        rc = check_port_arg(c->port, false, err, errlen);
    if (rc == 0 && c->action[0] == '\0')
        rc = refuse(err, errlen, "skt app: the ACTION is empty");
    return rc == 0 ? check_source(c, err, errlen) : rc;
}

/* ------------------------------------------------------------------------ */
/* skt relay                                                                */
/* ------------------------------------------------------------------------ */

static bool relay_has(const struct config *c, enum relay_kind kind)
{
    return c->relay[0].kind == kind || c->relay[1].kind == kind;
}

static bool relay_listens(enum relay_kind kind)
{
    return kind == RELAY_TCP_LISTEN || kind == RELAY_TLS_LISTEN ||
           kind == RELAY_UNIX_LISTEN || kind == RELAY_UDP_LISTEN;
}

/* The TLS options need a tls: or tls-listen: address, each its own. */
static int check_relay_tls(const struct config *c, char *err, size_t errlen)
{
    bool client = relay_has(c, RELAY_TLS);
    bool server = relay_has(c, RELAY_TLS_LISTEN);

    if (!client && !server &&
        (c->cafile || c->capath || c->cert || c->key || c->sni || c->alpn ||
         c->tls_min || c->verify_client || c->insecure))
        return refuse(err, errlen, "the TLS options need a tls: or "
                      "tls-listen: address");
    if (c->key && !c->cert)
        return refuse(err, errlen, "--key needs --cert");
    if (server && !c->cert)
        return refuse(err, errlen, "tls-listen: needs --cert FILE (and "
                      "--key FILE unless the key is in it)");
    if (c->verify_client && !server)
        return refuse(err, errlen, "--verify-client needs a tls-listen: "
                      "address");
    if ((c->insecure || c->sni) && !client)
        return refuse(err, errlen, "--insecure and --sni are for a tls: "
                      "address");
    if ((c->cafile || c->capath) && !c->verify_client &&
        (!client || c->insecure))
        return refuse(err, errlen, "--cafile and --capath are the CAs of a "
                      "tls: address without --insecure, or of "
                      "--verify-client");
    return 0;
}

/* -k: the first tcp-listen:, tls-listen: or unix-listen: address serves
 * each client with a relay of its own to the other address. */
static int check_relay_keep_open(struct config *c, char *err, size_t errlen)
{
    int served = -1;

    for (int i = 1; i >= 0; i--)
        if (relay_listens(c->relay[i].kind) &&
            c->relay[i].kind != RELAY_UDP_LISTEN)
            served = i;
    c->relay_served = c->keep_open ? served : -1;
    if (c->max_clients_set && !c->keep_open)
        return refuse(err, errlen, "-m needs -k");
    if (!c->keep_open)
        return 0;
    if (served < 0)
        return refuse(err, errlen, "skt relay -k needs a tcp-listen:, "
                      "tls-listen: or unix-listen: address");
    if (relay_listens(c->relay[1 - served].kind))
        return refuse(err, errlen, "skt relay -k: the address beside the "
                      "one that serves each client must not listen");
    if (c->relay[1 - served].kind == RELAY_STDIO)
        return refuse(err, errlen, "skt relay -k serves many clients: not "
                      "with stdio, which is one");
    return 0;
}

/* skt relay: ADDR ADDR. */
static int check_relay(struct config *c, char *err, size_t errlen)
{
    char why[256];

    if (c->positional_count != 2)
        return refuse(err, errlen, "skt relay takes two addresses: ADDR "
                      "ADDR");
    for (int i = 0; i < 2; i++)
        if (parse_relay_address(c->positional[i], c->numeric, &c->relay[i],
                                why, sizeof why) < 0)
            return refuse(err, errlen, "%s", why);
    if (c->relay[0].kind == RELAY_STDIO && c->relay[1].kind == RELAY_STDIO)
        return refuse(err, errlen, "skt relay: stdio may be only one of the "
                      "two addresses");
    if (check_relay_tls(c, err, errlen) < 0)
        return PARSE_ERROR;
    return check_relay_keep_open(c, err, errlen);
}

/* skt resolve: NAME [PORT]. */
static int check_resolve(struct config *c, char *err, size_t errlen)
{
    if (c->positional_count == 0)
        return refuse(err, errlen, "skt resolve needs NAME");
    if (c->positional_count > 2)
        return refuse(err, errlen, "too many arguments, from '%s'",
                      c->positional[2]);
    c->name = c->positional[0];
    c->port = c->positional_count == 2 ? c->positional[1] : NULL;
    if (check_host_arg(c->name, c->numeric, err, errlen) < 0)
        return PARSE_ERROR;
    if (c->port && check_port_arg(c->port, true, err, errlen) < 0)
        return PARSE_ERROR;
    return 0;
}

/* A reason quotes what the user typed: its control characters (a
 * newline, say) become '?', so that the reason stays one line. */
static int one_line(char *text)
{
    for (; *text != '\0'; text++)
        if ((unsigned char)*text < 0x20 || *text == 0x7f)
            *text = '?';
    return PARSE_ERROR;
}

/* The rules of the command's positional arguments and options. */
static int check_command(struct config *c, char *err, size_t errlen)
{
    switch (c->command) {
    case CMD_RESOLVE:
        return check_resolve(c, err, errlen);
    case CMD_SEND:
    case CMD_RECV:
        return check_transfer(c, err, errlen);
    case CMD_RELAY:
        return check_relay(c, err, errlen);
    case CMD_APP:
        return check_app(c, err, errlen);
    default:
        return check_net(c, err, errlen);
    }
}

enum parse_result parse_args(int argc, char **argv, struct config *c,
                             char *err, size_t errlen)
{
    int rc;

    memset(c, 0, sizeof *c);
    c->command = argc > 1 ? command_of(argv[1]) : CMD_NET;
    c->max_clients = 100;
    err[0] = '\0';
    rc = scan_arguments(c, argc, argv, c->command == CMD_NET ? 1 : 2, err,
                        errlen);
    if (rc < 0)
        return one_line(err);
    if (c->info != 0)
        return (enum parse_result)c->info;
    rc = check_command(c, err, errlen);
    return rc < 0 ? one_line(err) : PARSE_RUN;
}
