#!/usr/bin/env python3
"""Server abuse: one experiment against one example server, with Python's
standard library only.

    abuse.py EXPERIMENT SERVER EXAMPLES_DIR PEERS_DIR

SERVER is an example: echo-server, threading-echo-server, pool-echo-server,
forking-echo-server, event-echo-server, multiconn-server, tls-echo-server
or app-server. EXPERIMENT:

  slowloris  300 connections (opened 32 at a time, each batch off the
             listen queue before the next) trickle a byte a second for
             6 s while a good client makes a request every 50 ms; its
             latency p50/p99 is printed. slowloris-1000: 1000 connections for 20 s (make
             faults).
  silent     300 connections that send nothing are held while the good
             client makes 10 requests, 0.3 s apart (40 s at most in all,
             more than the 30 s idle timeout of the blocking-mode echo
             servers; 5 s for the sequential servers).

The servers of bounded capacity (threading-echo-server: a thread each, up
to SKT_SERVER_THREADS_LIMIT = 128, further clients wait in the listen
backlog; pool-echo-server: a pool thread each, online CPUs + 4 at most
32, further connections wait in the pool's queue) are held, in both
experiments, to what include/skt.h promises for their mode, in two
phases:

  under capacity  fewer abusers than the capacity (100 threads; pool size
             - 1) are held for 3 s while the good client makes a request
             every 50 ms: each is served, p99 under 1 s.
  over capacity   more abusers than the capacity (slowloris: 200 threads,
             300 for the pool; silent: 200 threads, 3 x pool size) and a
             good client that waits among them. The server must stay up,
             within its limits (threads, fds, RSS: sampled every 0.1 s),
             and not spin (CPU time over the phase); the good client's
             wait is printed. Slowloris: the abusers trickle for 4 s and
             leave; the waiting client must be served within 2 s of it,
             and fresh clients at once. Silent: a second server with an
             idle timeout of 1 s (-i 1) must close every silent
             connection after that second (in waves of the capacity,
             each timed from its connect: none before 0.95 s, the first
             wave within 1 s + slack, all within waves x 1 s + slack,
             slack 1.5 s), and serve the waiting client
             when its wave comes. Afterwards the fds are those of before
             (no leak), RSS within 32 MiB of before.
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
handler and are simply ended by it). The servers that serve one
connection at a time (echo-server, tls-echo-server) are held to that
only: while abusers hold them, a good client cannot be served, by
design. Exit 0 on success, 1 on failure (the reason on stderr), 77 when
the experiment cannot run here.
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

    def __init__(self, name, examples, peers, workdir, options=()):
        self.name = name
        self.examples, self.peers = examples, peers
        self.workdir = workdir
        self.certs = None
        cmd = [os.path.join(examples, name), *options, HOST, "0"]
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

    def status(self, field):
        """A number from /proc/PID/status (VmRSS in KiB, Threads), or -1."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return -1

    def rss_kib(self):
        return self.status("VmRSS")

    def threads(self):
        return self.status("Threads")

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


# The servers of bounded capacity -----------------------------------------

# The example's max_connections: the library's default for its mode.
THREADS_LIMIT = 128
# Slack for the timings of the over-capacity phases: ASan, two shared
# cores, other tests running beside.
SLACK = 1.5
# RSS a server may keep after the over-capacity phase (thread stacks that
# glibc caches, ASan's per-thread state), in KiB.
RSS_BOUND = 32 * 1024


def capacity(name):
    """How many slow or silent clients the server name serves at once:
    threads up to max_connections, or the pool's threads (online CPUs +
    4, at most 32, as the library sizes it); None for the servers whose
    cost is not a bounded number of workers."""
    if name == "threading-echo-server":
        return THREADS_LIMIT
    if name == "pool-echo-server":
        return min(max(os.sysconf("SC_NPROCESSORS_ONLN"), 1) + 4, 32)
    return None


class Trickler:
    """Sends a byte a second on each of socks, for seconds at most."""

    def __init__(self, socks, data, seconds):
        self.socks, self.data, self.seconds = socks, data, seconds
        self.errors = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for i in range(int(self.seconds)):
            for s in self.socks:
                try:
                    s.send(self.data[i % len(self.data):][:1])
                except OSError:
                    self.errors += 1
            if self.done.wait(1.0):
                return

    def stop(self):
        self.done.set()
        self.thread.join()

    def join(self):
        self.thread.join()


