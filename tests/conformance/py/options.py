"""options - socket options: defaults, setting and reading back, struct
values, errors, multicast and broadcast (test_socket.py's
GeneralModuleTests.testSockopt, testSendAfterClose..., the
setsockopt/getsockopt reference and Linux's socket(7), ip(7), tcp(7))."""
import os
import socket
import struct

from conf import add, scenario, listener, unix_pair

S = socket


def on(fn, family=S.AF_INET, type=S.SOCK_STREAM):
    def run():
        with socket.socket(family, type) as s:
            return fn(s)
    return run


def get(level, name):
    return lambda s: s.getsockopt(level, name)


def set_get(level, name, value):
    def fn(s):
        s.setsockopt(level, name, value)
        return s.getsockopt(level, name)
    return fn


def nonzero(fn):
    return lambda s: fn(s) != 0


UDP = S.SOCK_DGRAM
for name, fn, kw in (
        ("reuseaddr_default", get(S.SOL_SOCKET, S.SO_REUSEADDR), {}),
        ("reuseaddr_set", nonzero(set_get(S.SOL_SOCKET, S.SO_REUSEADDR, 1)), {}),
        ("reuseport_set", nonzero(set_get(S.SOL_SOCKET, S.SO_REUSEPORT, 1)), {}),
        ("type_tcp", get(S.SOL_SOCKET, S.SO_TYPE), {}),
        ("type_udp", get(S.SOL_SOCKET, S.SO_TYPE), {"type": UDP}),
        ("error_fresh", get(S.SOL_SOCKET, S.SO_ERROR), {}),
        ("domain", get(S.SOL_SOCKET, S.SO_DOMAIN), {"family": S.AF_INET6}),
        ("protocol", get(S.SOL_SOCKET, S.SO_PROTOCOL), {}),
        ("acceptconn_fresh", get(S.SOL_SOCKET, S.SO_ACCEPTCONN), {}),
        ("nodelay_default", get(S.IPPROTO_TCP, S.TCP_NODELAY), {}),
        ("nodelay_set", nonzero(set_get(S.IPPROTO_TCP, S.TCP_NODELAY, 1)), {}),
        ("keepalive_set", nonzero(set_get(S.SOL_SOCKET, S.SO_KEEPALIVE, 1)), {}),
        ("keepidle_set", set_get(S.IPPROTO_TCP, S.TCP_KEEPIDLE, 77), {}),
        ("rcvbuf_set", set_get(S.SOL_SOCKET, S.SO_RCVBUF, 65536), {}),
        ("sndbuf_positive", nonzero(get(S.SOL_SOCKET, S.SO_SNDBUF)), {}),
        ("tos_set", set_get(S.IPPROTO_IP, S.IP_TOS, 0x10), {}),
        ("v6only_default", get(S.IPPROTO_IPV6, S.IPV6_V6ONLY), {"family": S.AF_INET6}),
        ("v6only_set", set_get(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 1), {"family": S.AF_INET6}),
        ("broadcast_default", get(S.SOL_SOCKET, S.SO_BROADCAST), {"type": UDP}),
        ("mcast_ttl_default", get(S.IPPROTO_IP, S.IP_MULTICAST_TTL), {"type": UDP}),
        ("mcast_loop_default", get(S.IPPROTO_IP, S.IP_MULTICAST_LOOP), {"type": UDP}),
        ("mcast_hops_v6_default", get(S.IPPROTO_IPV6, S.IPV6_MULTICAST_HOPS), {"type": UDP, "family": S.AF_INET6}),
        ("bad_name", get(S.SOL_SOCKET, 9999), {}),
        ("bad_level", get(12345, 1), {}),
        ("tcp_option_on_udp", get(S.IPPROTO_TCP, S.TCP_NODELAY), {"type": UDP}),
        ("ipv6_option_on_inet", get(S.IPPROTO_IPV6, S.IPV6_V6ONLY), {})):
    add(f"option.{name}", on(fn, **kw))


@scenario("option.acceptconn_listening")
def _():
    with listener() as l:
        return l.getsockopt(S.SOL_SOCKET, S.SO_ACCEPTCONN)


