#!/bin/sh
# --cert/--key: a client certificate for a server that demands one,
# Python's ssl with verify_mode CERT_REQUIRED (tests/peers/tls_server.py
# --require-client-cert, trusting the test CA). With the certificate, the
# echo comes back and both sides end cleanly; without one, skt exits 3
# with one line saying that a certificate was required. Run by CTest as:
# sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python ssl
make_certs
printf 'hello client cert\n' >"$tmp/input"

# python_server: tls_server.py demanding a client certificate; sets $port.
python_server() {
    rm -f "$tmp/python.out"
    start python "$python" "$peers/tls_server.py" --cert "$certs/server.pem" \
        --key "$certs/server.key" --cafile "$certs/ca.pem" \
        --require-client-cert --timeout 10
    py=$pid
    wait_listening "$tmp/python.out" "$py"
    port=${address##*:}
}

python_server
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    --cert "$certs/client.pem" --key "$certs/client.key" localhost "$port"
expect_status 0 "--cert/--key for CERT_REQUIRED"
expect_file "$tmp/client.out" "hello client cert" "Python's echo"
expect_empty "$tmp/client.err" "--cert/--key: stderr"
wait_exit "$py" 5
expect_status 0 "Python's ssl server with the client's certificate"
expect_empty "$tmp/python.err" "Python's ssl server: stderr"

# No certificate, stdin at once: whether skt's first send meets the
# reset of the connection that Python has closed or goes out before it,
# skt reports the server's alert.
python_server
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_status 3 "no client certificate for CERT_REQUIRED"
expect_empty "$tmp/client.out" "no client certificate: stdout"
want='^skt: .*No TLS client certificate where one is required$'
expect_one_line "$tmp/client.err" "$want" "no client certificate: the reason"
wait_exit "$py" 5
expect_status 1 "Python's ssl server without the client's certificate"
expect_line "$tmp/python.err" 'PEER_DID_NOT_RETURN_A_CERTIFICATE' \
    "Python's view of the missing certificate"
exit 0
