#!/bin/sh
# A request and its response over one connection, against Python's
# http.server: skt sends the request from stdin, stdin's end half-closes,
# and the whole response is printed before skt exits 0 (the server closes
# after it). With -C the request's bare LFs go out as CRLF. -v lists the
# address tried and the bytes moved. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python http.server

mkdir "$tmp/www"
printf 'hello www\n' >"$tmp/www/index.txt"
free_port
start server "$python" -m http.server --bind 127.0.0.1 \
    --directory "$tmp/www" "$port"
server=$pid
wait_port t "$port" "$server"

printf 'GET /index.txt HTTP/1.0\r\n\r\n' >"$tmp/request"
run 10 client skt_with "$tmp/request" -v 127.0.0.1 "$port"
expect_status 0 "skt GET"
head -n 1 "$tmp/client.out" | grep -q '^HTTP/1.0 200 OK' ||
    fail "no status line"
[ "$(tail -n 1 "$tmp/client.out")" = "hello www" ] || fail "no body"
want="^skt: 127\\.0\\.0\\.1:$port: connected \\([0-9.]+ ms\\)\$"
expect_line "$tmp/client.err" "$want" "-v: no connected address"
expect_line "$tmp/client.err" "^skt: sent 27 bytes, received [0-9]+ bytes\$" \
    "-v: no byte counts"

# -C: the same request written with bare LFs.
printf 'GET /index.txt HTTP/1.0\n\n' >"$tmp/request-lf"
run 10 crlf skt_with "$tmp/request-lf" -C 127.0.0.1 "$port"
expect_status 0 "skt -C GET"
[ "$(tail -n 1 "$tmp/crlf.out")" = "hello www" ] || fail "-C: no body"
expect_empty "$tmp/crlf.err" "skt -C's stderr"
exit 0
