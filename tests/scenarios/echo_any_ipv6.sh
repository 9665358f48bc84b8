#!/bin/sh
# Scenario: the family-agnostic examples over IPv6: echo-server-any on ::1
# port 0 says "listening on [::1]:PORT", echo-client-any reaches it by
# "localhost" when that name has ::1 (after trying any IPv4 address first)
# or else by "::1", gets exact echoes, and both exit 0.
# Skipped when the machine has no IPv6 loopback address.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

if [ -r /proc/net/if_inet6 ] &&
    ! grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
    skip "no IPv6 loopback address (::1) on this machine"
fi

start server env SKT_EXAMPLE_ONCE=1 "$examples/echo-server-any" ::1 0
server=$pid
# Where /proc says nothing, a failed bind tells whether IPv6 is missing.
skip_if_cannot_listen server "$server" \
    'Address family not supported|Cannot assign requested' \
    "cannot listen on ::1"
wait_listening "$tmp/server.out" "$server"
port=${address#\[::1\]:}
case $address in
"[::1]:"[1-9]*) ;;
*) fail "listening on \"$address\", expected [::1]:PORT with PORT > 0" ;;
esac

host=::1
if command -v getent >/dev/null 2>&1 &&
    getent ahosts localhost | grep -q '^::1[[:space:]]'; then
    host=localhost
fi
run 15 client "$examples/echo-client-any" "$host" "$port" "hello over IPv6" \
    "again"
[ "$status" -eq 0 ] || fail "echo-client-any $host exited $status"
[ ! -s "$tmp/client.err" ] || fail "echo-client-any wrote to stderr"
printf 'received "%s"\n' "hello over IPv6" again >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong echoes"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "echo-server-any exited $status"
peer=$(sed -n 's/^connected by //p' "$tmp/server.out")
case $peer in
"[::1]:"[1-9]*) ;;
*) fail "connected by \"$peer\", expected [::1]:PORT" ;;
esac
printf 'listening on %s\nconnected by %s\nclosed %s\n' \
    "$address" "$peer" "$peer" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/server.out" || fail "wrong server output"
exit 0
