#!/bin/sh
# What --insecure lets through, against openssl s_server -rev with
# certificates made by openssl for this test (make_certs): an expired one
# and one for another name, both signed by the test CA (named by
# --cafile, or with --insecure made the system store by SSL_CERT_FILE), so
# that the expiry or the name is the only fault. Without --insecure each
# is refused with status 3 and one line giving the library's reason; with
# it, skt connects, warns on stderr, and -v says that verification was
# off and what it would have found: the expiry (the chain's result), the
# name or address (checked by skt itself), or for a good certificate that
# it would have passed. A self-signed certificate is taken when --cafile
# is that certificate itself. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
make_certs
printf 'hello tls\n' >"$tmp/input"
warning="^skt: warning: --insecure: the server's certificate is not verified\$"

# refused CERT REASON: without --insecure, status 3 and REASON.
refused() {
    s_server bad "$1" -naccept 1 -rev
    bad=$pid
    run 10 refused skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
        localhost "$port"
    expect_status 3 "$1 without --insecure"
    expect_empty "$tmp/refused.out" "$1: stdout"
    want="^skt: TLS handshake with 127\\.0\\.0\\.1:$port "
    want="$want\\(server name localhost\\): certificate verify failed: $2"
    expect_one_line "$tmp/refused.err" "$want" "$1: the reason"
    wait_exit "$bad" 5
}

# --insecure takes no --cafile: the test CA is made the system store.
# shellcheck disable=SC2317 # called through run
with_store() {
    SSL_CERT_FILE=$certs/ca.pem "$@"
}

# insecure CERT: with --insecure -v, the answer, the warning and -v's
# lines; leaves its stderr in $tmp/insecure.err.
insecure() {
    s_server lax "$1" -naccept 1 -rev
    lax=$pid
    run 10 insecure with_store skt_with "$tmp/input" -v --tls --insecure \
        localhost "$port"
    expect_status 0 "$1 with --insecure"
    expect_file "$tmp/insecure.out" "slt olleh" "$1 with --insecure: the answer"
    expect_line "$tmp/insecure.err" "$warning" "$1 with --insecure: the warning"
    want='^skt: verification: off \(--insecure\)$'
    expect_line "$tmp/insecure.err" "$want" \
        "$1 with --insecure: -v says verification was off"
    grep -q 'verification: ok' "$tmp/insecure.err" &&
        fail "$1 with --insecure: -v says ok: $(cat "$tmp/insecure.err")"
    wait_exit "$lax" 5
}

# verdicts ERE...: -v's "verification:" lines other than "off" are
# exactly the lines matching each ERE, in order.
verdicts() {
    grep '^skt: verification: ' "$tmp/insecure.err" |
        grep -v '^skt: verification: off (--insecure)$' >"$tmp/verdicts"
    [ "$(wc -l <"$tmp/verdicts")" -eq $# ] ||
        fail "-v's verdicts: $(cat "$tmp/verdicts"), not $# lines"
    n=1
    for want in "$@"; do
        got=$(sed -n "${n}p" "$tmp/verdicts")
        printf '%s\n' "$got" | grep -Eq "$want" ||
            fail "-v's verdict $n: '$got' does not match '$want'"
        n=$((n + 1))
    done
}

refused expired.pem "certificate has expired \\(depth 0, subject CN=localhost\\)"
insecure expired.pem
want='^skt: verification: failed: certificate has expired '
verdicts "$want\\(not enforced\\)\$"
want='^skt: peer certificate: subject CN=localhost, issuer CN=skt test CA, '
expect_line "$tmp/insecure.err" "${want}valid until [0-9-]+\$" \
    "expired.pem: -v's certificate"

refused wrong-name.pem "hostname mismatch, the certificate is not valid for 'localhost'"
insecure wrong-name.pem
want='^skt: peer certificate: subject CN=wrong\.example, issuer CN=skt test CA, '
expect_line "$tmp/insecure.err" "$want" "wrong-name.pem: -v's certificate"
want="^skt: verification: failed: hostname mismatch, the certificate is not "
verdicts "${want}valid for 'localhost' \\(not enforced\\)\$"

# A good certificate under --insecure: off, but it would have passed;
# by address, the IP alternative name is the one checked.
insecure server.pem
verdicts '^skt: verification: would have passed \(chain and name\)$'
s_server lax server.pem -naccept 1 -rev
lax=$pid
run 10 insecure with_store skt_with "$tmp/input" -v --tls --insecure \
    127.0.0.1 "$port"
expect_status 0 "server.pem by address with --insecure"
verdicts '^skt: verification: would have passed \(chain and name\)$'
wait_exit "$lax" 5
s_server lax wrong-name.pem -naccept 1 -rev
lax=$pid
run 10 insecure with_store skt_with "$tmp/input" -v --tls --insecure \
    127.0.0.1 "$port"
expect_status 0 "wrong-name.pem by address with --insecure"
want="^skt: verification: failed: IP address mismatch, the certificate is "
verdicts "${want}not valid for '127\\.0\\.0\\.1' \\(not enforced\\)\$"
wait_exit "$lax" 5

# Self-signed: refused against the CA, taken with itself as --cafile,
# with no warning.
s_server self self-signed.pem -naccept 1 -rev
self=$pid
run 10 refused skt_with "$tmp/input" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_status 3 "self-signed.pem against the CA"
expect_one_line "$tmp/refused.err" 'verify failed: self-signed certificate' \
    "self-signed.pem against the CA: the reason"
wait_exit "$self" 5
s_server self self-signed.pem -naccept 1 -rev
self=$pid
run 10 client skt_with "$tmp/input" -v --tls \
    --cafile "$certs/self-signed.pem" localhost "$port"
expect_status 0 "self-signed.pem with --cafile self-signed.pem"
expect_file "$tmp/client.out" "slt olleh" "self-signed.pem: the answer"
expect_line "$tmp/client.err" '^skt: verification: ok$' \
    "self-signed.pem: -v's result"
grep -q 'warning' "$tmp/client.err" &&
    fail "a warning without --insecure: $(cat "$tmp/client.err")"
wait_exit "$self" 5
exit 0
