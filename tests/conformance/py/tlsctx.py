"""tlsctx - ssl.SSLContext: defaults, verify modes and hostname
checking, loading certificates, keys and CAs and their errors, ciphers,
ALPN names (test_ssl.py's ContextTests and the SSLContext reference)."""
import ssl

from conf import add, scenario
from tls_common import CONFIG, cert, server_ctx, tls_add


# --------------------------------------------------------------------------
# Contexts
# --------------------------------------------------------------------------

@scenario("ssl.client_context_defaults")
def _():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return (f"{int(ctx.verify_mode)} {ctx.check_hostname} "
            f"{ctx.minimum_version.name}")


@scenario("ssl.server_context_defaults")
def _():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    return (f"{int(ctx.verify_mode)} {ctx.check_hostname} "
            f"{ctx.minimum_version.name}")


@scenario("ssl.cert_none_refused_with_check_hostname")
def _():
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).verify_mode = ssl.CERT_NONE


@scenario("ssl.check_hostname_sets_required")
def _():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.check_hostname = True
    return int(ctx.verify_mode)


@scenario("ssl.verify_mode_optional")
def _():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    return int(ctx.verify_mode)


tls_add("ssl.load_cert_chain", lambda: server_ctx() and None)
tls_add("ssl.load_cert_chain_missing", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert("no-such.pem")))
tls_add("ssl.load_cert_chain_wrong_key", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert("client.pem"),
                                             cert("server.key")),
        alias=CONFIG)
tls_add("ssl.encrypted_key_password", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
        cert("server.pem"), cert("server-enc.key"), password="secret"))
tls_add("ssl.encrypted_key_wrong_password", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
        cert("server.pem"), cert("server-enc.key"), password="wrong"),
        alias=CONFIG)
tls_add("ssl.load_verify_locations_missing", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cert("no-such.pem")))
tls_add("ssl.load_verify_locations_capath", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(capath=cert("cadir")))
tls_add("ssl.load_verify_locations_cadata", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(
        cadata=open(cert("ca.pem")).read()))
tls_add("ssl.load_verify_locations_bad_cadata", lambda: ssl.SSLContext(
    ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(
        cadata="-----BEGIN CERTIFICATE-----\nnot base64\n"
               "-----END CERTIFICATE-----\n"), alias=CONFIG)
add("ssl.load_verify_locations_nothing",
    lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations())
add("ssl.set_ciphers_unknown",
    lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers("NOPE"),
    alias=CONFIG)
add("ssl.set_ciphers_ok",
    lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers("ECDHE+AESGCM"))
# Python refuses a bad ALPN name with an SSLError that is its refusal of
# the argument: skt's -EINVAL.
BAD_ARG = {"ETLS_HANDSHAKE": "EINVAL"}
add("ssl.alpn_empty_name",
    lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_alpn_protocols([""]),
    alias=BAD_ARG)
add("ssl.alpn_name_too_long",
    lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_alpn_protocols(["x" * 256]),
    alias=BAD_ARG)


INTENDED = {}
KNOWN_DEVIATIONS = {}
