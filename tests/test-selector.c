/*
 * test-selector.c - skt_selector semantics, every behaviour run once per
 * backend (epoll, poll, select): registering, modifying, unregistering,
 * timeouts, EINTR, closed fds, wake-ups from another thread and from a
 * signal handler, and the high-fd limit of select.
 */
#include "harness.h"
#include "internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static skt_selector *open_selector(skt_selector_backend backend)
{
    skt_selector *sel;
    SKT_OK(skt_selector_new(&sel, backend));
    return sel;
}

static void pair(skt_socket **a, skt_socket **b)
{
    SKT_OK(skt_socketpair(a, b, AF_UNIX, SOCK_STREAM, 0));
}

static void send_byte(skt_socket *s)
{
    assert_int_equal(skt_send(s, "x", 1, 0), 1);
}

/* Selects with timeout and returns the number of entries with events. */
static int select_live(skt_selector *sel, double timeout,
                       const skt_selector_ready **ready)
{
    int n = skt_selector_select(sel, timeout, ready);
    int live = 0;

    assert_true(n >= 0);
    for (int i = 0; i < n; i++)
        live += (*ready)[i].events != 0;
    return live;
}

static int signals_seen;

static void count_signal(int signo)
{
    (void)signo;
    signals_seen++;
}

/* Sends SIGALRM every interval_us, without SA_RESTART, to the process. */
static void start_alarms(void (*handler)(int), long interval_us,
                         struct sigaction *saved)
{
    struct sigaction sa;
    struct itimerval it = {{0, interval_us}, {0, interval_us}};

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, saved), 0);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void stop_alarms(const struct sigaction *saved)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, saved, NULL);
}

/* ------------------------------------------------------------------------ */
/* The fixture                                                              */
/* ------------------------------------------------------------------------ */

/*
 * What a behaviour starts from, in *state: a selector of the case's
 * backend and a connected pair a, b, registered with nothing. The
 * teardown closes the selector and the sockets left; a behaviour that
 * closes one itself sets it to NULL.
 */
struct fixture {
    skt_selector_backend backend;
    skt_selector *sel;
    skt_socket *a, *b;
};

static int setup(void **state, skt_selector_backend backend)
{
    struct fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    *state = f;
    f->backend = backend;
    f->sel = open_selector(backend);
    pair(&f->a, &f->b);
    return 0;
}

/* The posix platform has no epoll: its epoll cases skip, on a poll
 * fixture that their teardown frees. */
#ifdef SKT_PLATFORM_POSIX
#define EPOLL_FIXTURE SKT_SELECTOR_POLL
#define DEFAULT_BACKEND_NAME "poll"
#else
#define EPOLL_FIXTURE SKT_SELECTOR_EPOLL
#define DEFAULT_BACKEND_NAME "epoll"
#endif

static int setup_epoll(void **state)
{
    return setup(state, EPOLL_FIXTURE);
}

static int setup_poll(void **state)
{
    return setup(state, SKT_SELECTOR_POLL);
}

static int setup_select(void **state)
{
    return setup(state, SKT_SELECTOR_SELECT);
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    skt_selector_close(f->sel);
    skt_close(f->a);
    skt_close(f->b);
    free(f);
    return 0;
}

/* A case of the fixture with the backend made by setup_<backend>. */
#define SKT_CASE(test, backend)                                               \
    cmocka_unit_test_setup_teardown(test, setup_##backend, teardown)

/* Closes the selector before the end: before the sockets that a behaviour
 * registered with register_socket, which must outlive their keys. */
static void close_selector(struct fixture *f)
{
    skt_selector_close(f->sel);
    f->sel = NULL;
}

/* Closes one of the pair before the end, and returns its old fd. */
static int close_end(skt_socket **end)
{
    int fd = skt_test_fd(*end);

    skt_close(*end);
    *end = NULL;
    return fd;
}

/* ------------------------------------------------------------------------ */
/* Behaviours, each run once per backend                                    */
/* ------------------------------------------------------------------------ */

static void readable_fd_is_reported_with_its_key(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a, *b = f->b;
    const skt_selector_ready *ready;
    int data;

    SKT_OK(skt_selector_register_socket(sel, b, SKT_EVENT_READ, &data));
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
    send_byte(a);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].key.fd, skt_test_fd(b));
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    assert_int_equal(ready[0].key.events, SKT_EVENT_READ);
    assert_ptr_equal(ready[0].key.data, &data);
    assert_ptr_equal(ready[0].key.sock, b);
    /* Level-triggered: still ready until it is read. */
    assert_int_equal(skt_selector_select(sel, 0, &ready), 1);
    SKT_OK(skt_selector_unregister(sel, skt_test_fd(b)));
}