@scenario("option.linger_struct")
def _():
    with socket.socket() as s:
        s.setsockopt(S.SOL_SOCKET, S.SO_LINGER, struct.pack("ii", 1, 5))
        on_, secs = struct.unpack("ii", s.getsockopt(S.SOL_SOCKET,
                                                     S.SO_LINGER, 8))
        return f"{on_} {secs}"


@scenario("option.short_value")
def _():
    with socket.socket() as s:
        s.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, b"\x01")


@scenario("option.getsockopt_buffer_length")
def _():
    with socket.socket() as s:
        return len(s.getsockopt(S.SOL_SOCKET, S.SO_LINGER, 8))


@scenario("option.broadcast_set")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.setsockopt(S.SOL_SOCKET, S.SO_BROADCAST, 1)
        return s.getsockopt(S.SOL_SOCKET, S.SO_BROADCAST)


@scenario("option.broadcast_send_refused")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.sendto(b"x", ("255.255.255.255", 9))


@scenario("option.peercred")
def _():
    a, b = unix_pair()
    with a, b:
        pid, uid, gid = struct.unpack(
            "3i", a.getsockopt(S.SOL_SOCKET, S.SO_PEERCRED, 12))
        return f"{pid == os.getpid()} {uid == os.getuid()} {gid == os.getgid()}"


def mreqn(group, ifindex):
    return struct.pack("4s4si", socket.inet_aton(group), bytes(4), ifindex)


def udp_with(fn, family=S.AF_INET):
    def run():
        with socket.socket(family, S.SOCK_DGRAM) as s:
            return fn(s)
    return run


def join(group, times=1):
    def fn(s):
        for _ in range(times):
            s.setsockopt(S.IPPROTO_IP, S.IP_ADD_MEMBERSHIP, mreqn(group, 1))
    return fn


def leave(s):
    s.setsockopt(S.IPPROTO_IP, S.IP_DROP_MEMBERSHIP, mreqn("239.1.2.3", 1))


def join6(s):
    mreq = socket.inet_pton(S.AF_INET6, "ff12::5c07") + struct.pack("I", 1)
    s.setsockopt(S.IPPROTO_IPV6, S.IPV6_JOIN_GROUP, mreq)


def mcast_ttl(value):
    def fn(s):
        s.setsockopt(S.IPPROTO_IP, S.IP_MULTICAST_TTL, value)
        return s.getsockopt(S.IPPROTO_IP, S.IP_MULTICAST_TTL)
    return fn


def mcast_loop_off(s):
    s.setsockopt(S.IPPROTO_IP, S.IP_MULTICAST_LOOP, 0)
    return s.getsockopt(S.IPPROTO_IP, S.IP_MULTICAST_LOOP)


def mcast_if(s):
    s.setsockopt(S.IPPROTO_IP, S.IP_MULTICAST_IF, mreqn("0.0.0.0", 1))


def mcast_loopback(s):
    """A datagram sent to a group joined on lo comes back."""
    s.bind(("0.0.0.0", 0))
    s.setsockopt(S.IPPROTO_IP, S.IP_ADD_MEMBERSHIP, mreqn("239.1.2.4", 1))
    s.setsockopt(S.IPPROTO_IP, S.IP_MULTICAST_IF, mreqn("0.0.0.0", 1))
    s.settimeout(2)
    s.sendto(b"group", ("239.1.2.4", s.getsockname()[1]))
    return s.recv(10)


add("option.mcast_join", udp_with(join("239.1.2.3")))
add("option.mcast_join_twice", udp_with(join("239.1.2.3", 2)))
add("option.mcast_join_unicast", udp_with(join("10.1.2.3")))
add("option.mcast_leave_not_joined", udp_with(leave))
add("option.mcast_join_v6", udp_with(join6, S.AF_INET6))
add("option.mcast_set_ttl", udp_with(mcast_ttl(5)))
add("option.mcast_ttl_out_of_range", udp_with(mcast_ttl(300)))
add("option.mcast_loop_off", udp_with(mcast_loop_off))
add("option.mcast_interface", udp_with(mcast_if))
add("option.mcast_loopback", udp_with(mcast_loopback))

INTENDED = {}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "option.peercred": (
        "EOPNOTSUPP", "skt_getpeercred",
        "Linux only; -EOPNOTSUPP with a detail on the posix platform"),
}}
