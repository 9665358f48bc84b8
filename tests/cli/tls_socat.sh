#!/bin/sh
# --tls against socat's OPENSSL addresses. As a client of OPENSSL-LISTEN
# with verify=1 (socat demands a client certificate signed by the test
# CA): with --cert/--key, data both ways, then the close (skt's
# close_notify ends what socat's program reads, and socat's own close
# ends skt with status 0); without a certificate, status 3 and one line
# saying why. The certificate makes socat send its session tickets after
# the handshake, when skt is already moving data: a readable socket with
# no data in it must not hold up stdin. As the server (-l --tls) of socat's OPENSSL client, which
# checks our certificate and host name: data both ways and a clean close
# on both sides, socat saying nothing on stderr. Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat
make_certs
printf 'from skt\n' >"$tmp/skt-input"
printf 'from socat\n' >"$tmp/socat-input"

# socat_listen: socat OPENSSL-LISTEN on $port, verifying the client; its
# program stores what it reads in $tmp/got, then answers "reply".
socat_listen() {
    free_port
    rm -f "$tmp/got"
    start socat socat -t 3 "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,cert=$certs/server.pem,key=$certs/server.key,cafile=$certs/ca.pem,verify=1" \
        "SYSTEM:cat >'$tmp/got'; echo reply"
    socat=$pid
    wait_port t "$port" "$socat"
}

socat_listen
run 10 client skt_with "$tmp/skt-input" --tls --cafile "$certs/ca.pem" \
    --cert "$certs/client.pem" --key "$certs/client.key" localhost "$port"
expect_status 0 "skt --tls to socat OPENSSL-LISTEN"
expect_file "$tmp/client.out" "reply" "skt printed socat's answer"
expect_empty "$tmp/client.err" "skt --tls's stderr"
wait_exit "$socat" 5
expect_status 0 "socat OPENSSL-LISTEN"
expect_file "$tmp/got" "from skt" "socat's program read skt's stdin"
expect_empty "$tmp/socat.err" "socat OPENSSL-LISTEN's stderr"

# No certificate, stdin at once: whether skt's first send meets the
# reset of the connection that socat has closed or goes out before it,
# skt reports socat's alert.
socat_listen
run 10 client skt_with "$tmp/skt-input" --tls --cafile "$certs/ca.pem" \
    localhost "$port"
expect_status 3 "skt --tls without a client certificate"
expect_empty "$tmp/client.out" "no client certificate: stdout"
want='No TLS client certificate where one is required$'
expect_one_line "$tmp/client.err" "$want" "no client certificate: the reason"
wait_exit "$socat" 5
expect_line "$tmp/socat.err" 'peer did not return a certificate' \
    "socat's view of the missing certificate"

# skt -l --tls, socat OPENSSL as the client (verify=1 by default).
listen_skt server "$tmp/skt-input" --tls --cert "$certs/server.pem" \
    --key "$certs/server.key" 127.0.0.1 0
server=$pid
run 10 socat sh -c 'exec socat -t 3 - "OPENSSL:localhost:$0,cafile=$1" \
    <"$2"' "$port" "$certs/ca.pem" "$tmp/socat-input"
expect_status 0 "socat OPENSSL to skt -l --tls"
expect_file "$tmp/socat.out" "from skt" "socat printed skt's stdin"
expect_empty "$tmp/socat.err" "socat OPENSSL's stderr"
wait_exit "$server" 5
expect_status 0 "skt -l --tls for socat"
expect_file "$tmp/server.out" "from socat" "skt -l --tls printed socat's data"
expect_one_line "$tmp/server.err" '^listening on 127\.0\.0\.1:' \
    "skt -l --tls's stderr: its port-0 line only"
exit 0
