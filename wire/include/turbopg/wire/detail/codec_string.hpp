// Built-in codecs for text, bytes and JSON (included by codec.hpp).
//
//   C++                          encodes as               decodes from
//   std::string                  unknown (0), text form   text, varchar, bpchar, name, unknown,
//   std::string_view             unknown (0), text form     xml, json, jsonb; any type as text
//   const char*, char[N]         unknown (0), text form   (encode only)
//   std::vector<std::byte>       bytea                    bytea
//   std::span<const std::byte>   bytea                    bytea
//   json                         json                     json, jsonb
//   jsonb                        jsonb                    jsonb, json
//
// Strings are sent with OID 0 in text format, so the server types them from context: one
// std::string parameter works for text, varchar, enum, uuid, jsonb or numeric columns alike.
// std::vector<std::string> is sent as text[].
// string_view and span decode without copying: they point into the row's buffer and live as long
// as it does. bpchar values keep their padding, as the server sends them. jsonb's binary format is
// a version byte (1) followed by the JSON text (jsonb_send / jsonb_recv).
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>
#include <turbopg/wire/types.hpp>

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace turbopg::wire {

namespace detail {
// Text-format bytea in either bytea_output: the hex form "\x0a1b" (the default) or the escape
// form "a\\\001" (as libpq's PQunescapeBytea reads both); anything else is errc::invalid_value.
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, bytes& out);

inline constexpr std::uint8_t jsonb_version = 1;

constexpr bool is_text_like(oid_t type) noexcept {
    switch (type) {
    case oid::text:
    case oid::varchar:
    case oid::bpchar:
    case oid::name:
    case oid::unknown:
    case oid::xml:
    case oid::json:
    case oid::jsonb:
        return true;
    default:
        return false;
    }
}

// The JSON text of a json or jsonb binary value (without jsonb's version byte).
inline bool json_text(byte_view in, oid_t type, std::string_view& out) noexcept {
    if (type == oid::jsonb) {
        if (in.empty() || in[0] != std::byte{jsonb_version}) return false;
        in = in.subspan(1);
    }
    out = as_chars(in);
    return true;
}

inline void append_chars(bytes& out, std::string_view s) {
    append_raw(out, s.data(), s.size());
}

// The shared part of std::string and std::string_view.
struct string_codec_base {
    static constexpr oid_t type_oid = 0;
    static constexpr oid_t array_oid = oid::text_array;

    static void encode(std::string_view v, bytes& out) { append_chars(out, v); }
    static std::size_t encoded_size(std::string_view v) noexcept { return v.size(); }
    static void encode_to(std::string_view v, std::byte* p) noexcept {
        if (!v.empty()) std::memcpy(p, v.data(), v.size());
    }
    static bool accepts(oid_t type) noexcept { return is_text_like(type); }
};
} // namespace detail

template <>
struct codec<std::string> : detail::string_codec_base {
    static constexpr std::string_view name = "std::string";

    static std::error_code decode(byte_view in, oid_t type, std::string& out) {
        std::string_view text;
        if (!detail::json_text(in, type, text)) return errc::invalid_value;
        out.assign(text);
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t, std::string& out) {
        out.assign(in);
        return {};
    }
};

template <>
struct codec<std::string_view> : detail::string_codec_base {
    static constexpr std::string_view name = "std::string_view";

    static std::error_code decode(byte_view in, oid_t type, std::string_view& out) noexcept {
        return detail::json_text(in, type, out) ? std::error_code{} : errc::invalid_value;
    }
    static std::error_code decode_text(std::string_view in, oid_t, std::string_view& out) noexcept {
        out = in;
        return {};
    }
};

// A string literal or C string parameter; nullptr is an error (use std::nullopt for NULL).
template <>
struct codec<const char*> {
    static constexpr std::string_view name = "const char*";
    static constexpr oid_t type_oid = 0;
    static constexpr oid_t array_oid = 0;

