#!/bin/sh
# Scenario: Python's socket module, as a client, gets exact echoes from the
# skt echo-server (short messages, an empty one, and one of 100000 bytes,
# which takes many recv and send calls); the server prints its three lines
# and exits 0 after the connection (SKT_EXAMPLE_ONCE=1).
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

# The Python peer: python3 on PATH, else /usr/bin/python3.
python=$(command -v python3) || python=/usr/bin/python3
"$python" -c 'import socket' 2>/dev/null || {
    echo "SKIP: python3 with the socket module is not installed" >&2
    exit 77
}

peers=$2

SKT_EXAMPLE_ONCE=1 "$examples/echo-server" 127.0.0.1 0 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}
case $address in
127.0.0.1:[1-9]*) ;;
*) fail "listening on \"$address\", expected 127.0.0.1:PORT with PORT > 0" ;;
esac

big=$(head -c 100000 /dev/zero | tr '\0' x)
"$python" "$peers/echo_client.py" 127.0.0.1 "$port" hello "two words" "" \
    "$big" >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 0 ] || fail "echo_client.py exited $status"
printf 'received "%s"\n' hello "two words" "" "$big" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong echoes"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "echo-server exited $status"
[ ! -s "$tmp/server.err" ] || fail "echo-server wrote to stderr"
peer=$(sed -n 's/^connected by //p' "$tmp/server.out")
case $peer in
127.0.0.1:[1-9]*) ;;
*) fail "connected by \"$peer\", expected 127.0.0.1:PORT" ;;
esac
printf 'listening on %s\nconnected by %s\nclosed %s\n' \
    "$address" "$peer" "$peer" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/server.out" || fail "wrong server output"
exit 0
