"""addresses - the address of every family this kernel has, as
getsockname and getpeername give it (IPv4, IPv6 with scopes, Unix paths,
abstract and unnamed names, netlink, packet, vsock, and the families it
lacks) (test_socket.py's GeneralModuleTests, TestUnixDomain,
TestLinuxAbstractNamespace, BasicCANTest, LinuxKernelCryptoAPI, TIPCTest,
ThreadedVSOCKSocketStreamTest)."""
import os
import socket

from conf import add, scenario, addr, path, tmpdir

S = socket
PID = str(os.getpid())
RTMGRP_LINK = 1
ETH_P_SKT_TEST = 0x88b5


def name_of(s):
    return addr(s.family, s.getsockname()).replace(PID, "PID")


def bound(family, type, where, proto=0):
    def run():
        with socket.socket(family, type, proto) as s:
            if where is not None:
                s.bind(where() if callable(where) else where)
            return name_of(s)
    return run


# --------------------------------------------------------------------------
# family
# --------------------------------------------------------------------------

add("family.inet_unbound", bound(S.AF_INET, S.SOCK_STREAM, None))
add("family.inet_bound", bound(S.AF_INET, S.SOCK_STREAM, ("127.0.0.1", 0)))
add("family.inet_any", bound(S.AF_INET, S.SOCK_DGRAM, ("0.0.0.0", 0)))
add("family.inet6_unbound", bound(S.AF_INET6, S.SOCK_STREAM, None))
add("family.inet6_bound", bound(S.AF_INET6, S.SOCK_STREAM, ("::1", 0)))
add("family.inet6_any", bound(S.AF_INET6, S.SOCK_DGRAM, ("::", 0)))
add("family.unix_path", bound(S.AF_UNIX, S.SOCK_STREAM,
                              lambda: path("family.sock")))
add("family.unix_abstract", bound(S.AF_UNIX, S.SOCK_STREAM,
                                  b"\0skt-conf-" + PID.encode()))
add("family.unix_abstract_binary", bound(
    S.AF_UNIX, S.SOCK_DGRAM, b"\0skt\x01conf\\" + PID.encode()))
add("family.unix_autobind", bound(S.AF_UNIX, S.SOCK_STREAM, ""))
add("family.unix_unbound", bound(S.AF_UNIX, S.SOCK_STREAM, None))
add("family.netlink", bound(S.AF_NETLINK, S.SOCK_RAW, (0, 0),
                            S.NETLINK_ROUTE))
add("family.netlink_groups", bound(S.AF_NETLINK, S.SOCK_RAW,
                                   (0, RTMGRP_LINK), S.NETLINK_ROUTE))
add("family.netlink_unbound", bound(S.AF_NETLINK, S.SOCK_DGRAM, None,
                                    S.NETLINK_ROUTE))
add("family.packet_bound", bound(S.AF_PACKET, S.SOCK_RAW,
                                 ("lo", ETH_P_SKT_TEST),
                                 S.htons(ETH_P_SKT_TEST)))
add("family.packet_unbound", bound(S.AF_PACKET, S.SOCK_DGRAM, None))
add("family.vsock_unbound", bound(S.AF_VSOCK, S.SOCK_STREAM, None))
add("family.can", bound(S.AF_CAN, S.SOCK_RAW, None, S.CAN_RAW))
add("family.tipc", bound(S.AF_TIPC, S.SOCK_RDM, None))
add("family.alg", bound(S.AF_ALG, S.SOCK_SEQPACKET, ("hash", "sha256")))


@scenario("family.unix_socketpair")
def _():
    a, b = socket.socketpair()
    with a, b:
        return (f"{addr(S.AF_UNIX, a.getsockname())} "
                f"{addr(S.AF_UNIX, a.getpeername())}")


@scenario("family.unix_peer_path")
def _():
    p = path("peer.sock")
    with socket.socket(S.AF_UNIX) as l, socket.socket(S.AF_UNIX) as c:
        l.bind(p)
        l.listen()
        c.connect(p)
        return addr(S.AF_UNIX, c.getpeername())


def long_path(total):
    d = tmpdir()
    return d + "/" + "a" * (total - len(d) - 1)


@scenario("family.unix_path_108")
def _():
    p = long_path(108)
    with socket.socket(S.AF_UNIX) as s:
        s.bind(p)
        got = s.getsockname()
        return f"{len(os.fsencode(got))} {got == p}"