class Sampler:
    """The server's fds, threads and RSS every 0.1 s, in a thread of its
    own; keeps the peaks."""

    def __init__(self, server):
        self.server = server
        self.fds = self.threads = self.rss = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def sample(self):
        try:
            fds, threads = self.server.fds(), self.server.threads()
            rss = self.server.rss_kib()
        except OSError:
            return
        self.fds = max(self.fds, fds)
        self.threads = max(self.threads, threads)
        self.rss = max(self.rss, rss)

    def run(self):
        while True:
            self.sample()
            if self.done.wait(0.1):
                return

    def stop(self):
        self.done.set()
        self.thread.join()
        self.sample()


class WaitingClient:
    """One good request in a thread of its own, made while abusers hold
    the server: when it was served (monotonic), or why it was not."""

    def __init__(self, server, timeout):
        self.server, self.timeout = server, timeout
        self.began = time.monotonic()
        self.served = None
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            self.server.request(self.timeout)
            self.served = time.monotonic()
        except (OSError, ValueError) as err:
            self.error = repr(err)

    def join(self):
        self.thread.join(self.timeout + 5)
        if self.thread.is_alive():
            fail(f"{self.server.name}: the waiting client hangs")

    def wait(self):
        """Seconds from its connect to its answer (or to now)."""
        return (self.served or time.monotonic()) - self.began

    def outcome(self):
        """What became of it, for the figures."""
        if self.served is None:
            return f"failed ({self.error})"
        return f"was served after {self.wait():.2f} s"


def wait_accepted(server, fds_wanted, seconds=5.0):
    """Waits until the server holds fds_wanted fds (its abusers accepted);
    returns the count it holds."""
    end = time.monotonic() + seconds
    while server.fds() < fds_wanted and time.monotonic() < end:
        time.sleep(0.02)
    return server.fds()


def steady_fds(server, seconds=3.0):
    """The server's fd count once it has not changed for 0.2 s (the last
    good request's connection closed)."""
    end = time.monotonic() + seconds
    last, since = server.fds(), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < 0.2:
        time.sleep(0.02)
        now = server.fds()
        if now != last:
            last, since = now, time.monotonic()
    return last


def open_abusers(server, count, base):
    """count connections to server, made 32 at a time: each batch waits
    until the server has accepted it (up to its capacity, for the thread
    mode's limit), so that a burst never overflows the listen backlog
    and the kernel's SYN back-off (1 s) never shows in the figures. base
    is the server's fd count before. Returns the sockets, and when
    (monotonic) each was connected."""
    cap = capacity(server.name)
    limit = cap if server.name == "threading-echo-server" else count
    socks, opened = [], []
    while len(socks) < count:
        batch = min(32, count - len(socks))
        opened += [time.monotonic()] * batch
        socks += open_idle(batch, server.port)
        if connected(socks[-batch:]) < batch:
            break
        wait_accepted(server, base + min(len(socks), limit), 2.0)
    # The backlog is full (more abusers than the limit and the backlog
    # hold): the rest wait in the kernel's SYN back-off.
    rest = count - len(socks)
    opened += [time.monotonic()] * rest
    socks += open_idle(rest, server.port, 1.0) if rest else []
    return socks, opened


def accept_queue(port):
    """How many connections wait in the accept queue of the TCP listener
    on port (the kernel's count, from /proc/net/tcp and tcp6), or None
    when no listener is found."""
    found = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] != "0A" or int(fields[1].rsplit(":", 1)[1],
                                          16) != port:
                continue
            found = (found or 0) + int(fields[4].split(":")[1], 16)
    return found


def open_drained(server, count, seconds=3.0):
    """count connections to server, made 32 at a time: each batch waits
    (up to seconds) until the server has taken it off the listen queue,
    so that a burst never overflows the backlog and the kernel's SYN
    back-off (1 s) never shows in a good client's figures. A sequential
    server never drains the queue: its batches are not waited for."""
    socks = []
    while len(socks) < count:
        socks += open_idle(min(32, count - len(socks)), server.port)
        if server.name in SEQUENTIAL:
            continue
        end = time.monotonic() + seconds
        while (accept_queue(server.port) or 0) > 0 \
                and time.monotonic() < end:
            time.sleep(0.01)
    return socks


