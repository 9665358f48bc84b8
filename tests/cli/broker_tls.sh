#!/bin/sh
# -l -k --broker --tls: a client whose socket is readable without holding
# a whole record (here the first 3 bytes of a record header, written on
# the TCP socket under Python's ssl after the handshake) must not stall
# the others: two clients' lines still reach each other within a second,
# in both directions. SIGINT ends the broker with 130 afterwards (it was
# not stuck in one client's recv). Then a client that connects and never
# starts its handshake must not hold up the broker (-w 3): two TLS
# clients that come after it finish their handshakes and get each
# other's line each within a second, and the silent one is closed at its
# -w deadline, with a line on stderr. Run by CTest as: sh THIS SKT
# PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python ssl
make_certs

listen_skt broker /dev/null -v -k --broker --tls --cert "$certs/server.pem" \
    --key "$certs/server.key" 127.0.0.1 0
broker=$pid

cat >"$tmp/clients.py" <<'PY'
import os, socket, ssl, sys, time

port, cafile, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)


def served(count):
    """Waits until the broker's -v has told of count clients."""
    end = time.monotonic() + 5
    while time.monotonic() < end:
        with open(log) as f:
            if f.read().count("connection from") >= count:
                return
        time.sleep(0.05)
    sys.exit("the broker did not take %d clients" % count)


def client():
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def line_of(s, seconds):
    """What s receives up to a newline within seconds (b'' for none)."""
    got, end = b"", time.monotonic() + seconds
    while not got.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            part = s.recv(100)
        except (socket.timeout, ssl.SSLWantReadError):
            break
        if not part:
            break
        got += part
    return got


b, c = client(), client()
served(2)
b.sendall(b"hello from b\n")
print("b to c:", line_of(c, 2), flush=True)
stall = client()
served(3)
os.write(stall.fileno(), b"\x17\x03\x03")  # a record header, cut short
time.sleep(0.5)  # the broker has seen it readable
for name, src, dst in (("b", b, c), ("c", c, b)):
    src.sendall(b"after the stall from %s\n" % name.encode())
    print("%s to %s:" % (name, "c" if name == "b" else "b"),
          line_of(dst, 1), flush=True)
stall.close()
b.close()
c.close()
PY

run 15 clients "$python" "$tmp/clients.py" "$port" "$certs/ca.pem" \
    "$tmp/broker.err"
expect_status 0 "the Python clients"
expect_line "$tmp/clients.out" "^b to c: b'hello from b\\\\n'\$" \
    "b's line before the stall"
expect_line "$tmp/clients.out" \
    "^b to c: b'after the stall from b\\\\n'\$" "b's line to c after the stall"
expect_line "$tmp/clients.out" \
    "^c to b: b'after the stall from c\\\\n'\$" "c's line to b after the stall"
expect_empty "$tmp/broker.out" "--broker wrote to stdout"
kill -INT "$broker"
wait_exit "$broker" 5
expect_status 130 "SIGINT"

# A client that never speaks TLS: the others' handshakes and lines go on.
listen_skt broker /dev/null -v -k --broker --tls -w 3 \
    --cert "$certs/server.pem" --key "$certs/server.key" 127.0.0.1 0
broker=$pid
cat >"$tmp/silent.py" <<'PY'
import socket, ssl, sys, time

port, cafile, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)


def served(count):
    end = time.monotonic() + 5
    while time.monotonic() < end:
        with open(log) as f:
            if f.read().count("connection from") >= count:
                return
        time.sleep(0.05)
    sys.exit("the broker did not take %d clients" % count)


def line_of(s, seconds):
    got, end = b"", time.monotonic() + seconds
    while not got.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            part = s.recv(100)
        except (socket.timeout, ssl.SSLWantReadError):
            break
        if not part:
            break
        got += part
    return got


silent = socket.create_connection(("127.0.0.1", port), timeout=10)
silent_since = time.monotonic()
served(1)
clients = []
for name in ("b", "c"):
    begin = time.monotonic()
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        clients.append(ctx.wrap_socket(raw, server_hostname="localhost"))
    except (OSError, ssl.SSLError) as e:
        sys.exit("%s's handshake failed: %s" % (name, e))
    took = time.monotonic() - begin
    print("%s's handshake:" % name, "fast" if took < 1 else "%.1f s" % took,
          flush=True)
b, c = clients
served(3)
for name, src, dst in (("b", b, c), ("c", c, b)):
    src.sendall(b"past the silent one from %s\n" % name.encode())
    print("%s to %s:" % (name, "c" if name == "b" else "b"),
          line_of(dst, 1), flush=True)
got = silent.recv(100)
print("silent closed: %r after %.1f s" % (got, time.monotonic() - silent_since),
      flush=True)
silent.close()
b.close()
c.close()
PY
run 20 silent "$python" "$tmp/silent.py" "$port" "$certs/ca.pem" \
    "$tmp/broker.err"
expect_status 0 "the Python clients after a silent one"
for name in b c; do
    expect_line "$tmp/silent.out" "^$name's handshake: fast\$" \
        "$name's handshake after a silent client"
    other=$([ "$name" = b ] && echo c || echo b)
    expect_line "$tmp/silent.out" \
        "^$name to $other: b'past the silent one from $name\\\\n'\$" \
        "$name's line past the silent one"
done
expect_line "$tmp/silent.out" \
    "^silent closed: b'' after (2\\.9|3\\.[0-9]) s\$" \
    "-w 3 closed the silent client"
want='^skt: TLS handshake with 127\.0\.0\.1:[0-9]+: .*timed out$'
expect_line "$tmp/broker.err" "$want" "the silent client's line"
kill -INT "$broker"
wait_exit "$broker" 5
expect_status 130 "SIGINT after the silent client"
exit 0
