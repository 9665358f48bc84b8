#!/bin/sh
# Adds what the key exchange tests need to DIR, where make-certs.sh has
# made the test CA:
#
#   rsa.key rsa.pem   an RSA 2048 key and its certificate (CN=localhost,
#                     SAN DNS:localhost, IP:127.0.0.1), signed by the CA:
#                     TLS 1.2's DHE suites need an RSA certificate
#   dh.pem            DH parameters, the RFC 7919 group ffdhe2048 (named,
#                     so nothing is generated)
#
#   sh make-dh.sh DIR
set -eu
cd "$1"
cat >rsa.ext <<'EXT'
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EXT
openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -subj /CN=localhost \
    -out rsa.csr 2>/dev/null
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -set_serial 7001 \
    -days 365 -extfile rsa.ext -out rsa.pem 2>/dev/null
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 \
    -out dh.pem 2>/dev/null
rm -f rsa.csr rsa.ext
