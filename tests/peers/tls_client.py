#!/usr/bin/env python3
"""A TLS echo client that uses only Python's ssl and socket modules: a peer
for skt's TLS tests that is not built on skt.

Connects to --host/--port, verifies the server against --cafile for the
name --server-name (default localhost), sends each MESSAGE and reads it
back, printing 'received "MESSAGE"' for each, then "version V" and
"cipher C". It then unwraps: sends close_notify and requires the server's
close_notify in return (a plain end of file is an error here), and prints
"clean close". Any error exits 1 with a message on stderr; no progress for
--timeout seconds is an error.
"""
import argparse
import socket
import ssl
import sys


def recv_exact(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError(f"end of file after {len(data)} of {size} bytes")
        data += chunk
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("messages", nargs="*")
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.cafile)
    try:
        raw = socket.create_connection((args.host, args.port), args.timeout)
        with context.wrap_socket(raw, server_hostname=args.server_name,
                                 suppress_ragged_eofs=False) as conn:
            for message in args.messages:
                data = message.encode()
                conn.sendall(data)
                echoed = recv_exact(conn, len(data)).decode()
                print(f'received "{echoed}"', flush=True)
            print("version", conn.version())
            print("cipher", conn.cipher()[0])
            conn.unwrap()
            print("clean close", flush=True)
    except (OSError, ssl.SSLError) as err:
        print(f"tls_client.py: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
