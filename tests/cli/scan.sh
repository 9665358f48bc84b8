#!/bin/sh
# -z HOST PORTS: over five consecutive ports, of which Python listens on
# the first, third and fifth, skt prints "PORT open" for those three in
# port order and exits 0; -v adds "PORT closed" for the others; a list
# with no open port exits 1 and prints nothing. Run by CTest as: sh THIS
# SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python socket

cat >"$tmp/ports.py" <<'PY'
import socket, time
# Five consecutive free ports; listen on the 1st, 3rd and 5th.
while True:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    base = probe.getsockname()[1]
    probe.close()
    if base + 4 > 65535:
        continue
    held = []
    try:
        for offset in range(5):
            s = socket.socket()
            s.bind(("127.0.0.1", base + offset))
            held.append(s)
    except OSError:
        for s in held:
            s.close()
        continue
    break
for offset in (1, 3):
    held[offset].close()
for offset in (0, 2, 4):
    held[offset].listen()
print("base %d" % base, flush=True)
time.sleep(20)
PY
start ports "$python" "$tmp/ports.py"
ports=$pid
wait_line "$tmp/ports.out" "$ports" '^base \([0-9]*\)$'
base=$line
range="$base-$((base + 4))"

run 10 scan "$skt" -z 127.0.0.1 "$range"
expect_status 0 "-z over $range"
expect_file "$tmp/scan.out" "$(printf '%d open\n%d open\n%d open' "$base" \
    $((base + 2)) $((base + 4)))" "-z: the open ports"
expect_empty "$tmp/scan.err" "-z's stderr"

run 10 verbose "$skt" -z -v 127.0.0.1 "$((base + 4)),$base-$((base + 3))"
expect_status 0 "-z -v"
every=$(printf '%d open\n%d closed\n%d open\n%d closed\n%d open' "$base" \
    $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)))
expect_file "$tmp/verbose.out" "$every" "-z -v: every port, in order"
want='^skt: scanning 127\.0\.0\.1 \(127\.0\.0\.1\)$'
expect_one_line "$tmp/verbose.err" "$want" "-z -v's stderr"

run 10 none "$skt" -z 127.0.0.1 "$((base + 1)),$((base + 3))"
expect_status 1 "-z with no open port"
expect_empty "$tmp/none.out" "-z with no open port: stdout"
stop "$ports"
exit 0
