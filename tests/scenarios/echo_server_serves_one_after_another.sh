#!/bin/sh
# Scenario: without SKT_EXAMPLE_ONCE, echo-server serves one client after
# another and keeps running: two clients in turn get their echoes, the
# server prints connected/closed for each in order, and is still listening
# afterwards.
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
unset SKT_EXAMPLE_ONCE
"$examples/echo-server" 127.0.0.1 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

for message in first second; do
    "$examples/echo-client" 127.0.0.1 "$port" "$message" \
        >"$tmp/client.out" 2>"$tmp/client.err" &
    client=$!
    pids="$pids $client"
    wait_exit "$client" 10
    [ "$status" -eq 0 ] || fail "client $message exited $status"
    [ "$(cat "$tmp/client.out")" = "received \"$message\"" ] ||
        fail "client $message got a wrong echo"
done

# The server must still be running. Its "closed" line comes just after
# the client has gone, so give it a moment to be printed.
n=50
until [ "$(grep -c '^closed ' "$tmp/server.out")" -eq 2 ]; do
    [ "$n" -gt 0 ] || fail "the server did not report two closed connections"
    n=$((n - 1))
    sleep 0.1
done
kill -0 "$server" 2>/dev/null || fail "the server exited after two clients"
[ ! -s "$tmp/server.err" ] || fail "echo-server wrote to stderr"
sed -n 's/^\([a-z]*\).*/\1/p' "$tmp/server.out" | tr '\n' ' ' >"$tmp/order"
[ "$(cat "$tmp/order")" = "listening connected closed connected closed " ] ||
    fail "server lines out of order: $(cat "$tmp/order")"
exit 0
