// Base64 (RFC 4648 section 4, standard alphabet, padded) as SCRAM uses it (RFC 5802 section 7).
//
// Decoding is strict: only the standard alphabet, no whitespace, length a multiple of 4, `=`
// only as one or two trailing pad characters, and unused bits of the last group zero. A server
// that sends anything else is broken or hostile, and SCRAM compares decoded bytes exactly.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace turbopg::wire::auth {

std::string base64_encode(std::span<const std::byte> data);
std::string base64_encode(std::string_view data);

// The decoded bytes, or nullopt if `text` is not canonical padded base64.
std::optional<std::vector<std::byte>> base64_decode(std::string_view text);

} // namespace turbopg::wire::auth
