#!/bin/sh
# Scenario: echo-server and tls-echo-server run out of fds and go on
# serving. Each serves one connection at a time, so idle clients wait in
# its backlog instead of holding its fds; the process is put out of fds
# from outside: once it listens, its soft RLIMIT_NOFILE is lowered to the
# lowest fd it has free (as `ulimit -n` would, had it used up the rest),
# so that every accept fails with EMFILE (after one more connection, if it
# was waiting in accept already). Ten idle clients connect, wait two
# seconds and close. The server must still be running, say "Too many
# open files" on stderr a bounded number of times, and not spin: the CPU
# it uses over those two seconds (not since it started: valgrind's
# start-up alone costs seconds) stays under a second's worth; once the
# limit is given back, a new client gets its echo (over TLS
# too). An accept loop that ends on one EMFILE fails here.
# Run by CTest as: sh THIS EXAMPLES_DIR PEERS_DIR (exit 77: skipped).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"

need_python ssl,resource
make_certs "$peers"
unset SKT_EXAMPLE_ONCE
hz=$(getconf CLK_TCK 2>/dev/null) || hz=100

# start_server NAME: starts example NAME on 127.0.0.1, port 0; sets
# $server and $port.
start_server() {
    if [ "$1" = tls-echo-server ]; then
        start server "$examples/$1" 127.0.0.1 0 "$certs/server.pem" \
            "$certs/server.key"
    else
        start server "$examples/$1" 127.0.0.1 0
    fi
    server=$pid
    wait_listening "$tmp/server.out" "$server"
    port=${address#127.0.0.1:}
}

# good_client NAME: one echo from the server NAME, in plain TCP or TLS.
good_client() {
    if [ "$1" = tls-echo-server ]; then
        run 20 client "$python" "$peers/tls_client.py" --port "$port" \
            --cafile "$certs/ca.pem" --timeout 15 hello
        head -n 1 "$tmp/client.out"
    else
        run 20 client "$examples/echo-client" 127.0.0.1 "$port" hello
        cat "$tmp/client.out"
    fi >"$tmp/client.first"
    [ "$status" -eq 0 ] || fail "$1: the client after the fds came back" \
        "exited $status"
    [ "$(cat "$tmp/client.first")" = 'received "hello"' ] ||
        fail "$1: no echo after the fds came back"
}

# The clients' scripts (files: a background job's stdin is /dev/null).
mkdir "$tmp/py"
cat >"$tmp/py/come_and_go.py" <<'PY'
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()
PY
# Ten idle clients for two seconds.
cat >"$tmp/py/idle.py" <<'PY'
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
        for _ in range(10)]
time.sleep(2)
for s in held:
    s.close()
PY

for example in echo-server tls-echo-server; do
    rm -f "$tmp"/*.out "$tmp"/*.err "$tmp"/*.first
    start_server "$example"
    fd_limit "$server"
    saved=$line
    # A server already waiting in accept holds the fd the kernel gave it
    # for the next connection: a client that comes and goes uses it up.
    "$python" "$tmp/py/come_and_go.py" "$port" ||
        fail "$example: the first client could not connect"
    wait_until 5 grep -q 'Too many open files' "$tmp/server.err" ||
        fail "$example did not say it ran out of fds"

    # The CPU of the period out of fds: ticks at its start and its end.
    cpu_ticks "$server"
    ticks_before=$line
    run 20 idle "$python" "$tmp/py/idle.py" "$port"
    kill -0 "$server" 2>/dev/null ||
        fail "$example stopped serving when it ran out of fds"
    [ "$status" -eq 0 ] || fail "$example: the idle clients failed"
    cpu_ticks "$server"
    ticks=$((line - ticks_before))
    # Two seconds out of fds must not have cost a second of CPU (a spin).
    [ "$ticks" -lt "$hz" ] ||
        fail "$example used $ticks ticks of CPU ($hz a second) in 2 s" \
            "out of fds"
    echo "$example: $ticks ticks of CPU ($hz a second) in 2 s out of fds"
    # The pauses double up to 1 s: about ten lines in two seconds.
    pauses=$(grep -c 'accepting again within' "$tmp/server.err")
    [ "$pauses" -le 20 ] || fail "$example paused $pauses times in 2 s"

    fd_limit "$server" "$saved"
    good_client "$example"
    kill -0 "$server" 2>/dev/null || fail "$example exited after the client"
    stop "$server"
done
exit 0
