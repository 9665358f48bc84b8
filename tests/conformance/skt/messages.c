/*
 * messages.c - CMSG_LEN and CMSG_SPACE, passing fds and credentials,
 * sendmsg and recvmsg, on skt (py/messages.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *flags_text(int flags)
{
    static char text[4][64];
    static int next;
    char *out = text[next++ % 4];
    static const struct {
        int bit;
        const char *name;
    } names[] = {{MSG_TRUNC, "TRUNC"},
                 {MSG_CTRUNC, "CTRUNC"},
                 {MSG_EOR, "EOR"},
                 {MSG_OOB, "OOB"}};

    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            snprintf(out + strlen(out), 64 - strlen(out), "%s%s",
                     out[0] ? "|" : "", names[i].name);
    return out[0] ? out : "0";
}

/* ------------------------------------------------------------------------ */
/* cmsg                                                                     */
/* ------------------------------------------------------------------------ */

static void cmsg_sizes(const char *name, bool space, const size_t *cases,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char sub[32];
        ssize_t n = space ? skt_cmsg_space(cases[i]) : skt_cmsg_len(cases[i]);

        snprintf(sub, sizeof sub, "%zu", cases[i]);
        conf_emit_sub(name, sub, "%s", conf_val(n));
    }
}

static void cmsg_len(const char *name)
{
    static const size_t cases[] = {0,  1,   4,          8,         12,
                                   16, 100, 2147483631, 2147483632};
    cmsg_sizes(name, false, cases, sizeof cases / sizeof cases[0]);
}

static void cmsg_space(const char *name)
{
    static const size_t cases[] = {0,  1,   4,          8,         12,
                                   16, 100, 2147483623, 2147483624};
    cmsg_sizes(name, true, cases, sizeof cases / sizeof cases[0]);
}

/* ------------------------------------------------------------------------ */
/* fdpass                                                                   */
/* ------------------------------------------------------------------------ */

enum fd_report { F_SUMMARY, F_CLOEXEC, F_WORKS, F_NEW_NUMBERS };

static void report_fds(const char *name, enum fd_report report, const char *buf,
                       ssize_t n, const int *got, size_t nfds, int msg_flags,
                       int pipes[][2], size_t count)
{
    char text[128] = "", back[100];
    bool fresh = true;
    ssize_t r;

    switch (report) {
    case F_SUMMARY:
        conf_emit(name, "%.*s %zu %s", (int)n, buf, nfds,
                  flags_text(msg_flags));
        break;
    case F_CLOEXEC:
        for (size_t i = 0; i < nfds; i++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                     i ? " " : "",
                     conf_bool(!(fcntl(got[i], F_GETFD) & FD_CLOEXEC)));
        conf_emit(name, "%s", text);
        break;
    case F_WORKS:
        if (nfds < 1 || write(got[0], "through", 7) != 7)
            return conf_emit(name, "none");
        r = read(pipes[0][0], back, sizeof back);
        conf_emit(name, "%s", conf_bytes(back, r > 0 ? (size_t)r : 0));
        break;
    case F_NEW_NUMBERS:
        for (size_t i = 0; i < nfds; i++)
            for (size_t j = 0; j < count; j++)
                fresh = fresh && got[i] != pipes[j][0] && got[i] != pipes[j][1];
        conf_emit(name, "%s", conf_bool(fresh));
        break;
    }
}

static void pass_fds(const char *name, int type, size_t count, size_t room,
                     enum fd_report report)
{
    skt_socket *a, *b;
    int pipes[4][2], send[4], got[4];
    size_t nfds = room;
    int msg_flags = 0;
    char buf[10];
    ssize_t n = conf_unix_pair(type, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    for (size_t i = 0; i < count; i++) {
        if (pipe2(pipes[i], O_CLOEXEC) < 0)
            pipes[i][0] = pipes[i][1] = -1;
        send[i] = pipes[i][1];
    }
    n = skt_send_fds(a, "x", 1, send, count, 0, NULL);
    if (n >= 0)
        n = skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &msg_flags, NULL);
    if (n < 0)
        conf_rc(name, n);
    else
        report_fds(name, report, buf, n, got, nfds, msg_flags, pipes, count);
    for (size_t i = 0; n >= 0 && i < nfds; i++)
        close(got[i]);
    for (size_t i = 0; i < count; i++)
        close(pipes[i][0]), close(pipes[i][1]);
    conf_close(a, b, NULL);
}

