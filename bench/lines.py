"""The reading loop of bench/lines.c in Python: makefile().readline().

Usage: lines.py BYTES ROUNDS
A child process writes BYTES of 100-byte lines into a socketpair; this
process reads them with sock.makefile("rb").readline(). Prints the median
nanoseconds per line over ROUNDS runs.
"""
import os
import socket
import statistics
import sys
import time

LINE = 100
LINES_PER_BLOCK = 640


def block():
    return b"".join(bytes([97 + i % 26]) * (LINE - 1) + b"\n"
                    for i in range(LINES_PER_BLOCK))


def run(total):
    data = block()
    blocks = total // len(data)
    reader, writer = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        reader.close()
        for _ in range(blocks):
            writer.sendall(data)
        writer.close()
        os._exit(0)
    writer.close()
    lines = 0
    start = time.perf_counter()
    with reader.makefile("rb") as f:
        readline = f.readline
        while readline():
            lines += 1
    elapsed = time.perf_counter() - start
    reader.close()
    os.waitpid(pid, 0)
    if lines != blocks * LINES_PER_BLOCK:
        sys.exit(f"lines.py: read {lines} lines")
    return elapsed * 1e9 / lines


def main():
    total, rounds = int(sys.argv[1]), int(sys.argv[2])
    print(statistics.median(run(total) for _ in range(rounds)))


main()