static void registering_twice_fails(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;
    skt_selector_key key;
    int first, second;

    SKT_OK(skt_selector_register(sel, skt_test_fd(a), SKT_EVENT_READ, &first));
    assert_int_equal(skt_selector_register(sel, skt_test_fd(a),
                                           SKT_EVENT_WRITE, &second),
                     -EEXIST);
    assert_non_null(strstr(skt_error_detail(), "register fd"));
    /* The first registration is untouched. */
    SKT_OK(skt_selector_get_key(sel, skt_test_fd(a), &key));
    assert_int_equal(key.events, SKT_EVENT_READ);
    assert_ptr_equal(key.data, &first);
    assert_null(key.sock);
    assert_int_equal(skt_selector_count(sel), 1);
}

static void unregistering_unknown_fd_fails(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;
    skt_selector_key key;

    assert_int_equal(skt_selector_unregister(sel, skt_test_fd(a)), -ENOENT);
    assert_int_equal(skt_selector_unregister(sel, -1), -ENOENT);
    assert_int_equal(skt_selector_unregister(sel, 100000), -ENOENT);
    SKT_OK(skt_selector_register(sel, skt_test_fd(a), SKT_EVENT_READ, NULL));
    SKT_OK(skt_selector_unregister(sel, skt_test_fd(a)));
    assert_int_equal(skt_selector_unregister(sel, skt_test_fd(a)), -ENOENT);
    assert_int_equal(skt_selector_get_key(sel, skt_test_fd(a), &key),
                     -ENOENT);
    assert_int_equal(skt_selector_count(sel), 0);
}

static void modify_changes_events_and_data(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a, *b = f->b;
    const skt_selector_ready *ready;
    int before, after;

    SKT_OK(skt_selector_register(sel, skt_test_fd(a), SKT_EVENT_READ,
                                 &before));
    /* Nothing to read, so nothing is ready; writing is always possible. */
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
    SKT_OK(skt_selector_modify(sel, skt_test_fd(a), SKT_EVENT_WRITE, &after));
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_WRITE);
    assert_ptr_equal(ready[0].key.data, &after);
    /* Both events: only the ready one is reported. */
    SKT_OK(skt_selector_modify(sel, skt_test_fd(a),
                               SKT_EVENT_READ | SKT_EVENT_WRITE, &after));
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_WRITE);
    send_byte(b);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_READ | SKT_EVENT_WRITE);
    /* A modify right after a select cuts that select's entry too. */
    SKT_OK(skt_selector_modify(sel, skt_test_fd(a), SKT_EVENT_READ, &before));
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    assert_ptr_equal(ready[0].key.data, &before);
    assert_int_equal(skt_selector_modify(sel, skt_test_fd(b), SKT_EVENT_READ,
                                         NULL),
                     -ENOENT);
    assert_int_equal(skt_selector_modify(sel, skt_test_fd(a), 0, NULL),
                     -EINVAL);
}

static void invalid_events_are_refused(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;

    assert_int_equal(skt_selector_register(sel, skt_test_fd(a), 0, NULL),
                     -EINVAL);
    assert_int_equal(skt_selector_register(sel, skt_test_fd(a), 4, NULL),
                     -EINVAL);
    assert_int_equal(skt_selector_register(sel, -1, SKT_EVENT_READ, NULL),
                     -EINVAL);
    assert_int_equal(skt_selector_register(NULL, 0, SKT_EVENT_READ, NULL),
                     -EINVAL);
    assert_int_equal(skt_selector_count(sel), 0);
}

static void select_waits_out_its_timeout(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;
    const skt_selector_ready *ready;
    double start;

    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL));
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
    assert_true(skt_test_now() - start < 0.5);
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 0.2, &ready), 0);
    assert_true(skt_test_now() - start >= 0.2);
    assert_true(skt_test_now() - start < 2.0);
    /* A tiny timeout is rounded up, never down to a busy loop. */
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 0.0001, &ready), 0);
    assert_true(skt_test_now() - start >= 0.0001);
    assert_int_equal(skt_selector_select(sel, 0.0 / 0.0, &ready), -EINVAL);
}