static void fdpass_one(const char *n)
{
    pass_fds(n, SOCK_STREAM, 1, 1, F_SUMMARY);
}
static void fdpass_three(const char *n)
{
    pass_fds(n, SOCK_STREAM, 3, 3, F_SUMMARY);
}
static void fdpass_cloexec(const char *n)
{
    pass_fds(n, SOCK_STREAM, 2, 2, F_CLOEXEC);
}
static void fdpass_received_fd_works(const char *n)
{
    pass_fds(n, SOCK_STREAM, 1, 1, F_WORKS);
}
static void fdpass_new_fd_numbers(const char *n)
{
    pass_fds(n, SOCK_STREAM, 2, 2, F_NEW_NUMBERS);
}
static void fdpass_room_for_more(const char *n)
{
    pass_fds(n, SOCK_STREAM, 1, 4, F_SUMMARY);
}
static void fdpass_more_than_room(const char *n)
{
    pass_fds(n, SOCK_STREAM, 3, 1, F_SUMMARY);
}
static void fdpass_dgram(const char *n)
{
    pass_fds(n, SOCK_DGRAM, 1, 1, F_SUMMARY);
}
static void fdpass_seqpacket(const char *n)
{
    pass_fds(n, SOCK_SEQPACKET, 2, 2, F_SUMMARY);
}

static void fdpass_none_sent(const char *name)
{
    skt_socket *a, *b;
    int got[2], msg_flags = 0;
    size_t nfds = 2;
    char buf[10];
    ssize_t n = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    skt_sendall(a, "plain", 5, 0, NULL);
    n = skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &msg_flags, NULL);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %zu %s", (int)n, buf, nfds,
                  flags_text(msg_flags));
    conf_close(a, b, NULL);
}

static void fdpass_bad_fd(const char *name)
{
    skt_socket *a, *b;
    int bad = 987654;
    ssize_t n = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    conf_rc(name, skt_send_fds(a, "x", 1, &bad, 1, 0, NULL));
    conf_close(a, b, NULL);
}

static void fdpass_fd_count(const char *name)
{
    skt_socket *a, *b;
    int p[2], got[1], msg_flags = 0, before, more;
    size_t nfds = 1;
    char buf[10];
    ssize_t n = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    if (pipe2(p, O_CLOEXEC) < 0) {
        conf_close(a, b, NULL);
        return conf_rc(name, -errno);
    }
    n = skt_send_fds(a, "x", 1, &p[1], 1, 0, NULL);
    before = conf_fds();
    if (n >= 0)
        n = skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &msg_flags, NULL);
    more = conf_fds() - before;
    for (size_t i = 0; n >= 0 && i < nfds; i++)
        close(got[i]);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%d %d", more, conf_fds() - before);
    close(p[0]), close(p[1]);
    conf_close(a, b, NULL);
}

static void credentials(const char *name, bool passcred)
{
    skt_socket *a, *b;
    unsigned char space[64], sendspace[64];
    skt_ancbuf out = {sendspace, sizeof sendspace, 0};
    skt_ancbuf in = {space, sizeof space, 0};
    char buf[10];
    struct iovec one = {"c", 1}, into = {buf, sizeof buf};
    skt_msg m = {.iov = &one, .iovlen = 1, .anc = &out};
    skt_msg r = {.iov = &into, .iovlen = 1, .anc = &in};
    skt_cmsg c;
    skt_cred cred;
    size_t pos = 0, count = 0;
    ssize_t n = conf_unix_pair(SOCK_STREAM, &a, &b);

    if (n < 0)
        return conf_rc(name, n);
    if (passcred)
        n = skt_setsockopt_int(b, SOL_SOCKET, SO_PASSCRED, 1);
    if (n == 0)
        n = skt_ancbuf_add_creds(&out, NULL);
    if (n == 0)
        n = skt_sendmsg(a, &m, 0);
    if (n >= 0)
        n = skt_recvmsg(b, &r, 0);
    if (n < 0) {
        conf_close(a, b, NULL);
        return conf_rc(name, n);
    }
    while (skt_ancbuf_next(&in, &pos, &c) == 1) {
        count++;
        if (passcred && skt_cmsg_creds(&c, &cred) == 0) {
            conf_emit(name, "%s %s %s", conf_bool(cred.pid == getpid()),
                      conf_bool(cred.uid == getuid()),
                      conf_bool(cred.gid == getgid()));
            return conf_close(a, b, NULL);
        }
    }
    if (passcred)
        conf_emit(name, "none");
    else
        conf_emit(name, "%.*s %zu", (int)n, buf, count);
    conf_close(a, b, NULL);
}