add("family.unix_path_109", bound(S.AF_UNIX, S.SOCK_STREAM,
                                  lambda: long_path(109)),
    alias={"OSError": "ENAMETOOLONG"})


@scenario("family.unix_abstract_107")
def _():
    with socket.socket(S.AF_UNIX) as s:
        s.bind(b"\0" + b"b" * 100 + PID.encode().rjust(7, b"0"))
        return len(s.getsockname())


add("family.unix_abstract_108", bound(S.AF_UNIX, S.SOCK_STREAM,
                                      b"\0" + b"c" * 108),
    alias={"OSError": "ENAMETOOLONG"})


@scenario("family.inet6_scope_name")
def _():
    info = socket.getaddrinfo("fe80::1%lo", 80, S.AF_INET6, S.SOCK_STREAM)
    return addr(S.AF_INET6, info[0][4]).replace(":P", ":80")


@scenario("family.inet6_scope_number")
def _():
    info = socket.getaddrinfo("fe80::1%1", 80, S.AF_INET6, S.SOCK_STREAM)
    return addr(S.AF_INET6, info[0][4]).replace(":P", ":80")


@scenario("family.inet_connected_udp")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", 9))
        return name_of(s)


@scenario("family.dualstack_v4_peer")
def _():
    with socket.socket(S.AF_INET6) as l:
        l.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 0)
        l.bind(("::", 0))
        l.listen()
        l.settimeout(5)
        with socket.create_connection(("127.0.0.1", l.getsockname()[1]),
                                      timeout=5):
            conn, peer = l.accept()
            with conn:
                return f"{addr(S.AF_INET6, peer)} {name_of(conn)}"


@scenario("family.packet_peer_of_frame")
def _():
    """A frame sent on lo comes back with the sender's packet address."""
    proto = S.htons(ETH_P_SKT_TEST)
    with socket.socket(S.AF_PACKET, S.SOCK_DGRAM, proto) as rx, \
            socket.socket(S.AF_PACKET, S.SOCK_DGRAM, proto) as tx:
        rx.bind(("lo", ETH_P_SKT_TEST))
        rx.settimeout(2)
        tx.sendto(b"frame", ("lo", ETH_P_SKT_TEST, 0, 0, b"\0" * 6))
        data, src = rx.recvfrom(100)
        return f"{data.decode()} {addr(S.AF_PACKET, src)}"


INTENDED = {
    "family.unix_path_108": (
        "108 True", "skt_addr_from_unix",
        "a path of exactly 108 bytes (sun_path full, without a NUL) is "
        "accepted"),
}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "family.unix_abstract": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
    "family.unix_abstract_binary": (
        "EAFNOSUPPORT", "skt_addr_from_unix",
        "an abstract name gives -EAFNOSUPPORT on the posix platform"),
    "family.netlink": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
    "family.netlink_groups": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
    "family.netlink_unbound": (
        "EAFNOSUPPORT", "skt_open",
        "The posix platform knows only AF_INET, AF_INET6 and AF_UNIX "
        "(others: -EAFNOSUPPORT)"),
    "family.packet_bound": (
        "EAFNOSUPPORT", "skt_addr_parse",
        "the posix platform has IPv4, IPv6 and Unix paths only"),
    "family.packet_unbound": (
        "EAFNOSUPPORT", "skt_open",
        "The posix platform knows only AF_INET, AF_INET6 and AF_UNIX "
        "(others: -EAFNOSUPPORT)"),
    "family.vsock_unbound": (
        "EAFNOSUPPORT", "skt_open",
        "The posix platform knows only AF_INET, AF_INET6 and AF_UNIX "
        "(others: -EAFNOSUPPORT)"),
    "family.unix_abstract_107": (
        "EAFNOSUPPORT", "skt_addr_from_unix",
        "an abstract name gives -EAFNOSUPPORT on the posix platform"),
    "family.unix_abstract_108": (
        "EAFNOSUPPORT", "skt_addr_from_unix",
        "an abstract name gives -EAFNOSUPPORT on the posix platform"),
    "family.packet_peer_of_frame": (
        "EAFNOSUPPORT", "skt_open",
        "The posix platform knows only AF_INET, AF_INET6 and AF_UNIX "
        "(others: -EAFNOSUPPORT)"),
}}
