#!/bin/sh
# skt app: a request of the sockets tutorial's JSON-header protocol to the
# tutorial's Python server (tests/peers/app_server.py), the result printed
# as one line: "search" as text/json, another action as the binary
# request. A peer that answers something else: exit status 1 and why.
# Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python json

start server "$python" "$peers/app_server.py"
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address##*:}
run 10 search "$skt" app -v 127.0.0.1 "$port" search morpheus
expect_status 0 "skt app search"
expect_file "$tmp/search.out" "Follow the white rabbit. 🐰" "the result"
want='^skt: response: text/json, utf-8, [0-9]+ bytes$'
expect_line "$tmp/search.err" "$want" "-v: the response"
run 10 binary "$skt" app 127.0.0.1 "$port" reverse hello
expect_status 0 "skt app with a binary action"
expect_file "$tmp/binary.out" "First 10 bytes of request: reversehel" \
    "the binary result"
stop "$server"

start_peer peer greet "not the protocol"
run 10 wrong "$skt" app 127.0.0.1 "$port" search x
expect_status 1 "skt app against another protocol"
expect_one_line "$tmp/wrong.err" '^skt: app header of [0-9]+ bytes, over ' \
    "the failure"
expect_empty "$tmp/wrong.out" "skt app printed"
exit 0
