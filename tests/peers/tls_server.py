#!/usr/bin/env python3
"""A TLS server that uses only Python's ssl and socket modules: a peer for
skt's TLS tests that is not built on skt.

Binds 127.0.0.1 on port 0 (or --host/--port), prints one line
"listening on HOST:PORT" and flushes it, then serves one connection:
echoes every byte until the client closes (the default), or with --http
reads one request head and answers "HTTP/1.0 200 OK" with a short body.
It then sends close_notify (unwrap) unless the client has already gone,
and exits 0. With --cafile and --require-client-cert, the client must
present a certificate signed by that CA. With --trace, it prints at the
end the types of the handshake messages it wrote and read (from
SSLContext._msg_callback), as "wrote 2 8 ..." and "read 1 20 ...". Any
error, or no progress for --timeout seconds, exits 1 with a message on
stderr.
"""
import argparse
import socket
import ssl
import sys

BODY = b"hello from python ssl\n"


def format_address(address):
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def make_context(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.cafile:
        context.load_verify_locations(args.cafile)
    if args.require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
    if args.trace:
        context._msg_callback = note_message
    return context


TRACE = {"write": [], "read": []}


def note_message(conn, direction, version, content_type, msg_type, data):
    if content_type == ssl._TLSContentType.HANDSHAKE:
        TRACE[direction].append(str(int(msg_type)))


def serve_http(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        data = conn.recv(4096)
        if not data:
            raise OSError("the client closed before the end of its request")
        head += data
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)


def serve_echo(conn):
    while data := conn.recv(65536):
        conn.sendall(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cafile")
    parser.add_argument("--require-client-cert", action="store_true")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        context = make_context(args)
        with socket.socket(family, socket.SOCK_STREAM) as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((args.host, args.port))
            listener.listen()
            listener.settimeout(args.timeout)
            print("listening on", format_address(listener.getsockname()),
                  flush=True)
            raw, _ = listener.accept()
            raw.settimeout(args.timeout)
            with context.wrap_socket(raw, server_side=True) as conn:
                (serve_http if args.http else serve_echo)(conn)
                try:
                    conn.unwrap()
                except (ssl.SSLError, OSError):
                    pass  # the client may close without waiting for ours
        if args.trace:
            print("wrote", " ".join(TRACE["write"]))
            print("read", " ".join(TRACE["read"]), flush=True)
    except (OSError, ssl.SSLError) as err:
        print(f"tls_server.py: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
