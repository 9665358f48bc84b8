"""streams - socket.makefile("rwb"): lines, exact and partial reads, peek,
buffered writes and flush, the ends of streams, timeouts and non-blocking
sockets (test_socket.py's FileObjectClassTestCase, UnbufferedFileObjectClassTestCase,
SocketMemoryLeakTest, and the makefile reference)."""
import socket
import threading
import time

from conf import add, scenario, pybytes, tcp_pair, word

S = socket


def on_file(peer_sends, fn, close_peer=False):
    def run():
        c, s = tcp_pair()
        with c, s:
            f = s.makefile("rwb")
            with f:
                if peer_sends:
                    c.sendall(peer_sends)
                if close_peer:
                    c.shutdown(S.SHUT_WR)
                time.sleep(0.02)
                return fn(f, c, s)
    return run


def show(*parts):
    return " ".join(pybytes(p) if isinstance(p, bytes) else str(p)
                    for p in parts)


add("makefile.readline", on_file(b"one\ntwo\n", lambda f, c, s: show(f.readline())))
add("makefile.readline_twice", on_file(b"one\ntwo\n", lambda f, c, s: show(f.readline(), f.readline())))
add("makefile.readline_eof_partial", on_file(
    b"tail", lambda f, c, s: show(f.readline(), f.readline()), close_peer=True))
add("makefile.readline_max", on_file(b"abcdefgh\n", lambda f, c, s: show(f.readline(4))))
add("makefile.readline_max_exact", on_file(b"abc\n", lambda f, c, s: show(f.readline(4))))
add("makefile.readline_crlf", on_file(b"a\r\nb\n", lambda f, c, s: show(f.readline())))
add("makefile.readline_empty_line", on_file(b"\nx\n", lambda f, c, s: show(f.readline(), f.readline())))
add("makefile.read_exact", on_file(b"hello world", lambda f, c, s: show(f.read(5))))
add("makefile.read_exact_then_rest", on_file(
    b"hello world", lambda f, c, s: show(f.read(5), f.read(6))))
add("makefile.read_exact_eof", on_file(b"hi", lambda f, c, s: show(f.read(5)),
                                       close_peer=True))
add("makefile.read1", on_file(b"hello", lambda f, c, s: show(f.read1(100))))
add("makefile.read_at_eof", on_file(b"", lambda f, c, s: show(f.read1(10)),
                                    close_peer=True))
add("makefile.peek", on_file(b"hello", lambda f, c, s: show(f.peek(3)[:3], f.read(5))))


def count_lines(f, c, s):
    return sum(1 for _ in f)


add("makefile.iterate_lines", on_file(b"a\nb\nc\n", count_lines, close_peer=True))


def long_line(f, c, s):
    return len(f.readline())


@scenario("makefile.readline_long_line")
def _():
    c, s = tcp_pair()
    with c, s, s.makefile("rwb") as f:
        t = threading.Thread(target=c.sendall, args=(b"x" * 100000 + b"\n",))
        t.start()
        n = len(f.readline())
        t.join(10)
        return n


def write_flush(f, c, s):
    f.write(b"abc")
    f.flush()
    return show(c.recv(10))


def write_held(f, c, s):
    f.write(b"abc")
    c.setblocking(False)
    try:
        c.recv(10)
        first = "data"
    except BlockingIOError:
        first = "EAGAIN"
    f.flush()
    c.settimeout(5)
    return show(first, c.recv(10))


add("makefile.write_flush", on_file(b"", write_flush))
add("makefile.write_held_until_flush", on_file(b"", write_held))


@scenario("makefile.write_large")
def _():
    c, s = tcp_pair()
    got = []

    def reader():
        total = 0
        while total < 200000:
            b = c.recv(65536)
            if not b:
                break
            total += len(b)
        got.append(total)
    with c, s, s.makefile("rwb") as f:
        t = threading.Thread(target=reader)
        t.start()
        f.write(b"y" * 200000)
        f.flush()
        t.join(10)
        return got[0] if got else "none"


def close_keeps_socket(f, c, s):
    f.close()
    s.sendall(b"after")
    return show(c.recv(10))


add("makefile.close_keeps_socket", on_file(b"", close_keeps_socket))


def timeout_then_more(f, c, s):
    s.settimeout(0.2)
    try:
        first = show(f.readline())
    except OSError as e:
        first = word(e)
    c.sendall(b"t\n")
    try:
        second = show(f.readline())
    except OSError as e:
        second = word(e)
    return f"{first} {second}"


add("makefile.timeout_keeps_partial_line", on_file(b"par", timeout_then_more))


def nonblocking_partial(f, c, s):
    s.setblocking(False)
    f.readline()


add("makefile.nonblocking_partial_line", on_file(b"par", nonblocking_partial))


def nonblocking_whole(f, c, s):
    s.setblocking(False)
    return show(f.readline())


add("makefile.nonblocking_whole_line", on_file(b"line\n", nonblocking_whole))

INTENDED = {
    "makefile.readline_max": (
        "ELINETOOLONG", "skt_stream_readline",
        "readline(max) with a longer line returns max bytes of it in "
        "Python, and the caller cannot tell a cut line from a whole one; "
        "skt fails with SKT_ELINETOOLONG and keeps every byte."),
    "makefile.read_exact_eof": (
        "EEOF hi", "skt_stream_read_exact",
        "read(n) returns fewer bytes at the end of the stream, and the caller "
        "must compare lengths to see it"),
    "makefile.timeout_keeps_partial_line": (
        "ETIMEDOUT part\\x0a", "skt_stream",
        "Python's makefile refuses every read after a timeout"),
    "makefile.nonblocking_partial_line": (
        "EAGAIN", "skt_stream",
        "a non-blocking readline that finds half a line returns the half as "
        "if it were a line (or, in \"rwb\" mode, raises OSError)"),
}
KNOWN_DEVIATIONS = {}
