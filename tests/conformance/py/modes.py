"""modes - the three timeout modes and the default timeout (test_socket.py's
NonBlockingTCPTests, NetworkConnectionAttributesTest, GeneralModuleTests'
testDefaultTimeout and testTimeoutSetting, the socket reference)."""
import math
import os
import socket
import time

from conf import add, scenario, timeout, tcp_pair, bucket

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
# modes
# --------------------------------------------------------------------------

def mode_after(*steps):
    def fn():
        with socket.socket() as s:
            for step in steps:
                step(s)
            return (f"{timeout(s.gettimeout())} {s.getblocking()} "
                    f"fd_blocking={os.get_blocking(s.fileno())}")
    return fn


for name, steps in (
        ("timeout_2.5", [lambda s: s.settimeout(2.5)]),
        ("timeout_1", [lambda s: s.settimeout(1)]),
        ("timeout_0", [lambda s: s.settimeout(0)]),
        ("timeout_none", [lambda s: s.settimeout(2), lambda s: s.settimeout(None)]),
        ("timeout_tiny", [lambda s: s.settimeout(1e-9)]),
        ("timeout_5e9", [lambda s: s.settimeout(5e9)]),
        ("setblocking_false", [lambda s: s.setblocking(False)]),
        ("setblocking_true", [lambda s: s.settimeout(3), lambda s: s.setblocking(True)]),
        ("setblocking_false_after_timeout", [lambda s: s.settimeout(3), lambda s: s.setblocking(False)]),
        ("timeout_after_nonblocking", [lambda s: s.setblocking(False), lambda s: s.settimeout(4)])):
    add(f"modes.{name}", mode_after(*steps))

for name, value in (("negative", -2.0), ("negative_small", -0.5),
                    ("nan", math.nan)):
    add(f"modes.refuse_{name}", mode_after(lambda s, v=value: s.settimeout(v)))
# Python's OverflowError for an infinite timeout is its refusal of the
# value: skt's -EINVAL.
add("modes.refuse_infinity", mode_after(lambda s: s.settimeout(math.inf)),
    alias={"EOVERFLOW": "EINVAL"})
add("modes.timeout_1e10", mode_after(lambda s: s.settimeout(1e10)))


@scenario("modes.refused_keeps_mode")
def _():
    with socket.socket() as s:
        s.settimeout(2)
        try:
            s.settimeout(-3)
        except ValueError:
            pass
        return timeout(s.gettimeout())


@scenario("modes.nonblocking_recv")
def _():
    c, s = tcp_pair()
    with c, s:
        c.setblocking(False)
        return c.recv(10)


@scenario("modes.timeout_recv")
def _():
    c, s = tcp_pair()
    with c, s:
        c.settimeout(0.2)
        start = time.monotonic()
        try:
            c.recv(10)
            r = "ok"
        except TimeoutError:
            r = "ETIMEDOUT"
        return f"{r} {bucket(time.monotonic() - start)}"


# --------------------------------------------------------------------------
# deftimeout
# --------------------------------------------------------------------------

def with_default(value, fn):
    def run():
        socket.setdefaulttimeout(value)
        try:
            return fn()
        finally:
            socket.setdefaulttimeout(None)
    return run


def new_socket_mode():
    with socket.socket() as s:
        return f"{timeout(s.gettimeout())} {s.getblocking()}"


add("deftimeout.initial", lambda: timeout(socket.getdefaulttimeout()))
add("deftimeout.applies", with_default(3, new_socket_mode))
add("deftimeout.applies_zero", with_default(0, new_socket_mode))
add("deftimeout.applies_fraction", with_default(0.25, new_socket_mode))
add("deftimeout.getter", with_default(7, lambda: timeout(socket.getdefaulttimeout())))


def pair_modes():
    a, b = socket.socketpair()
    with a, b:
        return f"{timeout(a.gettimeout())} {timeout(b.gettimeout())}"


add("deftimeout.socketpair", with_default(2, pair_modes))


def from_fd_mode():
    fd = socket.socket(S.AF_INET, S.SOCK_DGRAM).detach()
    with socket.socket(fileno=fd) as s:
        return timeout(s.gettimeout())


add("deftimeout.from_fd", with_default(1.5, from_fd_mode))


@scenario("deftimeout.existing_unchanged")
def _():
    with socket.socket() as s:
        socket.setdefaulttimeout(4)
        try:
            return timeout(s.gettimeout())
        finally:
            socket.setdefaulttimeout(None)


@scenario("deftimeout.back_to_none")
def _():
    socket.setdefaulttimeout(5)
    socket.setdefaulttimeout(None)
    return new_socket_mode()


def refuse_default(value):
    def run():
        try:
            socket.setdefaulttimeout(value)
            r = "ok"
        except ValueError:
            r = "EINVAL"
        d = timeout(socket.getdefaulttimeout())
        socket.setdefaulttimeout(None)
        return f"{r} {d}"
    return run


add("deftimeout.refuse_negative", refuse_default(-2))
add("deftimeout.refuse_nan", refuse_default(math.nan))


INTENDED = {
    "modes.timeout_1e10": (
        "1e+10 True fd_blocking=False", "skt_settimeout",
        "Python raises OverflowError from about 9.2e9 s (its clock's "
        "limit); skt accepts every finite value."),
}
KNOWN_DEVIATIONS = {}
