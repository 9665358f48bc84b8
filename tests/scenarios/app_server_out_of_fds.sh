#!/bin/sh
# Scenario: app-server runs out of fds (ulimit -n 24) while 40 idle
# clients hold connections. It says so on stderr ("Too many open files"),
# pauses accepting instead of spinning, and once the idle clients leave it
# serves a real request; SIGTERM still stops it with status 0.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
peers=$2
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
# line that server PID writes into FILE, waiting up to 10 seconds.
wait_listening() {
    n=100
    while :; do
        address=$(sed -n 's/^listening on //p' "$1" 2>/dev/null)
        [ -n "$address" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before listening"
        [ "$n" -gt 0 ] || fail "no \"listening on\" line within 10 s"
        n=$((n - 1))
        sleep 0.1
    done
}

python=$(command -v python3) || python=/usr/bin/python3
"$python" -c 'import socket' 2>/dev/null || {
    echo "SKIP: python3 is not installed" >&2
    exit 77
}
sh -c 'ulimit -n 24 && exec "$0" 127.0.0.1 0' "$examples/app-server" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

# Forty idle clients for two seconds; the server has room for about 18.
"$python" - "$port" >"$tmp/idle.out" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
time.sleep(2)
for s in held:
    s.close()
PY
idle=$!
pids="$pids $idle"
wait_exit "$idle" 20
[ "$status" -eq 0 ] || fail "the idle clients failed"
cpu_before=$(awk '{print $14 + $15}' "/proc/$server/stat")

"$examples/app-client" 127.0.0.1 "$port" search morpheus \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 20
[ "$status" -eq 0 ] || fail "app-client exited $status"
grep -q '^Got result: Follow the white rabbit' "$tmp/client.out" ||
    fail "no answer after the server ran out of fds"
grep -q 'Too many open files' "$tmp/server.err" ||
    fail "the server did not report running out of fds"
# Two seconds out of fds must not have cost seconds of CPU (a spin).
[ "$cpu_before" -lt 100 ] || fail "the server used $cpu_before ticks of CPU"

kill -TERM "$server"
wait_exit "$server" 10
pids=
[ "$status" -eq 0 ] || fail "app-server exited $status after SIGTERM"
exit 0
