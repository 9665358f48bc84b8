"""The echo server of bench/echo-many.c on Python's selectors module.

Usage: echo-many.py
Listens on 127.0.0.1 (a free port), prints "listening on 127.0.0.1:PORT",
and echoes every connection (recv, then send of what came) until killed.
"""
import selectors
import socket
import sys


def main():
    sel = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, None)
    host, port = listener.getsockname()
    print(f"listening on {host}:{port}", flush=True)
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            if key.data is None:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, True)
                continue
            try:
                data = sock.recv(4096)
                if data:
                    sock.send(data)
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            sel.unregister(sock)
            sock.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
