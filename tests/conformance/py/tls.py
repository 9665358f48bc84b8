"""tls - ssl connections: handshakes that succeed and fail (host names,
expired, unknown and self-signed certificates, versions, client
certificates), ALPN, SNI, the peer's certificate, pending, unwrap,
sessions, non-blocking handshakes, timeouts, misuse (test_ssl.py's
ThreadedTests, SSLErrorTests, BasicSocketTests..., and the ssl reference).
The certificates are tests/peers/make-certs.sh's."""
import ipaddress
import socket
import ssl
import threading
import time

from conf import add, scenario, certs, listener, pybytes, text, word
from tls_common import (NOT_STREAM, cert, client_ctx, server_ctx,
                        tls_add)

S = socket


def echo(s):
    s.sendall(s.recv(100))


class Server:
    """TLS connections (count of them) served one after another in a
    thread; the outcome of the last in .result."""

    def __init__(self, ctx, action=echo, count=1, delay=0):
        self.ctx, self.action, self.result = ctx, action, "none"
        self.delay = delay
        self.l = listener()
        self.port = self.l.getsockname()[1]
        self.t = threading.Thread(target=self.run_all, args=(count,))
        self.t.start()

    def run_all(self, count):
        for _ in range(count):
            self.run()

    def run(self):
        try:
            conn, _ = self.l.accept()
        except OSError as e:
            self.result = word(e)
            return
        conn.settimeout(5)
        time.sleep(self.delay)
        with conn:
            try:
                s = self.ctx.wrap_socket(conn, server_side=True)
            except Exception as e:
                self.result = word(e)
                return
            with s:
                try:
                    self.result = text(self.action(s))
                except Exception as e:
                    self.result = word(e)

    def done(self):
        self.t.join(10)
        self.l.close()
        return self.result


def exchange(client_action, server=None, setup_client=None,
             hostname="localhost", report_server=False):
    def run():
        srv = Server(server() if server else server_ctx())
        try:
            ctx = client_ctx()
            if setup_client:
                setup_client(ctx)
            with socket.create_connection(("127.0.0.1", srv.port),
                                          timeout=5) as c:
                try:
                    s = ctx.wrap_socket(c, server_hostname=hostname)
                except Exception as e:
                    r = word(e)
                else:
                    with s:
                        try:
                            r = text(client_action(s))
                        except Exception as e:
                            r = word(e)
        finally:
            server_result = srv.done()
        if report_server == "only":
            return f"server={server_result}"
        return f"{r} server={server_result}" if report_server else r
    return run


def ping(s):
    s.sendall(b"hello")
    return s.recv(100)


def version(s):
    return f"{s.version()} {s.cipher()[0]}"


# --------------------------------------------------------------------------
# Handshakes
# --------------------------------------------------------------------------

def verify_none(ctx):
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE


def max_12(ctx):
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2


def min_13(ctx):
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3


def server_max_12():
    ctx = server_ctx()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def alpn(protocols):
    return lambda ctx: ctx.set_alpn_protocols(protocols)


def server_alpn(protocols):
    def make():
        ctx = server_ctx()
        ctx.set_alpn_protocols(protocols)
        return ctx
    return make


def server_requiring(mode):
    def make():
        ctx = server_ctx()
        ctx.verify_mode = mode
        ctx.load_verify_locations(cert("ca.pem"))
        return ctx
    return make


def client_cert(ctx):
    ctx.load_cert_chain(cert("client.pem"), cert("client.key"))


def peer_subject(s):
    c = s.getpeercert()
    return ",".join(f"{SHORT.get(k, k)}={v}"
                    for rdn in reversed(c["subject"]) for k, v in rdn)


SHORT = {"commonName": "CN", "organizationName": "O", "countryName": "C",
         "organizationalUnitName": "OU"}


def peer_issuer(s):
    c = s.getpeercert()
    return ",".join(f"{SHORT.get(k, k)}={v}"
                    for rdn in reversed(c["issuer"]) for k, v in rdn)


def peer_san(s):
    out = []
    for kind, value in s.getpeercert().get("subjectAltName", ()):
        if kind == "IP Address":
            out.append("IP:" + ipaddress.ip_address(value.strip()).compressed)
        else:
            out.append(f"{kind}:{value}")
    return " ".join(out)


def peer_times(s):
    c = s.getpeercert()
    return (f"{ssl.cert_time_to_seconds(c['notBefore'])} "
            f"{ssl.cert_time_to_seconds(c['notAfter'])} {c['serialNumber']}")


