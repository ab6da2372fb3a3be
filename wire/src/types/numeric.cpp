// numeric: decimal text <-> PostgreSQL's binary numeric (numeric_send / numeric_recv).
//
// The binary value is ndigits base-10000 digits; digit i weighs 10000^(weight - i). The decimal
// point therefore always falls between two base-10000 digits, and the text is read and written
// by aligning decimal digits to groups of four around the point. Display scale (dscale) is the
// number of decimal digits shown after the point; like numeric_out we print digits up to it and
// drop any beyond it (numeric_recv truncates those too).
#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/types.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace turbopg::wire {
namespace {

constexpr std::uint16_t sign_pos = 0x0000;
constexpr std::uint16_t sign_neg = 0x4000;
constexpr std::uint16_t sign_nan = 0xC000;
constexpr std::uint16_t sign_pinf = 0xD000;
constexpr std::uint16_t sign_ninf = 0xF000;
constexpr int dscale_max = 0x3FFF; // NUMERIC_DSCALE_MAX
constexpr int nbase = 10000;

enum class kind { number, nan, pinf, ninf };

// A decimal string split into its parts: value = [-] int_part.frac_part * 10^exponent.
struct parsed {
    kind k = kind::number;
    bool negative = false;
    std::string_view int_part;
    std::string_view frac_part;
    long exponent = 0;

    std::size_t size() const noexcept { return int_part.size() + frac_part.size(); }
    int digit(std::size_t i) const noexcept {
        return (i < int_part.size() ? int_part[i] : frac_part[i - int_part.size()]) - '0';
    }
};

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != b[i]) return false;
    }
    return true;
}

std::string_view digits_prefix(std::string_view& s) noexcept {
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[n]))
        ++n;
    auto d = s.substr(0, n);
    s.remove_prefix(n);
    return d;
}

// What numeric_in accepts (PostgreSQL 15): surrounding white space, a sign, digits with at most
// one point and at least one digit, an optional exponent; or NaN / [+-]Infinity / [+-]inf.
bool parse(std::string_view s, parsed& out) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    if (iequals(s, "nan")) {
        out.k = kind::nan;
        return true;
    }
    bool neg = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        neg = s.front() == '-';
        s.remove_prefix(1);
    }
    if (iequals(s, "infinity") || iequals(s, "inf")) {
        out.k = neg ? kind::ninf : kind::pinf;
        return true;
    }
    out.k = kind::number;
    out.negative = neg;
    out.int_part = digits_prefix(s);
    out.frac_part = {};
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        out.frac_part = digits_prefix(s);
    }
    if (out.size() == 0) return false;
    out.exponent = 0;
    if (!s.empty() && (s.front() == 'e' || s.front() == 'E')) {
        s.remove_prefix(1);
        bool eneg = false;
        if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
            eneg = s.front() == '-';
            s.remove_prefix(1);
        }
        auto e = digits_prefix(s);
        if (e.empty()) return false;
        long v = 0;
        for (char c : e) // saturates: past a million the weight or scale check fails anyway
            v = std::min(v * 10 + (c - '0'), 1'000'001L);
        out.exponent = eneg ? -v : v;
    }
    return s.empty();
}

constexpr int floor_div4(long a) noexcept {
    return static_cast<int>(a >= 0 ? a / 4 : -((-a + 3) / 4));
}

void put_digit4(std::string& out, int d) {
    char buf[4] = {static_cast<char>('0' + d / 1000), static_cast<char>('0' + d / 100 % 10),
                   static_cast<char>('0' + d / 10 % 10), static_cast<char>('0' + d % 10)};
    out.append(buf, 4);
}

} // namespace

