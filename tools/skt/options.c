/*
 * options.c - the one table of skt's options, with the setters it names,
 * and the texts built from it: --help, the usage error, --version. The
 * man page's option list (man.c) comes from the same table, so that no
 * option is spelled in more than one place.
 */
#include "tool.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FIELD(name) offsetof(struct config, name)

/* ------------------------------------------------------------------------ */
/* Setters: each writes the field at o->offset                              */
/* ------------------------------------------------------------------------ */

static int set_flag(struct config *c, const struct option_spec *o,
                    const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    *(bool *)((char *)c + o->offset) = true;
    return 0;
}

static int set_string(struct config *c, const struct option_spec *o,
                      const char *arg, char *err, size_t errlen)
{
    const char **field = (const char **)((char *)c + o->offset);

    if (arg[0] == '\0')
        return snprintf(err, errlen, "option --%s: the %s is empty",
                        o->long_name, o->arg), -1;
    *field = arg;
    return 0;
}

static int set_seconds(struct config *c, const struct option_spec *o,
                       const char *arg, char *err, size_t errlen)
{
    char why[128];

    if (parse_seconds(arg, (double *)((char *)c + o->offset), why,
                      sizeof why) == 0)
        return 0;
    return snprintf(err, errlen, "option -%c: %s", o->short_name, why), -1;
}

static int set_max_clients(struct config *c, const struct option_spec *o,
                           const char *arg, char *err, size_t errlen)
{
    char why[128];

    if (parse_count(arg, 1, 100000, &c->max_clients, why, sizeof why) < 0)
        return snprintf(err, errlen, "option -%c: %s", o->short_name, why),
               -1;
    c->max_clients_set = true;
    return 0;
}

static int set_family(struct config *c, const struct option_spec *o,
                      const char *arg, char *err, size_t errlen)
{
    (void)arg;
    if (c->family != 0 && c->family != o->value)
        return snprintf(err, errlen, "options -4 and -6 exclude each "
                        "other"), -1;
    c->family = o->value;
    return 0;
}

static int set_exec(struct config *c, const struct option_spec *o,
                    const char *arg, char *err, size_t errlen)
{
    if (c->exec_cmd != NULL)
        return snprintf(err, errlen, "give one program: -e and -c may "
                        "appear once, and not together"), -1;
    if (strspn(arg, " \t") == strlen(arg))
        return snprintf(err, errlen, "option -%c: the command is empty",
                        o->short_name), -1;
    c->exec_cmd = arg;
    c->exec_shell = o->value;
    return 0;
}

static int set_rule(struct config *c, const struct option_spec *o,
                    const char *arg, char *err, size_t errlen)
{
    char why[160];
    struct rule *r = &c->rules[c->rule_count];

    if (c->rule_count == RULES_MAX)
        return snprintf(err, errlen, "more than %d --allow and --deny "
                        "rules", RULES_MAX), -1;
    if (parse_rule(arg, r, why, sizeof why) < 0)
        return snprintf(err, errlen, "option --%s: %s", o->long_name, why),
               -1;
    r->allow = o->value;
    c->rule_count++;
    return 0;
}

/* --alpn LIST: comma-separated names of 1 to 255 bytes each (the most
 * that ALPN's length byte holds), at most ALPN_PROTOCOLS_MAX of them. */
static int set_alpn(struct config *c, const struct option_spec *o,
                    const char *arg, char *err, size_t errlen)
{
    size_t count = 0, len;

    if (set_string(c, o, arg, err, errlen) < 0)
        return -1;
    if (strlen(arg) > ALPN_LIST_MAX)
        return snprintf(err, errlen, "option --alpn: the list is over %d "
                        "bytes", ALPN_LIST_MAX), -1;
    for (const char *name = arg;; name += len + 1) {
        len = strcspn(name, ",");
        if (len == 0)
            return snprintf(err, errlen, "option --alpn: '%s' names an "
                            "empty protocol", arg), -1;
        if (len > 255)
            return snprintf(err, errlen, "option --alpn: a protocol name "
                            "of %zu bytes, over 255", len), -1;
        if (++count > ALPN_PROTOCOLS_MAX)
            return snprintf(err, errlen, "option --alpn: more than %d "
                            "protocols", ALPN_PROTOCOLS_MAX), -1;
        if (name[len] == '\0')
            return 0;
    }
}

