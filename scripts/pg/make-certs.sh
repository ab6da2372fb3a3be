#!/bin/sh
# Generate the test PKI used by the throwaway cluster (scripts/dev) and by compose.yaml.
#
#   make-certs.sh OUTDIR
#
# Writes into OUTDIR (created if missing), EC P-256 keys, valid 10 years:
#   ca.crt ca.key             test CA; the server's ssl_ca_file, clients' sslrootcert
#   server.crt server.key     CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1; signed by ca
#   client.crt client.key     CN=turbopg_cert (the role that logs in with method "cert"); signed by ca
#   other-ca.crt other-ca.key an unrelated self-signed CA, for "wrong root certificate" tests
# Keys are 0600, certificates 0644, owned by whoever runs this: the caller hands server.key to the
# server's user and client.key to whoever runs the tests. Existing files are kept (an existing
# complete set is left alone), so running it twice is harmless.
# POSIX sh on purpose: compose.yaml runs it with the postgres image's /bin/sh.
set -eu

die() { echo "make-certs.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: make-certs.sh OUTDIR"
out=$1
command -v openssl >/dev/null 2>&1 || die "the openssl command is not installed"

all="ca.crt ca.key server.crt server.key client.crt client.key other-ca.crt other-ca.key"
complete=1
for f in $all; do [ -s "$out/$f" ] || complete=0; done
[ "$complete" = 0 ] || exit 0

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/turbopg-certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
umask 077

# One small config so nothing depends on the system openssl.cnf (no prompts, explicit extensions).
cat > "$work/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# self_signed_ca NAME CN
self_signed_ca() {
  key "$work/$1.key"
  openssl req -config "$work/openssl.cnf" -new -x509 -sha256 -days 3650 \
    -key "$work/$1.key" -subj "/CN=$2" -extensions v3_ca -out "$work/$1.crt"
}

# signed NAME CN EXTENSIONS
signed() {
  key "$work/$1.key"
  openssl req -config "$work/openssl.cnf" -new -sha256 -key "$work/$1.key" -subj "/CN=$2" \
    -out "$work/$1.csr"
  openssl x509 -req -sha256 -days 3650 -in "$work/$1.csr" \
    -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -CAserial "$work/ca.srl" \
    -extfile "$work/openssl.cnf" -extensions "$3" -out "$work/$1.crt" 2>/dev/null
}

self_signed_ca ca "turbopg test CA"
signed server localhost v3_server
signed client turbopg_cert v3_client
self_signed_ca other-ca "turbopg unrelated CA"

openssl verify -CAfile "$work/ca.crt" "$work/server.crt" "$work/client.crt" >/dev/null \
  || die "generated certificates do not verify"

for f in $all; do
  case $f in
    *.key) chmod 600 "$work/$f" ;;
    *) chmod 644 "$work/$f" ;;
  esac
  mv -f "$work/$f" "$out/$f"
done
