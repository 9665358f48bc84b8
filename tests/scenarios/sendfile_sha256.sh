#!/bin/sh
# Scenario: sendfile-server serves a 5 MiB file of random bytes with
# skt_sendfile; sendfile-client receives it, checks the SHA-256 the server
# announced, writes a copy byte-identical to the original, and says so;
# the server logs the client and the bytes sent. Then a server that lies
# about the digest (Python, when there is one) makes the client fail with
# exit 1 and "MISMATCH".
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skt-scenario.XXXXXX") || exit 1
pids=
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.out "$tmp"/*.err; do
        [ -f "$f" ] || continue
        echo "--- ${f##*/}:" >&2
        head -c 2000 "$f" >&2
    done
    exit 1
}

wait_exit() {
    n=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null; do
        [ "$n" -gt 0 ] || { kill "$1"; fail "pid $1 still running after $2 s"; }
        n=$((n - 1))
        sleep 0.1
    done
    wait "$1"
    status=$?
}

wait_listening() {
    n=50
    while :; do
        address=$(sed -n 's/^listening on //p' "$1")
        [ -n "$address" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before listening"
        [ "$n" -gt 0 ] || fail "no \"listening on\" line within 5 s"
        n=$((n - 1))
        sleep 0.1
    done
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        python3 -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
    fi
}

head -c 5242880 /dev/urandom >"$tmp/file"
digest=$(sha256 "$tmp/file")
[ ${#digest} -eq 64 ] || {
    echo "SKIP: no way to compute a SHA-256 (sha256sum or python3)" >&2
    exit 77
}

SKT_EXAMPLE_ONCE=1 "$examples/sendfile-server" 127.0.0.1 0 "$tmp/file" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}
"$examples/sendfile-client" 127.0.0.1 "$port" "$tmp/copy" \
    >"$tmp/client.out" 2>"$tmp/client.err"
status=$?
[ "$status" -eq 0 ] || fail "sendfile-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "sendfile-client wrote to stderr"
printf 'received 5242880 bytes, sha256 %s: ok\n' "$digest" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong client output"
cmp -s "$tmp/file" "$tmp/copy" || fail "the copy differs from the file"

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
n=50
until [ -s "$tmp/liar.out" ]; do
    [ "$n" -gt 0 ] || fail "the Python server did not start"
    n=$((n - 1))
    sleep 0.1
done
"$examples/sendfile-client" 127.0.0.1 "$(cat "$tmp/liar.out")" \
    >"$tmp/client2.out" 2>"$tmp/client2.err"
status=$?
[ "$status" -eq 1 ] || fail "sendfile-client exited $status on a bad digest"
grep -q '^received 5 bytes, sha256 [0-9a-f]*: MISMATCH' "$tmp/client2.out" ||
    fail "no MISMATCH line"
wait_exit "$liar" 10
exit 0
