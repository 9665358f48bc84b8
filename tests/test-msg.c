/*
 * test-msg.c - sendmsg and recvmsg over UDP, UDP6, TCP and Unix sockets;
 * the ancillary-data builder and parser; passing fds (several at once,
 * truncated control data closing every fd that came); credentials; and
 * differential checks against Python's socket module (CMSG_LEN and
 * CMSG_SPACE, send_fds/recv_fds and sendmsg/recvmsg with a Python peer).
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* A file holding text, unlinked already; its position at 0. */
static int file_with(const char *text)
{
    char path[] = "/tmp/skt-test-msg-XXXXXX";
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* A named file holding text, for a peer to open; path must hold 64. */
static void named_file_with(char *path, const char *text)
{
    int fd;

    strcpy(path, "/tmp/skt-test-msg-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Reads what an fd holds from its start. */
static void assert_fd_holds(int fd, const char *text)
{
    char buf[128];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static bool is_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    assert_true(flags >= 0);
    return (flags & FD_CLOEXEC) != 0;
}

static bool is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

/* A UDP socket bound to host port 0, in timeout mode; its address in
 * *addr. Skips when the host's family is missing. */
static skt_socket *udp_bound(const char *text, skt_addr *addr)
{
    skt_socket *s;
    int rc;

    SKT_OK(skt_addr_parse(addr, text));
    rc = skt_open(&s, skt_addr_family(addr), SOCK_DGRAM, 0);
    if (rc == -EAFNOSUPPORT)
        SKT_SKIP("no %s here", text);
    SKT_OK(rc);
    rc = skt_bind(s, addr);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) {
        skt_close(s);
        SKT_SKIP("cannot bind %s here", text);
    }
    SKT_OK(rc);
    SKT_OK(skt_settimeout(s, 5));
    SKT_OK(skt_getsockname(s, addr));
    return s;
}

static void unix_pair(skt_socket **a, skt_socket **b, int type)
{
    SKT_OK(skt_socketpair(a, b, AF_UNIX, type, 0));
    SKT_OK(skt_settimeout(*a, 5));
    SKT_OK(skt_settimeout(*b, 5));
}

/* ------------------------------------------------------------------------ */
/* Lengths, the builder and the parser                                      */
/* ------------------------------------------------------------------------ */

static void test_cmsg_len_and_space_values(void **state)
{
    (void)state;
    assert_int_equal(skt_cmsg_len(0), CMSG_LEN(0));
    assert_int_equal(skt_cmsg_len(4), CMSG_LEN(4));
    assert_int_equal(skt_cmsg_space(0), CMSG_SPACE(0));
    assert_int_equal(skt_cmsg_space(1), CMSG_SPACE(1));
    assert_int_equal(skt_cmsg_space(12), CMSG_SPACE(12));
    assert_int_equal(skt_cmsg_len((size_t)-1), -EOVERFLOW);
    assert_non_null(strstr(skt_error_detail(), "cmsg_len"));
    assert_int_equal(skt_cmsg_space((size_t)-1), -EOVERFLOW);
}

/* Runs the Python peer's cmsg-lengths mode on the values and compares
 * every line with skt's answers. */
static void test_cmsg_len_and_space_match_python(void **state)
{
    static const char *const values[] = {
        "0", "1", "3", "4", "7", "8", "12", "13", "1000", "2147483623",
        "2147483624", "2147483630", "2147483631", "2147483632",
        "2147483647", "4294967296",
    };
    enum { COUNT = sizeof values / sizeof values[0] };
    char script[512], line[128], expected[128];
    char *argv[COUNT + 4];
    int out, status;
    pid_t pid;
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the differential check");
    argv[0] = (char *)skt_test_python();
    argv[1] = (char *)skt_test_source_path("tests/peers/msg_peer.py", script,
                                           sizeof script);
    argv[2] = "cmsg-lengths";
    for (size_t i = 0; i < COUNT; i++)
        argv[3 + i] = (char *)values[i];
    argv[COUNT + 3] = NULL;
    pid = skt_test_spawn(argv, &out);
    for (size_t i = 0; i < COUNT; i++) {
        size_t n = strtoull(values[i], NULL, 10);
        ssize_t len = skt_cmsg_len(n), space = skt_cmsg_space(n);
        char a[24], b[24];
        snprintf(a, sizeof a, "%zd", len);
        snprintf(b, sizeof b, "%zd", space);
        snprintf(expected, sizeof expected, "%s %s %s", values[i],
                 len < 0 ? "overflow" : a, space < 0 ? "overflow" : b);
        assert_true(skt_test_read_line(out, line, sizeof line, 10) >= 0);
        assert_string_equal(line, expected);
    }
    close(out);
    status = skt_test_wait(pid, 10);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_builder_and_parser_round_trip_unaligned(void **state)
{
    SKT_LINUX_ONLY("SCM_CREDENTIALS among its control messages");
    /* One byte in, so that nothing about the buffer is aligned. */
    unsigned char storage[256 + 1];
    skt_ancbuf b = {storage + 1, 256, 0};
    int fds[3] = {0, 1, 2}, got[3];
    skt_cred cred;
    skt_cmsg c;
    size_t pos = 0;
    (void)state;
    SKT_OK(skt_ancbuf_add(&b, 7, 9, "abc", 3));
    SKT_OK(skt_ancbuf_add_fds(&b, fds, 3));
    SKT_OK(skt_ancbuf_add_creds(&b, NULL));
    SKT_OK(skt_ancbuf_add(&b, 1, 2, NULL, 0));
    assert_int_equal(b.len, CMSG_SPACE(3) + CMSG_SPACE(12) +
                                CMSG_SPACE(sizeof(struct ucred)) +
                                CMSG_SPACE(0));
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    assert_int_equal(c.level, 7);
    assert_int_equal(c.type, 9);
    assert_int_equal(c.len, 3);
    assert_memory_equal(c.data, "abc", 3);
    assert_int_equal(skt_cmsg_fds(&c, got, 3), -EINVAL);
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    assert_int_equal(skt_cmsg_fds(&c, got, 3), 3);
    assert_memory_equal(got, fds, sizeof fds);
    assert_int_equal(skt_cmsg_fds(&c, NULL, 0), 3);
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    SKT_OK(skt_cmsg_creds(&c, &cred));
    assert_int_equal(cred.pid, getpid());
    assert_int_equal(cred.uid, getuid());
    assert_int_equal(cred.gid, getgid());
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    assert_int_equal(c.len, 0);
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 0);
    assert_int_equal(pos, b.len);
}

static void test_builder_reports_no_room_and_changes_nothing(void **state)
{
    unsigned char storage[40];
    skt_ancbuf b = {storage, sizeof storage, 0};
    int fds[4] = {0, 1, 2, 3};
    (void)state;
    SKT_OK(skt_ancbuf_add_fds(&b, fds, 1));
    assert_int_equal(b.len, CMSG_SPACE(sizeof(int)));
    assert_int_equal(skt_ancbuf_add_fds(&b, fds, 4), -ENOBUFS);
    assert_non_null(strstr(skt_error_detail(), "needs 32 bytes"));
    assert_int_equal(b.len, CMSG_SPACE(sizeof(int)));
    assert_int_equal(skt_ancbuf_add_fds(&b, fds, 0), -EINVAL);
    assert_int_equal(skt_ancbuf_add_fds(&b, fds, 254), -EINVAL);
    assert_int_equal(skt_ancbuf_add(NULL, 1, 1, "x", 1), -EINVAL);
    assert_int_equal(skt_ancbuf_add(&b, 1, 1, NULL, 1), -EINVAL);
    b.len = b.cap + 1;
    assert_int_equal(skt_ancbuf_add(&b, 1, 1, "x", 1), -EINVAL);
}

/* Writes a control-message header at p claiming len bytes. */
static void put_header(unsigned char *p, size_t len)
{
    struct cmsghdr h;
    memset(&h, 0, sizeof h);
    h.cmsg_len = len;
    h.cmsg_level = SOL_SOCKET;
    h.cmsg_type = 99;
    memcpy(p, &h, sizeof h);
}

static void test_parser_rejects_malformed_bytes(void **state)
{
    unsigned char storage[64];
    skt_ancbuf b = {storage, sizeof storage, 0};
    skt_cmsg c;
    size_t pos;
    (void)state;
    memset(storage, 0, sizeof storage);
    /* A header that claims more than is left. */
    put_header(storage, 40);
    b.len = 32;
    pos = 0;
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "byte 0 of 32"));
    /* A header that claims less than a header. */
    put_header(storage, 8);
    pos = 0;
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), -EINVAL);
    /* A good message followed by a stub. */
    put_header(storage, CMSG_LEN(4));
    b.len = CMSG_SPACE(4) + 4;
    pos = 0;
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), -EINVAL);
    /* The last message's padding may be cut, as the kernel cuts it. */
    b.len = CMSG_LEN(4);
    pos = 0;
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 1);
    assert_int_equal(c.len, 4);
    assert_int_equal(skt_ancbuf_next(&b, &pos, &c), 0);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */
