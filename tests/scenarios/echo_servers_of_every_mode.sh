#!/bin/sh
# Scenario: the echo servers of every serving mode (threading, pool,
# forking, event) each serve Python clients (three at once, plus the
# multi-connection test peer) and multiconn-client's 20 connections, and
# stop cleanly on SIGTERM ("shutting down", status 0, nothing on stderr).
# Usage errors: no arguments exit 2, a host name exits 1 with a message.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
for name in threading-echo-server pool-echo-server forking-echo-server \
    event-echo-server; do
    rm -f "$tmp"/*
    start server "$examples/$name" 127.0.0.1 0
    server=$pid
    wait_listening "$tmp/server.out" "$server"
    port=${address#127.0.0.1:}

    clients=
    for i in 1 2 3; do
        "$python" "$peers/echo_client.py" 127.0.0.1 "$port" "hello $i" \
            "second $i" >"$tmp/python$i.out" 2>&1 &
        clients="$clients $!"
        pids="$pids $!"
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
grep -q '^usage: event-echo-server \[-i IDLE_SECONDS\] HOST PORT$' \
    "$tmp/usage.err" || fail "no usage line"
"$examples/threading-echo-server" localhost 0 >"$tmp/name.out" \
    2>"$tmp/name.err"
[ $? -eq 1 ] || fail "a host name did not exit 1"
grep -q '^threading-echo-server: ' "$tmp/name.err" || fail "no error message"
exit 0
