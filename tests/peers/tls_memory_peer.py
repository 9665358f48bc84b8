#!/usr/bin/env python3
"""TLS over memory buffers with Python's ssl module only (SSLObject and
two MemoryBIOs, from SSLContext.wrap_bio): a peer for skt_tls_obj that is
not built on skt. The TLS bytes travel over a plain TCP connection, which
this script reads and writes itself.

  tls_memory_peer.py client --port P --cafile CA
      Connects to 127.0.0.1:P, handshakes as a client of "localhost",
      writes "hello from SSLObject", reads the answer (as many bytes) and
      prints "received ANSWER"; then unwraps.
  tls_memory_peer.py server --port P --cert C --key K
      Connects to 127.0.0.1:P, handshakes as the server, reads one
      message (up to 1024 bytes) and answers with it in upper case; then
      unwraps.

Both print "handshake done VERSION" after the handshake and "unwrapped"
at the end, and exit 0; any error exits 1 with a message on stderr. With
--alpn P1,P2,... the context offers (client) or accepts (server) those
ALPN protocols, and "alpn PROTOCOL" (None when none was agreed) follows
the handshake line.
"""
import argparse
import socket
import ssl
import sys


class Peer:
    def __init__(self, sock, obj, incoming, outgoing):
        self.sock, self.obj = sock, obj
        self.incoming, self.outgoing = incoming, outgoing

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def feed(self):
        data = self.sock.recv(65536)
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()

    def run(self, step, *args):
        """Calls step until it no longer wants to read, moving bytes."""
        while True:
            try:
                result = step(*args)
                self.flush()
                return result
            except ssl.SSLWantReadError:
                self.flush()
                self.feed()

    def read_exactly(self, count):
        data = b""
        while len(data) < count:
            data += self.run(self.obj.read, count - len(data))
        return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["client", "server"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--alpn")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    try:
        if args.role == "client":
            context = ssl.create_default_context(cafile=args.cafile)
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.cert, args.key)
        if args.alpn:
            context.set_alpn_protocols(args.alpn.split(","))
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = context.wrap_bio(incoming, outgoing,
                               server_side=args.role == "server",
                               server_hostname=None if args.role == "server"
                               else "localhost")
        with socket.create_connection(("127.0.0.1", args.port),
                                      timeout=args.timeout) as sock:
            peer = Peer(sock, obj, incoming, outgoing)
            peer.run(obj.do_handshake)
            print("handshake done", obj.version(), flush=True)
            if args.alpn:
                print("alpn", obj.selected_alpn_protocol(), flush=True)
            if args.role == "client":
                message = b"hello from SSLObject"
                peer.run(obj.write, message)
                answer = peer.read_exactly(len(message))
                print("received", answer.decode(), flush=True)
            else:
                message = peer.run(obj.read, 1024)
                peer.run(obj.write, message.upper())
            peer.run(obj.unwrap)
            print("unwrapped", flush=True)
    except (OSError, ssl.SSLError) as e:
        print("tls_memory_peer.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
