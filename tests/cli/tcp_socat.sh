#!/bin/sh
# skt against socat over TCP, both ways. socat runs `tr a-z A-Z` for each
# connection: only a half-close lets tr see the end of its input and
# answer, so skt's default (stdin's end shuts down the write side, then
# read until the peer closes) is what makes this work; with --no-shutdown
# nothing comes back before -i ends it. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat

printf 'hello socat\n' >"$tmp/input"

free_port
start server socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:tr a-z A-Z"
server=$pid
wait_port t "$port" "$server"
run 10 client skt_with "$tmp/input" 127.0.0.1 "$port"
expect_status 0 "skt client"
expect_file "$tmp/client.out" "HELLO SOCAT" "skt printed"
expect_empty "$tmp/client.err" "skt client's stderr"

# Without the half-close, tr never sees the end: -i ends it, status 4.
run 10 open skt_with "$tmp/input" --no-shutdown -i 0.5 127.0.0.1 "$port"
expect_status 4 "skt --no-shutdown -i 0.5"
expect_empty "$tmp/open.out" "skt --no-shutdown's stdout"
expect_one_line "$tmp/open.err" "^skt: idle for 0\\.5 s: no data either way" \
    "skt --no-shutdown -i's stderr"
stop "$server"

# skt listens; socat connects and prints what skt sends.
listen_skt listener "$tmp/input" 127.0.0.1 0
listener=$pid
run 10 peer sh -c 'exec socat - "TCP:127.0.0.1:$0" <"$1"' "$port" \
    "$tmp/input"
expect_status 0 "socat client"
expect_file "$tmp/peer.out" "hello socat" "socat printed"
wait_exit "$listener" 5
expect_status 0 "skt -l"
expect_file "$tmp/listener.out" "hello socat" "skt -l printed"
exit 0