def connected(socks):
    """How many of socks (non-blocking connects) are connected."""
    count = 0
    for s in socks:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            try:
                s.getpeername()
                count += 1
            except OSError:
                pass
    return count


def under_capacity(server, experiment, seconds=3.0):
    """Fewer abusers than the capacity are held while the good client
    makes a request every 50 ms: a worker is free, so each must be
    served promptly."""
    cap = capacity(server.name)
    count = 100 if server.name == "threading-echo-server" else cap - 1
    server.request(5)  # the pool starts with the first request
    base = steady_fds(server)
    socks, _ = open_abusers(server, count, base)
    held = wait_accepted(server, base + count) - base
    trickler = None
    if experiment == "slowloris":
        trickler = Trickler(socks, trickle_bytes(server.name), seconds + 1)
    latencies, failures = good_requests(server, 1000, 3.0,
                                        time.monotonic() + seconds, 0.05)
    if trickler is not None:
        trickler.stop()
    closed = closed_by_server(socks)
    close_all(socks)
    print(f"{experiment} {server.name}, under capacity: {count} "
          f"{'trickling' if trickler else 'silent'} connections of "
          f"{cap} ({held} accepted, {closed} closed by the server) for "
          f"{seconds:.0f} s; good client: "
          f"{latency_line(latencies, failures)}")
    if not server.alive():
        fail(f"{server.name} died under capacity: {server.stderr()}")
    if held < count:
        fail(f"{server.name} accepted {held} of {count} connections, under "
             f"its capacity of {cap}")
    if failures or not latencies:
        fail(f"{server.name}: the good client was not served under "
             f"capacity: {failures[:3]}")
    if percentile(latencies, 99) > 1.0:
        fail(f"{server.name}: p99 latency {ms(percentile(latencies, 99))} "
             f"under capacity")


class Overload:
    """The figures of an over-capacity phase: fds, threads, RSS and CPU
    time from before the abusers came, and their peaks meanwhile."""

    def __init__(self, server):
        self.server = server
        self.fds0, self.threads0 = steady_fds(server), server.threads()
        self.rss0, self.cpu0 = server.rss_kib(), server.cpu_seconds()
        self.began = time.monotonic()
        self.sampler = Sampler(server)

    def finish(self, count):
        """Stops the sampler once the fds are back (or 10 s); prints and
        checks the figures; count is the number of abusers."""
        server, cap = self.server, capacity(self.server.name)
        fds1, rss1 = settle(server, self.fds0)
        self.sampler.stop()
        cpu = server.cpu_seconds() - self.cpu0
        seconds = time.monotonic() - self.began
        peak = self.sampler
        print(f"{server.name}, over capacity: fds {self.fds0} before, peak "
              f"{peak.fds}, {fds1} after; threads {self.threads0} before, "
              f"peak {peak.threads}; RSS {self.rss0} KiB before, peak "
              f"{peak.rss} KiB, {rss1} KiB after; CPU {cpu:.2f} s over "
              f"{seconds:.1f} s")
        held = cap if server.name == "threading-echo-server" else count
        # A thread that has ended but is not yet closed or joined: a few.
        if peak.fds > self.fds0 + min(held, count) + 8:
            fail(f"{server.name} held {peak.fds} fds for {count} abusers "
                 f"({self.fds0} before)")
        if fds1 != self.fds0:
            fail(f"{server.name} holds {fds1} fds after the abusers left, "
                 f"{self.fds0} before")
        extra = cap + 2 if server.name == "threading-echo-server" else 0
        if peak.threads > self.threads0 + extra:
            fail(f"{server.name} ran {peak.threads} threads "
                 f"({self.threads0} before, capacity {cap})")
        if rss1 - self.rss0 > RSS_BOUND or peak.rss - self.rss0 > RSS_BOUND:
            fail(f"{server.name} grew {(rss1 - self.rss0) // 1024} MiB "
                 f"(peak {(peak.rss - self.rss0) // 1024} MiB)")
        # Waiting for workers is sleeping: a spin would use a core.
        if cpu > 0.5 + 0.1 * seconds:
            fail(f"{server.name} used {cpu:.2f} s of CPU in {seconds:.1f} s "
                 f"over capacity: a spin")


