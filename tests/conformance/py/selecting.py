"""selecting - the selectors module: backends, keys, registering and its
errors, readiness, timeouts, modify, counts (test_selectors.py's
BaseSelectorTestCase and ScalableSelectorMixIn, the selectors reference)."""
import os
import selectors
import socket
import threading
import time

from conf import add, scenario, bucket, fds, listener, path, tcp_pair

R, W = selectors.EVENT_READ, selectors.EVENT_WRITE
BACKENDS = {"EpollSelector": "epoll", "PollSelector": "poll",
            "SelectSelector": "select"}
NOT_THERE = {"KeyError": "ENOENT"}


def events(mask):
    names = [n for bit, n in ((R, "READ"), (W, "WRITE")) if mask & bit]
    return "|".join(names) or "0"


def ready(found):
    return f"{len(found)} " + ",".join(events(e) for _, e in found) \
        if found else "0"


def on_selector(fn, cls=selectors.DefaultSelector):
    def run():
        sel = cls()
        c, s = tcp_pair()
        try:
            return fn(sel, c, s)
        finally:
            sel.close()
            c.close(), s.close()
    return run


def key_of(sel, c, s):
    key = sel.register(c, R, "mydata")
    return f"{key.fd == c.fileno()} {events(key.events)} {key.data}"


def register_twice(sel, c, s):
    sel.register(c, R)
    sel.register(c, W)


def unregister_unknown(sel, c, s):
    sel.unregister(c)


def get_key_unknown(sel, c, s):
    sel.get_key(c)


def modify_unknown(sel, c, s):
    sel.modify(c, R)


def events_zero(sel, c, s):
    sel.register(c, 0)


def events_unknown(sel, c, s):
    sel.register(c, 4)


def negative_fd(sel, c, s):
    sel.register(-1, R)


def empty_select(sel, c, s):
    sel.register(c, R)
    return ready(sel.select(0))


def timed_select(sel, c, s):
    sel.register(c, R)
    start = time.monotonic()
    found = sel.select(0.2)
    return f"{ready(found)} {bucket(time.monotonic() - start)}"


def readable(sel, c, s):
    sel.register(c, R)
    s.sendall(b"x")
    return ready(sel.select(2))


def writable(sel, c, s):
    sel.register(c, W)
    return ready(sel.select(2))


def both(sel, c, s):
    sel.register(c, R | W)
    s.sendall(b"x")
    time.sleep(0.02)
    return ready(sel.select(2))


def modify(sel, c, s):
    sel.register(c, R, "a")
    key = sel.modify(c, W, "b")
    found = sel.select(2)
    return f"{events(key.events)} {key.data} {ready(found)} {found[0][0].data}"


def count(sel, c, s):
    a, b = socket.socketpair()
    with a, b:
        for x in (c, a, b):
            sel.register(x, R)
        n = len(sel.get_map())
        sel.unregister(a)
        return f"{n} {len(sel.get_map())}"


def unregistered_quiet(sel, c, s):
    sel.register(c, R)
    sel.unregister(c)
    s.sendall(b"x")
    return ready(sel.select(0.05))


def peer_closed(sel, c, s):
    sel.register(c, R)
    s.close()
    return ready(sel.select(2))


def data_kept(sel, c, s):
    marker = object()
    sel.register(c, W, marker)
    return sel.select(2)[0][0].data is marker


def closed_fd(sel, c, s):
    fd = os.dup(c.fileno())
    os.close(fd)
    sel.register(fd, R)


def regular_file(sel, c, s):
    p = path("regular.txt")
    with open(p, "w") as f:
        f.write("x")
    with open(p) as f:
        sel.register(f, R)


def listener_ready(sel, c, s):
    with listener() as l:
        sel.register(l, R)
        socket.create_connection(l.getsockname(), timeout=5).close()
        return ready(sel.select(2))


def close_leaves_sockets(sel, c, s):
    sel.register(c, R)
    sel.close()
    c.sendall(b"still")
    return s.recv(10)


