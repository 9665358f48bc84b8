#!/bin/sh
# The options that shape a connection's data, against a Python peer that
# reports what it saw: -C sends CRLF; --send-only exits at stdin's end
# without reading (the peer's answer is not printed); --recv-only never
# reads stdin and does not half-close; --no-shutdown keeps the write side
# open after stdin's end and exits when the peer closes. Run by CTest as:
# sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"

printf 'one\ntwo\r\nthree\n' >"$tmp/lines"

start_peer peer record
run 10 crlf skt_with "$tmp/lines" -C 127.0.0.1 "$port"
expect_status 0 "-C"
wait_exit "$pid" 5
want="^got b'one\\\\r\\\\ntwo\\\\r\\\\nthree\\\\r\\\\n'\$"
expect_line "$tmp/peer.out" "$want" "-C: the peer got CRLF lines"

start_peer peer hold reply
peer=$pid
begin=$(now)
run 10 send skt_with "$tmp/lines" --send-only 127.0.0.1 "$port"
elapsed_since "$begin"
expect_status 0 "--send-only"
expect_empty "$tmp/send.out" "--send-only printed"
between "$elapsed" 0 1.5 "--send-only waited for the peer"
wait_exit "$peer" 5
expect_line "$tmp/peer.out" "^got b'one\\\\ntwo\\\\r\\\\nthree\\\\n'\$" \
    "--send-only: the peer got the lines"

start_peer peer greet hello
run 10 recv skt_with "$tmp/lines" --recv-only 127.0.0.1 "$port"
expect_status 0 "--recv-only"
expect_file "$tmp/recv.out" hello "--recv-only printed"
expect_line "$tmp/peer.out" "^got b''\$" "--recv-only sent stdin"
expect_line "$tmp/peer.out" "^open\$" "--recv-only half-closed"

start_peer peer noeof bye
run 10 open skt_with "$tmp/lines" --no-shutdown 127.0.0.1 "$port"
expect_status 0 "--no-shutdown"
expect_file "$tmp/open.out" bye "--no-shutdown printed"
expect_line "$tmp/peer.out" "^open\$" "--no-shutdown half-closed"

# The default, for comparison: the peer sees the end of the data.
start_peer peer noeof bye
run 10 default skt_with "$tmp/lines" 127.0.0.1 "$port"
expect_status 0 "the default"
expect_line "$tmp/peer.out" "^eof\$" "no half-close by default"
exit 0
