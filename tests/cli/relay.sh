#!/bin/sh
# skt relay ADDR ADDR between each pair of address kinds that makes sense,
# with peers we did not write: Python's socket and ssl, socat, openssl
# s_server. Each end of data is carried through as a half-close: a client
# that shuts down writing still reads the answer, either way round, over
# TCP, TLS (close_notify), Unix sockets, a program and stdio. UDP
# datagrams go through whole. -k serves several clients at once, each
# with its own relay; -i ends an idle relay (status 4); a malformed
# address is exit status 2 and one line. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need socat
need_python ssl
make_certs

# The Python peers of this test.
cat >"$tmp/half.py" <<'PY'
"""Peers that half-close (Python's socket and ssl).

    half.py client PORT TEXT         send TEXT, shut down writing, print
                                     "got <repr>" of what comes until EOF
    half.py server TEXT              listen, print "listening on ...";
                                     send TEXT, shut down writing, then
                                     print "got <repr>" of what comes
    half.py tls-client PORT CA TEXT  over TLS (name localhost): send TEXT,
                                     print what comes until the server's
                                     close_notify, answer it (unwrap)
    half.py udp-upper                a UDP server: each datagram back in
                                     upper case, until 5 s pass idle
    half.py udp-client PORT SIZE...  a datagram of each SIZE, and prints
                                     the size of each answer
    half.py limit PORT               three clients that stay connected,
                                     through a relay of at most two at
                                     once to a server that greets each
                                     connection: prints whether each is
                                     greeted, and the third only after
                                     the first leaves
"""
import socket
import ssl
import sys


def read_to_eof(conn):
    got = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return got
        got += chunk


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "client":
        conn = socket.create_connection(("127.0.0.1", int(args[0])), 10)
        conn.settimeout(10)
        conn.sendall(args[1].encode())
        conn.shutdown(socket.SHUT_WR)
        print("got %r" % read_to_eof(conn), flush=True)
    elif mode == "server":
        server = socket.create_server(("127.0.0.1", 0))
        print("listening on 127.0.0.1:%d" % server.getsockname()[1],
              flush=True)
        server.settimeout(10)
        conn, _ = server.accept()
        conn.settimeout(10)
        conn.sendall(args[0].encode())
        conn.shutdown(socket.SHUT_WR)
        print("got %r" % read_to_eof(conn), flush=True)
    elif mode == "tls-client":
        ctx = ssl.create_default_context(cafile=args[1])
        raw = socket.create_connection(("127.0.0.1", int(args[0])), 10)
        conn = ctx.wrap_socket(raw, server_hostname="localhost")
        conn.settimeout(10)
        conn.sendall(args[2].encode())
        print("got %r" % read_to_eof(conn), flush=True)
        conn.unwrap().close()
    elif mode == "udp-upper":
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        server.bind(("127.0.0.1", 0))
        print("listening on 127.0.0.1:%d" % server.getsockname()[1],
              flush=True)
        server.settimeout(5)
        try:
            while True:
                data, peer = server.recvfrom(70000)
                server.sendto(data.upper(), peer)
        except socket.timeout:
            pass
    elif mode == "limit":
        def greeted(conn, seconds):
            conn.settimeout(seconds)
            try:
                return conn.recv(100) == b"hello\n"
            except socket.timeout:
                return False
        port = int(args[0])
        first = socket.create_connection(("127.0.0.1", port), 10)
        print("1 greeted" if greeted(first, 5) else "1 not greeted",
              flush=True)
        second = socket.create_connection(("127.0.0.1", port), 10)
        print("2 greeted" if greeted(second, 5) else "2 not greeted",
              flush=True)
        # Connected by the kernel (the listen backlog), not yet taken.
        third = socket.create_connection(("127.0.0.1", port), 10)
        print("3 greeted while 2 are held" if greeted(third, 1.0)
              else "3 waits while 2 are held", flush=True)
        first.close()
        print("3 greeted after 1 left" if greeted(third, 5)
              else "3 not greeted after 1 left", flush=True)
        second.close()
        third.close()
    elif mode == "udp-client":
        conn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        conn.connect(("127.0.0.1", int(args[0])))
        conn.settimeout(5)
        for size in args[1:]:
            conn.send(b"a" * int(size))
            answer = conn.recv(70000)
            ok = answer == b"A" * int(size)
            print("%d %s" % (len(answer), "upper" if ok else "wrong"),
                  flush=True)


