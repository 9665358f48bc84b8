/*
 * tool.h - what the files of the skt command share: the configuration that
 * the command line fills in, the option table that drives parsing, --help
 * and the man page, the exit statuses, and the helpers of each mode. The
 * tool uses only the public API of libskt (skt.h).
 */
#ifndef SKT_TOOL_H
#define SKT_TOOL_H

#include <skt.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------------ */
/* Exit statuses (stable and documented in skt(1))                          */
/* ------------------------------------------------------------------------ */

#define EXIT_OK 0
#define EXIT_NETWORK 1  /* network or system error, TLS other than refusal */
#define EXIT_USAGE 2    /* the command line is wrong */
#define EXIT_CERT 3     /* the peer's certificate was refused */
#define EXIT_DEADLINE 4 /* -w or -i expired */
#define EXIT_CHECKSUM 5 /* reserved for skt recv */
#define EXIT_SIGNAL 128 /* plus the signal's number */

/* ------------------------------------------------------------------------ */
/* The configuration                                                        */
/* ------------------------------------------------------------------------ */

/* The commands: the word after `skt`, or none. */
enum command {
    CMD_NET = 1,     /* connect, listen, scan */
    CMD_RESOLVE = 2, /* skt resolve */
    CMD_SEND = 3,    /* skt send */
    CMD_RECV = 4,    /* skt recv */
    CMD_APP = 5,     /* skt app */
    CMD_RELAY = 6,   /* skt relay */
};

/* Most --allow and --deny rules on one command line. */
#define RULES_MAX 64
/* Most positional arguments any command takes, plus one to spot extras. */
#define POSITIONAL_MAX 4
/* --alpn LIST: the most protocols it names, and its longest length. */
#define ALPN_PROTOCOLS_MAX 16
#define ALPN_LIST_MAX 1023

/* skt relay's kinds of address (parse_relay_address). */
enum relay_kind {
    RELAY_TCP,
    RELAY_TCP_LISTEN,
    RELAY_TLS,
    RELAY_TLS_LISTEN,
    RELAY_UDP,
    RELAY_UDP_LISTEN,
    RELAY_UNIX,
    RELAY_UNIX_LISTEN,
    RELAY_EXEC,
    RELAY_STDIO,
};

/* One address of skt relay: its kind, as typed, and its parts. */
struct relay_addr {
    enum relay_kind kind;
    const char *text;
    /* tcp, tls, udp and their -listen forms: HOST as typed (brackets
     * kept; "" for a listener without one) and PORT. */
    char host[256];
    char port[64];
    /* unix and unix-listen: the PATH; exec: the command. */
    const char *path;
};

/* --proxy-type. */
enum proxy_type {
    PROXY_SOCKS5 = 0, /* the default */
    PROXY_HTTP = 1,   /* HTTP CONNECT */
};

/* One --allow or --deny rule: an address and its prefix length. */
struct rule {
    skt_addr net; /* the address, port 0 */
    int prefix;   /* bits that must match */
    bool allow;
};

