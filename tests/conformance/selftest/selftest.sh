#!/bin/sh
# The driver's self-test: two canned outputs that differ, compared with
# the tables of tables.py. Part "mismatch" (the default) compares them
# for the linux platform, the default: the driver must exit 1, report the
# planted mismatch as "name: python=... skt=...", accept the intended
# differences whose reason the header gives (at a note's start or a
# clause's), refuse those whose reason it lacks or that start inside a
# clause, and print the known deviation loudly. Part "platform" compares
# them for linux and for posix: a PLATFORM entry is accepted on its
# platform only, and only when the header's "Platform:" note gives its
# reason; on its platform it fails when the header lacks the reason (or
# has it only as a "Differs from Python:" note), when the scenario
# matches Python, when skt's line is another, and when the scenario did
# not run.
#
#   sh selftest.sh PYTHON DRIVER SELFTEST_DIR [mismatch|platform]
python=$1 driver=$2 dir=$3 part=${4:-mismatch}
fail() { echo "selftest: $*" >&2; exit 1; }
run() {
    out=$("$python" "$driver" --compare "$dir/python.txt" "$dir/skt.txt" \
          --tables "$dir/tables.py" "$@")
    status=$?
    printf '%s\n' "$out"
    [ "$status" -eq 1 ] || fail "exit status $status, not 1 ($*)"
}
expect() {
    printf '%s\n' "$out" | grep -qF -- "$1" || fail "no line: $1"
}
refuse() {
    if printf '%s\n' "$out" | grep -qF -- "$1"; then
        fail "a line that must not be: $1"
    fi
}
common() {
    expect "selftest.planted: python=ECONNREFUSED skt=ok"
    expect "intended: selftest.intended: python=EINVAL skt=EAFNOSUPPORT"
    expect "selftest.unmarked: python=EAGAIN skt=ETIMEDOUT (intended, but skt_connect has no"
    expect "!!! KNOWN_DEVIATION: selftest.known: python=None skt=0"
    expect "intended: selftest.clause: python=ECONNREFUSED skt=EPORTRANGE"
    expect "selftest.midclause: python=ECONNREFUSED skt=EPORTRANGE (intended, but skt_create_connection has no"
    expect "PLATFORM: unknown platform 'posx'"
    if printf '%s\n' "$out" | grep -q "^selftest.same:"; then
        fail "a matching scenario was reported"
    fi
}

run
common
expect "14 scenarios on linux (selftest 14): 2 match, 2 intended differences, 1 platform differences, 1 KNOWN DEVIATIONS, 9 failures"
if [ "$part" = mismatch ]; then
    echo "selftest: ok"
    exit 0
fi
expect "platform: selftest.platform_linux: python=ok skt=EPERM"
expect "selftest.platform: python=ECONNREFUSED skt=EAFNOSUPPORT"
refuse "platform: selftest.platform:"
refuse "selftest.platform_matches:"
refuse "selftest.platform_gone:"

run --platform posix
common
expect "platform: selftest.platform: python=ECONNREFUSED skt=EAFNOSUPPORT"
expect "selftest.platform_unmarked: python=EINVAL skt=EAFNOSUPPORT (platform posix, but skt_addr_parse has no"
expect "selftest.platform_differs: python=EINVAL skt=EAFNOSUPPORT (platform posix, but skt_inet_ntop has no"
expect "selftest.platform_past_note: python=None skt=0 (platform posix, but skt_from_fd has no"
expect "selftest.platform_matches: python=ok skt=ok (listed as a posix platform difference, but matches Python"
expect "selftest.platform_line: python=EINVAL skt=ENOTSUP (platform posix skt=EAFNOSUPPORT)"
expect "selftest.platform_gone: in PLATFORM['posix'] but no such scenario ran"
expect "selftest.platform_linux: python=ok skt=EPERM"
refuse "platform: selftest.platform_linux:"
expect "14 scenarios on posix (selftest 14): 1 match, 2 intended differences, 1 platform differences, 1 KNOWN DEVIATIONS, 11 failures"
echo "selftest: ok"
