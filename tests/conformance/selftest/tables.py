"""The tables of the driver's self-test: an intended difference whose
reason begins the header's note, one whose reason begins a later clause
of a note, a known deviation, an "intended" difference whose reason the
header does not have, and one whose reason starts inside a clause."""
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
