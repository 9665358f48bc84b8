#!/bin/sh
# Scenario: create-server-echo on "::" (dual stack, port 0) serves
# create-connection-client, which finds it by the name "localhost" (IPv4
# only in most hosts files, so the dual-stack listener must accept IPv4);
# then the client against a closed port lists every address it tried.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skt-scenario.XXXXXX") || exit 1
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*; do
        echo "--- ${f##*/}:" >&2
        head -c 2000 "$f" >&2
    done
    exit 1
}

SKT_EXAMPLE_ONCE=1 "$examples/create-server-echo" :: 0 \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
port=
for _ in $(seq 50); do
    port=$(sed -n 's/^listening on \[::\]://p' "$tmp/server.out")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    if grep -q "dualstack" "$tmp/server.err"; then
        echo "skipped: no dual-stack IPv6 here" >&2
        exit 77
    fi
    fail "no listening line"
fi

timeout 10 "$examples/create-connection-client" localhost "$port" hi there \
    >"$tmp/client.out" 2>"$tmp/client.err" || fail "client failed"
grep -q "^connected to " "$tmp/client.out" || fail "no connected line"
grep -q '^received "hi"$' "$tmp/client.out" || fail "no first echo"
grep -q '^received "there"$' "$tmp/client.out" || fail "no second echo"
for _ in $(seq 50); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
wait "$server" || fail "server exited with an error"
server=

# Nothing listens now: the client fails and names what it tried.
if timeout 10 "$examples/create-connection-client" 127.0.0.1 "$port" x \
    >"$tmp/refused.out" 2>"$tmp/refused.err"; then
    fail "the client succeeded against a closed port"
fi
grep -q "127.0.0.1:$port: Connection refused" "$tmp/refused.err" ||
    fail "the refusal does not name the address"
exit 0
