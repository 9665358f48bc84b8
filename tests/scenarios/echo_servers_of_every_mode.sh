#!/bin/sh
# Scenario: the echo servers of every serving mode (threading, pool,
# forking, event) each serve Python clients (three at once, plus the
# multi-connection test peer) and multiconn-client's 20 connections, and
# stop cleanly on SIGTERM ("shutting down", status 0, nothing on stderr).
# Usage errors: no arguments exit 2, a host name exits 1 with a message.
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
for name in threading-echo-server pool-echo-server forking-echo-server \
    event-echo-server; do
    rm -f "$tmp"/*
    "$examples/$name" 127.0.0.1 0 >"$tmp/server.out" 2>"$tmp/server.err" &
    server=$!
    pids="$pids $server"
    wait_listening "$tmp/server.out" "$server"
    port=${address#127.0.0.1:}

    clients=
    for i in 1 2 3; do
        "$python" "$peers/echo_client.py" 127.0.0.1 "$port" "hello $i" \
            "second $i" >"$tmp/python$i.out" 2>&1 &
        clients="$clients $!"
    done
    "$python" "$peers/server_client.py" tcp "127.0.0.1:$port" --clients 5 \
        --messages 3 --size 5000 >"$tmp/peer.out" 2>&1 || \
        fail "$name: server_client.py failed"
    for pid in $clients; do
        wait_exit "$pid" 15
        [ "$status" -eq 0 ] || fail "$name: echo_client.py exited $status"
    done
    for i in 1 2 3; do
        printf 'received "%s"\n' "hello $i" "second $i" >"$tmp/expected"
        cmp -s "$tmp/expected" "$tmp/python$i.out" ||
            fail "$name: wrong echoes to client $i"
    done
    "$examples/multiconn-client" 127.0.0.1 "$port" 20 >"$tmp/multi.out" \
        2>&1 || fail "$name: multiconn-client failed"

    kill -TERM "$server"
    wait_exit "$server" 10
    [ "$status" -eq 0 ] || fail "$name exited $status on SIGTERM"
    [ ! -s "$tmp/server.err" ] || fail "$name wrote to stderr"
    [ "$(tail -n 1 "$tmp/server.out")" = "shutting down" ] ||
        fail "$name: no \"shutting down\" at the end"
done

"$examples/event-echo-server" >"$tmp/usage.out" 2>"$tmp/usage.err"
[ $? -eq 2 ] || fail "no arguments did not exit 2"
grep -q '^usage: event-echo-server HOST PORT$' "$tmp/usage.err" ||
    fail "no usage line"
"$examples/threading-echo-server" localhost 0 >"$tmp/name.out" \
    2>"$tmp/name.err"
[ $? -eq 1 ] || fail "a host name did not exit 1"
grep -q '^threading-echo-server: ' "$tmp/name.err" || fail "no error message"
exit 0
