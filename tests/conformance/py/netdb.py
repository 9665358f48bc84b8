"""netdb - the resolver and the module functions: getaddrinfo on numeric
and /etc/hosts names, getnameinfo, gethostbyname and company, services
and protocols, the inet_* converters and interface names (test_socket.py's
GeneralModuleTests: testGetaddrinfo, testGetnameinfo, testIPv4toString,
testStringToIPv4, testIPv6toString, testStringToIPv6, testInterfaceNameIndex,
testGetServBy, testGetProtoByName...). Every name here is numeric or in
/etc/hosts: no scenario asks DNS."""
import os
import socket

from conf import add, hexbytes

S = socket


def rawaddr(family, a):
    if family == S.AF_INET6:
        host = a[0]
        if a[3] and "%" not in host:
            host += "%" + socket.if_indextoname(a[3])
        return f"[{host}]:{a[1]}"
    return f"{a[0]}:{a[1]}"


def gai(host, port, family=0, type=0, proto=0, flags=0):
    def run():
        found = socket.getaddrinfo(host, port, family, type, proto, flags)
        return ";".join(f"{int(f)} {int(t)} {p} {rawaddr(f, a)}"
                        + (f" canon={c}" if c else "")
                        for f, t, p, c, a in found)
    return run


# --------------------------------------------------------------------------
# resolver
# --------------------------------------------------------------------------

STREAM = S.SOCK_STREAM
for name, args, kw in (
        ("numeric_v4", ("127.0.0.1", "80"), {"type": STREAM}),
        ("numeric_v4_every_type", ("127.0.0.1", "80"), {}),
        ("numeric_v6", ("::1", "443"), {"type": STREAM}),
        ("numeric_scope", ("fe80::1%lo", "80"), {"family": S.AF_INET6, "type": STREAM}),
        ("localhost_inet", ("localhost", "80"), {"family": S.AF_INET, "type": STREAM}),
        ("localhost_any", ("localhost", "80"), {"type": STREAM}),
        ("localhost_inet6", ("localhost", "80"), {"family": S.AF_INET6, "type": STREAM}),
        ("hosts_alias", ("runsc", "80"), {"family": S.AF_INET, "type": STREAM}),
        ("passive_none", (None, "80"), {"family": S.AF_INET, "type": STREAM, "flags": S.AI_PASSIVE}),
        ("passive_none_v6", (None, "80"), {"family": S.AF_INET6, "type": STREAM, "flags": S.AI_PASSIVE}),
        ("host_none", (None, "80"), {"type": STREAM}),
        ("service_name", ("127.0.0.1", "http"), {"type": STREAM}),
        ("service_udp", ("127.0.0.1", "domain"), {"type": S.SOCK_DGRAM}),
        ("unknown_service", ("127.0.0.1", "skt-no-such-service"), {"type": STREAM}),
        ("numericserv_with_name", ("127.0.0.1", "http"), {"type": STREAM, "flags": S.AI_NUMERICSERV}),
        ("numerichost_with_name", ("localhost", "80"), {"flags": S.AI_NUMERICHOST}),
        ("numerichost_bad", ("1.2.3.4.5", "80"), {"flags": S.AI_NUMERICHOST}),
        ("bad_flags", ("127.0.0.1", "80"), {"flags": 0x7fff0000}),
        ("bad_family", ("127.0.0.1", "80"), {"family": 12345}),
        ("bad_socktype", ("127.0.0.1", "80"), {"type": 12345}),
        ("canonname", ("localhost", "80"), {"family": S.AF_INET, "type": STREAM, "flags": S.AI_CANONNAME}),
        ("v4mapped", ("127.0.0.1", "80"), {"family": S.AF_INET6, "type": STREAM, "flags": S.AI_V4MAPPED}),
        ("v6_host_for_inet", ("::1", "80"), {"family": S.AF_INET, "flags": S.AI_NUMERICHOST}),
        ("port_none", ("127.0.0.1", None), {"type": STREAM}),
        ("port_zero", ("127.0.0.1", "0"), {"type": STREAM}),
        ("port_over_65535", ("127.0.0.1", "70000"), {"type": STREAM}),
        ("proto_udp", ("127.0.0.1", "53"), {"proto": S.IPPROTO_UDP}),
        ("both_none", (None, None), {}),
        ("empty_host", ("", "80"), {"type": STREAM})):
    add(f"resolver.{name}", gai(*args, **kw))


