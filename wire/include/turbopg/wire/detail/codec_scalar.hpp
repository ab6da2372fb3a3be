// Built-in codecs for the fixed-size scalars (included by codec.hpp).
//
//   C++                         encodes as      decodes from
//   bool                        bool            bool
//   std::int16_t                int2            int2
//   std::int32_t                int4            int2, int4
//   std::int64_t (long long)    int8            int2, int4, int8
//   std::uint32_t               oid             oid, xid, cid, regproc, regclass, regtype, ...
//   float                       float4          float4
//   double                      float8          float4, float8
//   char                        "char"          "char" (the one-byte internal type, oid 18)
//
// Integers widen but never narrow. Binary formats are boolsend, int2send/int4send/int8send,
// oidsend, float4send/float8send (IEEE 754 big-endian, NaN and infinities kept) and charsend.
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>

#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

namespace turbopg::wire {

namespace detail {
// Text-format parsers (wire/src/types/text.cpp); errc::invalid_value when malformed,
// errc::value_out_of_range when the number does not fit.
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, bool& out) noexcept;
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, std::int64_t min, std::int64_t max,
                                            std::int64_t& out) noexcept;
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, std::uint32_t& out) noexcept;
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, float& out) noexcept;
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, double& out) noexcept;
TURBOPG_WIRE_API std::error_code parse_text(std::string_view in, char& out) noexcept;

template <class I>
concept pg_integer =
    std::signed_integral<I> && !std::same_as<I, char> && !std::same_as<I, signed char> &&
    !std::same_as<I, wchar_t> && (sizeof(I) == 2 || sizeof(I) == 4 || sizeof(I) == 8);

template <std::size_t Size>
inline constexpr std::string_view int_name = "std::int64_t";
template <>
inline constexpr std::string_view int_name<2> = "std::int16_t";
template <>
inline constexpr std::string_view int_name<4> = "std::int32_t";

// Width in bytes of the integer column types; 0 for others.
constexpr std::size_t int_width(oid_t type) noexcept {
    switch (type) {
    case oid::int2:
        return 2;
    case oid::int4:
        return 4;
    case oid::int8:
        return 8;
    default:
        return 0;
    }
}
} // namespace detail

template <>
struct codec<bool> {
    static constexpr std::string_view name = "bool";
    static constexpr oid_t type_oid = oid::bool_;
    static constexpr oid_t array_oid = oid::bool_array;

