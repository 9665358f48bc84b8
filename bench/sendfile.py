"""The sendfile benchmark of bench/sendfile.c in Python's socket module.

Usage: sendfile.py PATH ROUNDS
Serves the file with socket.sendfile over a fresh TCP loopback connection
per round, a thread receiving into a 1 MiB buffer (recv_into, which
releases the GIL), and prints the median MiB/s.
"""
import os
import socket
import statistics
import sys
import threading
import time


def tcp_pair():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    return client, server


def run_once(path, size):
    sender, receiver = tcp_pair()
    buf = bytearray(1 << 20)

    def receive():
        got = 0
        while got < size:
            n = receiver.recv_into(buf)
            if n == 0:
                raise EOFError("short transfer")
            got += n

    thread = threading.Thread(target=receive)
    start = time.perf_counter()
    thread.start()
    with open(path, "rb") as f:
        sender.sendfile(f)
    thread.join()
    elapsed = time.perf_counter() - start
    sender.close()
    receiver.close()
    return size / elapsed / (1 << 20)


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    size = os.path.getsize(path)
    print(statistics.median(run_once(path, size) for _ in range(rounds)))


main()