def slowloris_over_capacity(server, count, seconds):
    """count abusers (more than the capacity) trickle for seconds while a
    good client waits among them; then they leave, and it must be served
    within 2 s (the TCP SYN back-off of a client left out of the listen
    backlog aside), and fresh clients at once."""
    cap = capacity(server.name)
    phase = Overload(server)
    socks, _ = open_abusers(server, count, phase.fds0)
    trickler = Trickler(socks, trickle_bytes(server.name), seconds)
    in_backlog = connected(socks)
    waiting = WaitingClient(server, seconds + 45)
    trickler.join()
    served_during = waiting.served is not None
    left = time.monotonic()
    closed = closed_by_server(socks)
    close_all(socks)
    waiting.join()
    latencies, failures = good_requests(server, 20, 3.0,
                                        time.monotonic() + 10, 0.05)
    recovery = (waiting.served or time.monotonic()) - left
    print(f"slowloris {server.name}, over capacity: {count} connections "
          f"of {cap} ({in_backlog} connected, {closed} closed by the "
          f"server, {trickler.errors} send errors) trickling 1 byte/s for "
          f"{seconds:.0f} s; the waiting client {waiting.outcome()} "
          f"({'before' if served_during else 'after'} the abusers left: "
          f"{recovery * 1000:+.0f} ms from it); then fresh clients: "
          f"{latency_line(latencies, failures)}")
    if not server.alive():
        fail(f"{server.name} died over capacity: {server.stderr()}")
    if waiting.error is not None:
        fail(f"{server.name}: the waiting client was not served: "
             f"{waiting.error}")
    # A client whose SYN found the backlog full retries after seconds.
    if in_backlog == count and recovery > 2.0:
        fail(f"{server.name}: the waiting client was served "
             f"{recovery:.2f} s after the abusers left")
    if failures or not latencies or percentile(latencies, 99) > 1.0:
        fail(f"{server.name}: fresh clients after the abusers left: "
             f"{latency_line(latencies, failures)} {failures[:3]}")
    phase.finish(count)


def watch_closes(socks, deadline):
    """When (monotonic) the server closed each of socks, None for those
    it had not closed by deadline. The abusers are silent, so the echo
    server sends them nothing: readable means closed."""
    import selectors
    closes = [None] * len(socks)
    with selectors.DefaultSelector() as sel:
        for i, s in enumerate(socks):
            sel.register(s, selectors.EVENT_READ, i)
        left = len(socks)
        while left and time.monotonic() < deadline:
            for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
                closes[key.data] = time.monotonic()
                sel.unregister(key.fileobj)
                left -= 1
    return closes


def waves_line(times, idle):
    """How many closes came in each period of idle seconds."""
    counts = {}
    for t in times:
        k = max(1, round(t / idle))
        counts[k] = counts.get(k, 0) + 1
    return ", ".join(f"{n} at ~{k * idle:g} s"
                     for k, n in sorted(counts.items()))


def closes_line(held, cap, idle):
    """The figures of the idle closes; held is sorted, in seconds."""
    if not held:
        return "none closed by the server"
    return (f"{len(held)} closed by the server: {waves_line(held, idle)} "
            f"(first after {held[0]:.2f} s, wave 1 done "
            f"{held[min(cap, len(held)) - 1]:.2f} s, last {held[-1]:.2f} s)")


