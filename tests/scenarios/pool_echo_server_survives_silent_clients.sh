#!/bin/sh
# Scenario: pool-echo-server, started with a short idle timeout (-i 0.3),
# has 20 silent connections open, more than its pool has threads (online
# CPUs + 4, at most 32). A good client still gets its echo, because each
# silent connection is closed once it has been idle 0.3 s, which frees its
# thread; the server says so on stderr ("timed out") and every silent
# client sees its connection closed. Without an idle timeout the pool
# would stay taken for good.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket
start server "$examples/pool-echo-server" -i 0.3 127.0.0.1 0
server=$pid
wait_listening "$tmp/server.out" "$server"
port=${address#127.0.0.1:}

# Twenty clients connect and say nothing; each reports the server's close.
# (A background job's stdin is /dev/null, so the script is a file.)
mkdir "$tmp/py"
cat >"$tmp/py/silent.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(20)]
print("connected", len(held), flush=True)
closed = 0
for s in held:
    s.settimeout(20)
    try:
        closed += s.recv(1) == b""
    except ConnectionResetError:
        closed += 1
print("closed by the server", closed, flush=True)
PY
start silent "$python" "$tmp/py/silent.py" "$port"
silent=$pid
wait_line "$tmp/silent.out" "$silent" '^connected \(20\)$' 10 \
    '"connected 20" line'

run 20 client "$examples/echo-client" 127.0.0.1 "$port" "good client"
[ "$status" -eq 0 ] || fail "the good client exited $status"
[ "$(cat "$tmp/client.out")" = 'received "good client"' ] ||
    fail "the good client got a wrong echo"

wait_exit "$silent" 20
[ "$status" -eq 0 ] || fail "the silent clients exited $status"
grep -qx 'closed by the server 20' "$tmp/silent.out" ||
    fail "the server did not close every silent connection"
grep -q 'timed out' "$tmp/server.err" ||
    fail "the server did not report the idle connections"

kill -TERM "$server"
wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "pool-echo-server exited $status after SIGTERM"
exit 0
