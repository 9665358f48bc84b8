#!/bin/sh
# Adds what the verification-control tests need to DIR, where
# make-certs.sh has made the test CA, with `openssl ca` (a CA database in
# DIR/ca-db) and `openssl x509`:
#
#   revoked.pem   CN=localhost (SAN DNS:localhost, IP:127.0.0.1), issued
#                 by the CA for server.key, then revoked (keyCompromise)
#   crl.pem       the CA's CRL, which lists revoked.pem
#   cn-only.pem   CN=localhost without any alternative name
#   ca.der        ca.pem in DER
#
#   sh make-crl.sh DIR
set -eu
dir=$(cd "$1" && pwd)
cd "$dir"
mkdir -p ca-db/newcerts
: >ca-db/index.txt
echo 6001 >ca-db/serial
echo 1000 >ca-db/crlnumber
cat >ca-db/ca.cnf <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $dir/ca-db/index.txt
new_certs_dir = $dir/ca-db/newcerts
serial = $dir/ca-db/serial
crlnumber = $dir/ca-db/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[cn_only]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
CNF
openssl req -new -key server.key -subj /CN=localhost -out revoked.csr \
    2>/dev/null
openssl ca -batch -notext -config ca-db/ca.cnf -extensions server \
    -in revoked.csr -out revoked.pem 2>/dev/null
openssl ca -batch -config ca-db/ca.cnf -revoke revoked.pem \
    -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca-db/ca.cnf -gencrl -out crl.pem 2>/dev/null
openssl x509 -req -in revoked.csr -CA ca.pem -CAkey ca.key -set_serial 6100 \
    -days 365 -extfile ca-db/ca.cnf -extensions cn_only -out cn-only.pem \
    2>/dev/null
openssl x509 -in ca.pem -outform der -out ca.der
rm -f revoked.csr
