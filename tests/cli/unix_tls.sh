#!/bin/sh
# -U --tls: TLS over a Unix stream socket. The client verifies the
# server's certificate against --sni NAME (a Unix socket has no host
# name), or with --insecure not at all, with a warning; a wrong name is
# refused with exit status 3. The listener (-U -l --tls --cert --key)
# serves openssl s_client and Python's ssl over the socket, -e included.
# Peers: Python's ssl, openssl s_client -unix. Run by
# CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
make_certs
printf 'hello unix tls\n' >"$tmp/input"

# unix_server NAME CERT: Python's ssl on $tmp/NAME.sock with CERT (and
# server.key), one client, whose line it answers reversed before it
# reads to the client's close; as $pid.
# (openssl s_server -unix cannot print its address and gives up.)
need_python ssl
cat >"$tmp/unix_tls_server.py" <<'PY'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen()
conn, _ = server.accept()
conn.settimeout(5)
try:
    s = ctx.wrap_socket(conn, server_side=True)
except (ssl.SSLError, OSError) as e:
    print("handshake failed: %s" % e, flush=True)
    sys.exit(0)
data = b""
while not data.endswith(b"\n"):
    data += s.recv(100)
s.sendall(data.rstrip(b"\n")[::-1] + b"\n")
while s.recv(100):
    pass
s.close()
PY
unix_server() {
    rm -f "$tmp/$1.sock"
    start "$1" "$python" "$tmp/unix_tls_server.py" "$tmp/$1.sock" \
        "$certs/$2" "$certs/server.key"
    wait_until 5 test -S "$tmp/$1.sock" || fail "$1 made no socket"
}

# The client, verified against --sni localhost.
unix_server good server.pem
good=$pid
run 10 client skt_with "$tmp/input" -v -U --tls --cafile "$certs/ca.pem" \
    --sni localhost "$tmp/good.sock"
expect_status 0 "-U --tls --sni localhost"
expect_file "$tmp/client.out" "slt xinu olleh" "the reversed answer"
expect_line "$tmp/client.err" '^skt: verification: ok$' "-v: verified"
expect_line "$tmp/client.err" '^skt: TLS: TLSv1\.3, cipher ' "-v: the session"
wait_exit "$good" 5

# A name the certificate does not have: refused, exit status 3.
unix_server bad server.pem
bad=$pid
run 10 client skt_with "$tmp/input" -U --tls --cafile "$certs/ca.pem" \
    --sni wrong.example "$tmp/bad.sock"
expect_status 3 "-U --tls --sni wrong.example"
expect_one_line "$tmp/client.err" "hostname mismatch" "the wrong name's line"
expect_empty "$tmp/client.out" "the refused connection's stdout"
wait_exit "$bad" 5
expect_line "$tmp/bad.out" "^handshake failed" "the server saw the refusal"

# --insecure: no verification, and a warning.
unix_server insecure self-signed.pem
insecure=$pid
run 10 client skt_with "$tmp/input" -U --tls --insecure \
    "$tmp/insecure.sock"
expect_status 0 "-U --tls --insecure"
expect_file "$tmp/client.out" "slt xinu olleh" "--insecure: the answer"
expect_one_line "$tmp/client.err" '^skt: warning: --insecure' \
    "--insecure's warning"
wait_exit "$insecure" 5

# The listener, for s_client; the socket file is gone afterwards.
# shellcheck disable=SC2016 # expanded by the inner shell
start listener sh -c 'exec "$0" -v -U -l --tls --cert "$1" --key "$2" \
    --recv-only "$3"' "$skt" "$certs/server.pem" "$certs/server.key" \
    "$tmp/listen.sock"
listener=$pid
wait_until 5 test -S "$tmp/listen.sock" || fail "skt -U -l --tls: no socket"
run 10 s_client sh -c 'exec openssl s_client -unix "$0" -CAfile "$1" \
    -verify_return_error -servername localhost <"$2"' "$tmp/listen.sock" \
    "$certs/ca.pem" "$tmp/input"
expect_status 0 "s_client -unix"
wait_exit "$listener" 5
expect_status 0 "skt -U -l --tls"
expect_file "$tmp/listener.out" "hello unix tls" "skt -U -l --tls printed"
want='^skt: TLS: TLSv1\.3, cipher TLS_[A-Z0-9_]+, ALPN none$'
expect_line "$tmp/listener.err" "$want" "-v: the listener's session"
[ ! -e "$tmp/listen.sock" ] || fail "skt -U -l --tls left its socket file"

# -k -e /bin/cat over TLS on a Unix socket, for Python's ssl: an echo.
cat >"$tmp/unix_tls_client.py" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
raw.settimeout(5)
raw.connect(sys.argv[1])
s = ctx.wrap_socket(raw, server_hostname="localhost")
s.sendall(sys.argv[3].encode() + b"\n")
print("received %r" % s.recv(100), flush=True)
s.close()
PY
start echo "$skt" -U -l -k --tls --cert "$certs/server.pem" \
    --key "$certs/server.key" -e /bin/cat "$tmp/echo.sock"
echo=$pid
wait_until 5 test -S "$tmp/echo.sock" || fail "skt -U -l -k --tls: no socket"
for i in 1 2; do
    run 10 "py$i" "$python" "$tmp/unix_tls_client.py" "$tmp/echo.sock" \
        "$certs/ca.pem" "echo $i"
    expect_status 0 "Python's ssl over the Unix socket, client $i"
    expect_file "$tmp/py$i.out" "received b'echo $i\\n'" "the echo to $i"
done
kill -TERM "$echo"
wait_exit "$echo" 5
expect_status 143 "skt -U -l -k --tls after SIGTERM"
[ ! -e "$tmp/echo.sock" ] || fail "SIGTERM left the socket file"
exit 0
