/*
 * selecting.c - skt_selector: backends, keys, registering and its errors,
 * readiness, timeouts, modify, counts, on skt (py/selecting.py on
 * Python's selectors).
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *events_text(int mask)
{
    static char text[4][16];
    static int next;
    char *out = text[next++ % 4];

    snprintf(out, 16, "%s%s%s", mask & SKT_EVENT_READ ? "READ" : "",
             (mask & SKT_EVENT_READ) && (mask & SKT_EVENT_WRITE) ? "|" : "",
             mask & SKT_EVENT_WRITE ? "WRITE" : "");
    return out[0] ? out : "0";
}

/* "N EV,EV" of a select's result, or the code. */
static const char *ready_text(int n, const skt_selector_ready *ready)
{
    static char text[128];

    if (n < 0)
        return conf_err(n);
    if (n == 0)
        return "0";
    snprintf(text, sizeof text, "%d ", n);
    for (int i = 0; i < n; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                 i ? "," : "", events_text(ready[i].events));
    return text;
}

static const char *select_text(skt_selector *sel, double timeout)
{
    const skt_selector_ready *ready;
    int n = skt_selector_select(sel, timeout, &ready);
    return ready_text(n, ready);
}

typedef void sel_fn(const char *name, skt_selector *sel, skt_socket *c,
                    skt_socket *s);

static void on_selector(const char *name, skt_selector_backend backend,
                        sel_fn *fn)
{
    skt_selector *sel;
    skt_socket *c, *s;
    int rc = skt_selector_new(&sel, backend);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = conf_tcp_pair(AF_INET, &c, &s);
    if (rc < 0) {
        skt_selector_close(sel);
        return conf_rc(name, rc);
    }
    fn(name, sel, c, s);
    skt_selector_close(sel);
    conf_close(c, s, NULL);
}

#define SEL(fn)                                                                \
    static void fn(const char *name, skt_selector *sel, skt_socket *c,         \
                   skt_socket *s)

SEL(backend_name)
{
    (void)c, (void)s;
    conf_emit(name, "%s", skt_selector_backend_name(sel));
}

SEL(register_key)
{
    skt_selector_key key;
    int rc = skt_selector_register_socket(sel, c, SKT_EVENT_READ, "mydata");

    (void)s;
    if (rc == 0)
        rc = skt_selector_get_key(sel, conf_fd(c), &key);
    if (rc < 0)
        return conf_rc(name, rc);
    conf_emit(name, "%s %s %s", conf_bool(key.fd == conf_fd(c)),
              events_text(key.events), (const char *)key.data);
}

SEL(register_twice)
{
    int rc = skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    (void)s;
    conf_rc(name, rc < 0 ? rc
                         : skt_selector_register_socket(sel, c, SKT_EVENT_WRITE,
                                                        NULL));
}

SEL(unregister_unknown)
{
    (void)s;
    conf_rc(name, skt_selector_unregister_socket(sel, c));
}

SEL(get_key_unknown)
{
    skt_selector_key key;
    (void)s;
    conf_rc(name, skt_selector_get_key(sel, conf_fd(c), &key));
}

SEL(modify_unknown)
{
    (void)s;
    conf_rc(name,
            skt_selector_modify_socket(sel, c, SKT_EVENT_READ, NULL));
}

SEL(events_zero)
{
    (void)s;
    conf_rc(name, skt_selector_register_socket(sel, c, 0, NULL));
}

SEL(events_unknown)
{
    (void)s;
    conf_rc(name, skt_selector_register_socket(sel, c, 4, NULL));
}

SEL(negative_fd)
{
    (void)c, (void)s;
    conf_rc(name, skt_selector_register(sel, -1, SKT_EVENT_READ, NULL));
}

SEL(select_zero_empty)
{
    (void)s;
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    conf_emit(name, "%s", select_text(sel, 0));
}

SEL(select_timeout)
{
    double start = conf_now();
    const char *text;

    (void)s;
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    text = select_text(sel, 0.2);
    conf_emit(name, "%s %s", text, conf_bucket(conf_now() - start));
}

SEL(readable)
{
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    skt_sendall(s, "x", 1, 0, NULL);
    conf_emit(name, "%s", select_text(sel, 2));
}

SEL(writable)
{
    (void)s;
    skt_selector_register_socket(sel, c, SKT_EVENT_WRITE, NULL);
    conf_emit(name, "%s", select_text(sel, 2));
}

SEL(read_and_write)
{
    skt_selector_register_socket(sel, c, SKT_EVENT_READ | SKT_EVENT_WRITE,
                                 NULL);
    skt_sendall(s, "x", 1, 0, NULL);
    pause_ms(20);
    conf_emit(name, "%s", select_text(sel, 2));
}

