// Reading a conninfo string into raw keyword values (libpq docs, "Connection Strings"): the
// key=value form and the URI form. Values are not interpreted here; see values.hpp.
#pragma once

#include "config/keywords.hpp"

#include <string>
#include <string_view>

namespace turbopg::wire::config_detail {

// Throws error(errc::bad_config, message).
[[noreturn]] void fail(std::string message);

// C locale isspace(), which libpq uses to separate key=value pairs and to trim service file
// lines.
constexpr bool is_blank(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// `s` without the blanks it starts and ends with.
constexpr std::string_view trim_blanks(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// True when `s` starts with "postgresql://" or "postgres://" (exactly, like libpq: no leading
// blanks).
bool is_uri(std::string_view s) noexcept;

// Parses either form. A keyword given twice keeps its last value. Unknown keywords are errors:
// `invalid connection option "x"` (key=value) or `invalid URI query parameter: "x"` (URI).
raw_settings parse_conninfo(std::string_view s);

// Percent-decodes a URI component ('+' stays '+'). An invalid escape or %00 is an error that
// quotes `s`, unless `secret`: then the message leaves the value out.
std::string percent_decode(std::string_view s, bool secret);

// `value` as a key=value conninfo value: as is when it needs no quoting, else single-quoted
// with ' and \ escaped.
std::string quote_value(std::string_view value);

} // namespace turbopg::wire::config_detail
