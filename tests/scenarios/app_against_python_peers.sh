#!/bin/sh
# Scenario: the application protocol against Python (tests/peers/
# app_server.py and app_client.py, written from the protocol's description
# with Python's socket, selectors, json and struct). The C client gets the
# same printed answers from the Python server as the Python client does,
# and the Python client gets them from the C server.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python 'selectors, json, struct' "python3 is not installed"
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
start pyserver "$python" "$peers/app_server.py"
server=$pid
wait_listening "$tmp/pyserver.out" "$server" 10
port=${address#127.0.0.1:}
session c_to_py "$examples/app-client"
session py_to_py "$python" "$peers/app_client.py"
kill -TERM "$server"
wait_exit "$server" 10
[ "$status" -eq 0 ] || fail "app_server.py exited $status"

# The C server, with the Python client.
start cserver "$examples/app-server" 127.0.0.1 0
server=$pid
wait_listening "$tmp/cserver.out" "$server" 10
port=${address#127.0.0.1:}
session py_to_c "$python" "$peers/app_client.py"
kill -TERM "$server"
wait_exit "$server" 10
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