namespace detail {

std::error_code encode_numeric(std::string_view text, bytes& out) {
    parsed p;
    if (!parse(text, p)) return errc::invalid_value;
    if (p.k != kind::number) {
        auto sign = p.k == kind::nan ? sign_nan : p.k == kind::pinf ? sign_pinf : sign_ninf;
        append_be<std::int16_t>(out, 0);
        append_be<std::int16_t>(out, 0);
        append_be<std::uint16_t>(out, sign);
        append_be<std::uint16_t>(out, 0);
        return {};
    }
    // Significant digits are [first, last); the digit at index i weighs 10^(point - 1 - i).
    long frac_digits = static_cast<long>(p.frac_part.size());
    long dscale = frac_digits - p.exponent;
    if (dscale < 0) dscale = 0;
    if (dscale > dscale_max) return errc::value_out_of_range;
    long point = static_cast<long>(p.int_part.size()) + p.exponent;
    std::size_t first = 0, last = p.size();
    while (first < last && p.digit(first) == 0)
        ++first;
    while (last > first && p.digit(last - 1) == 0)
        --last;
    if (first == last) { // zero: no digits, weight 0, positive, the scale kept
        append_be<std::int16_t>(out, 0);
        append_be<std::int16_t>(out, 0);
        append_be<std::uint16_t>(out, sign_pos);
        append_be<std::uint16_t>(out, static_cast<std::uint16_t>(dscale));
        return {};
    }
    // Decimal power of the first and last significant digits, and their base-10000 groups.
    long p_first = point - 1 - static_cast<long>(first);
    long p_last = point - 1 - static_cast<long>(last - 1);
    int weight = floor_div4(p_first);
    int low = floor_div4(p_last);
    long ndigits = weight - low + 1;
    if (weight > std::numeric_limits<std::int16_t>::max() ||
        low < std::numeric_limits<std::int16_t>::min() ||
        ndigits > std::numeric_limits<std::uint16_t>::max())
        return errc::value_out_of_range;
    append_be(out, static_cast<std::uint16_t>(ndigits));
    append_be(out, static_cast<std::int16_t>(weight));
    append_be(out, p.negative ? sign_neg : sign_pos);
    append_be(out, static_cast<std::uint16_t>(dscale));
    // Group g holds decimal powers 4g+3 .. 4g; digit index of power q is point - 1 - q.
    for (int g = weight; g >= low; --g) {
        int v = 0;
        for (int q = 4 * g + 3; q >= 4 * g; --q) {
            long i = point - 1 - q;
            int d = (i >= static_cast<long>(first) && i < static_cast<long>(last))
                        ? p.digit(static_cast<std::size_t>(i))
                        : 0;
            v = v * 10 + d;
        }
        append_be(out, static_cast<std::int16_t>(v));
    }
    return {};
}

std::error_code decode_numeric(byte_view in, std::string& out) {
    cursor c(in);
    auto ndigits = c.get<std::uint16_t>();
    auto weight = c.get<std::int16_t>();
    auto sign = c.get<std::uint16_t>();
    auto dscale = c.get<std::uint16_t>();
    auto digits = c.get_bytes(std::size_t{ndigits} * 2);
    if (!c.ok_and_done()) return errc::invalid_value;
    auto raw_digit = [&](long i) -> int { return load_be<std::int16_t>(digits.data() + 2 * i); };
    for (long i = 0; i < ndigits; ++i)
        if (raw_digit(i) < 0 || raw_digit(i) >= nbase) return errc::invalid_value;
    // Normalise as numeric_recv does before printing: leading zero digit groups carry no value
    // (each one lowers the weight), and a value without digits is zero whatever its weight says.
    long first = 0;
    while (first < ndigits && raw_digit(first) == 0)
        ++first;
    long count = ndigits - first;
    // Kept in a long: a malformed value can push it below -32768.
    long w = count == 0 ? 0 : weight - first;
    auto digit = [&](long i) -> int { return i >= 0 && i < count ? raw_digit(first + i) : 0; };
    switch (sign) {
    case sign_nan:
        out.assign("NaN");
        return {};
    case sign_pinf:
        out.assign("Infinity");
        return {};
    case sign_ninf:
        out.assign("-Infinity");
        return {};
    case sign_pos:
    case sign_neg:
        break;
    default:
        return errc::invalid_value;
    }
    if (dscale > dscale_max) return errc::invalid_value;

    out.clear();
    out.reserve(static_cast<std::size_t>(std::max<long>(w + 1, 1)) * 4 + dscale + 3);
    long d = 0;
    if (w < 0) {
        out.push_back('0');
        d = w + 1;
    } else {
        for (d = 0; d <= w; ++d) {
            if (d == 0) {
                char buf[8];
                auto r = std::to_chars(buf, buf + sizeof buf, digit(0));
                out.append(buf, r.ptr);
            } else {
                put_digit4(out, digit(d));
            }
        }
    }
    if (dscale > 0) {
        out.push_back('.');
        auto end = out.size() + dscale;
        for (int i = 0; i < dscale; i += 4, ++d)
            put_digit4(out, digit(d));
        out.resize(end);
    }
    // A negative value whose shown digits are all zero prints as zero, as the server normalises
    // it on receipt.
    if (sign == sign_neg && out.find_first_of("123456789") != std::string::npos)
        out.insert(out.begin(), '-');
    return {};
}

} // namespace detail

bool numeric::valid() const noexcept {
    parsed p;
    return parse(text_, p);
}

double numeric::to_double() const noexcept {
    parsed p;
    if (!parse(text_, p)) return std::numeric_limits<double>::quiet_NaN();
    switch (p.k) {
    case kind::nan:
        return std::numeric_limits<double>::quiet_NaN();
    case kind::pinf:
        return std::numeric_limits<double>::infinity();
    case kind::ninf:
        return -std::numeric_limits<double>::infinity();
    case kind::number:
        break;
    }
    std::string_view s = text_;
    while (!s.empty() && (is_space(s.front()) || s.front() == '+'))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) {
        // Too large or too small for a double: which one follows from the first digit's power.
        std::size_t first = 0;
        while (first < p.size() && p.digit(first) == 0)
            ++first;
        long power =
            static_cast<long>(p.int_part.size()) + p.exponent - 1 - static_cast<long>(first);
        v = power > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        if (p.negative) v = -v;
    }
    return v;
}

} // namespace turbopg::wire
