#!/bin/sh
# Scenario: the selector examples of the HOWTO. multiconn-client opens 10
# connections at once against multiconn-server, each sends two messages
# and gets exactly them back (exit 0); a Python client is echoed too; the
# server logs each connection and stops cleanly on SIGTERM ("caught
# signal, exiting", status 0, nothing on stderr). Against a port where
# nothing listens, multiconn-client fails with the library's message.
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


peers=$2
python=$(command -v python3) || python=/usr/bin/python3
"$python" -c 'import socket' 2>/dev/null || {
    echo "SKIP: python3 with the socket module is not installed" >&2
    exit 77
}
"$examples/multiconn-server" 127.0.0.1 0 >"$tmp/server.out" \
    2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

"$examples/multiconn-client" 127.0.0.1 "$port" 10 >"$tmp/client.out" \
    2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 20
[ "$status" -eq 0 ] || fail "multiconn-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "multiconn-client wrote to stderr"
for what in "starting connection" "closing connection"; do
    n=$(grep -c "^$what " "$tmp/client.out")
    [ "$n" -eq 10 ] || fail "$n \"$what\" lines, expected 10"
done
n=$(grep -c '^sending "Message [12] from client." to connection ' \
    "$tmp/client.out")
[ "$n" -eq 20 ] || fail "$n messages sent, expected 20"

"$python" "$peers/echo_client.py" 127.0.0.1 "$port" hello "two words" \
    >"$tmp/python.out" 2>"$tmp/python.err" || fail "echo_client.py failed"
printf 'received "%s"\n' hello "two words" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/python.out" || fail "wrong echoes to Python"

kill -TERM "$server"
wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "multiconn-server exited $status on SIGTERM"
[ ! -s "$tmp/server.err" ] || fail "multiconn-server wrote to stderr"
n=$(grep -c '^accepted connection from 127.0.0.1:' "$tmp/server.out")
[ "$n" -eq 11 ] || fail "$n connections accepted, expected 11"
n=$(grep -c '^closing connection to 127.0.0.1:' "$tmp/server.out")
[ "$n" -eq 11 ] || fail "$n connections closed, expected 11"
tail -n 1 "$tmp/server.out" | grep -q '^caught signal, exiting$' ||
    fail "no \"caught signal, exiting\" at the end"

# Nothing listens on the port any more.
"$examples/multiconn-client" 127.0.0.1 "$port" 2 >"$tmp/refused.out" \
    2>"$tmp/refused.err"
[ $? -eq 1 ] || fail "multiconn-client against a closed port did not exit 1"
grep -q 'Connection refused' "$tmp/refused.err" ||
    fail "no \"Connection refused\" in the client's error"
exit 0
