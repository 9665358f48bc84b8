"""servers - the socketserver module: TCP, UDP and Unix servers, the
threading and forking mix-ins, verify_request, handle_error,
handle_timeout, shutdown from a handler, the listener's settings
(test_socketserver.py's SocketServerTest, ErrorHandlerTest,
MiscTestCase, and the socketserver reference)."""
import os
import socket
import socketserver
import threading
import time

from conf import (add, scenario, addr, listen_backlog, path, pybytes,
                  timeout, word)

S = socket
HOST = ("127.0.0.1", 0)
POLL = 0.05


class Echo(socketserver.StreamRequestHandler):
    timeout = 5  # every wait bounded

    def handle(self):
        line = self.rfile.readline()
        self.wfile.write(line)


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data.upper(), self.client_address)


def serving(server):
    """Starts serve_forever in a thread; returns a stop function."""
    t = threading.Thread(target=server.serve_forever,
                         kwargs={"poll_interval": POLL})
    t.start()

    def stop():
        server.shutdown()
        t.join(10)
        server.server_close()
    return stop


def ask(where, data, family=S.AF_INET, wait=5):
    with socket.socket(family) as c:
        c.settimeout(wait)
        c.connect(where)
        c.sendall(data)
        return c.recv(100)


def with_server(make, fn):
    def run():
        server = make()
        stop = serving(server)
        try:
            return fn(server)
        finally:
            stop()
    return run


add("socketserver.tcp_echo", with_server(
    lambda: socketserver.TCPServer(HOST, Echo),
    lambda srv: pybytes(ask(srv.server_address, b"ping\n"))))
add("socketserver.server_address", with_server(
    lambda: socketserver.TCPServer(HOST, Echo),
    lambda srv: addr(S.AF_INET, srv.server_address)))
add("socketserver.tcp_ipv6", with_server(
    lambda: type("V6", (socketserver.TCPServer,),
                 {"address_family": S.AF_INET6})(("::1", 0), Echo),
    lambda srv: pybytes(ask(srv.server_address[:2], b"six\n", S.AF_INET6))))


def reuseaddr(srv):
    return srv.socket.getsockopt(S.SOL_SOCKET, S.SO_REUSEADDR) != 0


def server_with_reuse(value):
    cls = type("Reuse", (socketserver.TCPServer,),
               {"allow_reuse_address": value})
    return lambda: cls(HOST, Echo)


@scenario("socketserver.reuse_address_default")
def _():
    srv = socketserver.TCPServer(HOST, Echo)
    try:
        return reuseaddr(srv)
    finally:
        srv.server_close()
add("socketserver.reuse_address_on",
    with_server(server_with_reuse(True), reuseaddr))
add("socketserver.reuse_address_off",
    with_server(server_with_reuse(False), reuseaddr))


def backlog(srv):
    return listen_backlog(srv.server_address[1])


add("socketserver.listen_backlog", with_server(
    lambda: socketserver.TCPServer(HOST, Echo), backlog))


@scenario("socketserver.udp_echo")
def _():
    srv = socketserver.UDPServer(HOST, Upper)
    stop = serving(srv)
    try:
        with socket.socket(S.AF_INET, S.SOCK_DGRAM) as c:
            c.settimeout(5)
            c.sendto(b"ping", srv.server_address)
            data, src = c.recvfrom(100)
            return f"{pybytes(data)} {src == srv.server_address}"
    finally:
        stop()


@scenario("socketserver.unix_stream_echo")
def _():
    p = path("server-stream.sock")
    srv = socketserver.UnixStreamServer(p, Echo)
    stop = serving(srv)
    try:
        return pybytes(ask(p, b"unix\n", S.AF_UNIX))
    finally:
        stop()


@scenario("socketserver.unix_datagram_echo")
def _():
    p = path("server-dgram.sock")
    srv = socketserver.UnixDatagramServer(p, Upper)
    stop = serving(srv)
    try:
        with socket.socket(S.AF_UNIX, S.SOCK_DGRAM) as c:
            c.bind(path("client-dgram.sock"))
            c.settimeout(5)
            c.sendto(b"dgram", p)
            return pybytes(c.recv(100))
    finally:
        stop()


@scenario("socketserver.unix_socket_file_after_close")
def _():
    p = path("server-left.sock")
    srv = socketserver.UnixStreamServer(p, Echo)
    srv.server_close()
    return os.path.exists(p)