    static void encode(bool v, bytes& out) { out.push_back(static_cast<std::byte>(v ? 1 : 0)); }
    static constexpr std::size_t encoded_size(bool) noexcept { return 1; }
    static void encode_to(bool v, std::byte* p) noexcept { *p = static_cast<std::byte>(v ? 1 : 0); }
    static bool accepts(oid_t type) noexcept { return type == oid::bool_; }
    // boolrecv reads any non-zero byte as true; so does this.
    static std::error_code decode(byte_view in, oid_t, bool& out) noexcept {
        if (in.size() != 1) return errc::invalid_value;
        out = in[0] != std::byte{0};
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, bool& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

template <detail::pg_integer I>
struct codec<I> {
    static constexpr std::string_view name = detail::int_name<sizeof(I)>;
    static constexpr oid_t type_oid = sizeof(I) == 2   ? oid::int2
                                      : sizeof(I) == 4 ? oid::int4
                                                       : oid::int8;
    static constexpr oid_t array_oid = sizeof(I) == 2   ? oid::int2_array
                                       : sizeof(I) == 4 ? oid::int4_array
                                                        : oid::int8_array;

    static void encode(I v, bytes& out) { detail::append_be(out, v); }
    static constexpr std::size_t encoded_size(I) noexcept { return sizeof(I); }
    static void encode_to(I v, std::byte* p) noexcept { detail::store_be(p, v); }
    static bool accepts(oid_t type) noexcept {
        auto w = detail::int_width(type);
        return w != 0 && w <= sizeof(I);
    }
    static std::error_code decode(byte_view in, oid_t type, I& out) noexcept {
        auto w = detail::int_width(type);
        if (w == 0 || w > sizeof(I)) return errc::type_mismatch;
        if (in.size() != w) return errc::invalid_value;
        if (w == 2)
            out = detail::load_be<std::int16_t>(in.data());
        else if (w == 4)
            out = static_cast<I>(detail::load_be<std::int32_t>(in.data()));
        else
            out = static_cast<I>(detail::load_be<std::int64_t>(in.data()));
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, I& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        std::int64_t v = 0;
        auto ec =
            detail::parse_text(in, std::numeric_limits<I>::min(), std::numeric_limits<I>::max(), v);
        if (!ec) out = static_cast<I>(v);
        return ec;
    }
};

template <>
struct codec<std::uint32_t> {
    static constexpr std::string_view name = "std::uint32_t";
    static constexpr oid_t type_oid = oid::oid;
    static constexpr oid_t array_oid = oid::oid_array;

    static void encode(std::uint32_t v, bytes& out) { detail::append_be(out, v); }
    static constexpr std::size_t encoded_size(std::uint32_t) noexcept { return 4; }
    static void encode_to(std::uint32_t v, std::byte* p) noexcept { detail::store_be(p, v); }
    // oid and the reg* aliases of it (sent by oidsend), xid and cid (unsigned 32-bit too).
    static bool accepts(oid_t type) noexcept {
        switch (type) {
        case oid::oid:
        case oid::xid:
        case oid::cid:
        case oid::regproc:
        case oid::regprocedure:
        case oid::regoper:
        case oid::regoperator:
        case oid::regclass:
        case oid::regtype:
        case oid::regconfig:
        case oid::regdictionary:
        case oid::regnamespace:
        case oid::regrole:
        case oid::regcollation:
            return true;
        default:
            return false;
        }
    }
    static std::error_code decode(byte_view in, oid_t, std::uint32_t& out) noexcept {
        return detail::read_exact(in, out) ? std::error_code{} : errc::invalid_value;
    }
    // As text only the numeric types read back as numbers (reg* types print names).
    static std::error_code decode_text(std::string_view in, oid_t type,
                                       std::uint32_t& out) noexcept {
        if (type != oid::oid && type != oid::xid && type != oid::cid) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

template <>
struct codec<float> {
    static constexpr std::string_view name = "float";
    static constexpr oid_t type_oid = oid::float4;
    static constexpr oid_t array_oid = oid::float4_array;

    static void encode(float v, bytes& out) {
        detail::append_be(out, std::bit_cast<std::uint32_t>(v));
    }
    static constexpr std::size_t encoded_size(float) noexcept { return 4; }
    static void encode_to(float v, std::byte* p) noexcept {
        detail::store_be(p, std::bit_cast<std::uint32_t>(v));
    }
    static bool accepts(oid_t type) noexcept { return type == oid::float4; }
    static std::error_code decode(byte_view in, oid_t, float& out) noexcept {
        std::uint32_t bits = 0;
        if (!detail::read_exact(in, bits)) return errc::invalid_value;
        out = std::bit_cast<float>(bits);
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, float& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

template <>
struct codec<double> {
    static constexpr std::string_view name = "double";
    static constexpr oid_t type_oid = oid::float8;
    static constexpr oid_t array_oid = oid::float8_array;

    static void encode(double v, bytes& out) {
        detail::append_be(out, std::bit_cast<std::uint64_t>(v));
    }
    static constexpr std::size_t encoded_size(double) noexcept { return 8; }
    static void encode_to(double v, std::byte* p) noexcept {
        detail::store_be(p, std::bit_cast<std::uint64_t>(v));
    }
    static bool accepts(oid_t type) noexcept { return type == oid::float8 || type == oid::float4; }
    static std::error_code decode(byte_view in, oid_t type, double& out) noexcept {
        if (type == oid::float4) {
            float f = 0;
            auto ec = codec<float>::decode(in, type, f);
            out = f;
            return ec;
        }
        std::uint64_t bits = 0;
        if (!detail::read_exact(in, bits)) return errc::invalid_value;
        out = std::bit_cast<double>(bits);
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, double& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

template <>
struct codec<char> {
    static constexpr std::string_view name = "char";
    static constexpr oid_t type_oid = oid::char_;
    static constexpr oid_t array_oid = oid::char_array;

    static void encode(char v, bytes& out) { out.push_back(static_cast<std::byte>(v)); }
    static bool accepts(oid_t type) noexcept { return type == oid::char_; }
    static std::error_code decode(byte_view in, oid_t, char& out) noexcept {
        if (in.size() != 1) return errc::invalid_value;
        out = static_cast<char>(in[0]);
        return {};
    }
    // charout prints '\0' as "" and bytes >= 0x80 as a backslash and three octal digits.
    static std::error_code decode_text(std::string_view in, oid_t type, char& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        return detail::parse_text(in, out);
    }
};

} // namespace turbopg::wire
