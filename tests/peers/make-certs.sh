#!/bin/sh
# Generates the certificates of skt's TLS tests into DIR (which must exist),
# with the openssl command only. EC P-256 keys keep it fast (~0.2 s).
#
#   ca.pem ca.key           "skt test CA", trusted by the tests
#   server.pem server.key   CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
#                           IP:::1; signed by the CA
#   server-enc.key          server.key encrypted with the password "secret"
#   client.pem client.key   CN=skt test client, for client authentication
#   expired.pem             as server.pem, but expired yesterday
#   wrong-name.pem          CN=wrong.example, SAN DNS:wrong.example
#   self-signed.pem         CN=localhost, signed by its own key
#   unknown-ca.pem          CN=localhost, signed by "skt other CA"
#   cadir/                  ca.pem under its hash name (openssl rehash)
#
# Every server certificate uses server.key. Exit status 0 on success; on
# failure the openssl messages are on stderr.
#
#   sh make-certs.sh DIR
set -eu
dir=$1
cd "$dir"

cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
[wrong]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
EOF

ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

# newca NAME CN: a self-signed CA certificate and its key.
newca() {
    openssl req -x509 -new $ec -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" \
        -days 3650 -config openssl.cnf -extensions ca 2>/dev/null
}

# sign OUT CSR CA SECTION DAYS SERIAL
sign() {
    openssl x509 -req -in "$2" -CA "$3.pem" -CAkey "$3.key" -set_serial "$6" \
        -days "$5" -extfile openssl.cnf -extensions "$4" -out "$1" 2>/dev/null
}

newca ca "skt test CA"
newca other-ca "skt other CA"

openssl req -new $ec -keyout server.key -out server.csr -subj "/CN=localhost" \
    -config openssl.cnf 2>/dev/null
openssl req -new -key server.key -out wrong.csr -subj "/CN=wrong.example" \
    -config openssl.cnf
openssl req -new $ec -keyout client.key -out client.csr \
    -subj "/CN=skt test client" -config openssl.cnf 2>/dev/null

sign server.pem server.csr ca server 365 4097
sign expired.pem server.csr ca server -1 4098
sign wrong-name.pem wrong.csr ca wrong 365 4099
sign unknown-ca.pem server.csr other-ca server 365 4100
sign client.pem client.csr ca client 365 4101
openssl x509 -req -in server.csr -key server.key -set_serial 4102 -days 365 \
    -extfile openssl.cnf -extensions server -out self-signed.pem 2>/dev/null

openssl pkey -in server.key -aes256 -passout pass:secret -out server-enc.key

mkdir -p cadir
cp ca.pem cadir/
openssl rehash cadir
rm -f ./*.csr