/* ------------------------------------------------------------------------ */

/* Sends three buffers as one datagram from a to b's address, receives it
 * into two, and checks the bytes, the flags and the sender. */
static void datagram_round_trip(const char *host_text)
{
    skt_addr a_addr, b_addr, from;
    skt_socket *a = udp_bound(host_text, &a_addr);
    skt_socket *b = udp_bound(host_text, &b_addr);
    struct iovec out[3] = {{"scatter", 7}, {"/", 1}, {"gather", 6}};
    char first[5], second[32];
    struct iovec in[2] = {{first, sizeof first}, {second, sizeof second}};
    skt_msg send = {out, 3, &b_addr, NULL, 0, 0};
    skt_msg recv = {in, 2, &from, NULL, 0, -1};

    assert_int_equal(skt_sendmsg(a, &send, 0), 14);
    assert_int_equal(skt_recvmsg(b, &recv, 0), 14);
    assert_int_equal(recv.len, 14);
    assert_int_equal(recv.flags, 0);
    assert_memory_equal(first, "scatt", 5);
    assert_memory_equal(second, "er/gather", 9);
    assert_true(skt_addr_equal(&from, &a_addr));
    skt_close(a);
    skt_close(b);
}

static void test_sendmsg_recvmsg_udp_round_trip(void **state)
{
    (void)state;
    datagram_round_trip("127.0.0.1:0");
}