struct config {
    enum command command;
    /* --help or --version asked for (enum parse_result), else 0. */
    int info;
    /* Modes. */
    bool listen, keep_open, unix_socket, udp, scan;
    /* Addresses. */
    int family; /* 0, AF_INET or AF_INET6 */
    bool numeric;
    const char *source, *source_port;
    /* Time, in seconds; 0 means none. */
    double wait, idle;
    /* -m, and whether it was given (it needs -k). */
    long max_clients;
    bool max_clients_set;
    /* The connection's data. */
    bool verbose, crlf, hex_dump, send_only, recv_only, no_shutdown;
    bool broker;
    const char *exec_cmd;
    bool exec_shell;
    struct rule rules[RULES_MAX];
    size_t rule_count;
    /* --frame KIND and --frame-max: each stdin line one message, each
     * message received one line. */
    bool framed;
    skt_frame_opts frame;
    /* TLS. */
    bool tls, insecure, verify_client;
    const char *cafile, *capath, *cert, *key, *sni, *alpn;
    int tls_min;
    /* --proxy HOST:PORT (as typed, and split), --proxy-type, and
     * --proxy-auth USER:PASS. */
    const char *proxy, *proxy_port, *proxy_auth;
    char proxy_host[256];
    enum proxy_type proxy_type;
    bool proxy_type_set;
    /* skt resolve. */
    bool canon;
    /* skt send and skt recv: -f, and --progress (1) or --no-progress
     * (-1); 0 shows the bar when stderr is a terminal. */
    bool force;
    int progress;
    /* The positional arguments, checked by the command's rules. */
    const char *host, *port, *path, *ports, *name, *file;
    const char *action, *value; /* skt app */
    /* skt relay: the two addresses, and with -k the index of the
     * listening one whose every client gets a relay of its own (-1). */
    struct relay_addr relay[2];
    int relay_served;
    const char *positional[POSITIONAL_MAX];
    size_t positional_count;
};

/* ------------------------------------------------------------------------ */
/* The option table (options.c)                                             */
/* ------------------------------------------------------------------------ */

struct option_spec;
/* Applies an option's argument (NULL for a flag) to the configuration.
 * Returns 0, or -1 with the reason in err (one line, no newline). */
typedef int (*option_setter)(struct config *c, const struct option_spec *o,
                             const char *arg, char *err, size_t errlen);

/* Bits of option_spec.commands. */
#define FOR_NET (1u << CMD_NET)
#define FOR_RESOLVE (1u << CMD_RESOLVE)
#define FOR_SEND (1u << CMD_SEND)
#define FOR_RECV (1u << CMD_RECV)
#define FOR_XFER (FOR_SEND | FOR_RECV)
#define FOR_APP (1u << CMD_APP)
#define FOR_RELAY (1u << CMD_RELAY)
#define FOR_CLIENTS (FOR_NET | FOR_XFER | FOR_APP)
#define FOR_ALL (FOR_NET | FOR_RESOLVE | FOR_XFER | FOR_APP | FOR_RELAY)

/*
 * One option: its spellings, its argument's name (NULL for a flag), the
 * sentence --help and the man page show, the setter with the field it
 * writes and a value for setters that need one, and the commands that
 * take it. The table ends with an entry whose help is NULL.
 */
struct option_spec {
    char short_name;
    const char *long_name;
    const char *arg;
    const char *help;
    option_setter set;
    size_t offset;
    int value;
    unsigned commands;
};

extern const struct option_spec option_table[];

/* The synopsis lines, examples and exit statuses: --help and skt(1) show
 * the same ones. Each list ends with a NULL text. */
struct text_pair {
    const char *text;
    const char *meaning;
};
extern const struct text_pair synopsis_table[];
extern const struct text_pair example_table[];
extern const struct text_pair exit_status_table[];

/* What parse_args found. */
enum parse_result {
    PARSE_RUN = 0,
    PARSE_HELP = 1,
    PARSE_VERSION = 2,
    PARSE_ERROR = -1,
};

/*
 * Fills c from the command line, without running anything and without
 * any network lookup: every option, its argument, the positional
 * arguments, and the rules that combine them. On PARSE_ERROR, err holds
 * one line naming what is wrong (no "skt:" prefix, no newline).
 */
enum parse_result parse_args(int argc, char **argv, struct config *c,
                             char *err, size_t errlen);

/* --help on stdout, the whole interface. */
void help(FILE *out);
/* The one-line usage error on stderr, exit status EXIT_USAGE. */
int usage(const char *reason);
/* The version line, --version. */
void version(FILE *out);

/* ------------------------------------------------------------------------ */
/* Argument parsers (args.c): each returns 0 or -1 with a reason in err      */
/* ------------------------------------------------------------------------ */

