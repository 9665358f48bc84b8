/*
 * util.c - the small helpers every mode shares: the clock, one-line notes
 * and failures on stderr with their exit status, whole writes to a file
 * descriptor, the texts of addresses and times, a socket's descriptor,
 * and the recv of a socket that the selector found readable.
 */
#include "tool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void note(const char *fmt, ...)
{
    char line[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One line, whatever a name or path quoted in it holds. */
    for (char *p = line; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    fprintf(stderr, "skt: %s\n", line);
}

int exit_status_for(int rc, bool deadline_ours)
{
    if (tls_is_refusal(rc))
        return EXIT_CERT;
    if (rc == -ETIMEDOUT && deadline_ours)
        return EXIT_DEADLINE;
    return EXIT_NETWORK;
}

int fail(int rc, bool deadline_ours)
{
    const char *detail = skt_error_detail();

    note("%s", detail[0] != '\0' ? detail : skt_strerror(rc));
    return exit_status_for(rc, deadline_ours);
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

const char *addr_text(const skt_addr *a, char *buf, size_t len)
{
    if (a->len == 0 || skt_addr_format(a, buf, len) < 0)
        snprintf(buf, len, "(unnamed)");
    return buf;
}

void addr_host_port(const skt_addr *a, char *host, size_t hostlen,
                    char *port, size_t portlen)
{
    int number = skt_addr_port(a);

    port[0] = '\0';
    if (number < 0) {
        addr_text(a, host, hostlen);
        return;
    }
    if (skt_getnameinfo(a, NI_NUMERICHOST | NI_NUMERICSERV, 0, host,
                        hostlen, NULL, 0) < 0)
        snprintf(host, hostlen, "?");
    snprintf(port, portlen, "%d", number);
}

int port_number(const char *text, const char *proto)
{
    int port;

    if (text[0] >= '0' && text[0] <= '9')
        return atoi(text);
    port = skt_getservbyname(text, proto);
    if (port < 0)
        port = skt_getservbyname(text, NULL);
    return port;
}

const char *ms_text(double seconds, char *buf, size_t len)
{
    double ms = seconds * 1000;

    if (ms < 10)
        snprintf(buf, len, "%.3f ms", ms);
    else if (ms < 1000)
        snprintf(buf, len, "%.1f ms", ms);
    else
        snprintf(buf, len, "%.3f s", seconds);
    return buf;
}

int fd_of(const skt_socket *s)
{
    skt_os_socket fd = SKT_INVALID_SOCKET;

    skt_fileno(s, &fd);
    return fd;
}

ssize_t recv_ready(skt_socket *s, void *buf, size_t len)
{
    double timeout = skt_gettimeout(s);
    ssize_t got;

    if (skt_tls_version(s) == NULL || skt_settimeout(s, 0) < 0)
        return skt_recv(s, buf, len, 0);
    got = skt_recv(s, buf, len, 0);
    skt_settimeout(s, timeout);
    return got;
}
