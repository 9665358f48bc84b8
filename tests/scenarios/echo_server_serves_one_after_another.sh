#!/bin/sh
# Scenario: without SKT_EXAMPLE_ONCE, echo-server serves one client after
# another and keeps running: two clients in turn get their echoes, the
# server prints connected/closed for each in order, and is still listening
# afterwards.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

unset SKT_EXAMPLE_ONCE
start server "$examples/echo-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

for message in first second; do
    run 10 client "$examples/echo-client" 127.0.0.1 "$port" "$message"
    [ "$status" -eq 0 ] || fail "client $message exited $status"
    [ "$(cat "$tmp/client.out")" = "received \"$message\"" ] ||
        fail "client $message got a wrong echo"
done

# The server must still be running. Its "closed" line comes just after
# the client has gone, so give it a moment to be printed.
# shellcheck disable=SC2016 # eval expands it
wait_until 5 eval '[ "$(grep -c "^closed " "$tmp/server.out")" -eq 2 ]' ||
    fail "the server did not report two closed connections"
kill -0 "$server" 2>/dev/null || fail "the server exited after two clients"
[ ! -s "$tmp/server.err" ] || fail "echo-server wrote to stderr"
sed -n 's/^\([a-z]*\).*/\1/p' "$tmp/server.out" | tr '\n' ' ' >"$tmp/order"
[ "$(cat "$tmp/order")" = "listening connected closed connected closed " ] ||
    fail "server lines out of order: $(cat "$tmp/order")"
exit 0
