// MD5 password authentication (protocol docs, "AuthenticationMD5Password"): the client answers
// with "md5" followed by the hex MD5 of (the hex MD5 of password + user name) + the 4-byte salt.
#pragma once

#include "auth/outcome.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace turbopg::wire::auth {

// The PasswordMessage payload for an MD5 challenge. Fails with protocol_violation when the salt
// is not 4 bytes, and with auth_method_unsupported when OpenSSL refuses MD5 (FIPS mode).
outcome<std::string> md5_password(std::string_view user, std::string_view password,
                                  std::span<const std::byte> salt);

} // namespace turbopg::wire::auth