static void select_retries_eintr_with_remaining_time(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a, *b = f->b;
    const skt_selector_ready *ready;
    struct sigaction saved;
    double start, elapsed;

    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL));
    signals_seen = 0;
    start_alarms(count_signal, 20000, &saved);
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 0.3, &ready), 0);
    elapsed = skt_test_now() - start;
    stop_alarms(&saved);
    assert_true(signals_seen >= 3);
    /* Neither cut short by a signal nor restarted from scratch by each. */
    assert_true(elapsed >= 0.3);
    assert_true(elapsed < 2.0);

    /* An injected EINTR is retried too, and the ready fd then reported. */
    send_byte(b);
    skt__sys_inject(SKT__OP_POLL, -EINTR, 0, 3, 0);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    skt__sys_inject_clear();
    assert_int_equal(ready[0].key.fd, skt_test_fd(a));
}

static void closed_fd_is_handled(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *c, *d;
    const skt_selector_ready *ready;
    int closed_fd;

    pair(&c, &d);
    /* An fd that is already closed cannot be registered. */
    closed_fd = close_end(&f->b);
    assert_int_equal(skt_selector_register(sel, closed_fd, SKT_EVENT_READ,
                                           NULL),
                     -EBADF);
    assert_int_equal(skt_selector_count(sel), 0);
    /* An fd closed while registered does not break the selector: the
     * other fds are still served, and unregister still works. (It is
     * registered as a raw fd: a socket object registered with
     * register_socket must outlive its registration.) */
    SKT_OK(skt_selector_register(sel, skt_test_fd(f->a), SKT_EVENT_READ,
                                 NULL));
    SKT_OK(skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL));
    closed_fd = close_end(&f->a);
    send_byte(d);
    for (int round = 0; round < 2; round++) {
        int n = skt_selector_select(sel, 1, &ready);
        bool saw_c = false;
        assert_true(n >= 1);
        for (int i = 0; i < n; i++) {
            if (ready[i].key.fd == closed_fd)
                assert_int_equal(ready[i].events, SKT_EVENT_READ);
            else if (ready[i].key.fd == skt_test_fd(c))
                saw_c = true;
        }
        assert_true(saw_c);
    }
    SKT_OK(skt_selector_unregister(sel, closed_fd));
    assert_int_equal(skt_selector_count(sel), 1);
    assert_int_equal(skt_selector_select(sel, 1, &ready), 1);
    assert_int_equal(ready[0].key.fd, skt_test_fd(c));
    close_selector(f);
    skt_close(c);
    skt_close(d);
}

struct waker {
    skt_selector *sel;
    double delay;
};

static void *wake_later(void *arg)
{
    struct waker *w = arg;
    usleep((useconds_t)(w->delay * 1e6));
    skt_selector_wakeup(w->sel);
    return NULL;
}

static void wakeup_from_another_thread(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;
    const skt_selector_ready *ready;
    struct waker w = {sel, 0.1};
    pthread_t thread;
    double start, elapsed;

    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL));
    start = skt_test_now();
    assert_int_equal(pthread_create(&thread, NULL, wake_later, &w), 0);
    assert_int_equal(skt_selector_select(sel, SKT_BLOCKING, &ready), 0);
    elapsed = skt_test_now() - start;
    pthread_join(thread, NULL);
    assert_true(elapsed >= 0.09);
    assert_true(elapsed < 2.0);
    /* The wake-up was consumed: the next select times out normally. */
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 0.05, &ready), 0);
    assert_true(skt_test_now() - start >= 0.05);
    /* A wake-up that comes first makes the next select return at once. */
    SKT_OK(skt_selector_wakeup(sel));
    SKT_OK(skt_selector_wakeup(sel));
    start = skt_test_now();
    assert_int_equal(skt_selector_select(sel, 10, &ready), 0);
    assert_true(skt_test_now() - start < 1.0);
    assert_int_equal(skt_selector_select(sel, 0, &ready), 0);
}

static skt_selector *signal_selector;

static void wake_from_signal(int signo)
{
    (void)signo;
    skt_selector_wakeup(signal_selector);
}

