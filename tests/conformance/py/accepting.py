"""accepting - listen's backlog, accept and what the new socket inherits,
and shutdown (test_socket.py's BasicTCPTest, InheritanceTest,
NonBlockingTCPTests, testListenBacklog0, the listen, accept and shutdown
entries of the socket reference)."""
import errno
import os
import select
import socket
import time

from conf import (errname, closed_address, blackhole, timed,
                  add, scenario, addr, bucket, fds, listen_backlog,
                  listener, path, tcp_pair, timeout)

S = socket


# --------------------------------------------------------------------------
# accept
# --------------------------------------------------------------------------

def accepted(setup, report, family=S.AF_INET):
    def run():
        with listener(family) as l:
            setup(l)
            c = socket.socket(family)
            c.settimeout(5)
            with c:
                c.connect(l.getsockname())
                select.select([l], [], [], 5)
                conn, peer = l.accept()
                with conn:
                    return report(l, c, conn, peer)
    return run


def mode(l, c, conn, peer):
    return (f"{timeout(conn.gettimeout())} {conn.getblocking()} "
            f"fd_blocking={os.get_blocking(conn.fileno())}")


add("accept.from_timeout_listener", accepted(lambda l: l.settimeout(2), mode))
add("accept.from_nonblocking_listener",
    accepted(lambda l: l.setblocking(False), mode))
add("accept.from_blocking_listener",
    accepted(lambda l: l.setblocking(True), mode))


def with_default(value, fn):
    def run():
        socket.setdefaulttimeout(value)
        try:
            return fn()
        finally:
            socket.setdefaulttimeout(None)
    return run


add("accept.takes_default_timeout",
    with_default(1.5, accepted(lambda l: l.setblocking(False), mode)))
add("accept.takes_default_nonblocking",
    with_default(0, accepted(lambda l: l.settimeout(3), mode)))
add("accept.inheritable", accepted(
    lambda l: l.set_inheritable(True),
    lambda l, c, conn, peer: conn.get_inheritable()))
add("accept.family_type", accepted(
    lambda l: None,
    lambda l, c, conn, peer: f"{int(conn.family)} {int(conn.type)}"))
add("accept.peer_is_client", accepted(
    lambda l: None,
    lambda l, c, conn, peer: f"{addr(S.AF_INET, peer)} "
    f"{peer == c.getsockname()} {conn.getpeername() == peer}"))
add("accept.sockname_is_listener", accepted(
    lambda l: None,
    lambda l, c, conn, peer: conn.getsockname() == l.getsockname()))
add("accept.ipv6_peer", accepted(
    lambda l: None,
    lambda l, c, conn, peer: addr(S.AF_INET6, peer), S.AF_INET6))


@scenario("accept.nonblocking_empty")
def _():
    with listener() as l:
        l.setblocking(False)
        l.accept()


@scenario("accept.timeout_empty")
def _():
    with listener() as l:
        l.settimeout(0.2)
        return timed(lambda: l.accept())


@scenario("accept.not_listening")
def _():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(1)
        s.accept()


@scenario("accept.udp")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.accept()


@scenario("accept.udp_timeout")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        return timed(lambda: s.accept())


@scenario("accept.unix_unnamed_peer")
def _():
    p = path("accept.sock")
    with socket.socket(S.AF_UNIX) as l:
        l.bind(p)
        l.listen()
        l.settimeout(5)
        with socket.socket(S.AF_UNIX) as c:
            c.connect(p)
            conn, peer = l.accept()
            with conn:
                return (f"{addr(S.AF_UNIX, peer)} "
                        f"{addr(S.AF_UNIX, conn.getsockname())}")


@scenario("accept.fd_count")
def _():
    with listener() as l, socket.socket() as c:
        c.connect(l.getsockname())
        before = fds()
        conn, _ = l.accept()
        more = fds() - before
        conn.close()
        return f"{more} {fds() - before}"


# --------------------------------------------------------------------------
# shutdown
# --------------------------------------------------------------------------

def on_pair(fn, family=S.AF_INET):
    def run():
        c, s = tcp_pair(family)
        with c, s:
            return fn(c, s)
    return run


def wr_peer_eof(c, s):
    c.shutdown(S.SHUT_WR)
    return s.recv(10)


def wr_then_send(c, s):
    c.shutdown(S.SHUT_WR)
    c.send(b"x")


def rd_then_recv(c, s):
    c.shutdown(S.SHUT_RD)
    return c.recv(10)


def rdwr_then_send(c, s):
    c.shutdown(S.SHUT_RDWR)
    c.send(b"x")


def wr_peer_still_sends(c, s):
    c.shutdown(S.SHUT_WR)
    s.sendall(b"back")
    return c.recv(10)


def wr_twice(c, s):
    c.shutdown(S.SHUT_WR)
    c.shutdown(S.SHUT_WR)


def bad_how(c, s):
    c.shutdown(7)


add("shutdown.wr_peer_eof", on_pair(wr_peer_eof))
add("shutdown.wr_then_send", on_pair(wr_then_send))
add("shutdown.rd_then_recv", on_pair(rd_then_recv))
add("shutdown.rdwr_then_send", on_pair(rdwr_then_send))
add("shutdown.wr_peer_still_sends", on_pair(wr_peer_still_sends))
add("shutdown.wr_twice", on_pair(wr_twice))
add("shutdown.bad_how", on_pair(bad_how))
add("shutdown.ipv6_wr_peer_eof", on_pair(wr_peer_eof, S.AF_INET6))


@scenario("shutdown.not_connected")
def _():
    with socket.socket() as s:
        s.shutdown(S.SHUT_RDWR)


@scenario("shutdown.unix_wr_peer_eof")
def _():
    a, b = socket.socketpair()
    with a, b:
        a.settimeout(5), b.settimeout(5)
        a.shutdown(S.SHUT_WR)
        return b.recv(10)


@scenario("shutdown.udp_connected")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", 9))
        s.shutdown(S.SHUT_RDWR)


@scenario("shutdown.udp_unconnected")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.shutdown(S.SHUT_RDWR)


@scenario("shutdown.listener")
def _():
    with listener() as l:
        l.shutdown(S.SHUT_RDWR)


# --------------------------------------------------------------------------
# listen
# --------------------------------------------------------------------------

def listened(*args, type=S.SOCK_STREAM):
    def run():
        with socket.socket(S.AF_INET, type) as s:
            s.bind(("127.0.0.1", 0))
            s.listen(*args)
            return listen_backlog(s.getsockname()[1])
    return run


add("listen.default_backlog", listened())
add("listen.backlog_5", listened(5))
add("listen.backlog_0", listened(0))
add("listen.minus_one", listened(-1))
add("listen.udp", listened(type=S.SOCK_DGRAM))


@scenario("listen.twice_changes_backlog")
def _():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(3)
        s.listen(7)
        return listen_backlog(s.getsockname()[1])


INTENDED = {
    "listen.minus_one": (
        "128", "skt_listen",
        "a negative number is a sentinel for the default here, as "
        "everywhere in skt, where Python's listen(-1) means a backlog of "
        "0;"),
    "accept.udp_timeout": (
        "EOPNOTSUPP <0.1s", "skt_accept",
        "CPython polls before it calls accept, so a socket that can never "
        "accept (a UDP socket) waits out the whole timeout there"),
}
KNOWN_DEVIATIONS = {}
