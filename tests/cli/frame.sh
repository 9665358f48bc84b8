#!/bin/sh
# --frame KIND: each line of stdin goes out as one message and each
# message received comes out as one line, against a Python peer that
# frames with struct (len1, len2, len4, len8), delimiters (line, crlf) or
# a fixed size. fixed:N with a line of another length is an error naming
# the length (exit 1, nothing of that line sent); a message over
# --frame-max is an error naming its size. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python struct
frames=$(dirname "$0")/lib/frames.py

# framed KIND INPUT [big N]: skt --frame KIND $options against frames.py
# KIND [big N].
options=
framed() {
    kind=$1
    input=$2
    shift 2
    rm -f "$tmp/peer.out"
    start peer "$python" "$frames" "$kind" "$@"
    peer=$pid
    wait_listening "$tmp/peer.out" "$peer"
    # shellcheck disable=SC2086 # $options is a list
    run 10 client skt_with "$input" --frame "$kind" $options 127.0.0.1 \
        "${address##*:}"
    client_status=$status
    wait_exit "$peer" 5
    status=$client_status
}

printf 'one\ntwo\nthree four\n' >"$tmp/lines"
for kind in len1 len2 len4 len8 line crlf; do
    framed "$kind" "$tmp/lines"
    expect_status 0 "--frame $kind"
    expect_line "$tmp/peer.out" "^got \\[b'one', b'two', b'three four'\\]\$" \
        "--frame $kind: the messages sent"
    expect_file "$tmp/client.out" "$(printf 'ONE\nTWO\nTHREE FOUR')" \
        "--frame $kind: the messages received"
done

# fixed:3, and a last line without its newline.
printf 'abc\ndef\nghi' >"$tmp/fixed"
framed fixed:3 "$tmp/fixed"
expect_status 0 "--frame fixed:3"
expect_line "$tmp/peer.out" "^got \\[b'abc', b'def', b'ghi'\\]\$" \
    "--frame fixed:3: the messages sent"
expect_file "$tmp/client.out" "$(printf 'ABC\nDEF\nGHI')" \
    "--frame fixed:3: the messages received"

# A line of another length: exit 1, nothing of it sent.
printf 'abc\nlonger\nxyz\n' >"$tmp/wrong"
framed fixed:3 "$tmp/wrong"
expect_status 1 "--frame fixed:3 with a line of 6 bytes"
expect_one_line "$tmp/client.err" \
    '^skt: --frame fixed:3: a line of 6 bytes \(not sent\)$' \
    "--frame fixed:3: the reason"
expect_line "$tmp/peer.out" "^got \\[b'abc'\\]\$" "only the first line went"

# A message over --frame-max.
options="--frame-max 10"
framed len4 "$tmp/lines" big 100
expect_status 1 "a message of 100 bytes over --frame-max 10"
expect_one_line "$tmp/client.err" ' 100 bytes' \
    "--frame-max: the reason names the size"
exit 0
