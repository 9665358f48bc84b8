"""A scriptable TCP peer for the skt tool's tests (Python's socket module).

    python3 peer.py MODE [TEXT]

listens on 127.0.0.1, port 0, prints "listening on 127.0.0.1:PORT", serves
one connection as MODE says (TEXT is sent with a newline), and prints
what it saw, one line per fact ("peer HOST:PORT" first):

    record        read to EOF; print "got <repr of the bytes>"
    answer TEXT   read to EOF, print "got ...", then send TEXT and close
    hold TEXT     read to EOF, print "got ...", send TEXT, wait 1 s, close
    greet TEXT    send TEXT; read for 0.5 s; print "got ..." and "eof" or
                  "open"; close
    noeof TEXT    read for 0.5 s; print "got ..." and "eof" or "open"; then
                  send TEXT and close
    silent        accept and say nothing for 10 s

or, as a client of 127.0.0.1:PORT (or HOST:PORT):

    python3 peer.py client [HOST:]PORT TEXT SECONDS [DELAY]

connects, waits DELAY seconds (default 0), sends TEXT with a newline
(nothing for "-"), reads until EOF or until SECONDS pass, and prints "got
<repr>" and "eof" or "open".
"""
import socket
import sys
import time


def read_to_eof(conn, seconds=None):
    """The bytes until EOF (or until seconds pass) and whether EOF came."""
    conn.settimeout(seconds)
    got = b""
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return got, True
            got += chunk
    except socket.timeout:
        return got, False
    except ConnectionResetError:
        return got, True


def client(target, text, seconds, delay):
    host, _, port = target.rpartition(":")
    conn = socket.create_connection((host or "127.0.0.1", int(port)), 10)
    time.sleep(delay)
    if text != "-":
        conn.sendall((text + "\n").encode())
    got, eof = read_to_eof(conn, seconds)
    print("got %r" % got, flush=True)
    print("eof" if eof else "open", flush=True)
    conn.close()


def main():
    mode = sys.argv[1]
    if mode == "client":
        delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0
        client(sys.argv[2], sys.argv[3], float(sys.argv[4]), delay)
        return
    text = (sys.argv[2] + "\n").encode() if len(sys.argv) > 2 else b""
    server = socket.create_server(("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
    server.settimeout(10)
    conn, peer = server.accept()
    print("peer %s:%d" % peer[:2], flush=True)
    if mode == "silent":
        time.sleep(10)
        return
    if mode == "greet":
        conn.sendall(text)
    got, eof = read_to_eof(conn, 0.5 if mode in ("greet", "noeof") else 10)
    print("got %r" % got, flush=True)
    if mode in ("greet", "noeof"):
        print("eof" if eof else "open", flush=True)
    if mode in ("answer", "hold", "noeof"):
        conn.sendall(text)
    if mode == "hold":
        time.sleep(1)
    conn.close()


main()
