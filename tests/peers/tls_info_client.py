#!/usr/bin/env python3
"""A TLS client that uses only Python's ssl module and prints what the
connection tells: a peer for skt's connection-information tests.

  tls_info_client.py --port P --cafile CA [--max-tls12] [--cert C --key K]

Connects to 127.0.0.1:P as a client of "localhost" (with a client
certificate when --cert is given), reads one line from the server, and
prints "version V", "cipher NAME", "tls-unique HEX" (empty under
TLS 1.3's absent binding: Python still gives one) and "der HEX", the
server certificate in DER (getpeercert(binary_form=True)). Exits 0, or 1
with a message on stderr.
"""
import argparse
import socket
import ssl
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--max-tls12", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    if args.max_tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    try:
        with socket.create_connection(("127.0.0.1", args.port),
                                      timeout=args.timeout) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as c:
                c.recv(4096)
                binding = c.get_channel_binding("tls-unique") or b""
                print("version", c.version())
                print("cipher", c.cipher()[0])
                print("tls-unique", binding.hex())
                print("der", c.getpeercert(binary_form=True).hex(),
                      flush=True)
    except (OSError, ssl.SSLError) as e:
        print("tls_info_client.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
