#!/bin/sh
# skt against ncat, both ways, over TCP. As a client: stdin goes out, its
# end half-closes the connection, ncat's answer is printed, and skt exits
# 0 when ncat closes. As a listener: ncat's data comes out on stdout,
# stdin goes to ncat, and skt exits 0 when ncat is done. Nothing on stderr
# but the "listening on" line of port 0. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat

printf 'from ncat\n' >"$tmp/ncat-input"
printf 'from skt\n' >"$tmp/skt-input"

# skt connects; ncat listens with data of its own.
free_port
start server sh -c 'exec ncat -l 127.0.0.1 "$0" <"$1"' "$port" \
    "$tmp/ncat-input"
server=$pid
wait_port t "$port" "$server"
run 10 client skt_with "$tmp/skt-input" 127.0.0.1 "$port"
expect_status 0 "skt client"
expect_file "$tmp/client.out" "from ncat" "skt printed"
expect_empty "$tmp/client.err" "skt client's stderr"
wait_exit "$server" 5
expect_status 0 "ncat -l"
expect_file "$tmp/server.out" "from skt" "ncat received"

# skt listens; ncat connects, sends, and prints what skt sends.
listen_skt listener "$tmp/skt-input" 127.0.0.1 0
listener=$pid
run 10 peer sh -c 'exec ncat 127.0.0.1 "$0" <"$1"' "$port" \
    "$tmp/ncat-input"
expect_status 0 "ncat client"
expect_file "$tmp/peer.out" "from skt" "ncat printed"
wait_exit "$listener" 5
expect_status 0 "skt -l"
expect_file "$tmp/listener.out" "from ncat" "skt -l printed"
expect_one_line "$tmp/listener.err" "^listening on 127\\.0\\.0\\.1:$port\$" \
    "skt -l's stderr (port 0)"
exit 0