main()
PY
# half MODE ARGUMENT...: runs half.py, for start and run.
# shellcheck disable=SC2317 # called through start and run
half() {
    exec "$python" "$tmp/half.py" "$@"
}

# relay_listening NAME ARGUMENT...: starts `skt relay ARGUMENT...` (a
# listener on port 0 first) with stdin from /dev/null, and sets $port
# from its "listening on" line.
relay_listening() {
    relay_name=$1
    shift
    listen_with "$relay_name" /dev/null relay "$@"
}

# A socat server that answers each connection with its input in upper
# case (tr sees the end of its input only through a half-close).
free_port
upper=$port
start upper socat "TCP-LISTEN:$upper,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:tr a-z A-Z"
upper_pid=$pid
wait_port t "$upper" "$upper_pid"

# --- tcp-listen <-> tcp: the client's end goes through, and the answer
# after it comes back (Python's peer reads to the end, then answers).
start_peer answer answer "the answer after the end"
relay_listening relay -v tcp-listen:127.0.0.1:0 "tcp:127.0.0.1:$port"
relay=$pid
run 10 client half client "$port" "question"
expect_file "$tmp/client.out" "got b'the answer after the end\\n'" \
    "tcp-listen <-> tcp: the client read the answer"
wait_exit "$relay" 5
expect_status 0 "skt relay tcp-listen tcp"
expect_line "$tmp/answer.out" "^got b'question'$" "the server read to the end"
expect_line "$tmp/relay.err" \
    '^skt: relayed 8 bytes from tcp-listen:127.0.0.1:0 to tcp:127.0.0.1:[0-9]+ and 25 back( \(spliced in the kernel\))?$' \
    "-v: the byte counts"
# Two plain TCP sockets on the linux platform: the bytes went through
# splice(2) (the posix platform copies).
if "$skt" --version | grep -q "linux platform"; then
    expect_line "$tmp/relay.err" ' and 25 back \(spliced in the kernel\)$' \
        "-v: a TCP-to-TCP relay on Linux is spliced"
fi