static void wakeup_from_signal_handler(struct fixture *f)
{
    skt_selector *sel = f->sel;
    const skt_selector_ready *ready;
    struct sigaction saved;
    double start, elapsed;

    signal_selector = sel;
    start = skt_test_now();
    /* An alarm every 50 ms; the first one ends the select. */
    start_alarms(wake_from_signal, 50000, &saved);
    assert_int_equal(skt_selector_select(sel, 10, &ready), 0);
    elapsed = skt_test_now() - start;
    stop_alarms(&saved);
    assert_true(elapsed < 2.0);
}

static void unregister_clears_pending_entry(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a, *b = f->b, *c, *d;
    const skt_selector_ready *ready;
    int n, live = 0;

    pair(&c, &d);
    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL));
    SKT_OK(skt_selector_register_socket(sel, c, SKT_EVENT_READ, NULL));
    send_byte(b);
    send_byte(d);
    n = skt_selector_select(sel, 5, &ready);
    assert_int_equal(n, 2);
    /* A handler of the first entry closes the second connection. */
    SKT_OK(skt_selector_unregister(sel, ready[1].key.fd));
    for (int i = 0; i < n; i++)
        live += ready[i].events != 0;
    assert_int_equal(live, 1);
    assert_int_equal(select_live(sel, 5, &ready), 1);
    close_selector(f);
    skt_close(c);
    skt_close(d);
}

static void hangup_is_reported_as_registered_events(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a;
    const skt_selector_ready *ready;
    char byte;

    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, NULL));
    close_end(&f->b);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    assert_int_equal(skt_recv(a, &byte, 1, 0), 0);
}

/* Handlers register new fds while the loop still walks the array of the
 * last select: the array must stay where it is until the next select. */
static void registering_during_a_walk_keeps_the_array(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *a = f->a, *b = f->b, *more[40][2];
    const skt_selector_ready *ready;

    SKT_OK(skt_selector_register_socket(sel, a, SKT_EVENT_READ, &a));
    send_byte(b);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    for (int i = 0; i < 40; i++) {
        pair(&more[i][0], &more[i][1]);
        SKT_OK(skt_selector_register_socket(sel, more[i][0], SKT_EVENT_READ,
                                            NULL));
    }
    assert_ptr_equal(ready[0].key.data, &a);
    assert_int_equal(ready[0].events, SKT_EVENT_READ);
    for (int i = 0; i < 40; i++)
        send_byte(more[i][1]);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 41);
    close_selector(f);
    for (int i = 0; i < 40; i++) {
        skt_close(more[i][0]);
        skt_close(more[i][1]);
    }
}

enum { MANY = 150 };

/* Many fds, half of them ready, and removals in an order that moves
 * entries around inside the backends. */
static void many_fds_are_tracked(struct fixture *f)
{
    skt_selector *sel = f->sel;
    skt_socket *ends[MANY][2];
    const skt_selector_ready *ready;
    int n;

    for (int i = 0; i < MANY; i++) {
        pair(&ends[i][0], &ends[i][1]);
        SKT_OK(skt_selector_register_socket(sel, ends[i][0], SKT_EVENT_READ,
                                            &ends[i][0]));
        if (i % 2 == 0)
            send_byte(ends[i][1]);
    }
    n = skt_selector_select(sel, 5, &ready);
    assert_int_equal(n, MANY / 2);
    for (int i = 0; i < n; i++) {
        skt_socket **end = ready[i].key.data;
        assert_ptr_equal(*end, ready[i].key.sock);
        assert_int_equal((end - &ends[0][0]) % 4, 0);
    }
    for (int i = 0; i < MANY; i += 3)
        SKT_OK(skt_selector_unregister(sel, skt_test_fd(ends[i][0])));
    assert_int_equal(skt_selector_count(sel), MANY - (MANY + 2) / 3);
    n = skt_selector_select(sel, 5, &ready);
    assert_int_equal(n, MANY / 2 - (MANY / 2 + 2) / 3);
    close_selector(f);
    for (int i = 0; i < MANY; i++) {
        skt_close(ends[i][0]);
        skt_close(ends[i][1]);
    }
}