static int set_tls_min(struct config *c, const struct option_spec *o,
                       const char *arg, char *err, size_t errlen)
{
    (void)o;
    if (strcmp(arg, "1.2") == 0)
        c->tls_min = SKT_TLS_VERSION_1_2;
    else if (strcmp(arg, "1.3") == 0)
        c->tls_min = SKT_TLS_VERSION_1_3;
    else
        return snprintf(err, errlen, "option --tls-min: '%s' is not 1.2 "
                        "or 1.3", arg), -1;
    return 0;
}

static int set_progress(struct config *c, const struct option_spec *o,
                        const char *arg, char *err, size_t errlen)
{
    (void)arg;
    if (c->progress != 0 && c->progress != o->value)
        return snprintf(err, errlen, "--progress and --no-progress "
                        "exclude each other"), -1;
    c->progress = o->value;
    return 0;
}

static int set_frame(struct config *c, const struct option_spec *o,
                     const char *arg, char *err, size_t errlen)
{
    char why[160];

    (void)o;
    if (parse_frame(arg, &c->frame, why, sizeof why) < 0)
        return snprintf(err, errlen, "option --frame: %s", why), -1;
    c->framed = true;
    return 0;
}

static int set_frame_max(struct config *c, const struct option_spec *o,
                         const char *arg, char *err, size_t errlen)
{
    char why[160];
    long max;

    (void)o;
    if (parse_count(arg, 1, 1L << 30, &max, why, sizeof why) < 0)
        return snprintf(err, errlen, "option --frame-max: %s", why), -1;
    c->frame.max_size = (size_t)max;
    return 0;
}

static int set_proxy(struct config *c, const struct option_spec *o,
                     const char *arg, char *err, size_t errlen)
{
    char why[160];

    (void)o;
    if (parse_proxy(arg, false, c->proxy_host, sizeof c->proxy_host,
                    &c->proxy_port, why, sizeof why) < 0)
        return snprintf(err, errlen, "option --proxy: %s", why), -1;
    c->proxy = arg;
    return 0;
}

static int set_proxy_type(struct config *c, const struct option_spec *o,
                          const char *arg, char *err, size_t errlen)
{
    (void)o;
    if (strcmp(arg, "socks5") == 0)
        c->proxy_type = PROXY_SOCKS5;
    else if (strcmp(arg, "http") == 0)
        c->proxy_type = PROXY_HTTP;
    else
        return snprintf(err, errlen, "option --proxy-type: '%s' is not "
                        "socks5 or http", arg), -1;
    c->proxy_type_set = true;
    return 0;
}

static int set_proxy_auth(struct config *c, const struct option_spec *o,
                          const char *arg, char *err, size_t errlen)
{
    char why[160];

    (void)o;
    if (parse_proxy_auth(arg, why, sizeof why) < 0)
        return snprintf(err, errlen, "option --proxy-auth: %s", why), -1;
    c->proxy_auth = arg;
    return 0;
}