def backend_name(sel, c, s):
    return BACKENDS.get(type(sel).__name__, type(sel).__name__)


def closed_while_registered(sel, c, s):
    a, b = socket.socketpair()
    with b:
        sel.register(a, R)
        a.close()
        return ready(sel.select(0.1))


def negative_timeout(sel, c, s):
    sel.register(c, R)
    t = threading.Timer(0.2, s.sendall, args=(b"late",))
    t.start()
    start = time.monotonic()
    found = sel.select(-1)
    took = time.monotonic() - start
    t.join()
    return f"{ready(found)} {bucket(took)}"


def none_timeout(sel, c, s):
    sel.register(c, R)
    t = threading.Timer(0.2, s.sendall, args=(b"late",))
    t.start()
    start = time.monotonic()
    found = sel.select(None)
    took = time.monotonic() - start
    t.join()
    return f"{ready(found)} {bucket(took)}"


for name, fn, alias in (
        ("backend_default", backend_name, None),
        ("register_key", key_of, None),
        ("register_twice", register_twice, {"KeyError": "EEXIST"}),
        ("unregister_unknown", unregister_unknown, NOT_THERE),
        ("get_key_unknown", get_key_unknown, NOT_THERE),
        ("modify_unknown", modify_unknown, NOT_THERE),
        ("events_zero", events_zero, None),
        ("events_unknown", events_unknown, None),
        ("negative_fd", negative_fd, None),
        ("select_zero_empty", empty_select, None),
        ("select_timeout", timed_select, None),
        ("readable", readable, None),
        ("writable", writable, None),
        ("read_and_write", both, None),
        ("modify", modify, None),
        ("count", count, None),
        ("unregistered_quiet", unregistered_quiet, None),
        ("peer_closed", peer_closed, None),
        ("data_kept", data_kept, None),
        ("closed_fd", closed_fd, None),
        ("regular_file", regular_file, None),
        ("listener_ready", listener_ready, None),
        ("close_leaves_sockets", close_leaves_sockets, None),
        ("closed_while_registered", closed_while_registered, None),
        ("negative_timeout", negative_timeout, None),
        ("none_timeout", none_timeout, None)):
    add(f"selector.{name}", on_selector(fn), alias=alias)

for cls, key in ((selectors.PollSelector, "poll"),
                 (selectors.SelectSelector, "select")):
    add(f"selector.{key}_backend", on_selector(backend_name, cls))
    add(f"selector.{key}_readable", on_selector(readable, cls))
    add(f"selector.{key}_writable", on_selector(writable, cls))
    add(f"selector.{key}_closed_while_registered",
        on_selector(closed_while_registered, cls))


@scenario("selector.fd_count")
def _():
    before = fds()
    sel = selectors.DefaultSelector()
    more = fds() - before
    sel.close()
    return f"{more} {fds() - before}"


INTENDED = {
    "selector.negative_timeout": (
        "1 READ ~0.2s", "skt_selector_select",
        "a negative timeout waits forever (the sentinel of every skt "
        "timeout), where Python's select(-1) only looks;"),
    "selector.select_closed_while_registered": (
        "1 READ", "skt_selector_select",
        "the select backend reports an fd closed while registered as ready, "
        "as the poll backends of skt and Python do"),
    "selector.fd_count": (
        "2 0", "skt_selector_new",
        "a selector holds one fd more than Python's (two with epoll), its "
        "eventfd"),
}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "selector.backend_default": (
        "poll", "skt_selector_new",
        "on the posix platform SKT_SELECTOR_DEFAULT is poll"),
    "selector.regular_file": (
        "ok", "skt_selector_register",
        "on the posix platform SKT_SELECTOR_DEFAULT is poll, which accepts a "
        "regular file"),
    "selector.closed_while_registered": (
        "1 READ", "skt_selector",
        "on the posix platform SKT_SELECTOR_DEFAULT is poll, so a default "
        "selector reports an fd closed while registered as ready"),
}}
