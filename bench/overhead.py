"""The overhead loop of bench/overhead.c in Python's socket module.

Usage: overhead.py ITERATIONS ROUNDS [TIMEOUT]
Prints the median nanoseconds per 64-byte send + recv.
"""
import socket
import statistics
import sys
import time


def main():
    iterations, rounds = int(sys.argv[1]), int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else None
    a, b = socket.socketpair()
    a.settimeout(timeout)
    b.settimeout(timeout)
    message = b"x" * 64
    send, recv = a.send, b.recv
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            send(message)
            recv(64)
        results.append((time.perf_counter() - start) * 1e9 / iterations)
    print(statistics.median(results))


main()
