"""A datagram peer for skt -u --frame, on Python's socket and struct alone:

    python3 dgram_frames.py server KIND COUNT
    python3 dgram_frames.py client KIND PORT MESSAGE...

server: binds UDP 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT",
takes COUNT datagrams, each of which must hold exactly one message framed
as KIND (len1, len2, len4, len8: a big-endian length first, as struct's
B, H, I, Q; line, crlf; fixed:N), answers each upper-cased in a datagram
of its own, and prints "got" and the list of messages.

client: sends each MESSAGE framed as KIND in a datagram of its own to
127.0.0.1:PORT, then a datagram that is not a whole message, then takes
datagrams for 1 s and prints "got" and the list of their messages.
"""
import socket
import struct
import sys

LENGTHS = {"len1": ">B", "len2": ">H", "len4": ">I", "len8": ">Q"}


def frame(kind, message):
    if kind in LENGTHS:
        return struct.pack(LENGTHS[kind], len(message)) + message
    if kind in ("line", "crlf"):
        return message + (b"\n" if kind == "line" else b"\r\n")
    return message


def unframe(kind, datagram):
    """The one message of a datagram; raises if it is not exactly one."""
    if kind in LENGTHS:
        size = struct.calcsize(LENGTHS[kind])
        (n,) = struct.unpack(LENGTHS[kind], datagram[:size])
        if size + n != len(datagram):
            raise ValueError("not one message: %r" % datagram)
        return datagram[size:]
    if kind in ("line", "crlf"):
        end = b"\n" if kind == "line" else b"\r\n"
        if not datagram.endswith(end) or end in datagram[:-len(end)]:
            raise ValueError("not one message: %r" % datagram)
        return datagram[:-len(end)]
    if len(datagram) != int(kind.split(":")[1]):
        raise ValueError("not one message: %r" % datagram)
    return datagram


def server(kind, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10)
    print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
    messages = []
    for _ in range(count):
        datagram, sender = s.recvfrom(65536)
        message = unframe(kind, datagram)
        messages.append(message)
        s.sendto(frame(kind, message.upper()), sender)
    print("got %r" % messages, flush=True)


def client(kind, port, texts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    to = ("127.0.0.1", port)
    for text in texts:
        s.sendto(frame(kind, text.encode()), to)
    s.sendto(frame(kind, b"broken")[:-1], to)
    s.settimeout(1)
    messages = []
    try:
        while True:
            messages.append(unframe(kind, s.recvfrom(65536)[0]))
    except socket.timeout:
        pass
    print("got %r" % messages, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
