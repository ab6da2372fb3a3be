// Value types for PostgreSQL types that have no standard C++ counterpart: numeric, uuid,
// interval, time of day, json and jsonb. Their codecs are in codec.hpp.
#pragma once

#include <turbopg/wire/export.hpp>

#include <array>
#include <chrono>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace turbopg::wire {

namespace detail {
template <class I>
concept plain_integer = std::integral<I> && !std::same_as<I, bool> && !std::same_as<I, char>;
} // namespace detail

// An exact decimal number (PostgreSQL `numeric`), kept as its decimal text.
//
// Decoded values read exactly as PostgreSQL prints them ("123.45", "0.000", "NaN", "Infinity",
// "-Infinity"), display scale included. A value built from a string is kept as given and
// checked when it is encoded: an optional sign, digits with an optional point, an optional
// exponent ("1.5e-3"), or NaN / Infinity / -Infinity / inf (any case), as numeric_in accepts.
// Comparison is textual: "1.5" and "1.50" are different representations (PostgreSQL keeps the
// scale too) although numerically equal.
class numeric {
public:
    numeric()
        : text_("0") {}
    explicit numeric(std::string text)
        : text_(std::move(text)) {}
    explicit numeric(std::string_view text)
        : text_(text) {}
    explicit numeric(const char* text)
        : text_(text) {}
    template <detail::plain_integer I>
    explicit numeric(I v)
        : text_(std::to_string(v)) {}

    const std::string& str() const noexcept { return text_; }
    std::string& str() noexcept { return text_; }

    // True when str() is something numeric_in would accept (and encode would send).
    TURBOPG_WIRE_API bool valid() const noexcept;
    // The nearest double (NaN and the infinities included); NaN when the text is not a number.
    TURBOPG_WIRE_API double to_double() const noexcept;

    friend bool operator==(const numeric&, const numeric&) = default;

private:
    std::string text_;
};

// A UUID: 16 bytes in network order, as uuid_send writes them.
struct uuid {
    std::array<std::byte, 16> bytes{};

    // Lower-case canonical form, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".
    TURBOPG_WIRE_API std::string to_string() const;
    // Accepts what uuid_in accepts: 32 hex digits in either case, optionally in braces, with a
    // hyphen allowed after any group of four digits (so the canonical form and the bare form).
    TURBOPG_WIRE_API static std::optional<uuid> parse(std::string_view text) noexcept;

    friend auto operator<=>(const uuid&, const uuid&) = default;
};

// A PostgreSQL interval: the three fields are kept apart because a month is not a fixed number of
// days and a day is not always 24 hours (DST), exactly as the server stores them.
struct interval {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t microseconds = 0;

    friend bool operator==(const interval&, const interval&) = default;
};

// A time of day without time zone (PostgreSQL `time`): microseconds since midnight, from 0 to
// 24:00:00 inclusive (the server accepts "24:00:00").
struct time_of_day {
    std::chrono::microseconds since_midnight{0};

    constexpr time_of_day() = default;
    constexpr explicit time_of_day(std::chrono::microseconds d) noexcept
        : since_midnight(d) {}
    constexpr time_of_day(std::chrono::hours h, std::chrono::minutes m, std::chrono::seconds s,
                          std::chrono::microseconds us = std::chrono::microseconds{0}) noexcept
        : since_midnight(h + m + s + us) {}

    friend auto operator<=>(const time_of_day&, const time_of_day&) = default;
};

// JSON document text for a `json` parameter or column (jsonb columns decode into it too).
struct json {
    std::string text;
    friend bool operator==(const json&, const json&) = default;
};

// JSON document text for a `jsonb` parameter or column (json columns decode into it too). The
// server normalises jsonb, so what comes back may differ in spacing and key order.
struct jsonb {
    std::string text;
    friend bool operator==(const jsonb&, const jsonb&) = default;
};

} // namespace turbopg::wire