def nameinfo(sockaddr, flags):
    return lambda: " ".join(socket.getnameinfo(sockaddr, flags))


NUM = S.NI_NUMERICHOST | S.NI_NUMERICSERV
add("nameinfo.numeric", nameinfo(("127.0.0.1", 80), NUM))
add("nameinfo.names", nameinfo(("127.0.0.1", 80), 0))
add("nameinfo.v6_numeric", nameinfo(("::1", 443, 0, 0), NUM))
add("nameinfo.dgram_service", nameinfo(("127.0.0.1", 53),
                                       S.NI_NUMERICHOST | S.NI_DGRAM))
add("nameinfo.scope", nameinfo(("fe80::1", 80, 0, 1), NUM))
add("nameinfo.unknown_port", nameinfo(("127.0.0.1", 61999), S.NI_NUMERICHOST))
add("nameinfo.namereqd_hosts", nameinfo(("127.0.0.1", 22), S.NI_NAMEREQD))
add("nameinfo.nofqdn", nameinfo(("127.0.0.1", 80), S.NI_NOFQDN | S.NI_NUMERICSERV))

# --------------------------------------------------------------------------
# netdb
# --------------------------------------------------------------------------

add("netdb.gethostbyname_localhost", lambda: socket.gethostbyname("localhost"))
add("netdb.gethostbyname_numeric", lambda: socket.gethostbyname("127.0.0.1"))
add("netdb.gethostbyname_legacy", lambda: socket.gethostbyname("127.1"))
add("netdb.gethostbyname_alias", lambda: socket.gethostbyname("vm"))


def hostent(h):
    name, aliases, addresses = h
    return f"{name} [{','.join(aliases)}] {','.join(addresses)}"


add("netdb.gethostbyname_ex_localhost",
    lambda: hostent(socket.gethostbyname_ex("localhost")))
add("netdb.gethostbyname_ex_alias",
    lambda: hostent(socket.gethostbyname_ex("runsc")))
add("netdb.gethostbyaddr_loopback",
    lambda: hostent(socket.gethostbyaddr("127.0.0.1")))
add("netdb.gethostbyaddr_name",
    lambda: hostent(socket.gethostbyaddr("localhost")))
add("netdb.gethostname", lambda: socket.gethostname() == os.uname().nodename)
add("netdb.getfqdn_localhost", lambda: socket.getfqdn("localhost"))
add("netdb.getfqdn_empty", lambda: socket.getfqdn(""))
add("netdb.getservbyname_http", lambda: socket.getservbyname("http", "tcp"))
add("netdb.getservbyname_domain_udp", lambda: socket.getservbyname("domain", "udp"))
add("netdb.getservbyname_any_proto", lambda: socket.getservbyname("ssh"))
add("netdb.getservbyname_unknown",
    lambda: socket.getservbyname("skt-no-such-service", "tcp"),
    alias={"OSError": "gaierror:EAI_SERVICE"})
add("netdb.getservbyport_80", lambda: socket.getservbyport(80, "tcp"))
add("netdb.getservbyport_53_udp", lambda: socket.getservbyport(53, "udp"))
add("netdb.getservbyport_unknown", lambda: socket.getservbyport(61999),
    alias={"OSError": "gaierror:EAI_SERVICE"})
add("netdb.getservbyport_range", lambda: socket.getservbyport(70000),
    alias={"EOVERFLOW": "EPORTRANGE"})
for proto in ("tcp", "udp", "icmp", "ipv6-icmp"):
    add(f"netdb.getprotobyname_{proto}", lambda p=proto: socket.getprotobyname(p))
add("netdb.getprotobyname_unknown",
    lambda: socket.getprotobyname("skt-no-such-protocol"),
    alias={"OSError": "ENOPROTOOPT"})

# --------------------------------------------------------------------------
# inet
# --------------------------------------------------------------------------

# Python raises OSError without an errno for text that is no address;
# skt returns SKT_EADDRSYNTAX.
BAD_TEXT = {"OSError": "EADDRSYNTAX"}
for key, text in (("dotted", "127.0.0.1"), ("two_parts", "127.1"),
                  ("three_parts", "10.1.2"), ("hex", "0x7f.1"),
                  ("octal", "010.0.0.1"), ("one_number", "3232235777"),
                  ("max", "255.255.255.255"), ("zero", "0"),
                  ("five_parts", "1.2.3.4.5"), ("part_too_big", "1.2.3.256"),
                  ("empty", ""), ("letters", "abc"),
                  ("trailing_space", "1.2.3.4 junk")):
    add(f"inet.aton.{key}", lambda t=text: hexbytes(socket.inet_aton(t)),
        alias=BAD_TEXT)

