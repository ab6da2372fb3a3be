// tls-server-end-point channel binding data (RFC 5929 section 4.1) for SCRAM-SHA-256-PLUS.
#pragma once

#include "auth/outcome.hpp"

#include <openssl/x509.h>

#include <cstddef>
#include <vector>

namespace turbopg::wire::auth {

// The hash of the server's certificate (its DER encoding, as sent in the TLS Certificate
// message), computed with the digest of the certificate's signature algorithm, except that MD5
// and SHA-1 are replaced by SHA-256. The algorithm is read with X509_get_signature_info, so
// RSA-PSS certificates use their PSS digest, as current PostgreSQL servers do. Fails with
// auth_method_unsupported when the signature algorithm names no single digest (e.g. Ed25519),
// for which RFC 5929 leaves the binding undefined.
outcome<std::vector<std::byte>> tls_server_end_point(X509* server_certificate);

} // namespace turbopg::wire::auth
