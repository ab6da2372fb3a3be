// Built-in codecs for dates and times (included by codec.hpp).
//
//   C++                                         encodes as    decodes from
//   std::chrono::sys_days                       date          date
//   std::chrono::year_month_day                 date          date
//   turbopg::wire::time_of_day                  time          time
//   std::chrono::local_time<D>  (D != days)     timestamp     timestamp
//   std::chrono::sys_time<D>    (D != days)     timestamptz   timestamptz
//
// The binary formats count from PostgreSQL's epoch, 2000-01-01: date_send an Int32 of days,
// time_send / timestamp_send / timestamptz_send an Int64 of microseconds (timestamptz in UTC).
// Infinities: 'infinity' and '-infinity' decode to the time point's max() and min(), and max()
// and min() encode as them; std::chrono::year_month_day cannot hold them (value_out_of_range).
// A duration D other than microseconds converts exactly where it can; a coarser one (seconds)
// is floored when decoding, a finer one (nanoseconds: std::chrono::system_clock::time_point)
// is floored to whole microseconds when encoding. Values outside PostgreSQL's range (dates
// 4714-11-24 BC to 5874897 AD, timestamps to 294276 AD) or outside the C++ type's range are
// errc::value_out_of_range.
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>
#include <turbopg/wire/types.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <ratio>
#include <string_view>
#include <system_error>

