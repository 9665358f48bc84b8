#!/bin/sh
# Scenario: the tls-client example against `openssl s_server -www`. With
# --cafile it prints the session ("connected to ... with TLSv1.3, ..."),
# the certificate subject and the HTTP response head, with nothing on
# stderr, and exits 0. Without it the test CA is trusted nowhere (the
# system store is pointed away): exit status 1, and stderr names the
# reason ("unable to get local issuer certificate") and the code's text.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

make_certs "$peers"
start server openssl s_server -accept 0 -naccept 2 \
    -cert "$certs/server.pem" -key "$certs/server.key" -www
server=$pid
wait_line "$tmp/server.out" "$server" '^ACCEPT .*:\([0-9]*\)$'
port=$line

run 15 client "$examples/tls-client" localhost "$port" \
    --cafile "$certs/ca.pem"
[ "$status" -eq 0 ] || fail "tls-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "tls-client wrote to stderr"
grep -q "^connected to .*:$port with TLSv1.3, TLS_" "$tmp/client.out" ||
    fail "no session line"
grep -qx "peer certificate subject: CN=localhost" "$tmp/client.out" ||
    fail "no certificate subject"
grep -qx "HTTP/1.0 200 ok" "$tmp/client.out" || fail "no status line"
grep -qx "Content-type: text/html" "$tmp/client.out" || fail "no header"
grep -q "<HTML>" "$tmp/client.out" && fail "the body was printed"

run 15 untrusted env SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent \
    "$examples/tls-client" localhost "$port"
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
