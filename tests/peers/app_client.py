#!/usr/bin/env python3
"""The application protocol's client, in Python (socket, json, struct): a
peer for skt's tests that is not built on skt.

    app_client.py HOST PORT ACTION VALUE
    app_client.py --encode-only ACTION VALUE

Sends one request for ACTION and VALUE ("search" goes as text/json, any
other action as binary), reads the response and prints "Got result: ..."
(text/json) or "Got response: ..." (binary content, as bytes), then exits
0. With --encode-only it writes the request's bytes to stdout instead and
connects nowhere. Exits 1 with a message on stderr on any error.
"""
import argparse
import socket
import sys

# No __pycache__ in the source tree when tests import the shared module.
sys.dont_write_bytecode = True
import app_protocol  # noqa: E402


def exchange(host, port, request, timeout):
    """Sends the request; returns the response's (header, content)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        buffer = b""
        while True:
            message = app_protocol.decode(buffer)
            if message is not None:
                return message[0], message[1]
            data = sock.recv(4096)
            if not data:
                raise ConnectionError("the server closed before the end of "
                                      "its response")
            buffer += data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encode-only", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("args", nargs="+", metavar="ARG")
    args = parser.parse_args()
    need = 2 if args.encode_only else 4
    if len(args.args) != need:
        parser.error(f"expected {need} arguments")
    action, value = args.args[-2:]
    request = app_protocol.make_request(action, value)
    if args.encode_only:
        sys.stdout.buffer.write(request)
        return
    try:
        header, content = exchange(args.args[0], int(args.args[1]), request,
                                   args.timeout)
        sys.stdout.buffer.write(app_protocol.result_text(header, content)
                                + b"\n")
    except (OSError, ValueError, KeyError) as err:
        print(f"app_client.py: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