# --- The other way round: the server's end comes first, and what the
# client sends after it still reaches the server.
start back half server "the server speaks first"
back=$pid
wait_listening "$tmp/back.out" "$back"
port=${address##*:}
relay_listening relay tcp-listen:127.0.0.1:0 "tcp:127.0.0.1:$port"
relay=$pid
run 10 client half client "$port" "and the client after"
expect_file "$tmp/client.out" "got b'the server speaks first'" \
    "server's half-close: the client read"
wait_exit "$back" 5
expect_line "$tmp/back.out" "^got b'and the client after'$" \
    "server's half-close: the server read after its end"
wait_exit "$relay" 5
expect_status 0 "skt relay, the server's end first"
expect_one_line "$tmp/relay.err" '^listening on 127\.0\.0\.1:[0-9]+$' \
    "skt relay's stderr without -v: port 0's line only"

# --- tcp <-> tcp: a relay that connects both ways. The left server
# speaks first and half-closes; the upper-case server answers that end.
start left half server "hello from the left"
left=$pid
wait_listening "$tmp/left.out" "$left"
run 10 relay "$skt" relay "tcp:127.0.0.1:${address##*:}" \
    "tcp:127.0.0.1:$upper"
expect_status 0 "skt relay tcp tcp"
wait_exit "$left" 5
expect_line "$tmp/left.out" "^got b'HELLO FROM THE LEFT'$" "tcp <-> tcp"

# --- tls-listen <-> tcp: Python's ssl verifies us; the server's end is a
# close_notify to it.
start_peer greet greet "hello through TLS"
relay_listening relay --cert "$certs/server.pem" --key "$certs/server.key" \
    tls-listen:127.0.0.1:0 "tcp:127.0.0.1:$port"
relay=$pid
run 10 client half tls-client "$port" "$certs/ca.pem" "from the TLS client"
expect_status 0 "the Python TLS client"
expect_file "$tmp/client.out" "got b'hello through TLS\\n'" \
    "tls-listen: the TLS client read up to close_notify"
expect_line "$tmp/greet.out" "^got b'from the TLS client'$" \
    "tls-listen: the plain server read"
wait_exit "$relay" 5
expect_status 0 "skt relay tls-listen tcp"

# The client's close_notify and FIN (skt's TLS half-close) reach the
# plain server as an end it answers after.
start_peer answer answer "answered in the clear"
relay_listening relay --cert "$certs/server.pem" --key "$certs/server.key" \
    tls-listen:127.0.0.1:0 "tcp:127.0.0.1:$port"
relay=$pid
printf 'a TLS request' >"$tmp/tls-input"
run 10 client skt_with "$tmp/tls-input" --tls --cafile "$certs/ca.pem" \
    --sni localhost 127.0.0.1 "$port"
expect_status 0 "skt --tls client"
expect_file "$tmp/client.out" "answered in the clear" \
    "tls-listen: the answer after the TLS client's half-close"
expect_line "$tmp/answer.out" "^got b'a TLS request'$" \
    "tls-listen: the plain server read to the end"
wait_exit "$relay" 5
expect_status 0 "skt relay tls-listen tcp, the client's end first"

# --- tcp-listen <-> tls: openssl s_server answers each line reversed;
# the relay verifies it with --cafile, and carries the end both ways.
s_server tls server.pem -naccept 1 -rev
tls_port=$port
relay_listening relay --cafile "$certs/ca.pem" --sni localhost \
    tcp-listen:127.0.0.1:0 "tls:127.0.0.1:$tls_port"
relay=$pid
run 10 client half client "$port" "stressed
"
expect_file "$tmp/client.out" "got b'desserts\\n'" \
    "tcp-listen <-> tls: s_server's answer"
wait_exit "$relay" 5
expect_status 0 "skt relay tcp-listen tls"

# A certificate that does not verify: exit status 3, one line.
s_server tls self-signed.pem -naccept 1 -rev
tls_port=$port
run 10 refused "$skt" relay "tls:127.0.0.1:$tls_port" stdio
expect_status 3 "tls: to a self-signed certificate"
expect_one_line "$tmp/refused.err" '^skt: .*self-signed' \
    "tls: the refusal's line"

# --- udp-listen <-> udp: each datagram whole, both ways; -i ends the
# relay, its normal end with datagrams (status 0).
start udp half udp-upper
udp=$pid
wait_listening "$tmp/udp.out" "$udp"
udp_port=${address##*:}
relay_listening relay -i 1 udp-listen:127.0.0.1:0 "udp:127.0.0.1:$udp_port"
relay=$pid
run 10 client half udp-client "$port" 1 1000 60000 0 7
printf '1 upper\n1000 upper\n60000 upper\n0 upper\n7 upper\n' \
    >"$tmp/udp.expected"
cmp -s "$tmp/client.out" "$tmp/udp.expected" ||
    fail "udp: the answers were $(cat "$tmp/client.out")"
wait_exit "$relay" 5
expect_status 0 "skt relay udp-listen udp, ended by -i"
stop "$udp"

# --- unix-listen <-> tcp and tcp-listen <-> unix, with socat's Unix
# client and server; the socket file is removed at the end.
relay_listening relay -v "unix-listen:$tmp/relay.sock" "tcp:127.0.0.1:$upper"
relay=$pid
printf 'over a unix socket\n' >"$tmp/unix-input"
run 10 client sh -c 'exec socat - "UNIX-CONNECT:$0" <"$1"' \
    "$tmp/relay.sock" "$tmp/unix-input"
expect_file "$tmp/client.out" "OVER A UNIX SOCKET" "unix-listen <-> tcp"
wait_exit "$relay" 5
expect_status 0 "skt relay unix-listen tcp"
[ ! -e "$tmp/relay.sock" ] || fail "unix-listen: the socket file is left"

start userver socat "UNIX-LISTEN:$tmp/upper.sock" "EXEC:tr a-z A-Z"
userver=$pid
wait_until 5 test -S "$tmp/upper.sock" || fail "socat made no Unix socket"
relay_listening relay tcp-listen:127.0.0.1:0 "unix:$tmp/upper.sock"
relay=$pid
run 10 client half client "$port" "into the unix server"
expect_file "$tmp/client.out" "got b'INTO THE UNIX SERVER'" \
    "tcp-listen <-> unix"
wait_exit "$relay" 5
expect_status 0 "skt relay tcp-listen unix"
wait_exit "$userver" 5

# --- exec <-> tcp-listen: the program's input ends with the client's
# half-close, and its output comes back before the end.
relay_listening relay tcp-listen:127.0.0.1:0 "exec:tr a-z A-Z"
relay=$pid
run 10 client half client "$port" "to the program"
expect_file "$tmp/client.out" "got b'TO THE PROGRAM'" "tcp-listen <-> exec"
wait_exit "$relay" 5
expect_status 0 "skt relay tcp-listen exec"
# The program sees the client's addresses.
relay_listening relay tcp-listen:127.0.0.1:0 \
    'exec:echo "$SKT_REMOTE_ADDR $SKT_LOCAL_PORT"'
relay=$pid
run 10 client half client "$port" ""
expect_file "$tmp/client.out" "got b'127.0.0.1 $port\\n'" \
    "exec: the environment"
wait_exit "$relay" 5

# --- stdio <-> tcp, as stdio and as -: stdin's end half-closes, and the
# answer is printed.
printf 'from stdin\n' >"$tmp/stdin"
run 10 stdio skt_with "$tmp/stdin" relay stdio "tcp:127.0.0.1:$upper"
expect_status 0 "skt relay stdio tcp"
expect_file "$tmp/stdio.out" "FROM STDIN" "stdio <-> tcp"
run 10 dash skt_with "$tmp/stdin" relay "tcp:127.0.0.1:$upper" -
expect_status 0 "skt relay tcp -"
expect_file "$tmp/dash.out" "FROM STDIN" "tcp <-> -"

# stdin and stdout one socket (socat's EXEC gives the program a socket
# pair): skt relays that socket itself.
printf 'exec "%s" relay stdio tcp:127.0.0.1:%s\n' "$skt" "$upper" \
    >"$tmp/inner.sh"
free_port
start outer socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
    "EXEC:sh $tmp/inner.sh"
outer=$pid
wait_port t "$port" "$outer"
run 10 client half client "$port" "through a socket pair"
expect_file "$tmp/client.out" "got b'THROUGH A SOCKET PAIR'" \
    "stdio as one socket <-> tcp"
wait_exit "$outer" 5
expect_status 0 "socat running skt relay stdio"

# --- IPv6 addresses in brackets, listening and connecting.
if "$python" -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
    free_port
    start upper6 socat "TCP6-LISTEN:$port,bind=[::1],reuseaddr" \
        "EXEC:tr a-z A-Z"
    upper6=$pid
    wait_port t "$port" "$upper6"
    relay_listening relay -v "tcp-listen:[::1]:0" "tcp:[::1]:$port"
    relay=$pid
    expect_line "$tmp/relay.err" '^listening on \[::1\]:[0-9]+$' \
        "tcp-listen:[::1]: the address"
    run 10 client sh -c 'printf "over ipv6\n" | exec socat - "TCP6:[::1]:$0"' \
        "${address##*:}"
    expect_file "$tmp/client.out" "OVER IPV6" "tcp-listen:[::1] <-> tcp:[::1]"
    wait_exit "$relay" 5
    expect_status 0 "skt relay over IPv6"
    expect_line "$tmp/relay.err" '^skt: \[::1\]:[0-9]+: connected' \
        "tcp:[::1]: -v's attempt"
    wait_exit "$upper6" 5
else
    echo "note: no IPv6 loopback here: the bracketed addresses are checked" \
        "by their syntax only" >&2
fi

# --- -k: several clients at once, each with its own relay (and its own
# connection to the upper-case server), at most -m at once.
relay_listening relay -k -m 2 tcp-listen:127.0.0.1:0 "tcp:127.0.0.1:$upper"
relay=$pid
clients=
for n in 1 2 3 4 5; do
    start "k$n" half client "$port" "client number $n"
    clients="$clients $pid"
done
n=0
for client in $clients; do
    n=$((n + 1))
    wait_exit "$client" 10
    expect_status 0 "-k: client $n"
    expect_file "$tmp/k$n.out" "got b'CLIENT NUMBER $n'" "-k: client $n read"
done
kill -TERM "$relay"
wait_exit "$relay" 5
expect_status 143 "skt relay -k, ended by SIGTERM"

# --- -m 2 holds: with two clients connected, a third is not taken (it
# waits in the listen backlog) until one of them leaves.
free_port
greeter=$port
start greeter socat "TCP-LISTEN:$greeter,bind=127.0.0.1,reuseaddr,fork" \
    "SYSTEM:echo hello; exec cat >/dev/null"
greeter_pid=$pid
wait_port t "$greeter" "$greeter_pid"
relay_listening relay -k -m 2 tcp-listen:127.0.0.1:0 "tcp:127.0.0.1:$greeter"
relay=$pid
run 20 limit half limit "$port"
expect_status 0 "-m 2: the clients"
expect_file "$tmp/limit.out" "1 greeted
2 greeted
3 waits while 2 are held
3 greeted after 1 left" "-m 2: the third client waits for a free place"
kill -TERM "$relay"
wait_exit "$relay" 5
expect_status 143 "skt relay -k -m 2, ended by SIGTERM"
stop "$greeter_pid"

# --- -i: a relay idle for 0.5 s ends with status 4 and one line.
start_peer silent silent
silent=$pid
relay_listening relay -i 0.5 tcp-listen:127.0.0.1:0 "tcp:127.0.0.1:$port"
relay=$pid
start idle half client "$port" ""
wait_exit "$relay" 5
expect_status 4 "skt relay -i 0.5"
expect_line "$tmp/relay.err" '^skt: relay: idle for 0\.5 s: no data either way$' \
    "-i: the line"
[ "$(grep -c '^skt:' "$tmp/relay.err")" -eq 1 ] || fail "-i: one line"
stop "$silent"

# --- Malformed addresses and combinations: exit status 2, one line.
for bad in "tcp:127.0.0.1" "tcp:::1:80" "tcp:[::1" "tcp::80" "tcp:host:" \
    "tcp:1.2.3.4:99999" "tcp-listen:[::1]" "udp:1.2.3.4:0" "foo:1" \
    "unix:" "exec:" "exec: " "nothing" ""; do
    run 5 bad "$skt" relay "$bad" stdio
    expect_status 2 "skt relay '$bad' stdio"
    expect_one_line "$tmp/bad.err" "^skt: .*(relay address|skt relay)" \
        "skt relay '$bad': the line"
done
for args in "stdio" "stdio - " "- stdio" "-k tcp:1.2.3.4:1 stdio" \
    "-k tcp-listen:0 stdio" "-k tcp-listen:0 tcp-listen:1" \
    "tls-listen:0 stdio" "--cafile x tcp:1.2.3.4:1 stdio" \
    "--verify-client --cert c tls:1.2.3.4:1 stdio" \
    "-x tcp:1.2.3.4:1 stdio" "-n tcp:localhost:80 stdio"; do
    # shellcheck disable=SC2086 # each is several arguments
    run 5 bad "$skt" relay $args
    expect_status 2 "skt relay $args"
    [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] ||
        fail "skt relay $args: not one line"
done
stop "$upper_pid"
exit 0
