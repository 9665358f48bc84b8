#!/bin/sh
# -x: both directions on stderr in xxd's layout, each line led by its
# direction (> sent, < received); the rest of each line is what xxd
# prints for the same bytes. The data itself is unchanged on stdout and
# on the wire. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need xxd
need socat

printf 'GET / HTTP/1.0\r\n\r\n\001\002\377 and some more text to wrap' \
    >"$tmp/data"
free_port
start server socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" EXEC:cat
wait_port t "$port" "$pid"
run 10 client skt_with "$tmp/data" -x 127.0.0.1 "$port"
expect_status 0 "skt -x"
cmp -s "$tmp/client.out" "$tmp/data" || fail "-x changed the data"
xxd "$tmp/data" >"$tmp/xxd.txt"
sed -n 's/^> //p' "$tmp/client.err" >"$tmp/sent.txt"
sed -n 's/^< //p' "$tmp/client.err" >"$tmp/received.txt"
cmp -s "$tmp/sent.txt" "$tmp/xxd.txt" || fail "the sent dump is not xxd's"
cmp -s "$tmp/received.txt" "$tmp/xxd.txt" ||
    fail "the received dump is not xxd's"
[ "$(grep -cv '^[<>] ' "$tmp/client.err")" -eq 0 ] ||
    fail "-x wrote other lines on stderr"
exit 0
