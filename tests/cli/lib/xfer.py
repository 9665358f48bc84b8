"""A peer for skt send and skt recv written on Python's socket and hashlib
alone, to check the wire format from outside (see tools/skt/transfer.c):

    python3 xfer.py send PORT NAME SIZE [good|bad-digest|truncated|bad-magic]

connects to 127.0.0.1:PORT and sends SIZE bytes of a pattern under NAME:
with a good SHA-256 trailer, a wrong one, half the data and no trailer,
or a header without the magic. Then it waits for the receiver to close.

    python3 xfer.py slow-recv SECONDS

listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT",
accepts one connection and reads it all, spread over about SECONDS, and
prints "got N bytes" (for a progress bar to be seen).
"""
import hashlib
import socket
import struct
import sys
import time


def send(port, name, size, how):
    data = bytes(i % 251 for i in range(size))
    magic = b"XXXX" if how == "bad-magic" else b"SKTF"
    encoded = name.encode()
    head = magic + bytes([1]) + struct.pack(">H", len(encoded)) + encoded
    head += struct.pack(">Q", size)
    digest = hashlib.sha256(data).digest()
    if how == "bad-digest":
        digest = bytes(32)
    conn = socket.create_connection(("127.0.0.1", port), 10)
    conn.sendall(head)
    if how == "truncated":
        conn.sendall(data[: size // 2])
    else:
        conn.sendall(data + digest)
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(10)
    while conn.recv(65536):
        pass


def slow_recv(seconds):
    server = socket.create_server(("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    got, start = 0, time.monotonic()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += len(chunk)
        time.sleep(seconds / 400)
    print("got %d bytes in %.1f s" % (got, time.monotonic() - start))


if sys.argv[1] == "send":
    how = sys.argv[5] if len(sys.argv) > 5 else "good"
    send(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), how)
else:
    slow_recv(float(sys.argv[2]))