namespace turbopg::wire {

namespace detail {
inline constexpr std::int64_t pg_epoch_days = 10957; // 2000-01-01 - 1970-01-01
inline constexpr std::int64_t pg_epoch_us = pg_epoch_days * 86'400'000'000;
// IS_VALID_DATE and IS_VALID_TIMESTAMP of datatype/timestamp.h, relative to 2000-01-01: from
// Julian day 0 (4714-11-24 BC) to 5874898-01-01 and 294277-01-01, end excluded.
inline constexpr std::int64_t min_date = -2451545;
inline constexpr std::int64_t end_date = 2145031949;
inline constexpr std::int64_t min_timestamp = min_date * 86'400'000'000;
inline constexpr std::int64_t end_timestamp = 9223371331200000000;
inline constexpr std::int64_t usecs_per_day = 86'400'000'000;

template <class D>
concept timestamp_duration =
    std::signed_integral<typename D::rep> && !std::same_as<D, std::chrono::days> &&
    (std::ratio_divide<typename D::period, std::micro>::num == 1 ||
     std::ratio_divide<typename D::period, std::micro>::den == 1);

template <std::signed_integral I>
constexpr I floor_div(I a, I b) noexcept {
    I q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

// A duration as whole microseconds, floored; false on overflow.
template <class D>
constexpr bool to_micros(D d, std::int64_t& us) noexcept {
    using r = std::ratio_divide<typename D::period, std::micro>;
    auto n = static_cast<std::int64_t>(d.count());
    if constexpr (r::den == 1)
        return !__builtin_mul_overflow(n, static_cast<std::int64_t>(r::num), &us);
    else {
        us = floor_div(n, static_cast<std::int64_t>(r::den));
        return true;
    }
}

// Whole microseconds as a D, floored; false when D cannot hold them.
template <class D>
constexpr bool from_micros(std::int64_t us, D& d) noexcept {
    using r = std::ratio_divide<std::micro, typename D::period>;
    std::int64_t n = 0;
    if constexpr (r::den == 1) {
        if (__builtin_mul_overflow(us, static_cast<std::int64_t>(r::num), &n)) return false;
    } else {
        n = floor_div(us, static_cast<std::int64_t>(r::den));
    }
    using rep = typename D::rep;
    if (n < std::numeric_limits<rep>::min() || n > std::numeric_limits<rep>::max()) return false;
    d = D{static_cast<rep>(n)};
    return true;
}

template <class D>
inline constexpr std::string_view duration_name = "duration";
template <>
inline constexpr std::string_view duration_name<std::chrono::nanoseconds> =
    "std::chrono::nanoseconds";
template <>
inline constexpr std::string_view duration_name<std::chrono::microseconds> =
    "std::chrono::microseconds";
template <>
inline constexpr std::string_view duration_name<std::chrono::milliseconds> =
    "std::chrono::milliseconds";
template <>
inline constexpr std::string_view duration_name<std::chrono::seconds> = "std::chrono::seconds";
template <>
inline constexpr std::string_view duration_name<std::chrono::minutes> = "std::chrono::minutes";
template <>
inline constexpr std::string_view duration_name<std::chrono::hours> = "std::chrono::hours";

inline constexpr std::string_view name_sys_time = "std::chrono::sys_time<";
inline constexpr std::string_view name_local_time = "std::chrono::local_time<";

// The column type a clock's time points map to: sys_time is an instant (timestamptz),
// local_time a wall-clock reading without a zone (timestamp).
template <class Clock>
struct timestamp_column;
template <>
struct timestamp_column<std::chrono::system_clock> {
    static constexpr const std::string_view& name = name_sys_time;
    static constexpr oid_t type_oid = oid::timestamptz;
    static constexpr oid_t array_oid = oid::timestamptz_array;
};
template <>
struct timestamp_column<std::chrono::local_t> {
    static constexpr const std::string_view& name = name_local_time;
    static constexpr oid_t type_oid = oid::timestamp;
    static constexpr oid_t array_oid = oid::timestamp_array;
};
template <class Clock>
concept timestamp_clock = requires {
    timestamp_column<Clock>::type_oid;
};

// timestamp and timestamptz share a format; the clock only decides the column type.
template <class TP>
std::error_code encode_timestamp(TP tp, std::byte* p) noexcept {
    std::int64_t pg = 0;
    if (tp == TP::max()) {
        pg = std::numeric_limits<std::int64_t>::max();
    } else if (tp == TP::min()) {
        pg = std::numeric_limits<std::int64_t>::min();
    } else {
        std::int64_t us = 0;
        if (!to_micros(tp.time_since_epoch(), us) || __builtin_sub_overflow(us, pg_epoch_us, &pg) ||
            pg < min_timestamp || pg >= end_timestamp)
            return errc::value_out_of_range;
    }
    store_be(p, pg);
    return {};
}

template <class TP>
std::error_code decode_timestamp(byte_view in, TP& out) noexcept {
    std::int64_t pg = 0;
    if (!read_exact(in, pg)) return errc::invalid_value;
    if (pg == std::numeric_limits<std::int64_t>::max()) {
        out = TP::max();
        return {};
    }
    if (pg == std::numeric_limits<std::int64_t>::min()) {
        out = TP::min();
        return {};
    }
    std::int64_t us = 0;
    typename TP::duration d{};
    if (__builtin_add_overflow(pg, pg_epoch_us, &us) || !from_micros(us, d))
        return errc::value_out_of_range;
    out = TP{d};
    return {};
}
} // namespace detail

template <>
struct codec<std::chrono::sys_days> {
    static constexpr std::string_view name = "std::chrono::sys_days";
    static constexpr oid_t type_oid = oid::date;
    static constexpr oid_t array_oid = oid::date_array;

