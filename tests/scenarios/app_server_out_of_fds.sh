#!/bin/sh
# Scenario: app-server runs out of fds (ulimit -n 24) while 40 idle
# clients hold connections. It says so on stderr ("Too many open files"),
# pauses accepting instead of spinning, and once the idle clients leave it
# serves a real request; SIGTERM still stops it with status 0.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python socket "python3 is not installed"
# shellcheck disable=SC2016 # $0 is for the inner sh to expand
start server sh -c 'ulimit -n 24 && exec "$0" 127.0.0.1 0' \
    "$examples/app-server"
server=$pid
wait_listening "$tmp/server.out" "$server" 10
port=${address#127.0.0.1:}

# Forty idle clients for two seconds; the server has room for about 18.
"$python" - "$port" >"$tmp/idle.out" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
time.sleep(2)
for s in held:
    s.close()
PY
idle=$!
pids="$pids $idle"
wait_exit "$idle" 20
[ "$status" -eq 0 ] || fail "the idle clients failed"
cpu_before=$(awk '{print $14 + $15}' "/proc/$server/stat")

run 20 client "$examples/app-client" 127.0.0.1 "$port" search morpheus
[ "$status" -eq 0 ] || fail "app-client exited $status"
grep -q '^Got result: Follow the white rabbit' "$tmp/client.out" ||
    fail "no answer after the server ran out of fds"
grep -q 'Too many open files' "$tmp/server.err" ||
    fail "the server did not report running out of fds"
# Two seconds out of fds must not have cost seconds of CPU (a spin).
[ "$cpu_before" -lt 100 ] || fail "the server used $cpu_before ticks of CPU"

kill -TERM "$server"
wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "app-server exited $status after SIGTERM"
exit 0
