"""sendfile - socket.sendfile: whole files, offsets and counts, the file
position afterwards, the ends of files, modes, socket types, pipes
(test_socket.py's SendfileUsingSendTest and SendfileUsingSendfileTest)."""
import hashlib
import os
import socket
import threading
import time

from conf import add, scenario, bucket, fds, path, tcp_pair, udp_pair, unix_pair, word

S = socket
SIZE = 50000


def data(size):
    return bytes(i % 251 for i in range(size))


def make_file(name, size):
    p = path(name)
    with open(p, "wb") as f:
        f.write(data(size))
    return p


def received(sock, into):
    def run():
        chunks = []
        while True:
            b = sock.recv(65536)
            if not b:
                break
            chunks.append(b)
        into.append(b"".join(chunks))
    return run


def send_file(size, report, offset=0, count=None, seek=0, pair=tcp_pair,
              setup=None):
    def run():
        p = make_file("send.bin", size)
        c, s = pair()
        with c, s, open(p, "rb") as f:
            got = []
            reader = threading.Thread(target=received(s, got))
            reader.start()
            f.seek(seek)
            if setup:
                setup(c)
            try:
                sent = c.sendfile(f, offset=offset, count=count)
            finally:
                c.shutdown(S.SHUT_WR)
                reader.join(10)
            return report(sent, got[0] if got else b"", f.tell())
    return run


def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]


add("sendfile.whole", send_file(SIZE, lambda n, b, pos: f"{n} {len(b)} {digest(b) == digest(data(SIZE))}"))
add("sendfile.position_after", send_file(SIZE, lambda n, b, pos: pos))
add("sendfile.offset_count", send_file(
    SIZE, lambda n, b, pos: f"{n} {b == data(SIZE)[10:30]} {pos}", offset=10, count=20))
add("sendfile.offset_only", send_file(
    SIZE, lambda n, b, pos: f"{n} {b == data(SIZE)[40000:]} {pos}", offset=40000))
add("sendfile.count_past_end", send_file(
    SIZE, lambda n, b, pos: f"{n} {pos}", offset=SIZE - 10, count=100))
add("sendfile.offset_past_end", send_file(
    SIZE, lambda n, b, pos: f"{n} {pos}", offset=SIZE * 2, seek=5))
add("sendfile.offset_at_end", send_file(
    SIZE, lambda n, b, pos: f"{n} {pos}", offset=SIZE, seek=7))
add("sendfile.empty_file", send_file(0, lambda n, b, pos: f"{n} {pos}"))
add("sendfile.unix_stream", send_file(SIZE, lambda n, b, pos: f"{n} {len(b)}",
                                      pair=unix_pair))
add("sendfile.timeout_mode_fast", send_file(
    SIZE, lambda n, b, pos: n, setup=lambda c: c.settimeout(2)))
add("sendfile.nonblocking", send_file(
    1000, lambda n, b, pos: n, setup=lambda c: c.setblocking(False)))


@scenario("sendfile.udp")
def _():
    p = make_file("udp.bin", 100)
    a, b = udp_pair()
    with a, b, open(p, "rb") as f:
        a.sendfile(f)


@scenario("sendfile.timeout")
def _():
    p = path("sparse.bin")
    with open(p, "wb") as f:
        f.truncate(64 << 20)
    c, s = tcp_pair()
    with c, s, open(p, "rb") as f:
        c.settimeout(0.2)
        start = time.monotonic()
        try:
            c.sendfile(f)
            r = "ok"
        except OSError as e:
            r = word(e)
        return f"{r} {bucket(time.monotonic() - start)} {0 < f.tell() < (64 << 20)}"


@scenario("sendfile.pipe")
def _():
    c, s = tcp_pair()
    r, w = os.pipe()
    os.write(w, b"piped")
    os.close(w)
    with c, s, os.fdopen(r, "rb") as f:
        n = c.sendfile(f)
        return n


@scenario("sendfile.fd_count")
def _():
    p = make_file("count.bin", 1000)
    c, s = tcp_pair()
    with c, s, open(p, "rb") as f:
        before = fds()
        c.sendfile(f)
        return fds() - before


INTENDED = {
    "sendfile.nonblocking": (
        "1000", "skt_sendfile",
        "a non-blocking socket works (the call returns -EAGAIN with *sent "
        "when the buffer fills), where Python raises ValueError"),
    "sendfile.pipe": (
        "5", "skt_sendfile",
        "a pipe or socket is read and sent, where Python's sendfile sees a "
        "size of 0 in fstat and returns 0 without reading"),
}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "sendfile.offset_past_end": (
        "0 100000", "skt_sendfile",
        "the position then follows the copy's rule (left at offset when "
        "nothing was sent)"),
    "sendfile.offset_at_end": (
        "0 50000", "skt_sendfile",
        "the position then follows the copy's rule (left at offset when "
        "nothing was sent)"),
}}