    static std::error_code encode(std::chrono::sys_days v, bytes& out) {
        return detail::append_encoded(v, out);
    }
    static constexpr std::size_t encoded_size(std::chrono::sys_days) noexcept { return 4; }
    static std::error_code encode_to(std::chrono::sys_days v, std::byte* p) noexcept {
        std::int32_t pg = 0;
        if (v == std::chrono::sys_days::max()) {
            pg = std::numeric_limits<std::int32_t>::max();
        } else if (v == std::chrono::sys_days::min()) {
            pg = std::numeric_limits<std::int32_t>::min();
        } else {
            auto d = static_cast<std::int64_t>(v.time_since_epoch().count());
            if (d < detail::min_date + detail::pg_epoch_days ||
                d >= detail::end_date + detail::pg_epoch_days)
                return errc::value_out_of_range;
            pg = static_cast<std::int32_t>(d - detail::pg_epoch_days);
        }
        detail::store_be(p, pg);
        return {};
    }
    static bool accepts(oid_t type) noexcept { return type == oid::date; }
    static std::error_code decode(byte_view in, oid_t, std::chrono::sys_days& out) noexcept {
        std::int32_t pg = 0;
        if (!detail::read_exact(in, pg)) return errc::invalid_value;
        if (pg == std::numeric_limits<std::int32_t>::max())
            out = std::chrono::sys_days::max();
        else if (pg == std::numeric_limits<std::int32_t>::min())
            out = std::chrono::sys_days::min();
        else
            out = std::chrono::sys_days{std::chrono::days{pg + detail::pg_epoch_days}};
        return {};
    }
};

template <>
struct codec<std::chrono::year_month_day> {
    static constexpr std::string_view name = "std::chrono::year_month_day";
    static constexpr oid_t type_oid = oid::date;
    static constexpr oid_t array_oid = oid::date_array;

    static std::error_code encode(std::chrono::year_month_day v, bytes& out) {
        if (!v.ok()) return errc::invalid_value;
        return codec<std::chrono::sys_days>::encode(std::chrono::sys_days{v}, out);
    }
    static bool accepts(oid_t type) noexcept { return type == oid::date; }
    static std::error_code decode(byte_view in, oid_t type,
                                  std::chrono::year_month_day& out) noexcept {
        using namespace std::chrono;
        sys_days d{};
        if (auto ec = codec<sys_days>::decode(in, type, d)) return ec;
        // std::chrono::year holds -32767 to 32767.
        constexpr sys_days first{year::min() / January / 1}, last{year::max() / December / 31};
        if (d < first || d > last) return errc::value_out_of_range;
        out = year_month_day{d};
        return {};
    }
};

template <>
struct codec<time_of_day> {
    static constexpr std::string_view name = "turbopg::wire::time_of_day";
    static constexpr oid_t type_oid = oid::time;
    static constexpr oid_t array_oid = oid::time_array;

    static std::error_code encode(time_of_day v, bytes& out) {
        auto us = static_cast<std::int64_t>(v.since_midnight.count());
        if (us < 0 || us > detail::usecs_per_day) return errc::value_out_of_range;
        detail::append_be(out, us);
        return {};
    }
    static bool accepts(oid_t type) noexcept { return type == oid::time; }
    static std::error_code decode(byte_view in, oid_t, time_of_day& out) noexcept {
        std::int64_t us = 0;
        if (!detail::read_exact(in, us) || us < 0 || us > detail::usecs_per_day)
            return errc::invalid_value;
        out.since_midnight = std::chrono::microseconds{us};
        return {};
    }
};

template <detail::timestamp_clock Clock, detail::timestamp_duration D>
struct codec<std::chrono::time_point<Clock, D>> {
    using value_type = std::chrono::time_point<Clock, D>;
    using column = detail::timestamp_column<Clock>;
    static constexpr std::string_view name =
        detail::join_names<column::name, detail::duration_name<D>, detail::name_close>::value;
    static constexpr oid_t type_oid = column::type_oid;
    static constexpr oid_t array_oid = column::array_oid;

    static std::error_code encode(value_type v, bytes& out) {
        return detail::append_encoded(v, out);
    }
    static constexpr std::size_t encoded_size(value_type) noexcept { return 8; }
    static std::error_code encode_to(value_type v, std::byte* p) noexcept {
        return detail::encode_timestamp(v, p);
    }
    static bool accepts(oid_t type) noexcept { return type == type_oid; }
    static std::error_code decode(byte_view in, oid_t, value_type& out) noexcept {
        return detail::decode_timestamp(in, out);
    }
};

} // namespace turbopg::wire
