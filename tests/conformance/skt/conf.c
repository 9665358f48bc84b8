/*
 * conf.c - conformance-skt's main and the helpers of conf.h.
 *
 *   conformance-skt GROUP [NAME...]   run a group's scenarios (or those
 *                                     named), one line each on stdout
 *   conformance-skt --list            the groups
 *
 * The lines are compared by tests/conformance/driver.py with those of
 * py/run.py, which runs the same scenarios on Python's modules.
 */
#include "conf.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
    const char *name;
    const conf_scenario *table;
} groups[] = {
#define CONF_GROUP(group) {#group, conf_##group},
    CONF_GROUP_LIST
#undef CONF_GROUP
};
#define GROUP_COUNT (sizeof groups / sizeof groups[0])

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

static void vemit(const char *name, const char *sub, const char *fmt,
                  va_list ap)
{
    char value[4096];

    vsnprintf(value, sizeof value, fmt, ap);
    /* A line is the unit of comparison: no newline may split one. */
    for (char *p = value; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (sub)
        printf("%s.%s %s\n", name, sub, value);
    else
        printf("%s %s\n", name, value);
    fflush(stdout);
}

void conf_emit(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit(name, NULL, fmt, ap);
    va_end(ap);
}

void conf_emit_sub(const char *name, const char *sub, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit(name, sub, fmt, ap);
    va_end(ap);
}

void conf_rc(const char *name, long rc)
{
    conf_emit(name, "%s", conf_err(rc));
}

const char *conf_err(long rc)
{
    static __thread char word[4][64];
    static __thread int next;
    const char *n;

    if (rc >= 0)
        return "ok";
    if (rc == -EWOULDBLOCK)
        return "EAGAIN";
    if (rc == -EOPNOTSUPP)
        return "EOPNOTSUPP";
    n = skt_errname((int)rc);
    if (rc <= SKT_EAI_BASE && rc > SKT_ELIB_BASE) {
        char *out = word[next++ % 4];
        snprintf(out, 64, "gaierror:%s", n);
        return out;
    }
    /* skt_errname's strings are static. */
    return strncmp(n, "SKT_", 4) == 0 ? n + 4 : n;
}

const char *conf_val(long rc)
{
    static __thread char text[4][32];
    static __thread int next;
    char *out = text[next++ % 4];

    if (rc <= 0)
        return conf_err(rc);
    snprintf(out, 32, "%ld", rc);
    return out;
}

const char *conf_timeout(double t)
{
    static __thread char text[4][32];
    static __thread int next;
    char *out = text[next++ % 4];

    if (t < 0)
        return "None";
    snprintf(out, 32, "%g", t);
    return out;
}

const char *conf_bool(bool b)
{
    return b ? "True" : "False";
}

const char *conf_bucket(double s)
{
    if (s < 0.1)
        return "<0.1s";
    if (s < 0.45)
        return "~0.2s";
    if (s < 0.75)
        return "~0.5s";
    if (s < 1.5)
        return "~1s";
    if (s < 3)
        return "~2s";
    return ">3s";
}

double conf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int conf_fd(const skt_socket *s)
{
    skt_os_socket fd;

    return skt_fileno(s, &fd) == 0 ? fd : -1;
}

int conf_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static char tmpdir[64];

const char *conf_listen_backlog(int port)
{
    static char field[3][64];
    char cmd[128], line[256] = "";
    FILE *p;
    int found = 0;

    snprintf(cmd, sizeof cmd, "ss -Hltn 'sport = :%d' 2>/dev/null", port);
    p = popen(cmd, "r");
    if (p && fgets(line, sizeof line, p))
        found = sscanf(line, "%63s %63s %63s", field[0], field[1], field[2]);
    if (p)
        pclose(p);
    return found == 3 ? field[2] : "none";
}

/* ------------------------------------------------------------------------ */
/* Address and byte texts                                                   */
/* ------------------------------------------------------------------------ */

/* Writes "P" for the digits after the last ':' of an IP address text
 * unless they are "0". */
static void mask_port(char *text)
{
    char *colon = strrchr(text, ':');

    if (colon && strcmp(colon + 1, "0") != 0)
        strcpy(colon + 1, "P");
}

const char *conf_addr(const skt_addr *a)
{
    static __thread char text[4][SKT_ADDRSTRLEN];
    static __thread int next;
    char *out = text[next++ % 4];
    int family = skt_addr_family(a);

    if (a->len == 0 || skt_addr_format(a, out, SKT_ADDRSTRLEN) < 0)
        return "-";
    if (family == AF_INET || family == AF_INET6) {
        mask_port(out);
    } else if (family == AF_NETLINK) {
        char *colon = strchr(out + 8, ':');
        if (colon && strncmp(out, "netlink:0:", 10) != 0) {
            memmove(out + 11, colon, strlen(colon) + 1);
            memcpy(out + 8, "PID", 3);
        }
    } else if (family == AF_UNIX && strncmp(out, "unix:@", 6) == 0 &&
               strlen(out) == 11 && strspn(out + 6, "0123456789abcdef") == 5) {
        strcpy(out + 6, "AUTO");
    } else if (family == AF_UNIX && tmpdir[0] &&
               strncmp(out + 5, tmpdir, strlen(tmpdir)) == 0) {
        size_t skip = strlen(tmpdir);
        memmove(out + 8, out + 5 + skip, strlen(out + 5 + skip) + 1);
        memcpy(out + 5, "TMP", 3);
    }
    return out;
}

const char *conf_hex(const void *data, size_t len)
{
    static __thread char text[64 * 3 + 1];
    const unsigned char *p = data;
    size_t n = 0;

    text[0] = '\0';
    for (size_t i = 0; i < len && i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%02x", i ? " " : "",
                              p[i]);
    return len ? text : "-";
}

const char *conf_bytes(const void *data, size_t len)
{
    static __thread char text[4][1024];
    static __thread int next;
    char *out = text[next++ % 4];
    const unsigned char *p = data;
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < len && n + 5 < 1024; i++) {
        if (p[i] >= 0x21 && p[i] < 0x7f && p[i] != '\\')
            out[n++] = (char)p[i];
        else
            n += (size_t)snprintf(out + n, 1024 - n, "\\x%02x", p[i]);
    }
    out[n] = '\0';
    return len ? out : "b''";
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *conf_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/skt-conf-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *conf_path(const char *name)
{
    static __thread char path[4][256];
    static __thread int next;
    char *out = path[next++ % 4];

    snprintf(out, 256, "%s/%s", conf_tmpdir(), name);
    return out;
}

const char *conf_certs(void)
{
    const char *dir = getenv("SKT_CONF_CERTS");
    return dir && *dir ? dir : NULL;
}

/* ------------------------------------------------------------------------ */
/* Loopback fixtures                                                        */
/* ------------------------------------------------------------------------ */

int conf_listener(int family, skt_socket **l, skt_addr *addr)
{
    const char *host = family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0";
    skt_addr a;
    int rc = skt_addr_parse(&a, host);

    *l = NULL;
    if (rc == 0)
        rc = skt_open(l, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_bind(*l, &a);
    if (rc == 0)
        rc = skt_listen(*l, 8);
    if (rc == 0)
        rc = skt_settimeout(*l, CONF_SAFETY);
    if (rc == 0)
        rc = skt_getsockname(*l, addr);
    if (rc < 0) {
        skt_close(*l);
        *l = NULL;
    }
    return rc;
}

int conf_tcp_pair(int family, skt_socket **client, skt_socket **server)
{
    skt_socket *l = NULL;
    skt_addr a;
    int rc = conf_listener(family, &l, &a);

    *client = *server = NULL;
    if (rc == 0)
        rc = skt_open(client, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(*client, CONF_SAFETY);
    if (rc == 0)
        rc = skt_connect(*client, &a);
    if (rc == 0)
        rc = skt_accept(l, server, NULL);
    if (rc == 0)
        rc = skt_settimeout(*server, CONF_SAFETY);
    skt_close(l);
    if (rc < 0) {
        conf_close(*client, *server, NULL);
        *client = *server = NULL;
    }
    return rc;
}

int conf_udp_pair(skt_socket **a, skt_socket **b)
{
    skt_addr any, aa, ba;
    int rc = skt_addr_parse(&any, "127.0.0.1:0");

    *a = *b = NULL;
    if (rc == 0)
        rc = skt_open(a, AF_INET, SOCK_DGRAM, 0);
    if (rc == 0)
        rc = skt_open(b, AF_INET, SOCK_DGRAM, 0);
    if (rc == 0)
        rc = skt_bind(*a, &any);
    if (rc == 0)
        rc = skt_bind(*b, &any);
    if (rc == 0)
        rc = skt_getsockname(*a, &aa);
    if (rc == 0)
        rc = skt_getsockname(*b, &ba);
    if (rc == 0)
        rc = skt_connect(*a, &ba);
    if (rc == 0)
        rc = skt_connect(*b, &aa);
    if (rc == 0)
        rc = skt_settimeout(*a, CONF_SAFETY);
    if (rc == 0)
        rc = skt_settimeout(*b, CONF_SAFETY);
    if (rc < 0) {
        conf_close(*a, *b, NULL);
        *a = *b = NULL;
    }
    return rc;
}

int conf_unix_pair(int type, skt_socket **a, skt_socket **b)
{
    int rc = skt_socketpair(a, b, AF_UNIX, type, 0);

    if (rc == 0)
        rc = skt_settimeout(*a, CONF_SAFETY);
    if (rc == 0)
        rc = skt_settimeout(*b, CONF_SAFETY);
    if (rc < 0) {
        conf_close(*a, *b, NULL);
        *a = *b = NULL;
    }
    return rc;
}

int conf_blackhole(int family, skt_socket **l, skt_socket **filler,
                   skt_addr *addr)
{
    const char *host = family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0";
    skt_addr a;
    int rc = skt_addr_parse(&a, host);

    *l = *filler = NULL;
    if (rc == 0)
        rc = skt_open(l, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_bind(*l, &a);
    if (rc == 0)
        rc = skt_listen(*l, 0);
    if (rc == 0)
        rc = skt_getsockname(*l, addr);
    if (rc == 0)
        rc = skt_open(filler, family, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_settimeout(*filler, 2);
    if (rc == 0)
        rc = skt_connect(*filler, addr);
    if (rc < 0) {
        conf_close(*l, *filler, NULL);
        *l = *filler = NULL;
    }
    return rc;
}

int conf_closed_port(skt_addr *addr)
{
    skt_socket *s;
    skt_addr a;
    int rc = skt_addr_parse(&a, "127.0.0.1:0");

    if (rc == 0)
        rc = skt_open(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = skt_bind(s, &a);
    if (rc == 0)
        rc = skt_getsockname(s, addr);
    skt_close(s);
    return rc;
}

void conf_close(skt_socket *a, skt_socket *b, skt_socket *c)
{
    skt_close(a);
    skt_close(b);
    skt_close(c);
}

/* ------------------------------------------------------------------------ */
/* Main                                                                     */
/* ------------------------------------------------------------------------ */

static bool wanted(const char *name, int argc, char **argv)
{
    if (argc <= 2)
        return true;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

/* Runs one scenario; an fd it leaves open is reported on stderr (and
 * makes the exit status 1). */
static bool run_one(const conf_scenario *s)
{
    int before = conf_fds(), after;

    s->fn(s->name);
    after = conf_fds();
    if (after > before)
        fprintf(stderr, "conformance-skt: %s left %d fd(s) open\n", s->name,
                after - before);
    return after <= before;
}

int main(int argc, char **argv)
{
    bool clean = true;

    if (argc < 2 || strcmp(argv[1], "--list") == 0) {
        for (size_t g = 0; g < GROUP_COUNT; g++)
            printf("%s\n", groups[g].name);
        return argc < 2 ? 2 : 0;
    }
    /* SIGPIPE keeps its default disposition (Python ignores it at
     * start-up): skt promises never to raise it, so one would end the run
     * and show. */
    for (size_t g = 0; g < GROUP_COUNT; g++) {
        if (strcmp(argv[1], groups[g].name) != 0)
            continue;
        conf_tmpdir();
        for (const conf_scenario *s = groups[g].table; s->name; s++)
            if (wanted(s->name, argc, argv))
                clean = run_one(s) && clean;
        return clean ? 0 : 1;
    }
    fprintf(stderr, "conformance-skt: no group \"%s\" (--list)\n", argv[1]);
    return 2;
}
