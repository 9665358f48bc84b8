#!/usr/bin/env python3
"""The application protocol's server, in Python (socket, selectors, json,
struct): a peer for skt's tests that is not built on skt.

    app_server.py [--host HOST] [--port PORT]
    app_server.py --respond-only < REQUEST > RESPONSE

Listens (127.0.0.1, port 0 by default), prints "listening on HOST:PORT",
and serves any number of clients at once with one selector: each sends one
request, gets its response, and is disconnected. A malformed request gets a
text/json response "Error: ...". Runs until SIGTERM or SIGINT, then exits
0. With --respond-only it reads one request from stdin and writes the
response's bytes to stdout.
"""
import argparse
import selectors
import signal
import socket
import sys

# No __pycache__ in the source tree when tests import the shared module.
sys.dont_write_bytecode = True
import app_protocol  # noqa: E402


class Connection:
    """One client: the bytes received, then the response to send."""

    def __init__(self, sock):
        self.sock = sock
        self.received = b""
        self.response = None

    def on_readable(self):
        """Returns False when the connection is to be closed."""
        data = self.sock.recv(4096)
        if not data:
            return False
        self.received += data
        try:
            message = app_protocol.decode(self.received)
        except app_protocol.Malformed as err:
            message = None
            self.response = app_protocol.encode_json(
                {"result": f"Error: {err}"})
        if message is not None:
            self.response = app_protocol.make_response(message[0], message[1])
        return True

    def on_writable(self):
        """Returns False once everything is sent."""
        sent = self.sock.send(self.response)
        self.response = self.response[sent:]
        return len(self.response) > 0


def format_address(address):
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def handle(selector, key, mask):
    """Serves one ready connection; closes it when it is done."""
    conn = key.data
    try:
        if mask & selectors.EVENT_READ and conn.response is None:
            alive = conn.on_readable()
            if alive and conn.response is not None:
                selector.modify(conn.sock, selectors.EVENT_WRITE, conn)
        else:
            alive = conn.on_writable()
    except OSError:
        alive = False
    if not alive:
        selector.unregister(conn.sock)
        conn.sock.close()


def serve(host, port):
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    selector = selectors.DefaultSelector()
    listener = socket.create_server((host, port))
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
    print("listening on", format_address(listener.getsockname()), flush=True)
    while not stopping:
        for key, mask in selector.select(timeout=0.2):
            if key.data is None:
                sock, _ = listener.accept()
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ,
                                  Connection(sock))
            else:
                handle(selector, key, mask)
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    selector.close()


def respond_only():
    message = app_protocol.decode(sys.stdin.buffer.read())
    if message is None:
        sys.exit("app_server.py: incomplete request on stdin")
    sys.stdout.buffer.write(app_protocol.make_response(message[0],
                                                       message[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--respond-only", action="store_true")
    args = parser.parse_args()
    if args.respond_only:
        respond_only()
    else:
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
