#!/bin/sh
# Scenario: the tls-echo-server example against clients that are not skt.
# A Python ssl client gets its messages back and a clean close (it demands
# the server's close_notify); a plaintext client fails its handshake,
# which the server reports on stderr before going on; `openssl s_client`
# then gets its line echoed with the certificate verified. The server's
# stdout shows "listening on", then "connected by ... (TLSv1.3, ...)" and
# "closed ..." for each connection.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
peers=$2
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

# fail REASON: prints the reason and every output captured, exits 1.
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*; do
        [ -f "$f" ] || continue
        echo "--- ${f##*/}:" >&2
        head -c 2000 "$f" >&2
    done
    exit 1
}

# wait_exit PID SECONDS: sets $status to the exit status of PID; kills it
# and fails if it is still running after SECONDS.
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

# wait_line FILE PID PATTERN: sets $line to the first line of FILE that
# matches the sed PATTERN (its \1), waiting up to 5 seconds for PID.
wait_line() {
    n=50
    while :; do
        line=$(sed -n "s/$3/\1/p" "$1" | head -n 1)
        [ -n "$line" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "pid $2 exited before printing $3"
        [ "$n" -gt 0 ] || fail "no line matching $3 within 5 s"
        n=$((n - 1))
        sleep 0.1
    done
}

# make_certs: the test certificates in $tmp/certs (skips without openssl).
make_certs() {
    command -v openssl >/dev/null 2>&1 || {
        echo "SKIP: the openssl command is not installed" >&2
        exit 77
    }
    mkdir "$tmp/certs"
    sh "$peers/make-certs.sh" "$tmp/certs" 2>"$tmp/make-certs.err" ||
        fail "make-certs.sh failed"
    certs=$tmp/certs
}

python=$(command -v python3) || python=/usr/bin/python3
"$python" -c 'import ssl' 2>/dev/null || {
    echo "SKIP: python3 with the ssl module is not installed" >&2
    exit 77
}
make_certs
"$examples/tls-echo-server" 127.0.0.1 0 "$certs/server.pem" \
    "$certs/server.key" >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_line "$tmp/server.out" "$server" '^listening on 127.0.0.1:\([0-9]*\)$'
port=$line

"$python" "$peers/tls_client.py" --port "$port" --cafile "$certs/ca.pem" \
    --timeout 15 hello "two words" >"$tmp/python.out" 2>"$tmp/python.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 0 ] || fail "tls_client.py exited $status"
printf '%s\n' 'received "hello"' 'received "two words"' \
    'version TLSv1.3' >"$tmp/expected"
head -n 3 "$tmp/python.out" | cmp -s "$tmp/expected" - ||
    fail "wrong echoes"
grep -qx "clean close" "$tmp/python.out" || fail "no close_notify from skt"

"$python" -c '
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10) as s:
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass  # the server closed with our request unread
' "$port" 2>"$tmp/plain.err" || fail "the plaintext client failed"
n=50
failed="^tls-echo-server: TLS handshake with 127.0.0.1:.*: TLS handshake failed"
until grep -q "$failed\$" "$tmp/server.err"; do
    [ "$n" -gt 0 ] || fail "no handshake failure reported"
    n=$((n - 1))
    sleep 0.1
done

(printf 'ping over s_client\n'; sleep 1) |
    openssl s_client -quiet -no_ign_eof -connect "127.0.0.1:$port" \
        -servername localhost -CAfile "$certs/ca.pem" -verify_return_error \
        >"$tmp/s_client.out" 2>"$tmp/s_client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
grep -qx "ping over s_client" "$tmp/s_client.out" ||
    fail "s_client got no echo"

kill "$server"
wait "$server" 2>/dev/null
[ "$(grep -c '^connected by 127.0.0.1:[0-9]* (TLSv1.3, TLS_' \
    "$tmp/server.out")" -eq 2 ] || fail "not two TLS connections"
[ "$(grep -c '^closed 127.0.0.1:' "$tmp/server.out")" -eq 3 ] ||
    fail "not three connections closed"
exit 0
