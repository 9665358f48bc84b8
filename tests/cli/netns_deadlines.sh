#!/bin/sh
# -w and Happy Eyeballs on a network that misbehaves, built by this test
# in a network namespace of its own (root, ip and nft needed; skipped
# otherwise). Its hosts file and nft rules:
#
#   dual.skt.test     2001:db8::1 (SYNs dropped), 192.0.2.1 (socat answers)
#   black.skt.test    2001:db8::2, 2001:db8::3 (SYNs dropped)
#   refuse.skt.test   ::1, 127.0.0.1 (nothing listens: refused)
#   DNS               127.0.0.1:53, a socket that never answers
#
# dual.skt.test connects over IPv4 once the attempt delay (250 ms) has
# passed, and -v shows each address with its own result and time;
# black.skt.test and a silent lookup end at -w with status 4; -z's probes
# of black-holed ports give up at -w, or after 1 s without it; refusals on
# both families end with status 1 and a line naming each address.
# Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"

# ---------------------------------------------------------------- inside
inside() {
    start dual-server socat TCP4-LISTEN:8080,bind=192.0.2.1,reuseaddr \
        "SYSTEM:echo from ipv4"
    wait_port t 8080 "$pid"
    begin=$(now)
    run 10 dual "$skt" -v -w 5 dual.skt.test 8080 </dev/null
    elapsed_since "$begin"
    expect_status 0 "dual.skt.test"
    expect_file "$tmp/dual.out" "from ipv4" "dual.skt.test printed"
    want='^skt: \[2001:db8::1\]:8080: no answer yet when another address '
    want=$want'connected \((2[5-9][0-9]\.[0-9]|[0-9]{3}\.[0-9]) ms\)$'
    expect_line "$tmp/dual.err" "$want" "-v: the black-holed IPv6 address"
    want='^skt: 192\.0\.2\.1:8080: connected \([0-9.]+ ms\)$'
    expect_line "$tmp/dual.err" "$want" "-v: the IPv4 address that won"
    between "$elapsed" 0.25 1.5 "dual.skt.test's time"

    begin=$(now)
    run 10 black "$skt" -w 1 black.skt.test 8080 </dev/null
    elapsed_since "$begin"
    expect_status 4 "black.skt.test -w 1"
    between "$elapsed" 1.0 1.8 "black.skt.test -w 1's time"
    want='^skt: create_connection to black\.skt\.test port 8080: timed out; '
    want=$want'\[2001:db8::2\]:8080: Connection timed out; '
    want=$want'\[2001:db8::3\]:8080: Connection timed out$'
    expect_one_line "$tmp/black.err" "$want" "black.skt.test's failure"
    expect_empty "$tmp/black.out" "black.skt.test's stdout"

    # -z: two black-holed ports, probed at once: both filtered in 0.5 s.
    begin=$(now)
    run 10 scan "$skt" -z -v -w 0.5 2001:db8::2 8080,8081 </dev/null
    elapsed_since "$begin"
    expect_status 1 "-z over black-holed ports"
    expect_file "$tmp/scan.out" "$(printf '8080 filtered\n8081 filtered')" \
        "-z -v: filtered ports"
    between "$elapsed" 0.5 0.95 "-z: probes at once, each under -w"

    # -z without -w: each probe's default deadline is 1 s.
    begin=$(now)
    run 10 scan "$skt" -z -v 2001:db8::2 8080 </dev/null
    elapsed_since "$begin"
    expect_status 1 "-z over a black-holed port without -w"
    expect_file "$tmp/scan.out" "8080 filtered" "-z -v without -w: filtered"
    between "$elapsed" 1.0 1.5 "-z: the default probe deadline"

    run 10 refuse "$skt" refuse.skt.test 8080 </dev/null
    expect_status 1 "refuse.skt.test"
    v6='\[::1\]:8080: Connection refused'
    v4='127\.0\.0\.1:8080: Connection refused'
    want="^skt: create_connection to refuse\\.skt\\.test port 8080: "
    want="$want($v6; $v4|$v4; $v6)\$"
    expect_one_line "$tmp/refuse.err" "$want" "refuse.skt.test's failure"

    start dns socat -u UDP4-RECV:53,bind=127.0.0.1 OPEN:/dev/null
    wait_port u 53 "$pid"
    begin=$(now)
    run 10 silent "$skt" -w 0.5 nosuch.skt.test 8080 </dev/null
    elapsed_since "$begin"
    expect_status 4 "a silent lookup under -w 0.5"
    between "$elapsed" 0.5 1.2 "the silent lookup's time"
    expect_one_line "$tmp/silent.err" 'nosuch\.skt\.test.*timed out' \
        "the silent lookup's failure"
    run 10 resolve "$skt" resolve -w 0.5 nosuch.skt.test </dev/null
    expect_status 4 "skt resolve -w 0.5 with a silent DNS"
    exit 0
}

[ "${SKT_CLI_NETNS_INSIDE-}" = 1 ] && inside

# --------------------------------------------------------------- outside
[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
need ip
need nft
need socat
ns=skt-cli-$$
teardown() {
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
    cleanup
}
trap teardown EXIT
ip netns add "$ns" 2>"$tmp/netns.err" || skip "ip netns add failed"
mkdir -p "/etc/netns/$ns"
cat >"/etc/netns/$ns/hosts" <<HOSTS
127.0.0.1 localhost
2001:db8::1 dual.skt.test
192.0.2.1 dual.skt.test
2001:db8::2 black.skt.test
2001:db8::3 black.skt.test
::1 refuse.skt.test
127.0.0.1 refuse.skt.test
HOSTS
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' \
    >"/etc/netns/$ns/resolv.conf"
ip netns exec "$ns" sh -c '
    ip link set lo up &&
    ip addr add 192.0.2.1/32 dev lo &&
    for a in 2001:db8::1 2001:db8::2 2001:db8::3; do
        ip addr add $a/128 dev lo nodad || exit 1
    done &&
    nft add table inet skt &&
    nft add chain inet skt out "{ type filter hook output priority 0; }" &&
    nft add rule inet skt out ip6 daddr \
        "{ 2001:db8::1, 2001:db8::2, 2001:db8::3 }" tcp flags syn drop' \
    >"$tmp/netns.err" 2>&1 || skip "could not configure the namespace"
SKT_CLI_NETNS_INSIDE=1 ip netns exec "$ns" sh "$0" "$@"
