/*
 * msg.h - what msg.c (sendmsg, recvmsg, fds) shares with mmsg.c (batched
 * datagrams): turning an skt_msg into a struct msghdr and back, and the
 * retry rule as the message calls apply it.
 */
#ifndef SKT_MSG_H
#define SKT_MSG_H

#include "internal.h"

#include <sys/socket.h>

/*
 * Checks an skt_msg's fields (iov, anc) and returns 0, or -EINVAL with a
 * detail naming op. Checked before anything is sent or received.
 */
SKT__HIDDEN int skt__msg_check(const skt_msg *m, const char *op);

/* Fills h to send m: its buffers, control messages and destination. */
SKT__HIDDEN void skt__msg_send_header(struct msghdr *h, const skt_msg *m);

/* Fills h to receive into m: its buffers, all of anc's room, and the
 * sender's address straight into m->addr. */
SKT__HIDDEN void skt__msg_recv_header(struct msghdr *h, skt_msg *m);

/*
 * Completes m after a receive of n bytes through h: m->len, m->flags,
 * m->anc->len, and m->addr brought to skt_addr_from_sockaddr's form. On
 * MSG_CTRUNC, closes every fd that arrived and overwrites it with -1.
 */
SKT__HIDDEN void skt__msg_received(skt_msg *m, const struct msghdr *h,
                                   size_t n);

/*
 * The flags for a receive on s: MSG_CMSG_CLOEXEC is added on Unix sockets,
 * the only ones that pass fds, so that received fds are close-on-exec from
 * the start; other families may refuse the flag (AF_PACKET does).
 */
SKT__HIDDEN int skt__msg_recv_flags(const skt_socket *s, int flags);

/* The kernel's UIO_MAXIOV, the most messages one batched call takes. */
#define SKT__BATCH_MAX 1024

/*
 * The platform's batches (msg_<platform>.c): one sendmmsg or recvmmsg of
 * the first min(count, SKT__BATCH_MAX) messages under the retry rule (a
 * receive waits for the first message only), with the kernel's partial
 * semantics. Return how many messages went or came, -ENOSYS where the
 * platform or the kernel has no such call (the caller then loops over
 * sendmsg or recvmsg), or a negative code (-ENOMEM with a detail).
 */
SKT__HIDDEN int skt__mmsg_send_batch(skt_socket *s, skt_msg *msgs,
                                     size_t count, int flags);
SKT__HIDDEN int skt__mmsg_recv_batch(skt_socket *s, skt_msg *msgs,
                                     size_t count, int flags);

/* Makes skt_sendmmsg and skt_recvmmsg use their sendmsg/recvmsg loop, as
 * on a kernel without the calls (for tests and benchmarks); false goes
 * back to the kernel's calls where it has them. */
SKT__HIDDEN void skt__mmsg_force_fallback(bool on);

#endif /* SKT_MSG_H */
