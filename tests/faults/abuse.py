#!/usr/bin/env python3
"""Server abuse: one experiment against one example server, with Python's
standard library only.

    abuse.py EXPERIMENT SERVER EXAMPLES_DIR PEERS_DIR

SERVER is an example: echo-server, threading-echo-server, pool-echo-server,
forking-echo-server, event-echo-server, multiconn-server, tls-echo-server
or app-server. EXPERIMENT:

  slowloris  300 connections trickle a byte a second for 6 s while a good
             client makes a request every 50 ms; its latency p50/p99 is
             printed. slowloris-1000: 1000 connections for 20 s (make
             faults).
  silent     300 connections that send nothing are held while the good
             client makes 10 requests, 0.3 s apart (40 s at most in all:
             more than the
             30 s idle timeout of the blocking-mode echo servers).
  fds        the server's soft RLIMIT_NOFILE is lowered (prlimit) to what
             it has open plus 16 (plus 0 for the sequential servers) and
             100 idle connections exhaust it for 3 s; its CPU time over
             those 3 s must be near zero (no spinning on a readable
             listener), and once the connections leave (for the sequential
             servers: once the limit is restored) it serves again.
  malformed  three floods of 300 malformed requests (garbage, resets,
             senders that never read; bad JSON headers for app-server,
             garbage TLS records for tls-echo-server); the server's fd
             count and RSS (/proc/PID/fd, /proc/PID/status) after the
             third flood must equal those after the first (RSS within
             8 MiB).

Every experiment ends with the server alive, a good request served, and
SIGTERM stopping it (status 0; echo-server and tls-echo-server have no
handler and are simply ended by it). The servers that serve one connection at a time
(echo-server, tls-echo-server) are held to that only: while abusers hold
them, a good client cannot be served, by design. Exit 0 on success, 1 on
failure (the reason on stderr), 77 when the experiment cannot run here.
"""
import os
import random
import resource
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

SEQUENTIAL = {"echo-server", "tls-echo-server"}
# These run until killed: SIGTERM ends them with its default action.
NO_SIGNAL_HANDLER = {"echo-server", "tls-echo-server"}
SERVERS = {"echo-server", "threading-echo-server", "pool-echo-server",
           "forking-echo-server", "event-echo-server", "multiconn-server",
           "tls-echo-server", "app-server"}
HOST = "127.0.0.1"


def fail(reason):
    sys.stdout.flush()
    print(f"FAIL: {reason}", file=sys.stderr)
    sys.exit(1)


def skip(reason):
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(77)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


class Server:
    """An example server in its own process, its output in files."""

    def __init__(self, name, examples, peers, workdir):
        self.name = name
        self.workdir = workdir
        self.certs = None
        cmd = [os.path.join(examples, name), HOST, "0"]
        if name == "tls-echo-server":
            self.certs = os.path.join(workdir, "certs")
            os.mkdir(self.certs)
            if shutil.which("openssl") is None:
                skip("the openssl command is not installed")
            subprocess.run(["sh", os.path.join(peers, "make-certs.sh"),
                            self.certs], check=True,
                           stderr=subprocess.DEVNULL)
            cmd += [os.path.join(self.certs, "server.pem"),
                    os.path.join(self.certs, "server.key")]
        env = dict(os.environ)
        # A small ASan quarantine, so that RSS shows what is held.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":quarantine_size_mb=4").lstrip(":")
        self.out_path = os.path.join(workdir, "server.out")
        self.err_path = os.path.join(workdir, "server.err")
        with open(self.out_path, "wb") as out, \
                open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err,
                                         env=env)
        self.port = self.wait_listening()
        self.tls = None
        if self.certs:
            self.tls = ssl.create_default_context(
                cafile=os.path.join(self.certs, "ca.pem"))

    def wait_listening(self):
        end = time.monotonic() + 15
        while time.monotonic() < end:
            with open(self.out_path, "rb") as f:
                for line in f:
                    if line.startswith(b"listening on "):
                        return int(line.split(b":")[-1])
            if self.proc.poll() is not None:
                fail(f"{self.name} exited ({self.proc.returncode}) before "
                     f"listening: {self.stderr()}")
            time.sleep(0.05)
        fail(f"{self.name} printed no \"listening on\" line")

    def stderr(self, limit=2000):
        with open(self.err_path, "rb") as f:
            return f.read()[:limit].decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")

    def stop(self):
        """SIGTERM; fails unless the server exits with status 0 (or, for
        those without a handler, is ended by the signal)."""
        if not self.alive():
            fail(f"{self.name} died (status {self.proc.returncode}): "
                 f"{self.stderr()}")
        self.proc.terminate()
        try:
            status = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail(f"{self.name} did not stop within 15 s of SIGTERM")
        wanted = -15 if self.name in NO_SIGNAL_HANDLER else 0
        if status != wanted:
            fail(f"{self.name} exited {status} on SIGTERM: {self.stderr()}")

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    # The good client ------------------------------------------------------

    def connect(self, timeout):
        sock = socket.create_connection((HOST, self.port), timeout=timeout)
        if self.tls:
            sock = self.tls.wrap_socket(sock, server_hostname="localhost")
        return sock

    def request(self, timeout):
        """One good request; returns its latency, raises on failure."""
        start = time.monotonic()
        with self.connect(timeout) as sock:
            if self.name == "app-server":
                app_exchange(sock)
            else:
                echo_exchange(sock)
        return time.monotonic() - start


