// Hexadecimal digits, as bytea's hex format, uuid text and %-escapes in URIs spell them.
#pragma once

namespace turbopg::wire::detail {

// The value of one hex digit (either case), or -1 when `c` is not one.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace turbopg::wire::detail
