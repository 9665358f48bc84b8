/*
 * sendfile.c - Python's socket.sendfile: a file onto a stream socket,
 * through the kernel's sendfile(2) for regular files (no copy to user
 * space), and by reading and sending in blocks for everything else (pipes,
 * sockets, TLS sockets, file systems that refuse sendfile).
 *
 * One deadline covers the whole call, as with sendall, and the count of
 * bytes sent is reported on every path, failure included; a seekable
 * file's position is left just past what was sent, as Python leaves it.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fallback's block. Python reads 8 KiB at a time; 64 KiB makes the
 * copy cost about the same as a loopback send of it. */
#define BLOCK (64 * 1024)
/* The most one sendfile(2) moves (Linux caps it just under 2 GiB). */
#define KERNEL_CHUNK 0x7ffff000

struct job {
    skt_socket *s;
    int fd;
    off_t offset;
    size_t count;  /* 0: up to the end of the file */
    size_t done;
    int64_t deadline;
};

/* What is left to send, capped at cap; count 0 leaves only the cap. */
static size_t next_size(const struct job *j, size_t cap)
{
    size_t left;

    if (j->count == 0)
        return cap;
    left = j->count - j->done;
    return left < cap ? left : cap;
}

/* ------------------------------------------------------------------------ */
/* The kernel's sendfile                                                    */
/* ------------------------------------------------------------------------ */

/* Errors of a first sendfile that mean "this pair cannot use it", after
 * which Python copies instead. */
static bool unsupported(ssize_t rc)
{
    return rc == -EINVAL || rc == -ENOSYS || rc == -EOPNOTSUPP ||
           rc == -ENOTSUP;
}

/* Returns 0 at the end, 1 to fall back to copying, or a negative code. */
static int send_kernel(struct job *j)
{
    off_t position = j->offset;

    for (;;) {
        size_t want = next_size(j, KERNEL_CHUNK);
        ssize_t n;
        int rc;
        if (want == 0)
            return 0;
        n = skt__sys_sendfile(j->s->fd, j->fd, &position, want);
        if (n > 0) {
            j->done += (size_t)n;
            continue;
        }
        if (n == 0)
            return 0;
        if (j->done == 0 && unsupported(n))
            return 1;
        rc = skt__io_retry(j->s, (int)n, POLLOUT, &j->deadline);
        if (rc < 0)
            return rc;
    }
}

/* ------------------------------------------------------------------------ */
/* The fallback: read and send                                              */
/* ------------------------------------------------------------------------ */

/*
 * One read under the socket's mode: a non-blocking pipe that is empty is
 * waited for until the deadline in timeout mode, as the socket would be.
 */
static ssize_t read_block(struct job *j, char *buf, size_t len)
{
    for (;;) {
        ssize_t n = skt__sys_read(j->fd, buf, len);
        int rc;
        if (n >= 0)
            return n;
        if (n == -EINTR)
            continue;
        if (n != -EAGAIN || !(j->s->timeout > 0))
            return n;
        if (j->deadline == 0)
            j->deadline = skt__deadline(j->s->timeout);
        rc = skt__wait(j->fd, POLLIN, j->deadline);
        if (rc < 0)
            return rc;
    }
}

/* Goes to offset in a seekable file; a pipe must start at 0. */
static int seek_start(const struct job *j)
{
    if (lseek(j->fd, j->offset, SEEK_SET) >= 0)
        return 0;
    if (errno == ESPIPE && j->offset == 0)
        return 0;
    return -errno;
}

static int send_copy(struct job *j)
{
    char *buf;
    int rc = seek_start(j);

    if (rc < 0)
        return rc;
    buf = malloc(BLOCK);
    if (buf == NULL)
        return -ENOMEM;
    for (;;) {
        size_t want = next_size(j, BLOCK), sent = 0;
        ssize_t n = want > 0 ? read_block(j, buf, want) : 0;
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        rc = skt__sendall_until(j->s, buf, (size_t)n, &j->deadline, &sent);
        j->done += sent;
        if (rc < 0)
            break;
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The call                                                                 */
/* ------------------------------------------------------------------------ */

/* Whether the kernel's sendfile can serve: a regular file, and a socket
 * whose bytes go straight to the fd (not through TLS). */
static bool kernel_can_send(const struct job *j)
{
    struct stat st;

    return j->s->transport == &skt__plain_transport &&
           fstat(j->fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int check_args(const skt_socket *s, int fd, off_t offset)
{
    SKT__CHECK(s != NULL, "socket is NULL");
    if (fd < 0 || offset < 0)
        return skt__fail(-EINVAL, "sendfile: fd %d, offset %lld", fd,
                         (long long)offset);
    if (s->type != SOCK_STREAM)
        return skt__fail(-EINVAL, "sendfile: the socket is not "
                         "SOCK_STREAM (type %d)", s->type);
    return 0;
}

int skt_sendfile(skt_socket *s, int fd, off_t offset, size_t count,
                 size_t *sent)
{
    struct job j = {s, fd, offset, count, 0, 0};
    bool copied;
    int rc;

    if (sent != NULL)
        *sent = 0;
    if ((rc = check_args(s, fd, offset)) < 0)
        return rc;
    j.deadline = skt__op_deadline(s);
    rc = kernel_can_send(&j) ? send_kernel(&j) : 1;
    copied = rc == 1;
    if (copied)
        rc = send_copy(&j);
    /* Python's rule: the position tells what was sent. The kernel's path
     * reads at an explicit offset, so with nothing sent the position is
     * left where it was; the copy read from the offset. A pipe has none. */
    if (j.done > 0 || copied)
        lseek(fd, offset + (off_t)j.done, SEEK_SET);
    if (sent != NULL)
        *sent = j.done;
    if (rc < 0)
        return skt__fail(rc, "sendfile from fd %d: %zu bytes sent", fd,
                         j.done);
    return 0;
}
