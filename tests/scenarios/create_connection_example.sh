#!/bin/sh
# Scenario: create-server-echo on "::" (dual stack, port 0) serves
# create-connection-client, which finds it by the name "localhost" (IPv4
# only in most hosts files, so the dual-stack listener must accept IPv4);
# then the client against a closed port lists every address it tried.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

start server env SKT_EXAMPLE_ONCE=1 "$examples/create-server-echo" :: 0
server=$pid
skip_if_cannot_listen server "$server" dualstack "no dual-stack IPv6 here"
wait_line "$tmp/server.out" "$server" '^listening on \[::\]:\(.*\)$'
port=$line

run 10 client "$examples/create-connection-client" localhost "$port" hi there
[ "$status" -eq 0 ] || fail "client failed"
grep -q "^connected to " "$tmp/client.out" || fail "no connected line"
grep -q '^received "hi"$' "$tmp/client.out" || fail "no first echo"
grep -q '^received "there"$' "$tmp/client.out" || fail "no second echo"
wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "server exited with an error"

# Nothing listens now: the client fails and names what it tried.
run 10 refused "$examples/create-connection-client" 127.0.0.1 "$port" x
[ "$status" -ne 0 ] || fail "the client succeeded against a closed port"
grep -q "127.0.0.1:$port: Connection refused" "$tmp/refused.err" ||
    fail "the refusal does not name the address"
exit 0