static void test_sendmsg_recvmsg_udp6_round_trip(void **state)
{
    (void)state;
    datagram_round_trip("[::1]:0");
}

static void test_sendmsg_recvmsg_tcp_round_trip(void **state)
{
    skt_socket *client, *server;
    struct iovec out[2] = {{"hello, ", 7}, {"stream", 6}};
    char buf[32];
    struct iovec in = {buf, sizeof buf};
    skt_addr from;
    skt_msg send = {out, 2, NULL, NULL, 0, 0};
    skt_msg recv = {&in, 1, &from, NULL, 0, 0};
    size_t got = 0;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_settimeout(server, 5));
    assert_int_equal(skt_sendmsg(client, &send, 0), 13);
    while (got < 13) {
        in.iov_base = buf + got;
        in.iov_len = sizeof buf - got;
        ssize_t n = skt_recvmsg(server, &recv, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_memory_equal(buf, "hello, stream", 13);
    /* A connected stream socket names no sender. */
    assert_int_equal(from.len, 0);
    skt_close(client);
    skt_close(server);
}

static void test_sendmsg_recvmsg_unix_dgram_names_sender(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names for its sockets");
    char a_text[64], b_text[64], text[SKT_ADDRSTRLEN];
    skt_addr a_addr, b_addr, from;
    skt_socket *a, *b;
    struct iovec out = {"unix", 4};
    char buf[8];
    struct iovec in = {buf, sizeof buf};
    skt_msg send = {&out, 1, &b_addr, NULL, 0, 0};
    skt_msg recv = {&in, 1, &from, NULL, 0, 0};
    (void)state;
    snprintf(a_text, sizeof a_text, "unix:@skt-test-msg-a-%d", getpid());
    snprintf(b_text, sizeof b_text, "unix:@skt-test-msg-b-%d", getpid());
    SKT_OK(skt_addr_parse(&a_addr, a_text));
    SKT_OK(skt_addr_parse(&b_addr, b_text));
    SKT_OK(skt_open(&a, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_open(&b, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_bind(a, &a_addr));
    SKT_OK(skt_bind(b, &b_addr));
    assert_int_equal(skt_sendmsg(a, &send, 0), 4);
    assert_int_equal(skt_recvmsg(b, &recv, 0), 4);
    assert_true(skt_addr_equal(&from, &a_addr));
    assert_true(skt_addr_format(&from, text, sizeof text) > 0);
    assert_string_equal(text, a_text);
    skt_close(a);
    skt_close(b);
}

static void test_recvmsg_reports_msg_trunc(void **state)
{
    skt_addr a_addr, b_addr;
    skt_socket *a = udp_bound("127.0.0.1:0", &a_addr);
    skt_socket *b = udp_bound("127.0.0.1:0", &b_addr);
    char big[100], small[10];
    struct iovec in = {small, sizeof small};
    skt_msg recv = {&in, 1, NULL, NULL, 0, 0};
    (void)state;
    memset(big, 'x', sizeof big);
    assert_int_equal(skt_sendto(a, big, sizeof big, 0, &b_addr), 100);
    assert_int_equal(skt_sendto(a, big, sizeof big, 0, &b_addr), 100);
    assert_int_equal(skt_recvmsg(b, &recv, 0), 10);
    assert_true(recv.flags & MSG_TRUNC);
    /* With MSG_TRUNC asked for, the real length comes back. */
    assert_int_equal(skt_recvmsg(b, &recv, MSG_TRUNC), 100);
    assert_true(recv.flags & MSG_TRUNC);
    skt_close(a);
    skt_close(b);
}

static void test_recvmsg_timeout_and_dontwait(void **state)
{
    skt_socket *a, *b;
    char buf[4];
    struct iovec in = {buf, sizeof buf};
    skt_msg recv = {&in, 1, NULL, NULL, 0, 0};
    double start;
    (void)state;
    unix_pair(&a, &b, SOCK_DGRAM);
    SKT_OK(skt_settimeout(b, 0.2));
    start = skt_test_now();
    assert_int_equal(skt_recvmsg(b, &recv, 0), -ETIMEDOUT);
    assert_true(skt_test_now() - start >= 0.19);
    /* MSG_DONTWAIT is honoured in timeout mode: no wait at all. */
    start = skt_test_now();
    assert_int_equal(skt_recvmsg(b, &recv, MSG_DONTWAIT), -EAGAIN);
    assert_true(skt_test_now() - start < 0.1);
    skt_close(a);
    skt_close(b);
}

static void test_sendmsg_retries_eintr(void **state)
{
    skt_socket *a, *b;
    struct iovec out = {"x", 1};
    skt_msg send = {&out, 1, NULL, NULL, 0, 0};
    char c;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    skt__sys_inject(SKT__OP_SEND, -EINTR, 0, 2, 0);
    assert_int_equal(skt_sendmsg(a, &send, 0), 1);
    skt__sys_inject_clear();
    assert_int_equal(skt_recv(b, &c, 1, 0), 1);
    skt_close(a);
    skt_close(b);
}

static void test_msg_calls_reject_bad_arguments(void **state)
{
    skt_socket *a, *b;
    unsigned char room[8];
    skt_ancbuf anc = {room, sizeof room, 9};
    skt_msg m = {NULL, 1, NULL, NULL, 0, 0};
    int fds[1];
    size_t nfds = 1;
    int flags;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    assert_int_equal(skt_sendmsg(a, NULL, 0), -EINVAL);
    assert_int_equal(skt_sendmsg(a, &m, 0), -EINVAL);
    assert_non_null(strstr(skt_error_detail(), "iov is NULL"));
    m.iovlen = 0;
    m.anc = &anc;
    assert_int_equal(skt_recvmsg(a, &m, 0), -EINVAL);
    assert_int_equal(skt_recv_fds(a, room, 1, fds, &nfds, 0, NULL, NULL),
                     -EINVAL);
    nfds = 1;
    assert_int_equal(skt_recv_fds(a, room, 1, NULL, &nfds, 0, &flags, NULL),
                     -EINVAL);
    assert_int_equal(skt_send_fds(a, "x", 1, fds, 0, 0, NULL), -EINVAL);
    skt_close(a);
    skt_close(b);
}

static void test_msg_calls_refuse_a_transport_in_the_way(void **state)
{
    static const struct skt__transport wrapped = {.name = "tls-like"};
    skt_socket *a, *b;
    struct iovec out = {"x", 1};
    skt_msg m = {&out, 1, NULL, NULL, 0, 0};
    skt_cred cred;
    int fd = 0, flags;
    size_t nfds = 1;
    char c;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    a->transport = &wrapped;
    assert_int_equal(skt_sendmsg(a, &m, 0), -EOPNOTSUPP);
    assert_non_null(strstr(skt_error_detail(), "tls-like"));
    assert_int_equal(skt_recvmsg(a, &m, 0), -EOPNOTSUPP);
    assert_int_equal(skt_send_fds(a, "x", 1, &fd, 1, 0, NULL), -EOPNOTSUPP);
    assert_int_equal(skt_recv_fds(a, &c, 1, &fd, &nfds, 0, &flags, NULL),
                     -EOPNOTSUPP);
    assert_int_equal(skt_getpeercred(a, &cred), -EOPNOTSUPP);
    assert_int_equal(skt_sendmmsg(a, &m, 1, 0), -EOPNOTSUPP);
    a->transport = &skt__plain_transport;
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Passing fds                                                              */
/* ------------------------------------------------------------------------ */

static void test_send_fds_recv_fds_pass_several(void **state)
{
    skt_socket *a, *b;
    int files[3], got[5], flags;
    size_t nfds = 5;
    char buf[16];
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    files[0] = file_with("one");
    files[1] = file_with("two");
    files[2] = file_with("three");
    assert_int_equal(skt_send_fds(a, "fds!", 4, files, 3, 0, NULL), 4);
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &flags,
                                  NULL),
                     4);
    assert_int_equal(nfds, 3);
    assert_int_equal(flags, 0);
    assert_memory_equal(buf, "fds!", 4);
    assert_fd_holds(got[0], "one");
    assert_fd_holds(got[1], "two");
    assert_fd_holds(got[2], "three");
    for (int i = 0; i < 3; i++) {
        assert_true(is_cloexec(got[i]));
        close(got[i]);
        close(files[i]);
    }
    skt_close(a);
    skt_close(b);
}

static void test_recv_fds_with_too_few_slots_closes_every_fd(void **state)
{
    skt_socket *a, *b;
    int files[3], got[1] = {-7}, flags, before;
    size_t nfds = 1;
    char buf[8];
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    for (int i = 0; i < 3; i++)
        files[i] = file_with("x");
    assert_int_equal(skt_send_fds(a, "m", 1, files, 3, 0, NULL), 1);
    before = skt_test_count_fds();
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &flags,
                                  NULL),
                     1);
    /* The byte still comes; the fds do not, and none is left open. */
    assert_int_equal(buf[0], 'm');
    assert_int_equal(nfds, 0);
    assert_true(flags & MSG_CTRUNC);
    assert_int_equal(skt_test_count_fds(), before);
    for (int i = 0; i < 3; i++)
        close(files[i]);
    skt_close(a);
    skt_close(b);
}

