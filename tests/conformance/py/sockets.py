"""sockets - creation defaults, dup and detach (test_socket.py's
GeneralModuleTests, BasicTCPTest, TestSocketSharing, the socket object
reference)."""
import os
import socket

from conf import add, scenario, timeout, fds, tcp_pair

S = socket


def triple(s):
    return f"{int(s.family)} {int(s.type)} {s.proto}"


def with_socket(fn, *args):
    s = socket.socket(*args)
    try:
        return fn(s)
    finally:
        s.close()


# --------------------------------------------------------------------------
# defaults
# --------------------------------------------------------------------------

for name, args in (("tcp", (S.AF_INET, S.SOCK_STREAM)),
                   ("udp", (S.AF_INET, S.SOCK_DGRAM)),
                   ("tcp6", (S.AF_INET6, S.SOCK_STREAM)),
                   ("udp6", (S.AF_INET6, S.SOCK_DGRAM)),
                   ("unix_stream", (S.AF_UNIX, S.SOCK_STREAM)),
                   ("unix_dgram", (S.AF_UNIX, S.SOCK_DGRAM)),
                   ("unix_seqpacket", (S.AF_UNIX, S.SOCK_SEQPACKET)),
                   ("tcp_explicit_proto", (S.AF_INET, S.SOCK_STREAM, 6)),
                   ("raw_icmp", (S.AF_INET, S.SOCK_RAW, S.IPPROTO_ICMP))):
    add(f"defaults.{name}", lambda a=args: with_socket(
        lambda s: f"{triple(s)} timeout={timeout(s.gettimeout())} "
                  f"blocking={s.getblocking()} "
                  f"inheritable={s.get_inheritable()}", *a))


@scenario("defaults.nonblock_in_type")
def _():
    return with_socket(lambda s: f"{int(s.type)} {timeout(s.gettimeout())} "
                       f"{s.getblocking()}", S.AF_INET,
                       S.SOCK_STREAM | S.SOCK_NONBLOCK)


@scenario("defaults.cloexec_in_type")
def _():
    return with_socket(lambda s: f"{int(s.type)} {s.get_inheritable()}",
                       S.AF_INET, S.SOCK_STREAM | S.SOCK_CLOEXEC)


@scenario("defaults.socketpair")
def _():
    a, b = socket.socketpair()
    with a, b:
        return (f"{triple(a)} {triple(b)} {timeout(a.gettimeout())} "
                f"{timeout(b.gettimeout())} {a.get_inheritable()}")


@scenario("defaults.socketpair_dgram")
def _():
    a, b = socket.socketpair(S.AF_UNIX, S.SOCK_DGRAM)
    with a, b:
        return f"{triple(a)} {triple(b)}"


@scenario("defaults.socketpair_inet")
def _():
    a, b = socket.socketpair(S.AF_INET, S.SOCK_STREAM)
    a.close(), b.close()


@scenario("defaults.bad_family")
def _():
    socket.socket(12345, S.SOCK_STREAM).close()


@scenario("defaults.bad_type")
def _():
    socket.socket(S.AF_INET, 12345).close()


@scenario("defaults.bad_proto")
def _():
    socket.socket(S.AF_INET, S.SOCK_STREAM, S.IPPROTO_UDP).close()


@scenario("defaults.from_fd_detects")
def _():
    fd = socket.socket(S.AF_INET6, S.SOCK_DGRAM).detach()
    with socket.socket(fileno=fd) as s:
        return f"{triple(s)} {timeout(s.gettimeout())} {s.get_inheritable()}"


@scenario("defaults.from_fd_nonblocking")
def _():
    s = socket.socket()
    s.setblocking(False)
    with socket.socket(fileno=s.detach()) as t:
        return f"{timeout(t.gettimeout())} {t.getblocking()}"


@scenario("defaults.from_fd_not_socket")
def _():
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        socket.socket(fileno=fd)
    finally:
        os.close(fd)


@scenario("defaults.fd_count")
def _():
    before = fds()
    s = socket.socket()
    opened = fds() - before
    s.close()
    return f"{opened} {fds() - before}"


# --------------------------------------------------------------------------
# dup and detach
# --------------------------------------------------------------------------

def dup_of(setup, report):
    def run():
        c, s = tcp_pair()
        with c, s:
            setup(c)
            d = c.dup()
            with d:
                return report(c, d, s)
    return run


add("dup.family_type_proto", dup_of(lambda c: None, lambda c, d, s: triple(d)))
add("dup.timeout", dup_of(lambda c: c.settimeout(2.5),
                          lambda c, d, s: timeout(d.gettimeout())))
add("dup.nonblocking", dup_of(lambda c: c.setblocking(False),
                              lambda c, d, s: f"{timeout(d.gettimeout())} {d.getblocking()}"))
add("dup.blocking", dup_of(lambda c: c.setblocking(True),
                           lambda c, d, s: timeout(d.gettimeout())))
add("dup.inheritable", dup_of(lambda c: c.set_inheritable(True),
                              lambda c, d, s: f"{c.get_inheritable()} {d.get_inheritable()}"))
add("dup.new_fd", dup_of(lambda c: None,
                         lambda c, d, s: d.fileno() != c.fileno()))


def dup_shares(c, d, s):
    d.sendall(b"via-dup")
    return s.recv(100)


add("dup.shares_connection", dup_of(lambda c: None, dup_shares))


@scenario("dup.outlives_original")
def _():
    c, s = tcp_pair()
    with s:
        d = c.dup()
        c.close()
        with d:
            d.sendall(b"still")
            return s.recv(100)


@scenario("dup.fd_count")
def _():
    c, s = tcp_pair()
    with c, s:
        before = fds()
        d = c.dup()
        more = fds() - before
        d.close()
        return f"{more} {fds() - before}"


@scenario("detach.returns_fd")
def _():
    s = socket.socket()
    fd = s.fileno()
    got = s.detach()
    os.fstat(got)
    os.close(got)
    return got == fd


@scenario("detach.from_fd_roundtrip")
def _():
    c, s = tcp_pair()
    with s:
        peer = c.getpeername()
        fd = c.detach()
        with socket.socket(fileno=fd) as t:
            return f"{triple(t)} {t.getpeername() == peer}"


@scenario("detach.fd_stays_open")
def _():
    before = fds()
    fd = socket.socket().detach()
    kept = fds() - before
    os.close(fd)
    return f"{kept} {fds() - before}"


INTENDED = {
    "defaults.from_fd_nonblocking": (
        "0 False", "skt_from_fd",
        "socket(fileno=) on an O_NONBLOCK fd says None (blocking) while every "
        "call on it fails with BlockingIOError"),
}
KNOWN_DEVIATIONS = {}