for key, packed in (("loopback", b"\x7f\0\0\x01"), ("max", b"\xff" * 4),
                    ("zero", b"\0" * 4)):
    add(f"inet.ntoa.{key}", lambda p=packed: socket.inet_ntoa(p))

for key, family, text in (
        ("v4", S.AF_INET, "1.2.3.4"), ("v4_short", S.AF_INET, "1.2.3"),
        ("v4_leading_zero", S.AF_INET, "01.2.3.4"),
        ("v4_octet_256", S.AF_INET, "1.2.3.256"),
        ("v6_loopback", S.AF_INET6, "::1"), ("v6_any", S.AF_INET6, "::"),
        ("v6_full", S.AF_INET6, "1:2:3:4:5:6:7:8"),
        ("v6_mapped", S.AF_INET6, "::ffff:1.2.3.4"),
        ("v6_upper", S.AF_INET6, "FE80::ABCD"),
        ("v6_two_gaps", S.AF_INET6, "1::2::3"),
        ("v6_bad_digit", S.AF_INET6, "::g"),
        ("v6_scope", S.AF_INET6, "fe80::1%lo"),
        ("v6_v4_text", S.AF_INET6, "1.2.3.4")):
    add(f"inet.pton.{key}", lambda f=family, t=text: hexbytes(socket.inet_pton(f, t)),
        alias=BAD_TEXT)
add("inet.pton.bad_family", lambda: socket.inet_pton(12345, "1.2.3.4"))

for key, family, packed in (
        ("v4", S.AF_INET, bytes([10, 0, 0, 1])),
        ("v6_loopback", S.AF_INET6, bytes(15) + b"\x01"),
        ("v6_any", S.AF_INET6, bytes(16)),
        ("v6_gap", S.AF_INET6, bytes.fromhex("00010000000000000000000000000001")),
        ("v6_mapped", S.AF_INET6, bytes.fromhex("00000000000000000000ffff01020304")),
        ("v6_longest_gap", S.AF_INET6, bytes.fromhex("20010db8000000000001000000000001")),
        ("v4_wrong_length", S.AF_INET, b"abc"),
        ("v6_wrong_length", S.AF_INET6, bytes(15))):
    add(f"inet.ntop.{key}", lambda f=family, p=packed: socket.inet_ntop(f, p))
add("inet.ntop.bad_family", lambda: socket.inet_ntop(12345, bytes(4)))

# --------------------------------------------------------------------------
# iface
# --------------------------------------------------------------------------

# Python raises OSError without an errno for a name that names no
# interface; skt returns -ENODEV.
NO_NAME = {"OSError": "ENODEV"}
add("iface.nametoindex_lo", lambda: socket.if_nametoindex("lo"))
add("iface.nametoindex_unknown", lambda: socket.if_nametoindex("skt-nope0"),
    alias=NO_NAME)
add("iface.nametoindex_empty", lambda: socket.if_nametoindex(""), alias=NO_NAME)
add("iface.nametoindex_too_long", lambda: socket.if_nametoindex("x" * 40),
    alias=NO_NAME)
add("iface.indextoname_1", lambda: socket.if_indextoname(1))
add("iface.indextoname_unknown", lambda: socket.if_indextoname(99999))
add("iface.indextoname_zero", lambda: socket.if_indextoname(0))
add("iface.nameindex", lambda: " ".join(f"{i}:{n}"
                                        for i, n in socket.if_nameindex()))
add("iface.roundtrip", lambda: all(
    socket.if_nametoindex(n) == i and socket.if_indextoname(i) == n
    for i, n in socket.if_nameindex()))

INTENDED = {
    "inet.ntop.bad_family": (
        "EAFNOSUPPORT", "skt_inet_ntop",
        "an unknown family is -EAFNOSUPPORT, where Python raises "
        "ValueError; the code says what is wrong."),
    "resolver.port_over_65535": (
        "EPORTRANGE", "skt_getaddrinfo",
        "a numeric port over 65535 is SKT_EPORTRANGE, where Python's "
        "getaddrinfo lets glibc keep its low 16 bits"),
}
KNOWN_DEVIATIONS = {}
