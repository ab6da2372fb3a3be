#include "auth/base64.hpp"

#include <array>
#include <cstdint>

namespace turbopg::wire::auth {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of each character, or -1 when it is not in the alphabet ('=' included: it is handled
// separately as padding).
constexpr std::array<std::int8_t, 256> decode_table = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t)
        v = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}();

} // namespace

std::string base64_encode(std::span<const std::byte> data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(data[k]); };
    for (; i + 3 <= data.size(); i += 3) {
        std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (auto rest = data.size() - i; rest == 1) {
        std::uint32_t v = at(i) << 16;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += "==";
    } else if (rest == 2) {
        std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += '=';
    }
    return out;
}

std::string base64_encode(std::string_view data) {
    return base64_encode(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(data.data()), data.size()));
}

std::optional<std::vector<std::byte>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;

    std::vector<std::byte> out;
    out.reserve(text.size() / 4 * 3 - pad);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        bool last = i + 4 == text.size();
        std::size_t digits = last ? 4 - pad : 4;
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            std::int8_t d = 0;
            if (k < digits) {
                d = decode_table[static_cast<unsigned char>(text[i + k])];
                if (d < 0) return std::nullopt; // bad character, or '=' before the end
            }
            v = v << 6 | static_cast<std::uint32_t>(d);
        }
        out.push_back(static_cast<std::byte>(v >> 16));
        if (digits == 2) {
            if ((v & 0xFFFF) != 0) return std::nullopt; // non-zero unused bits
            break;
        }
        out.push_back(static_cast<std::byte>(v >> 8 & 0xFF));
        if (digits == 3) {
            if ((v & 0xFF) != 0) return std::nullopt;
            break;
        }
        out.push_back(static_cast<std::byte>(v & 0xFF));
    }
    return out;
}

} // namespace turbopg::wire::auth
