#!/bin/sh
# Scenario: upper-echo-server upper-cases exactly the bytes a-z: letters at
# the edges of the range, the neighbours of the range ("@[`{"), UTF-8, and
# bytes with the high bit set (0xE1, 0xFA: 'a' and 'z' plus 0x80) come back
# byte-exact, in a short message and in one of 100000 bytes.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skt-scenario.XXXXXX") || exit 1
pids=
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# fail REASON: prints the reason and every output captured, exits 1.
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*; do
        [ -f "$f" ] || continue
        echo "--- ${f##*/}:" >&2
        head -c 2000 "$f" >&2
    done
    exit 1
}

# wait_exit PID SECONDS: sets $status to the exit status of PID; kills it
# and fails if it is still running after SECONDS.
wait_exit() {
    n=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null; do
        [ "$n" -gt 0 ] || { kill "$1"; fail "pid $1 still running after $2 s"; }
        n=$((n - 1))
        sleep 0.1
    done
    wait "$1"
    status=$?
}

# wait_listening FILE PID: sets $address from the "listening on ADDRESS"
# line that server PID writes into FILE, waiting up to 5 seconds.
wait_listening() {
    n=50
    while :; do
        address=$(sed -n 's/^listening on //p' "$1" 2>/dev/null)
        [ -n "$address" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before listening"
        [ "$n" -gt 0 ] || fail "no \"listening on\" line within 5 s"
        n=$((n - 1))
        sleep 0.1
    done
}
SKT_EXAMPLE_ONCE=1 "$examples/upper-echo-server" 127.0.0.1 0 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

message=$(printf 'caf\303\251 Mixed-Case az AZ @[`{ 09 ~\177 \341\372')
expected=$(printf 'CAF\303\251 MIXED-CASE AZ AZ @[`{ 09 ~\177 \341\372')
big=$(head -c 100000 /dev/zero | tr '\0' q)
big_expected=$(head -c 100000 /dev/zero | tr '\0' Q)
"$examples/echo-client" 127.0.0.1 "$port" "$message" "$big" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 0 ] || fail "echo-client exited $status"
printf 'received "%s"\n' "$expected" "$big_expected" >"$tmp/expected"
cmp "$tmp/expected" "$tmp/client.out" >&2 || fail "not upper-cased byte-exact"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "upper-echo-server exited $status"
grep -q '^closed 127\.0\.0\.1:' "$tmp/server.out" || fail "no closed line"
exit 0
