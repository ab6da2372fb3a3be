// decode_field<T> for the built-in codecs. The first byte picks the C++ type and column OID
// (low 7 bits) and the format (high bit: text); the rest is the value. Decoding must be
// memory-safe and must not throw; a value that decodes and then encodes must decode again, to
// an equal value (floats compared bit for bit). Text-format numerics are kept as given, so for
// them only the second round trip must be exact.
#include "fuzz_util.hpp"

#include <turbopg/wire/codec.hpp>

#include <algorithm>
#include <cstdlib>

using namespace turbopg::wire;
namespace chr = std::chrono;

namespace {
template <class T>
bool same(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>)
        return std::bit_cast<std::array<char, sizeof(T)>>(a) ==
               std::bit_cast<std::array<char, sizeof(T)>>(b);
    else if constexpr (std::is_same_v<T, byte_view>)
        return std::ranges::equal(a, b);
    else if constexpr (std::is_same_v<T, numeric>)
        return a == b;
    else if constexpr (detail::is_optional<T>)
        return a.has_value() == b.has_value() && (!a || same(*a, *b));
    else if constexpr (detail::is_array_vector<T>) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same<typename T::value_type>(a[i], b[i])) return false;
        return true;
    } else
        return a == b;
}

// Encodes v, decodes it back (as the type it was encoded as) and checks the result.
template <class T>
void round_trip(const T& v, bool exact) {
    bytes b;
    if (detail::encode_value(v, b)) return;
    T w{};
    if (decode_value(byte_view(b), codec<T>::type_oid ? codec<T>::type_oid : oid::text, w))
        std::abort();
    if (!exact) return round_trip(w, true);
    if (!same(v, w)) std::abort();
}

template <class T>
void check(byte_view raw, oid_t type, format fmt) {
    T v{};
    if (decode_field(std::optional(raw), type, fmt, v)) return;
    if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, byte_view>)
        turbopg::fuzz::touch(v); // a view must stay inside the value
    round_trip(v, fmt == format::binary || !std::is_same_v<T, numeric>);
}

using checker = void (*)(byte_view, oid_t, format);
struct entry {
    checker f;
    oid_t type;
};
template <class T>
using vec = std::vector<T>;
template <class T>
using opt = std::optional<T>;
constexpr entry table[] = {
    {check<bool>, oid::bool_},
    {check<std::int16_t>, oid::int2},
    {check<std::int32_t>, oid::int4},
    {check<std::int32_t>, oid::int2},
    {check<std::int64_t>, oid::int8},
    {check<std::int64_t>, oid::int4},
    {check<std::uint32_t>, oid::oid},
    {check<std::uint32_t>, oid::regclass},
    {check<float>, oid::float4},
    {check<double>, oid::float8},
    {check<double>, oid::float4},
    {check<char>, oid::char_},
    {check<std::string>, oid::text},
    {check<std::string>, oid::jsonb},
    {check<std::string_view>, oid::json},
    {check<std::string_view>, oid::jsonb},
    {check<vec<std::byte>>, oid::bytea},
    {check<byte_view>, oid::bytea},
    {check<json>, oid::json},
    {check<json>, oid::jsonb},
    {check<jsonb>, oid::jsonb},
    {check<jsonb>, oid::json},
    {check<numeric>, oid::numeric},
    {check<uuid>, oid::uuid},
    {check<interval>, oid::interval},
    {check<chr::sys_days>, oid::date},
    {check<chr::year_month_day>, oid::date},
    {check<time_of_day>, oid::time},
    {check<chr::sys_time<chr::microseconds>>, oid::timestamptz},
    {check<chr::system_clock::time_point>, oid::timestamptz},
    {check<chr::sys_seconds>, oid::timestamptz},
    {check<chr::local_time<chr::microseconds>>, oid::timestamp},
    {check<chr::local_seconds>, oid::timestamp},
    {check<opt<std::int64_t>>, oid::int8},
    {check<vec<std::int32_t>>, oid::int4_array},
    {check<vec<opt<std::int32_t>>>, oid::int4_array},
    {check<vec<vec<std::int64_t>>>, oid::int8_array},
    {check<vec<opt<std::string>>>, oid::text_array},
    {check<vec<numeric>>, oid::numeric_array},
    {check<vec<vec<opt<double>>>>, oid::float8_array},
    {check<vec<bool>>, oid::bool_array},
    {check<vec<uuid>>, oid::uuid_array},
    {check<vec<chr::sys_days>>, oid::date_array},
    {check<vec<vec<std::byte>>>, oid::bytea_array},
    {check<vec<vec<vec<opt<std::int16_t>>>>>, oid::int2_array},
    {check<vec<interval>>, oid::interval_array},
    {check<vec<opt<jsonb>>>, oid::jsonb_array},
    {check<vec<chr::sys_time<chr::microseconds>>>, oid::timestamptz_array},
    {check<vec<time_of_day>>, oid::time_array},
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto& e = table[(data[0] & 0x7f) % std::size(table)];
    e.f(turbopg::fuzz::as_span(data + 1, size - 1), e.type,
        data[0] & 0x80 ? format::text : format::binary);
    return 0;
}
