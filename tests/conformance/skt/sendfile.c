/*
 * sendfile.c - skt_sendfile: whole files, offsets and counts, the file
 * position afterwards, the ends of files, modes, socket types, pipes, on
 * skt (py/sendfile.py on Python).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIZE 50000

static unsigned char byte_at(size_t i)
{
    return (unsigned char)(i % 251);
}

/* Writes a file of size bytes (i % 251 each) and opens it for reading. */
static int make_file(const char *name, size_t size)
{
    const char *p = conf_path(name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    unsigned char block[4096];

    if (fd < 0)
        return -errno;
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof block ? size - done : sizeof block;
        for (size_t i = 0; i < n; i++)
            block[i] = byte_at(done + i);
        if (write(fd, block, n) != (ssize_t)n) {
            close(fd);
            return -EIO;
        }
        done += n;
    }
    close(fd);
    fd = open(p, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

struct reader {
    skt_socket *s;
    unsigned char *buf;
    size_t len;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    ssize_t n;

    r->buf = malloc(SIZE * 2);
    while (r->buf && r->len < SIZE * 2 &&
           (n = skt_recv(r->s, r->buf + r->len, SIZE * 2 - r->len, 0)) > 0)
        r->len += (size_t)n;
    return NULL;
}

/* The received bytes are the file's from `from` on. */
static bool same_as_file(const struct reader *r, size_t from)
{
    for (size_t i = 0; i < r->len; i++)
        if (r->buf[i] != byte_at(from + i))
            return false;
    return true;
}

enum sf_report {
    S_WHOLE,
    S_POSITION,
    S_SENT_SAME_POS,
    S_SENT_POS,
    S_SENT_LEN,
    S_SENT
};

static void report_sent(const char *name, enum sf_report report, size_t sent,
                        const struct reader *r, size_t from, off_t pos)
{
    switch (report) {
    case S_WHOLE:
        conf_emit(name, "%zu %zu %s", sent, r->len,
                  conf_bool(r->len == SIZE && same_as_file(r, 0)));
        break;
    case S_POSITION:
        conf_emit(name, "%lld", (long long)pos);
        break;
    case S_SENT_SAME_POS:
        conf_emit(name, "%zu %s %lld", sent,
                  conf_bool(r->len == sent && same_as_file(r, from)),
                  (long long)pos);
        break;
    case S_SENT_POS:
        conf_emit(name, "%zu %lld", sent, (long long)pos);
        break;
    case S_SENT_LEN:
        conf_emit(name, "%zu %zu", sent, r->len);
        break;
    case S_SENT:
        conf_emit(name, "%zu", sent);
        break;
    }
}

static void send_file(const char *name, size_t size, enum sf_report report,
                      off_t offset, size_t count, off_t seek, bool unix_pair,
                      double mode)
{
    skt_socket *c, *s;
    struct reader r = {0};
    pthread_t t;
    size_t sent = 0;
    int fd, rc;

    rc = unix_pair ? conf_unix_pair(SOCK_STREAM, &c, &s)
                   : conf_tcp_pair(AF_INET, &c, &s);
    if (rc < 0)
        return conf_rc(name, rc);
    fd = make_file("send.bin", size);
    if (fd < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, fd);
    }
    r.s = s;
    pthread_create(&t, NULL, read_all, &r);
    lseek(fd, seek, SEEK_SET);
    if (mode != 1)
        skt_settimeout(c, mode);
    rc = skt_sendfile(c, fd, offset, count, &sent);
    skt_shutdown(c, SHUT_WR);
    pthread_join(t, NULL);
    if (rc < 0)
        conf_rc(name, rc);
    else
        report_sent(name, report, sent, &r, (size_t)offset,
                    lseek(fd, 0, SEEK_CUR));
    free(r.buf);
    close(fd);
    conf_close(c, s, NULL);
}

/* mode 1 leaves the pair's mode (CONF_SAFETY) as it is. */
static void sendfile_whole(const char *n)
{
    send_file(n, SIZE, S_WHOLE, 0, 0, 0, false, 1);
}
static void sendfile_position_after(const char *n)
{
    send_file(n, SIZE, S_POSITION, 0, 0, 0, false, 1);
}
static void sendfile_offset_count(const char *n)
{
    send_file(n, SIZE, S_SENT_SAME_POS, 10, 20, 0, false, 1);
}
static void sendfile_offset_only(const char *n)
{
    send_file(n, SIZE, S_SENT_SAME_POS, 40000, 0, 0, false, 1);
}
static void sendfile_count_past_end(const char *n)
{
    send_file(n, SIZE, S_SENT_POS, SIZE - 10, 100, 0, false, 1);
}
static void sendfile_offset_past_end(const char *n)
{
    send_file(n, SIZE, S_SENT_POS, SIZE * 2, 0, 5, false, 1);
}
static void sendfile_offset_at_end(const char *n)
{
    send_file(n, SIZE, S_SENT_POS, SIZE, 0, 7, false, 1);
}
static void sendfile_empty_file(const char *n)
{
    send_file(n, 0, S_SENT_POS, 0, 0, 0, false, 1);
}
static void sendfile_unix_stream(const char *n)
{
    send_file(n, SIZE, S_SENT_LEN, 0, 0, 0, true, 1);
}
static void sendfile_timeout_mode_fast(const char *n)
{
    send_file(n, SIZE, S_SENT, 0, 0, 0, false, 2);
}
static void sendfile_nonblocking(const char *n)
{
    send_file(n, 1000, S_SENT, 0, 0, 0, false, 0);
}

static void sendfile_udp(const char *name)
{
    skt_socket *a, *b;
    int fd, rc = conf_udp_pair(&a, &b);

    if (rc < 0)
        return conf_rc(name, rc);
    fd = make_file("udp.bin", 100);
    conf_rc(name, fd < 0 ? fd : skt_sendfile(a, fd, 0, 0, NULL));
    if (fd >= 0)
        close(fd);
    conf_close(a, b, NULL);
}

static void sendfile_timeout(const char *name)
{
    skt_socket *c, *s;
    const size_t big = (size_t)64 << 20;
    const char *p = conf_path("sparse.bin");
    size_t sent = 0;
    double start;
    off_t pos;
    int fd, rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)big) < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, -errno);
    }
    skt_settimeout(c, 0.2);
    start = conf_now();
    rc = skt_sendfile(c, fd, 0, 0, &sent);
    pos = lseek(fd, 0, SEEK_CUR);
    conf_emit(name, "%s %s %s", conf_err(rc), conf_bucket(conf_now() - start),
              conf_bool(pos > 0 && (size_t)pos < big));
    close(fd);
    conf_close(c, s, NULL);
}

