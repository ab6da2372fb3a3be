// Built-in codecs for numeric, uuid and interval (included by codec.hpp).
//
//   C++                    encodes as   decodes from
//   turbopg::wire::numeric numeric      numeric
//   turbopg::wire::uuid    uuid         uuid
//   turbopg::wire::interval interval    interval
//
// numeric's binary format (numeric_send / numeric_recv) is Int16 ndigits, Int16 weight, UInt16
// sign (0x0000 +, 0x4000 -, 0xC000 NaN, 0xD000 Infinity, 0xF000 -Infinity), UInt16 display scale,
// then ndigits base-10000 digits, the first one weighing 10000^weight. The conversions between it
// and decimal text live in wire/src/types/numeric.cpp. interval_send writes Int64 microseconds,
// Int32 days, Int32 months; uuid_send the 16 bytes.
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>
#include <turbopg/wire/types.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace turbopg::wire {

namespace detail {
// Appends the binary numeric for a decimal string (see `numeric`); errc::invalid_value when it is
// not a number, errc::value_out_of_range past numeric's limits (weight, scale 16383).
TURBOPG_WIRE_API std::error_code encode_numeric(std::string_view text, bytes& out);
// Replaces `out` with the decimal text numeric_out would print for a binary numeric.
TURBOPG_WIRE_API std::error_code decode_numeric(byte_view in, std::string& out);
} // namespace detail

template <>
struct codec<numeric> {
    static constexpr std::string_view name = "turbopg::wire::numeric";
    static constexpr oid_t type_oid = oid::numeric;
    static constexpr oid_t array_oid = oid::numeric_array;

    static std::error_code encode(const numeric& v, bytes& out) {
        return detail::encode_numeric(v.str(), out);
    }
    static bool accepts(oid_t type) noexcept { return type == oid::numeric; }
    static std::error_code decode(byte_view in, oid_t, numeric& out) {
        return detail::decode_numeric(in, out.str());
    }
    static std::error_code decode_text(std::string_view in, oid_t type, numeric& out) {
        if (!accepts(type)) return errc::type_mismatch;
        out.str().assign(in);
        return {};
    }
};

template <>
struct codec<uuid> {
    static constexpr std::string_view name = "turbopg::wire::uuid";
    static constexpr oid_t type_oid = oid::uuid;
    static constexpr oid_t array_oid = oid::uuid_array;

    static void encode(const uuid& v, bytes& out) {
        out.insert(out.end(), v.bytes.begin(), v.bytes.end());
    }
    static bool accepts(oid_t type) noexcept { return type == oid::uuid; }
    static std::error_code decode(byte_view in, oid_t, uuid& out) noexcept {
        if (in.size() != out.bytes.size()) return errc::invalid_value;
        for (std::size_t i = 0; i < in.size(); ++i)
            out.bytes[i] = in[i];
        return {};
    }
    static std::error_code decode_text(std::string_view in, oid_t type, uuid& out) noexcept {
        if (!accepts(type)) return errc::type_mismatch;
        auto u = uuid::parse(in);
        if (!u) return errc::invalid_value;
        out = *u;
        return {};
    }
};

template <>
struct codec<interval> {
    static constexpr std::string_view name = "turbopg::wire::interval";
    static constexpr oid_t type_oid = oid::interval;
    static constexpr oid_t array_oid = oid::interval_array;

    static void encode(const interval& v, bytes& out) {
        detail::append_be(out, v.microseconds);
        detail::append_be(out, v.days);
        detail::append_be(out, v.months);
    }
    static bool accepts(oid_t type) noexcept { return type == oid::interval; }
    static std::error_code decode(byte_view in, oid_t, interval& out) noexcept {
        if (in.size() != 16) return errc::invalid_value;
        out.microseconds = detail::load_be<std::int64_t>(in.data());
        out.days = detail::load_be<std::int32_t>(in.data() + 8);
        out.months = detail::load_be<std::int32_t>(in.data() + 12);
        return {};
    }
};

} // namespace turbopg::wire
