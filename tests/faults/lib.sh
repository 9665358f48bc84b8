# shellcheck shell=sh
# The helpers the fault scripts (tests/faults/*.sh) share. A script sets
# nothing first and sources this file:
#
#     . "$(dirname "$0")/lib.sh"
#
# On top of tests/lib/base.sh (set -u, $tmp, $pids, fail, skip, start,
# wait_exit, make_certs, the cleanup on exit), it deletes every network
# namespace in $namespaces on exit (their veth ends and nft tables go with
# them) and adds the namespace, nft and "listening on" helpers. Helpers
# hand back results in variables ($status, $pid, $address, $certs). Every
# wait is bounded.

# The variables assigned here are read by the scripts that source it.
# shellcheck disable=SC2034
scratch_name=skt-faults
fail_bytes=3000
namespaces=

# cleanup_more: reaps the processes the base's cleanup killed and deletes
# the namespaces (the base's EXIT trap calls it).
# shellcheck disable=SC2317 # called by the trap
cleanup_more() {
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    for ns in $namespaces; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
}

# shellcheck source=../lib/base.sh
. "$(dirname "$0")/../lib/base.sh"

# wait_listening FILE PID [SECONDS]: sets $address from the "listening on
# ADDRESS" line PID writes into FILE within SECONDS (10).
wait_listening() {
    wait_until "${3:-10}" eval "grep -qs '^listening on ' '$1' ||
        ! kill -0 $2 2>/dev/null"
    address=$(sed -n 's/^listening on //p' "$1" | head -n 1)
    [ -n "$address" ] || fail "pid $2 printed no \"listening on\" line"
}

# field FILE NAME: the value of NAME=VALUE in the first line of FILE that
# has it.
field() {
    sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$1" | head -n 1
}

# since START: the seconds since START (a `date +%s.%N`), to 0.01 s.
since() {
    awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $1 }"
}

# need_root_netns: skips unless this can make network namespaces and nft
# tables (root, ip and nft commands, a kernel that has them).
need_root_netns() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
    command -v ip >/dev/null 2>&1 || skip "needs the ip command (iproute2)"
    command -v nft >/dev/null 2>&1 || skip "needs the nft command (nftables)"
    probe=skt-fprobe-$$
    ip netns add "$probe" 2>/dev/null ||
        skip "cannot create a network namespace (ip netns add failed)"
    if ! ip netns exec "$probe" nft add table inet probe 2>/dev/null; then
        ip netns del "$probe"
        skip "nft does not work in a network namespace"
    fi
    ip netns del "$probe"
}

# make_link: two namespaces $nsa (10.77.0.1) and $nsb (10.77.0.2) joined
# by a veth pair whose segments are one MTU each (no GSO), so that a drop
# rule drops real packets.
make_link() {
    nsa=skt-fa-$$
    nsb=skt-fb-$$
    ip netns add "$nsa" || fail "ip netns add $nsa"
    namespaces="$namespaces $nsa"
    ip netns add "$nsb" || fail "ip netns add $nsb"
    namespaces="$namespaces $nsb"
    # Both ends are made in their namespaces: no name in this one, so
    # tests running at once cannot collide.
    ip link add va netns "$nsa" type veth peer name vb netns "$nsb" ||
        fail "ip link add veth"
    ip -n "$nsa" addr add 10.77.0.1/24 dev va || fail "address of va"
    ip -n "$nsb" addr add 10.77.0.2/24 dev vb || fail "address of vb"
    for end in "$nsa va" "$nsb vb"; do
        # shellcheck disable=SC2086 # two words: namespace and device
        set -- $end
        ip -n "$1" link set "$2" gso_max_size 1500 gso_max_segs 1 \
            2>/dev/null || echo "note: GSO could not be limited on $2"
        ip -n "$1" link set "$2" up || fail "link up $2"
        ip -n "$1" link set lo up || fail "lo up in $1"
    done
}

# lossy PERCENT: nft in $nsa drops PERCENT % of the packets at random,
# both ways (table inet loss).
lossy() {
    [ "$1" -gt 0 ] || return 0
    ip netns exec "$nsa" nft -f - <<EOF || fail "nft loss rules"
table inet loss {
    chain in {
        type filter hook input priority 0;
        numgen random mod 100 < $1 drop;
    }
    chain out {
        type filter hook output priority 0;
        numgen random mod 100 < $1 drop;
    }
}
EOF
}

# dark_on / dark_off: nft in $nsa drops every packet both ways, then
# stops (table inet dark).
dark_on() {
    ip netns exec "$nsa" nft -f - <<EOF || fail "nft dark rules"
table inet dark {
    chain in { type filter hook input priority -10; drop; }
    chain out { type filter hook output priority -10; drop; }
}
EOF
}
dark_off() {
    ip netns exec "$nsa" nft delete table inet dark || fail "nft delete dark"
}