def echo_exchange(sock):
    data = random.randbytes(64)
    sock.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the whole echo came")
        got += chunk
    if got != data:
        raise ValueError("the echo differs from what was sent")


def app_exchange(sock):
    import app_protocol
    sock.sendall(app_protocol.make_request("search", "morpheus"))
    buffer = b""
    while True:
        message = app_protocol.decode(buffer)
        if message is not None:
            break
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the whole response came")
        buffer += chunk
    if b"Follow the white rabbit" not in app_protocol.result_text(
            message[0], message[1]):
        raise ValueError("a wrong answer")


def good_requests(server, count, timeout, until, interval):
    """Up to count requests one after another, one every interval seconds
    at most, until the monotonic time until; returns (latencies,
    failures)."""
    latencies, failures = [], []
    while len(latencies) + len(failures) < count and time.monotonic() < until:
        began = time.monotonic()
        left = max(0.1, min(timeout, until - began))
        try:
            latencies.append(server.request(left))
        except (OSError, ValueError) as err:
            failures.append(repr(err))
        time.sleep(max(0.0, min(interval - (time.monotonic() - began),
                                until - time.monotonic())))
    return latencies, failures


def open_idle(count, port, wait=5.0):
    """count connections, made at once (non-blocking connects)."""
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((HOST, port))
        socks.append(s)
    end = time.monotonic() + wait
    pending = list(socks)
    import selectors
    with selectors.DefaultSelector() as sel:
        for s in pending:
            sel.register(s, selectors.EVENT_WRITE)
        left = len(pending)
        while left and time.monotonic() < end:
            for key, _ in sel.select(max(0.0, end - time.monotonic())):
                sel.unregister(key.fileobj)
                left -= 1
    return socks


def close_all(socks, reset=False):
    for s in socks:
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        s.close()


def closed_by_server(socks):
    """How many of socks the server has closed (EOF or reset)."""
    closed = 0
    for s in socks:
        try:
            if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    return closed


def latency_line(latencies, failures):
    return (f"{len(latencies)} served, {len(failures)} failed, "
            f"p50={ms(percentile(latencies, 50))} "
            f"p99={ms(percentile(latencies, 99))} "
            f"max={ms(max(latencies) if latencies else float('nan'))}")


def final_check(server, timeout=30):
    try:
        latency = server.request(timeout)
    except (OSError, ValueError) as err:
        fail(f"{server.name} did not serve a good request afterwards: "
             f"{err!r}; server alive: {server.alive()}; stderr: "
             f"{server.stderr()}")
    print(f"{server.name}: afterwards a good request took {ms(latency)}")


# The experiments ----------------------------------------------------------

def trickle_bytes(name):
    """What a slowloris connection sends, a byte at a time."""
    if name == "app-server":
        return b"\x00\x60" + b'{"byteorder": "little", ' * 20
    if name == "tls-echo-server":
        return b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(300)
    return b"x" * 1000


