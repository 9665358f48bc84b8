/*
 * activate.c - socket activation: the protocol of sd_listen_fds(3), by
 * which systemd (or systemd-socket-activate, or any service manager that
 * speaks it) hands a service the listeners it opened. The fds are numbered
 * from 3; LISTEN_FDS says how many, LISTEN_PID whose they are (the
 * variables are inherited by every child, so a process checks that they
 * are its own), LISTEN_FDNAMES what they are called. Each fd is checked to
 * be a socket and made close-on-exec; then the variables are removed, so
 * that no program this one starts takes the fds for its own.
 */
#include "server/server_int.h"
#include "sys_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A decimal number of the environment, whole and in range. */
static bool parse_number(const char *text, long max, long *out)
{
    char *end;

    if (text == NULL || *text < '0' || *text > '9')
        return false;
    errno = 0;
    *out = strtol(text, &end, 10);
    return errno == 0 && *end == '\0' && *out <= max;
}

/* LISTEN_PID and LISTEN_FDS: the number of fds that are this process's. */
static int read_count(const char *fds_text)
{
    const char *pid_text = getenv("LISTEN_PID");
    long pid, count;

    if (!parse_number(pid_text, INT_MAX, &pid))
        return skt__fail(-EINVAL, "listen_fds: LISTEN_FDS is set but "
                         "LISTEN_PID is %s%s%s", pid_text ? "\"" : "",
                         pid_text ? pid_text : "not set",
                         pid_text ? "\", not a process id" : "");
    if (pid != (long)getpid())
        return skt__fail(-ESRCH, "listen_fds: LISTEN_PID is %ld, not this "
                         "process (%ld): the fds were passed to another",
                         pid, (long)getpid());
    if (!parse_number(fds_text, INT_MAX - SKT_LISTEN_FDS_START, &count))
        return skt__fail(-EINVAL, "listen_fds: LISTEN_FDS is \"%s\", not a "
                         "count of fds", fds_text);
    return (int)count;
}

/* fds[i].name from LISTEN_FDNAMES ("a:b:c" names three fds), or
 * "unknown" without it, as systemd. */
static int read_names(skt_listen_fd *fds, int count)
{
    const char *names = getenv("LISTEN_FDNAMES");
    const char *p = names;
    int given = 0;

    for (int i = 0; i < count && names == NULL; i++)
        strcpy(fds[i].name, "unknown");
    if (names == NULL)
        return 0;
    for (;;) {
        size_t len = strcspn(p, ":");
        if (given < count && len >= sizeof fds[given].name)
            return skt__fail(-EINVAL, "listen_fds: LISTEN_FDNAMES entry "
                             "%d is %zu bytes long (at most %zu)", given,
                             len, sizeof fds[given].name - 1);
        if (given < count) {
            memcpy(fds[given].name, p, len);
            fds[given].name[len] = '\0';
        }
        given++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    /* An empty value names no fd when there is none. */
    if (count == 0 && names[0] == '\0')
        given = 0;
    if (given != count)
        return skt__fail(-EINVAL, "listen_fds: LISTEN_FDNAMES has %d "
                         "names for LISTEN_FDS=%d fds", given, count);
    return 0;
}

/* One fd: open, a socket, and what kind. */
static int describe(skt_listen_fd *out, int fd)
{
    int accepting = 0, proto;
    socklen_t len = sizeof accepting;
    struct stat st;
    int rc;

    if (fstat(fd, &st) < 0)
        return skt__fail(-errno, "listen_fds: fd %d of LISTEN_FDS", fd);
    if (!S_ISSOCK(st.st_mode))
        return skt__fail(-ENOTSOCK, "listen_fds: fd %d of LISTEN_FDS", fd);
    out->fd = fd;
    rc = skt__sys_socket_kind(fd, &out->family, &out->type, &proto);
    if (rc == 0)
        rc = skt__sys_getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting,
                                 &len);
    if (rc < 0)
        return skt__fail(rc, "listen_fds: fd %d of LISTEN_FDS", fd);
    out->listening = accepting != 0;
    return 0;
}

static int describe_all(skt_listen_fd *fds, int count)
{
    int rc = read_names(fds, count);

    for (int i = 0; i < count && rc == 0; i++)
        rc = describe(&fds[i], SKT_LISTEN_FDS_START + i);
    /* Only once every fd is known good does any of them change. */
    for (int i = 0; i < count && rc == 0; i++) {
        rc = skt__sys_set_cloexec(SKT_LISTEN_FDS_START + i, true);
        if (rc < 0)
            return skt__fail(rc, "listen_fds: close-on-exec on fd %d",
                             SKT_LISTEN_FDS_START + i);
    }
    return rc;
}

int skt_listen_fds(skt_listen_fd *fds, int max, int flags)
{
    const char *fds_text = getenv("LISTEN_FDS");
    int count, rc;

    SKT__CHECK(max >= 0 && (fds != NULL || max == 0),
               "listen_fds: no room for max entries");
    SKT__CHECK((flags & ~SKT_LISTEN_FDS_KEEP_ENVIRONMENT) == 0,
               "listen_fds: unknown flags");
    if (fds_text == NULL)
        return 0;
    count = read_count(fds_text);
    if (count < 0)
        return count;
    if (count > max)
        return skt__fail(-ENOSPC, "listen_fds: LISTEN_FDS is %d, room for "
                         "%d", count, max);
    rc = describe_all(fds, count);
    if (rc < 0)
        return rc;
    if (!(flags & SKT_LISTEN_FDS_KEEP_ENVIRONMENT)) {
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDNAMES");
    }
    return count;
}
