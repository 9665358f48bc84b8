#!/usr/bin/env python3
"""What a trust store holds, with Python's ssl module only: a peer for
skt's trust tests that is not built on skt.

  tls_store_info.py [PEM...] [--der DER...]

Makes an SSLContext(PROTOCOL_TLS_CLIENT), loads the default verify paths
(load_default_certs: SSL_CERT_FILE and SSL_CERT_DIR apply), then each PEM
file (load_verify_locations(cafile=), certificates and CRLs) and each DER
file (load_verify_locations(cadata=bytes)) in that order, and prints

  stats x509 N crl N x509_ca N    (cert_store_stats())
  ca HEX                          (one per get_ca_certs(binary_form=True))

Exits 0; any error exits 1 with a message on stderr.
"""
import argparse
import ssl
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pem", nargs="*")
    parser.add_argument("--der", nargs="*", default=[])
    args = parser.parse_args()
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_default_certs()
        for path in args.pem:
            context.load_verify_locations(cafile=path)
        for path in args.der:
            with open(path, "rb") as f:
                context.load_verify_locations(cadata=f.read())
        stats = context.cert_store_stats()
        print("stats x509 %d crl %d x509_ca %d" %
              (stats["x509"], stats["crl"], stats["x509_ca"]))
        for der in context.get_ca_certs(binary_form=True):
            print("ca", der.hex())
    except (OSError, ssl.SSLError) as e:
        print("tls_store_info.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