def alpn_selected(s):
    return str(s.selected_alpn_protocol())


def pending(s):
    s.sendall(b"ten")
    first = s.recv(3)
    time.sleep(0.05)
    return f"{first.decode()} {s.pending()}"


def send_ten(s):
    s.recv(100)
    s.sendall(b"0123456789")
    time.sleep(0.2)


def recv_three_pending(s):
    s.sendall(b"go")
    first = s.recv(3)
    return f"{first.decode()} {s.pending()}"


def server_closes(s):
    s.recv(100)
    s.unwrap()


def client_reads_end(s):
    s.sendall(b"bye")
    return f"{s.recv(10)!r}"


def unwrap_then_plain_server(s):
    plain = s.unwrap()
    plain.sendall(b"plain")


def unwrap_then_plain_client(s):
    plain = s.unwrap()
    return plain.recv(10)


def large_sink(s):
    total = 0
    while total < (1 << 20):
        b = s.recv(65536)
        if not b:
            break
        total += len(b)
    s.sendall(str(total).encode())


def send_large(s):
    s.sendall(b"z" * (1 << 20))
    return s.recv(20).decode()


def serve_line(s):
    s.sendall(b"line one\nline two\n")
    time.sleep(0.1)


def read_line(s):
    with s.makefile("rb") as f:
        return pybytes(f.readline())


def sni_server():
    ctx = server_ctx()
    seen = []
    ctx.sni_callback = lambda sock, name, c: seen.append(name)
    ctx.seen = seen
    return ctx


def dup_tls(s):
    s.dup()


tls_add("ssl.handshake_version", exchange(version))
tls_add("ssl.echo", exchange(ping))
tls_add("ssl.hostname_mismatch", exchange(ping, hostname="wrong.example",
                                          report_server=True))
tls_add("ssl.expired", exchange(ping, server=lambda: server_ctx("expired.pem")))
tls_add("ssl.unknown_ca", exchange(ping, server=lambda: server_ctx("unknown-ca.pem")))
tls_add("ssl.self_signed", exchange(ping, server=lambda: server_ctx("self-signed.pem")))
tls_add("ssl.cert_none_accepts_self_signed", exchange(
    ping, server=lambda: server_ctx("self-signed.pem"), setup_client=verify_none))
tls_add("ssl.ip_address_name", exchange(ping, hostname="127.0.0.1"))
tls_add("ssl.ipv6_address_name", exchange(ping, hostname="::1"))
tls_add("ssl.wrong_ip_address", exchange(ping, hostname="127.0.0.2"))
tls_add("ssl.max_version_1_2", exchange(version, setup_client=max_12))
tls_add("ssl.version_mismatch", exchange(ping, server=server_max_12,
                                         setup_client=min_13,
                                         report_server=True))
tls_add("ssl.alpn_selected", exchange(alpn_selected, server=server_alpn(["http/1.1"]),
                                      setup_client=alpn(["h2", "http/1.1"])))
tls_add("ssl.alpn_no_overlap", exchange(alpn_selected, server=server_alpn(["http/1.1"]),
                                        setup_client=alpn(["h2"])))
tls_add("ssl.alpn_none", exchange(alpn_selected))
# The client's side of this failure races with the server's close: only
# the server's outcome is compared.
tls_add("ssl.client_cert_missing", exchange(
    ping, server=server_requiring(ssl.CERT_REQUIRED), report_server="only"))
tls_add("ssl.client_cert_optional_missing", exchange(
    ping, server=server_requiring(ssl.CERT_OPTIONAL)))
tls_add("ssl.client_cert_presented", exchange(
    ping, server=server_requiring(ssl.CERT_REQUIRED), setup_client=client_cert))
tls_add("ssl.peer_subject", exchange(peer_subject))
tls_add("ssl.peer_issuer", exchange(peer_issuer))
tls_add("ssl.peer_subject_alt_names", exchange(peer_san))
tls_add("ssl.peer_times_and_serial", exchange(peer_times))
tls_add("ssl.dup_refused", exchange(dup_tls), alias=NOT_STREAM)


def exchange_with_server(client_action, server_action, **kw):
    def run():
        srv = Server(kw.get("server", server_ctx)(), server_action)
        try:
            ctx = client_ctx()
            with socket.create_connection(("127.0.0.1", srv.port),
                                          timeout=5) as c:
                with ctx.wrap_socket(c, server_hostname="localhost") as s:
                    try:
                        return text(client_action(s))
                    except Exception as e:
                        return word(e)
        finally:
            srv.done()
    return run


