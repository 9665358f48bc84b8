/*
 * test-sendfile.c - skt_sendfile: whole files, offsets and counts, the end
 * of file, the file position left after, pipes through the copying
 * fallback, one deadline that reports progress (kernel path and
 * fallback), non-blocking mode, no SIGPIPE, bad arguments, and the same
 * results as Python's socket.sendfile.
 */
#include "harness.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)((i * 7) ^ (i >> 9));
}

/* A temporary file of size bytes of the pattern; its path in path (64
 * bytes) unless path is NULL, in which case it is unlinked at once. */
static int pattern_file(size_t size, char *path)
{
    char name[64] = "/tmp/skt-test-sendfile-XXXXXX";
    unsigned char block[4096];
    int fd = mkstemp(name);

    assert_true(fd >= 0);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof block ? size - done : sizeof block;
        for (size_t i = 0; i < n; i++)
            block[i] = pattern_byte(done + i);
        assert_int_equal(write(fd, block, n), (ssize_t)n);
        done += n;
    }
    if (path != NULL)
        strcpy(path, name);
    else
        unlink(name);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* A reader on its own thread that takes everything until end of file. */
struct drain {
    skt_socket *s;
    unsigned char *buf;
    size_t cap;
    size_t got;
    pthread_t thread;
};

static void *drain_main(void *arg)
{
    struct drain *d = arg;

    for (;;) {
        unsigned char scratch[65536];
        bool keep = d->got < d->cap;
        ssize_t n = skt_recv(d->s, keep ? d->buf + d->got : scratch,
                             keep ? d->cap - d->got : sizeof scratch, 0);
        if (n <= 0)
            return NULL;
        d->got += (size_t)n;
    }
}

static void drain_start(struct drain *d, skt_socket *s, size_t cap)
{
    d->s = s;
    d->cap = cap;
    d->got = 0;
    d->buf = malloc(cap > 0 ? cap : 1);
    assert_non_null(d->buf);
    assert_int_equal(pthread_create(&d->thread, NULL, drain_main, d), 0);
}

static void drain_join(struct drain *d)
{
    pthread_join(d->thread, NULL);
}

/* Checks that got holds the pattern from offset on. */
static void assert_pattern(const unsigned char *got, size_t len,
                           size_t offset)
{
    for (size_t i = 0; i < len; i++)
        if (got[i] != pattern_byte(offset + i))
            fail_msg("byte %zu differs", i);
}

static void stream_pair(skt_socket **a, skt_socket **b)
{
    SKT_OK(skt_socketpair(a, b, AF_UNIX, SOCK_STREAM, 0));
}

/* Sends with skt_sendfile from a to b, which a thread drains; returns what
 * arrived (free it). */
static unsigned char *send_and_collect(int fd, off_t offset, size_t count,
                                       size_t expected, size_t *sent)
{
    skt_socket *a, *b;
    struct drain d;

    stream_pair(&a, &b);
    drain_start(&d, b, expected + 1);
    SKT_OK(skt_sendfile(a, fd, offset, count, sent));
    SKT_OK(skt_shutdown(a, SHUT_WR));
    drain_join(&d);
    assert_int_equal(d.got, expected);
    skt_close(a);
    skt_close(b);
    return d.buf;
}

/* ------------------------------------------------------------------------ */
/* Regular files                                                            */
/* ------------------------------------------------------------------------ */

static void test_sendfile_whole_file_over_tcp(void **state)
{
    enum { SIZE = 3 * 1024 * 1024 + 17 };
    int fd = pattern_file(SIZE, NULL);
    skt_socket *client, *server;
    struct drain d;
    size_t sent = 0;
    (void)state;
    skt_test_tcp_pair(&client, &server);
    SKT_OK(skt_settimeout(client, 10));
    drain_start(&d, server, SIZE);
    SKT_OK(skt_sendfile(client, fd, 0, 0, &sent));
    assert_int_equal(sent, SIZE);
    SKT_OK(skt_shutdown(client, SHUT_WR));
    drain_join(&d);
    assert_int_equal(d.got, SIZE);
    assert_pattern(d.buf, SIZE, 0);
    free(d.buf);
    skt_close(client);
    skt_close(server);
    close(fd);
}

static void test_sendfile_offset_and_count_send_that_range(void **state)
{
    int fd = pattern_file(100000, NULL);
    size_t sent = 0;
    unsigned char *got;
    (void)state;
    got = send_and_collect(fd, 1000, 5000, 5000, &sent);
    assert_int_equal(sent, 5000);
    assert_pattern(got, 5000, 1000);
    free(got);
    close(fd);
}

