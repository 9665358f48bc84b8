/*
 * udp-batch.c - datagrams per second over UDP loopback: skt_sendmmsg and
 * skt_recvmmsg in batches of 32, against one sendto and one recvfrom per
 * datagram (raw syscalls, and skt_sendto/skt_recvfrom), with raw
 * sendmmsg/recvmmsg as the floor of what batching can do. One thread
 * sends a batch and then receives it, so no datagram is ever dropped and
 * every mode moves the same datagrams with their addresses. Each round
 * runs every mode back to back; medians are compared, and so are the
 * ratios of skt to raw within each round, which the drifting load of a
 * shared machine disturbs less.
 *
 * Targets: skt_sendto/skt_recvfrom >= 0.97x raw, one per call (skt also
 * hands back the sender as a normalised skt_addr); skt batched >= 1.5x
 * one sendto/recvfrom per datagram. Batching
 * saves system calls, no more: the last line says what one costs here and
 * what a datagram costs, which bounds the gain it can bring on this host.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skt.h"

/* Many short rounds: a run of one mode takes about 10 ms, so that a
 * neighbour's burst on a shared machine spoils few of them, and the
 * medians pass over those. */
enum { BATCH = 32, PAYLOAD = 64, DATAGRAMS = 6400, ROUNDS = 101 };

enum mode { RAW_SINGLE, SKT_SINGLE, RAW_BATCH, SKT_BATCH, MODES };

static const char *const mode_names[MODES] = {
    "raw sendto/recvfrom, 1 per call",
    "skt_sendto/skt_recvfrom, 1 per call",
    "raw sendmmsg/recvmmsg, 32 per call",
    "skt_sendmmsg/skt_recvmmsg, 32 per call",
};

struct pair {
    skt_socket *tx, *rx;
    skt_addr rx_addr;
    char out[BATCH][PAYLOAD], in[BATCH][PAYLOAD];
    struct iovec out_iov[BATCH], in_iov[BATCH];
    skt_addr from[BATCH];
    skt_msg out_msgs[BATCH], in_msgs[BATCH];
    struct mmsghdr out_h[BATCH], in_h[BATCH];
    struct sockaddr_storage raw_from[BATCH];
};

static void open_pair(struct pair *p)
{
    skt_addr a;

    bench_check(skt_addr_parse(&a, "127.0.0.1:0"), "parse");
    bench_check(skt_open(&p->tx, AF_INET, SOCK_DGRAM, 0), "open");
    bench_check(skt_open(&p->rx, AF_INET, SOCK_DGRAM, 0), "open");
    bench_check(skt_bind(p->rx, &a), "bind");
    bench_check(skt_getsockname(p->rx, &p->rx_addr), "getsockname");
    bench_check(skt_setsockopt_int(p->rx, SOL_SOCKET, SO_RCVBUF, 1 << 22),
                "SO_RCVBUF");
}

/* The messages and headers every batched mode reuses. */
static void prepare(struct pair *p)
{
    for (int i = 0; i < BATCH; i++) {
        memset(p->out[i], 'a' + i % 26, PAYLOAD);
        p->out_iov[i] = (struct iovec){p->out[i], PAYLOAD};
        p->in_iov[i] = (struct iovec){p->in[i], PAYLOAD};
        p->out_msgs[i] = (skt_msg){&p->out_iov[i], 1, &p->rx_addr, NULL, 0,
                                   0};
        p->in_msgs[i] = (skt_msg){&p->in_iov[i], 1, &p->from[i], NULL, 0, 0};
        memset(&p->out_h[i], 0, sizeof p->out_h[i]);
        p->out_h[i].msg_hdr.msg_iov = &p->out_iov[i];
        p->out_h[i].msg_hdr.msg_iovlen = 1;
        p->out_h[i].msg_hdr.msg_name = &p->rx_addr.u;
        p->out_h[i].msg_hdr.msg_namelen = p->rx_addr.len;
        memset(&p->in_h[i], 0, sizeof p->in_h[i]);
        p->in_h[i].msg_hdr.msg_iov = &p->in_iov[i];
        p->in_h[i].msg_hdr.msg_iovlen = 1;
        p->in_h[i].msg_hdr.msg_name = &p->raw_from[i];
    }
}

static void batch_raw_single(struct pair *p)
{
    int tx = bench_fd(p->tx), rx = bench_fd(p->rx);

    for (int i = 0; i < BATCH; i++)
        if (sendto(tx, p->out[i], PAYLOAD, MSG_NOSIGNAL,
                   skt_addr_sockaddr(&p->rx_addr), p->rx_addr.len) < 0)
            abort();
    for (int i = 0; i < BATCH; i++) {
        socklen_t len = sizeof p->raw_from[i];
        if (recvfrom(rx, p->in[i], PAYLOAD, 0,
                     (struct sockaddr *)&p->raw_from[i], &len) < 0)
            abort();
    }
}

