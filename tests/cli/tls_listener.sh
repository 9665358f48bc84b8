#!/bin/sh
# -l --tls with --cert and --key, against `openssl s_client`, ncat --ssl
# (verifying us with --ssl-verify) and Python's ssl. -v shows the session
# and the client's certificate; --verify-client refuses a client without
# one (exit status 3, and a line saying why) and takes one signed by
# --cafile. Over TLS, -e's program talks through a socket pair that skt
# pumps, and the close is a clean close_notify. Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
make_certs
key="--cert $certs/server.pem --key $certs/server.key"
printf 'from the client\n' >"$tmp/input"

# s_client sends, then its close_notify ends the connection.
# shellcheck disable=SC2086 # $key is two options
listen_skt server /dev/null -v --recv-only --tls $key --alpn h2 \
    127.0.0.1 0
server=$pid
run 10 client sh -c 'exec openssl s_client -connect "127.0.0.1:$0" \
    -CAfile "$1" -verify_return_error -servername localhost -alpn h2 \
    <"$2"' "$port" "$certs/ca.pem" "$tmp/input"
expect_status 0 "s_client"
wait_exit "$server" 5
expect_status 0 "skt -l --tls"
expect_file "$tmp/server.out" "from the client" "skt -l --tls printed"
want='^skt: TLS: TLSv1\.3, cipher TLS_[A-Z0-9_]+, ALPN h2$'
expect_line "$tmp/server.err" "$want" "-v: the session"
expect_line "$tmp/server.err" '^skt: peer certificate: none presented$' \
    "-v: no client certificate"

# ncat --ssl-verify receives skt's stdin, then the clean close.
printf 'from skt\n' >"$tmp/skt-input"
# shellcheck disable=SC2086
listen_skt server "$tmp/skt-input" --tls $key 127.0.0.1 0
server=$pid
run 10 ncat ncat --recv-only --ssl --ssl-verify --ssl-trustfile \
    "$certs/ca.pem" localhost "$port"
expect_status 0 "ncat --ssl-verify"
expect_file "$tmp/ncat.out" "from skt" "ncat printed"
wait_exit "$server" 5
expect_status 0 "skt -l --tls for ncat"

# --verify-client: without a certificate, refused (3); with one, let in.
# shellcheck disable=SC2086
listen_skt server /dev/null --recv-only --tls $key --verify-client \
    --cafile "$certs/ca.pem" 127.0.0.1 0
server=$pid
run 10 client sh -c 'exec openssl s_client -connect "127.0.0.1:$0" \
    -CAfile "$1" -servername localhost <"$2"' "$port" "$certs/ca.pem" \
    "$tmp/input"
wait_exit "$server" 5
expect_status 3 "--verify-client without a client certificate"
want='^skt: TLS handshake with 127\.0\.0\.1:[0-9]+: .*certificate'
expect_line "$tmp/server.err" "$want" "--verify-client: the reason"
expect_empty "$tmp/server.out" "--verify-client printed data"
# shellcheck disable=SC2086
listen_skt server /dev/null -v --recv-only --tls $key --verify-client \
    --cafile "$certs/ca.pem" 127.0.0.1 0
server=$pid
run 10 client sh -c 'exec openssl s_client -connect "127.0.0.1:$0" \
    -CAfile "$1" -servername localhost -cert "$2" -key "$3" <"$4"' \
    "$port" "$certs/ca.pem" "$certs/client.pem" "$certs/client.key" \
    "$tmp/input"
wait_exit "$server" 5
expect_status 0 "--verify-client with a client certificate"
expect_file "$tmp/server.out" "from the client" "mutual TLS: printed"
want='^skt: peer certificate: subject CN=skt test client, '
expect_line "$tmp/server.err" "${want}issuer CN=skt test CA, " \
    "-v: the client's certificate"

# Python's ssl against -e /bin/cat over TLS: echoes, then a clean close.
need_python ssl
# shellcheck disable=SC2086
listen_skt server /dev/null --tls $key -e /bin/cat 127.0.0.1 0
server=$pid
run 10 client "$python" "$peers/tls_client.py" --port "$port" \
    --cafile "$certs/ca.pem" one two
expect_status 0 "Python's ssl client"
expect_line "$tmp/client.out" '^received "one"$' "the echo of one"
expect_line "$tmp/client.out" '^received "two"$' "the echo of two"
expect_line "$tmp/client.out" '^clean close$' "the clean close"
wait_exit "$server" 5
expect_status 0 "skt -l --tls -e /bin/cat"
exit 0