static void test_sendfile_stops_at_end_of_file(void **state)
{
    int fd = pattern_file(1000, NULL);
    size_t sent = 0;
    unsigned char *got;
    (void)state;
    got = send_and_collect(fd, 990, 100, 10, &sent);
    assert_int_equal(sent, 10);
    assert_pattern(got, 10, 990);
    free(got);
    /* An offset past the end sends nothing, and that is no error. */
    got = send_and_collect(fd, 5000, 0, 0, &sent);
    assert_int_equal(sent, 0);
    free(got);
    close(fd);
}

static void test_sendfile_leaves_position_after_what_was_sent(void **state)
{
    int fd = pattern_file(10000, NULL);
    size_t sent = 0;
    (void)state;
    free(send_and_collect(fd, 100, 2000, 2000, &sent));
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 2100);
    close(fd);
}

/* Python leaves the position alone when nothing was sent (an offset past
 * the end): os.sendfile reads at an explicit offset. */
static void test_sendfile_past_the_end_keeps_the_position(void **state)
{
    /* The copy seeks to the offset, as Python's copy does. */
    SKT_LINUX_ONLY("the kernel's sendfile, which reads at an offset");
    int fd = pattern_file(1000, NULL);
    size_t sent = 1;
    (void)state;
    assert_int_equal(lseek(fd, 123, SEEK_SET), 123);
    free(send_and_collect(fd, 5000, 0, 0, &sent));
    assert_int_equal(sent, 0);
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 123);
    close(fd);
}

/* ------------------------------------------------------------------------ */
/* Pipes: the copying fallback                                              */
/* ------------------------------------------------------------------------ */

struct feeder {
    int fd;
    size_t size;
    pthread_t thread;
};

static void *feed_main(void *arg)
{
    struct feeder *f = arg;
    unsigned char block[5000];

    for (size_t done = 0; done < f->size;) {
        size_t n = f->size - done < sizeof block ? f->size - done
                                                 : sizeof block;
        for (size_t i = 0; i < n; i++)
            block[i] = pattern_byte(done + i);
        if (write(f->fd, block, n) != (ssize_t)n)
            break;
        done += n;
    }
    close(f->fd);
    return NULL;
}

static void test_sendfile_pipe_falls_back_to_copying(void **state)
{
    enum { SIZE = 1024 * 1024 + 3 };
    struct feeder f = {-1, SIZE, 0};
    int pipe_fds[2];
    size_t sent = 0;
    skt_socket *a, *b;
    struct drain d;
    (void)state;
    assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
    f.fd = pipe_fds[1];
    assert_int_equal(pthread_create(&f.thread, NULL, feed_main, &f), 0);
    stream_pair(&a, &b);
    drain_start(&d, b, SIZE);
    SKT_OK(skt_sendfile(a, pipe_fds[0], 0, 0, &sent));
    assert_int_equal(sent, SIZE);
    SKT_OK(skt_shutdown(a, SHUT_WR));
    drain_join(&d);
    pthread_join(f.thread, NULL);
    assert_int_equal(d.got, SIZE);
    assert_pattern(d.buf, SIZE, 0);
    free(d.buf);
    close(pipe_fds[0]);
    skt_close(a);
    skt_close(b);
}

