#!/bin/sh
# Scenario: upper-echo-server upper-cases exactly the bytes a-z: letters at
# the edges of the range, the neighbours of the range ("@[`{"), UTF-8, and
# bytes with the high bit set (0xE1, 0xFA: 'a' and 'z' plus 0x80) come back
# byte-exact, in a short message and in one of 100000 bytes.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

start server env SKT_EXAMPLE_ONCE=1 "$examples/upper-echo-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

message=$(printf 'caf\303\251 Mixed-Case az AZ @[`{ 09 ~\177 \341\372')
expected=$(printf 'CAF\303\251 MIXED-CASE AZ AZ @[`{ 09 ~\177 \341\372')
big=$(head -c 100000 /dev/zero | tr '\0' q)
big_expected=$(head -c 100000 /dev/zero | tr '\0' Q)
run 15 client "$examples/echo-client" 127.0.0.1 "$port" "$message" "$big"
[ "$status" -eq 0 ] || fail "echo-client exited $status"
printf 'received "%s"\n' "$expected" "$big_expected" >"$tmp/expected"
cmp "$tmp/expected" "$tmp/client.out" >&2 || fail "not upper-cased byte-exact"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "upper-echo-server exited $status"
grep -q '^closed 127\.0\.0\.1:' "$tmp/server.out" || fail "no closed line"
exit 0
