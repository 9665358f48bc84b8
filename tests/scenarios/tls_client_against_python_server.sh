#!/bin/sh
# Scenario: the tls-client example against an HTTPS server written with
# Python's ssl module, addressed by IP (so no SNI goes out and the
# certificate's IP entry is what is checked): it prints the session, the
# certificate subject and the response head, and exits 0; the Python
# server exits 0 too.
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
"$python" "$peers/tls_server.py" --http --timeout 15 \
    --cert "$certs/server.pem" --key "$certs/server.key" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_line "$tmp/server.out" "$server" '^listening on 127.0.0.1:\([0-9]*\)$'
port=$line

"$examples/tls-client" 127.0.0.1 "$port" --cafile "$certs/ca.pem" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 0 ] || fail "tls-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "tls-client wrote to stderr"
grep -q "^connected to 127.0.0.1:$port with TLSv1.3, TLS_" \
    "$tmp/client.out" || fail "no session line"
grep -qx "peer certificate subject: CN=localhost" "$tmp/client.out" ||
    fail "no certificate subject"
grep -qx "HTTP/1.0 200 OK" "$tmp/client.out" || fail "no status line"
grep -qx "Content-Type: text/plain" "$tmp/client.out" || fail "no header"
grep -q "hello from python" "$tmp/client.out" && fail "the body was printed"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "tls_server.py exited $status"
exit 0
