"""A framing client for skt --frame listeners, on Python's socket and
struct alone:

    python3 frame_client.py PORT KIND COUNT [DELAY MESSAGE...]

connects to 127.0.0.1:PORT, and for each MESSAGE sends the first half of
its frame (KIND as in frames.py), waits DELAY seconds, then sends the
rest; then reads until COUNT messages have come, or EOF, or 5 s, prints
"got" and the list of messages, and closes.
"""
import socket
import struct
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from dgram_frames import LENGTHS, frame  # noqa: E402


def split(kind, data):
    """The complete messages at the start of data."""
    messages = []
    if kind in LENGTHS:
        size = struct.calcsize(LENGTHS[kind])
        while len(data) >= size:
            (n,) = struct.unpack(LENGTHS[kind], data[:size])
            if len(data) < size + n:
                break
            messages.append(data[size:size + n])
            data = data[size + n:]
    elif kind in ("line", "crlf"):
        messages = data.split(b"\n" if kind == "line" else b"\r\n")[:-1]
    else:
        n = int(kind.split(":")[1])
        messages = [data[i:i + n] for i in range(0, len(data) - n + 1, n)]
    return messages


def main():
    port, kind, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    for text in sys.argv[5:]:
        data = frame(kind, text.encode())
        s.sendall(data[:len(data) // 2])
        time.sleep(delay)
        s.sendall(data[len(data) // 2:])
    data = b""
    try:
        while len(split(kind, data)) < count:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    print("got %r" % split(kind, data), flush=True)
    s.close()


main()