static void test_recv_fds_without_slots_reports_truncation(void **state)
{
    skt_socket *a, *b;
    int file = file_with("x"), flags, before;
    size_t nfds = 0;
    char buf[8];
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    assert_int_equal(skt_send_fds(a, "m", 1, &file, 1, 0, NULL), 1);
    before = skt_test_count_fds();
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, NULL, &nfds, 0, &flags,
                                  NULL),
                     1);
    assert_true(flags & MSG_CTRUNC);
    assert_int_equal(skt_test_count_fds(), before);
    close(file);
    skt_close(a);
    skt_close(b);
}

static void test_recvmsg_short_ancbuf_closes_fds_and_marks_them(void **state)
{
    skt_socket *a, *b;
    int files[3], before, got[4];
    /* Room for one fd's message: the kernel fits two ints in its
     * padding, installs them, and reports MSG_CTRUNC for the third. */
    unsigned char room[CMSG_SPACE(sizeof(int))];
    skt_ancbuf anc = {room, sizeof room, 0};
    char buf[8];
    struct iovec in = {buf, sizeof buf};
    skt_msg m = {&in, 1, NULL, &anc, 0, 0};
    size_t pos = 0;
    skt_cmsg c;
    ssize_t count;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    for (int i = 0; i < 3; i++)
        files[i] = file_with("x");
    assert_int_equal(skt_send_fds(a, "m", 1, files, 3, 0, NULL), 1);
    before = skt_test_count_fds();
    assert_int_equal(skt_recvmsg(b, &m, 0), 1);
    assert_true(m.flags & MSG_CTRUNC);
    assert_int_equal(skt_test_count_fds(), before);
    /* What did arrive is marked closed, never a number to misuse. */
    assert_int_equal(skt_ancbuf_next(&anc, &pos, &c), 1);
    count = skt_cmsg_fds(&c, got, 4);
    assert_true(count >= 1);
    for (ssize_t i = 0; i < count && i < 4; i++)
        assert_int_equal(got[i], -1);
    for (int i = 0; i < 3; i++)
        close(files[i]);
    skt_close(a);
    skt_close(b);
}

