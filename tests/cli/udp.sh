#!/bin/sh
# -u: each read of stdin is one datagram and each datagram received is
# written out whole. The client exits 0 one second (-i) after stdin's end;
# a port nobody listens on gives status 1 and a line naming it. The
# listener answers the first peer it hears from and ignores the others;
# with -k it hears everyone. Peers: socat, Python's socket. Run by CTest
# as: sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat
need_python socket

# The client, against socat echoing each datagram (cat).
printf 'hello udp\n' >"$tmp/input"
free_port
# -T 3: each forked child (one per peer) ends 3 s after its last datagram,
# since a stop of the parent does not reach it.
start server socat -T 3 "UDP4-LISTEN:$port,bind=127.0.0.1,fork" EXEC:cat
server=$pid
wait_port u "$port" "$server"
begin=$(now)
run 10 client skt_with "$tmp/input" -u 127.0.0.1 "$port"
elapsed_since "$begin"
expect_status 0 "skt -u"
expect_file "$tmp/client.out" "hello udp" "the echoed datagram"
expect_empty "$tmp/client.err" "skt -u's stderr"
between "$elapsed" 1 2.5 "the linger after stdin's end"
run 10 short skt_with "$tmp/input" -u -i 0.3 127.0.0.1 "$port"
expect_file "$tmp/short.out" "hello udp" "-i 0.3: the echoed datagram"
stop "$server"

# Nobody listens: the ICMP error ends it.
free_port
run 10 refused skt_with "$tmp/input" -u 127.0.0.1 "$port"
expect_status 1 "skt -u to a closed port"
want="^skt: datagrams to 127\\.0\\.0\\.1:$port: Connection refused"
expect_one_line "$tmp/refused.err" "$want" "the closed port's failure"

# The listener: a answers first, so b is ignored; skt's stdin goes to a.
cat >"$tmp/peers.py" <<'PY'
import socket, sys
to = ("127.0.0.1", int(sys.argv[1]))
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.settimeout(5)
a.sendto(b"one\n", to)
print("a got %r" % a.recvfrom(100)[0], flush=True)
b.sendto(b"from b\n", to)
a.sendto(b"two\n", to)
PY
printf 'answer\n' >"$tmp/answer"
listen_skt listener "$tmp/answer" -u 127.0.0.1 0
listener=$pid
run 10 peers "$python" "$tmp/peers.py" "$port"
expect_file "$tmp/peers.out" "a got b'answer\\n'" "the first peer's answer"
wait_exit "$listener" 5
expect_status 0 "skt -u -l"
expect_file "$tmp/listener.out" "$(printf 'one\ntwo')" "the first peer only"

# -k: every peer is heard.
listen_skt keep "$tmp/answer" -u -k 127.0.0.1 0
keep=$pid
run 10 peers "$python" "$tmp/peers.py" "$port"
wait_exit "$keep" 5
expect_file "$tmp/keep.out" "$(printf 'one\nfrom b\ntwo')" "-k: every peer"
exit 0
