#!/bin/sh
# Scenario: sendfile-server serves a 5 MiB file of random bytes with
# skt_sendfile; sendfile-client receives it, checks the SHA-256 the server
# announced, writes a copy byte-identical to the original, and says so;
# the server logs the client and the bytes sent. Then a server that lies
# about the digest (Python, when there is one) makes the client fail with
# exit 1 and "MISMATCH".
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# sha256 FILE: prints the SHA-256 of FILE in hex.
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        python3 -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
    fi
}

# The data are kept in a subdirectory, out of what fail prints.
data=$tmp/data
mkdir "$data"
head -c 5242880 /dev/urandom >"$data/file"
digest=$(sha256 "$data/file")
[ ${#digest} -eq 64 ] ||
    skip "no way to compute a SHA-256 (sha256sum or python3)"

start server env SKT_EXAMPLE_ONCE=1 "$examples/sendfile-server" 127.0.0.1 0 \
    "$data/file"
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}
"$examples/sendfile-client" 127.0.0.1 "$port" "$data/copy" \
    >"$tmp/client.out" 2>"$tmp/client.err"
status=$?
[ "$status" -eq 0 ] || fail "sendfile-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "sendfile-client wrote to stderr"
printf 'received 5242880 bytes, sha256 %s: ok\n' "$digest" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong client output"
cmp -s "$data/file" "$data/copy" || fail "the copy differs from the file"

wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "sendfile-server exited $status"
[ ! -s "$tmp/server.err" ] || fail "sendfile-server wrote to stderr"
peer=$(sed -n 's/^connected by //p' "$tmp/server.out")
printf 'listening on %s\nconnected by %s\nsent 5242880 bytes to %s\n' \
    "$address" "$peer" "$peer" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/server.out" || fail "wrong server output"

# A server that announces the wrong digest.
command -v python3 >/dev/null 2>&1 || exit 0
python3 - >"$tmp/liar.out" 2>"$tmp/liar.err" <<'PY' &
import socket
with socket.create_server(("127.0.0.1", 0)) as s:
    s.settimeout(10)
    print(s.getsockname()[1], flush=True)
    conn, _ = s.accept()
    with conn:
        conn.sendall(b"SKTF 5 " + b"0" * 64 + b"\nhello")
PY
liar=$!
pids="$pids $liar"
wait_until 5 test -s "$tmp/liar.out" || fail "the Python server did not start"
"$examples/sendfile-client" 127.0.0.1 "$(cat "$tmp/liar.out")" \
    >"$tmp/client2.out" 2>"$tmp/client2.err"
status=$?
[ "$status" -eq 1 ] || fail "sendfile-client exited $status on a bad digest"
grep -q '^received 5 bytes, sha256 [0-9a-f]*: MISMATCH' "$tmp/client2.out" ||
    fail "no MISMATCH line"
wait_exit "$liar" 10
exit 0
