#!/bin/sh
# Scenario: the tls-client example against an HTTPS server written with
# Python's ssl module, addressed by IP (so no SNI goes out and the
# certificate's IP entry is what is checked): it prints the session, the
# certificate subject and the response head, and exits 0; the Python
# server exits 0 too.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python ssl
make_certs "$peers"
start server "$python" "$peers/tls_server.py" --http --timeout 15 \
    --cert "$certs/server.pem" --key "$certs/server.key"
server=$pid
wait_line "$tmp/server.out" "$server" '^listening on 127.0.0.1:\([0-9]*\)$'
port=$line

run 15 client "$examples/tls-client" 127.0.0.1 "$port" \
    --cafile "$certs/ca.pem"
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
