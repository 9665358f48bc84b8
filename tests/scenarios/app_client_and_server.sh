#!/bin/sh
# Scenario: the application protocol's C client against the C server. The
# client prints the server's answers ("Got result: ..." for a search,
# including the table's non-ASCII answers and a miss; "Got response: ..."
# for a binary request) and exits 0; the server logs one line per request,
# writes nothing on stderr, and exits 0 on SIGTERM. Then the failures: a
# client with the wrong arguments (exit 2), a server with a bad port
# (exit 1), a client to a closed port (exit 1, "Connection refused").
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

start server "$examples/app-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server" 10
port=${address#127.0.0.1:}

# ask ACTION VALUE: runs the client; its output is appended to client.out.
ask() {
    "$examples/app-client" 127.0.0.1 "$port" "$1" "$2" \
        >>"$tmp/client.out" 2>>"$tmp/client.err" &
    client=$!
    pids="$pids $client"
    wait_exit "$client" 15
    [ "$status" -eq 0 ] || fail "app-client $1 $2 exited $status"
}
ask search morpheus
ask search ring
ask search "$(printf '\360\237\220\266')"
ask search "nobody"
ask echo "0123456789abcdef"
{
    printf 'Got result: Follow the white rabbit. \360\237\220\260\n'
    printf 'Got result: In the caves beneath the Misty Mountains. '
    printf '\360\237\222\215\n'
    printf 'Got result: \360\237\220\276 Playing ball! \360\237\217\220\n'
    printf 'Got result: No match for "nobody".\n'
    printf 'Got response: First 10 bytes of request: echo012345\n'
} >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong client output"
[ ! -s "$tmp/client.err" ] || fail "app-client wrote to stderr"

kill -TERM "$server"
wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "app-server exited $status after SIGTERM"
[ ! -s "$tmp/server.err" ] || fail "app-server wrote to stderr"
[ "$(grep -c '^request from 127\.0\.0\.1:[0-9]*: ' "$tmp/server.out")" \
    -eq 5 ] || fail "app-server did not log five requests"
grep -q ': binary/custom-client-binary-type, 20 bytes$' "$tmp/server.out" ||
    fail "app-server did not log the binary request"

# Failures.
"$examples/app-client" 127.0.0.1 >"$tmp/usage.out" 2>"$tmp/usage.err"
[ $? -eq 2 ] || fail "app-client with two arguments did not exit 2"
grep -q '^usage: app-client HOST PORT ACTION VALUE$' "$tmp/usage.err" ||
    fail "no usage line"
"$examples/app-server" 127.0.0.1 http >"$tmp/port.out" 2>"$tmp/port.err"
[ $? -eq 1 ] || fail "app-server with a bad port did not exit 1"
grep -q 'bad port "http"' "$tmp/port.err" || fail "no bad port message"
"$examples/app-client" 127.0.0.1 "$port" search ring \
    >"$tmp/refused.out" 2>"$tmp/refused.err"
[ $? -eq 1 ] || fail "app-client to a closed port did not exit 1"
[ ! -s "$tmp/refused.out" ] || fail "app-client printed on stdout"
grep -q "^app-client: .*Connection refused" "$tmp/refused.err" ||
    fail "no Connection refused on stderr"
exit 0
