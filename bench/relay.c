/*
 * relay.c - `skt relay` joining two TCP loopback connections, against
 * socat and ncat doing the same job with the same source and sink. The
 * sink (a thread here) listens; the relay under test listens on a port of
 * its own and connects to the sink for its client; the source (another
 * thread) connects to the relay, sends 2 GiB, and half-closes. Source and
 * sink copy nothing (sendfile from a file in memory; recv with MSG_TRUNC),
 * so that the relay's own work is what the figures tell apart. A round is
 * timed from the source's connect to the sink's end of stream, which
 * arrives only once the relay has carried the half-close too. Rounds of
 * the three take turns; the figures are medians of the throughput and of
 * the CPU time the relay process used per GiB, which two shared cores
 * disturb less (SKT_BENCH_RELAY_MIB=256 for a quicker run).
 *
 *   skt:   skt relay tcp-listen:127.0.0.1:P tcp:127.0.0.1:SINK
 *   socat: socat TCP-LISTEN:P,bind=127.0.0.1,reuseaddr TCP:127.0.0.1:SINK
 *   ncat:  ncat -l 127.0.0.1 P -e "/usr/bin/ncat 127.0.0.1 SINK" (ncat's
 *          way to relay: the second ncat has the client as its stdin and
 *          stdout; -e needs the program's path)
 *
 * Target: skt relay >= 1.5x socat's throughput (splice(2) moves the
 * bytes; socat copies them through a buffer).
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

enum { ROUNDS = 5, RELAYS = 3 };
/* The source's file, sent again and again. */
#define FILE_SIZE ((size_t)64 << 20)

enum relay { SKT, SOCAT, NCAT };

static const char *const relay_names[RELAYS] = {"skt relay", "socat",
                                                "ncat"};

/* ------------------------------------------------------------------------ */
/* Source and sink                                                          */
/* ------------------------------------------------------------------------ */

