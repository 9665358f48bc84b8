"""connections - socket.create_server and socket.create_connection
(test_socket.py's CreateServerTest, CreateServerFunctionalTest,
NetworkConnectionNoServer, NetworkConnectionAttributesTest and the
all_errors of 3.11): options, modes, source addresses, errors, and
several addresses, one of them black-holed."""
import socket
import time

from conf import add, scenario, addr, bucket, fds, listener, timeout, word

S = socket


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blackhole(family, port=0):
    host = "::1" if family == S.AF_INET6 else "127.0.0.1"
    l = socket.socket(family)
    try:
        if family == S.AF_INET6:
            l.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 1)
        l.bind((host, port))
        l.listen(0)
        filler = socket.socket(family)
        filler.settimeout(2)
        filler.connect(l.getsockname())
    except BaseException:
        l.close()
        raise
    return l, filler


def split_port():
    """[::1]:P black-holed and 127.0.0.1:P listening, for one P."""
    for _ in range(50):
        bh, filler = blackhole(S.AF_INET6)
        port = bh.getsockname()[1]
        good = socket.socket()
        try:
            good.bind(("127.0.0.1", port))
            good.listen()
            return bh, filler, good, port
        except OSError:
            good.close(), bh.close(), filler.close()
    raise OSError("no port free in both families")


# --------------------------------------------------------------------------
# create_server
# --------------------------------------------------------------------------

def served(where, report, **kw):
    def run():
        with socket.create_server(where, **kw) as s:
            return report(s)
    return run


def opt(level, name):
    return lambda s: s.getsockopt(level, name)


add("server.reuseaddr", served(("127.0.0.1", 0),
                               lambda s: opt(S.SOL_SOCKET, S.SO_REUSEADDR)(s) != 0))
add("server.listening", served(("127.0.0.1", 0), opt(S.SOL_SOCKET, S.SO_ACCEPTCONN)))
add("server.empty_host", served(("", 0), lambda s: f"{int(s.family)} "
                                f"{addr(s.family, s.getsockname())}"))
add("server.localhost", served(("localhost", 0),
                               lambda s: addr(s.family, s.getsockname())))
add("server.ipv6_v6only", served(("::1", 0), lambda s: (
    f"{addr(s.family, s.getsockname())} "
    f"{s.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY)}"), family=S.AF_INET6))
add("server.dualstack", served(("", 0), lambda s: (
    f"{addr(s.family, s.getsockname())} "
    f"{s.getsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY)}"),
    family=S.AF_INET6, dualstack_ipv6=True))
add("server.reuse_port", served(("127.0.0.1", 0),
                                lambda s: opt(S.SOL_SOCKET, S.SO_REUSEPORT)(s) != 0,
                                reuse_port=True))
add("server.mode_and_type", served(("127.0.0.1", 0), lambda s: (
    f"{int(s.type)} {timeout(s.gettimeout())} {s.get_inheritable()}")))
add("server.dualstack_with_inet",
    served(("127.0.0.1", 0), lambda s: "ok", family=S.AF_INET,
           dualstack_ipv6=True))
add("server.has_dualstack_ipv6", socket.has_dualstack_ipv6)


@scenario("server.default_timeout")
def _():
    socket.setdefaulttimeout(2)
    try:
        with socket.create_server(("127.0.0.1", 0)) as s:
            return timeout(s.gettimeout())
    finally:
        socket.setdefaulttimeout(None)


@scenario("server.dualstack_accepts_v4")
def _():
    with socket.create_server(("", 0), family=S.AF_INET6,
                              dualstack_ipv6=True) as l:
        l.settimeout(5)
        port = l.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            conn, peer = l.accept()
            conn.close()
            return addr(S.AF_INET6, peer)


@scenario("server.addrinuse")
def _():
    with listener() as l:
        socket.create_server(l.getsockname()).close()


@scenario("server.addrnotavail")
def _():
    socket.create_server(("192.0.2.1", 0)).close()


# --------------------------------------------------------------------------
# create_connection
# --------------------------------------------------------------------------

def connected(report, host="127.0.0.1", family=S.AF_INET, **kw):
    def run():
        with listener(family) as l:
            port = l.getsockname()[1]
            with socket.create_connection((host, port), **kw) as c:
                return report(c)
    return run


def peer(c):
    return addr(c.family, c.getpeername())


