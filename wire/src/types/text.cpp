// Parsers for the text format of the scalar types, used when a column arrives as text (simple
// queries, or types without a binary codec). They read what the server's output functions print.
#include <turbopg/wire/codec.hpp>

#include "common/hex.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace turbopg::wire::detail {
namespace {

template <class N>
std::error_code from_chars_exact(std::string_view in, N& out) noexcept {
    if (in.empty()) return errc::invalid_value;
    N v{};
    auto r = std::from_chars(in.data(), in.data() + in.size(), v);
    if (r.ec == std::errc::result_out_of_range) return errc::value_out_of_range;
    if (r.ec != std::errc{} || r.ptr != in.data() + in.size()) return errc::invalid_value;
    out = v;
    return {};
}

// float4out / float8out print NaN, Infinity and -Infinity; from_chars spells them otherwise.
template <class F>
std::error_code parse_float(std::string_view in, F& out) noexcept {
    if (in == "NaN") {
        out = std::numeric_limits<F>::quiet_NaN();
        return {};
    }
    if (in == "Infinity" || in == "-Infinity") {
        out =
            in[0] == '-' ? -std::numeric_limits<F>::infinity() : std::numeric_limits<F>::infinity();
        return {};
    }
    return from_chars_exact(in, out);
}

// Three octal digits spelling a byte ("000" to "377"), as charout and bytea's escape format
// print one: its value, or -1.
int octal_byte(std::string_view digits) noexcept {
    if (digits.size() != 3 || digits[0] < '0' || digits[0] > '3') return -1;
    int v = 0;
    for (char c : digits) {
        if (c < '0' || c > '7') return -1;
        v = v * 8 + (c - '0');
    }
    return v;
}

std::error_code parse_hex_bytea(std::string_view in, bytes& out) {
    if (in.size() % 2 != 0) return errc::invalid_value;
    out.resize(in.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = detail::hex_value(in[2 * i]), lo = detail::hex_value(in[2 * i + 1]);
        if (hi < 0 || lo < 0) return errc::invalid_value;
        out[i] = static_cast<std::byte>(hi * 16 + lo);
    }
    return {};
}

// The escape format prints a backslash as "\\", a byte outside 0x20-0x7e as "\ooo" and any
// other byte as itself (Data Types, 8.4.2); "\x" cannot begin it, as a backslash is doubled.
std::error_code parse_escaped_bytea(std::string_view in, bytes& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        if (in[i] != '\\') {
            out.push_back(static_cast<std::byte>(in[i++]));
        } else if (in.substr(i + 1, 1) == "\\") {
            out.push_back(std::byte{'\\'});
            i += 2;
        } else {
            int v = octal_byte(in.substr(i + 1, 3));
            if (v < 0) return errc::invalid_value;
            out.push_back(static_cast<std::byte>(v));
            i += 4;
        }
    }
    return {};
}

} // namespace

std::error_code parse_text(std::string_view in, bool& out) noexcept {
    if (in == "t" || in == "true") {
        out = true;
        return {};
    }
    if (in == "f" || in == "false") {
        out = false;
        return {};
    }
    return errc::invalid_value;
}

std::error_code parse_text(std::string_view in, std::int64_t min, std::int64_t max,
                           std::int64_t& out) noexcept {
    std::int64_t v = 0;
    if (auto ec = from_chars_exact(in, v)) return ec;
    if (v < min || v > max) return errc::value_out_of_range;
    out = v;
    return {};
}

std::error_code parse_text(std::string_view in, std::uint32_t& out) noexcept {
    return from_chars_exact(in, out);
}

std::error_code parse_text(std::string_view in, float& out) noexcept {
    return parse_float(in, out);
}

std::error_code parse_text(std::string_view in, double& out) noexcept {
    return parse_float(in, out);
}

std::error_code parse_text(std::string_view in, char& out) noexcept {
    if (in.empty()) {
        out = '\0';
        return {};
    }
    if (in.size() == 1) {
        out = in[0];
        return {};
    }
    // charout: a byte with the high bit set prints as \ooo.
    if (in.size() == 4 && in[0] == '\\') {
        int v = octal_byte(in.substr(1));
        if (v < 0) return errc::invalid_value;
        out = static_cast<char>(v);
        return {};
    }
    return errc::invalid_value;
}

std::error_code parse_text(std::string_view in, bytes& out) {
    if (in.starts_with("\\x")) return parse_hex_bytea(in.substr(2), out);
    return parse_escaped_bytea(in, out);
}

} // namespace turbopg::wire::detail
