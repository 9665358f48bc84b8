"""conf.py - what the Python scenarios share: their registration, the
vocabulary Python's results and exceptions are written in (the same words
skt/conf.c gives skt's codes), time buckets, fd counts, address texts in
skt's form with ports masked, and loopback fixtures whose waits are all
bounded.

A group module (py/<group>.py) registers its scenarios with @scenario or
add() at import, and may define two tables that the driver reads:
  INTENDED = {name: (skt_line, skt_function, why)}
      skt deliberately differs there; why is the header's own sentence
      after "Differs from Python:" at skt_function, and the driver checks
      that it is there.
  KNOWN_DEVIATIONS = {name: (skt_line, issue)}
      skt differs without meaning to, or means to without saying so in the
      header; the driver prints each loudly and counts them apart.
"""
import atexit
import errno
import os
import shutil
import socket
import ssl
import tempfile
import time

SAFETY = 5.0
REGISTRY = []


def scenario(name, alias=None):
    """Registers fn as scenario name. alias maps a vocabulary word of
    Python's result to skt's word for the same outcome, e.g.
    {"OSError": "EADDRSYNTAX"} where Python raises an OSError without an
    errno and skt returns its own code."""
    def register(fn):
        REGISTRY.append((name, fn, alias or {}))
        return fn
    return register


def add(name, fn, alias=None):
    REGISTRY.append((name, fn, alias or {}))


# --------------------------------------------------------------------------
# The vocabulary
# --------------------------------------------------------------------------

EAI_NAMES = {getattr(socket, n): n for n in dir(socket)
             if n.startswith("EAI_")}

# OpenSSL's verification results and handshake reasons, classified as skt
# classifies them (src/tls/errors.c), so that one word names one outcome.
VERIFY_WORDS = {10: "ETLS_CERT_EXPIRED", 62: "ETLS_HOSTNAME",
                64: "ETLS_HOSTNAME", 18: "ETLS_SELF_SIGNED",
                19: "ETLS_SELF_SIGNED", 2: "ETLS_UNKNOWN_CA",
                20: "ETLS_UNKNOWN_CA", 21: "ETLS_UNKNOWN_CA"}
REASON_WORDS = {
    "UNSUPPORTED_PROTOCOL": "ETLS_VERSION",
    "TLSV1_ALERT_PROTOCOL_VERSION": "ETLS_VERSION",
    "NO_PROTOCOLS_AVAILABLE": "ETLS_VERSION",
    "UNSUPPORTED_SSL_VERSION": "ETLS_VERSION",
    "WRONG_SSL_VERSION": "ETLS_VERSION",
    "VERSION_TOO_LOW": "ETLS_VERSION",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "ETLS_NO_CLIENT_CERT",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "ETLS_NO_CLIENT_CERT",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "ETLS_CERT_EXPIRED",
    "TLSV1_ALERT_UNKNOWN_CA": "ETLS_UNKNOWN_CA",
    "SSLV3_ALERT_BAD_CERTIFICATE": "ETLS_CERT_VERIFY",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "ETLS_CERT_VERIFY",
}


def word(e):
    """The vocabulary word of an exception."""
    if isinstance(e, ssl.SSLWantReadError):
        return "EWANTREAD"
    if isinstance(e, ssl.SSLWantWriteError):
        return "EWANTWRITE"
    if isinstance(e, ssl.SSLCertVerificationError):
        return VERIFY_WORDS.get(e.verify_code, "ETLS_CERT_VERIFY")
    if isinstance(e, ssl.SSLError):
        return REASON_WORDS.get(getattr(e, "reason", None), "ETLS_HANDSHAKE")
    if isinstance(e, socket.gaierror):
        return "gaierror:" + EAI_NAMES.get(e.errno, str(e.errno))
    if isinstance(e, socket.herror):
        return "herror"
    if isinstance(e, TimeoutError) and e.errno is None:
        return "ETIMEDOUT"
    if isinstance(e, OSError):
        if e.errno is None:
            return "OSError"
        if e.errno == errno.EWOULDBLOCK:
            return "EAGAIN"
        if e.errno == errno.EOPNOTSUPP:
            return "EOPNOTSUPP"
        return errno.errorcode.get(e.errno, str(e.errno))
    if isinstance(e, (ValueError, TypeError)):
        return "EINVAL"
    if isinstance(e, OverflowError):
        return "EOVERFLOW"
    return type(e).__name__


def text(value):
    """The text of a scenario's result."""
    if value is None:
        return "ok"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return pybytes(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def run(names=None):
    """Runs the scenarios (those named, or all); returns False when one
    left an fd open (reported on stderr)."""
    import sys
    clean = True
    tmpdir()
    for name, fn, alias in REGISTRY:
        if names and name not in names:
            continue
        before = fds()
        try:
            result = text(fn())
        except Exception as e:  # every outcome is a line
            try:
                result = word(e)
            except Exception as inner:
                result = f"{type(e).__name__}+{type(inner).__name__}"
            result = alias.get(result, result)
        else:
            result = alias.get(result, result)
        print(name, result.replace("\n", " "), flush=True)
        left = fds() - before
        if left > 0:
            print(f"run.py: {name} left {left} fd(s) open", file=sys.stderr)
            clean = False
    return clean


# --------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------

def timeout(t):
    return "None" if t is None else f"{t:g}"


def bucket(s):
    for limit, name in ((0.1, "<0.1s"), (0.45, "~0.2s"), (0.75, "~0.5s"),
                        (1.5, "~1s"), (3, "~2s")):
        if s < limit:
            return name
    return ">3s"


def elapsed(fn):
    """(result text, bucket) of fn()."""
    start = time.monotonic()
    try:
        result = text(fn())
    except Exception as e:
        result = word(e)
    return f"{result} {bucket(time.monotonic() - start)}"


def fds():
    return len(os.listdir("/proc/self/fd")) - 1


def listen_backlog(port):
    """The backlog of the TCP listener on port, as ss shows it (a
    listener's Send-Q), or "none"."""
    import subprocess
    try:
        out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"],
                             capture_output=True, text=True,
                             timeout=10).stdout
    except OSError:
        out = ""
    return out.split()[2] if len(out.split()) > 2 else "none"


