/*
 * splice_linux.c - the kernel path of skt_relay: a pipe, and splice(2)
 * between a socket and that pipe, so that the bytes a relay moves from one
 * plain stream socket to another never enter user space. A platform
 * without it gets -ENOSYS from both calls (sys_int.h) and the relay
 * copies through a buffer instead.
 */
#include "sys_int.h"

#include <fcntl.h>
#include <unistd.h>

/* The pipe asked for: big enough that one splice moves a good share of a
 * loopback socket's buffer. The kernel may refuse it (above
 * /proc/sys/fs/pipe-max-size, or over the user's pipe quota); the pipe
 * then keeps its default size, which works, only with more calls. */
#define PIPE_SIZE (1024 * 1024)

int skt__sys_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    (void)fcntl(fds[1], F_SETPIPE_SZ, PIPE_SIZE);
    return 0;
}

/*
 * One of from and to is a pipe end, the other a socket. SPLICE_F_NONBLOCK
 * keeps the pipe from blocking; the socket blocks or not as its own
 * O_NONBLOCK flag says. SPLICE_F_MOVE asks for pages to be moved, not
 * copied, where the kernel can.
 */
ssize_t skt__sys_splice(int from, int to, size_t len)
{
    int fault = FAULT_POINT(SKT__OP_SPLICE, NULL);
    if (fault < 0)
        return fault;
    return result_size(splice(from, NULL, to, NULL, len,
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK));
}