    static std::error_code encode(const char* v, bytes& out) {
        if (!v) return errc::invalid_value;
        detail::append_chars(out, v);
        return {};
    }
};

// A char array, as a string literal deduces (`encode_param("abc", out)`): up to the first NUL.
template <std::size_t N>
struct codec<char[N]> {
    static constexpr std::string_view name = "char[]";
    static constexpr oid_t type_oid = 0;
    static constexpr oid_t array_oid = 0;

    static void encode(const char (&v)[N], bytes& out) {
        std::size_t n = 0;
        while (n < N && v[n] != '\0')
            ++n;
        detail::append_chars(out, std::string_view(v, n));
    }
};

template <>
struct codec<std::vector<std::byte>> {
    static constexpr std::string_view name = "std::vector<std::byte>";
    static constexpr oid_t type_oid = oid::bytea;
    static constexpr oid_t array_oid = oid::bytea_array;

    static void encode(const std::vector<std::byte>& v, bytes& out) {
        out.insert(out.end(), v.begin(), v.end());
    }
    static std::size_t encoded_size(const std::vector<std::byte>& v) noexcept { return v.size(); }
    static void encode_to(const std::vector<std::byte>& v, std::byte* p) noexcept {
        if (!v.empty()) std::memcpy(p, v.data(), v.size());
    }
    static bool accepts(oid_t type) noexcept { return type == oid::bytea; }
    static std::error_code decode(byte_view in, oid_t, std::vector<std::byte>& out) {
        out.assign(in.begin(), in.end());
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type,
                                       std::vector<std::byte>& out) {
        if (!accepts(type)) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

template <>
struct codec<std::span<const std::byte>> {
    static constexpr std::string_view name = "std::span<const std::byte>";
    static constexpr oid_t type_oid = oid::bytea;
    static constexpr oid_t array_oid = oid::bytea_array;

    static void encode(std::span<const std::byte> v, bytes& out) {
        out.insert(out.end(), v.begin(), v.end());
    }
    static std::size_t encoded_size(std::span<const std::byte> v) noexcept { return v.size(); }
    static void encode_to(std::span<const std::byte> v, std::byte* p) noexcept {
        if (!v.empty()) std::memcpy(p, v.data(), v.size());
    }
    static bool accepts(oid_t type) noexcept { return type == oid::bytea; }
    static std::error_code decode(byte_view in, oid_t, std::span<const std::byte>& out) noexcept {
        out = in;
        return {};
    }
};

template <>
struct codec<json> {
    static constexpr std::string_view name = "turbopg::wire::json";
    static constexpr oid_t type_oid = oid::json;
    static constexpr oid_t array_oid = oid::json_array;

    static void encode(const json& v, bytes& out) { detail::append_chars(out, v.text); }
    static bool accepts(oid_t type) noexcept { return type == oid::json || type == oid::jsonb; }
    static std::error_code decode(byte_view in, oid_t type, json& out) {
        std::string_view text;
        if (!detail::json_text(in, type, text)) return errc::invalid_value;
        out.text.assign(text);
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, json& out) {
        if (!accepts(type)) return errc::type_mismatch;
        out.text.assign(in);
        return {};
    }
};

template <>
struct codec<jsonb> {
    static constexpr std::string_view name = "turbopg::wire::jsonb";
    static constexpr oid_t type_oid = oid::jsonb;
    static constexpr oid_t array_oid = oid::jsonb_array;

    static void encode(const jsonb& v, bytes& out) {
        out.push_back(std::byte{detail::jsonb_version});
        detail::append_chars(out, v.text);
    }
    static bool accepts(oid_t type) noexcept { return type == oid::jsonb || type == oid::json; }
    static std::error_code decode(byte_view in, oid_t type, jsonb& out) {
        std::string_view text;
        if (!detail::json_text(in, type, text)) return errc::invalid_value;
        out.text.assign(text);
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, jsonb& out) {
        if (!accepts(type)) return errc::type_mismatch;
        out.text.assign(in);
        return {};
    }
};

} // namespace turbopg::wire
