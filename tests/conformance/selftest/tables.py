"""The tables of the driver's self-test: one intended difference whose
reason is the header's, one known deviation, and one "intended"
difference whose reason the header does not have."""
INTENDED = {
    "selftest.intended": (
        "EAFNOSUPPORT", "skt_inet_ntop",
        "an unknown family is -EAFNOSUPPORT, where Python raises "
        "ValueError"),
    "selftest.unmarked": (
        "ETIMEDOUT", "skt_connect", "a reason the header never gives"),
}
KNOWN_DEVIATIONS = {
    "selftest.known": ("0", "a planted known deviation"),
}
