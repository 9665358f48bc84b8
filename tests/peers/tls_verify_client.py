#!/usr/bin/env python3
"""A verifying TLS client that uses only Python's ssl module: a peer for
skt's verification-control tests.

  tls_verify_client.py --port P --cafile CA [--crl CRL] [--crl-check leaf|chain]

Connects to 127.0.0.1:P as a client of "localhost", trusting CA and, with
--crl, loading that CRL file (load_verify_locations) and turning CRL
checking on (verify_flags, VERIFY_CRL_CHECK_LEAF by default). Prints
"verified" after a handshake that verified, or "refused MESSAGE" with the
verification failure's message (verify_message); exits 0 either way, 1 on
another error.
"""
import argparse
import socket
import ssl
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--crl")
    parser.add_argument("--crl-check", choices=["leaf", "chain"],
                        default="leaf")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    if args.crl:
        context.load_verify_locations(args.crl)
        context.verify_flags |= (ssl.VERIFY_CRL_CHECK_LEAF
                                 if args.crl_check == "leaf"
                                 else ssl.VERIFY_CRL_CHECK_CHAIN)
    try:
        with socket.create_connection(("127.0.0.1", args.port),
                                      timeout=args.timeout) as raw:
            try:
                with context.wrap_socket(raw, server_hostname="localhost"):
                    print("verified", flush=True)
            except ssl.SSLCertVerificationError as e:
                print("refused", e.verify_message, flush=True)
    except (OSError, ssl.SSLError) as e:
        print("tls_verify_client.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
