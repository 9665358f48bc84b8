#!/bin/sh
# Addresses: a listener without HOST takes IPv4 and IPv6 clients on one
# socket (it says "listening on [::]:PORT"); -6 and -4 limit the families
# tried; -s and -p choose the local address and port, which the peer
# sees; -n takes numeric hosts and refuses a name that works without it;
# -v on a fixed port prints "listening on" with that port (without -v,
# nothing). Peers: ncat, Python's socket. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need ncat
[ -n "$(ip -6 addr show lo 2>/dev/null)" ] || skip "no IPv6 on loopback"

printf 'hello\n' >"$tmp/input"

# Dual-stack: one client over IPv6, one over IPv4, with -k.
rm -f "$tmp/dual.err"
start dual skt_with /dev/null -l -k --recv-only 0
dual=$pid
wait_line "$tmp/dual.err" "$dual" '^listening on \[::\]:\([0-9]*\)$' 5 \
    "dual-stack listening line"
port=$line
run 10 six sh -c 'exec ncat ::1 "$0" <"$1"' "$port" "$tmp/input"
run 10 four sh -c 'exec ncat 127.0.0.1 "$0" <"$1"' "$port" "$tmp/input"
wait_lines "$tmp/dual.out" 2 "$dual"
stop "$dual"

# -6 and -4 against a name or address of the other family.
listen_skt v6 "$tmp/input" ::1 0
v6=$pid
run 10 client skt_with /dev/null -6 -n ::1 "$port"
expect_status 0 "-6 -n ::1"
expect_file "$tmp/client.out" hello "-6: the data"
wait_exit "$v6" 5
run 10 wrong skt_with /dev/null -4 ::1 "$port"
expect_status 1 "-4 with an IPv6 address"
want='^skt: create_connection: getaddrinfo "::1" port '
expect_one_line "$tmp/wrong.err" "$want" "-4 with an IPv6 address: the reason"

# -n: a name is refused (status 2, one line) before any connection, so
# ncat's single accept is still there for the same command without -n.
free_port
start ncat sh -c 'exec ncat -l 127.0.0.1 "$0" <"$1"' "$port" "$tmp/input"
ncat=$pid
wait_port t "$port" "$ncat"
run 10 numeric skt_with /dev/null -4 -n localhost "$port"
expect_status 2 "-n with a name"
expect_empty "$tmp/numeric.out" "-n with a name: stdout"
expect_one_line "$tmp/numeric.err" "^skt: 'localhost' is a name, where a numeric address is needed" \
    "-n with a name: the reason"
run 10 named skt_with /dev/null -4 localhost "$port"
expect_status 0 "the same name without -n"
expect_file "$tmp/named.out" hello "without -n: ncat's data"
wait_exit "$ncat" 5

# -v with a fixed port says where it listens; without -v, nothing.
free_port
start fixed skt_with "$tmp/input" -l -v 127.0.0.1 "$port"
fixed=$pid
wait_line "$tmp/fixed.err" "$fixed" "^listening on 127\\.0\\.0\\.1:\\($port\\)\$" 5 \
    "-v: the fixed port's listening line"
run 10 ncat ncat --recv-only 127.0.0.1 "$port"
expect_file "$tmp/ncat.out" hello "-v -l PORT: the data"
wait_exit "$fixed" 5
expect_status 0 "-l -v on a fixed port"
free_port
start fixed skt_with "$tmp/input" -l 127.0.0.1 "$port"
fixed=$pid
wait_port t "$port" "$fixed"
run 10 ncat ncat --recv-only 127.0.0.1 "$port"
wait_exit "$fixed" 5
expect_status 0 "-l on a fixed port"
expect_empty "$tmp/fixed.err" "-l PORT without -v: stderr"

# -s and -p: the peer sees the source address and port.
free_port
source_port=$port
start_peer peer record
run 10 source skt_with "$tmp/input" -s 127.0.0.1 -p "$source_port" \
    127.0.0.1 "$port"
expect_status 0 "-s -p"
wait_exit "$pid" 5
expect_line "$tmp/peer.out" "^peer 127\\.0\\.0\\.1:$source_port\$" \
    "-s -p: the peer's view"
exit 0
