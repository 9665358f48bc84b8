#!/bin/sh
# Scenario: the family-agnostic examples over IPv6: echo-server-any on ::1
# port 0 says "listening on [::1]:PORT", echo-client-any reaches it by
# "localhost" when that name has ::1 (after trying any IPv4 address first)
# or else by "::1", gets exact echoes, and both exit 0.
# Skipped when the machine has no IPv6 loopback address.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skt-scenario.XXXXXX") || exit 1
pids=
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# fail REASON: prints the reason and every output captured, exits 1.
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*; do
        [ -f "$f" ] || continue
        echo "--- ${f##*/}:" >&2
        head -c 2000 "$f" >&2
    done
    exit 1
}

# wait_exit PID SECONDS: sets $status to the exit status of PID; kills it
# and fails if it is still running after SECONDS.
wait_exit() {
    n=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null; do
        [ "$n" -gt 0 ] || { kill "$1"; fail "pid $1 still running after $2 s"; }
        n=$((n - 1))
        sleep 0.1
    done
    wait "$1"
    status=$?
}

# wait_listening FILE PID: sets $address from the "listening on ADDRESS"
# line that server PID writes into FILE, waiting up to 5 seconds.
wait_listening() {
    n=50
    while :; do
        address=$(sed -n 's/^listening on //p' "$1" 2>/dev/null)
        [ -n "$address" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before listening"
        [ "$n" -gt 0 ] || fail "no \"listening on\" line within 5 s"
        n=$((n - 1))
        sleep 0.1
    done
}
if [ -r /proc/net/if_inet6 ] &&
    ! grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
    echo "SKIP: no IPv6 loopback address (::1) on this machine" >&2
    exit 77
fi

SKT_EXAMPLE_ONCE=1 "$examples/echo-server-any" ::1 0 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
pids=$server
# Where /proc says nothing, a failed bind tells whether IPv6 is missing.
n=50
until grep -q '^listening on ' "$tmp/server.out"; do
    if ! kill -0 "$server" 2>/dev/null; then
        grep -Eq 'Address family not supported|Cannot assign requested' \
            "$tmp/server.err" && {
            echo "SKIP: cannot listen on ::1: $(cat "$tmp/server.err")" >&2
            exit 77
        }
        break
    fi
    [ "$n" -gt 0 ] || break
    n=$((n - 1))
    sleep 0.1
done
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
"$examples/echo-client-any" "$host" "$port" "hello over IPv6" "again" \
    >"$tmp/client.out" 2>"$tmp/client.err" &
client=$!
pids="$pids $client"
wait_exit "$client" 15
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