static void test_several_cmsgs_in_one_message(void **state)
{
    SKT_LINUX_ONLY("SCM_CREDENTIALS among its control messages");
    skt_socket *a, *b;
    int files[3], got[8], count = 0;
    unsigned char out_room[256], in_room[256];
    skt_ancbuf out = {out_room, sizeof out_room, 0};
    skt_ancbuf in = {in_room, sizeof in_room, 0};
    struct iovec data = {"z", 1};
    char buf[4];
    struct iovec into = {buf, sizeof buf};
    skt_msg send = {&data, 1, NULL, &out, 0, 0};
    skt_msg recv = {&into, 1, NULL, &in, 0, 0};
    size_t pos = 0;
    skt_cmsg c;
    skt_cred cred = {0, 0, 0};
    bool saw_creds = false;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    SKT_OK(skt_setsockopt_int(b, SOL_SOCKET, SO_PASSCRED, 1));
    files[0] = file_with("first");
    files[1] = file_with("second");
    files[2] = file_with("third");
    SKT_OK(skt_ancbuf_add_creds(&out, NULL));
    SKT_OK(skt_ancbuf_add_fds(&out, files, 2));
    SKT_OK(skt_ancbuf_add_fds(&out, files + 2, 1));
    assert_int_equal(skt_sendmsg(a, &send, 0), 1);
    assert_int_equal(skt_recvmsg(b, &recv, 0), 1);
    assert_int_equal(recv.flags & MSG_CTRUNC, 0);
    while (skt_ancbuf_next(&in, &pos, &c) == 1) {
        if (c.type == SCM_CREDENTIALS) {
            SKT_OK(skt_cmsg_creds(&c, &cred));
            saw_creds = true;
        } else if (c.type == SCM_RIGHTS) {
            ssize_t n = skt_cmsg_fds(&c, got + count, 8 - (size_t)count);
            assert_true(n > 0 && count + n <= 8);
            count += (int)n;
        }
    }
    /* The kernel gathers the two SCM_RIGHTS into one list, in order. */
    assert_true(saw_creds);
    assert_int_equal(cred.pid, getpid());
    assert_int_equal(count, 3);
    assert_fd_holds(got[0], "first");
    assert_fd_holds(got[1], "second");
    assert_fd_holds(got[2], "third");
    for (int i = 0; i < 3; i++) {
        close(got[i]);
        close(files[i]);
    }
    skt_close(a);
    skt_close(b);
}

