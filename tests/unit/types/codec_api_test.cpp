#include "types/codec_test_util.hpp"

#include <turbopg/wire/connection.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;

// A user type with its own codec: money as cents in an int8.
namespace user {
struct money {
    std::int64_t cents = 0;
    friend bool operator==(const money&, const money&) = default;
};
enum class color { red, green };
} // namespace user

template <>
struct turbopg::wire::codec<user::money> {
    static constexpr std::string_view name = "user::money";
    static constexpr oid_t type_oid = oid::int8;
    static constexpr oid_t array_oid = oid::int8_array;
    static void encode(const user::money& v, bytes& out) {
        codec<std::int64_t>::encode(v.cents, out);
    }
    static bool accepts(oid_t type) noexcept { return codec<std::int64_t>::accepts(type); }
    static std::error_code decode(byte_view in, oid_t type, user::money& out) noexcept {
        return codec<std::int64_t>::decode(in, type, out.cents);
    }
};

// The Enable parameter: a codec chosen by a trait (here: this one enum, sent as its text).
template <class E>
struct turbopg::wire::codec<E, std::enable_if_t<std::is_same_v<E, user::color>>> {
    static constexpr std::string_view name = "user::color";
    static constexpr oid_t type_oid = 0; // text format; the server knows the enum
    static constexpr oid_t array_oid = 0;
    static void encode(E v, bytes& out) {
        std::string_view s = v == E::red ? "red" : "green";
        codec<std::string_view>::encode(s, out);
    }
    static bool accepts(oid_t) noexcept { return false; } // enums have per-database OIDs
    static std::error_code decode(byte_view, oid_t, E&) noexcept { return errc::type_mismatch; }
    static std::error_code decode_text(std::string_view in, oid_t, E& out) noexcept {
        if (in == "red")
            out = E::red;
        else if (in == "green")
            out = E::green;
        else
            return errc::invalid_value;
        return {};
    }
};

static_assert(has_codec<int> && encodable<int> && decodable<int>);
static_assert(!has_codec<std::uint64_t> && !has_codec<signed char> && !has_codec<void*> &&
              !has_codec<wchar_t>);
static_assert(!has_codec<std::vector<std::uint64_t>>);
static_assert(encodable<const char*> && !decodable<const char*>);
static_assert(encodable<char[4]>);
static_assert(decodable<std::string_view> && text_decodable<std::string_view>);
static_assert(!text_decodable<std::vector<std::int32_t>>);
static_assert(!encodable<std::vector<const char*>>);
static_assert(encodable<std::optional<std::int32_t>> && decodable<std::optional<std::string>>);
static_assert(text_decodable<std::optional<double>> && !text_decodable<std::optional<interval>>);
static_assert(encodable<std::vector<user::money>> && decodable<std::vector<user::money>>);
static_assert(encodable<std::nullopt_t> && !decodable<std::nullopt_t>);
static_assert(codec<std::vector<std::optional<std::int32_t>>>::name ==
              "std::vector<std::optional<std::int32_t>>");
static_assert(codec<std::vector<std::vector<std::string>>>::name ==
              "std::vector<std::vector<std::string>>");
static_assert(param_type_oid<std::optional<std::int64_t>>() == oid::int8);
static_assert(param_format<std::optional<std::string>>() == format::text);
static_assert(param_format<numeric>() == format::binary);
static_assert(param_type_oid<std::vector<user::money>>() == oid::int8_array);