static void fdpass_credentials(const char *n)
{
    credentials(n, true);
}
static void fdpass_credentials_without_passcred(const char *n)
{
    credentials(n, false);
}

/* ------------------------------------------------------------------------ */
/* msg                                                                      */
/* ------------------------------------------------------------------------ */

/* Counts the control messages in a received buffer. */
static size_t anc_count(const skt_ancbuf *b)
{
    skt_cmsg c;
    size_t pos = 0, n = 0;

    while (skt_ancbuf_next(b, &pos, &c) == 1)
        n++;
    return n;
}

typedef void unix_fn(const char *name, skt_socket *a, skt_socket *b);

static void on_unix(const char *name, int type, unix_fn *fn)
{
    skt_socket *a, *b;
    int rc = conf_unix_pair(type, &a, &b);

    if (rc < 0)
        return conf_rc(name, rc);
    fn(name, a, b);
    conf_close(a, b, NULL);
}

/* A receiving message over buf (one buffer) and anc, sender into src. */
#define RECEIVING(r, buf, ancp, srcp)                                          \
    struct iovec r##_iov = {buf, sizeof buf};                                  \
    skt_msg r = {.iov = &r##_iov, .iovlen = 1, .anc = ancp, .addr = srcp}

#define UNIX(fn, type)                                                         \
    static void fn##_body(const char *, skt_socket *, skt_socket *);           \
    static void fn(const char *name)                                           \
    {                                                                          \
        on_unix(name, type, fn##_body);                                        \
    }                                                                          \
    static void fn##_body(const char *name, skt_socket *a, skt_socket *b)

UNIX(msg_sendmsg_gather, SOCK_STREAM)
{
    struct iovec parts[3] = {{"ab", 2}, {"cd", 2}, {"ef", 2}};
    skt_msg m = {.iov = parts, .iovlen = 3};
    char buf[100];
    ssize_t n = skt_sendmsg(a, &m, 0);
    ssize_t k = n < 0 ? n : skt_recv(b, buf, sizeof buf, 0);

    if (k < 0)
        return conf_rc(name, k);
    conf_emit(name, "%zd %.*s", n, (int)k, buf);
}

UNIX(msg_recvmsg_into_scatter, SOCK_STREAM)
{
    char one[2], two[10];
    unsigned char space[1024];
    skt_ancbuf anc = {space, sizeof space, 0};
    struct iovec into[2] = {{one, sizeof one}, {two, sizeof two}};
    skt_msg r = {.iov = into, .iovlen = 2, .anc = &anc};
    ssize_t n;

    skt_sendall(a, "abcdef", 6, 0, NULL);
    usleep(50000);
    n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%zd %.2s %.*s %zu %s", n, one, (int)(n - 2), two,
              anc_count(&anc), flags_text(r.flags));
}

UNIX(msg_recvmsg_basic, SOCK_STREAM)
{
    char buf[100];
    unsigned char space[1024];
    skt_ancbuf anc = {space, sizeof space, 0};
    skt_addr src;
    RECEIVING(r, buf, &anc, &src);
    ssize_t n;

    skt_sendall(a, "abc", 3, 0, NULL);
    n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%.*s %zu %s %s", (int)n, buf, anc_count(&anc),
              flags_text(r.flags), conf_addr(&src));
}

UNIX(msg_recvmsg_eof, SOCK_STREAM)
{
    char buf[100];
    RECEIVING(r, buf, NULL, NULL);
    ssize_t n;

    skt_shutdown(a, SHUT_WR);
    n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%s %s", conf_bytes(buf, (size_t)n), flags_text(r.flags));
}

UNIX(msg_recvmsg_peek, SOCK_STREAM)
{
    char buf[100], again[100];
    RECEIVING(r, buf, NULL, NULL);
    ssize_t n, k;

    skt_sendall(a, "peek", 4, 0, NULL);
    n = skt_recvmsg(b, &r, MSG_PEEK);
    k = n < 0 ? n : skt_recv(b, again, sizeof again, 0);
    if (k < 0)
        return conf_rc(name, k);
    conf_emit(name, "%.*s %.*s", (int)n, buf, (int)k, again);
}

