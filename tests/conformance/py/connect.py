"""connect - connect and connect_ex in each mode (test_socket.py's
NetworkConnectionNoServer, NonBlockingTCPTests.testConnect..., the connect
entries of the socket reference)."""
import errno
import os
import select
import socket
import time

from conf import (errname, closed_address, blackhole, timed,
                  scenario, addr, bucket, fds, listener, path,
                  tcp_pair, timeout)

S = socket


# --------------------------------------------------------------------------
# connect and connect_ex
# --------------------------------------------------------------------------

@scenario("connect.refused")
def _():
    with socket.socket() as s:
        s.settimeout(5)
        s.connect(closed_address())


@scenario("connect.refused_blocking")
def _():
    with socket.socket() as s:
        s.connect(closed_address())


@scenario("connect_ex.refused")
def _():
    with socket.socket() as s:
        s.settimeout(5)
        return errname(s.connect_ex(closed_address()))


@scenario("connect_ex.ok")
def _():
    with listener() as l, socket.socket() as s:
        s.settimeout(5)
        return errname(s.connect_ex(l.getsockname()))


@scenario("connect.nonblocking")
def _():
    with listener() as l, socket.socket() as s:
        s.setblocking(False)
        s.connect(l.getsockname())


@scenario("connect_ex.nonblocking")
def _():
    with listener() as l, socket.socket() as s:
        s.setblocking(False)
        return errname(s.connect_ex(l.getsockname()))


@scenario("connect.nonblocking_completes")
def _():
    with listener() as l, socket.socket() as s:
        s.setblocking(False)
        first = errname(s.connect_ex(l.getsockname()))
        select.select([], [s], [], 5)
        err = errname(s.getsockopt(S.SOL_SOCKET, S.SO_ERROR))
        return f"{first} {err} {errname(s.connect_ex(l.getsockname()))}"


@scenario("connect.nonblocking_refused")
def _():
    with socket.socket() as s:
        s.setblocking(False)
        first = errname(s.connect_ex(closed_address()))
        select.select([], [s], [], 5)
        return f"{first} {errname(s.getsockopt(S.SOL_SOCKET, S.SO_ERROR))}"


@scenario("connect.isconn")
def _():
    c, s = tcp_pair()
    with c, s:
        c.connect(s.getsockname())


@scenario("connect_ex.isconn")
def _():
    c, s = tcp_pair()
    with c, s:
        return errname(c.connect_ex(s.getsockname()))


@scenario("connect.unix_missing")
def _():
    with socket.socket(S.AF_UNIX) as s:
        s.connect(path("missing.sock"))


@scenario("connect.unix_not_listening")
def _():
    p = path("bound-only.sock")
    with socket.socket(S.AF_UNIX) as b, socket.socket(S.AF_UNIX) as s:
        b.bind(p)
        s.connect(p)


@scenario("connect.unix_abstract_unbound")
def _():
    with socket.socket(S.AF_UNIX) as s:
        s.connect(b"\0skt-conf-nobody-%d" % os.getpid())


@scenario("connect.timeout_blackhole")
def _():
    l, filler = blackhole()
    with l, filler, socket.socket() as s:
        s.settimeout(0.2)
        return timed(lambda: s.connect(l.getsockname()))


@scenario("connect_ex.timeout_blackhole")
def _():
    l, filler = blackhole()
    with l, filler, socket.socket() as s:
        s.settimeout(0.2)
        return timed(lambda: errname(s.connect_ex(l.getsockname())))


@scenario("connect.timeout_ok_keeps_mode")
def _():
    with listener() as l, socket.socket() as s:
        s.settimeout(2)
        s.connect(l.getsockname())
        return timeout(s.gettimeout())


@scenario("connect.ipv6")
def _():
    with listener(S.AF_INET6) as l, socket.socket(S.AF_INET6) as s:
        s.settimeout(5)
        s.connect(l.getsockname())
        return addr(S.AF_INET6, s.getpeername())


@scenario("connect.v4_mapped")
def _():
    with listener() as l, socket.socket(S.AF_INET6) as s:
        s.settimeout(5)
        s.connect(("::ffff:127.0.0.1", l.getsockname()[1]))
        return addr(S.AF_INET6, s.getpeername())


@scenario("connect.udp_peer")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", 9))
        return f"{addr(S.AF_INET, s.getpeername())} {s.getsockname()[1] != 0}"


@scenario("connect.udp_refused_on_recv")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.connect(closed_address())
        s.send(b"x")
        return s.recv(10)


@scenario("connect.getpeername_unconnected")
def _():
    with socket.socket() as s:
        s.getpeername()


@scenario("connect.fd_count_after_refused")
def _():
    before = fds()
    with socket.socket() as s:
        s.settimeout(5)
        s.connect_ex(closed_address())
        during = fds() - before
    return f"{during} {fds() - before}"


INTENDED = {
    "connect_ex.timeout_blackhole": (
        "ETIMEDOUT ~0.2s", "skt_connect_ex",
        "a timeout returns ETIMEDOUT, where CPython returns EAGAIN (its "
        "internal \"would block\"), so the caller can tell a timeout from "
        "a full buffer."),
}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "connect.unix_abstract_unbound": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
}}