add("connection.ok", connected(lambda c: f"{peer(c)} {timeout(c.gettimeout())}"))
add("connection.timeout_mode", connected(lambda c: timeout(c.gettimeout()),
                                         timeout=2))
add("connection.localhost", connected(peer, host="localhost", timeout=5))
add("connection.ipv6", connected(peer, host="::1", family=S.AF_INET6,
                                 timeout=5))
add("connection.source_address", connected(
    lambda c: addr(c.family, c.getsockname()), timeout=5,
    source_address=("127.0.0.2", 0)))
add("connection.type_and_inheritable", connected(
    lambda c: f"{int(c.family)} {int(c.type)} {c.get_inheritable()}",
    timeout=5))


@scenario("connection.default_timeout")
def _():
    socket.setdefaulttimeout(3)
    try:
        return connected(lambda c: timeout(c.gettimeout()))()
    finally:
        socket.setdefaulttimeout(None)


@scenario("connection.refused")
def _():
    socket.create_connection(("127.0.0.1", closed_port()), timeout=5)


@scenario("connection.refused_fd_count")
def _():
    before = fds()
    try:
        socket.create_connection(("127.0.0.1", closed_port()), timeout=5)
    except OSError:
        pass
    return fds() - before


@scenario("connection.fd_count")
def _():
    with listener() as l:
        before = fds()
        c = socket.create_connection(l.getsockname(), timeout=5)
        more = fds() - before
        c.close()
        return f"{more} {fds() - before}"


@scenario("connection.unknown_service")
def _():
    socket.create_connection(("127.0.0.1", "skt-no-such-service"), timeout=5)


@scenario("connection.port_over_65535")
def _():
    socket.create_connection(("127.0.0.1", 65536 + closed_port()), timeout=5)


@scenario("connection.timeout_blackhole")
def _():
    l, filler = blackhole(S.AF_INET)
    with l, filler:
        start = time.monotonic()
        try:
            socket.create_connection(l.getsockname(), timeout=0.2)
            r = "ok"
        except OSError as e:
            r = word(e)
        return f"{r} {bucket(time.monotonic() - start)}"


@scenario("connection.loopback_host_none")
def _():
    """Host None: the loopback addresses, ::1 first (refused here), then
    127.0.0.1."""
    with listener() as l:
        with socket.create_connection((None, l.getsockname()[1]),
                                      timeout=5) as c:
            return peer(c)


@scenario("connection.all_refused")
def _():
    socket.create_connection((None, closed_port()), timeout=5)


@scenario("connection.all_errors")
def _():
    try:
        socket.create_connection((None, closed_port()), timeout=5,
                                 all_errors=True)
    except ExceptionGroup as group:
        return f"{len(group.exceptions)} " + " ".join(
            word(e) for e in group.exceptions)


def first_blackholed(timed):
    """Host None gives ::1 (black-holed) then 127.0.0.1 (listening), one
    timeout of 0.5 s."""
    def run():
        bh, filler, good, port = split_port()
        with bh, filler, good:
            start = time.monotonic()
            try:
                with socket.create_connection((None, port), timeout=0.5) as c:
                    r = peer(c)
            except OSError as e:
                r = word(e)
            took = time.monotonic() - start
            return f"{r} {bucket(took)}" if timed else r
    return run


# skt's sequential mode (attempt_delay < 0) is Python's way: the outcome
# must be the same (the second address is reached), and the time is
# compared apart. Its default is Happy Eyeballs.
add("connection.sequential_first_blackholed", first_blackholed(False))
add("connection.sequential_first_blackholed_time", first_blackholed(True))
add("connection.happy_first_blackholed", first_blackholed(True))


INTENDED = {
    "connection.sequential_first_blackholed_time": (
        "127.0.0.1:P ~0.2s", "skt_connect_opts.attempt_delay",
        "Python's create_connection gives each address the whole timeout"),
    "connection.happy_first_blackholed": (
        "127.0.0.1:P ~0.2s", "skt_create_connection",
        "Python tries one address after another, where skt races them (Happy "
        "Eyeballs)"),
    "connection.port_over_65535": (
        "EPORTRANGE", "skt_create_connection",
        "a numeric port over 65535 is SKT_EPORTRANGE, where Python connects "
        "to the port's low 16 bits"),
}
KNOWN_DEVIATIONS = {}
