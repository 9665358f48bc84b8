#!/bin/sh
# -u with -e/-c: a program per peer, as ncat --udp --exec does. Each
# datagram from the peer reaches the program's stdin, and each write of
# its output goes back as one datagram. The listener runs one program for
# the first peer and exits with it; with -k, one for every peer, each
# keeping its own state; -i shuts an idle program's stdin so that it can
# end; --frame turns its lines into messages. The client runs one program
# for its server. Peers: Python's socket, socat. Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat
need_python socket

# A peer that sends each argument as a datagram, one every 0.2 s, and
# prints each answer; it waits 1.5 s for the last.
cat >"$tmp/peer.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port %d" % s.getsockname()[1], flush=True)
s.settimeout(1.5)
for text in sys.argv[2:]:
    s.sendto(text.encode() + b"\n", ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.2)
try:
    while True:
        print("answer %r" % s.recv(100), flush=True)
except socket.timeout:
    pass
PY

# -k: two peers, each with its own program (its own count).
program='n=0; while read l; do n=$((n+1)); echo "$n: $l for $SKT_REMOTE_PORT"'
program="$program; done"
listen_skt keep /dev/null -u -k -c "$program" 127.0.0.1 0
keep=$pid
start a "$python" "$tmp/peer.py" "$port" one two
a=$pid
start b "$python" "$tmp/peer.py" "$port" three
b=$pid
wait_exit "$a" 5
wait_exit "$b" 5
a_port=$(sed -n 's/^port //p' "$tmp/a.out")
b_port=$(sed -n 's/^port //p' "$tmp/b.out")
expect_line "$tmp/a.out" "^answer b'1: one for $a_port\\\\n'\$" "a's first"
expect_line "$tmp/a.out" "^answer b'2: two for $a_port\\\\n'\$" "a's second"
expect_line "$tmp/b.out" "^answer b'1: three for $b_port\\\\n'\$" \
    "b's own program"
printf 'from socat\n' >"$tmp/socat-input"
run 10 socat sh -c 'exec socat -t 1 - "UDP4:127.0.0.1:$0" <"$1"' "$port" \
    "$tmp/socat-input"
expect_line "$tmp/socat.out" "^1: from socat for [0-9]+\$" "socat's answer"
kill -TERM "$keep"
wait_exit "$keep" 5
expect_status 143 "skt -u -l -k -c after SIGTERM"

# -i 0.5: the idle program's stdin is shut; it says bye and ends.
listen_skt idle /dev/null -u -k -i 0.5 \
    -c 'while read l; do echo "$l"; done; echo bye' 127.0.0.1 0
idle=$pid
start a "$python" "$tmp/peer.py" "$port" hello
a=$pid
wait_exit "$a" 5
expect_file "$tmp/a.out" "$(sed -n 1p "$tmp/a.out")
answer b'hello\\n'
answer b'bye\\n'" "-i: the echo, then the program's end"
stop "$idle"

# Without -k: one peer, and skt ends with its program (status 0).
listen_skt one /dev/null -u -e "sed -u -n s/^/got:/p;q" 127.0.0.1 0
one=$pid
start a "$python" "$tmp/peer.py" "$port" first second
a=$pid
wait_exit "$one" 5
expect_status 0 "skt -u -l -e after its program"
wait_exit "$a" 5
expect_line "$tmp/a.out" "^answer b'got:first\\\\n'\$" "the one answer"

# --frame len2: the program's lines as messages, one a datagram.
listen_skt framed /dev/null -u -k --frame len2 \
    -c 'while read l; do echo "re $l"; done' 127.0.0.1 0
framed=$pid
run 10 fpeer "$python" "$(dirname "$0")/lib/dgram_frames.py" client len2 \
    "$port" hello
expect_file "$tmp/fpeer.out" "got [b're hello']" "--frame: the answer"
stop "$framed"
expect_line "$tmp/framed.err" "not whole messages \\(datagram dropped\\)\$" \
    "--frame: the broken datagram's line"

# The client: its program talks to socat's echo.
free_port
# -T 3: each forked child (one per peer) ends 3 s after its last datagram,
# since a stop of the parent does not reach it.
start echo socat -T 3 "UDP4-LISTEN:$port,bind=127.0.0.1,fork" EXEC:cat
echo=$pid
wait_port u "$port" "$echo"
run 10 client "$skt" -u -c 'echo ping; read l; echo "heard $l" >&2' \
    127.0.0.1 "$port"
expect_status 0 "skt -u -c as a client"
expect_file "$tmp/client.err" "heard ping" "the program heard the echo"
stop "$echo"
exit 0
