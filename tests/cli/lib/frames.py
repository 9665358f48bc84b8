"""A framing peer for skt --frame, on Python's socket and struct alone:

    python3 frames.py KIND [big N]

listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT",
accepts one connection, reads to EOF, splits what came into messages of
KIND (len1, len2, len4, len8: a big-endian length first, as struct's
B, H, I, Q; line, crlf; fixed:N), prints "got" and the list of messages,
and answers each one upper-cased in the same framing; with "big N" it
answers one message of N bytes instead. Then it closes.
"""
import socket
import struct
import sys

LENGTHS = {"len1": ">B", "len2": ">H", "len4": ">I", "len8": ">Q"}


def split(kind, data):
    messages = []
    if kind in LENGTHS:
        size = struct.calcsize(LENGTHS[kind])
        while data:
            (n,) = struct.unpack(LENGTHS[kind], data[:size])
            messages.append(data[size:size + n])
            data = data[size + n:]
    elif kind in ("line", "crlf"):
        end = b"\n" if kind == "line" else b"\r\n"
        messages = data.split(end)[:-1]
    else:
        n = int(kind.split(":")[1])
        messages = [data[i:i + n] for i in range(0, len(data), n)]
    return messages


def frame(kind, message):
    if kind in LENGTHS:
        return struct.pack(LENGTHS[kind], len(message)) + message
    if kind in ("line", "crlf"):
        return message + (b"\n" if kind == "line" else b"\r\n")
    return message


def main():
    kind = sys.argv[1]
    server = socket.create_server(("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    conn.settimeout(10)
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    messages = split(kind, data)
    print("got %r" % messages, flush=True)
    if len(sys.argv) > 3:
        answer = [b"x" * int(sys.argv[3])]
    else:
        answer = [m.upper() for m in messages]
    conn.sendall(b"".join(frame(kind, m) for m in answer))
    conn.close()


main()