def pybytes(data):
    """data as skt/conf.c writes it: printable bytes as is, else \\xHH."""
    if not data:
        return "b''"
    return "".join(chr(b) if 0x21 <= b < 0x7f and b != 0x5c else f"\\x{b:02x}"
                   for b in data)


def hexbytes(data):
    return " ".join(f"{b:02x}" for b in data[:64]) if data else "-"


def _unix_text(name):
    if isinstance(name, str):
        name = os.fsencode(name)
    if not name:
        return "unix:"
    if name[0] == 0:
        rest = name[1:]
        if len(rest) == 5 and all(c in b"0123456789abcdef" for c in rest):
            return "unix:@AUTO"
        return "unix:@" + _unix_escape(rest, False)
    return "unix:" + _unix_escape(name.split(b"\0")[0], True)


def _unix_escape(raw, is_path):
    """As skt's put_escaped: backslashes doubled, control bytes (and a
    path's leading "@") as \\xHH."""
    out = []
    for i, b in enumerate(raw):
        if b == 0x5c:
            out.append("\\\\")
        elif b < 0x20 or b == 0x7f or (is_path and i == 0 and b == 0x40):
            out.append(f"\\x{b:02x}")
        else:
            out.append(chr(b))
    return "".join(out)


def addr(family, a):
    """An address as skt_addr_format writes it, ports masked as
    conf_addr masks them."""
    if family == socket.AF_INET:
        host, port = a
        return f"{host}:{'P' if port else 0}"
    if family == socket.AF_INET6:
        host, port = a[0], a[1]
        if len(a) > 3 and a[3] and "%" not in host:
            host = f"{host}%{socket.if_indextoname(a[3])}"
        return f"[{host}]:{'P' if port else 0}"
    if family == socket.AF_UNIX:
        t = _unix_text(a)
        if _TMP and t.startswith("unix:" + _TMP[0]):
            t = "unix:TMP" + t[5 + len(_TMP[0]):]
        return t
    if family == socket.AF_NETLINK:
        pid, groups = a
        return f"netlink:{'PID' if pid else 0}:{groups}"
    if family == socket.AF_PACKET:
        ifname, proto, pkttype, hatype, hw = a
        ifname = ifname or "0"
        if not (pkttype or hatype or hw):
            return f"packet:{ifname}" + (f":0x{proto:04x}" if proto else "")
        return (f"packet:{ifname}:0x{proto:04x}:{pkttype}:{hatype}:" +
                ":".join(f"{b:02x}" for b in hw))
    if family == socket.AF_VSOCK:
        return f"vsock:{a[0]}:{a[1]}"
    return repr(a)


# --------------------------------------------------------------------------
# Files and loopback fixtures
# --------------------------------------------------------------------------

_TMP = []


def tmpdir():
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="skt-conf-py-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


def path(name):
    return os.path.join(tmpdir(), name)


def certs():
    return os.environ.get("SKT_CONF_CERTS") or None


def listener(family=socket.AF_INET):
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        s.listen(8)
        s.settimeout(SAFETY)
    except BaseException:
        s.close()
        raise
    return s


def tcp_pair(family=socket.AF_INET):
    with listener(family) as l:
        c = socket.socket(family, socket.SOCK_STREAM)
        c.settimeout(SAFETY)
        try:
            c.connect(l.getsockname())
            s, _ = l.accept()
        except BaseException:
            c.close()
            raise
        s.settimeout(SAFETY)
        return c, s


def udp_pair():
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    a.settimeout(SAFETY)
    b.settimeout(SAFETY)
    return a, b


def unix_pair(type=socket.SOCK_STREAM):
    a, b = socket.socketpair(socket.AF_UNIX, type)
    a.settimeout(SAFETY)
    b.settimeout(SAFETY)
    return a, b


def close(*socks):
    for s in socks:
        if s is not None:
            s.close()


def errname(n):
    """The errno name of n ("0" for none)."""
    return errno.errorcode.get(n, str(n)) if n else "0"


def closed_address():
    """An address on loopback that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()


def blackhole(family=socket.AF_INET):
    """A listener whose queue is full (backlog 0 and one connection
    waiting): a connect to it gets no answer."""
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    l = socket.socket(family)
    l.bind((host, 0))
    l.listen(0)
    filler = socket.socket(family)
    filler.settimeout(2)
    filler.connect(l.getsockname())
    return l, filler


def timed(fn):
    """What fn returned (or its error name) and its time, bucketed."""
    start = time.monotonic()
    try:
        r = fn()
        r = "ok" if r is None else r
    except TimeoutError:
        r = "ETIMEDOUT"
    except OSError as e:
        r = errname(e.errno)
    return f"{r} {bucket(time.monotonic() - start)}"