/* An fd above FD_SETSIZE: select refuses it clearly, the others use it. */
static void fd_above_fd_setsize(struct fixture *f)
{
    skt_selector *sel = f->sel;
    const skt_selector_ready *ready;
    struct rlimit limit;
    int high;

    assert_int_equal(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur <= FD_SETSIZE + 10) {
        if (limit.rlim_max <= FD_SETSIZE + 10)
            SKT_SKIP("RLIMIT_NOFILE hard limit %lu is too low",
                     (unsigned long)limit.rlim_max);
        limit.rlim_cur = FD_SETSIZE + 11;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
    high = fcntl(skt_test_fd(f->a), F_DUPFD_CLOEXEC, FD_SETSIZE + 5);
    assert_true(high >= FD_SETSIZE);
    if (f->backend == SKT_SELECTOR_SELECT) {
        assert_int_equal(skt_selector_register(sel, high, SKT_EVENT_READ,
                                               NULL),
                         -ERANGE);
        assert_non_null(strstr(skt_error_detail(), "FD_SETSIZE"));
        assert_int_equal(skt_selector_count(sel), 0);
    } else {
        SKT_OK(skt_selector_register(sel, high, SKT_EVENT_READ, NULL));
        send_byte(f->b);
        assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
        assert_int_equal(ready[0].key.fd, high);
    }
    close(high);
}

/* A program holding sockets never needs their handles: modify and
 * unregister find the registration from the socket. */
static void socket_calls_need_no_handle(struct fixture *f)
{
    skt_selector *sel = f->sel;
    const skt_selector_ready *ready;
    skt_selector_key key;
    int first, second;

    SKT_OK(skt_selector_register_socket(sel, f->b, SKT_EVENT_READ, &first));
    SKT_OK(skt_selector_modify_socket(sel, f->b, SKT_EVENT_WRITE, &second));
    SKT_OK(skt_selector_get_key(sel, skt_test_fd(f->b), &key));
    assert_int_equal(key.events, SKT_EVENT_WRITE);
    assert_ptr_equal(key.data, &second);
    assert_ptr_equal(key.sock, f->b);
    assert_int_equal(skt_selector_select(sel, 5, &ready), 1);
    assert_int_equal(ready[0].events, SKT_EVENT_WRITE);
    SKT_OK(skt_selector_unregister_socket(sel, f->b));
    assert_int_equal(skt_selector_count(sel), 0);
    assert_int_equal(skt_selector_unregister_socket(sel, f->b), -ENOENT);
    assert_int_equal(skt_selector_modify_socket(sel, f->b, SKT_EVENT_READ,
                                                NULL),
                     -ENOENT);
    assert_int_equal(skt_selector_modify_socket(sel, NULL, SKT_EVENT_READ,
                                                NULL),
                     -EINVAL);
    assert_int_equal(skt_selector_unregister_socket(sel, NULL), -EINVAL);
}

static void test_unknown_backend_is_refused(void **state)
{
    skt_selector *sel;
    (void)state;
    assert_int_equal(skt_selector_new(&sel, (skt_selector_backend)42),
                     -EINVAL);
    assert_null(sel);
    assert_int_equal(skt_selector_new(NULL, SKT_SELECTOR_DEFAULT), -EINVAL);
    SKT_OK(skt_selector_new(&sel, SKT_SELECTOR_DEFAULT));
    assert_string_equal(skt_selector_backend_name(sel), DEFAULT_BACKEND_NAME);
    assert_int_equal(skt_selector_wakeup(NULL), -EINVAL);
    skt_selector_close(sel);
    skt_selector_close(NULL);
}

/* ------------------------------------------------------------------------ */
/* One case per behaviour and backend                                       */
/* ------------------------------------------------------------------------ */

/* The cases of a behaviour, one per backend: the fixture of each case
 * (setup_epoll, setup_poll, setup_select) brings its backend. */
#define PER_BACKEND(name)                                                     \
    static void test_epoll_##name(void **state)                               \
    {                                                                         \
        SKT_LINUX_ONLY("the epoll backend");                                  \
        name(*state);                                                         \
    }                                                                         \
    static void test_poll_##name(void **state)                                \
    {                                                                         \
        name(*state);                                                         \
    }                                                                         \
    static void test_select_##name(void **state)                              \
    {                                                                         \
        name(*state);                                                         \
    }

PER_BACKEND(readable_fd_is_reported_with_its_key)
PER_BACKEND(registering_twice_fails)
PER_BACKEND(unregistering_unknown_fd_fails)
PER_BACKEND(modify_changes_events_and_data)
PER_BACKEND(invalid_events_are_refused)
PER_BACKEND(select_waits_out_its_timeout)
PER_BACKEND(select_retries_eintr_with_remaining_time)
PER_BACKEND(closed_fd_is_handled)
PER_BACKEND(wakeup_from_another_thread)
PER_BACKEND(wakeup_from_signal_handler)
PER_BACKEND(unregister_clears_pending_entry)
PER_BACKEND(hangup_is_reported_as_registered_events)
PER_BACKEND(registering_during_a_walk_keeps_the_array)
PER_BACKEND(many_fds_are_tracked)
PER_BACKEND(fd_above_fd_setsize)
PER_BACKEND(socket_calls_need_no_handle)

static const struct CMUnitTest tests[] = {
    SKT_CASE(test_epoll_readable_fd_is_reported_with_its_key, epoll),
    SKT_CASE(test_poll_readable_fd_is_reported_with_its_key, poll),
    SKT_CASE(test_select_readable_fd_is_reported_with_its_key, select),
    SKT_CASE(test_epoll_registering_twice_fails, epoll),
    SKT_CASE(test_poll_registering_twice_fails, poll),
    SKT_CASE(test_select_registering_twice_fails, select),
    SKT_CASE(test_epoll_unregistering_unknown_fd_fails, epoll),
    SKT_CASE(test_poll_unregistering_unknown_fd_fails, poll),
    SKT_CASE(test_select_unregistering_unknown_fd_fails, select),
    SKT_CASE(test_epoll_modify_changes_events_and_data, epoll),
    SKT_CASE(test_poll_modify_changes_events_and_data, poll),
    SKT_CASE(test_select_modify_changes_events_and_data, select),
    SKT_CASE(test_epoll_invalid_events_are_refused, epoll),
    SKT_CASE(test_poll_invalid_events_are_refused, poll),
    SKT_CASE(test_select_invalid_events_are_refused, select),
    SKT_CASE(test_epoll_select_waits_out_its_timeout, epoll),
    SKT_CASE(test_poll_select_waits_out_its_timeout, poll),
    SKT_CASE(test_select_select_waits_out_its_timeout, select),
    SKT_CASE(test_epoll_select_retries_eintr_with_remaining_time, epoll),
    SKT_CASE(test_poll_select_retries_eintr_with_remaining_time, poll),
    SKT_CASE(test_select_select_retries_eintr_with_remaining_time, select),
    SKT_CASE(test_epoll_closed_fd_is_handled, epoll),
    SKT_CASE(test_poll_closed_fd_is_handled, poll),
    SKT_CASE(test_select_closed_fd_is_handled, select),
    SKT_CASE(test_epoll_wakeup_from_another_thread, epoll),
    SKT_CASE(test_poll_wakeup_from_another_thread, poll),
    SKT_CASE(test_select_wakeup_from_another_thread, select),
    SKT_CASE(test_epoll_wakeup_from_signal_handler, epoll),
    SKT_CASE(test_poll_wakeup_from_signal_handler, poll),
    SKT_CASE(test_select_wakeup_from_signal_handler, select),
    SKT_CASE(test_epoll_unregister_clears_pending_entry, epoll),
    SKT_CASE(test_poll_unregister_clears_pending_entry, poll),
    SKT_CASE(test_select_unregister_clears_pending_entry, select),
    SKT_CASE(test_epoll_hangup_is_reported_as_registered_events, epoll),
    SKT_CASE(test_poll_hangup_is_reported_as_registered_events, poll),
    SKT_CASE(test_select_hangup_is_reported_as_registered_events, select),
    SKT_CASE(test_epoll_registering_during_a_walk_keeps_the_array, epoll),
    SKT_CASE(test_poll_registering_during_a_walk_keeps_the_array, poll),
    SKT_CASE(test_select_registering_during_a_walk_keeps_the_array, select),
    SKT_CASE(test_epoll_many_fds_are_tracked, epoll),
    SKT_CASE(test_poll_many_fds_are_tracked, poll),
    SKT_CASE(test_select_many_fds_are_tracked, select),
    SKT_CASE(test_epoll_fd_above_fd_setsize, epoll),
    SKT_CASE(test_poll_fd_above_fd_setsize, poll),
    SKT_CASE(test_select_fd_above_fd_setsize, select),
    SKT_CASE(test_epoll_socket_calls_need_no_handle, epoll),
    SKT_CASE(test_poll_socket_calls_need_no_handle, poll),
    SKT_CASE(test_select_socket_calls_need_no_handle, select),
    cmocka_unit_test(test_unknown_backend_is_refused),
};

SKT_TEST_MAIN(tests)