/* Seconds: a decimal number > 0 and <= SKT_TIMEOUT_MAX. */
int parse_seconds(const char *text, double *out, char *err, size_t errlen);
/* A count: a decimal integer in [min, max]. */
int parse_count(const char *text, long min, long max, long *out, char *err,
                size_t errlen);
/* A port: a number in [0 or 1, 65535] (zero_ok says which), or a service
 * name from the services database. */
int parse_port(const char *text, bool zero_ok, char *err, size_t errlen);
/* A port list for -z: N, N-M or a comma list of them. Sets the bit of
 * every port in map (65536 bits) and *count to how many are set. */
int parse_port_list(const char *text, uint8_t map[8192], size_t *count,
                    char *err, size_t errlen);
/* A host: a numeric IPv4 or IPv6 address (brackets allowed, a scope
 * allowed) or a name made of letters, digits, '-', '_' and '.'. With
 * numeric, names are refused. */
int parse_host(const char *text, bool numeric, char *err, size_t errlen);
/* A host without the brackets an IPv6 address may have, into buf. */
const char *host_unbracketed(const char *text, char *buf, size_t len);
/* An --allow/--deny rule: a numeric address with an optional /PREFIX. */
int parse_rule(const char *text, struct rule *r, char *err, size_t errlen);
/* --frame KIND: len1, len2, len4, len8 (big-endian length), line, crlf,
 * fixed:N; into opts (max_size left alone). */
int parse_frame(const char *text, skt_frame_opts *opts, char *err,
                size_t errlen);
/* --proxy HOST:PORT ([HOST]:PORT for IPv6): HOST into host (len bytes),
 * *port pointing at PORT in text. Checks both as parse_host and
 * parse_port do. */
int parse_proxy(const char *text, bool numeric, char *host, size_t len,
                const char **port, char *err, size_t errlen);
/* --proxy-auth USER:PASS: a colon, and each part 1 to 255 bytes. */
int parse_proxy_auth(const char *text, char *err, size_t errlen);
/* A Unix socket path for -U: at most 108 bytes, @ for an abstract name. */
int parse_unix_path(const char *text, skt_addr *out, char *err,
                    size_t errlen);
/* An address of skt relay: tcp:HOST:PORT, tcp-listen:[HOST:]PORT, tls:,
 * tls-listen:, udp:, udp-listen: likewise (an IPv6 HOST in brackets),
 * unix:PATH, unix-listen:PATH, exec:CMD, stdio or -. With numeric, host
 * names are refused. */
