// Helpers for byte-level unit tests: build byte vectors from readable pieces and compare them.
#pragma once

#include "proto/bytes.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace turbopg::test {

using wire::proto::bytes;

// Bytes from a hex string; spaces are ignored ("00 01 ff").
inline bytes from_hex(std::string_view hex) {
    bytes out;
    int hi = -1;
    for (char c : hex) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0)
            hi = v;
        else {
            out.push_back(static_cast<std::byte>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

inline std::string to_hex(wire::proto::byte_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (auto x : b) {
        auto v = static_cast<unsigned>(x);
        s += digits[v >> 4];
        s += digits[v & 15];
    }
    return s;
}

inline bytes str(std::string_view s) {
    auto v = wire::proto::as_bytes(s);
    return {v.begin(), v.end()};
}

// A backend message: type byte, length, body.
inline bytes backend_message(char type, const bytes& body) {
    bytes out;
    wire::proto::byte_writer w(out);
    w.put_u8(static_cast<std::uint8_t>(type));
    w.put_i32(static_cast<std::int32_t>(body.size() + 4));
    w.put_bytes(body);
    return out;
}

// Concatenation of byte pieces.
inline bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline bytes be32(std::int32_t v) {
    bytes out;
    wire::proto::byte_writer(out).put_i32(v);
    return out;
}
inline bytes be16(std::int16_t v) {
    bytes out;
    wire::proto::byte_writer(out).put_i16(v);
    return out;
}
inline bytes cstr(std::string_view s) {
    auto b = str(s);
    b.push_back(std::byte{0});
    return b;
}

} // namespace turbopg::test
