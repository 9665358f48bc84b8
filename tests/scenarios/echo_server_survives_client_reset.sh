#!/bin/sh
# Scenario: a client that aborts its connection (a TCP reset, sent by
# Python's socket module with SO_LINGER 0) costs echo-server that client
# only: the error goes to stderr, the connection is reported closed, and
# the next client is served as usual.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
unset SKT_EXAMPLE_ONCE
start server "$examples/echo-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

"$python" - "$port" >"$tmp/reset.out" 2>&1 <<'PYTHON' &
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"x" * 100000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PYTHON
reset=$!
pids="$pids $reset"
wait_exit "$reset" 10
[ "$status" -eq 0 ] || fail "the resetting client exited $status"

# The error is reported once the server sees the reset.
# shellcheck disable=SC2016 # eval expands it
wait_until 5 eval '[ -s "$tmp/server.err" ] &&
    grep -q "^closed " "$tmp/server.out"' ||
    fail "the server did not report the aborted connection"
grep -q '^echo-server: ..' "$tmp/server.err" || fail "no error message"

run 10 client "$examples/echo-client" 127.0.0.1 "$port" "still here"
[ "$status" -eq 0 ] || fail "the next client exited $status"
[ "$(cat "$tmp/client.out")" = 'received "still here"' ] ||
    fail "the next client got a wrong echo"
kill -0 "$server" 2>/dev/null || fail "the server exited"
exit 0