static void test_recv_fds_honours_peek_dontwait_and_address(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names for its sockets");
    char a_text[64], b_text[64];
    skt_addr a_addr, b_addr, from;
    skt_socket *a, *b;
    int file = file_with("peeked"), got[2], flags;
    size_t nfds = 2;
    char buf[8];
    (void)state;
    snprintf(a_text, sizeof a_text, "unix:@skt-test-fds-a-%d", getpid());
    snprintf(b_text, sizeof b_text, "unix:@skt-test-fds-b-%d", getpid());
    SKT_OK(skt_addr_parse(&a_addr, a_text));
    SKT_OK(skt_addr_parse(&b_addr, b_text));
    SKT_OK(skt_open(&a, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_open(&b, AF_UNIX, SOCK_DGRAM, 0));
    SKT_OK(skt_bind(a, &a_addr));
    SKT_OK(skt_bind(b, &b_addr));
    SKT_OK(skt_settimeout(b, 5));
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, got, &nfds,
                                  MSG_DONTWAIT, &flags, &from),
                     -EAGAIN);
    assert_int_equal(skt_send_fds(a, "hi", 2, &file, 1, 0, &b_addr), 2);
    /* A peek gets copies of the fds and leaves the message queued. */
    nfds = 2;
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, got, &nfds, MSG_PEEK,
                                  &flags, &from),
                     2);
    assert_int_equal(nfds, 1);
    assert_true(skt_addr_equal(&from, &a_addr));
    assert_fd_holds(got[0], "peeked");
    close(got[0]);
    nfds = 2;
    assert_int_equal(skt_recv_fds(b, buf, sizeof buf, got, &nfds, 0, &flags,
                                  &from),
                     2);
    assert_int_equal(nfds, 1);
    assert_fd_holds(got[0], "peeked");
    close(got[0]);
    close(file);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Credentials                                                              */
/* ------------------------------------------------------------------------ */

static void test_getpeercred_names_this_process(void **state)
{
    SKT_LINUX_ONLY("SO_PEERCRED and SCM_CREDENTIALS");
    skt_socket *a, *b;
    skt_cred cred;
    (void)state;
    unix_pair(&a, &b, SOCK_STREAM);
    SKT_OK(skt_getpeercred(a, &cred));
    assert_int_equal(cred.pid, getpid());
    assert_int_equal(cred.uid, geteuid());
    assert_int_equal(cred.gid, getegid());
    skt_close(a);
    skt_close(b);
}

static void test_getpeercred_of_tcp_is_an_error(void **state)
{
    skt_socket *client, *server;
    skt_cred cred;
    int rc;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    rc = skt_getpeercred(client, &cred);
    /* Linux answers an unset peer (pid 0) or an error, never garbage. */
    if (rc == 0)
        assert_int_equal(cred.pid, 0);
    else
        assert_true(strlen(skt_error_detail()) > 0);
    skt_close(client);
    skt_close(server);
}

