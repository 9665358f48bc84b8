#!/bin/sh
# skt against OpenBSD nc (Debian's netcat-openbsd, nc.openbsd), both ways:
# each side's stdin reaches the other, each end of input half-closes (nc
# with -N, skt by default), and both exit 0 with nothing on stderr. Run by
# CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need nc.openbsd "OpenBSD nc (netcat-openbsd) is not installed"

printf 'from nc\n' >"$tmp/nc-input"
printf 'from skt\n' >"$tmp/skt-input"

# skt connects; nc listens.
free_port
start server sh -c 'exec nc.openbsd -N -l 127.0.0.1 "$0" <"$1"' "$port" \
    "$tmp/nc-input"
server=$pid
wait_port t "$port" "$server"
run 10 client skt_with "$tmp/skt-input" 127.0.0.1 "$port"
expect_status 0 "skt client"
expect_file "$tmp/client.out" "from nc" "skt printed"
expect_empty "$tmp/client.err" "skt client's stderr"
wait_exit "$server" 5
expect_status 0 "nc -l"
expect_file "$tmp/server.out" "from skt" "nc received"

# skt listens; nc connects.
listen_skt listener "$tmp/skt-input" -v 127.0.0.1 0
listener=$pid
run 10 peer sh -c 'exec nc.openbsd -N 127.0.0.1 "$0" <"$1"' "$port" \
    "$tmp/nc-input"
expect_status 0 "nc client"
expect_file "$tmp/peer.out" "from skt" "nc printed"
wait_exit "$listener" 5
expect_status 0 "skt -l"
expect_file "$tmp/listener.out" "from nc" "skt -l printed"
# -v: the listening line, the client, and the byte counts.
want='^skt: connection from 127\.0\.0\.1:[0-9]+ '
expect_line "$tmp/listener.err" "$want" "skt -l -v: no client line"
expect_line "$tmp/listener.err" "^skt: sent 9 bytes, received 8 bytes\$" \
    "skt -l -v: no byte counts"
exit 0