static void die(const char *what)
{
    fprintf(stderr, "bench-relay: %s: %s\n", what, strerror(errno));
    exit(1);
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A TCP listener on 127.0.0.1, port 0; its port in *port. */
static int listen_loopback(int *port)
{
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        die("listen");
    *port = ntohs(a.sin_port);
    return fd;
}

/* A port nobody uses now, for the relay to listen on. */
static int free_port(void)
{
    int port, fd = listen_loopback(&port);

    close(fd);
    return port;
}

struct sink {
    int listener;
    size_t got;
    double end; /* when the end of stream came */
};

/* SKT_BENCH_RELAY_ENDS=copy: source and sink copy, as most programs do
 * (send from a buffer, recv into one), which adds the same cost to every
 * relay and so narrows the ratios. */
static bool ends_copy;

/* The sink takes the bytes without copying them (MSG_TRUNC discards
 * them in the kernel), so that its cost takes little from the relay's. */
static void *sink_main(void *arg)
{
    static char buf[1 << 20];
    struct sink *s = arg;
    int fd = accept4(s->listener, NULL, NULL, SOCK_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        die("accept");
    while ((n = ends_copy ? recv(fd, buf, sizeof buf, 0)
                          : recv(fd, NULL, 1 << 30, MSG_TRUNC)) > 0)
        s->got += (size_t)n;
    s->end = bench_now();
    close(fd);
    return NULL;
}

/* Connects to the relay, retrying while it starts (at most 5 s). */
static int connect_relay(int port)
{
    struct sockaddr_in a = loopback(port);
    double give_up = bench_now() + 5;

    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        close(fd);
        if (bench_now() > give_up)
            die("connect to the relay");
        usleep(2000);
    }
}

/* A file in memory of FILE_SIZE bytes, which the source sends again
 * and again without copying it (sendfile). */
static int source_file(void)
{
    static char block[1 << 20];
    int fd = memfd_create("bench-relay", MFD_CLOEXEC);

    memset(block, 'x', sizeof block);
    for (size_t done = 0; fd >= 0 && done < FILE_SIZE; done += sizeof block)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            die("write");
    if (fd < 0)
        die("memfd_create");
    return fd;
}

/* One send of at most want bytes: from the file without a copy, or with
 * SKT_BENCH_RELAY_ENDS=copy from a buffer. */
static ssize_t send_some(int fd, int file, size_t done, size_t want)
{
    static char block[256 * 1024];
    off_t at = (off_t)(done % FILE_SIZE);

    if (want > FILE_SIZE - (size_t)at)
        want = FILE_SIZE - (size_t)at;
    if (ends_copy)
        return send(fd, block, want < sizeof block ? want : sizeof block,
                    MSG_NOSIGNAL);
    return sendfile(fd, file, &at, want);
}

/* Sends size bytes, half-closes, and waits for the relay's end. */
static void source(int fd, int file, size_t size)
{
    char byte;

    for (size_t done = 0; done < size;) {
        ssize_t n = send_some(fd, file, done, size - done);
        if (n <= 0)
            die("send");
        done += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    if (recv(fd, &byte, 1, 0) != 0)
        die("the relay's end");
}

/* ------------------------------------------------------------------------ */
/* The relays                                                               */
/* ------------------------------------------------------------------------ */

/* The command of relay r from port to the sink's port. */
static void command(enum relay r, int port, int sink, char *cmd,
                    size_t len)
{
    if (r == SKT)
        snprintf(cmd, len, "exec '%s' relay tcp-listen:127.0.0.1:%d "
                 "tcp:127.0.0.1:%d", SKT_TOOL_PATH, port, sink);
    else if (r == SOCAT)
        snprintf(cmd, len, "exec socat TCP-LISTEN:%d,bind=127.0.0.1,"
                 "reuseaddr TCP:127.0.0.1:%d", port, sink);
    else
        snprintf(cmd, len, "exec ncat -l 127.0.0.1 %d -e \"$(command -v "
                 "ncat) 127.0.0.1 %d\"", port, sink);
}

static pid_t start(const char *cmd)
{
    pid_t pid = fork();

    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        die("fork");
    return pid;
}

/* What one round measured. */
struct result {
    double rate; /* MiB/s */
    double cpu;  /* the relay's CPU seconds (user + system) per GiB */
};

static double seconds_of(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* One round of relay r; exits if the bytes do not all arrive. */
static struct result round_of(enum relay r, int file, size_t size)
{
    struct rusage used;
    struct sink s = {0};
    int sink_port, port = free_port(), fd, status;
    char cmd[512];
    pthread_t thread;
    double begin;
    pid_t pid;

    s.listener = listen_loopback(&sink_port);
    pthread_create(&thread, NULL, sink_main, &s);
    command(r, port, sink_port, cmd, sizeof cmd);
    pid = start(cmd);
    fd = connect_relay(port);
    begin = bench_now();
    source(fd, file, size);
    pthread_join(thread, NULL);
    close(fd);
    close(s.listener);
    if (wait4(pid, &status, 0, &used) < 0 || s.got != size) {
        fprintf(stderr, "bench-relay: %s moved %zu of %zu bytes\n",
                relay_names[r], s.got, size);
        exit(1);
    }
    return (struct result){
        (double)size / (s.end - begin) / (1 << 20),
        (seconds_of(used.ru_utime) + seconds_of(used.ru_stime)) /
            ((double)size / (1 << 30)),
    };
}

/* Whether the command is on PATH. */
static bool have(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

int main(void)
{
    const char *mib_text = getenv("SKT_BENCH_RELAY_MIB");
    size_t mib = mib_text != NULL ? strtoul(mib_text, NULL, 10) : 2048;
    bool present[RELAYS] = {true, have("socat"), have("ncat")};
    double rates[RELAYS][ROUNDS], cpu[RELAYS][ROUNDS];
    double median[RELAYS] = {0}, cpu_median[RELAYS] = {0};
    int file;

    if (mib == 0)
        bench_check(-1, "SKT_BENCH_RELAY_MIB");
    ends_copy = getenv("SKT_BENCH_RELAY_ENDS") != NULL &&
                strcmp(getenv("SKT_BENCH_RELAY_ENDS"), "copy") == 0;
    file = source_file();
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < ROUNDS; i++)
        for (int k = 0; k < RELAYS; k++) {
            enum relay r = (enum relay)((i + k) % RELAYS);
            if (present[r]) {
                struct result got = round_of(r, file, mib << 20);
                rates[r][i] = got.rate;
                cpu[r][i] = got.cpu;
            }
        }
    for (int r = 0; r < RELAYS; r++)
        if (present[r]) {
            median[r] = bench_median(rates[r], ROUNDS);
            cpu_median[r] = bench_median(cpu[r], ROUNDS);
        }
    printf("relay: %zu MiB between two TCP loopback connections, median of "
           "%d rounds; source and sink %s\n", mib, ROUNDS,
           ends_copy ? "copy (send, recv)"
                     : "copy nothing (sendfile, recv MSG_TRUNC)");
    for (int r = 0; r < RELAYS; r++) {
        if (!present[r]) {
            printf("  %-10s not installed\n", relay_names[r]);
            continue;
        }
        printf("  %-10s %6.0f MiB/s  %5.0f ms CPU per GiB", relay_names[r],
               median[r], cpu_median[r] * 1000);
        if (r != SKT)
            printf("  skt relay: %.2fx the rate, %.2fx less CPU",
                   median[SKT] / median[r], cpu_median[r] / cpu_median[SKT]);
        printf("\n");
    }
    printf("  target: skt relay >= 1.5x socat\n");
    return 0;
}
