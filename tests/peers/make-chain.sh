#!/bin/sh
# Adds what the trust tests against real peers need to DIR, where
# make-certs.sh has made the test CA and server.key, with `openssl x509`:
#
#   inter.pem inter.key  "skt test intermediate", a CA signed by the test CA
#   inter-leaf.pem       CN=localhost (SAN DNS:localhost, IP:127.0.0.1),
#                        signed by the intermediate, for server.key
#   lax-ca.pem lax-ca.key  "skt lax CA", self-signed, whose basicConstraints
#                        is not marked critical: normal verification
#                        accepts it, strict X.509 verification does not
#   lax-leaf.pem         CN=localhost as above, signed by the lax CA
#   rsa1024.pem rsa1024.key  an RSA 1024 key and its certificate (CN and
#                        SAN as above), signed by the test CA: 80 bits of
#                        security, enough for level 1, too few for level 2
#
#   sh make-chain.sh DIR
set -eu
cd "$1"
cat >chain.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[inter]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[lax_ca]
basicConstraints = CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
EOF

ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

# sign OUT CSR CA SECTION SERIAL
sign() {
    openssl x509 -req -in "$2" -CA "$3.pem" -CAkey "$3.key" -set_serial "$5" \
        -days 365 -extfile chain.cnf -extensions "$4" -out "$1" 2>/dev/null
}

openssl req -new $ec -keyout inter.key -out inter.csr \
    -subj "/CN=skt test intermediate" -config chain.cnf 2>/dev/null
sign inter.pem inter.csr ca inter 8001
openssl req -new -key server.key -out leaf.csr -subj /CN=localhost \
    -config chain.cnf
sign inter-leaf.pem leaf.csr inter server 8002

openssl req -x509 -new $ec -keyout lax-ca.key -out lax-ca.pem \
    -subj "/CN=skt lax CA" -days 3650 -config chain.cnf -extensions lax_ca \
    2>/dev/null
sign lax-leaf.pem leaf.csr lax-ca server 8003

openssl req -new -newkey rsa:1024 -nodes -keyout rsa1024.key \
    -out rsa1024.csr -subj /CN=localhost -config chain.cnf 2>/dev/null
sign rsa1024.pem rsa1024.csr ca server 8004
rm -f ./*.csr chain.cnf
