#!/bin/sh
# --frame on listeners and with programs, against Python clients that
# frame with struct and send each message in two halves with a pause
# between. -l -k: several clients at once, each message printed whole as
# one line (never mixed with another client's), stdin's lines sent to
# every client as messages; --broker: each message goes whole to the
# other clients; -e/-c: the program's output lines go out as messages and
# the messages received reach it as lines, one process per client with
# -k, and as a client too. Run by CTest as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python struct
client=$(dirname "$0")/lib/frame_client.py
frames=$(dirname "$0")/lib/frames.py

# fclient NAME PORT KIND COUNT [DELAY MESSAGE...]: frame_client.py as NAME.
fclient() {
    name=$1
    shift
    start "$name" without_fd3 "$python" "$client" "$@"
}

# -l -k: a's message is cut by a pause in which b sends a whole one; each
# comes out whole, b's first. Then stdin's line goes to both, as one
# message each, and after stdin's end their write side is shut down.
open_fifo stdin
start hub sh -c 'exec "$0" -v -l -k --frame len2 127.0.0.1 0 <"$1"' \
    "$skt" "$tmp/stdin"
hub=$pid
exec 3>"$tmp/stdin"
wait_listening "$tmp/hub.err" "$hub"
port=${address##*:}
fclient a "$port" len2 1 1 "message from a"
a=$pid
wait_lines "$tmp/hub.err" 2 "$hub"
fclient b "$port" len2 1 0 "message from b"
b=$pid
wait_lines "$tmp/hub.out" 2 "$hub"
expect_file "$tmp/hub.out" "$(printf 'message from b\nmessage from a')" \
    "-k --frame: each message whole, in the order they were complete"
echo "to everyone" >&3
exec 3>&-
wait_exit "$a" 5
wait_exit "$b" 5
expect_file "$tmp/a.out" "got [b'to everyone']" "stdin's message to a"
expect_file "$tmp/b.out" "got [b'to everyone']" "stdin's message to b"
kill -TERM "$hub"
wait_exit "$hub" 5
expect_status 143 "skt -l -k --frame after SIGTERM"

# --broker --frame line: a's message, cut in two, reaches b whole.
listen_skt broker /dev/null --broker --frame line 127.0.0.1 0
broker=$pid
fclient b "$port" line 1
b=$pid
wait_until 5 eval "[ \"\$(ss -Htn state established \"sport = :$port\" |
    wc -l)\" -ge 1 ]" || fail "b did not connect"
fclient a "$port" line 0 0.3 "from a to b"
a=$pid
wait_exit "$b" 5
expect_file "$tmp/b.out" "got [b'from a to b']" "--broker --frame: b got a's"
wait_exit "$a" 5
stop "$broker"

# -l --frame -e: the program reads the messages as lines and its output
# lines go back as messages (sed -u answers each line at once).
listen_skt one /dev/null --frame len4 -e "sed -u s/^/re:/" 127.0.0.1 0
one=$pid
fclient c "$port" len4 2 0 abc "d e f"
c=$pid
wait_exit "$c" 5
expect_file "$tmp/c.out" "got [b're:abc', b're:d e f']" \
    "--frame -e sed's answers"
wait_exit "$one" 5
expect_status 0 "skt -l --frame -e"

# -l -k --frame -c: one program per client, two at once.
program='while read l; do echo "$l for $SKT_REMOTE_PORT"; done'
listen_skt programs /dev/null -k --frame len1 -c "$program" 127.0.0.1 0
programs=$pid
fclient c1 "$port" len1 1 0.5 first
c1=$pid
fclient c2 "$port" len1 1 0.5 second
c2=$pid
wait_exit "$c1" 5
wait_exit "$c2" 5
expect_line "$tmp/c1.out" "^got \\[b'first for [0-9]+'\\]\$" \
    "-k --frame -c: the first client's answer"
expect_line "$tmp/c2.out" "^got \\[b'second for [0-9]+'\\]\$" \
    "-k --frame -c: the second client's answer"
stop "$programs"

# A client's program: its output lines go out as messages.
rm -f "$tmp/peer.out"
start peer "$python" "$frames" len2
peer=$pid
wait_listening "$tmp/peer.out" "$peer"
run 10 client "$skt" --frame len2 -c 'echo one; echo two words' 127.0.0.1 \
    "${address##*:}"
expect_status 0 "skt --frame -c as a client"
wait_exit "$peer" 5
expect_line "$tmp/peer.out" "^got \\[b'one', b'two words'\\]\$" \
    "the client program's lines as messages"
exit 0
