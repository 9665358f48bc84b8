#!/bin/sh
# Scenario: the tls-echo-server example against clients that are not skt.
# A Python ssl client gets its messages back and a clean close (it demands
# the server's close_notify); a plaintext client fails its handshake,
# which the server reports on stderr before going on; `openssl s_client`
# then gets its line echoed with the certificate verified. The server's
# stdout shows "listening on", then "connected by ... (TLSv1.3, ...)" and
# "closed ..." for each connection.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python ssl
make_certs "$peers"
start server "$examples/tls-echo-server" 127.0.0.1 0 "$certs/server.pem" \
    "$certs/server.key"
server=$pid
wait_line "$tmp/server.out" "$server" '^listening on 127.0.0.1:\([0-9]*\)$'
port=$line

run 15 python "$python" "$peers/tls_client.py" --port "$port" \
    --cafile "$certs/ca.pem" --timeout 15 hello "two words"
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
failed="^tls-echo-server: TLS handshake with 127.0.0.1:.*: TLS handshake failed"
wait_until 5 grep -q "$failed\$" "$tmp/server.err" ||
    fail "no handshake failure reported"

(printf 'ping over s_client\n'; sleep 1) |
    openssl s_client -quiet -no_ign_eof -connect "127.0.0.1:$port" \
        -servername localhost -CAfile "$certs/ca.pem" -verify_return_error \
        >"$tmp/s_client.out" 2>"$tmp/s_client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
grep -qx "ping over s_client" "$tmp/s_client.out" ||
    fail "s_client got no echo"

stop "$server"
[ "$(grep -c '^connected by 127.0.0.1:[0-9]* (TLSv1.3, TLS_' \
    "$tmp/server.out")" -eq 2 ] || fail "not two TLS connections"
[ "$(grep -c '^closed 127.0.0.1:' "$tmp/server.out")" -eq 3 ] ||
    fail "not three connections closed"
exit 0
