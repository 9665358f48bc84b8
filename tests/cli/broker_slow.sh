#!/bin/sh
# -l -k --broker: a client that never reads must not stop the others.
# Client a sends 4 MiB; b must get all of it, in order, within 10 s,
# while the third client, which never reads (its receive buffer kept
# small), sits between them; the broker drops it once more than its
# bound waits for it, with "client ADDR: dropped: not reading" on
# stderr. SIGINT ends the broker with 130 afterwards. Run by CTest as:
# sh THIS SKT PEERS_DIR.
# shellcheck source=lib/cli.sh
. "$(dirname "$0")/lib/cli.sh"
need_python socket

listen_skt broker /dev/null -v -k --broker 127.0.0.1 0
broker=$pid

cat >"$tmp/clients.py" <<'PY'
import socket, sys, threading, time

port, log = int(sys.argv[1]), sys.argv[2]
SIZE = 4 << 20


def served(count):
    """Waits until the broker's -v has told of count clients."""
    end = time.monotonic() + 5
    while time.monotonic() < end:
        with open(log) as f:
            if f.read().count("connection from") >= count:
                return
        time.sleep(0.05)
    sys.exit("the broker did not take %d clients" % count)


def connect(rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


slow = connect(4096)  # never reads
served(1)
a = connect()
served(2)
b = connect()
served(3)
data = bytes(range(256)) * (SIZE // 256)
sender = threading.Thread(target=a.sendall, args=(data,), daemon=True)
sender.start()
got, end = bytearray(), time.monotonic() + 10
while len(got) < SIZE and time.monotonic() < end:
    b.settimeout(max(end - time.monotonic(), 0.01))
    try:
        part = b.recv(65536)
    except socket.timeout:
        break
    if not part:
        break
    got += part
print("b got %d of %d bytes%s" % (len(got), SIZE,
      ", in order" if got == data else ""), flush=True)
print("slow port %d" % slow.getsockname()[1], flush=True)
a.close()
b.close()
slow.close()
PY

run 30 clients "$python" "$tmp/clients.py" "$port" "$tmp/broker.err"
expect_status 0 "the Python clients"
expect_line "$tmp/clients.out" "^b got 4194304 of 4194304 bytes, in order\$" \
    "b's data past a client that does not read"
slow_port=$(sed -n 's/^slow port //p' "$tmp/clients.out")
want="^skt: client 127\\.0\\.0\\.1:$slow_port: dropped: not reading\$"
wait_until 5 grep -Eq "$want" "$tmp/broker.err" ||
    fail "the client that does not read was kept: $(cat "$tmp/broker.err")"
expect_empty "$tmp/broker.out" "--broker wrote to stdout"
kill -INT "$broker"
wait_exit "$broker" 5
expect_status 130 "SIGINT"
exit 0
