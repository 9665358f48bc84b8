#!/usr/bin/env python3
"""Clients for skt's servers that use only Python's socket module: a peer
for the tests that is not built on skt.

    server_client.py KIND ADDRESS [--clients N] [--messages M] [--size S]

KIND is tcp, udp, unix (stream) or unixdgram. ADDRESS is HOST:PORT,
[V6HOST]:PORT, a Unix path, or @NAME for a Linux abstract name.

Opens N clients at once (all connected before the first message), then M
times sends one message of S bytes on every client and reads every echo
back. With --one-at-a-time each client instead runs its M messages and
closes before the next one opens (for a server that serves connections
one after another). Prints "ok N x M" and exits 0 when every echo is
exact; exits 1 with a message on stderr otherwise, or on any socket error
(each step has a --timeout, 5 seconds by default).
"""
import argparse
import os
import socket
import sys


def parse_address(kind, text):
    if kind.startswith("unix"):
        return "\0" + text[1:] if text.startswith("@") else text
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def family_of(kind, address):
    if kind.startswith("unix"):
        return socket.AF_UNIX
    return socket.AF_INET6 if ":" in address[0] else socket.AF_INET


def open_client(kind, address, index, timeout):
    stream = kind in ("tcp", "unix")
    sock = socket.socket(family_of(kind, address),
                         socket.SOCK_STREAM if stream else socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    if kind == "unixdgram":
        # A Unix datagram server can only answer a client with a name.
        sock.bind(f"\0skt-peer-{os.getpid()}-{index}")
    if stream:
        sock.connect(address)
    return sock


def message(client, round_, size):
    text = f"client {client} message {round_} ".encode()
    return (text * (size // len(text) + 1))[:size]


def recv_exact(sock, size):
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def exchange(kind, address, socks, round_, size):
    for i, sock in enumerate(socks):
        data = message(i, round_, size)
        if kind in ("tcp", "unix"):
            sock.sendall(data)
        else:
            sock.sendto(data, address)
    for i, sock in enumerate(socks):
        data = message(i, round_, size)
        if kind in ("tcp", "unix"):
            echo = recv_exact(sock, len(data))
        else:
            echo = sock.recv(65536)
        if echo != data:
            raise ValueError(f"client {i} round {round_}: sent "
                             f"{len(data)} bytes, got back {len(echo)} "
                             f"that differ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["tcp", "udp", "unix", "unixdgram"])
    parser.add_argument("address")
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--one-at-a-time", action="store_true")
    args = parser.parse_args()

    address = parse_address(args.kind, args.address)
    socks = []
    try:
        if args.one_at_a_time:
            for i in range(args.clients):
                sock = open_client(args.kind, address, i, args.timeout)
                with sock:
                    for round_ in range(args.messages):
                        exchange(args.kind, address, [sock], round_,
                                 args.size)
        else:
            for i in range(args.clients):
                socks.append(open_client(args.kind, address, i,
                                         args.timeout))
            for round_ in range(args.messages):
                exchange(args.kind, address, socks, round_, args.size)
    except (OSError, ValueError) as err:
        print(f"server_client.py: {args.kind} {args.address}: {err}",
              file=sys.stderr)
        sys.exit(1)
    finally:
        for sock in socks:
            sock.close()
    print(f"ok {args.clients} x {args.messages}")


if __name__ == "__main__":
    main()
