#!/bin/sh
# Scenario: the skt echo-client against a server written with Python's
# socket module: each message comes back exactly (a 100000-byte one too,
# which needs recv_exact to gather many reads), the client exits 0 with
# nothing on stderr, and the Python server sees a clean close and exits 0.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
start server "$python" "$peers/echo_server.py" --timeout 15
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

big=$(head -c 100000 /dev/zero | tr '\0' y)
run 15 client "$examples/echo-client" 127.0.0.1 "$port" hello "" \
    "two words" "$big"
[ "$status" -eq 0 ] || fail "echo-client exited $status"
[ ! -s "$tmp/client.err" ] || fail "echo-client wrote to stderr"
printf 'received "%s"\n' hello "" "two words" "$big" >"$tmp/expected"
cmp -s "$tmp/expected" "$tmp/client.out" || fail "wrong echoes"

wait_exit "$server" 5
[ "$status" -eq 0 ] || fail "echo_server.py exited $status"
exit 0
