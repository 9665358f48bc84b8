#!/bin/sh
# Scenario: the tls-client example against `openssl s_server -www`. With
# --cafile it prints the session ("connected to ... with TLSv1.3, ..."),
# the certificate subject and the HTTP response head, with nothing on
# stderr, and exits 0. Without it the test CA is trusted nowhere (the
# system store is pointed away): exit status 1, and stderr names the
# reason ("unable to get local issuer certificate") and the code's text.
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

make_certs
openssl s_server -accept 0 -naccept 2 -cert "$certs/server.pem" \
    -key "$certs/server.key" -www >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
wait_line "$tmp/server.out" "$server" '^ACCEPT .*:\([0-9]*\)$'
port=$line

"$examples/tls-client" localhost "$port" --cafile "$certs/ca.pem" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 0 ] || fail "tls-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "tls-client wrote to stderr"
grep -q "^connected to .*:$port with TLSv1.3, TLS_" "$tmp/client.out" ||
    fail "no session line"
grep -qx "peer certificate subject: CN=localhost" "$tmp/client.out" ||
    fail "no certificate subject"
grep -qx "HTTP/1.0 200 ok" "$tmp/client.out" || fail "no status line"
grep -qx "Content-type: text/html" "$tmp/client.out" || fail "no header"
grep -q "<HTML>" "$tmp/client.out" && fail "the body was printed"

SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent \
    "$examples/tls-client" localhost "$port" \
    >"$tmp/untrusted.out" 2>"$tmp/untrusted.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
[ "$status" -eq 1 ] || fail "untrusted tls-client exited $status, not 1"
[ ! -s "$tmp/untrusted.out" ] || fail "untrusted tls-client wrote to stdout"
reason="unable to get local issuer certificate"
message="TLS certificate issued by an unknown CA"
grep -q "^tls-client: TLS handshake with .*(server name localhost): " \
    "$tmp/untrusted.err" || fail "no handshake failure for the untrusted"
grep -q ": .*$reason.*: $message\$" "$tmp/untrusted.err" ||
    fail "wrong reason for the untrusted server"

wait_exit "$server" 5
exit 0