def check_closes(name, held, count, cap, idle):
    """Fails unless the idle timeout closed all count silent connections
    (held: how long each was, sorted) in waves of the capacity cap: none
    before idle seconds, the first wave within about that, the last
    within about as many periods as there are waves."""
    waves = -(-count // cap)
    first = min(cap, count)
    if len(held) < count:
        fail(f"{name} closed {len(held)} of {count} silent connections "
             f"within {waves * idle + 10:g} s (idle timeout {idle:g} s)")
    # Accepted after it connected, so held at least idle seconds.
    if held[0] < 0.95 * idle:
        fail(f"{name} closed a silent connection after {held[0]:.2f} s, "
             f"before its idle timeout of {idle:g} s")
    if held[first - 1] > idle + SLACK:
        fail(f"{name}: the first {first} silent connections were closed "
             f"only by {held[first - 1]:.2f} s (idle timeout {idle:g} s)")
    if held[-1] > waves * idle + SLACK + 0.2 * waves:
        fail(f"{name}: the last silent connection was closed after "
             f"{held[-1]:.2f} s ({waves} waves of {idle:g} s)")


def silent_over_capacity(main_server, idle=1.0):
    """A second server with an idle timeout of idle seconds: more silent
    abusers than its capacity, and a good client that waits among them.
    The idle timeout must close them in waves of the capacity, none
    before its time, and the waiting client be served when its wave
    comes."""
    name, cap = main_server.name, capacity(main_server.name)
    count = 200 if name == "threading-echo-server" else 3 * cap
    workdir = os.path.join(main_server.workdir, "short-idle")
    os.mkdir(workdir)
    server = Server(name, main_server.examples, main_server.peers, workdir,
                    ["-i", f"{idle:g}"])
    try:
        server.request(5)  # the pool starts with the first request
        phase = Overload(server)
        socks, opened = open_abusers(server, count, phase.fds0)
        in_backlog = connected(socks)
        # The waiting client comes after every abuser: its turn is in the
        # last wave, or the one after when the last is full.
        its_wave = -(-(count + 1) // cap)
        waiting = WaitingClient(server, its_wave * idle + 15)
        closes = watch_closes(socks, time.monotonic() + its_wave * idle + 10)
        waiting.join()
        close_all(socks)
        # How long each was held, from its connect to its close.
        held = sorted(t - o for t, o in zip(closes, opened) if t is not None)
        print(f"silent {name}, over capacity: {count} silent connections "
              f"of {cap} ({in_backlog} connected), idle timeout {idle:g} s "
              f"(-i): {closes_line(held, cap, idle)}; the waiting client "
              f"{waiting.outcome()} (its wave: {its_wave})")
        if not server.alive():
            fail(f"{name} died over capacity: {server.stderr()}")
        check_closes(name, held, count, cap, idle)
        if waiting.error is not None:
            fail(f"{name}: the waiting client was not served: "
                 f"{waiting.error}")
        if waiting.wait() > (its_wave - 1) * idle + SLACK + 0.2 * its_wave:
            fail(f"{name}: the waiting client was served after "
                 f"{waiting.wait():.2f} s, in wave {its_wave} of {idle:g} s")
        phase.finish(count)
        final_check(server)
        server.stop()
    finally:
        server.kill()


def slowloris_capacity(server, count, seconds):
    under_capacity(server, "slowloris")
    if count is None:
        count = 200 if server.name == "threading-echo-server" else 300
    slowloris_over_capacity(server, count, seconds)
    final_check(server)


def silent_capacity(server):
    under_capacity(server, "silent")
    silent_over_capacity(server)
    final_check(server)


# The experiments ----------------------------------------------------------

def trickle_bytes(name):
    """What a slowloris connection sends, a byte at a time."""
    if name == "app-server":
        return b"\x00\x60" + b'{"byteorder": "little", ' * 20
    if name == "tls-echo-server":
        return b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(300)
    return b"x" * 1000


def slowloris(server, count=300, seconds=6.0, over=None):
    if capacity(server.name) is not None:
        return slowloris_capacity(server, over, min(seconds, 4.0)
                                  if over is None else seconds)
    socks = open_drained(server, count)
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
    if capacity(server.name) is not None:
        return silent_capacity(server)
    count = 300
    socks = open_idle(count, server.port)
    start = time.monotonic()
    # The sequential servers cannot serve anyone while one connection is
    # held: a short look is enough to show it.
    window = 5.0 if server.name in SEQUENTIAL else 40.0
    latencies, failures = good_requests(server, 10, window, start + window,
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
    if server.name in SEQUENTIAL:
        # A blocked accept took its fd under the old limit: one request
        # uses it, and the next accept meets the new one.
        server.request(10)
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
               "slowloris-1000": lambda s: slowloris(s, 1000, 20.0, 1000)}


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