SEL(modify)
{
    skt_selector_key key;
    const skt_selector_ready *ready;
    int n, rc = skt_selector_register_socket(sel, c, SKT_EVENT_READ, "a");

    (void)s;
    if (rc == 0)
        rc = skt_selector_modify_socket(sel, c, SKT_EVENT_WRITE, "b");
    if (rc == 0)
        rc = skt_selector_get_key(sel, conf_fd(c), &key);
    if (rc < 0)
        return conf_rc(name, rc);
    n = skt_selector_select(sel, 2, &ready);
    conf_emit(name, "%s %s %s %s", events_text(key.events),
              (const char *)key.data, ready_text(n, ready),
              n > 0 ? (const char *)ready[0].key.data : "-");
}

SEL(count)
{
    skt_socket *a, *b;
    int n, rc = skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0);

    (void)s;
    if (rc < 0)
        return conf_rc(name, rc);
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL);
    skt_selector_register_socket(sel, b, SKT_EVENT_READ, NULL);
    n = skt_selector_count(sel);
    skt_selector_unregister_socket(sel, a);
    conf_emit(name, "%d %d", n, skt_selector_count(sel));
    skt_selector_unregister_socket(sel, b);
    conf_close(a, b, NULL);
}

SEL(unregistered_quiet)
{
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    skt_selector_unregister_socket(sel, c);
    skt_sendall(s, "x", 1, 0, NULL);
    conf_emit(name, "%s", select_text(sel, 0.05));
}

SEL(peer_closed)
{
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    skt_shutdown(s, SHUT_RDWR);
    conf_emit(name, "%s", select_text(sel, 2));
}

SEL(data_kept)
{
    int marker;
    const skt_selector_ready *ready;
    int n;

    (void)s;
    skt_selector_register_socket(sel, c, SKT_EVENT_WRITE, &marker);
    n = skt_selector_select(sel, 2, &ready);
    conf_emit(name, "%s",
              n < 0 ? conf_err(n)
                    : conf_bool(n > 0 && ready[0].key.data == &marker));
}

SEL(closed_fd)
{
    int fd = dup(conf_fd(c));
    (void)s;
    close(fd);
    conf_rc(name, skt_selector_register(sel, fd, SKT_EVENT_READ, NULL));
}

SEL(regular_file)
{
    const char *p = conf_path("regular.txt");
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc;

    (void)c, (void)s;
    if (fd < 0)
        return conf_rc(name, -errno);
    rc = skt_selector_register(sel, fd, SKT_EVENT_READ, NULL);
    conf_rc(name, rc);
    if (rc == 0)
        skt_selector_unregister(sel, fd);
    close(fd);
}

SEL(listener_ready)
{
    skt_socket *l, *x = NULL;
    skt_addr a;
    int rc = conf_listener(AF_INET, &l, &a);

    (void)c, (void)s;
    if (rc < 0)
        return conf_rc(name, rc);
    skt_selector_register_socket(sel, l, SKT_EVENT_READ, NULL);
    rc = skt_open(&x, AF_INET, SOCK_STREAM, 0);
    if (rc == 0)
        rc = skt_connect(x, &a);
    skt_close(x);
    conf_emit(name, "%s", rc < 0 ? conf_err(rc) : select_text(sel, 2));
    skt_selector_unregister_socket(sel, l);
    skt_close(l);
}

static void selector_close_leaves_sockets(const char *name)
{
    skt_selector *sel;
    skt_socket *c, *s;
    char buf[10];
    ssize_t n;
    int rc = skt_selector_new(&sel, SKT_SELECTOR_DEFAULT);

    if (rc < 0)
        return conf_rc(name, rc);
    rc = conf_tcp_pair(AF_INET, &c, &s);
    if (rc < 0) {
        skt_selector_close(sel);
        return conf_rc(name, rc);
    }
    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    skt_selector_close(sel);
    n = skt_sendall(c, "still", 5, 0, NULL);
    if (n == 0)
        n = skt_recv(s, buf, sizeof buf, 0);
    conf_emit(name, "%s", n < 0 ? conf_err(n) : conf_bytes(buf, (size_t)n));
    conf_close(c, s, NULL);
}

SEL(closed_while_registered)
{
    skt_socket *a, *b;
    int fd, rc = skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0);

    (void)c, (void)s;
    if (rc < 0)
        return conf_rc(name, rc);
    skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL);
    fd = conf_fd(a);
    skt_close(a);
    conf_emit(name, "%s", select_text(sel, 0.1));
    skt_selector_unregister(sel, fd);
    skt_close(b);
}

struct late {
    skt_socket *s;
};

static void *send_late(void *arg)
{
    struct late *l = arg;
    pause_ms(200);
    skt_sendall(l->s, "late", 4, 0, NULL);
    return NULL;
}

static void wait_with(const char *name, skt_selector *sel, skt_socket *c,
                      skt_socket *s, double timeout)
{
    struct late l = {s};
    pthread_t t;
    double start;
    const char *text;

    skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL);
    pthread_create(&t, NULL, send_late, &l);
    start = conf_now();
    text = select_text(sel, timeout);
    conf_emit(name, "%s %s", text, conf_bucket(conf_now() - start));
    pthread_join(t, NULL);
}

