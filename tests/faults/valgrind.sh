#!/bin/sh
# A short session with one example server under valgrind
# (--leak-check=full --track-fds=yes --error-exitcode=1): good clients,
# a client that resets, a malformed request, then the server's own exit
# (SIGTERM, or SKT_EXAMPLE_ONCE=1 for the servers without a handler).
# Fails on any valgrind error, any leak, and any fd still open at exit
# that the server did not inherit.
#
#   sh valgrind.sh PLAIN_EXAMPLES_DIR PEERS_DIR SERVER
#
# PLAIN_EXAMPLES_DIR holds examples built without sanitizers. Exit 77
# without valgrind or python3.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

examples=$1
peers=$2
server=$3
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
python=$(command -v python3) || skip "python3 is not installed"

vg="valgrind --leak-check=full --track-fds=yes --error-exitcode=1
    --log-file=$tmp/valgrind.log"
args="127.0.0.1 0"
once=
case $server in
tls-echo-server)
    make_certs "$peers"
    args="$args $certs/server.pem $certs/server.key"
    once=1
    ;;
echo-server) once=1 ;;
esac
started=$(date +%s.%N)
# shellcheck disable=SC2086 # $vg and $args are lists of words
if [ -n "$once" ]; then
    start server env SKT_EXAMPLE_ONCE=1 $vg "$examples/$server" $args
else
    start server $vg "$examples/$server" $args
fi
srv=$pid
wait_listening "$tmp/server.out" "$srv" 60
port=${address##*:}
echo "$server under valgrind listening after $(since "$started") s"

# reset_client: connects, sends a little, resets (SO_LINGER 0).
reset_client() {
    "$python" - "$port" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"\x16\x03\x01\x00\x10partial")
time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
}

case $server in
echo-server)
    "$python" "$peers/echo_client.py" --timeout 30 127.0.0.1 "$port" \
        "hello" "under valgrind" >"$tmp/client.out" 2>&1 ||
        fail "echo_client.py failed"
    ;;
tls-echo-server)
    "$python" "$peers/tls_client.py" --port "$port" --cafile \
        "$certs/ca.pem" hello "under valgrind" >"$tmp/client.out" 2>&1 ||
        fail "tls_client.py failed"
    ;;
event-echo-server)
    reset_client || fail "the resetting client failed"
    "$python" "$peers/server_client.py" tcp "127.0.0.1:$port" --clients 5 \
        --messages 3 --size 20000 --timeout 30 >"$tmp/client.out" 2>&1 ||
        fail "server_client.py failed"
    ;;
app-server)
    reset_client || fail "the resetting client failed"
    "$python" "$peers/app_client.py" --timeout 30 127.0.0.1 "$port" search \
        morpheus >"$tmp/client.out" 2>&1 || fail "app_client.py failed"
    grep -q "Follow the white rabbit" "$tmp/client.out" ||
        fail "app-server answered wrong"
    "$python" "$peers/app_client.py" --timeout 30 127.0.0.1 "$port" \
        binary-thing "bytes" >>"$tmp/client.out" 2>&1 ||
        fail "app_client.py (binary) failed"
    ;;
esac
[ -z "$once" ] && kill -TERM "$srv"
wait_exit "$srv" 60
echo "$server under valgrind: session and exit in $(since "$started") s," \
    "status $status"
sed -n '/HEAP SUMMARY/,$p' "$tmp/valgrind.log" | sed 's/^==[0-9]*== //'
[ "$status" -eq 0 ] || fail "$server under valgrind exited $status"
grep -q "ERROR SUMMARY: 0 errors" "$tmp/valgrind.log" ||
    fail "valgrind found errors"
if grep -Eq "(definitely|indirectly|possibly) lost: [1-9]" \
    "$tmp/valgrind.log"; then
    fail "valgrind found leaks"
fi
# Every fd open at exit, less stdin/out/err and those inherited.
leaked=$(awk '
    /Open (file descriptor|AF_[A-Z0-9]* socket) [0-9]+/ {
        fd = $0; sub(/.*(descriptor|socket) /, "", fd); sub(/:.*/, "", fd)
        pending = (fd + 0 > 2) ? fd : ""
        next
    }
    pending != "" && /inherited from parent/ { pending = ""; next }
    pending != "" && /^==[0-9]+== *$/ { print pending; pending = "" }
    END { if (pending != "") print pending }
' "$tmp/valgrind.log")
[ -z "$leaked" ] || fail "fds left open at exit: $leaked"
echo "$server under valgrind: 0 errors, no leaks, no fds left open"
exit 0
