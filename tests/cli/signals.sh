#!/bin/sh
# Signals: SIGINT and SIGTERM end skt with 128 + N, whether it waits for a
# client, serves one, or runs -e programs (which are ended and reaped
# first). SIGPIPE never kills it: a reader of stdout that goes away ends
# the connection quietly, with status 0. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat

# Waiting for a client.
listen_skt waiting /dev/null 127.0.0.1 0
kill -INT "$pid"
wait_exit "$pid" 5
expect_status 130 "SIGINT while waiting for a client"
listen_skt waiting /dev/null 127.0.0.1 0
kill -TERM "$pid"
wait_exit "$pid" 5
expect_status 143 "SIGTERM while waiting for a client"

# -k -c with two clients: their programs are ended and reaped.
listen_skt programs /dev/null -k 127.0.0.1 0 \
    -c "echo \$\$ >>$tmp/children; exec sleep 30"
programs=$pid
start first socat -u "TCP:127.0.0.1:$port" -
start second socat -u "TCP:127.0.0.1:$port" -
wait_until 5 eval "[ \"\$(wc -l <'$tmp/children' 2>/dev/null)\" = 2 ]" ||
    fail "the two programs did not start"
kill -TERM "$programs"
wait_exit "$programs" 5
expect_status 143 "SIGTERM with -e programs"
while read -r child; do
    ! kill -0 "$child" 2>/dev/null || fail "program $child outlived skt"
done <"$tmp/children"

# A connection: SIGTERM while it is open.
free_port
start server socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
    "SYSTEM:sleep 30"
server=$pid
wait_port t "$port" "$server"
start client "$skt" 127.0.0.1 "$port"
client=$pid
sleep 0.3
kill -TERM "$client"
wait_exit "$client" 5
expect_status 143 "SIGTERM on a connection"
stop "$server"

# SIGPIPE: stdout's reader takes 10 bytes of megabytes and leaves.
free_port
start server socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
    "SYSTEM:head -c 50000000 /dev/zero"
server=$pid
wait_port t "$port" "$server"
run 10 pipe sh -c '"$0" 127.0.0.1 "$1" </dev/null; echo $? >"$2"' \
    "$skt" "$port" "$tmp/status" | head -c 10 >/dev/null
wait_until 5 test -s "$tmp/status" || fail "no status from skt"
[ "$(cat "$tmp/status")" = 0 ] ||
    fail "skt with a closed stdout exited $(cat "$tmp/status"), not 0"
expect_empty "$tmp/pipe.err" "skt with a closed stdout: stderr"
stop "$server"
exit 0
