"""The tables of the driver's self-test: an intended difference whose
reason begins the header's note, one whose reason begins a later clause
of a note, a known deviation, an "intended" difference whose reason the
header does not have, and one whose reason starts inside a clause.

PLATFORM: a posix difference whose reason the header's "Platform:" note
gives, and posix entries that must fail there: a reason the header lacks,
a reason that is a "Differs from Python:" note and not a platform note, a
reason past the end of a platform note (where a "Differs from Python:"
note begins), a scenario that matches Python, a skt line other than the
one stated, and a scenario that did not run; a Linux difference, accepted
on linux alone; and a platform the driver does not know."""
INTENDED = {
    "selftest.intended": (
        "EAFNOSUPPORT", "skt_inet_ntop",
        "an unknown family is -EAFNOSUPPORT, where Python raises "
        "ValueError"),
    "selftest.unmarked": (
        "ETIMEDOUT", "skt_connect", "a reason the header never gives"),
    "selftest.clause": (
        "EPORTRANGE", "skt_create_connection",
        "a numeric port over 65535 is SKT_EPORTRANGE"),
    "selftest.midclause": (
        "EPORTRANGE", "skt_create_connection",
        "port over 65535 is SKT_EPORTRANGE"),
}
KNOWN_DEVIATIONS = {
    "selftest.known": ("0", "a planted known deviation"),
}
PLATFORM = {
    "posix": {
        "selftest.platform": (
            "EAFNOSUPPORT", "skt_addr_parse",
            "the posix platform has IPv4, IPv6 and Unix paths only"),
        "selftest.platform_unmarked": (
            "EAFNOSUPPORT", "skt_addr_parse",
            "a reason the header never gives"),
        "selftest.platform_differs": (
            "EAFNOSUPPORT", "skt_inet_ntop",
            "an unknown family is -EAFNOSUPPORT"),
        "selftest.platform_past_note": (
            "0", "skt_from_fd", "Differs from Python: socket(fileno=)"),
        "selftest.platform_matches": (
            "ok", "skt_addr_parse",
            "the posix platform has IPv4, IPv6 and Unix paths only"),
        "selftest.platform_line": (
            "EAFNOSUPPORT", "skt_addr_parse",
            "the posix platform has IPv4, IPv6 and Unix paths only"),
        "selftest.platform_gone": (
            "EAFNOSUPPORT", "skt_addr_parse",
            "the posix platform has IPv4, IPv6 and Unix paths only"),
    },
    "linux": {
        "selftest.platform_linux": (
            "EPERM", "skt_from_fd",
            "Linux reads SO_DOMAIN, SO_TYPE and SO_PROTOCOL"),
    },
    "posx": {},
}
