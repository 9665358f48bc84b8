"""binding - bind and its errors: addresses in use, TIME_WAIT and
SO_REUSEADDR, SO_REUSEPORT, Unix paths and abstract names, ports out of
range (test_socket.py's GeneralModuleTests, TestUnixDomain,
TestLinuxAbstractNamespace, the bind reference)."""
import os
import socket
import time

from conf import add, scenario, fds, listener, path

S = socket
PID = str(os.getpid())


# --------------------------------------------------------------------------
# bind
# --------------------------------------------------------------------------

@scenario("bind.addrinuse")
def _():
    with listener() as l, socket.socket() as s:
        s.bind(l.getsockname())


@scenario("bind.udp_addrinuse")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as a, \
            socket.socket(S.AF_INET, S.SOCK_DGRAM) as b:
        a.bind(("127.0.0.1", 0))
        b.bind(a.getsockname())


@scenario("bind.reuseport_both")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as a, \
            socket.socket(S.AF_INET, S.SOCK_DGRAM) as b:
        a.setsockopt(S.SOL_SOCKET, S.SO_REUSEPORT, 1)
        b.setsockopt(S.SOL_SOCKET, S.SO_REUSEPORT, 1)
        a.bind(("127.0.0.1", 0))
        b.bind(a.getsockname())


def time_wait_port():
    """A port with a connection in TIME_WAIT on the listener's side (a
    listener with SO_REUSEADDR, which its connections keep)."""
    with socket.socket() as l:
        l.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1)
        l.bind(("127.0.0.1", 0))
        l.listen()
        l.settimeout(5)
        where = l.getsockname()
        c = socket.create_connection(where, timeout=5)
        conn, _ = l.accept()
        conn.close()  # the accepted side closes first: TIME_WAIT here
        time.sleep(0.05)
        c.close()
    time.sleep(0.05)
    return where


@scenario("bind.time_wait_without_reuseaddr")
def _():
    where = time_wait_port()
    with socket.socket() as s:
        s.bind(where)
        s.listen()


@scenario("bind.time_wait_with_reuseaddr")
def _():
    where = time_wait_port()
    with socket.socket() as s:
        s.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1)
        s.bind(where)
        s.listen()


@scenario("bind.addrnotavail")
def _():
    with socket.socket() as s:
        s.bind(("192.0.2.1", 0))


@scenario("bind.twice")
def _():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.bind(("127.0.0.1", 0))


@scenario("bind.unix_exists")
def _():
    p = path("exists.sock")
    with socket.socket(S.AF_UNIX) as a, socket.socket(S.AF_UNIX) as b:
        a.bind(p)
        b.bind(p)


@scenario("bind.unix_no_dir")
def _():
    with socket.socket(S.AF_UNIX) as s:
        s.bind(path("no-such-dir/x.sock"))


@scenario("bind.unix_abstract_inuse")
def _():
    name = b"\0skt-conf-inuse-" + PID.encode()
    with socket.socket(S.AF_UNIX) as a, socket.socket(S.AF_UNIX) as b:
        a.bind(name)
        b.bind(name)


# Python's OverflowError for a port over 65535 is skt's SKT_EPORTRANGE.
add("bind.port_out_of_range",
    lambda: socket.socket().bind(("127.0.0.1", 70000)),
    alias={"EOVERFLOW": "EPORTRANGE"})


@scenario("bind.v4_mapped_on_v6only")
def _():
    with socket.socket(S.AF_INET6) as s:
        s.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 1)
        s.bind(("::ffff:127.0.0.1", 0))


@scenario("bind.fd_count_after_failure")
def _():
    before = fds()
    with listener() as l, socket.socket() as s:
        try:
            s.bind(l.getsockname())
        except OSError:
            pass
    return fds() - before


INTENDED = {}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "bind.unix_abstract_inuse": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
}}
