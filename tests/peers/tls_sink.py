#!/usr/bin/env python3
"""A TLS server on Python's ssl that reads one connection to its end: a
peer for skt's close tests that is not built on skt.

    tls_sink.py --cert PEM --key PEM [--timeout SECONDS]

Binds 127.0.0.1 on port 0, prints "listening on 127.0.0.1:PORT" and
flushes it, accepts one connection and reads until the end of the stream,
checking that the bytes are the lines "000000 ...", "000001 ...", ... of
tests/test-tls-close.c, in order. Ragged ends are not suppressed, so the
end is either the client's close_notify (recv returns b"") or an error.
Then prints one line,

    received BYTES bytes, LINES lines in order, END

where END is "clean close", or what ended the stream instead (the error,
e.g. SSLEOFError for an end of file without close_notify or a reset, or a
line out of order), and exits 0 for a clean close, 1 otherwise.
"""
import argparse
import socket
import ssl
import sys

TEXT = b" the end of a TLS stream arrives whole\n"


def expected(i):
    return b"%06d" % i + TEXT


class Counter:
    """Checks lines as they arrive, across recv boundaries."""

    def __init__(self):
        self.bytes = 0
        self.lines = 0
        self.partial = b""

    def take(self, data):
        self.bytes += len(data)
        *whole, self.partial = (self.partial + data).split(b"\n")
        for line in whole:
            if line + b"\n" != expected(self.lines):
                return f"line {self.lines} is {line[:60]!r}"
            self.lines += 1
        return None


def read_to_end(conn, counter):
    """What ended the stream: "clean close", or the failure."""
    try:
        while data := conn.recv(65536):
            wrong = counter.take(data)
            if wrong is not None:
                return wrong
    except (ssl.SSLError, OSError) as err:
        # SSLEOFError (no close_notify), a reset, a protocol failure.
        return f"{type(err).__name__}: {err}"
    if counter.partial:
        return f"an unfinished last line {counter.partial[:60]!r}"
    return "clean close"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    counter = Counter()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(args.timeout)
        print("listening on %s:%d" % listener.getsockname(), flush=True)
        try:
            raw, _ = listener.accept()
            raw.settimeout(args.timeout)
            conn = context.wrap_socket(raw, server_side=True,
                                       suppress_ragged_eofs=False)
        except (ssl.SSLError, OSError) as err:
            print(f"tls_sink.py: {err}", file=sys.stderr)
            sys.exit(1)
        with conn:
            end = read_to_end(conn, counter)
    print(f"received {counter.bytes} bytes, {counter.lines} lines in order, "
          f"{end}", flush=True)
    sys.exit(0 if end == "clean close" else 1)


if __name__ == "__main__":
    main()
