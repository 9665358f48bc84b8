"""transfer - send, recv and their variants and flags on TCP, UDP and
Unix sockets (test_socket.py's BasicTCPTest, BasicUDPTest,
NonBlockingTCPTests, RecvmsgGenericTests' flags, SendallTimeout...)."""
import socket
import threading
import time

from conf import (add, scenario, addr, bucket, tcp_pair, udp_pair,
                  unix_pair, word)

S = socket
BIG = 8 << 20


def on_tcp(fn):
    def run():
        c, s = tcp_pair()
        with c, s:
            return fn(c, s)
    return run


def on_udp(fn):
    def run():
        a, b = udp_pair()
        with a, b:
            return fn(a, b)
    return run


def timed(fn):
    start = time.monotonic()
    try:
        r = fn()
        from conf import text
        r = text(r)
    except Exception as e:
        r = word(e)
    return f"{r} {bucket(time.monotonic() - start)}"


def send_count(c, s):
    return c.send(b"hello")


def recv_data(c, s):
    c.sendall(b"hello")
    return s.recv(100)


def recv_peek(c, s):
    c.sendall(b"hello")
    peeked = s.recv(3, S.MSG_PEEK)
    return f"{peeked.decode()} {s.recv(100).decode()}"


def recv_zero_nonblocking(c, s):
    s.setblocking(False)
    return s.recv(0)


def recv_zero_timeout(c, s):
    s.settimeout(2)
    return timed(lambda: s.recv(0))


def recv_eof(c, s):
    c.close()
    return s.recv(10)


def recv_eof_twice(c, s):
    c.close()
    return f"{s.recv(10)!r} {s.recv(10)!r}"


def recv_dontwait(c, s):
    s.setblocking(True)
    return s.recv(10, S.MSG_DONTWAIT)


def recv_dontwait_timeout(c, s):
    s.settimeout(0.2)
    return timed(lambda: s.recv(10, S.MSG_DONTWAIT))


def recv_dontwait_with_data(c, s):
    c.sendall(b"ready")
    time.sleep(0.05)
    s.settimeout(0.2)
    return s.recv(10, S.MSG_DONTWAIT)


def send_dontwait_timeout(c, s):
    c.settimeout(0.2)
    return c.send(b"x", S.MSG_DONTWAIT)


def recv_into(c, s):
    c.sendall(b"hello")
    buf = bytearray(10)
    n = s.recv_into(buf)
    return f"{n} {bytes(buf[:n]).decode()}"


def recv_into_nbytes(c, s):
    c.sendall(b"hello")
    buf = bytearray(10)
    n = s.recv_into(buf, 3)
    return f"{n} {bytes(buf[:n]).decode()}"


def sendall_large(c, s):
    got = []

    def reader():
        total = 0
        while total < BIG:
            data = s.recv(65536)
            if not data:
                break
            total += len(data)
        got.append(total)
    t = threading.Thread(target=reader)
    t.start()
    r = c.sendall(b"x" * BIG)
    t.join(10)
    return f"{'ok' if r is None else r} {got[0] if got else 'none'}"


HUGE = b"x" * (32 << 20)  # more than loopback's buffers hold


def sendall_timeout(c, s):
    c.settimeout(0.2)
    return timed(lambda: c.sendall(HUGE))


def sendall_nonblocking(c, s):
    c.setblocking(False)
    c.sendall(HUGE)


def send_nonblocking_partial(c, s):
    c.setblocking(False)
    n = c.send(HUGE)
    return 0 < n < len(HUGE)


def send_nonblocking_full(c, s):
    c.setblocking(False)
    while True:
        c.send(b"x" * 65536)


def recv_waitall(c, s):
    c.sendall(b"ab")
    c.sendall(b"cd")
    return s.recv(4, S.MSG_WAITALL)


def recv_waitall_eof(c, s):
    c.sendall(b"ab")
    c.shutdown(S.SHUT_WR)
    return s.recv(4, S.MSG_WAITALL)


def send_after_peer_closed(c, s):
    s.close()
    c.send(b"x")
    time.sleep(0.1)
    c.send(b"y")


def recv_reset(c, s):
    c.sendall(b"unread")
    time.sleep(0.05)
    s.close()
    return c.recv(10)


def recv_oob(c, s):
    c.send(b"!", S.MSG_OOB)
    time.sleep(0.05)
    s.settimeout(None)
    return s.recv(1, S.MSG_OOB)


def recv_oob_timeout(c, s):
    c.send(b"!", S.MSG_OOB)
    time.sleep(0.05)
    s.settimeout(0.2)
    return timed(lambda: s.recv(1, S.MSG_OOB))


def recvfrom_tcp(c, s):
    c.sendall(b"data")
    data, a = s.recvfrom(10)
    return f"{data.decode()} {'-' if a is None else a}"


def recv_nonblocking_ready(c, s):
    c.sendall(b"ready")
    time.sleep(0.05)
    s.setblocking(False)
    return s.recv(10)


