#!/bin/sh
# The driver's self-test: two canned outputs that differ, compared with
# the tables of tables.py. The driver must exit 1, report the planted
# mismatch as "name: python=... skt=...", accept the intended differences
# whose reason the header gives (at a note's start or a clause's), refuse
# those whose reason it lacks or that start inside a clause, and print the
# known deviation loudly.
#
#   sh selftest.sh PYTHON DRIVER SELFTEST_DIR
python=$1 driver=$2 dir=$3
out=$("$python" "$driver" --compare "$dir/python.txt" "$dir/skt.txt" \
      --tables "$dir/tables.py")
status=$?
printf '%s\n' "$out"
fail() { echo "selftest: $*" >&2; exit 1; }
[ "$status" -eq 1 ] || fail "exit status $status, not 1"
expect() {
    printf '%s\n' "$out" | grep -qF -- "$1" || fail "no line: $1"
}
expect "selftest.planted: python=ECONNREFUSED skt=ok"
expect "intended: selftest.intended: python=EINVAL skt=EAFNOSUPPORT"
expect "selftest.unmarked: python=EAGAIN skt=ETIMEDOUT (intended, but skt_connect has no"
expect "!!! KNOWN_DEVIATION: selftest.known: python=None skt=0"
expect "intended: selftest.clause: python=ECONNREFUSED skt=EPORTRANGE"
expect "selftest.midclause: python=ECONNREFUSED skt=EPORTRANGE (intended, but skt_create_connection has no"
expect "7 scenarios (selftest 7): 1 match, 2 intended differences, 1 KNOWN DEVIATIONS, 3 failures"
if printf '%s\n' "$out" | grep -q "^selftest.same:"; then
    fail "a matching scenario was reported"
fi
echo "selftest: ok"