def slowloris(server, count=300, seconds=6.0):
    socks = open_idle(count, server.port)
    data = trickle_bytes(server.name)
    stop = threading.Event()
    errors = [0]

    def trickle():
        for i in range(int(seconds)):
            for s in socks:
                try:
                    s.send(data[i:i + 1])
                except OSError:
                    errors[0] += 1
            if stop.wait(1.0):
                return

    thread = threading.Thread(target=trickle)
    thread.start()
    latencies, failures = good_requests(server, 1000, 3.0,
                                        time.monotonic() + seconds, 0.05)
    stop.set()
    thread.join()
    closed = closed_by_server(socks)
    close_all(socks)
    print(f"slowloris {server.name}: {count} connections trickling 1 byte/s "
          f"for {seconds:.0f} s ({closed} closed by the server, "
          f"{errors[0]} send errors); good client: "
          f"{latency_line(latencies, failures)}")
    if not server.alive():
        fail(f"{server.name} died under slowloris: {server.stderr()}")
    if server.name not in SEQUENTIAL:
        if failures or not latencies:
            fail(f"{server.name}: the good client was not served during "
                 f"slowloris: {failures[:3]}")
        if percentile(latencies, 99) > 1.0:
            fail(f"{server.name}: p99 latency "
                 f"{ms(percentile(latencies, 99))} under slowloris")
    final_check(server)


def silent(server):
    count = 300
    socks = open_idle(count, server.port)
    start = time.monotonic()
    latencies, failures = good_requests(server, 10, 40.0, start + 40.0,
                                        0.3)
    closed = closed_by_server(socks)
    close_all(socks)
    print(f"silent {server.name}: {count} silent connections held "
          f"{time.monotonic() - start:.1f} s ({closed} closed by the "
          f"server); good client: {latency_line(latencies, failures)}")
    if not server.alive():
        fail(f"{server.name} died with silent connections: "
             f"{server.stderr()}")
    if server.name not in SEQUENTIAL and len(latencies) < 10:
        fail(f"{server.name}: only {len(latencies)} of 10 good requests "
             f"served within 40 s while silent connections were held: "
             f"{failures[:3]}")
    final_check(server)


def set_nofile(pid, soft):
    hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)[1]
    if shutil.which("prlimit"):
        subprocess.run(["prlimit", f"--pid={pid}", f"--nofile={soft}:{hard}"],
                       check=True)
    else:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))


def fds(server):
    pid = server.proc.pid
    original = resource.prlimit(pid, resource.RLIMIT_NOFILE)[0]
    base = server.fds()
    room = 0 if server.name in SEQUENTIAL else 16
    set_nofile(pid, base + room)
    socks = open_idle(100, server.port)
    time.sleep(0.5)
    cpu_before = server.cpu_seconds()
    start = time.monotonic()
    try:
        server.request(1.0)
        during = "served"
    except (OSError, ValueError) as err:
        during = f"not served ({type(err).__name__})"
    time.sleep(max(0.0, 3.0 - (time.monotonic() - start)))
    cpu = server.cpu_seconds() - cpu_before
    held = server.fds() if server.alive() else -1
    if not server.alive():
        fail(f"{server.name} died out of fds (status "
             f"{server.proc.returncode}): {server.stderr()}")
    if server.name in SEQUENTIAL:
        set_nofile(pid, original)
    close_all(socks)
    reported = b"Too many open files" in open(server.err_path, "rb").read()
    print(f"fds {server.name}: soft limit {base + room} ({base} open at "
          f"start); with 100 clients it held {held} fds; a request then: "
          f"{during}; CPU over the 3 s out of fds: {cpu:.2f} s; "
          f"EMFILE reported on stderr: {reported}")
    if cpu > 0.5:
        fail(f"{server.name} used {cpu:.2f} s of CPU in 3 s out of fds: a "
             f"spin")
    final_check(server, 15)


