#!/bin/sh
# Connect mode, the peer closing first while skt's stdin is still open (a
# FIFO the test holds open for writing): as nc and ncat do, the peer's
# close ends the session, and skt exits 0 at once, having printed what
# the peer sent and without half-closing (its stdin has not ended).
# Peers: ncat --send-only (plain and --ssl, whose close is a
# close_notify) and Python's socket. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
make_certs
printf 'from ncat\n' >"$tmp/ncat-input"

# held NAME WHAT ARGUMENT...: skt ARGUMENT... as NAME, its stdin a FIFO
# held open until skt has exited, which it must do within 2 s of the
# start; sets $status and $elapsed.
held() {
    held_name=$1
    held_what=$2
    shift 2
    rm -f "$tmp/stdin"
    open_fifo stdin
    begin=$(now)
    start "$held_name" skt_with "$tmp/stdin" "$@"
    held_pid=$pid
    exec 3>"$tmp/stdin"
    wait_until 5 eval "! kill -0 $held_pid 2>/dev/null"
    elapsed_since "$begin"
    exec 3>&-
    wait_exit "$held_pid" 1
    expect_status 0 "$held_what"
    between "$elapsed" 0 2 "$held_what: the time to exit"
    expect_empty "$tmp/$held_name.err" "$held_what: stderr"
}

# ncat sends its stdin and closes.
free_port
start ncat sh -c 'exec ncat -l --send-only 127.0.0.1 "$0" <"$1"' \
    "$port" "$tmp/ncat-input"
ncat=$pid
wait_port t "$port" "$ncat"
held client "ncat's close, stdin open" 127.0.0.1 "$port"
expect_file "$tmp/client.out" "from ncat" "what ncat sent"
wait_exit "$ncat" 5
expect_status 0 "ncat -l --send-only"

# The same over TLS: ncat's close_notify ends skt.
free_port
start ncat sh -c 'exec ncat -l --ssl --ssl-cert "$2" --ssl-key "$3" \
    --send-only 127.0.0.1 "$0" <"$1"' "$port" "$tmp/ncat-input" \
    "$certs/server.pem" "$certs/server.key"
ncat=$pid
wait_port t "$port" "$ncat"
held client "ncat --ssl's close, stdin open" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_file "$tmp/client.out" "from ncat" "what ncat --ssl sent"
wait_exit "$ncat" 5
expect_status 0 "ncat -l --ssl --send-only"

# Python greets, reads for 0.5 s and closes: skt's write side was still
# open when it closed (no half-close before stdin's end).
start_peer peer greet hello
peer=$pid
held client "Python's close, stdin open" 127.0.0.1 "$port"
expect_file "$tmp/client.out" "hello" "what Python sent"
wait_exit "$peer" 5
expect_line "$tmp/peer.out" '^open$' "skt half-closed before stdin's end"
exit 0
