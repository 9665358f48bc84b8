#!/usr/bin/env python3
"""An echo client that uses only Python's socket module: a peer for skt's
tests that is not built on skt.

    echo_client.py HOST PORT MESSAGE...

Connects, and for each MESSAGE sends it, reads back as many bytes and
prints 'received "ECHO"'. Exits 1 with a message on stderr when an echo
differs from its message, when the server closes early, or on any socket
error (each step has a --timeout, 5 seconds by default).
"""
import argparse
import socket
import sys


def recv_exact(sock, size):
    """Reads exactly size bytes; fewer only if the peer closed first."""
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("messages", nargs="+", metavar="MESSAGE")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()

    status = 0
    try:
        with socket.create_connection((args.host, args.port),
                                      timeout=args.timeout) as sock:
            for message in args.messages:
                # The bytes of the argument exactly as given, like a C argv.
                data = message.encode("utf-8", "surrogateescape")
                sock.sendall(data)
                echo = recv_exact(sock, len(data))
                text = echo.decode("utf-8", "surrogateescape")
                sys.stdout.buffer.write(b'received "' + echo + b'"\n')
                sys.stdout.flush()
                if len(echo) < len(data):
                    print(f"echo_client.py: the server closed after "
                          f"{len(echo)} of {len(data)} bytes",
                          file=sys.stderr)
                    status = 1
                    break
                if echo != data:
                    print(f"echo_client.py: sent {message!r}, "
                          f"got back {text!r}", file=sys.stderr)
                    status = 1
                    break
    except OSError as err:
        print(f"echo_client.py: {err}", file=sys.stderr)
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