def garbage_requests(name):
    """The malformed things one flood sends, as (bytes, how to end)."""
    rnd = random.Random(7)
    junk = [rnd.randbytes(n) for n in (1, 7, 100, 1000, 4096)]
    if name == "app-server":
        def header(text, extra=b""):
            raw = text.encode("utf-8", "surrogatepass")
            return struct.pack(">H", len(raw)) + raw + extra
        things = [
            header("not json"), header("[1, 2, 3]"), header("{}"),
            header('{"byteorder": "little"}'),
            header('{"byteorder": "little", "content-type": "text/json", '
                   '"content-encoding": "utf-8", "content-length": -5}'),
            header('{"byteorder": "little", "content-type": "text/json", '
                   '"content-encoding": "utf-8", "content-length": 1.5}'),
            header('{"byteorder": "little", "content-type": "text/json", '
                   '"content-encoding": "utf-8", '
                   '"content-length": 1000000000000}'),
            header('{"byteorder": "little", "content-type": "text/json", '
                   '"content-encoding": "utf-8", "content-length": 10}',
                   b"{not json}"),
            b"\xff\xff" + junk[4], b"\x00\x00", b"\x00\x10\xff\xfe\xfd" * 4,
            struct.pack(">H", 6) + b"\xc3\x28\xa0\xa1\xe2\x28",
        ]
    elif name == "tls-echo-server":
        things = [
            b"\x16\x03\x01\x00\x05" + junk[0] * 5,
            b"\x16\x03\x03\xff\xff" + junk[4],
            b"\x17\x03\x03\x00\x64" + junk[2],
            b"\x15\x03\x03\x00\x02\x02\x28",
            b"\x14\x03\x03\x00\x01\x01" + b"\x16\x03\x03\x00\x04abcd",
            b"\x80\x2e\x01\x00\x02\x00\x15" + junk[1] * 7,
            client_hello()[:60] + junk[3], client_hello() + junk[3],
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ] + junk
    else:
        things = junk + [b"\x00" * 65536, b"\xff\xfe" * 20000]
    return things


def client_hello():
    """A real ClientHello, from Python's ssl through memory."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def flood(server, things, count=300):
    for i in range(count):
        payload = things[i % len(things)]
        try:
            s = socket.create_connection((HOST, server.port), timeout=5)
        except OSError as err:
            fail(f"connection {i} of the flood failed: {err!r}")
        try:
            s.sendall(payload)
            if i % 3 == 1:
                s.settimeout(0.05)
                try:
                    s.recv(65536)
                except OSError:
                    pass
        except OSError:
            pass
        close_all([s], reset=i % 3 != 2)


def settle(server, fds_wanted, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.fds() <= fds_wanted:
            break
        time.sleep(0.1)
    time.sleep(0.3)
    return server.fds(), server.rss_kib()


def malformed(server):
    for _ in range(3):
        server.request(5)
    fds0, rss0 = server.fds(), server.rss_kib()
    things = garbage_requests(server.name)
    start = time.monotonic()
    flood(server, things)
    fds1, rss1 = settle(server, fds0)
    flood(server, things)
    flood(server, things)
    fds2, rss2 = settle(server, fds0)
    seconds = time.monotonic() - start
    print(f"malformed {server.name}: 3 floods of 300 malformed requests "
          f"({len(things)} kinds) in {seconds:.1f} s; fds {fds0} before, "
          f"{fds1} after the first flood, {fds2} after the third; RSS "
          f"{rss0} KiB before, {rss1} KiB after the first, {rss2} KiB after "
          f"the third ({(rss2 - rss1) / 1024:+.1f} MiB)")
    if not server.alive():
        fail(f"{server.name} died in the flood: {server.stderr()}")
    if fds2 != fds1 or fds2 > fds0:
        fail(f"{server.name} holds {fds2} fds after the floods, "
             f"{fds1} after the first, {fds0} before")
    if rss2 - rss1 > 8192:
        fail(f"{server.name} grew {rss2 - rss1} KiB over two floods")
    final_check(server)


EXPERIMENTS = {"slowloris": slowloris, "silent": silent, "fds": fds,
               "malformed": malformed,
               "slowloris-1000": lambda s: slowloris(s, 1000, 20.0)}


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in EXPERIMENTS or \
            sys.argv[2] not in SERVERS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    experiment, name, examples, peers = sys.argv[1:]
    sys.dont_write_bytecode = True
    sys.path.insert(0, peers)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sys.stdout.reconfigure(line_buffering=True)
    workdir = tempfile.mkdtemp(prefix="skt-abuse-")
    server = None
    try:
        server = Server(name, examples, peers, workdir)
        EXPERIMENTS[experiment](server)
        server.stop()
        print(f"{experiment} {name}: ok")
    finally:
        if server is not None:
            server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