UNIX(msg_recvmsg_nonblocking, SOCK_STREAM)
{
    char buf[100];
    RECEIVING(r, buf, NULL, NULL);

    (void)a;
    skt_setblocking(b, false);
    conf_rc(name, skt_recvmsg(b, &r, 0));
}

UNIX(msg_recvmsg_timeout, SOCK_STREAM)
{
    char buf[100];
    RECEIVING(r, buf, NULL, NULL);
    double start;
    ssize_t n;

    (void)a;
    skt_settimeout(b, 0.2);
    start = conf_now();
    n = skt_recvmsg(b, &r, 0);
    conf_emit(name, "%s %s", conf_err(n), conf_bucket(conf_now() - start));
}

UNIX(msg_ancillary_truncated, SOCK_STREAM)
{
    char buf[100];
    unsigned char space[1024];
    skt_ancbuf anc = {space, (size_t)skt_cmsg_len(0), 0};
    RECEIVING(r, buf, &anc, NULL);
    int p[2];
    ssize_t n;

    if (pipe2(p, O_CLOEXEC) < 0)
        return conf_rc(name, -errno);
    n = skt_send_fds(a, "x", 1, &p[1], 1, 0, NULL);
    if (n >= 0)
        n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %zu %s", (int)n, buf, anc_count(&anc),
                  flags_text(r.flags));
    close(p[0]), close(p[1]);
}

UNIX(msg_no_control_data, SOCK_STREAM)
{
    char buf[100];
    unsigned char space[1024];
    skt_ancbuf anc = {space, sizeof space, 0};
    RECEIVING(r, buf, &anc, NULL);
    ssize_t n;

    skt_sendall(a, "q", 1, 0, NULL);
    n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%.*s %zu %s", (int)n, buf, anc_count(&anc),
              flags_text(r.flags));
}

UNIX(msg_seqpacket_eor, SOCK_SEQPACKET)
{
    struct iovec one = {"rec", 3};
    skt_msg m = {.iov = &one, .iovlen = 1};
    char buf[100];
    RECEIVING(r, buf, NULL, NULL);
    ssize_t n = skt_sendmsg(a, &m, 0);

    if (n >= 0)
        n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        return conf_rc(name, n);
    conf_emit(name, "%s", flags_text(r.flags));
}

static void msg_udp_sendmsg_to(const char *name)
{
    skt_socket *a, *b, *x = NULL;
    skt_addr any, to, src, mine;
    char buf[100];
    struct iovec parts[2] = {{"dg", 2}, {"ram", 3}};
    struct iovec whole = {buf, sizeof buf};
    skt_msg m = {.iov = parts, .iovlen = 2, .addr = &to};
    skt_msg r = {.iov = &whole, .iovlen = 1, .addr = &src};
    ssize_t n = conf_udp_pair(&a, &b), k;

    if (n < 0)
        return conf_rc(name, n);
    skt_addr_parse(&any, "127.0.0.1:0");
    n = skt_open(&x, AF_INET, SOCK_DGRAM, 0);
    if (n == 0)
        n = skt_bind(x, &any);
    if (n == 0)
        n = skt_settimeout(x, 5);
    if (n == 0)
        n = skt_getsockname(x, &to);
    if (n == 0)
        n = skt_sendmsg(a, &m, 0);
    k = n < 0 ? n : skt_recvmsg(x, &r, 0);
    skt_getsockname(a, &mine);
    if (k < 0)
        conf_rc(name, k);
    else
        conf_emit(name, "%zd %.*s %s %s %s", n, (int)k, buf,
                  flags_text(r.flags), conf_addr(&src),
                  conf_bool(skt_addr_equal(&src, &mine)));
    conf_close(a, b, x);
}

static void msg_udp_truncated(const char *name)
{
    skt_socket *a, *b;
    char buf[3];
    struct iovec whole = {buf, sizeof buf};
    skt_msg r = {.iov = &whole, .iovlen = 1};
    ssize_t n = conf_udp_pair(&a, &b);

    if (n < 0)
        return conf_rc(name, n);
    skt_send(a, "0123456789", 10, 0);
    n = skt_recvmsg(b, &r, 0);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %s", (int)n, buf, flags_text(r.flags));
    conf_close(a, b, NULL);
}

