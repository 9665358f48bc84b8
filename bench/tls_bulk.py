#!/usr/bin/env python3
"""The Python reference of bench-tls-bulk: MIB mebibytes through TLS over
TCP loopback with Python's ssl module, 1 MiB per sendall, a sender thread
and a receiving main thread (ssl releases the GIL around its I/O), pinned
to CPUs 0 and 1 as in the C benchmark, and the median MiB/s of three runs
printed as one number.

    tls_bulk.py CERT_DIR MIB

CERT_DIR holds ca.pem, server.pem and server.key (make-certs.sh).
"""
import os
import socket
import ssl
import statistics
import sys
import threading
import time

CHUNK = 1 << 20


def pin(cpu):
    """Pins the calling thread (pid 0 means this thread on Linux)."""
    if (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def tls_pair(cert_dir):
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(os.path.join(cert_dir, "server.pem"),
                               os.path.join(cert_dir, "server.key"))
    client_ctx = ssl.create_default_context(
        cafile=os.path.join(cert_dir, "ca.pem"))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        raw_client = socket.create_connection(listener.getsockname())
        raw_server, _ = listener.accept()
    accepted = {}
    thread = threading.Thread(target=lambda: accepted.setdefault(
        "tls", server_ctx.wrap_socket(raw_server, server_side=True)))
    thread.start()
    client = client_ctx.wrap_socket(raw_client, server_hostname="localhost")
    thread.join()
    return client, accepted["tls"]


def run_once(sender, receiver, chunks):
    data = b"b" * CHUNK
    buf = bytearray(CHUNK)
    total = CHUNK * chunks

    def send():
        pin(0)
        for _ in range(chunks):
            sender.sendall(data)

    start = time.monotonic()
    thread = threading.Thread(target=send)
    thread.start()
    got = 0
    while got < total:
        n = receiver.recv_into(buf)
        if n == 0:
            raise OSError("unexpected end of file")
        got += n
    thread.join()
    return total / (time.monotonic() - start) / CHUNK


def main():
    cert_dir, chunks = sys.argv[1], int(sys.argv[2])
    pin(1)
    sender, receiver = tls_pair(cert_dir)
    with sender, receiver:
        rates = [run_once(sender, receiver, chunks) for _ in range(3)]
    print(f"{statistics.median(rates):.1f}")


if __name__ == "__main__":
    main()
