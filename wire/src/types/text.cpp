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
        int v = 0;
        for (char c : in.substr(1)) {
            if (c < '0' || c > '7') return errc::invalid_value;
            v = v * 8 + (c - '0');
        }
        if (v > 255) return errc::invalid_value;
        out = static_cast<char>(v);
        return {};
    }
    return errc::invalid_value;
}

std::error_code parse_text(std::string_view in, bytes& out) {
    if (in.size() < 2 || in[0] != '\\' || in[1] != 'x' || in.size() % 2 != 0)
        return errc::invalid_value;
    in.remove_prefix(2);
    out.resize(in.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = detail::hex_value(in[2 * i]), lo = detail::hex_value(in[2 * i + 1]);
        if (hi < 0 || lo < 0) return errc::invalid_value;
        out[i] = static_cast<std::byte>(hi * 16 + lo);
    }
    return {};
}

} // namespace turbopg::wire::detail
