#!/bin/sh
# Scenario: echo-server takes numeric addresses only. A host name (one that
# does not exist, and "localhost", which would resolve) and bad ports
# (70000, -1, "http") each make it exit 1 at once with a message on stderr,
# without ever listening.
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
# rejects HOST PORT: echo-server HOST PORT must fail cleanly.
rejects() {
    "$examples/echo-server" "$1" "$2" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    pids=$pid
    wait_exit "$pid" 5
    [ "$status" -eq 1 ] || fail "echo-server $1 $2 exited $status, expected 1"
    [ ! -s "$tmp/out" ] || fail "echo-server $1 $2 printed on stdout"
    grep -q '^echo-server: ..' "$tmp/err" ||
        fail "echo-server $1 $2 gave no error message"
}

rejects no.such.host 5000
rejects localhost 5000
rejects 127.0.0.1 70000
rejects 127.0.0.1 -1
rejects 127.0.0.1 http
exit 0
