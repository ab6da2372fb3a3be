// uuid: text form <-> 16 bytes, as uuid_out / uuid_in read and print it.
#include <turbopg/wire/types.hpp>

#include "common/hex.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace turbopg::wire {
std::string uuid::to_string() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        auto v = static_cast<unsigned>(bytes[i]);
        s.push_back(digits[v >> 4]);
        s.push_back(digits[v & 15]);
    }
    return s;
}

// string_to_uuid's grammar: optional braces around 16 hex pairs, with a hyphen allowed after
// every second pair except the last.
std::optional<uuid> uuid::parse(std::string_view s) noexcept {
    bool braces = !s.empty() && s.front() == '{';
    if (braces) s.remove_prefix(1);
    uuid u;
    for (std::size_t i = 0; i < u.bytes.size(); ++i) {
        if (s.size() < 2) return std::nullopt;
        int hi = detail::hex_value(s[0]), lo = detail::hex_value(s[1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        u.bytes[i] = static_cast<std::byte>(hi * 16 + lo);
        s.remove_prefix(2);
        if (!s.empty() && s.front() == '-' && i % 2 == 1 && i < u.bytes.size() - 1)
            s.remove_prefix(1);
    }
    if (braces) {
        if (s.empty() || s.front() != '}') return std::nullopt;
        s.remove_prefix(1);
    }
    if (!s.empty()) return std::nullopt;
    return u;
}

} // namespace turbopg::wire