static void test_sendfile_pipe_honours_count(void **state)
{
    int pipe_fds[2];
    size_t sent = 0;
    skt_socket *a, *b;
    char buf[16];
    (void)state;
    assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
    assert_int_equal(write(pipe_fds[1], "0123456789", 10), 10);
    stream_pair(&a, &b);
    SKT_OK(skt_sendfile(a, pipe_fds[0], 0, 4, &sent));
    assert_int_equal(sent, 4);
    assert_int_equal(skt_recv(b, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "0123", 4);
    /* The rest is still in the pipe. */
    assert_int_equal(read(pipe_fds[0], buf, sizeof buf), 6);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    skt_close(a);
    skt_close(b);
}

static void test_sendfile_pipe_with_offset_is_espipe(void **state)
{
    int pipe_fds[2];
    size_t sent = 99;
    skt_socket *a, *b;
    (void)state;
    assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
    stream_pair(&a, &b);
    assert_int_equal(skt_sendfile(a, pipe_fds[0], 10, 0, &sent), -ESPIPE);
    assert_int_equal(sent, 0);
    assert_non_null(strstr(skt_error_detail(), "sendfile from fd"));
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    skt_close(a);
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* Deadlines and modes                                                      */
/* ------------------------------------------------------------------------ */

/* A pair whose sender fills after a few KiB, since no one reads b. */
static void small_pair(skt_socket **a, skt_socket **b)
{
    stream_pair(a, b);
    SKT_OK(skt_setsockopt_int(*a, SOL_SOCKET, SO_SNDBUF, 16384));
}

static void test_sendfile_timeout_reports_progress(void **state)
{
    enum { SIZE = 16 * 1024 * 1024 };
    int fd = pattern_file(SIZE, NULL);
    skt_socket *a, *b;
    size_t sent = 0;
    double start, elapsed;
    (void)state;
    small_pair(&a, &b);
    SKT_OK(skt_settimeout(a, 0.3));
    start = skt_test_now();
    assert_int_equal(skt_sendfile(a, fd, 0, 0, &sent), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(sent > 0 && sent < SIZE);
    assert_true(elapsed >= 0.29 && elapsed < 3.0);
    assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)sent);
    assert_non_null(strstr(skt_error_detail(), "bytes sent"));
    skt_close(a);
    skt_close(b);
    close(fd);
}

/* A pipe holding size bytes of the pattern, its writing end closed. */
static int filled_pipe(size_t size)
{
    unsigned char *bytes = malloc(size);
    int pipe_fds[2];

    assert_non_null(bytes);
    assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
    assert_true(fcntl(pipe_fds[1], F_SETPIPE_SZ, (int)size) >= (int)size);
    for (size_t i = 0; i < size; i++)
        bytes[i] = pattern_byte(i);
    assert_int_equal(write(pipe_fds[1], bytes, size), (ssize_t)size);
    close(pipe_fds[1]);
    free(bytes);
    return pipe_fds[0];
}

static void test_sendfile_fallback_timeout_reports_progress(void **state)
{
    int fd = filled_pipe(512 * 1024);
    skt_socket *a, *b;
    size_t sent = 0;
    double start, elapsed;
    (void)state;
    small_pair(&a, &b);
    SKT_OK(skt_settimeout(a, 0.3));
    start = skt_test_now();
    assert_int_equal(skt_sendfile(a, fd, 0, 0, &sent), -ETIMEDOUT);
    elapsed = skt_test_now() - start;
    assert_true(sent > 0 && sent < 512 * 1024);
    assert_true(elapsed >= 0.29 && elapsed < 3.0);
    close(fd);
    skt_close(a);
    skt_close(b);
}

static void test_sendfile_nonblocking_returns_eagain_with_progress(
    void **state)
{
    enum { SIZE = 4 * 1024 * 1024 };
    int fd = pattern_file(SIZE, NULL);
    skt_socket *a, *b;
    size_t sent = 0;
    double start;
    (void)state;
    small_pair(&a, &b);
    SKT_OK(skt_setblocking(a, false));
    start = skt_test_now();
    assert_int_equal(skt_sendfile(a, fd, 0, 0, &sent), -EAGAIN);
    assert_true(skt_test_now() - start < 1.0);
    assert_true(sent > 0 && sent < SIZE);
    skt_close(a);
    skt_close(b);
    close(fd);
}

static void test_sendfile_to_closed_peer_raises_no_sigpipe(void **state)
{
    int fd = pattern_file(100000, NULL);
    skt_socket *a, *b;
    sigset_t pending;
    size_t sent = 0;
    int rc;
    (void)state;
    /* With the default disposition a SIGPIPE would end this process. */
    signal(SIGPIPE, SIG_DFL);
    stream_pair(&a, &b);
    skt_close(b);
    rc = skt_sendfile(a, fd, 0, 0, &sent);
    assert_true(rc == -EPIPE || rc == -ECONNRESET);
    assert_int_equal(sent, 0);
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));
    skt_close(a);
    close(fd);
}

static void test_sendfile_retries_eintr(void **state)
{
    int fd = pattern_file(1000, NULL);
    size_t sent = 0;
    unsigned char *got;
    (void)state;
    skt__sys_inject(SKT__OP_SEND, -EINTR, 0, 1, 0);
    got = send_and_collect(fd, 0, 0, 1000, &sent);
    skt__sys_inject_clear();
    assert_int_equal(sent, 1000);
    assert_pattern(got, 1000, 0);
    free(got);
    close(fd);
}

static void test_sendfile_rejects_bad_arguments(void **state)
{
    int fd = pattern_file(10, NULL);
    skt_socket *udp, *a, *b;
    size_t sent = 5;
    (void)state;
    SKT_OK(skt_open(&udp, AF_INET, SOCK_DGRAM, 0));
    assert_int_equal(skt_sendfile(udp, fd, 0, 0, &sent), -EINVAL);
    assert_int_equal(sent, 0);
    assert_non_null(strstr(skt_error_detail(), "SOCK_STREAM"));
    stream_pair(&a, &b);
    assert_int_equal(skt_sendfile(a, -1, 0, 0, NULL), -EINVAL);
    assert_int_equal(skt_sendfile(a, fd, -1, 0, NULL), -EINVAL);
    assert_int_equal(skt_sendfile(NULL, fd, 0, 0, NULL), -EINVAL);
    skt_close(udp);
    skt_close(a);
    skt_close(b);
    close(fd);
}

/* A transport that stands for TLS: the bytes go through it, counted. */
static size_t through_transport;

