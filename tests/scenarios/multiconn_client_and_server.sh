#!/bin/sh
# Scenario: the selector examples of the HOWTO. multiconn-client opens 10
# connections at once against multiconn-server, each sends two messages
# and gets exactly them back (exit 0); a Python client is echoed too; the
# server logs each connection and stops cleanly on SIGTERM ("caught
# signal, exiting", status 0, nothing on stderr). Against a port where
# nothing listens, multiconn-client fails with the library's message.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
start server "$examples/multiconn-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

run 20 client "$examples/multiconn-client" 127.0.0.1 "$port" 10
[ "$status" -eq 0 ] || fail "multiconn-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "multiconn-client wrote to stderr"
for what in "starting connection" "closing connection"; do
    n=$(grep -c "^$what " "$tmp/client.out")
    [ "$n" -eq 10 ] || fail "$n \"$what\" lines, expected 10"
done
n=$(grep -c '^sending "Message [12] from client." to connection ' \
    "$tmp/client.out")
[ "$n" -eq 20 ] || fail "$n messages sent, expected 20"

"$python" "$peers/echo_client.py" 127.0.0.1 "$port" hello "two words" \
    >"$tmp/python.out" 2>"$tmp/python.err" || fail "echo_client.py failed"
printf 'received "%s"\n' hello "two words" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/python.out" || fail "wrong echoes to Python"

kill -TERM "$server"
wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "multiconn-server exited $status on SIGTERM"
[ ! -s "$tmp/server.err" ] || fail "multiconn-server wrote to stderr"
n=$(grep -c '^accepted connection from 127.0.0.1:' "$tmp/server.out")
[ "$n" -eq 11 ] || fail "$n connections accepted, expected 11"
n=$(grep -c '^closing connection to 127.0.0.1:' "$tmp/server.out")
[ "$n" -eq 11 ] || fail "$n connections closed, expected 11"
tail -n 1 "$tmp/server.out" | grep -q '^caught signal, exiting$' ||
    fail "no \"caught signal, exiting\" at the end"

# Nothing listens on the port any more.
"$examples/multiconn-client" 127.0.0.1 "$port" 2 >"$tmp/refused.out" \
    2>"$tmp/refused.err"
[ $? -eq 1 ] || fail "multiconn-client against a closed port did not exit 1"
grep -q 'Connection refused' "$tmp/refused.err" ||
    fail "no \"Connection refused\" in the client's error"
exit 0