int parse_relay_address(const char *text, bool numeric,
                        struct relay_addr *out, char *err, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Shared helpers (util.c)                                                  */
/* ------------------------------------------------------------------------ */

/* Monotonic seconds. */
double now_seconds(void);
/* Prints "skt: " and the formatted text on stderr, one line. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Prints the failure of rc (skt_error_detail(), or skt_strerror(rc) when
 * the library left no detail) and returns the exit status for it: 3 for a
 * refused certificate, 4 for -ETIMEDOUT when deadline_ours says one of the
 * tool's own deadlines was running, else 1.
 */
int fail(int rc, bool deadline_ours);
/* The exit status fail would give, without printing. */
int exit_status_for(int rc, bool deadline_ours);
/* Writes all len bytes to fd, retrying EINTR and short writes. Returns 0
 * or -errno (-EPIPE when a reader went away). */
int write_all(int fd, const void *buf, size_t len);
/* The text of an address ("127.0.0.1:80", "[::1]:80", "unix:/path"). */
const char *addr_text(const skt_addr *a, char *buf, size_t len);
/* The numeric host and the port of an address, for -e's environment;
 * the port is "" for a Unix address. */
void addr_host_port(const skt_addr *a, char *host, size_t hostlen,
                    char *port, size_t portlen);
/* The number of a port that parse_port accepted: digits, or a service
 * of proto ("tcp", "udp") from the services database. Returns the port,
 * or SKT_EAI_SERVICE with a detail. */
int port_number(const char *text, const char *proto);
/* Milliseconds with a precision that suits them, e.g. "0.213 ms". */
const char *ms_text(double seconds, char *buf, size_t len);
/* The socket's descriptor, for dup2 and the pump (-1 for none). */
int fd_of(const skt_socket *s);
/*
 * One recv of a socket that the selector found readable. A readable TLS
 * socket may hold no application data (part of a record, or only records
 * without data such as a session ticket after the handshake): TLS is read
 * without waiting, so that the caller's other work goes on, and
 * SKT_EWANTREAD (or -EAGAIN, SKT_EWANTWRITE) means nothing yet. Other
 * sockets are read as their timeout says. Returns skt_recv's answer; the
 * socket's timeout is left as it was.
 */
ssize_t recv_ready(skt_socket *s, void *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Signals (signals.c)                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Installs the handlers: SIGPIPE ignored (a closed stdout is an EPIPE to
 * handle, never a death); SIGINT and SIGTERM end the tool with 128 + N,
 * at once while no selector is waiting, else by waking it; SIGCHLD wakes
 * the selector so that children are reaped.
 */
void signals_install(void);
/* The selector to wake on a signal (NULL: none; a signal exits at once). */
void signals_watch(skt_selector *sel);
/* The Unix socket file to remove on a signal and at exit (NULL: none). */
void signals_unlink_at_exit(const char *path);
/* The child to end (SIGTERM) and reap before exiting on a signal, while
 * skt waits for it without a selector (0: none). */
void signals_reap_at_exit(pid_t pid);
/* The signal that asked the tool to stop, or 0. */
int signals_caught(void);
/* Restores the default dispositions, in a child before exec. */
void signals_reset_for_child(void);

/* ------------------------------------------------------------------------ */
/* The connection's data (pump.c, hexdump.c)                                */
/* ------------------------------------------------------------------------ */

/* Bytes moved, for -v's summary. */
struct counters {
    uint64_t sent, received;
};

/*
 * Moves data between a local side (in_fd to the socket, the socket to
 * out_fd) and a connected stream socket, as the configuration says (-C,
 * -x, -i, --send-only, --recv-only, --no-shutdown): local EOF shuts down
 * the socket's write side and reading goes on until the peer closes; the
 * peer's close ends it at once. in_fd -1 reads nothing. Returns an exit
 * status, having printed any failure.
 */
int pump_stream(const struct config *c, skt_socket *s, int in_fd,
                int out_fd, struct counters *n);

/* Shuts down the write side of a connection: over TLS after close_notify
 * (skt_tls_shutdown_write), else shutdown(SHUT_WR). Returns 0 or a code;
 * -ENOTCONN (the peer has gone) counts as done. */
int shutdown_write(skt_socket *s);

/* -C: copies len bytes into out (room for 2 * len) with every bare LF
 * made CRLF; *last_cr carries a CR across calls. Returns the new length. */
size_t crlf_expand(const char *in, size_t len, char *out, bool *last_cr);

/* -x: a hex dump of len bytes going in direction '>' (sent) or '<'
 * (received), starting at *offset (advanced), on stderr, as xxd. */
void hex_dump(char direction, const void *buf, size_t len,
              uint64_t *offset);

/* ------------------------------------------------------------------------ */
/* --frame's helpers (framing.c)                                            */
/* ------------------------------------------------------------------------ */

/* The largest message: --frame-max, or the library's default. */
size_t frame_max(const struct config *c);

/* The lines of a byte stream, each one message (without its newline). */
struct lines {
    char *buf;
    size_t start, len, cap; /* buf[start, len) is held */
    size_t max;             /* the longest line, frame_max */
};
void lines_init(struct lines *l, const struct config *c);
void lines_free(struct lines *l);
/* Holds len more bytes. Returns 0 or -ENOMEM (with a detail). */
int lines_add(struct lines *l, const char *buf, size_t len);
/* The next whole line: returns 1 with *line (valid until lines_add) and
 * *len; 0 when no line is complete (with at_end, what is held is a last
 * line). Errors: SKT_EMSGTOOBIG (a line over max; the detail says so). */
int lines_next(struct lines *l, bool at_end, const char **line,
               size_t *len);
/* 0 when a message of len bytes fits the framing; -EINVAL with a detail
 * naming the length for fixed:N and a line of another length. */
int message_fits(const struct config *c, size_t len);
/* -u: the datagram that carries one message (header or delimiter
 * included) into out. Returns its length, or -EINVAL (message_fits),
 * SKT_EMSGTOOBIG (over the header), -EMSGSIZE (over cap). */
int frame_datagram(const struct config *c, const char *msg, size_t len,
                   char *out, size_t cap);
/* -u: each message of one datagram to each(arg, msg, len), which returns
 * 0 or a code that stops it. Returns 0 or the first code: SKT_EMSGTOOBIG,
 * -EPROTO (bytes left that are not a whole message), each's. */
int unframe_datagram(const struct config *c, const char *buf, size_t len,
                     int (*each)(void *arg, const void *msg, size_t len),
                     void *arg);

/* ------------------------------------------------------------------------ */
/* Modes                                                                    */
/* ------------------------------------------------------------------------ */

/* Each runs one mode of the configuration and returns the exit status. */
int run_connect(const struct config *c);
int run_listen(const struct config *c);
int run_udp(const struct config *c);
/* -u with -e/-c: a program per peer (udp_exec.c). */
int run_udp_exec(const struct config *c);
/* -u's client socket (udp.c): connected to the first address of HOST
 * PORT under -w (-U: to PATH, from an autobound name), bound to -s/-p.
 * Returns 0 or the exit status of the failure (printed). */
int open_datagram_client(const struct config *c, skt_socket **out);
int run_scan(const struct config *c);
int run_resolve(const struct config *c);
int run_send(const struct config *c);
int run_recv(const struct config *c);
int run_app(const struct config *c);
int run_relay(const struct config *c);

/* The progress bar of send and recv (progress.c): on stderr when it is a
 * terminal (or --progress), at most ten times a second; bytes, rate, and
 * with a known total the percentage and ETA. */
struct progress {
    bool on, verbose;
    const char *what; /* "sent NAME", "received NAME" */
    uint64_t total;   /* 0: unknown */
    uint64_t done;
    double start, last_draw;
};
void progress_start(struct progress *p, const struct config *c,
                    const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
/* Erases the bar; with -v (and ok) prints the summary line instead:
 * bytes, time, rate. A second call does nothing. */
void progress_end(struct progress *p, bool ok);

/* Connections of the stream modes (connect.c). */
/* Opens the connection -U or HOST PORT asks for, TLS included, with -v's
 * report. Returns 0 or the exit status of the failure (printed). */
int open_connection(const struct config *c, skt_socket **out);
/* -v: "connected to ... from ..." for an accepted or made connection. */
void describe_peer(const char *what, skt_socket *s);
/* Runs the connection with stdin and stdout, or with -e/-c's program. */
int serve_connection(const struct config *c, skt_socket *s);

/* --proxy (proxy.c). */
/*
 * Asks the proxy that s is connected to for a tunnel to HOST PORT:
 * SOCKS5 (the name is sent for the proxy to resolve, a numeric address
 * as such) or HTTP CONNECT, with --proxy-auth's credentials when given.
 * Every step runs under what is left of deadline (now_seconds()'s clock;
 * 0: none). Returns 0, the tunnel open and nothing of it read, or a
 * negative code whose detail names the proxy and the reason (-ETIMEDOUT
 * at the deadline, -EACCES for refused credentials, the SOCKS5 reply's
 * code, -ECONNREFUSED for an HTTP status other than 2xx, -EPROTO).
 */
int proxy_tunnel(const struct config *c, skt_socket *s, double deadline);

/* TLS (tls.c). */
/* The context the configuration asks for, client or server side. Returns
 * 0 or the exit status of the failure (printed). */
int tls_context(const struct config *c, bool server, skt_tls_ctx **out);
/* -v: version, cipher, ALPN, peer certificate, verification result
 * (with --insecure: "off", and whether the chain and the name would have
 * passed). */
void tls_describe(const struct config *c, skt_socket *s);
/* True for the codes of a refused certificate (exit status 3). */
bool tls_is_refusal(int code);

/* -e and -c (exec.c). */
/*
 * Runs the program of -e/-c with the connection as its stdin and stdout
 * and SKT_REMOTE_ADDR, SKT_REMOTE_PORT, SKT_LOCAL_ADDR, SKT_LOCAL_PORT in
 * its environment; over TLS, through a socket pair that this process
 * pumps. Waits for it. Returns the exit status (0 when the program
 * exited 0, else 1).
 */
int exec_connection(const struct config *c, skt_socket *s);
/* Forks the program of -e/-c with fd as its stdin and stdout and remote
 * and local (len 0: none) in its environment. Returns the child's pid, or
 * -1 with the failure printed. */
pid_t start_program_with(const struct config *c, int fd,
                         const skt_addr *remote, const skt_addr *local);
/* Waits for pid: EXIT_OK when it exited 0, else EXIT_NETWORK. */
int wait_program(pid_t pid);

/* Listeners (listen.c). */
/* True when the --allow/--deny rules let addr in (no rules: everyone). */
bool rules_allow(const struct config *c, const skt_addr *addr);
/* The listener of -l (type SOCK_STREAM or SOCK_DGRAM; dual-stack without
 * HOST), announced with "listening on ADDR" when -v or port 0. Returns 0
 * or the exit status of the failure (printed). */
int open_listener(const struct config *c, int type, skt_socket **out);
/* Closes it and removes its Unix socket file. */
void close_listener(const struct config *c, skt_socket *listener);
/* Accepts one client, in blocking mode, its TLS handshake done when tls
 * is not NULL. Returns 0, 1 when the rules refused it (closed), or a
 * negative code. */
int accept_client(const struct config *c, skt_socket *listener,
                  skt_tls_ctx *tls, skt_socket **out);
/* A listener's bound on each client's TLS handshake without -w. */
#define HANDSHAKE_DEFAULT 10.0
/* The server side of a client's TLS handshake, bounded by -w (else 10 s),
 * with -v's description. Returns 0 or a negative code. */
int tls_accept(const struct config *c, skt_tls_ctx *tls, skt_socket *conn);
/* -k: every client at once, stdin to all of them, their data to stdout
 * (--broker: to each other). Runs until a signal (hub.c). */
int serve_hub(const struct config *c, skt_socket *listener,
              skt_tls_ctx *tls);
/* -k with -e/-c: one process per client, at most -m at once (exec.c). */
int serve_programs(const struct config *c, skt_socket *listener,
                   skt_tls_ctx *tls);

/* -k's process per client (children.c), for -e/-c and skt relay. */
struct children {
    const struct config *c; /* the listener's: -m, -w, the rules, -v */
    skt_socket *listener;
    skt_tls_ctx *tls; /* the handshake each child does first, or NULL */
    /* In the child of one client, its handshake done: serves conn.
     * Never returns. */
    void (*serve)(const struct children *k, skt_socket *conn);
    const void *arg; /* serve's own data */
    /* Kept by serve_children. */
    skt_selector *sel;
    pid_t *pids; /* max_clients slots, 0 when free */
    long count;
    bool accepting;
};
/*
 * Accepts clients of k->listener until a signal, each served by a child
 * process of its own, at most -m at once; then asks every child to end
 * (SIGTERM) and reaps them. Returns 128 + N, or the exit status of a
 * failure (printed). The listener stays the caller's to close.
 */
int serve_children(struct children *k);

#endif
