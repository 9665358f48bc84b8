"""messages - CMSG_LEN and CMSG_SPACE, passing fds and credentials,
sendmsg and recvmsg/recvmsg_into (test_socket.py's CmsgMacroTests,
SCMRightsTest, SendrecvmsgUnixStreamTest, RecvmsgIntoTests,
SendrecvmsgUDPTest, SCM_CREDENTIALS, and the send_fds/recv_fds of 3.9)."""
import os
import socket
import struct
import time

from conf import add, scenario, addr, bucket, fds, udp_pair, unix_pair, word

S = socket
FLAG_NAMES = ((S.MSG_TRUNC, "TRUNC"), (S.MSG_CTRUNC, "CTRUNC"),
              (S.MSG_EOR, "EOR"), (S.MSG_OOB, "OOB"))


def flags(value):
    names = [n for bit, n in FLAG_NAMES if value & bit]
    return "|".join(names) or "0"


# --------------------------------------------------------------------------
# cmsg
# --------------------------------------------------------------------------

for n in (0, 1, 4, 8, 12, 16, 100, 2147483631, 2147483632):
    add(f"cmsg.len.{n}", lambda n=n: socket.CMSG_LEN(n))
for n in (0, 1, 4, 8, 12, 16, 100, 2147483623, 2147483624):
    add(f"cmsg.space.{n}", lambda n=n: socket.CMSG_SPACE(n))


# --------------------------------------------------------------------------
# fdpass
# --------------------------------------------------------------------------

def pair(type=S.SOCK_STREAM):
    return unix_pair(type)


def pass_fds(count, maxfds, report, type=S.SOCK_STREAM):
    def run():
        a, b = pair(type)
        pipes = [os.pipe() for _ in range(count)]
        try:
            with a, b:
                socket.send_fds(a, [b"x"], [w for _, w in pipes])
                msg, got, fl, _ = socket.recv_fds(b, 10, maxfds)
                try:
                    return report(msg, got, fl, pipes)
                finally:
                    for fd in got:
                        os.close(fd)
        finally:
            for r, w in pipes:
                os.close(r), os.close(w)
    return run


def summary(msg, got, fl, pipes):
    return f"{msg.decode()} {len(got)} {flags(fl)}"


def cloexec(msg, got, fl, pipes):
    return " ".join(str(os.get_inheritable(fd)) for fd in got)


def works(msg, got, fl, pipes):
    os.write(got[0], b"through")
    return os.read(pipes[0][0], 100)


def new_numbers(msg, got, fl, pipes):
    return all(fd not in (r, w) for fd in got for r, w in pipes)


add("fdpass.one", pass_fds(1, 1, summary))
add("fdpass.three", pass_fds(3, 3, summary))
add("fdpass.cloexec", pass_fds(2, 2, cloexec))
add("fdpass.received_fd_works", pass_fds(1, 1, works))
add("fdpass.new_fd_numbers", pass_fds(2, 2, new_numbers))
add("fdpass.room_for_more", pass_fds(1, 4, summary))
add("fdpass.more_than_room", pass_fds(3, 1, summary))
add("fdpass.dgram", pass_fds(1, 1, summary, S.SOCK_DGRAM))
add("fdpass.seqpacket", pass_fds(2, 2, summary, S.SOCK_SEQPACKET))


@scenario("fdpass.none_sent")
def _():
    a, b = pair()
    with a, b:
        a.sendall(b"plain")
        msg, got, fl, _ = socket.recv_fds(b, 10, 2)
        return f"{msg.decode()} {len(got)} {flags(fl)}"


@scenario("fdpass.bad_fd")
def _():
    a, b = pair()
    with a, b:
        socket.send_fds(a, [b"x"], [987654])


@scenario("fdpass.fd_count")
def _():
    a, b = pair()
    r, w = os.pipe()
    try:
        with a, b:
            socket.send_fds(a, [b"x"], [w])
            before = fds()
            _, got, _, _ = socket.recv_fds(b, 10, 1)
            more = fds() - before
            for fd in got:
                os.close(fd)
            return f"{more} {fds() - before}"
    finally:
        os.close(r), os.close(w)


def creds(cred_of):
    def run():
        a, b = pair()
        with a, b:
            b.setsockopt(S.SOL_SOCKET, S.SO_PASSCRED, 1)
            a.sendmsg([b"c"], [(S.SOL_SOCKET, S.SCM_CREDENTIALS,
                                struct.pack("3i", *cred_of()))])
            msg, anc, fl, _ = b.recvmsg(10, socket.CMSG_SPACE(12))
            for level, type, data in anc:
                if (level, type) == (S.SOL_SOCKET, S.SCM_CREDENTIALS):
                    pid, uid, gid = struct.unpack("3i", data)
                    return (f"{pid == os.getpid()} {uid == os.getuid()} "
                            f"{gid == os.getgid()}")
            return "none"
    return run


add("fdpass.credentials", creds(lambda: (os.getpid(), os.getuid(), os.getgid())))


@scenario("fdpass.credentials_without_passcred")
def _():
    a, b = pair()
    with a, b:
        a.sendmsg([b"c"], [(S.SOL_SOCKET, S.SCM_CREDENTIALS,
                            struct.pack("3i", os.getpid(), os.getuid(),
                                        os.getgid()))])
        msg, anc, fl, _ = b.recvmsg(10, socket.CMSG_SPACE(12))
        return f"{msg.decode()} {len(anc)}"


# --------------------------------------------------------------------------
# msg
# --------------------------------------------------------------------------

