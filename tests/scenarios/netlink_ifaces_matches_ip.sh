#!/bin/sh
# Scenario: netlink-ifaces prints exactly what `ip -br addr` prints (the
# interfaces, their operational state and every address), having read it
# all through an AF_NETLINK route socket; it writes nothing on stderr and
# exits 0. Skipped without the ip command or without netlink sockets.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

command -v ip >/dev/null 2>&1 || skip "no ip command to compare with"

# Addresses can come and go (DAD, DHCP) between two snapshots: the
# comparison gets three tries before it counts as a failure.
for _ in 1 2 3; do
    ip -br addr >"$tmp/ip.out" 2>&1
    "$examples/netlink-ifaces" >"$tmp/skt.out" 2>"$tmp/skt.err"
    status=$?
    if [ "$status" -ne 0 ] &&
        grep -q 'Address family not supported' "$tmp/skt.err"; then
        skip "no AF_NETLINK here: $(cat "$tmp/skt.err")"
    fi
    [ "$status" -eq 0 ] || fail "netlink-ifaces exited $status"
    [ ! -s "$tmp/skt.err" ] || fail "netlink-ifaces wrote to stderr"
    cmp -s "$tmp/ip.out" "$tmp/skt.out" && exit 0
    sleep 0.2
done
diff "$tmp/ip.out" "$tmp/skt.out" >"$tmp/diff" 2>&1
fail "netlink-ifaces differs from ip -br addr"
