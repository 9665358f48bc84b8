#!/bin/sh
# skt send and skt recv: a 100 MiB file arrives whole (sha256sum agrees),
# whichever side listens, and over TLS; the receiver keeps only the base
# name of the name sent, refuses to overwrite a file without -f, and exits
# 5, keeping nothing, when the SHA-256 or the size does not match (a
# Python sender that speaks the wire format on its own, with a wrong
# digest or half the data). --progress draws the bar on a stderr that is
# not a terminal and erases it; -v leaves the summary line. Run by CTest
# as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need sha256sum
need_python hashlib
xfer=$(dirname "$0")/lib/xfer.py

mkdir "$tmp/data" "$tmp/in"
head -c 104857600 /dev/urandom >"$tmp/data/big.bin"
digest=$(sha256sum <"$tmp/data/big.bin")

# same FILE WHAT: FILE is big.bin, byte for byte.
same() {
    [ "$(sha256sum <"$1")" = "$digest" ] || fail "$2: the SHA-256 differs"
}

# recv listens, send connects; -v on both, --progress on the sender.
listen_with recv /dev/null recv -v -l 127.0.0.1 0 "$tmp/in"
recv=$pid
run 30 send "$skt" send -v --progress 127.0.0.1 "$port" \
    "$tmp/data/big.bin"
expect_status 0 "skt send"
wait_exit "$recv" 10
expect_status 0 "skt recv -l"
same "$tmp/in/big.bin" "recv -l"
[ "$(find "$tmp/in" -name '.*skt-*' | wc -l)" -eq 0 ] ||
    fail "a temporary file was left"
expect_line "$tmp/recv.err" '^skt: received .*/in/big\.bin: 100\.0 MiB in ' \
    "recv -v: the summary"
# The bar was drawn and erased, then the summary line written.
grep -q "$(printf '\r')" "$tmp/send.err" || fail "--progress drew nothing"
grep -q '100\.0 MiB  .*ETA' "$tmp/send.err" || fail "no bar with a total"
want="$(printf '\033')\\[K.*skt: sent big\\.bin: 100\\.0 MiB in "
expect_line "$tmp/send.err" "$want" \
    "--progress -v: the bar replaced by the summary"

# The file exists now: refused without -f (1), overwritten with it.
listen_with again /dev/null recv -l 127.0.0.1 0 "$tmp/in"
again=$pid
run 30 send "$skt" send 127.0.0.1 "$port" "$tmp/data/big.bin"
wait_exit "$again" 10
expect_status 1 "recv over an existing file"
expect_line "$tmp/again.err" "in/big\\.bin exists; -f overwrites it" \
    "recv over an existing file: the reason"
listen_with force /dev/null recv -f -l 127.0.0.1 0 "$tmp/in"
force=$pid
run 30 send "$skt" send 127.0.0.1 "$port" "$tmp/data/big.bin"
wait_exit "$force" 10
expect_status 0 "recv -f"

# send listens, recv connects, over TLS; DEST names the file.
make_certs
listen_with tls_send /dev/null send -l --tls --cert "$certs/server.pem" \
    --key "$certs/server.key" 127.0.0.1 0 "$tmp/data/big.bin"
tls_send=$pid
run 30 tls_recv "$skt" recv --tls --cafile "$certs/ca.pem" localhost \
    "$port" "$tmp/in/copy.bin"
expect_status 0 "recv over TLS"
wait_exit "$tls_send" 10
expect_status 0 "send -l over TLS"
same "$tmp/in/copy.bin" "over TLS"
expect_empty "$tmp/tls_recv.err" "recv without -v or a terminal"

# A Python sender: the name's directories are dropped.
cd "$tmp/in" || fail "no $tmp/in"
xfer_to_recv() {
    listen_with bad /dev/null recv -l 127.0.0.1 0
    bad=$pid
    run 10 sender "$python" "$xfer" send "$port" "$@"
    wait_exit "$bad" 10
}
xfer_to_recv ../../escape.txt 1000 good
expect_status 0 "recv from Python"
[ -f "$tmp/in/escape.txt" ] || fail "the base name was not kept"
[ ! -e "$tmp/escape.txt" ] || fail "the name escaped its directory"

# A wrong SHA-256, then half the data: status 5, and nothing kept.
xfer_to_recv digest.bin 5000 bad-digest
expect_status 5 "a wrong SHA-256"
want='^skt: recv: digest\.bin: SHA-256 mismatch: sent 0{64}, '
expect_line "$tmp/bad.err" "${want}received [0-9a-f]{64}; not kept\$" \
    "a wrong SHA-256: the reason"
xfer_to_recv short.bin 5000 truncated
expect_status 5 "half the data"
want='^skt: recv: short\.bin: the sender closed after 2500 of 5000 '
expect_line "$tmp/bad.err" "${want}bytes; not kept\$" \
    "half the data: the reason"
xfer_to_recv magic.bin 10 bad-magic
expect_status 1 "no magic"
expect_line "$tmp/bad.err" 'not a skt send stream: no SKTF magic' \
    "no magic: the reason"
for name in digest.bin short.bin magic.bin; do
    [ ! -e "$tmp/in/$name" ] || fail "$name was kept"
done
[ "$(find "$tmp/in" -name '.*skt-*' | wc -l)" -eq 0 ] ||
    fail "a temporary file was left after a failure"
exit 0
