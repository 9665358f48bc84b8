#!/bin/sh
# --tls as a client, against `openssl s_server`, ncat --ssl and Python's
# ssl. A certificate that verifies (--cafile, --capath) connects, and -v
# shows the version, cipher, ALPN, certificate and verification result;
# an expired, wrong-name, self-signed or unknown-CA certificate is refused
# with exit status 3 and a line naming the reason; --insecure connects
# anyway with a warning on stderr; --cafile replaces the system store. stdin's end is a TLS half-close
# (close_notify), so s_server -rev answers and closes cleanly. Run by
# CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
make_certs
printf 'hello tls\n' >"$tmp/input"

# Verified, against s_server -rev (each line answered reversed).
s_server good server.pem -naccept 1 -rev -alpn h2
good=$pid
run 10 client skt_with "$tmp/input" -v --tls --cafile "$certs/ca.pem" \
    --alpn h2,http/1.1 localhost "$port"
expect_status 0 "verified"
expect_file "$tmp/client.out" "slt olleh" "s_server -rev's answer"
want='^skt: TLS: TLSv1\.3, cipher TLS_[A-Z0-9_]+, ALPN h2$'
expect_line "$tmp/client.err" "$want" "-v: the session"
want='^skt: peer certificate: subject CN=localhost, issuer CN=skt test CA, '
expect_line "$tmp/client.err" "${want}valid until [0-9-]+\$" \
    "-v: the certificate"
expect_line "$tmp/client.err" '^skt: verification: ok$' "-v: the result"
wait_exit "$good" 5
grep -qi "error" "$tmp/good.out" && fail "s_server saw an error"

# --capath, and --tls-min 1.3 against a TLS 1.2 server (refused: 1).
s_server capath server.pem -naccept 2 -rev -tls1_2
capath=$pid
run 10 client skt_with "$tmp/input" --tls --capath "$certs/cadir" \
    localhost "$port"
expect_status 0 "--capath"
expect_file "$tmp/client.out" "slt olleh" "--capath: the answer"
run 10 min skt_with "$tmp/input" --tls --tls-min 1.3 \
    --cafile "$certs/ca.pem" localhost "$port"
expect_status 1 "--tls-min 1.3 against TLS 1.2"
expect_one_line "$tmp/min.err" '^skt: TLS handshake with ' \
    "--tls-min 1.3's failure"
stop "$capath"

# refused CERT STATUS ERE: a certificate skt must refuse.
refused() {
    s_server bad "$1" -naccept 1 -rev
    bad=$pid
    run 10 refused skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
        localhost "$port"
    expect_status "$2" "$1"
    expect_empty "$tmp/refused.out" "$1: stdout"
    want="^skt: TLS handshake with 127\\.0\\.0\\.1:$port "
    want="$want\\(server name localhost\\): certificate verify failed: $3"
    expect_one_line "$tmp/refused.err" "$want" "$1: the reason"
    wait_exit "$bad" 5
}
refused expired.pem 3 "certificate has expired"
refused wrong-name.pem 3 "hostname mismatch"
refused self-signed.pem 3 "self-signed certificate"
refused unknown-ca.pem 3 "unable to get local issuer certificate"

# --cafile replaces the system store (as curl's --cacert): with the test
# CA made the system store by SSL_CERT_FILE, a server it signed is refused
# when --cafile names the other CA, and accepted without --cafile.
# with_store COMMAND...: COMMAND with the test CA as the system store.
with_store() {
    SSL_CERT_FILE=$certs/ca.pem "$@"
}
s_server store server.pem -naccept 1 -rev
store=$pid
run 10 refused with_store skt_with "$tmp/input" --tls \
    --cafile "$certs/other-ca.pem" localhost "$port"
expect_status 3 "--cafile other-ca.pem against the system store's CA"
expect_one_line "$tmp/refused.err" 'verify failed: unable to get local issuer' \
    "--cafile replaces the system store: the reason"
wait_exit "$store" 5
s_server store server.pem -naccept 1 -rev
store=$pid
run 10 client with_store skt_with "$tmp/input" --tls localhost "$port"
expect_status 0 "the system store (SSL_CERT_FILE) without --cafile"
expect_file "$tmp/client.out" "slt olleh" "the system store: the answer"
wait_exit "$store" 5

# --insecure: connects to the self-signed server, and says so.
s_server insecure self-signed.pem -naccept 1 -rev
insecure=$pid
run 10 client skt_with "$tmp/input" -v --tls --insecure localhost "$port"
expect_status 0 "--insecure"
expect_file "$tmp/client.out" "slt olleh" "--insecure: the answer"
want="^skt: warning: --insecure: the server's certificate is not verified\$"
expect_line "$tmp/client.err" "$want" "--insecure: the warning"
want='^skt: verification: failed: self-signed certificate \(not enforced\)$'
expect_line "$tmp/client.err" "$want" "--insecure: -v's result"
wait_exit "$insecure" 5

# --sni: the name checked is the one sent.
s_server sni wrong-name.pem -naccept 1 -rev
sni=$pid
run 10 client skt_with "$tmp/input" --tls --sni wrong.example \
    --cafile "$certs/ca.pem" 127.0.0.1 "$port"
expect_status 0 "--sni wrong.example"
wait_exit "$sni" 5

# A client certificate, for s_server -Verify.
s_server mutual server.pem -naccept 1 -rev -Verify 1 \
    -CAfile "$certs/ca.pem"
mutual=$pid
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    --cert "$certs/client.pem" --key "$certs/client.key" localhost "$port"
expect_status 0 "a client certificate"
expect_file "$tmp/client.out" "slt olleh" "mutual TLS: the answer"
wait_exit "$mutual" 5

# The same server, and no client certificate: refused (3), and why.
s_server mutual server.pem -naccept 1 -rev -Verify 1 \
    -CAfile "$certs/ca.pem"
mutual=$pid
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_status 3 "no client certificate for s_server -Verify"
want='No TLS client certificate where one is required$'
expect_one_line "$tmp/client.err" "$want" "no client certificate: the reason"
wait_exit "$mutual" 5

# ncat --ssl as the server: data both ways.
free_port
printf 'from ncat\n' >"$tmp/ncat-input"
start ncat sh -c 'exec ncat -l --ssl --ssl-cert "$0" --ssl-key "$1" \
    127.0.0.1 "$2" <"$3"' "$certs/server.pem" "$certs/server.key" \
    "$port" "$tmp/ncat-input"
ncat=$pid
wait_port t "$port" "$ncat"
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_status 0 "against ncat --ssl"
expect_file "$tmp/client.out" "from ncat" "ncat --ssl sent"
wait_exit "$ncat" 5
expect_file "$tmp/ncat.out" "hello tls" "ncat --ssl received"

# Python's ssl, echoing until our close_notify, then closing cleanly.
need_python ssl
start python "$python" "$peers/tls_server.py" --cert "$certs/server.pem" \
    --key "$certs/server.key"
py=$pid
wait_listening "$tmp/python.out" "$py"
run 10 client skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    localhost "${address##*:}"
expect_status 0 "against Python's ssl"
expect_file "$tmp/client.out" "hello tls" "Python's echo"
wait_exit "$py" 5
expect_status 0 "Python's ssl server"
exit 0
