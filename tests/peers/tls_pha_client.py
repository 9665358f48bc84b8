#!/usr/bin/env python3
"""A TLS 1.3 client that answers a post-handshake certificate request,
with Python's ssl module only: a peer for skt's post-handshake
authentication tests.

  tls_pha_client.py --port P --cafile CA --cert C --key K

Connects to 127.0.0.1:P as a client of "localhost" with
post_handshake_auth on and the certificate C, reads one line (the
server's request comes before it and is answered while reading), sends
"ping\\n", and prints the server's answer line. Exits 0, or 1 with a
message on stderr.
"""
import argparse
import socket
import ssl
import sys


def read_line(conn):
    line = b""
    while not line.endswith(b"\n"):
        data = conn.recv(4096)
        if not data:
            raise OSError("the server closed before a whole line")
        line += data
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    context.post_handshake_auth = True
    context.load_cert_chain(args.cert, args.key)
    try:
        with socket.create_connection(("127.0.0.1", args.port),
                                      timeout=args.timeout) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as c:
                read_line(c)
                c.sendall(b"ping\n")
                print(read_line(c).decode(), end="", flush=True)
    except (OSError, ssl.SSLError) as e:
        print("tls_pha_client.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