def on_unix(fn, type=S.SOCK_STREAM):
    def run():
        a, b = pair(type)
        with a, b:
            return fn(a, b)
    return run


def gather(a, b):
    n = a.sendmsg([b"ab", b"cd", b"ef"])
    return f"{n} {b.recv(100).decode()}"


def scatter(a, b):
    a.sendall(b"abcdef")
    time.sleep(0.05)
    one, two = bytearray(2), bytearray(10)
    n, anc, fl, _ = b.recvmsg_into([one, two])
    return f"{n} {one.decode()} {two[:n - 2].decode()} {len(anc)} {flags(fl)}"


def basic(a, b):
    a.sendall(b"abc")
    data, anc, fl, src = b.recvmsg(100)
    return f"{data.decode()} {len(anc)} {flags(fl)} {'-' if src is None else src}"


def eof(a, b):
    a.shutdown(S.SHUT_WR)
    data, anc, fl, _ = b.recvmsg(100)
    return f"{data!r} {flags(fl)}"


def peek(a, b):
    a.sendall(b"peek")
    first, _, _, _ = b.recvmsg(100, 0, S.MSG_PEEK)
    again, _, _, _ = b.recvmsg(100)
    return f"{first.decode()} {again.decode()}"


def nonblocking(a, b):
    b.setblocking(False)
    b.recvmsg(100)


def timeout_mode(a, b):
    b.settimeout(0.2)
    start = time.monotonic()
    try:
        b.recvmsg(100)
        r = "ok"
    except OSError as e:
        r = word(e)
    return f"{r} {bucket(time.monotonic() - start)}"


def ctrunc(a, b):
    r, w = os.pipe()
    try:
        socket.send_fds(a, [b"x"], [w])
        data, anc, fl, _ = b.recvmsg(10, socket.CMSG_LEN(0))
        return f"{data.decode()} {len(anc)} {flags(fl)}"
    finally:
        os.close(r), os.close(w)


def no_control(a, b):
    a.sendall(b"q")
    data, anc, fl, _ = b.recvmsg(10, 1024)
    return f"{data.decode()} {len(anc)} {flags(fl)}"


add("msg.sendmsg_gather", on_unix(gather))
add("msg.recvmsg_into_scatter", on_unix(scatter))
add("msg.recvmsg_basic", on_unix(basic))
add("msg.recvmsg_eof", on_unix(eof))
add("msg.recvmsg_peek", on_unix(peek))
add("msg.recvmsg_nonblocking", on_unix(nonblocking))
add("msg.recvmsg_timeout", on_unix(timeout_mode))
add("msg.ancillary_truncated", on_unix(ctrunc))
add("msg.no_control_data", on_unix(no_control))
add("msg.seqpacket_eor", on_unix(lambda a, b: (a.sendmsg([b"rec"]),
                                              flags(b.recvmsg(10)[2]))[1],
                                 S.SOCK_SEQPACKET))


def on_udp(fn):
    def run():
        a, b = udp_pair()
        with a, b:
            return fn(a, b)
    return run


def udp_addressed(a, b):
    with socket.socket(S.AF_INET, S.SOCK_DGRAM) as x:
        x.bind(("127.0.0.1", 0))
        x.settimeout(5)
        n = a.sendmsg([b"dg", b"ram"], [], 0, x.getsockname())
        data, anc, fl, src = x.recvmsg(100)
        return (f"{n} {data.decode()} {flags(fl)} {addr(S.AF_INET, src)} "
                f"{src == a.getsockname()}")


def udp_trunc(a, b):
    a.send(b"0123456789")
    data, anc, fl, src = b.recvmsg(3)
    return f"{data.decode()} {flags(fl)}"


def udp_empty(a, b):
    n = a.sendmsg([])
    data, anc, fl, src = b.recvmsg(10)
    return f"{n} {data!r} {flags(fl)}"


add("msg.udp_sendmsg_to", on_udp(udp_addressed))
add("msg.udp_truncated", on_udp(udp_trunc))
add("msg.udp_empty", on_udp(udp_empty))


@scenario("msg.unix_dgram_to_path")
def _():
    from conf import path
    p = path("dgram.sock")
    with socket.socket(S.AF_UNIX, S.SOCK_DGRAM) as rx, \
            socket.socket(S.AF_UNIX, S.SOCK_DGRAM) as tx:
        rx.bind(p)
        rx.settimeout(5)
        tx.sendmsg([b"to-path"], [], 0, p)
        data, anc, fl, src = rx.recvmsg(100)
        return f"{data.decode()} {'-' if not src else addr(S.AF_UNIX, src)}"


INTENDED = {
    "fdpass.cloexec": (
        "False False", "skt_recv_fds",
        "received fds are close-on-exec (PEP 446's rule for every new fd), "
        "where Python's recv_fds gives inheritable ones"),
    "fdpass.more_than_room": (
        "x 0 CTRUNC", "skt_recv_fds",
        "when they do not all fit, every one is closed, where Python returns "
        "those that fit"),
}
KNOWN_DEVIATIONS = {}

# Differences that only skt's posix platform has (see driver.py): Linux's
# features it lacks, or another default selector backend.
PLATFORM = {"posix": {
    "fdpass.credentials": (
        "EOPNOTSUPP", "skt_ancbuf_add_creds",
        "Linux only; -EOPNOTSUPP with a detail on the posix platform"),
    "fdpass.credentials_without_passcred": (
        "EOPNOTSUPP", "skt_ancbuf_add_creds",
        "Linux only; -EOPNOTSUPP with a detail on the posix platform"),
}}