tls_add("ssl.pending", exchange_with_server(recv_three_pending, send_ten))
tls_add("ssl.end_after_close_notify", exchange_with_server(client_reads_end,
                                                           server_closes))
tls_add("ssl.unwrap_both_sides", exchange_with_server(unwrap_then_plain_client,
                                                      unwrap_then_plain_server))
tls_add("ssl.sendall_large_counted", exchange_with_server(send_large, large_sink))
tls_add("ssl.makefile_readline", exchange_with_server(read_line, serve_line))


@scenario("ssl.sni_seen_by_server")
def _():
    if not certs():
        return "skip:no-certificates"
    ctx = sni_server()
    srv = Server(ctx)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as c:
        with client_ctx().wrap_socket(c, server_hostname="localhost") as s:
            ping(s)
    srv.done()
    return "server=" + (",".join(ctx.seen) or "None")


@scenario("ssl.no_sni_for_ip_address")
def _():
    if not certs():
        return "skip:no-certificates"
    ctx = sni_server()
    srv = Server(ctx)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as c:
        with client_ctx().wrap_socket(c, server_hostname="127.0.0.1") as s:
            ping(s)
    srv.done()
    return "server=" + (",".join(str(n) for n in ctx.seen) or "None")


@scenario("ssl.session_resumed")
def _():
    if not certs():
        return "skip:no-certificates"
    srv = Server(server_ctx(), count=2)
    ctx = client_ctx()
    reused = []
    try:
        session = None
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", srv.port),
                                          timeout=5) as c:
                with ctx.wrap_socket(c, server_hostname="localhost",
                                     session=session) as s:
                    ping(s)
                    reused.append(s.session_reused)
                    session = s.session
    finally:
        srv.done()
    return " ".join(str(r) for r in reused)


# --------------------------------------------------------------------------
# Modes and misuse
# --------------------------------------------------------------------------

@scenario("ssl.nonblocking_handshake")
def _():
    """The server waits 0.1 s before its handshake, so that the client's
    first step cannot complete it."""
    if not certs():
        return "skip:no-certificates"
    srv = Server(server_ctx(), delay=0.1)
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as c:
            c.setblocking(False)
            s = client_ctx().wrap_socket(c, server_hostname="localhost",
                                         do_handshake_on_connect=False)
            with s:
                try:
                    s.do_handshake()
                    first = "ok"
                except ssl.SSLError as e:
                    first = word(e)
                before = str(s.version())
                s.settimeout(5)
                s.do_handshake()
                ping(s)
                return f"{first} {before} {s.version()}"
    finally:
        srv.done()


@scenario("ssl.nonblocking_recv")
def _():
    if not certs():
        return "skip:no-certificates"
    srv = Server(server_ctx())
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as c:
            with client_ctx().wrap_socket(c, server_hostname="localhost") as s:
                s.setblocking(False)
                time.sleep(0.05)
                try:
                    s.recv(10)
                    first = "data"
                except ssl.SSLError as e:
                    first = word(e)
                s.settimeout(5)
                ping(s)
                return first
    finally:
        srv.done()


@scenario("ssl.handshake_timeout")
def _():
    if not certs():
        return "skip:no-certificates"
    with listener() as l, socket.create_connection(l.getsockname(),
                                                   timeout=5) as c:
        conn, _ = l.accept()
        with conn:
            c.settimeout(0.2)
            start = time.monotonic()
            try:
                client_ctx().wrap_socket(c, server_hostname="localhost")
                r = "ok"
            except Exception as e:
                r = word(e)
            took = time.monotonic() - start
            from conf import bucket
            return f"{r} {bucket(took)}"


@scenario("ssl.plaintext_peer")
def _():
    if not certs():
        return "skip:no-certificates"
    with listener() as l, socket.create_connection(l.getsockname(),
                                                   timeout=5) as c:
        conn, _ = l.accept()
        with conn:
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" * 4)
            conn.shutdown(S.SHUT_WR)
            client_ctx().wrap_socket(c, server_hostname="localhost")


add("ssl.server_hostname_on_server_side", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_SERVER).wrap_socket(socket.socket(), server_side=True,
                                         server_hostname="x"))
add("ssl.no_server_hostname_with_check", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_CLIENT).wrap_socket(socket.socket()))
add("ssl.wrap_udp", lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_socket(
    socket.socket(S.AF_INET, S.SOCK_DGRAM), server_hostname="x"),
    alias=NOT_STREAM)

INTENDED = {}
KNOWN_DEVIATIONS = {}
