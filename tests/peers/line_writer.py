#!/usr/bin/env python3
"""A peer that writes numbered lines, using only Python's socket module.

    line_writer.py PORT COUNT CHUNK [--tail TEXT]

Connects to 127.0.0.1:PORT and writes COUNT lines, line i being "i:"
followed by i % 97 times the letter of i % 26 and a newline, cut into
pieces of CHUNK bytes, each sent on its own (TCP_NODELAY, so that pieces of
one byte really leave one by one). Then writes TEXT (with no newline) if
given, and closes. Exits 1 with a message on stderr on any socket error.
"""
import argparse
import socket
import string
import sys


def line(i):
    letter = string.ascii_lowercase[i % 26].encode()
    return f"{i}:".encode() + letter * (i % 97) + b"\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("chunk", type=int)
    parser.add_argument("--tail", default="")
    args = parser.parse_args()

    data = b"".join(line(i) for i in range(args.count)) + args.tail.encode()
    try:
        with socket.create_connection(("127.0.0.1", args.port),
                                      timeout=30) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for start in range(0, len(data), args.chunk):
                sock.sendall(data[start:start + args.chunk])
    except OSError as err:
        print(f"line_writer.py: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