for name, fn in (("send_count", send_count), ("recv_data", recv_data),
                 ("recv_peek", recv_peek),
                 ("recv_zero_nonblocking", recv_zero_nonblocking),
                 ("recv_zero_timeout", recv_zero_timeout),
                 ("recv_eof", recv_eof), ("recv_eof_twice", recv_eof_twice),
                 ("recv_dontwait", recv_dontwait),
                 ("recv_dontwait_timeout", recv_dontwait_timeout),
                 ("recv_dontwait_with_data", recv_dontwait_with_data),
                 ("send_dontwait_timeout", send_dontwait_timeout),
                 ("recv_into", recv_into),
                 ("recv_into_nbytes", recv_into_nbytes),
                 ("sendall_large", sendall_large),
                 ("sendall_timeout", sendall_timeout),
                 ("sendall_nonblocking", sendall_nonblocking),
                 ("send_nonblocking_partial", send_nonblocking_partial),
                 ("send_nonblocking_full", send_nonblocking_full),
                 ("recv_waitall", recv_waitall),
                 ("recv_waitall_eof", recv_waitall_eof),
                 ("send_after_peer_closed", send_after_peer_closed),
                 ("recv_reset", recv_reset), ("recv_oob", recv_oob),
                 ("recv_oob_timeout", recv_oob_timeout),
                 ("recvfrom_tcp", recvfrom_tcp),
                 ("recv_nonblocking_ready", recv_nonblocking_ready)):
    add(f"io.{name}", on_tcp(fn))


# --------------------------------------------------------------------------
# Datagrams and unconnected sockets
# --------------------------------------------------------------------------

def udp_sendto_recvfrom(a, b):
    n = a.sendto(b"dgram", b.getsockname())
    data, src = b.recvfrom(100)
    return f"{n} {data.decode()} {addr(S.AF_INET, src)} {src == a.getsockname()}"


def udp_truncate(a, b):
    a.send(b"0123456789")
    first = b.recv(3)
    b.setblocking(False)
    try:
        b.recv(10)
        rest = "more"
    except BlockingIOError:
        rest = "EAGAIN"
    return f"{first.decode()} {rest}"


def udp_msg_trunc(a, b):
    a.send(b"0123456789")
    return len(b.recv(3, S.MSG_TRUNC))


def udp_empty(a, b):
    a.send(b"")
    data, src = b.recvfrom(10)
    return f"{data!r} {addr(S.AF_INET, src)}"


def udp_emsgsize(a, b):
    a.send(b"x" * 70000)


def udp_two_datagrams(a, b):
    a.send(b"one")
    a.send(b"two")
    return f"{b.recv(10).decode()} {b.recv(10).decode()}"


def udp_sendto_other_than_peer(a, b):
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as x:
        x.bind(("127.0.0.1", 0))
        a.sendto(b"else", x.getsockname())
        x.settimeout(2)
        return x.recv(10)


def udp_from_stranger_dropped(a, b):
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as x:
        x.sendto(b"stranger", b.getsockname())
        a.send(b"peer")
        return b.recv(10)


for name, fn in (("udp_sendto_recvfrom", udp_sendto_recvfrom),
                 ("udp_truncate", udp_truncate),
                 ("udp_msg_trunc", udp_msg_trunc), ("udp_empty", udp_empty),
                 ("udp_emsgsize", udp_emsgsize),
                 ("udp_two_datagrams", udp_two_datagrams),
                 ("udp_sendto_other_than_peer", udp_sendto_other_than_peer),
                 ("udp_from_stranger_dropped", udp_from_stranger_dropped)):
    add(f"io.{name}", on_udp(fn))


@scenario("io.tcp_send_unconnected")
def _():
    with socket.socket() as s:
        s.send(b"x")


@scenario("io.tcp_sendto_unconnected")
def _():
    with socket.socket() as s:
        s.sendto(b"x", ("127.0.0.1", 9))


@scenario("io.udp_send_unconnected")
def _():
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as s:
        s.send(b"x")


@scenario("io.unix_dgram_recvfrom")
def _():
    a, b = unix_pair(S.SOCK_DGRAM)
    with a, b:
        a.send(b"q")
        data, src = b.recvfrom(10)
        return f"{data.decode()} {'-' if src is None else addr(S.AF_UNIX, src)}"


@scenario("io.unix_seqpacket_boundaries")
def _():
    a, b = unix_pair(S.SOCK_SEQPACKET)
    with a, b:
        a.send(b"first")
        a.send(b"second")
        return f"{b.recv(3).decode()} {b.recv(10).decode()}"


@scenario("io.unix_stream_recv")
def _():
    a, b = unix_pair()
    with a, b:
        a.sendall(b"stream")
        return b.recv(100)


INTENDED = {
    "io.recv_dontwait_timeout": (
        "EAGAIN <0.1s", "skt_send",
        "in timeout mode CPython polls (waits) before a MSG_DONTWAIT call; "
        "skt does what the flag asks and never waits."),
    "io.recv_oob_timeout": (
        "! <0.1s", "skt_recv",
        "CPython polls for readability before every receive in timeout mode, "
        "so urgent data (MSG_OOB), which never makes a socket readable, times "
        "out there"),
}
KNOWN_DEVIATIONS = {}
