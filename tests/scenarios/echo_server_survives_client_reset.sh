#!/bin/sh
# Scenario: a client that aborts its connection (a TCP reset, sent by
# Python's socket module with SO_LINGER 0) costs echo-server that client
# only: the error goes to stderr, the connection is reported closed, and
# the next client is served as usual.
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
unset SKT_EXAMPLE_ONCE
"$examples/echo-server" 127.0.0.1 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

"$python" - "$port" >"$tmp/reset.out" 2>&1 <<'PYTHON' &
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"x" * 100000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYTHON
reset=$!
pids="$pids $reset"
wait_exit "$reset" 10
[ "$status" -eq 0 ] || fail "the resetting client exited $status"

# The error is reported once the server sees the reset.
n=50
until [ -s "$tmp/server.err" ] && grep -q '^closed ' "$tmp/server.out"; do
    [ "$n" -gt 0 ] || fail "the server did not report the aborted connection"
    n=$((n - 1))
    sleep 0.1
done
grep -q '^echo-server: ..' "$tmp/server.err" || fail "no error message"

"$examples/echo-client" 127.0.0.1 "$port" "still here" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 10
[ "$status" -eq 0 ] || fail "the next client exited $status"
[ "$(cat "$tmp/client.out")" = 'received "still here"' ] ||
    fail "the next client got a wrong echo"
kill -0 "$server" 2>/dev/null || fail "the server exited"
exit 0
