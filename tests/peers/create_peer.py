"""Python's own create_server and create_connection, as peers for skt.

Usage:
  create_peer.py server              socket.create_server on 127.0.0.1 port 0;
                                     prints "listening on 127.0.0.1:PORT",
                                     echoes one connection until EOF
  create_peer.py client HOST PORT    socket.create_connection; sends
                                     "from py", prints the echo as
                                     'received "..."'
"""
import socket
import sys


def server():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(10)
        print("listening on 127.0.0.1:%d" % listener.getsockname()[1],
              flush=True)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            while True:
                data = conn.recv(4096)
                if not data:
                    return 0
                conn.sendall(data)


def client(host, port):
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"from py")
        data = b""
        while len(data) < 7:
            chunk = s.recv(7 - len(data))
            if not chunk:
                break
            data += chunk
    print('received "%s"' % data.decode(), flush=True)
    return 0 if data == b"from py" else 1


if __name__ == "__main__":
    if sys.argv[1] == "server":
        sys.exit(server())
    sys.exit(client(sys.argv[2], sys.argv[3]))