static ssize_t counting_send(skt_socket *s, const void *buf, size_t len,
                             int flags, short *wait)
{
    ssize_t n = skt__plain_transport.send(s, buf, len, flags, wait);
    if (n > 0)
        through_transport += (size_t)n;
    return n;
}

static void test_sendfile_over_a_transport_copies_through_it(void **state)
{
    static const struct skt__transport counting = {
        .name = "counting",
        .send = counting_send,
        .recv = NULL,
    };
    int fd = pattern_file(300000, NULL);
    skt_socket *a, *b;
    struct drain d;
    size_t sent = 0;
    (void)state;
    stream_pair(&a, &b);
    a->transport = &counting;
    through_transport = 0;
    drain_start(&d, b, 300000);
    SKT_OK(skt_sendfile(a, fd, 0, 0, &sent));
    /* The kernel's sendfile would have bypassed the transport. */
    assert_int_equal(through_transport, 300000);
    assert_int_equal(sent, 300000);
    a->transport = &skt__plain_transport;
    SKT_OK(skt_shutdown(a, SHUT_WR));
    drain_join(&d);
    assert_int_equal(d.got, 300000);
    assert_pattern(d.buf, 300000, 0);
    free(d.buf);
    skt_close(a);
    skt_close(b);
    close(fd);
}

/* ------------------------------------------------------------------------ */
/* Python's socket.sendfile                                                 */
/* ------------------------------------------------------------------------ */

static void sha256_hex(const unsigned char *p, size_t len, char *hex)
{
    unsigned char digest[32];
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(p, len, digest, &n, EVP_sha256(), NULL), 1);
    for (unsigned i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* Runs Python's socket.sendfile on the file and compares what it sent,
 * where it left the position, and the bytes' digest with skt's. */
static void compare_with_python(const char *path, off_t offset,
                                size_t count)
{
    char script[512], args[3][32], line[256], expected[256], hex[65];
    int fd = open(path, O_RDONLY | O_CLOEXEC), out;
    size_t sent = 0, size = (size_t)lseek(fd, 0, SEEK_END);
    size_t want = (size_t)offset >= size ? 0 : size - (size_t)offset;
    unsigned char *got;
    pid_t pid;

    if (count > 0 && count < want)
        want = count;
    got = send_and_collect(fd, offset, count, want, &sent);
    sha256_hex(got, want, hex);
    snprintf(expected, sizeof expected, "%zu %lld %s", sent,
             (long long)lseek(fd, 0, SEEK_CUR), hex);
    snprintf(args[0], sizeof args[0], "%lld", (long long)offset);
    snprintf(args[1], sizeof args[1], "%zu", count);
    pid = skt_test_spawn(
        (char *const[]){(char *)skt_test_python(),
                        (char *)skt_test_source_path(
                            "tests/peers/msg_peer.py", script, sizeof script),
                        "sendfile", (char *)path, args[0], args[1], NULL},
        &out);
    assert_true(skt_test_read_line(out, line, sizeof line, 10) > 0);
    assert_string_equal(line, expected);
    close(out);
    assert_int_equal(skt_test_wait(pid, 10), 0);
    free(got);
    close(fd);
}

static void test_sendfile_matches_python(void **state)
{
    char path[64];
    int fd;
    (void)state;
    if (skt_test_python() == NULL)
        SKT_SKIP("no python3 for the differential check");
    fd = pattern_file(300000, path);
    close(fd);
    compare_with_python(path, 0, 0);
    compare_with_python(path, 12345, 0);
    compare_with_python(path, 777, 4096);
    compare_with_python(path, 299990, 100);
    unlink(path);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sendfile_whole_file_over_tcp),
    cmocka_unit_test(test_sendfile_offset_and_count_send_that_range),
    cmocka_unit_test(test_sendfile_stops_at_end_of_file),
    cmocka_unit_test(test_sendfile_leaves_position_after_what_was_sent),
    cmocka_unit_test(test_sendfile_past_the_end_keeps_the_position),
    cmocka_unit_test(test_sendfile_pipe_falls_back_to_copying),
    cmocka_unit_test(test_sendfile_pipe_honours_count),
    cmocka_unit_test(test_sendfile_pipe_with_offset_is_espipe),
    cmocka_unit_test(test_sendfile_timeout_reports_progress),
    cmocka_unit_test(test_sendfile_fallback_timeout_reports_progress),
    cmocka_unit_test(test_sendfile_nonblocking_returns_eagain_with_progress),
    cmocka_unit_test(test_sendfile_to_closed_peer_raises_no_sigpipe),
    cmocka_unit_test(test_sendfile_retries_eintr),
    cmocka_unit_test(test_sendfile_rejects_bad_arguments),
    cmocka_unit_test(test_sendfile_over_a_transport_copies_through_it),
    cmocka_unit_test(test_sendfile_matches_python),
};

SKT_TEST_MAIN(tests)
