#!/bin/sh
# -l -k serves clients at the same time, as ncat does: every client's data
# goes to stdout, stdin goes to every client, and after stdin's end every
# current and later client's write side is shut down (each sees EOF).
# --broker: each client's data goes to the other clients. -m 2: a third
# client waits until one leaves. SIGTERM ends the listener with 143.
# Clients are Python sockets. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python socket

# Three clients at once; stdin to all of them.
open_fifo input
start server skt_with "$tmp/input" -l -k 127.0.0.1 0
server=$pid
exec 3>"$tmp/input"
wait_listening "$tmp/server.err" "$server"
port=${address##*:}
for i in 1 2 3; do
    start_client "client$i" "$port" "client $i" 5
    eval "client$i=\$pid"
done
wait_lines "$tmp/server.out" 3 "$server"
echo broadcast >&3
exec 3>&-
for i in 1 2 3; do
    eval "wait_exit \$client$i 5"
    expect_file "$tmp/client$i.out" "$(printf "got b'broadcast\\\\n'\neof")" \
        "client $i"
done
start_client late "$port" late 5
wait_exit "$pid" 5
expect_file "$tmp/late.out" "$(printf "got b''\neof")" \
    "a client after stdin's end"
sort "$tmp/server.out" >"$tmp/sorted"
expect_file "$tmp/sorted" "$(printf 'client 1\nclient 2\nclient 3\nlate')" \
    "the listener's stdout"
kill -TERM "$server"
wait_exit "$server" 5
expect_status 143 "SIGTERM"

# --broker: client a's line goes to b and c, not back to a.
listen_skt broker /dev/null -v --broker 127.0.0.1 0
broker=$pid
start_client b "$port" - 3
start_client c "$port" - 3
wait_until 5 eval "[ \$(grep -c 'connection from' '$tmp/broker.err') = 2 ]" ||
    fail "--broker: b and c did not connect"
start_client a "$port" "from a" 1
a=$pid
wait_exit "$a" 5
expect_file "$tmp/a.out" "$(printf "got b''\nopen")" "--broker: a"
for name in b c; do
    wait_until 5 grep -q open "$tmp/$name.out" || fail "$name did not end"
    expect_file "$tmp/$name.out" "$(printf "got b'from a\\\\n'\nopen")" \
        "--broker: $name"
done
expect_empty "$tmp/broker.out" "--broker wrote to stdout"
kill -INT "$broker"
wait_exit "$broker" 5
expect_status 130 "SIGINT"

# -m 2: the third client is served only once the first has left.
listen_skt most /dev/null -k -m 2 --no-shutdown 127.0.0.1 0
most=$pid
start_client one "$port" one 2
start_client two "$port" two 3
wait_lines "$tmp/most.out" 2 "$most"
start_client three "$port" three 3
sleep 0.5
grep -q three "$tmp/most.out" && fail "-m 2 served a third client"
wait_lines "$tmp/most.out" 3 "$most"
stop "$most"
exit 0