def silent_then_second(make):
    """One client connects and says nothing; a second one asks; then the
    first one asks too (so that a forked child, which holds a copy of the
    first client's socket, is not left waiting for it)."""
    def run():
        srv = make()
        stop = serving(srv)
        try:
            with socket.create_connection(srv.server_address, timeout=5) as c:
                time.sleep(0.05)
                try:
                    second = pybytes(ask(srv.server_address, b"b\n", wait=0.3))
                except OSError as e:
                    second = word(e)
                c.sendall(b"a\n")
                return f"{second} {pybytes(c.recv(10))}"
        finally:
            stop()
    return run


add("socketserver.sequential_waits_for_first",
    silent_then_second(lambda: socketserver.TCPServer(HOST, Echo)))
add("socketserver.threading_serves_second",
    silent_then_second(lambda: socketserver.ThreadingTCPServer(HOST, Echo)))
add("socketserver.forking_serves_second",
    silent_then_second(lambda: socketserver.ForkingTCPServer(HOST, Echo)))
add("socketserver.forking_echo", with_server(
    lambda: socketserver.ForkingTCPServer(HOST, Echo),
    lambda srv: pybytes(ask(srv.server_address, b"fork\n"))))


class Refusing(socketserver.TCPServer):
    def verify_request(self, request, client_address):
        return False


add("socketserver.verify_request_false", with_server(
    lambda: Refusing(HOST, Echo),
    lambda srv: pybytes(ask(srv.server_address, b"no\n"))))


class Failing(socketserver.BaseRequestHandler):
    def handle(self):
        raise RuntimeError("handler failed")


class Recording(socketserver.TCPServer):
    seen = None

    def handle_error(self, request, client_address):
        self.seen = client_address


@scenario("socketserver.handle_error")
def _():
    srv = Recording(HOST, Failing)
    stop = serving(srv)
    try:
        with socket.create_connection(srv.server_address, timeout=5) as c:
            c.recv(10)
            mine = c.getsockname()
        time.sleep(0.05)
        return (f"{addr(S.AF_INET, srv.seen) if srv.seen else 'none'} "
                f"{srv.seen == mine}")
    finally:
        stop()


class Counting(socketserver.TCPServer):
    timeout = 0.1
    timeouts = 0

    def handle_timeout(self):
        self.timeouts += 1


@scenario("socketserver.handle_timeout_in_serve_forever")
def _():
    srv = Counting(HOST, Echo)
    stop = serving(srv)
    time.sleep(0.35)
    stop()
    return "called" if srv.timeouts >= 2 else f"{srv.timeouts} calls"


class Stopper(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"bye")
        self.server.shutdown()


@scenario("socketserver.shutdown_from_handler")
def _():
    srv = socketserver.ThreadingTCPServer(HOST, Stopper)
    t = threading.Thread(target=srv.serve_forever,
                         kwargs={"poll_interval": POLL})
    t.start()
    got = ask(srv.server_address, b"")
    t.join(5)
    alive = t.is_alive()
    if alive:
        srv.shutdown()
        t.join(5)
    srv.server_close()
    return f"{pybytes(got)} {'returned' if not alive else 'still serving'}"


class Reporting(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        mine = sock.getpeername() == self.client_address
        sock.sendall(f"{timeout(sock.gettimeout())} {mine}".encode())


add("socketserver.handler_socket", with_server(
    lambda: socketserver.TCPServer(HOST, Reporting),
    lambda srv: ask(srv.server_address, b"").decode()))


class Quiet(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"done")


@scenario("socketserver.closed_after_handler")
def _():
    srv = socketserver.TCPServer(HOST, Quiet)
    stop = serving(srv)
    try:
        with socket.create_connection(srv.server_address, timeout=5) as c:
            first = c.recv(10)
            return f"{pybytes(first)} {pybytes(c.recv(10))}"
    finally:
        stop()


@scenario("socketserver.address_in_use")
def _():
    srv = socketserver.TCPServer(HOST, Echo)
    try:
        socketserver.TCPServer(srv.server_address, Echo).server_close()
    finally:
        srv.server_close()


INTENDED = {
    "socketserver.reuse_address_default": (
        "True", "skt_server_config.reuse_address",
        "socketserver.TCPServer has allow_reuse_address = False; on by "
        "default lets a restarted server bind its port while the last "
        "run's connections are in TIME_WAIT (as socket.create_server "
        "does)."),
    "socketserver.listen_backlog": (
        "128", "skt_server_config.backlog",
        "socketserver's request_queue_size is 5, which drops clients as "
        "soon as a server falls a little behind."),
    "socketserver.unix_socket_file_after_close": (
        "False", "skt_server_new",
        "socketserver's server_close leaves the Unix socket file behind"),
    "socketserver.handle_timeout_in_serve_forever": (
        "called", "skt_server_config.timeout",
        "socketserver calls handle_timeout only from handle_request, never "
        "from serve_forever"),
}
KNOWN_DEVIATIONS = {}
