#!/bin/sh
# The progress bar in a real terminal (tmux), beyond skt send's: skt recv
# draws the receiving side's bar (bytes, total, rate, percentage, ETA)
# while a slow sender (Python, the wire format of skt send) spreads 20 MiB
# over about 2 s, erases it at the end, and redraws it at most about ten
# times a second (the \r that starts each redraw is counted in everything
# the pane was sent, logged by pipe-pane); --no-progress sends the
# terminal nothing at all during a transfer. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need tmux
need_python socket,hashlib
xfer=$(dirname "$0")/lib/xfer.py
mkdir "$tmp/data" "$tmp/dest"
head -c 20971520 /dev/zero >"$tmp/data/file.bin"
server=skt-cli-$$
trap 'tmux -L "$server" kill-server 2>/dev/null; cleanup' EXIT

# A sender of the skt send format that listens, prints "listening on
# 127.0.0.1:PORT", and sends SIZE bytes in 64 KiB pieces over SECONDS.
cat >"$tmp/slow-send.py" <<'PY'
import hashlib, socket, struct, sys, time
size, seconds = int(sys.argv[1]), float(sys.argv[2])
server = socket.create_server(("127.0.0.1", 0))
print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
conn, _ = server.accept()
began = time.monotonic()
piece = bytes(65536)
digest = hashlib.sha256()
conn.sendall(b"SKTF\x01" + struct.pack(">H", 8) + b"slow.bin" +
             struct.pack(">Q", size))
pieces = size // len(piece)
for _ in range(pieces):
    conn.sendall(piece)
    digest.update(piece)
    time.sleep(seconds / pieces)
conn.sendall(digest.digest())
conn.shutdown(socket.SHUT_WR)
conn.settimeout(10)
while conn.recv(65536):
    pass
print("sent in %.2f s" % (time.monotonic() - began), flush=True)
PY

# pane: the visible text of the test's tmux pane.
pane() {
    tmux -L "$server" capture-pane -p -t bar
}

# in_tmux LINE: runs the shell command LINE in a new tmux pane, logging
# everything sent to the terminal into $tmp/log from its start; waits for
# its "status N" line, leaving the pane in $tmp/pane.
in_tmux() {
    rm -f "$tmp/go" "$tmp/log"
    tmux -L "$server" new-session -d -s bar -x 100 -y 5 \
        "while [ ! -e '$tmp/go' ]; do sleep 0.05; done; $1; echo \"status \$?\"; sleep 30"
    tmux -L "$server" pipe-pane -t bar -o "cat >>'$tmp/log'" ||
        fail "tmux pipe-pane failed"
    touch "$tmp/go"
}

# finish_tmux: waits for the pane's "status N" line; kills the session.
finish_tmux() {
    wait_until 20 eval 'pane | grep -q "^status "' ||
        fail "skt hung: $(pane)"
    pane >"$tmp/pane"
    tmux -L "$server" kill-session -t bar
}

# skt recv from the slow sender: the bar while it runs, erased after.
rm -f "$tmp/sender.out"
start sender "$python" "$tmp/slow-send.py" 20971520 2
sender=$pid
wait_listening "$tmp/sender.out" "$sender"
in_tmux "cd '$tmp/dest' && '$skt' recv 127.0.0.1 ${address##*:}"
wait_until 10 eval 'pane | grep -q "MiB / 20\.0 MiB .* ETA "' ||
    fail "no progress bar for skt recv in the terminal: $(pane)"
pane >"$tmp/bar"
finish_tmux
wait_exit "$sender" 10
want='^[0-9.]+ MiB / 20\.0 MiB  [0-9.]+ [KMG]?i?B/s +[0-9]+%  '
expect_line "$tmp/bar" "${want}ETA [0-9]+:[0-9]{2}\$" "skt recv's bar"
expect_line "$tmp/pane" '^status 0$' "skt recv's status"
grep -q 'MiB' "$tmp/pane" && fail "skt recv's bar was left: $(cat "$tmp/pane")"
cmp -s "$tmp/dest/slow.bin" "$tmp/data/file.bin" || fail "skt recv's file differs"
# About 2 s of transfer (longer on a loaded machine): ten redraws a
# second at most, never one per read (some 320 reads).
took=$(sed -n 's/^sent in \([0-9.]*\) s$/\1/p' "$tmp/sender.out")
[ -n "$took" ] || fail "the sender did not say how long it took"
redraws=$(tr -cd '\r' <"$tmp/log" | wc -c)
most=$(awk -v t="$took" 'BEGIN { printf "%d", 11 * t + 4 }')
[ "$redraws" -ge 5 ] ||
    fail "skt recv redrew its bar $redraws times in $took s"
[ "$redraws" -le "$most" ] ||
    fail "skt recv redrew its bar $redraws times in $took s (over 10 a second)"
echo "skt recv's redraws in $took s: $redraws (at most $most)"

# --no-progress: the terminal gets nothing from skt send but the status.
rm -f "$tmp/slow.out"
start slow "$python" "$xfer" slow-recv 1.5
slow=$pid
wait_listening "$tmp/slow.out" "$slow"
in_tmux "'$skt' send --no-progress 127.0.0.1 ${address##*:} '$tmp/data/file.bin'"
finish_tmux
wait_exit "$slow" 10
expect_line "$tmp/slow.out" \
    '^got 2097[0-9]{4} bytes in ([1-9]|[1-9][0-9])\.[0-9] s$' \
    "--no-progress: a transfer long enough for a bar"
expect_line "$tmp/pane" '^status 0$' "skt send --no-progress's status"
[ "$(tr -d '\r\n' <"$tmp/log")" = "status 0" ] ||
    fail "--no-progress: the terminal got more than the status"
exit 0
