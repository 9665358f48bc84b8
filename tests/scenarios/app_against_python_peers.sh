#!/bin/sh
# Scenario: the application protocol against Python (tests/peers/
# app_server.py and app_client.py, written from the protocol's description
# with Python's socket, selectors, json and struct). The C client gets the
# same printed answers from the Python server as the Python client does,
# and the Python client gets them from the C server.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
set -u
examples=$1
peers=$2
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

# wait_listening FILE PID: sets $address from the "listening on ADDRESS"
# line that server PID writes into FILE, waiting up to 10 seconds.
wait_listening() {
    n=100
    while :; do
        address=$(sed -n 's/^listening on //p' "$1" 2>/dev/null)
        [ -n "$address" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the server exited before listening"
        [ "$n" -gt 0 ] || fail "no \"listening on\" line within 10 s"
        n=$((n - 1))
        sleep 0.1
    done
}

python=$(command -v python3) || python=/usr/bin/python3
"$python" -c 'import selectors, json, struct' 2>/dev/null || {
    echo "SKIP: python3 is not installed" >&2
    exit 77
}
dog=$(printf '\360\237\220\266')

# session NAME CLIENT...: sends every request with that client command;
# its outputs go to $tmp/NAME and $tmp/NAME.err.
session() {
    out=$1
    shift
    for request in "search morpheus" "search $dog" "search x\"y" \
        "upload abcdefghijklmnop"; do
        "$@" 127.0.0.1 "$port" "${request%% *}" "${request#* }" \
            >>"$tmp/$out" 2>>"$tmp/$out.err" &
        client=$!
        pids="$pids $client"
        wait_exit "$client" 15
        [ "$status" -eq 0 ] || fail "$* $request exited $status"
    done
}

# The Python server, with the C client and then the Python client.
"$python" "$peers/app_server.py" >"$tmp/pyserver.out" 2>"$tmp/pyserver.err" &
server=$!
pids=$server
wait_listening "$tmp/pyserver.out" "$server"
port=${address#127.0.0.1:}
session c_to_py "$examples/app-client"
session py_to_py "$python" "$peers/app_client.py"
kill -TERM "$server"
wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "app_server.py exited $status"

# The C server, with the Python client.
"$examples/app-server" 127.0.0.1 0 >"$tmp/cserver.out" 2>"$tmp/cserver.err" &
server=$!
pids=$server
wait_listening "$tmp/cserver.out" "$server"
port=${address#127.0.0.1:}
session py_to_c "$python" "$peers/app_client.py"
kill -TERM "$server"
wait_exit "$server" 10
pids=
[ "$status" -eq 0 ] || fail "app-server exited $status"

{
    printf 'Got result: Follow the white rabbit. \360\237\220\260\n'
    printf 'Got result: \360\237\220\276 Playing ball! \360\237\217\220\n'
    printf 'Got result: No match for "x"y".\n'
    printf 'Got response: First 10 bytes of request: uploadabcd\n'
} >"$tmp/expected"
for run in c_to_py py_to_py py_to_c; do
    cmp -s "$tmp/expected" "$tmp/$run" || fail "wrong output in $run"
    [ ! -s "$tmp/$run.err" ] || fail "stderr output in $run"
done
exit 0
