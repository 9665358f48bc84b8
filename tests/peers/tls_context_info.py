#!/usr/bin/env python3
"""What an SSLContext reports for given settings, with Python's ssl module
only: a peer for skt's tests of the context's getters that is not built on
skt.

  tls_context_info.py [MINIMUM MAXIMUM OPTIONS]...

Makes an SSLContext(PROTOCOL_TLS_CLIENT) and prints one line for its
defaults, then, for each triple, sets minimum_version and maximum_version
to the numbers given (-2 MINIMUM_SUPPORTED, -1 MAXIMUM_SUPPORTED, 771
TLSv1_2, ...) and assigns the options: those of OPTIONS, names joined
by "+" ("none" for none), set, the others of the names below cleared,
every other bit kept. Each line reads

  minimum N maximum N options NAME...

with the names below that the context's options hold, in this order.
Exits 0; any error exits 1 with a message on stderr.
"""
import ssl
import sys

NAMES = ["OP_NO_COMPRESSION", "OP_NO_TICKET", "OP_NO_RENEGOTIATION",
         "OP_CIPHER_SERVER_PREFERENCE", "OP_ENABLE_MIDDLEBOX_COMPAT",
         "OP_IGNORE_UNEXPECTED_EOF"]


def describe(context):
    names = [name for name in NAMES if context.options & getattr(ssl, name)]
    return "minimum %d maximum %d options %s" % (
        context.minimum_version, context.maximum_version, " ".join(names))


def configure(context, minimum, maximum, options):
    context.minimum_version = ssl.TLSVersion(int(minimum))
    context.maximum_version = ssl.TLSVersion(int(maximum))
    wanted = [] if options == "none" else options.split("+")
    value = context.options
    for name in NAMES:
        bit = getattr(ssl, name)
        value = value | bit if name in wanted else value & ~bit
    context.options = value


def main():
    triples = sys.argv[1:]
    if len(triples) % 3 != 0:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        print(describe(context))
        for i in range(0, len(triples), 3):
            configure(context, *triples[i:i + 3])
            print(describe(context))
    except (ValueError, ssl.SSLError) as e:
        print("tls_context_info.py:", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