static void test_scm_credentials_sent_and_received(void **state)
{
    SKT_LINUX_ONLY("SO_PEERCRED and SCM_CREDENTIALS");
    skt_socket *a, *b;
    unsigned char out_room[64], in_room[64];
    skt_ancbuf out = {out_room, sizeof out_room, 0};
    skt_ancbuf in = {in_room, sizeof in_room, 0};
    skt_cred mine = {getpid(), getuid(), getgid()}, got;
    struct iovec data = {"c", 1};
    char buf[2];
    struct iovec into = {buf, sizeof buf};
    skt_msg send = {&data, 1, NULL, &out, 0, 0};
    skt_msg recv = {&into, 1, NULL, &in, 0, 0};
    size_t pos = 0;
    skt_cmsg c;
    (void)state;
    unix_pair(&a, &b, SOCK_DGRAM);
    SKT_OK(skt_setsockopt_int(b, SOL_SOCKET, SO_PASSCRED, 1));
    SKT_OK(skt_ancbuf_add_creds(&out, &mine));
    assert_int_equal(skt_sendmsg(a, &send, 0), 1);
    assert_int_equal(skt_recvmsg(b, &recv, 0), 1);
    assert_int_equal(skt_ancbuf_next(&in, &pos, &c), 1);
    SKT_OK(skt_cmsg_creds(&c, &got));
    assert_int_equal(got.pid, mine.pid);
    assert_int_equal(got.uid, mine.uid);
    assert_int_equal(got.gid, mine.gid);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Python as the peer                                                       */
/* ------------------------------------------------------------------------ */

/*
 * Starts msg_peer.py in mode with the inheritable end of a Unix stream
 * socketpair, which it gets as its first argument, then further args.
 * Returns its pid; *mine is our end, *out its stdout.
 */
static pid_t start_peer(const char *mode, const char *arg, skt_socket **mine,
                        int *out)
{
    char script[512], fd_text[16];
    skt_socket *theirs;
    pid_t pid;

    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the Python peer");
    unix_pair(mine, &theirs, SOCK_STREAM);
    SKT_OK(skt_set_inheritable(theirs, true));
    snprintf(fd_text, sizeof fd_text, "%d", skt_test_fd(theirs));
    pid = skt_test_spawn(
        (char *const[]){(char *)skt_test_python(),
                        (char *)skt_test_source_path(
                            "tests/peers/msg_peer.py", script, sizeof script),
                        (char *)mode, fd_text, (char *)arg, NULL},
        out);
    skt_close(theirs);
    return pid;
}

static void finish_peer(pid_t pid, skt_socket *mine, int out)
{
    int status;

    skt_close(mine);
    if (out >= 0)
        close(out);
    status = skt_test_wait(pid, 10);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_python_send_fds_to_skt_recv_fds(void **state)
{
    char path_a[64], path_b[64], script[512], fd_text[16], buf[8];
    skt_socket *mine, *theirs;
    int got[4], flags;
    size_t nfds = 4;
    pid_t pid;
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the Python peer");
    named_file_with(path_a, "alpha");
    named_file_with(path_b, "beta");
    unix_pair(&mine, &theirs, SOCK_STREAM);
    SKT_OK(skt_set_inheritable(theirs, true));
    snprintf(fd_text, sizeof fd_text, "%d", skt_test_fd(theirs));
    pid = skt_test_spawn(
        (char *const[]){(char *)skt_test_python(),
                        (char *)skt_test_source_path(
                            "tests/peers/msg_peer.py", script, sizeof script),
                        "send-fds", fd_text, path_a, path_b, NULL},
        NULL);
    skt_close(theirs);
    assert_int_equal(skt_recv_fds(mine, buf, sizeof buf, got, &nfds, 0,
                                  &flags, NULL),
                     3);
    assert_memory_equal(buf, "fds", 3);
    assert_int_equal(nfds, 2);
    assert_fd_holds(got[0], "alpha");
    assert_fd_holds(got[1], "beta");
    assert_true(is_cloexec(got[0]) && is_cloexec(got[1]));
    close(got[0]);
    close(got[1]);
    unlink(path_a);
    unlink(path_b);
    finish_peer(pid, mine, -1);
}

static void test_skt_send_fds_to_python_recv_fds(void **state)
{
    skt_socket *mine;
    int files[2], out;
    char line[128];
    pid_t pid = start_peer("recv-fds", NULL, &mine, &out);
    (void)state;
    files[0] = file_with("gamma");
    files[1] = file_with("delta");
    assert_int_equal(skt_send_fds(mine, "data", 4, files, 2, 0, NULL), 4);
    assert_true(skt_test_read_line(skt_test_fd(mine), line, sizeof line, 10) >
                0);
    assert_string_equal(line, "data|gamma|delta");
    /* Sending passes copies: ours stay open. */
    assert_true(is_open(files[0]) && is_open(files[1]));
    close(files[0]);
    close(files[1]);
    finish_peer(pid, mine, out);
}

static void test_python_sendmsg_to_skt_recvmsg(void **state)
{
    char path[64], script[512], fd_text[16], buf[16];
    unsigned char room[64];
    skt_ancbuf anc = {room, sizeof room, 0};
    struct iovec in = {buf, sizeof buf};
    skt_msg m = {&in, 1, NULL, &anc, 0, 0};
    skt_socket *mine, *theirs;
    size_t pos = 0;
    skt_cmsg c;
    int fd;
    pid_t pid;
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the Python peer");
    named_file_with(path, "from python");
    unix_pair(&mine, &theirs, SOCK_STREAM);
    SKT_OK(skt_set_inheritable(theirs, true));
    snprintf(fd_text, sizeof fd_text, "%d", skt_test_fd(theirs));
    pid = skt_test_spawn(
        (char *const[]){(char *)skt_test_python(),
                        (char *)skt_test_source_path(
                            "tests/peers/msg_peer.py", script, sizeof script),
                        "send-msg", fd_text, path, NULL},
        NULL);
    skt_close(theirs);
    assert_int_equal(skt_recvmsg(mine, &m, 0), 6);
    assert_memory_equal(buf, "python", 6);
    assert_int_equal(skt_ancbuf_next(&anc, &pos, &c), 1);
    assert_int_equal(skt_cmsg_fds(&c, &fd, 1), 1);
    assert_fd_holds(fd, "from python");
    assert_true(is_cloexec(fd));
    close(fd);
    unlink(path);
    finish_peer(pid, mine, -1);
}

static void test_skt_sendmsg_to_python_recvmsg(void **state)
{
    SKT_LINUX_ONLY("abstract Unix names for its sockets");
    skt_socket *mine;
    unsigned char room[128];
    skt_ancbuf anc = {room, sizeof room, 0};
    struct iovec out[3] = {{"scatter", 7}, {"-", 1}, {"gather", 6}};
    skt_msg m = {out, 3, NULL, &anc, 0, 0};
    int file = file_with("epsilon"), fd_out;
    char line[128], expected[64];
    pid_t pid = start_peer("recv-msg", NULL, &mine, &fd_out);
    (void)state;
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    assert_string_equal(line, "ready");
    SKT_OK(skt_ancbuf_add_creds(&anc, NULL));
    SKT_OK(skt_ancbuf_add_fds(&anc, &file, 1));
    assert_int_equal(skt_sendmsg(mine, &m, 0), 14);
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    assert_string_equal(line, "data=scatter-gather");
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    assert_string_equal(line, "flags=0");
    snprintf(expected, sizeof expected, "creds %d %u %u", (int)getpid(),
             (unsigned)getuid(), (unsigned)getgid());
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    assert_string_equal(line, expected);
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    assert_string_equal(line, "rights epsilon");
    close(file);
    finish_peer(pid, mine, fd_out);
}

static void test_udp_sendmsg_recvmsg_with_python_peer(void **state)
{
    char script[512], line[32], port_text[48], buf[32];
    skt_addr mine_addr, peer, from;
    skt_socket *s;
    struct iovec out[2] = {{"abc", 3}, {"def", 3}};
    struct iovec in = {buf, sizeof buf};
    skt_msg send = {out, 2, &peer, NULL, 0, 0};
    skt_msg recv = {&in, 1, &from, NULL, 0, 0};
    int fd_out;
    pid_t pid;
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the Python peer");
    s = udp_bound("127.0.0.1:0", &mine_addr);
    pid = skt_test_spawn(
        (char *const[]){(char *)skt_test_python(),
                        (char *)skt_test_source_path(
                            "tests/peers/msg_peer.py", script, sizeof script),
                        "udp-echo", NULL},
        &fd_out);
    assert_true(skt_test_read_line(fd_out, line, sizeof line, 10) > 0);
    snprintf(port_text, sizeof port_text, "127.0.0.1:%s", line);
    SKT_OK(skt_addr_parse(&peer, port_text));
    assert_int_equal(skt_sendmsg(s, &send, 0), 6);
    assert_int_equal(skt_recvmsg(s, &recv, 0), 6);
    assert_memory_equal(buf, "fedcba", 6);
    assert_true(skt_addr_equal(&from, &peer));
    close(fd_out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    skt_close(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cmsg_len_and_space_values),
    cmocka_unit_test(test_cmsg_len_and_space_match_python),
    cmocka_unit_test(test_builder_and_parser_round_trip_unaligned),
    cmocka_unit_test(test_builder_reports_no_room_and_changes_nothing),
    cmocka_unit_test(test_parser_rejects_malformed_bytes),
    cmocka_unit_test(test_sendmsg_recvmsg_udp_round_trip),
    cmocka_unit_test(test_sendmsg_recvmsg_udp6_round_trip),
    cmocka_unit_test(test_sendmsg_recvmsg_tcp_round_trip),
    cmocka_unit_test(test_sendmsg_recvmsg_unix_dgram_names_sender),
    cmocka_unit_test(test_recvmsg_reports_msg_trunc),
    cmocka_unit_test(test_recvmsg_timeout_and_dontwait),
    cmocka_unit_test(test_sendmsg_retries_eintr),
    cmocka_unit_test(test_msg_calls_reject_bad_arguments),
    cmocka_unit_test(test_msg_calls_refuse_a_transport_in_the_way),
    cmocka_unit_test(test_send_fds_recv_fds_pass_several),
    cmocka_unit_test(test_recv_fds_with_too_few_slots_closes_every_fd),
    cmocka_unit_test(test_recv_fds_without_slots_reports_truncation),
    cmocka_unit_test(test_recvmsg_short_ancbuf_closes_fds_and_marks_them),
    cmocka_unit_test(test_several_cmsgs_in_one_message),
    cmocka_unit_test(test_recv_fds_honours_peek_dontwait_and_address),
    cmocka_unit_test(test_getpeercred_names_this_process),
    cmocka_unit_test(test_getpeercred_of_tcp_is_an_error),
    cmocka_unit_test(test_scm_credentials_sent_and_received),
    cmocka_unit_test(test_python_send_fds_to_skt_recv_fds),
    cmocka_unit_test(test_skt_send_fds_to_python_recv_fds),
    cmocka_unit_test(test_python_sendmsg_to_skt_recvmsg),
    cmocka_unit_test(test_skt_sendmsg_to_python_recvmsg),
    cmocka_unit_test(test_udp_sendmsg_recvmsg_with_python_peer),
};

SKT_TEST_MAIN(tests)
