#!/usr/bin/env python3
"""An echo server that uses only Python's socket module: a peer for skt's
tests that is not built on skt.

Binds 127.0.0.1 on port 0 (or --host/--port), prints one line
"listening on HOST:PORT" and flushes it, serves one connection by echoing
every byte until the client closes its side, then exits 0. Any socket
error, or no progress for --timeout seconds, exits 1 with a message on
stderr, so a test that goes wrong never leaves this process behind.
"""
import argparse
import socket
import sys


def format_address(address):
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds to wait for each step (default 30)")
    args = parser.parse_args()

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((args.host, args.port))
            listener.listen()
            listener.settimeout(args.timeout)
            print("listening on", format_address(listener.getsockname()),
                  flush=True)
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(args.timeout)
                while data := conn.recv(4096):
                    conn.sendall(data)
    except OSError as err:
        print(f"echo_server.py: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
