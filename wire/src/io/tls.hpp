// TLS for a connection: the OpenSSL context built from libpq's ssl* settings, and the SSLRequest
// negotiation (protocol docs, "SSL Session Encryption").
#pragma once

#include "io/transport.hpp"

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/error.hpp>

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>

#include <memory>

namespace turbopg::wire::io {

// Whether sslmode asks to verify the server certificate: verify-ca and verify-full, and
// require when a root certificate file exists (libpq's rule, kept for compatibility).
bool verifies_certificate(const config& cfg);

// The client context for `cfg`: protocol bounds, root certificates (or OpenSSL's defaults for
// sslrootcert=system), the client certificate and key when given or present. Throws `error`
// (errc::bad_config) naming the file that is missing or unreadable.
std::shared_ptr<asio::ssl::context> make_tls_context(const config& cfg);

// Sends SSLRequest on the plain transport and reads the one-byte answer. True when the server
// agreed ('S'), false when it refused ('N'). Reads exactly one byte, so nothing the server sent
// before the handshake can be mistaken for encrypted data (CVE-2021-23222).
asio::awaitable<bool> request_tls(transport& t);

// Performs the handshake for `ep` with the checks sslmode asks for (host name for verify-full,
// SNI unless sslsni=0). Throws `error`: tls_verification_failed when the chain or the name does
// not check out, with OpenSSL's reason.
asio::awaitable<void> start_tls(transport& t, const config& cfg, const endpoint& ep);

} // namespace turbopg::wire::io
