/*
 * cli-scan.c - `skt -z 127.0.0.1 N-M` over 1,000 closed loopback ports
 * against `nc.openbsd -z 127.0.0.1 N-M`, in the same run: the time of
 * the whole scan, median of ROUNDS rounds taken in turns. skt probes a
 * bounded number of ports at once; nc.openbsd one after another. The
 * range is one where nothing listens (checked first).
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skt.h"

enum { PORTS = 1000, ROUNDS = 7 };

extern char **environ;

/* True when nothing listens on 127.0.0.1:port (the connect is refused). */
static bool closed(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool refused = fd >= 0 && connect(fd, (struct sockaddr *)&sin,
                                      sizeof sin) < 0 &&
                   errno == ECONNREFUSED;

    if (fd >= 0)
        close(fd);
    return refused;
}

/* The first of PORTS closed ports in a row, from 20000 up; 0 if none. */
static int closed_range(void)
{
    for (int first = 20000; first + PORTS <= 65000; first += PORTS) {
        int p = first;
        while (p < first + PORTS && closed(p))
            p++;
        if (p == first + PORTS)
            return first;
    }
    return 0;
}

/* Seconds of one scan; exits the benchmark unless it found nothing open
 * (exit status 1, as both tools say "no port open"). */
static double scan_time(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    double start;
    pid_t pid;
    int status, rc;

    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd < 3; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null",
                                         fd ? O_WRONLY : O_RDONLY, 0);
    start = bench_now();
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (rc != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 1) {
        fprintf(stderr, "bench-cli-scan: %s failed\n", argv[0]);
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    return bench_now() - start;
}

int main(void)
{
    double skt_times[ROUNDS], nc_times[ROUNDS], skt_time, nc_time;
    bool nc = system("command -v nc.openbsd >/dev/null 2>&1") == 0;
    int first = closed_range();
    char range[32];
    char *skt_argv[] = {SKT_TOOL_PATH, "-z", "127.0.0.1", range, NULL};
    char *nc_argv[] = {"nc.openbsd", "-z", "127.0.0.1", range, NULL};

    if (first == 0) {
        fprintf(stderr, "bench-cli-scan: no %d closed ports in a row\n",
                PORTS);
        return 1;
    }
    snprintf(range, sizeof range, "%d-%d", first, first + PORTS - 1);
    for (int r = 0; r < ROUNDS; r++) {
        if (r % 2 == 0 || !nc)
            skt_times[r] = scan_time(skt_argv);
        if (nc)
            nc_times[r] = scan_time(nc_argv);
        if (r % 2 == 1 && nc)
            skt_times[r] = scan_time(skt_argv);
    }
    skt_time = bench_median(skt_times, ROUNDS);
    printf("cli-scan: -z over %d closed loopback ports (%s), median of %d "
           "rounds\n", PORTS, range, ROUNDS);
    printf("  skt -z             %8.1f ms\n", skt_time * 1000);
    if (!nc) {
        printf("  nc.openbsd -z      (not installed)\n");
        return 0;
    }
    nc_time = bench_median(nc_times, ROUNDS);
    printf("  nc.openbsd -z      %8.1f ms  skt = %.2fx nc.openbsd's speed\n",
           nc_time * 1000, nc_time / skt_time);
    return 0;
}
