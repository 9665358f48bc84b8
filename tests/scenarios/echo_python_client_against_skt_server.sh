#!/bin/sh
# Scenario: Python's socket module, as a client, gets exact echoes from the
# skt echo-server (short messages, an empty one, and one of 100000 bytes,
# which takes many recv and send calls); the server prints its three lines
# and exits 0 after the connection (SKT_EXAMPLE_ONCE=1).
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
start server env SKT_EXAMPLE_ONCE=1 "$examples/echo-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}
case $address in
127.0.0.1:[1-9]*) ;;
*) fail "listening on \"$address\", expected 127.0.0.1:PORT with PORT > 0" ;;
esac

big=$(head -c 100000 /dev/zero | tr '\0' x)
run 15 client "$python" "$peers/echo_client.py" 127.0.0.1 "$port" hello \
    "two words" "" "$big"
[ "$status" -eq 0 ] || fail "echo_client.py exited $status"
printf 'received "%s"\n' hello "two words" "" "$big" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong echoes"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "echo-server exited $status"
[ ! -s "$tmp/server.err" ] || fail "echo-server wrote to stderr"
peer=$(sed -n 's/^connected by //p' "$tmp/server.out")
case $peer in
127.0.0.1:[1-9]*) ;;
*) fail "connected by \"$peer\", expected 127.0.0.1:PORT" ;;
esac
printf 'listening on %s\nconnected by %s\nclosed %s\n' \
    "$address" "$peer" "$peer" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/server.out" || fail "wrong server output"
exit 0
