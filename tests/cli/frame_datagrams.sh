#!/bin/sh
# -u --frame KIND: each line of stdin is one message in a datagram of its
# own, and each datagram received holds whole messages, printed one a
# line; against a Python peer that frames with struct and checks that
# every datagram is exactly one message. The listener hears a datagram
# that is not whole messages out with a line saying so and goes on. Run
# by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python struct
frames=$(dirname "$0")/lib/dgram_frames.py
printf 'one\ntwo\nthree four\n' >"$tmp/lines"

# The client, each kind: three datagrams out, three answers printed.
for kind in len1 len2 len4 len8 line crlf; do
    rm -f "$tmp/peer.out"
    start peer "$python" "$frames" server "$kind" 3
    peer=$pid
    wait_listening "$tmp/peer.out" "$peer"
    run 10 client skt_with "$tmp/lines" -u --frame "$kind" -i 0.5 \
        127.0.0.1 "${address##*:}"
    expect_status 0 "-u --frame $kind"
    expect_file "$tmp/client.out" "$(printf 'ONE\nTWO\nTHREE FOUR')" \
        "-u --frame $kind: the answers"
    expect_empty "$tmp/client.err" "-u --frame $kind: stderr"
    wait_exit "$peer" 5
    expect_status 0 "-u --frame $kind: the peer (each datagram one message)"
    expect_line "$tmp/peer.out" "^got \\[b'one', b'two', b'three four'\\]\$" \
        "-u --frame $kind: the messages sent"
done

# fixed:3, and a line of another length: exit 1, nothing of it sent.
printf 'abc\nlonger\n' >"$tmp/wrong"
rm -f "$tmp/peer.out"
start peer "$python" "$frames" server fixed:3 1
peer=$pid
wait_listening "$tmp/peer.out" "$peer"
run 10 client skt_with "$tmp/wrong" -u --frame fixed:3 -i 0.5 127.0.0.1 \
    "${address##*:}"
expect_status 1 "-u --frame fixed:3 with a line of 6 bytes"
expect_one_line "$tmp/client.err" \
    '^skt: --frame fixed:3: a line of 6 bytes \(not sent\)$' \
    "-u --frame fixed:3: the reason"
wait_exit "$peer" 5
expect_line "$tmp/peer.out" "^got \\[b'abc'\\]\$" "only the first line went"

# The listener: the peer's two messages printed, the broken datagram
# named and ignored, stdin's lines sent back to the peer.
printf 'back\nagain\n' >"$tmp/answer"
listen_skt listener "$tmp/answer" -u --frame len2 127.0.0.1 0
listener=$pid
run 10 peer "$python" "$frames" client len2 "$port" hello world
expect_line "$tmp/peer.out" "^got \\[b'back', b'again'\\]\$" \
    "the listener's framed answers"
wait_exit "$listener" 5
expect_status 0 "skt -u -l --frame len2"
expect_file "$tmp/listener.out" "$(printf 'hello\nworld')" \
    "the listener printed each message"
expect_line "$tmp/listener.err" \
    "^skt: --frame: a datagram of 7 bytes that is not whole messages \\(datagram ignored\\)\$" \
    "the broken datagram's line"
exit 0
