#!/usr/bin/env python3
"""A TLS client that uses only Python's ssl module: a peer for skt's
server name (SNI) tests.

  tls_sni_client.py --port P --cafile CA NAME...

Connects to 127.0.0.1:P once per NAME, sending NAME as SNI and checking
the certificate against it, and prints one line per NAME:
"NAME: CN=..." (the subject's common name of the certificate served) or
"NAME: refused REASON" when the handshake failed. Exits 0 when every
connection ended one way or the other, 1 on another error.
"""
import argparse
import socket
import ssl
import sys


def common_name(cert):
    for rdn in cert["subject"]:
        for key, value in rdn:
            if key == "commonName":
                return value
    return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    try:
        for name in args.names:
            raw = socket.create_connection(("127.0.0.1", args.port),
                                           timeout=args.timeout)
            try:
                with context.wrap_socket(raw, server_hostname=name) as conn:
                    print("%s: CN=%s" % (name,
                                         common_name(conn.getpeercert())))
            except ssl.SSLError as e:
                print("%s: refused %s" % (name, e.reason))
            finally:
                raw.close()
            sys.stdout.flush()
    except OSError as e:
        print("tls_sni_client.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