static void batch_skt_single(struct pair *p)
{
    for (int i = 0; i < BATCH; i++)
        if (skt_sendto(p->tx, p->out[i], PAYLOAD, 0, &p->rx_addr) < 0)
            abort();
    for (int i = 0; i < BATCH; i++)
        if (skt_recvfrom(p->rx, p->in[i], PAYLOAD, 0, &p->from[i]) < 0)
            abort();
}

static void batch_raw_mmsg(struct pair *p)
{
    int got = 0;

    if (sendmmsg(bench_fd(p->tx), p->out_h, BATCH, MSG_NOSIGNAL) != BATCH)
        abort();
    while (got < BATCH) {
        for (int i = got; i < BATCH; i++)
            p->in_h[i].msg_hdr.msg_namelen = sizeof p->raw_from[i];
        int n = recvmmsg(bench_fd(p->rx), p->in_h + got,
                         (unsigned)(BATCH - got), MSG_WAITFORONE, NULL);
        if (n <= 0)
            abort();
        got += n;
    }
}

static void batch_skt_mmsg(struct pair *p)
{
    int got = 0;

    if (skt_sendmmsg(p->tx, p->out_msgs, BATCH, 0) != BATCH)
        abort();
    while (got < BATCH) {
        int n = skt_recvmmsg(p->rx, p->in_msgs + got, (size_t)(BATCH - got),
                             0);
        if (n <= 0)
            abort();
        got += n;
    }
}

/* Nanoseconds of the cheapest system call, for scale. */
static double syscall_ns(void)
{
    enum { CALLS = 200000 };
    double start = bench_now();

    for (int i = 0; i < CALLS; i++)
        syscall(SYS_getppid);
    return (bench_now() - start) * 1e9 / CALLS;
}

/* Datagrams per second of one mode over DATAGRAMS datagrams. */
static double run(struct pair *p, enum mode m)
{
    static void (*const batches[MODES])(struct pair *) = {
        batch_raw_single, batch_skt_single, batch_raw_mmsg, batch_skt_mmsg,
    };
    double start = bench_now();

    for (int done = 0; done < DATAGRAMS; done += BATCH)
        batches[m](p);
    return DATAGRAMS / (bench_now() - start);
}

/* The median over the rounds of mode a's rate against mode b's in the
 * same round: runs back to back share the machine's load of the moment,
 * which drifts on a shared host. */
static double paired_ratio(double rates[MODES][ROUNDS], enum mode a,
                           enum mode b)
{
    double ratios[ROUNDS];

    for (int r = 0; r < ROUNDS; r++)
        ratios[r] = rates[a][r] / rates[b][r];
    return bench_median(ratios, ROUNDS);
}

int main(void)
{
    static struct pair p;
    double rates[MODES][ROUNDS], median[MODES], call, datagram;
    double single, batched;

    open_pair(&p);
    prepare(&p);
    run(&p, SKT_BATCH); /* warm-up */
    /* Each round starts with a different mode, so none always goes
     * first. */
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < MODES; k++) {
            enum mode m = (enum mode)((r + k) % MODES);
            rates[m][r] = run(&p, m);
        }
    single = paired_ratio(rates, SKT_SINGLE, RAW_SINGLE);
    batched = paired_ratio(rates, SKT_BATCH, RAW_BATCH);
    for (int m = 0; m < MODES; m++)
        median[m] = bench_median(rates[m], ROUNDS);
    printf("udp-batch: %d-byte datagrams over UDP loopback, %d a run, "
           "median of %d rounds\n", PAYLOAD, DATAGRAMS, ROUNDS);
    for (int m = 0; m < MODES; m++)
        printf("  %-40s %9.0f datagrams/s  %.2fx raw 1 per call\n",
               mode_names[m], median[m], median[m] / median[RAW_SINGLE]);
    printf("  skt batched vs skt 1 per call: %.2fx (target >= 1.5x); "
           "skt batched vs raw batched: %.3fx\n",
           median[SKT_BATCH] / median[SKT_SINGLE],
           median[SKT_BATCH] / median[RAW_BATCH]);
    printf("  paired in each round, median: skt vs raw 1 per call %.3fx "
           "(target >= 0.97x), batched %.3fx\n", single, batched);
    /* One per call makes two system calls a datagram; batches make about
     * none, so the gain is bounded by (datagram) / (datagram - 2 calls). */
    call = syscall_ns();
    datagram = 1e9 / median[RAW_SINGLE];
    printf("  for scale: a system call costs %.0f ns here, a datagram %.0f "
           "ns one per call: batching can gain at most %.2fx\n",
           call, datagram, datagram / (datagram - 2 * call));
    skt_close(p.tx);
    skt_close(p.rx);
    return 0;
}
