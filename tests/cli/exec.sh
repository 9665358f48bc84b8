#!/bin/sh
# -e and -c: a program per connection, with the connection as its stdin
# and stdout and SKT_REMOTE_ADDR, SKT_REMOTE_PORT, SKT_LOCAL_ADDR and
# SKT_LOCAL_PORT in its environment. With -k, several clients are served
# at once, each by its own process; -m 1 serves them one at a time.
# Without -k, one client, then skt exits with 0 when the program did. A
# client skt runs -e too. Clients are Python sockets and ncat. Run by
# CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python socket
need ncat

# -k -c: three clients at once, each answered by its own shell.
program='read l; echo "$l for $SKT_REMOTE_ADDR at '
program=$program'$SKT_LOCAL_ADDR:$SKT_LOCAL_PORT"; sleep 2'
listen_skt server /dev/null -k 127.0.0.1 0 -c "$program"
server=$pid
begin=$(now)
for i in 1 2 3; do
    start_client "client$i" "$port" "client $i" 5
    eval "client$i=\$pid"
done
for i in 1 2 3; do
    eval "wait_exit \$client$i 5"
    answer="client $i for 127.0.0.1 at 127.0.0.1:$port"
    answer=$(printf "got b'%s\\\\n'\neof" "$answer")
    expect_file "$tmp/client$i.out" "$answer" "-c's answer to client $i"
done
elapsed_since "$begin"
between "$elapsed" 2 5 "three clients of 2 s each, at once (not 6 s)"
kill -TERM "$server"
wait_exit "$server" 5
expect_status 143 "SIGTERM"

# -k -m 1: the second client waits for the first one's program.
listen_skt one /dev/null -k -m 1 -c 'sleep 0.6; echo done' 127.0.0.1 0
one=$pid
begin=$(now)
start_client first "$port" - 5
first=$pid
start_client second "$port" - 5
second=$pid
wait_exit "$first" 5
wait_exit "$second" 5
elapsed_since "$begin"
between "$elapsed" 1.2 5 "two clients of 0.6 s each, one at a time"
expect_file "$tmp/second.out" "$(printf "got b'done\\\\n'\neof")" \
    "-m 1: the second client"
stop "$one"

# Without -k: one client; -e splits its command at spaces (no shell);
# skt exits 0 after the program did.
listen_skt echo /dev/null -e "tr a-z A-Z" 127.0.0.1 0
echo=$pid
printf 'echo me\n' >"$tmp/line"
run 10 peer sh -c 'exec ncat 127.0.0.1 "$0" <"$1"' "$port" "$tmp/line"
expect_file "$tmp/peer.out" "ECHO ME" "-e tr's answer"
wait_exit "$echo" 5
expect_status 0 "skt -l -e after one client"

# A client runs -e too: the program talks to the server (ncat).
free_port
start server sh -c 'exec ncat -l 127.0.0.1 "$0" <"$1"' "$port" "$tmp/line"
server=$pid
wait_port t "$port" "$server"
run 10 client "$skt" -c 'read l; echo "got $l from $SKT_REMOTE_PORT"' \
    127.0.0.1 "$port"
expect_status 0 "skt -c as a client"
wait_exit "$server" 5
expect_file "$tmp/server.out" "got echo me from $port" "ncat received"

# A program that cannot run: status 1, its error on stderr.
listen_skt bad /dev/null -e /nonexistent/program 127.0.0.1 0
bad=$pid
run 10 peer sh -c 'exec ncat 127.0.0.1 "$0" </dev/null' "$port"
wait_exit "$bad" 5
expect_status 1 "skt -e with a missing program"
expect_line "$tmp/bad.err" "^skt: exec /nonexistent/program: No such file" \
    "the missing program's error"

# -i over a program: a client that sends nothing, to a program that waits
# for input, is closed after 0.5 s idle; skt exits 4 with one line.
listen_skt idle /dev/null -i 0.5 -e cat 127.0.0.1 0
idle=$pid
begin=$(now)
start_client quiet "$port" - 5
quiet=$pid
wait_exit "$quiet" 5
wait_exit "$idle" 5
expect_status 4 "skt -l -i 0.5 -e cat, with an idle client"
elapsed_since "$begin"
between "$elapsed" 0.4 3 "-i 0.5 over -e: closed after 0.5 s"
expect_file "$tmp/quiet.out" "$(printf "got b''\neof")" \
    "-i over -e: the client saw the end"
expect_line "$tmp/idle.err" "^skt: idle for 0\.5 s: no data either way$" \
    "-i over -e: the line"
[ "$(grep -c '^skt:' "$tmp/idle.err")" -eq 1 ] || fail "-i over -e: one line"
exit 0
