"""tls_common - what py/tls.py and py/tlsctx.py share: the contexts of
the test certificates (tests/peers/make-certs.sh, made by the driver into
SKT_CONF_CERTS), and the registration of scenarios that need them. It
registers no scenario itself."""
import os
import ssl

from conf import add, certs

CONFIG = {"ETLS_HANDSHAKE": "ETLS_CONFIG"}  # an SSLError from a setting
NOT_STREAM = {"NotImplementedError": "EOPNOTSUPP"}


def cert(name):
    return os.path.join(certs(), name)


def client_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cert("ca.pem"))
    return ctx


def server_ctx(chain="server.pem", key="server.key"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert(chain), cert(key))
    return ctx


def needs_certs(fn):
    def run():
        if not certs():
            return "skip:no-certificates"
        return fn()
    return run


def tls_add(name, fn, alias=None):
    add(name, needs_certs(fn), alias=alias)