TEST_SUITE("types: codec API") {

    TEST_CASE("encode_param writes the length, or -1 for NULL") {
        bytes out;
        CHECK(!encode_param(std::int32_t{5}, out));
        CHECK(!encode_param(std::optional<std::int32_t>{}, out));
        CHECK(!encode_param(std::nullopt, out));
        CHECK(!encode_param(std::optional<std::string>{"ab"}, out));
        CHECK(!encode_param(std::string(), out));
        CHECK(!encode_param("hi", out));
        CHECK(to_hex(out) == "0000000400000005"
                             "ffffffff"
                             "ffffffff"
                             "000000026162"
                             "00000000"
                             "000000026869");
        auto before = out;
        CHECK(encode_param(numeric("1.2.3"), out) == errc::invalid_value);
        CHECK(encode_param(std::chrono::sys_days::max() - std::chrono::days{1}, out) ==
              errc::value_out_of_range);
        CHECK(out == before);
    }

    TEST_CASE("write_params appends every Bind value, or nothing and names the one that fails") {
        bytes out{std::byte{0x7f}};
        // All sized: the buffer grows once, in place.
        detail::write_params(out, std::int32_t{5}, "hi", std::optional<std::int64_t>{});
        CHECK(to_hex(out) == "7f"
                             "0000000400000005"
                             "000000026869"
                             "ffffffff");
        auto before = out;
        auto fails = [&](auto&&... args) -> std::string {
            try {
                detail::write_params(out, args...);
            } catch (const error& e) {
                return e.what();
            }
            return "no error";
        };
        using std::chrono::days;
        using std::chrono::sys_days;
        CHECK(fails(std::int32_t{1}, sys_days::max() - days{1}) ==
              "cannot encode parameter $2 (std::chrono::sys_days): value out of range for "
              "PostgreSQL: value out of range");
        CHECK(out == before);
        // One value sized only by encoding it (numeric): appended value by value.
        CHECK(fails(std::int32_t{1}, "x", numeric("1.2.3")) ==
              "cannot encode parameter $3 (turbopg::wire::numeric): invalid value: invalid binary "
              "value");
        CHECK(out == before);
        bytes want = before;
        CHECK(!encode_param(numeric("1.5"), want));
        CHECK(!encode_param(std::int16_t{2}, want));
        detail::write_params(out, numeric("1.5"), std::int16_t{2});
        CHECK(out == want);
    }

    TEST_CASE("decode_field handles NULL, the format and the column type") {
        auto five = from_hex("00000005");
        std::optional<byte_view> raw{byte_view(five)};
        std::int32_t i = 0;
        CHECK(!decode_field(raw, oid::int4, i));
        CHECK(i == 5);
        CHECK(decode_field(std::nullopt, oid::int4, i) == errc::unexpected_null);
        CHECK(decode_field(raw, oid::text, i) == errc::type_mismatch);
        // A wrong type is reported even when the value is NULL.
        CHECK(decode_field(std::nullopt, oid::text, i) == errc::type_mismatch);

        std::optional<std::int64_t> o = 7;
        CHECK(!decode_field(std::nullopt, oid::int8, o));
        CHECK(!o);
        CHECK(!decode_field(raw, oid::int4, o));
        CHECK(o == 5);

        auto text = from_hex("3432"); // "42"
        std::optional<byte_view> traw{byte_view(text)};
        CHECK(!decode_field(traw, oid::int4, format::text, i));
        CHECK(i == 42);
        std::string s;
        CHECK(!decode_field(traw, oid::numeric, format::text, s));
        CHECK(s == "42");
        interval iv;
        CHECK(decode_field(traw, oid::interval, format::text, iv) == errc::type_mismatch);
        std::optional<double> od;
        CHECK(!decode_field(traw, oid::float8, format::text, od));
        CHECK(od == 42.0);
        CHECK(decode_field(std::nullopt, oid::float8, format::text, i) == errc::unexpected_null);
    }

    TEST_CASE("a user codec works as a value, an optional and an array element") {
        CHECK(enc(user::money{-5}) == "fffffffffffffffb");
        CHECK(dec<user::money>("00000004", oid::int4) == user::money{4});
        std::vector<user::money> v{{1}, {2}};
        CHECK(round_trip(v) == v);
        bytes out;
        CHECK(!encode_param(std::optional<user::money>{user::money{1}}, out));
        CHECK(to_hex(out) == "000000080000000000000001");

        out.clear();
        CHECK(!encode_param(user::color::green, out));
        CHECK(to_hex(out) == "00000005677265656e");
        CHECK(param_format<user::color>() == format::text);
        user::color c = user::color::green;
        auto red = from_hex("726564");
        CHECK(!decode_field(std::optional<byte_view>(byte_view(red)), 16385, format::text, c));
        CHECK(c == user::color::red);
    }

    TEST_CASE("has_binary_codec lists exactly the types the built-in codecs accept") {
        auto accepted = [](oid_t t) {
            return codec<bool>::accepts(t) || codec<std::int64_t>::accepts(t) ||
                   codec<std::uint32_t>::accepts(t) || codec<double>::accepts(t) ||
                   codec<char>::accepts(t) || codec<std::string>::accepts(t) ||
                   codec<std::vector<std::byte>>::accepts(t) || codec<numeric>::accepts(t) ||
                   codec<uuid>::accepts(t) || codec<interval>::accepts(t) ||
                   codec<json>::accepts(t) || codec<jsonb>::accepts(t) ||
                   codec<std::chrono::sys_days>::accepts(t) || codec<time_of_day>::accepts(t) ||
                   codec<std::chrono::local_time<std::chrono::microseconds>>::accepts(t) ||
                   codec<std::chrono::sys_time<std::chrono::microseconds>>::accepts(t);
        };
        int count = 0;
        for (oid_t t = 0; t < 20000; ++t) {
            auto e = element_type_of(t);
            bool expected = accepted(t) || (e != 0 && accepted(e));
            CAPTURE(t);
            CHECK(has_binary_codec(t) == expected);
            count += expected;
        }
        CHECK(count == 73); // 37 scalar types and 36 arrays (unknown has none)
        CHECK(result_format(oid::int4) == format::binary);
        CHECK(result_format(oid::point) == format::text);
        CHECK(result_format(16385) == format::text);
        CHECK_FALSE(has_binary_codec(0xffffffff));
    }

    TEST_CASE("OIDs, type names and array links come from the catalog") {
        CHECK(oid::bool_ == 16);
        CHECK(oid::int8 == 20);
        CHECK(oid::int4_array == 1007);
        CHECK(oid::jsonb_array == 3807);
        CHECK(builtin_type_name(oid::int8) == "int8");
        CHECK(builtin_type_name(oid::int4_array) == "int4[]");
        CHECK(builtin_type_name(oid::char_) == "char");
        CHECK(builtin_type_name(16385).empty());
        CHECK(element_type_of(oid::text_array) == oid::text);
        CHECK(element_type_of(oid::text) == 0);
        CHECK(element_type_of(oid::name) == 0); // typelem set, but not an array type
        CHECK(array_type_of(oid::uuid) == oid::uuid_array);
        CHECK(array_type_of(oid::unknown) == 0);
        CHECK(describe_type(oid::timestamptz_array) == "timestamptz[]");
        CHECK(describe_type(16385) == "OID 16385");
        static_assert(builtin_type_name(oid::numeric) == "numeric");
    }

    TEST_CASE("error messages name the column, the PostgreSQL type and the C++ type") {
        CHECK(describe_field_error<std::int64_t>(errc::type_mismatch, "price", oid::numeric) ==
              "cannot read column \"price\" of type numeric into std::int64_t");
        CHECK(describe_field_error<std::vector<std::int32_t>>(errc::unexpected_null, "ids",
                                                              oid::int4_array) ==
              "column \"ids\" of type int4[] holds a NULL, which std::vector<std::int32_t> cannot "
              "represent (use std::optional)");
        CHECK(describe_field_error<numeric>(errc::invalid_value, "n", oid::numeric) ==
              "malformed value in column \"n\" of type numeric (reading turbopg::wire::numeric)");
        CHECK(describe_field_error<std::chrono::sys_time<std::chrono::nanoseconds>>(
                  errc::value_out_of_range, "at", oid::timestamptz) ==
              "the value of column \"at\" of type timestamptz does not fit "
              "std::chrono::sys_time<std::chrono::nanoseconds>");
        CHECK(describe_field_error(errc::type_mismatch, "mood", 16385, "std::int32_t") ==
              "cannot read column \"mood\" of type OID 16385 into std::int32_t");
        CHECK(describe_param_error(errc::invalid_value, 2, codec<numeric>::name) ==
              "cannot encode parameter $2 (turbopg::wire::numeric): invalid value");
    }

} // TEST_SUITE
