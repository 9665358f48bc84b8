#!/bin/sh
# -u against ncat -u, both directions: skt -u as the client of
# `ncat -u -l` (each side's stdin reaches the other as a datagram, and skt
# exits 0 a second after its stdin's end), and `ncat -u` as the client of
# `skt -u -l` (the listener answers the peer it heard from, prints its
# datagram and exits 0 after its stdin's end). Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
printf 'from skt\n' >"$tmp/skt-input"
printf 'from ncat\n' >"$tmp/ncat-input"

# skt -u to ncat -u -l: ncat answers with its stdin once it has heard
# from skt; a UDP ncat listener does not exit by itself, so it is stopped.
free_port
start ncat sh -c 'exec ncat -u -l 127.0.0.1 "$0" <"$1"' "$port" \
    "$tmp/ncat-input"
ncat=$pid
wait_port u "$port" "$ncat"
begin=$(now)
run 10 client skt_with "$tmp/skt-input" -u 127.0.0.1 "$port"
elapsed_since "$begin"
expect_status 0 "skt -u to ncat -u -l"
expect_file "$tmp/client.out" "from ncat" "skt -u printed ncat's datagram"
expect_empty "$tmp/client.err" "skt -u's stderr"
between "$elapsed" 1 2.5 "skt -u's linger after stdin's end"
wait_until 5 eval '[ -s "$tmp/ncat.out" ]'
expect_file "$tmp/ncat.out" "from skt" "ncat -u -l printed skt's datagram"
stop "$ncat"

# ncat -u to skt -u -l. ncat's stdin stays open 1.5 s (a UDP ncat client
# ends at its stdin's end), long enough for skt's answer to arrive.
listen_skt listener "$tmp/skt-input" -u 127.0.0.1 0
listener=$pid
run 10 ncat sh -c '{ cat "$1"; sleep 1.5; } | exec ncat -u 127.0.0.1 "$0"' \
    "$port" "$tmp/ncat-input"
expect_status 0 "ncat -u to skt -u -l"
expect_file "$tmp/ncat.out" "from skt" "ncat -u printed skt's answer"
wait_exit "$listener" 5
expect_status 0 "skt -u -l"
expect_file "$tmp/listener.out" "from ncat" "skt -u -l printed ncat's datagram"
expect_one_line "$tmp/listener.err" "^listening on 127\\.0\\.0\\.1:$port\$" \
    "skt -u -l's stderr: its port-0 line only"
exit 0
