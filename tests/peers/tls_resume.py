#!/usr/bin/env python3
"""TLS session resumption with Python's ssl module only: a peer for skt's
session tests that is not built on skt.

  tls_resume.py server --cert C --key K [--connections N] [--max-tls12]
                       [--no-ticket] [--num-tickets N]
      Binds 127.0.0.1 on port 0, prints "listening on 127.0.0.1:PORT" and
      serves N connections (2 by default) one after another: sends
      "hello N\\n", reads until the client closes, and prints
      "connection N reused True|False VERSION" for each.

  tls_resume.py client --port P --cafile CA [--connections N]
      Connects N times (2 by default) to 127.0.0.1:P, checking the
      certificate for "localhost"; reads one line on each connection and
      offers the session of the previous one (SSLSocket.session) on the
      next; prints "connection N reused True|False VERSION" for each.

Exits 0 when every connection went through, 1 with a message on stderr
otherwise; --timeout (10 s) bounds every wait.
"""
import argparse
import socket
import ssl
import sys


def server(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.max_tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.no_ticket:
        context.options |= ssl.OP_NO_TICKET
    if args.num_tickets is not None:
        context.num_tickets = args.num_tickets
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(args.timeout)
        print("listening on 127.0.0.1:%d" % listener.getsockname()[1],
              flush=True)
        for n in range(1, args.connections + 1):
            raw, _ = listener.accept()
            raw.settimeout(args.timeout)
            with context.wrap_socket(raw, server_side=True) as conn:
                conn.sendall(b"hello %d\n" % n)
                reused, version = conn.session_reused, conn.version()
                while conn.recv(4096):
                    pass
                print("connection %d reused %s %s" % (n, reused, version),
                      flush=True)


def read_line(conn):
    line = b""
    while not line.endswith(b"\n"):
        data = conn.recv(4096)
        if not data:
            raise OSError("the server closed before a whole line")
        line += data
    return line


def client(args):
    context = ssl.create_default_context(cafile=args.cafile)
    session = None
    for n in range(1, args.connections + 1):
        raw = socket.create_connection(("127.0.0.1", args.port),
                                       timeout=args.timeout)
        with context.wrap_socket(raw, server_hostname="localhost",
                                 session=session) as conn:
            read_line(conn)
            session = conn.session
            print("connection %d reused %s %s" %
                  (n, conn.session_reused, conn.version()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--cafile")
    parser.add_argument("--port", type=int)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--max-tls12", action="store_true")
    parser.add_argument("--no-ticket", action="store_true")
    parser.add_argument("--num-tickets", type=int)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    try:
        (server if args.role == "server" else client)(args)
    except (OSError, ssl.SSLError) as e:
        print("tls_resume.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