static void msg_udp_empty(const char *name)
{
    skt_socket *a, *b;
    char buf[10];
    struct iovec whole = {buf, sizeof buf};
    skt_msg m = {.iov = NULL, .iovlen = 0};
    skt_msg r = {.iov = &whole, .iovlen = 1};
    ssize_t n = conf_udp_pair(&a, &b), k;

    if (n < 0)
        return conf_rc(name, n);
    n = skt_sendmsg(a, &m, 0);
    k = n < 0 ? n : skt_recvmsg(b, &r, 0);
    if (k < 0)
        conf_rc(name, k);
    else
        conf_emit(name, "%zd %s %s", n, conf_bytes(buf, (size_t)k),
                  flags_text(r.flags));
    conf_close(a, b, NULL);
}

static void msg_unix_dgram_to_path(const char *name)
{
    skt_socket *rx, *tx = NULL;
    skt_addr to, src;
    char buf[100];
    const char *p = conf_path("dgram.sock");
    struct iovec one = {"to-path", 7}, whole = {buf, sizeof buf};
    skt_msg m = {.iov = &one, .iovlen = 1, .addr = &to};
    skt_msg r = {.iov = &whole, .iovlen = 1, .addr = &src};
    ssize_t n = skt_addr_from_unix(&to, p, strlen(p), false);

    if (n == 0)
        n = skt_open(&rx, AF_UNIX, SOCK_DGRAM, 0);
    if (n < 0)
        return conf_rc(name, n);
    n = skt_open(&tx, AF_UNIX, SOCK_DGRAM, 0);
    if (n == 0)
        n = skt_bind(rx, &to);
    if (n == 0)
        n = skt_settimeout(rx, 5);
    if (n == 0)
        n = skt_sendmsg(tx, &m, 0);
    if (n >= 0)
        n = skt_recvmsg(rx, &r, 0);
    if (n < 0)
        conf_rc(name, n);
    else
        conf_emit(name, "%.*s %s", (int)n, buf, conf_addr(&src));
    conf_close(rx, tx, NULL);
}

const conf_scenario conf_messages[] = {
    {"cmsg.len", cmsg_len},
    {"cmsg.space", cmsg_space},
    {"fdpass.one", fdpass_one},
    {"fdpass.three", fdpass_three},
    {"fdpass.cloexec", fdpass_cloexec},
    {"fdpass.received_fd_works", fdpass_received_fd_works},
    {"fdpass.new_fd_numbers", fdpass_new_fd_numbers},
    {"fdpass.room_for_more", fdpass_room_for_more},
    {"fdpass.more_than_room", fdpass_more_than_room},
    {"fdpass.dgram", fdpass_dgram},
    {"fdpass.seqpacket", fdpass_seqpacket},
    {"fdpass.none_sent", fdpass_none_sent},
    {"fdpass.bad_fd", fdpass_bad_fd},
    {"fdpass.fd_count", fdpass_fd_count},
    {"fdpass.credentials", fdpass_credentials},
    {"fdpass.credentials_without_passcred",
     fdpass_credentials_without_passcred},
    {"msg.sendmsg_gather", msg_sendmsg_gather},
    {"msg.recvmsg_into_scatter", msg_recvmsg_into_scatter},
    {"msg.recvmsg_basic", msg_recvmsg_basic},
    {"msg.recvmsg_eof", msg_recvmsg_eof},
    {"msg.recvmsg_peek", msg_recvmsg_peek},
    {"msg.recvmsg_nonblocking", msg_recvmsg_nonblocking},
    {"msg.recvmsg_timeout", msg_recvmsg_timeout},
    {"msg.ancillary_truncated", msg_ancillary_truncated},
    {"msg.no_control_data", msg_no_control_data},
    {"msg.seqpacket_eor", msg_seqpacket_eor},
    {"msg.udp_sendmsg_to", msg_udp_sendmsg_to},
    {"msg.udp_truncated", msg_udp_truncated},
    {"msg.udp_empty", msg_udp_empty},
    {"msg.unix_dgram_to_path", msg_unix_dgram_to_path},
    {NULL, NULL},
};
