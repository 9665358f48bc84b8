#!/bin/sh
# --allow and --deny on a listener: a client the rules refuse is closed at
# once (-v says so) and skt goes on waiting; the first client let in is
# served. A dual-stack listener matches its IPv4 clients against IPv4
# rules. --deny wins over --allow. Clients are ncat, bound to a source
# address with -s. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat

printf 'refused\n' >"$tmp/refused"
printf 'allowed\n' >"$tmp/allowed"

# client SOURCE INPUT: ncat from SOURCE to 127.0.0.1:$port.
client() {
    run 10 peer sh -c 'exec ncat -s "$0" 127.0.0.1 "$1" <"$2"' "$1" "$port" \
        "$2"
}

listen_skt server /dev/null -v --allow 127.0.0.2 127.0.0.1 0
server=$pid
client 127.0.0.1 "$tmp/refused"
kill -0 "$server" 2>/dev/null || fail "the refused client ended skt"
client 127.0.0.2 "$tmp/allowed"
wait_exit "$server" 5
expect_status 0 "skt -l --allow"
expect_file "$tmp/server.out" allowed "--allow: what was printed"
want='^skt: refused 127\.0\.0\.1:[0-9]+ \(--allow/--deny\)$'
expect_line "$tmp/server.err" "$want" "--allow: -v names the refused client"

# Dual-stack (no HOST): the IPv4 client arrives as ::ffff:127.0.0.2, and
# the IPv4 rules match it; --deny 127.0.0.1 refuses the other.
listen_skt dual /dev/null -v --allow 127.0.0.0/8 --deny 127.0.0.1 0
dual=$pid
client 127.0.0.1 "$tmp/refused"
client 127.0.0.2 "$tmp/allowed"
wait_exit "$dual" 5
expect_status 0 "skt -l dual-stack with rules"
expect_file "$tmp/dual.out" allowed "dual-stack: what was printed"
exit 0
