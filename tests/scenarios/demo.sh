#!/bin/sh
# Scenario: scripts/demo (what `make demo` runs) passes against the built
# examples and shows both sides; and when the client fails, the demo fails
# too and leaves no server behind.
# Run by CTest as: sh demo.sh EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

# The real run: exit 0, both echoes, both sides' lines.
sh "$root/scripts/demo" "$examples" >"$tmp/demo.out" 2>&1 &
pids=$!
wait_exit "$pids" 20
[ "$status" -eq 0 ] || fail "scripts/demo exited $status"
grep -q '^server| listening on 127\.0\.0\.1:[1-9][0-9]*$' "$tmp/demo.out" ||
    fail "no server line with the chosen port"
grep -q '^server| connected by 127\.0\.0\.1:[1-9][0-9]*$' "$tmp/demo.out" ||
    fail "no server line for the connection"
grep -q '^server| closed 127\.0\.0\.1:[1-9][0-9]*$' "$tmp/demo.out" ||
    fail "no server line for the closed connection"
grep -Fqx 'client| received "Hello, world"' "$tmp/demo.out" ||
    fail "no first echo"
grep -Fqx "client| received \"skt speaks Python's socket\"" "$tmp/demo.out" ||
    fail "no second echo"
grep -Fqx 'demo: ok' "$tmp/demo.out" || fail "no final ok"

# A client that fails at once: the demo must fail and kill the server,
# which would otherwise wait for a connection forever.
mkdir "$tmp/broken"
ln -s "$examples/echo-server" "$tmp/broken/echo-server"
printf '#!/bin/sh\necho "broken client" >&2\nexit 3\n' \
    >"$tmp/broken/echo-client"
chmod +x "$tmp/broken/echo-client"
sh "$root/scripts/demo" "$tmp/broken" >"$tmp/broken.out" 2>&1 &
pids=$!
wait_exit "$pids" 20
[ "$status" -eq 1 ] || fail "scripts/demo with a failing client exited $status"
grep -Fqx 'client| broken client' "$tmp/broken.out" ||
    fail "the failing client's output was not shown"
port=$(sed -n 's/^server| listening on 127\.0\.0\.1://p' "$tmp/broken.out")
[ -n "$port" ] || fail "the server of the failing run did not listen"
# Once the server is gone its port refuses connections. A probe that gets
# an echo means the server was left running.
# shellcheck disable=SC2317 # called by wait_until
refused() {
    "$examples/echo-client" 127.0.0.1 "$port" ping >"$tmp/probe.out" 2>&1
    case $? in
    0) fail "the server of the failing run was left running" ;;
    1) grep -q 'Connection refused' "$tmp/probe.out" ;;
    *) return 1 ;;
    esac
}
wait_until 3 refused || fail "the port of the failing run does not refuse"
exit 0
