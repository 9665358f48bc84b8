#!/usr/bin/env python3
"""A peer for skt's message tests that uses only Python's socket module.

Usage: msg_peer.py MODE [ARGS...]

  send-fds FD PATH...      sends b"fds" with each PATH opened, through
                           socket.send_fds on the inherited Unix socket FD
  recv-fds FD              socket.recv_fds(sock, 100, 10); replies with one
                           line "DATA|CONTENT|CONTENT..." (the data, then
                           up to 100 bytes read from each fd)
  send-msg FD PATH         sendmsg([b"py", b"thon"]) with PATH opened as
                           SCM_RIGHTS
  recv-msg FD              sets SO_PASSCRED, prints "ready", then recvmsg
                           and prints "data=...", "flags=N", then one line
                           per control message: "rights CONTENT..." or
                           "creds PID UID GID" or "other LEVEL TYPE"
  udp-echo                 binds 127.0.0.1:0, prints its port, receives one
                           datagram with recvmsg and sends it back
                           reversed with sendmsg in two buffers
  cmsg-lengths N...        prints "N LEN SPACE" for each N, with
                           "overflow" where Python raises OverflowError
  sendfile PATH OFFSET COUNT   socket.sendfile over a socketpair (COUNT 0:
                           None); prints "SENT POSITION SHA256"

Every wait is bounded (10 s), so a test that goes wrong never leaves this
process behind; errors exit 1 with a message on stderr.
"""
import array
import hashlib
import os
import socket
import struct
import sys
import threading

TIMEOUT = 10.0


def inherited(fd):
    sock = socket.socket(fileno=int(fd))
    sock.settimeout(TIMEOUT)
    return sock


def send_fds(fd, *paths):
    sock = inherited(fd)
    files = [os.open(path, os.O_RDONLY) for path in paths]
    socket.send_fds(sock, [b"fds"], files)
    sock.recv(1)  # wait until the other side is done


def recv_fds(fd):
    sock = inherited(fd)
    data, fds, _flags, _addr = socket.recv_fds(sock, 100, 10)
    parts = [data.decode()]
    for received in fds:
        parts.append(os.read(received, 100).decode())
        os.close(received)
    sock.sendall(("|".join(parts) + "\n").encode())


def send_msg(fd, path):
    sock = inherited(fd)
    opened = os.open(path, os.O_RDONLY)
    rights = array.array("i", [opened])
    sock.sendmsg([b"py", b"thon"],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, rights.tobytes())])
    os.close(opened)
    sock.recv(1)


def describe(level, kind, data):
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds = array.array("i")
        fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        texts = []
        for received in fds:
            texts.append(os.read(received, 100).decode())
            os.close(received)
        return "rights " + " ".join(texts)
    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
        return "creds %d %d %d" % struct.unpack("iII", data[:12])
    return "other %d %d" % (level, kind)


def recv_msg(fd):
    sock = inherited(fd)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    print("ready", flush=True)
    room = socket.CMSG_SPACE(12) + socket.CMSG_SPACE(4 * 4)
    data, ancdata, flags, _addr = sock.recvmsg(100, room)
    print("data=" + data.decode())
    print("flags=%d" % flags)
    for level, kind, cdata in ancdata:
        print(describe(level, kind, cdata))
    sys.stdout.flush()


def udp_echo():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(TIMEOUT)
        print(sock.getsockname()[1], flush=True)
        data, _anc, _flags, addr = sock.recvmsg(65536)
        back = data[::-1]
        half = len(back) // 2
        sock.sendmsg([back[:half], back[half:]], [], 0, addr)


def cmsg_lengths(*values):
    for text in values:
        n = int(text)
        out = [text]
        for function in (socket.CMSG_LEN, socket.CMSG_SPACE):
            try:
                out.append(str(function(n)))
            except OverflowError:
                out.append("overflow")
        print(" ".join(out))


def python_sendfile(path, offset, count):
    offset, count = int(offset), int(count)
    a, b = socket.socketpair()
    received = []

    def drain():
        while chunk := b.recv(1 << 20):
            received.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    with open(path, "rb") as f:
        sent = a.sendfile(f, offset, count if count > 0 else None)
        position = f.tell()
    a.close()
    reader.join(TIMEOUT)
    b.close()
    digest = hashlib.sha256(b"".join(received)).hexdigest()
    print(sent, position, digest)


MODES = {
    "send-fds": send_fds,
    "recv-fds": recv_fds,
    "send-msg": send_msg,
    "recv-msg": recv_msg,
    "udp-echo": udp_echo,
    "cmsg-lengths": cmsg_lengths,
    "sendfile": python_sendfile,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        MODES[sys.argv[1]](*sys.argv[2:])
    except (OSError, ValueError) as e:
        print("msg_peer.py: %s" % e, file=sys.stderr)
        return 1
    return 0


sys.exit(main())
