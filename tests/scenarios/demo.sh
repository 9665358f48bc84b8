#!/bin/sh
# Scenario: scripts/demo (what `make demo` runs) passes against the built
# examples and shows both sides; and when the client fails, the demo fails
# too and leaves no server behind.
# Run by CTest as: sh demo.sh EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
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
n=30
while :; do
    "$examples/echo-client" 127.0.0.1 "$port" ping >"$tmp/probe.out" 2>&1
    case $? in
    0) fail "the server of the failing run was left running" ;;
    1) grep -q 'Connection refused' "$tmp/probe.out" && break ;;
    esac
    [ "$n" -gt 0 ] || fail "the port of the failing run does not refuse"
    n=$((n - 1))
    sleep 0.1
done
exit 0