SEL(negative_timeout)
{
    wait_with(name, sel, c, s, -1);
}
SEL(none_timeout)
{
    wait_with(name, sel, c, s, SKT_BLOCKING);
}

static void selector_fd_count(const char *name)
{
    int before = conf_fds(), more;
    skt_selector *sel;
    int rc = skt_selector_new(&sel, SKT_SELECTOR_DEFAULT);

    more = conf_fds() - before;
    if (rc < 0)
        return conf_rc(name, rc);
    skt_selector_close(sel);
    conf_emit(name, "%d %d", more, conf_fds() - before);
}

#define CASE(label, backend, fn)                                               \
    static void sc_##label(const char *n)                                      \
    {                                                                          \
        on_selector(n, backend, fn);                                           \
    }
#define D SKT_SELECTOR_DEFAULT
CASE(backend_default, D, backend_name)
CASE(register_key, D, register_key)
CASE(register_twice, D, register_twice)
CASE(unregister_unknown, D, unregister_unknown)
CASE(get_key_unknown, D, get_key_unknown)
CASE(modify_unknown, D, modify_unknown)
CASE(events_zero, D, events_zero)
CASE(events_unknown, D, events_unknown)
CASE(negative_fd, D, negative_fd)
CASE(select_zero_empty, D, select_zero_empty)
CASE(select_timeout, D, select_timeout)
CASE(readable, D, readable)
CASE(writable, D, writable)
CASE(read_and_write, D, read_and_write)
CASE(modify, D, modify)
CASE(count, D, count)
CASE(unregistered_quiet, D, unregistered_quiet)
CASE(peer_closed, D, peer_closed)
CASE(data_kept, D, data_kept)
CASE(closed_fd, D, closed_fd)
CASE(regular_file, D, regular_file)
CASE(listener_ready, D, listener_ready)
CASE(closed_while_registered, D, closed_while_registered)
CASE(negative_timeout, D, negative_timeout)
CASE(none_timeout, D, none_timeout)
CASE(poll_backend, SKT_SELECTOR_POLL, backend_name)
CASE(poll_readable, SKT_SELECTOR_POLL, readable)
CASE(poll_writable, SKT_SELECTOR_POLL, writable)
CASE(poll_closed_while_registered, SKT_SELECTOR_POLL, closed_while_registered)
CASE(select_backend, SKT_SELECTOR_SELECT, backend_name)
CASE(select_readable, SKT_SELECTOR_SELECT, readable)
CASE(select_writable, SKT_SELECTOR_SELECT, writable)
CASE(select_closed_while_registered, SKT_SELECTOR_SELECT,
     closed_while_registered)

const conf_scenario conf_selecting[] = {
    {"selector.backend_default", sc_backend_default},
    {"selector.register_key", sc_register_key},
    {"selector.register_twice", sc_register_twice},
    {"selector.unregister_unknown", sc_unregister_unknown},
    {"selector.get_key_unknown", sc_get_key_unknown},
    {"selector.modify_unknown", sc_modify_unknown},
    {"selector.events_zero", sc_events_zero},
    {"selector.events_unknown", sc_events_unknown},
    {"selector.negative_fd", sc_negative_fd},
    {"selector.select_zero_empty", sc_select_zero_empty},
    {"selector.select_timeout", sc_select_timeout},
    {"selector.readable", sc_readable},
    {"selector.writable", sc_writable},
    {"selector.read_and_write", sc_read_and_write},
    {"selector.modify", sc_modify},
    {"selector.count", sc_count},
    {"selector.unregistered_quiet", sc_unregistered_quiet},
    {"selector.peer_closed", sc_peer_closed},
    {"selector.data_kept", sc_data_kept},
    {"selector.closed_fd", sc_closed_fd},
    {"selector.regular_file", sc_regular_file},
    {"selector.listener_ready", sc_listener_ready},
    {"selector.close_leaves_sockets", selector_close_leaves_sockets},
    {"selector.closed_while_registered", sc_closed_while_registered},
    {"selector.negative_timeout", sc_negative_timeout},
    {"selector.none_timeout", sc_none_timeout},
    {"selector.poll_backend", sc_poll_backend},
    {"selector.poll_readable", sc_poll_readable},
    {"selector.poll_writable", sc_poll_writable},
    {"selector.poll_closed_while_registered", sc_poll_closed_while_registered},
    {"selector.select_backend", sc_select_backend},
    {"selector.select_readable", sc_select_readable},
    {"selector.select_writable", sc_select_writable},
    {"selector.select_closed_while_registered",
     sc_select_closed_while_registered},
    {"selector.fd_count", selector_fd_count},
    {NULL, NULL},
};
