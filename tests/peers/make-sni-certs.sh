#!/bin/sh
# Adds certificates for the server name (SNI) tests to DIR, where
# make-certs.sh has made the test CA: NAME.pem for each NAME, with CN and
# SAN DNS:NAME, signed by the CA for server.key (so every server
# certificate of the tests shares one key).
#
#   sh make-sni-certs.sh DIR NAME...
set -eu
dir=$1
shift
cd "$dir"
serial=5000
for name in "$@"; do
    serial=$((serial + 1))
    printf 'basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:%s\n' \
        "$name" >"$name.ext"
    openssl req -new -key server.key -subj "/CN=$name" -out "$name.csr" \
        2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key \
        -set_serial "$serial" -days 365 -extfile "$name.ext" \
        -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
done