static int set_info(struct config *c, const struct option_spec *o,
                    const char *arg, char *err, size_t errlen)
{
    (void)arg, (void)err, (void)errlen;
    if (c->info == 0)
        c->info = o->value;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */
/* ------------------------------------------------------------------------ */

const struct option_spec option_table[] = {
    {'4', "ipv4", NULL, "Use IPv4 only.", set_family, 0, AF_INET, FOR_ALL},
    {'6', "ipv6", NULL, "Use IPv6 only.", set_family, 0, AF_INET6, FOR_ALL},
    {'l', "listen", NULL,
     "Listen for a connection instead of making one. Without HOST, on "
     "every interface, IPv4 and IPv6.",
     set_flag, FIELD(listen), 0, FOR_NET | FOR_XFER},
    {'k', "keep-open", NULL,
     "With -l: keep listening after a client leaves, and serve clients at "
     "the same time; stdin goes to every client. skt relay: each client "
     "of the listening address gets a relay of its own.",
     set_flag, FIELD(keep_open), 0, FOR_NET | FOR_RELAY},
    {'m', "max-conns", "N",
     "With -k: serve at most N clients at once (default 100); more wait "
     "in the accept queue.",
     set_max_clients, 0, 0, FOR_NET | FOR_RELAY},
    {'U', "unixsock", NULL,
     "Unix domain socket: PATH instead of HOST PORT (a PATH starting with "
     "@ is an abstract name). A --tls client names the certificate's "
     "host with --sni (or gives --insecure).",
     set_flag, FIELD(unix_socket), 0, FOR_NET},
    {'u', "udp", NULL,
     "UDP (with -U: Unix datagrams). skt resolve: datagram answers only.",
     set_flag, FIELD(udp), 0, FOR_NET | FOR_RESOLVE},
    {'z', "scan", NULL,
     "Scan: HOST PORTS, where PORTS is N, N-M or a comma list; print the "
     "open ones.",
     set_flag, FIELD(scan), 0, FOR_NET},
    {'n', "nodns", NULL,
     "Numeric addresses only: no name lookup.",
     set_flag, FIELD(numeric), 0, FOR_ALL},
    {'s', "source", "ADDR",
     "Connect from this local address (numeric). With -l: the address to "
     "listen on.",
     set_string, FIELD(source), 0, FOR_CLIENTS},
    {'p', "source-port", "PORT",
     "Connect from this local port. With -l: the port to listen on.",
     set_string, FIELD(source_port), 0, FOR_CLIENTS},
    {'w', "wait", "SECS",
     "One deadline over the name lookup, every connection attempt and the "
     "TLS handshake. With -z: each probe's (default 1). With -l --tls: "
     "each client's TLS handshake.",
     set_seconds, FIELD(wait), 0, FOR_ALL},
    {'i', "idle-timeout", "SECS",
     "Close after SECS with no data either way (exit status 4). UDP: how "
     "long to wait for datagrams after stdin ends (default 1).",
     set_seconds, FIELD(idle), 0, FOR_CLIENTS | FOR_RELAY},
    {'e', "exec", "CMD",
     "Run CMD (split at spaces, no shell) with the connection as its "
     "stdin and stdout; with -k, one process per client. With -u, one "
     "per peer: each datagram to its stdin, each write of its output "
     "one datagram back.",
     set_exec, 0, 0, FOR_NET},
    {'c', "sh-exec", "CMD",
     "As -e, through /bin/sh -c CMD.", set_exec, 0, 1, FOR_NET},
    {'C', "crlf", NULL,
     "Send each line of stdin with CRLF.",
     set_flag, FIELD(crlf), 0, FOR_NET},
    {'x', "hex-dump", NULL,
     "Hex dump of the data, both ways, on stderr.",
     set_flag, FIELD(hex_dump), 0, FOR_NET},
    {'v', "verbose", NULL,
     "Say what happens on stderr: each address tried with its result and "
     "time, the TLS session and certificate, the bytes moved.",
     set_flag, FIELD(verbose), 0, FOR_ALL},
    {0, "send-only", NULL,
     "Only send; end when stdin does.",
     set_flag, FIELD(send_only), 0, FOR_NET},
    {0, "recv-only", NULL,
     "Only receive; stdin is not read.",
     set_flag, FIELD(recv_only), 0, FOR_NET},
    {0, "no-shutdown", NULL,
     "When stdin ends, keep the write side open (by default it is shut "
     "down, and skt reads until the peer closes).",
     set_flag, FIELD(no_shutdown), 0, FOR_NET},
    {0, "frame", "KIND",
     "Framed messages: each line of stdin is sent as one message and each "
     "message received is printed as one line. KIND is len1, len2, len4 "
     "or len8 (a big-endian length first), line, crlf, or fixed:N. With "
     "-u each message is one datagram; with -k each client's messages "
     "come out whole; with -e/-c the program's lines are the messages.",
     set_frame, 0, 0, FOR_NET},
    {0, "frame-max", "BYTES",
     "With --frame: the largest message (default 16 MiB); a longer one is "
     "an error that names its size.",
     set_frame_max, 0, 0, FOR_NET},
    {0, "allow", "ADDR[/PREFIX]",
     "With -l: accept clients from these addresses only (repeatable).",
     set_rule, 0, 1, FOR_NET | FOR_XFER},
    {0, "deny", "ADDR[/PREFIX]",
     "With -l: refuse clients from these addresses (repeatable).",
     set_rule, 0, 0, FOR_NET | FOR_XFER},
    {0, "broker", NULL,
     "With -l: every client's data goes to every other client (implies "
     "-k).",
     set_flag, FIELD(broker), 0, FOR_NET},
    {0, "tls", NULL,
     "TLS. A client verifies the certificate chain and the host name "
     "against the system trust store and sends HOST as SNI; a listener "
     "needs --cert and --key.",
     set_flag, FIELD(tls), 0, FOR_CLIENTS},
    {0, "cafile", "FILE",
     "Trust the CA certificates in FILE (PEM) instead of the system "
     "trust store.",
     set_string, FIELD(cafile), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "capath", "DIR",
     "Trust the CA certificates in DIR (prepared with openssl rehash) "
     "instead of the system trust store.",
     set_string, FIELD(capath), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "cert", "FILE",
     "This side's certificate chain (PEM); a client's is sent when the "
     "server asks.",
     set_string, FIELD(cert), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "key", "FILE",
     "The private key of --cert (PEM; default: in the --cert file).",
     set_string, FIELD(key), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "sni", "NAME",
     "Send NAME as SNI and check the certificate against it instead of "
     "HOST (with -U, the name to check).",
     set_string, FIELD(sni), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "alpn", "LIST",
     "Offer (or, with -l, accept) these ALPN protocols, comma-separated, "
     "most preferred first.",
     set_alpn, FIELD(alpn), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "tls-min", "VERSION",
     "The lowest TLS version accepted: 1.2 (the default) or 1.3.",
     set_tls_min, 0, 0, FOR_CLIENTS | FOR_RELAY},
    {0, "verify-client", NULL,
     "With -l --tls: demand a client certificate that verifies against "
     "--cafile/--capath (or the system store).",
     set_flag, FIELD(verify_client), 0, FOR_NET | FOR_XFER | FOR_RELAY},
    {0, "insecure", NULL,
     "Do not verify the server's certificate (a warning says so every "
     "time).",
     set_flag, FIELD(insecure), 0, FOR_CLIENTS | FOR_RELAY},
    {0, "proxy", "HOST:PORT",
     "Connect through the proxy at HOST:PORT ([ADDRESS]:PORT for IPv6), "
     "SOCKS5 unless --proxy-type says http. HOST PORT is asked of the "
     "proxy: a name is sent as it is, for the proxy to resolve. -w covers "
     "the connection to the proxy, its answer and the TLS handshake, which "
     "runs through the tunnel with HOST (or --sni) as the name.",
     set_proxy, 0, 0, FOR_CLIENTS},
    {0, "proxy-type", "TYPE",
     "With --proxy: socks5 (the default) or http (HTTP CONNECT).",
     set_proxy_type, 0, 0, FOR_CLIENTS},
    {0, "proxy-auth", "USER:PASS",
     "With --proxy: log in with this user name and password (SOCKS5's "
     "user/password method, or HTTP Basic authentication).",
     set_proxy_auth, 0, 0, FOR_CLIENTS},
    {0, "canon", NULL,
     "skt resolve: print the canonical name on each line.",
     set_flag, FIELD(canon), 0, FOR_RESOLVE},
    {'f', "force", NULL,
     "skt recv: overwrite an existing file.",
     set_flag, FIELD(force), 0, FOR_RECV},
    {0, "progress", NULL,
     "Show the progress bar of skt send and recv, and of a connection's "
     "stdin, even when stderr is not a terminal. Without it a connection "
     "shows a bar only for a stdin that is a regular file, on a terminal; "
     "with it a pipe shows bytes and rate (its size is unknown).",
     set_progress, 0, 1, FOR_NET | FOR_XFER},
    {0, "no-progress", NULL,
     "No progress bar.",
     set_progress, 0, -1, FOR_NET | FOR_XFER},
    {'h', "help", NULL, "Print this help and exit.", set_info, 0,
     PARSE_HELP, FOR_ALL},
    {0, "version", NULL,
     "Print the version (the tool's, the library's and its platform) and "
     "exit.", set_info, 0, PARSE_VERSION, FOR_ALL},
    {0, NULL, NULL, NULL, NULL, 0, 0, 0},
};

const struct text_pair synopsis_table[] = {
    {"skt [options] HOST PORT", "connect: stdin to the socket, the socket "
                                "to stdout"},
    {"skt -l [options] [HOST] PORT", "listen (without HOST: every "
                                     "interface, IPv4 and IPv6)"},
    {"skt -U [options] [-l] PATH", "Unix stream socket (@NAME: abstract)"},
    {"skt -u [options] ...", "UDP (with -U: Unix datagrams)"},
    {"skt -z [options] HOST PORTS", "scan: N, N-M or a comma list"},
    {"skt send [options] [-l] [HOST] PORT FILE", "send a file: its name, "
                                                 "size and SHA-256 go with "
                                                 "it"},
    {"skt recv [options] [-l] [HOST] PORT [DEST]", "receive a file from "
                                                   "skt send and check its "
                                                   "SHA-256"},
    {"skt relay [options] ADDR ADDR",
     "join two endpoints, both ways, each end carried as a half-close; "
     "ADDR: tcp:HOST:PORT, tcp-listen:[HOST:]PORT, tls:..., tls-listen:..., "
     "udp:..., udp-listen:..., unix:PATH, unix-listen:PATH, exec:CMD, stdio "
     "or -"},
    {"skt resolve [options] NAME [PORT]", "the resolver's answer, in "
                                          "order, with its time"},
    {"skt app [options] HOST PORT ACTION VALUE",
     "one request of the sockets tutorial's JSON-header protocol; prints "
     "the result"},
    {NULL, NULL},
};

const struct text_pair example_table[] = {
    {"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | skt example.com 80",
     "a request; stdin's end half-closes, the answer is printed"},
    {"skt -v --tls example.com 443", "TLS, verified, with each address "
                                     "and the session shown"},
    {"skt -l 8080 > file", "receive one connection's data into a file"},
    {"skt -l -k -e /bin/cat 7000", "an echo server, one process per "
                                   "client"},
    {"skt -z -w 0.5 10.0.0.1 20-25,80,443", "which of these ports are "
                                            "open"},
    {"skt -u 127.0.0.1 5353 < query", "one datagram per read of stdin"},
    {"skt recv -l 9000 & skt send host 9000 big.iso",
     "move a file; the receiver keeps it only if its SHA-256 matches"},
    {"skt resolve -v localhost 80", "the addresses, in the order tried"},
    {"skt --proxy 127.0.0.1:1080 --tls example.com 443",
     "TLS through a SOCKS5 proxy, which resolves the name"},
    {"skt -u -l -k -e /bin/cat 5300", "a UDP echo server, one process per "
                                      "peer"},
    {"skt relay -k tcp-listen:8080 tcp:10.0.0.2:80",
     "a TCP forwarder: each client gets its own connection to 10.0.0.2"},
    {"skt relay -k --cert c.pem tls-listen:443 tcp:127.0.0.1:80",
     "TLS in front of a plain service"},
    {"skt relay tcp-listen:[::1]:9000 exec:'tr a-z A-Z'",
     "a program as the other end"},
    {NULL, NULL},
};

const struct text_pair exit_status_table[] = {
    {"0", "success; -z: at least one port is open"},
    {"1", "a network or system error, or a TLS failure other than a "
          "refused certificate; -z: no port is open"},
    {"2", "a usage error: an option, address or port that is malformed, "
          "or options that do not go together or have no effect in the "
          "mode asked for"},
    {"3", "the peer's certificate was refused (expired, wrong host name, "
          "unknown CA, self-signed, failed verification, or no client "
          "certificate where one was required)"},
    {"4", "a deadline of skt's own expired: -w or -i"},
    {"5", "skt recv: the file's size or SHA-256 did not match (nothing "
          "is kept)"},
    {"128+N", "ended by signal N (SIGINT, SIGTERM)"},
    {NULL, NULL},
};

/* ------------------------------------------------------------------------ */
/* Texts                                                                    */
/* ------------------------------------------------------------------------ */

/* "-w, --wait SECS" into buf. */
static const char *spelling(const struct option_spec *o, char *buf,
                            size_t len)
{
    char shortname[8] = "    ";

    if (o->short_name != 0)
        snprintf(shortname, sizeof shortname, "-%c, ", o->short_name);
    snprintf(buf, len, "%s--%s%s%s", shortname, o->long_name,
             o->arg ? " " : "", o->arg ? o->arg : "");
    return buf;
}

/* Writes text wrapped at 80 columns, each line indented by indent. */
static void wrap(FILE *out, const char *text, int indent, int column)
{
    while (*text != '\0') {
        size_t room = (size_t)(80 - column), n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        fprintf(out, "%.*s\n", (int)n, text);
        text += n;
        text += strspn(text, " ");
        if (*text != '\0')
            fprintf(out, "%*s", indent, "");
        column = indent;
    }
}

/* "  TEXT   meaning...": the meaning in a column of its own, starting on
 * the next line when TEXT is wider than the column. */
static void help_item(FILE *out, const char *text, const char *meaning,
                      int width)
{
    int used = fprintf(out, "  %-*s", width, text);

    if (used > width + 2) {
        fprintf(out, "\n%*s", width + 2, "");
        used = width + 2;
    }
    fputc(' ', out);
    wrap(out, meaning, width + 3, used + 1);
}

static void help_pairs(FILE *out, const char *title,
                       const struct text_pair *list, int width)
{
    fprintf(out, "\n%s\n", title);
    for (; list->text != NULL; list++)
        help_item(out, list->text, list->meaning, width);
}

void help(FILE *out)
{
    char buf[64];

    fprintf(out, "skt - connect, listen, scan and resolve, with one "
                 "deadline and verified TLS\n");
    help_pairs(out, "Usage:", synopsis_table, 34);
    fprintf(out, "\nOptions:\n");
    for (const struct option_spec *o = option_table; o->help; o++)
        help_item(out, spelling(o, buf, sizeof buf), o->help, 26);
    help_pairs(out, "Examples:", example_table, 38);
    help_pairs(out, "Exit status:", exit_status_table, 5);
    fprintf(out, "\nSee skt(1) for the whole manual.\n");
}

int usage(const char *reason)
{
    fprintf(stderr, "skt: %s (skt --help lists the options)\n", reason);
    return EXIT_USAGE;
}

void version(FILE *out)
{
    fprintf(out, "skt %d.%d.%d (libskt %s, %s platform)\n",
            SKT_VERSION_MAJOR, SKT_VERSION_MINOR, SKT_VERSION_PATCH,
            skt_version_string(), skt_platform());
}