static void sendfile_pipe(const char *name)
{
    skt_socket *c, *s;
    size_t sent = 0;
    int p[2], rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    if (pipe2(p, O_CLOEXEC) < 0) {
        conf_close(c, s, NULL);
        return conf_rc(name, -errno);
    }
    if (write(p[1], "piped", 5) != 5)
        rc = -EIO;
    close(p[1]);
    if (rc == 0)
        rc = skt_sendfile(c, p[0], 0, 0, &sent);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%zu", sent);
    close(p[0]);
    conf_close(c, s, NULL);
}

static void sendfile_fd_count(const char *name)
{
    skt_socket *c, *s;
    int before, fd, rc = conf_tcp_pair(AF_INET, &c, &s);

    if (rc < 0)
        return conf_rc(name, rc);
    fd = make_file("count.bin", 1000);
    before = conf_fds();
    rc = fd < 0 ? fd : skt_sendfile(c, fd, 0, 0, NULL);
    if (rc < 0)
        conf_rc(name, rc);
    else
        conf_emit(name, "%d", conf_fds() - before);
    if (fd >= 0)
        close(fd);
    conf_close(c, s, NULL);
}

const conf_scenario conf_sendfile[] = {
    {"sendfile.whole", sendfile_whole},
    {"sendfile.position_after", sendfile_position_after},
    {"sendfile.offset_count", sendfile_offset_count},
    {"sendfile.offset_only", sendfile_offset_only},
    {"sendfile.count_past_end", sendfile_count_past_end},
    {"sendfile.offset_past_end", sendfile_offset_past_end},
    {"sendfile.offset_at_end", sendfile_offset_at_end},
    {"sendfile.empty_file", sendfile_empty_file},
    {"sendfile.unix_stream", sendfile_unix_stream},
    {"sendfile.timeout_mode_fast", sendfile_timeout_mode_fast},
    {"sendfile.nonblocking", sendfile_nonblocking},
    {"sendfile.udp", sendfile_udp},
    {"sendfile.timeout", sendfile_timeout},
    {"sendfile.pipe", sendfile_pipe},
    {"sendfile.fd_count", sendfile_fd_count},
    {NULL, NULL},
};
