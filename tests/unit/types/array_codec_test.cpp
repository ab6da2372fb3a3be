#include "types/codec_test_util.hpp"

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using namespace std::chrono;

namespace {
// array_send outputs captured from PostgreSQL 15.
constexpr std::string_view int4_123 = // array[1,2,3]
    "00000001 00000000 00000017 00000003 00000001"
    "00000004 00000001 00000004 00000002 00000004 00000003";
constexpr std::string_view int4_1_null_3 = // array[1,null,3]
    "00000001 00000001 00000017 00000003 00000001"
    "00000004 00000001 ffffffff 00000004 00000003";
constexpr std::string_view int8_2d = // array[[1,2,3],[4,5,6]]::int8[]
    "00000002 00000000 00000014 00000002 00000001 00000003 00000001"
    "00000008 0000000000000001 00000008 0000000000000002 00000008 0000000000000003"
    "00000008 0000000000000004 00000008 0000000000000005 00000008 0000000000000006";
constexpr std::string_view int4_empty = "00000000 00000000 00000017"; // '{}'::int4[]
constexpr std::string_view int2_lb0 =                                 // '[0:1]={7,8}'::int2[]
    "00000001 00000000 00000015 00000002 00000000 00000002 0007 00000002 0008";
constexpr std::string_view text_3 = // array['a','','ü']
    "00000001 00000000 00000019 00000003 00000001 00000001 61 00000000 00000002 c3bc";
constexpr std::string_view text_null_x = // array[null,'x']::text[]
    "00000001 00000001 00000019 00000002 00000001 ffffffff 00000001 78";
constexpr std::string_view text_2d = // array[['a','b'],['c',null]]
    "00000002 00000001 00000019 00000002 00000001 00000002 00000001"
    "00000001 61 00000001 62 00000001 63 ffffffff";
constexpr std::string_view bool_3d = // array[[[true],[false]]]
    "00000003 00000000 00000010 00000001 00000001 00000002 00000001 00000001 00000001"
    "00000001 01 00000001 00";
} // namespace

TEST_SUITE("types: array codec") {

    TEST_CASE("one-dimensional arrays match array_send") {
        CHECK(enc(std::vector<std::int32_t>{1, 2, 3}) == to_hex(from_hex(int4_123)));
        CHECK(dec<std::vector<std::int32_t>>(int4_123, oid::int4_array) ==
              std::vector<std::int32_t>{1, 2, 3});
        CHECK(enc(std::vector<std::string>{"a", "", "ü"}) == to_hex(from_hex(text_3)));
        CHECK(dec<std::vector<std::string>>(text_3, oid::text_array) ==
              std::vector<std::string>{"a", "", "ü"});
        CHECK(codec<std::vector<std::int32_t>>::type_oid == oid::int4_array);
        CHECK(codec<std::vector<std::string>>::type_oid == oid::text_array);
        CHECK(param_format<std::vector<std::string>>() == format::binary);
    }

    TEST_CASE("arrays of every built-in element type match array_send") {
        std::vector<std::optional<numeric>> nums{numeric("1.5"), std::nullopt, numeric("NaN")};
        auto nums_hex = "00000001 00000001 000006a4 00000003 00000001"
                        "0000000c 000200000000000100011388 ffffffff 00000008 00000000c0000000";
        CHECK(enc(nums) == to_hex(from_hex(nums_hex)));
        CHECK(dec<std::vector<std::optional<numeric>>>(nums_hex, oid::numeric_array) == nums);

        auto u = *uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        auto uuid_hex = "00000001 00000000 00000b86 00000001 00000001"
                        "00000010 a0eebc999c0b4ef8bb6d6bb9bd380a11";
        CHECK(enc(std::vector<uuid>{u}) == to_hex(from_hex(uuid_hex)));
        CHECK(dec<std::vector<uuid>>(uuid_hex, oid::uuid_array) == std::vector<uuid>{u});

        std::vector<local_time<microseconds>> ts{
            local_time<microseconds>{local_days{2000y / 1 / 1}}, local_time<microseconds>::max()};
        auto ts_hex = "00000001 00000000 0000045a 00000002 00000001"
                      "00000008 0000000000000000 00000008 7fffffffffffffff";
        CHECK(enc(ts) == to_hex(from_hex(ts_hex)));
        CHECK(dec<std::vector<local_time<microseconds>>>(ts_hex, oid::timestamp_array) == ts);

        std::vector<std::vector<std::byte>> blobs{{std::byte{1}}, {}};
        auto bytea_hex = "00000001 00000000 00000011 00000002 00000001 00000001 01 00000000";
        CHECK(enc(blobs) == to_hex(from_hex(bytea_hex)));
        CHECK(dec<std::vector<std::vector<std::byte>>>(bytea_hex, oid::bytea_array) == blobs);

        auto jsonb_hex = "00000001 00000000 00000eda 00000001 00000001 00000004 015b315d";
        CHECK(enc(std::vector<jsonb>{{"[1]"}}) == to_hex(from_hex(jsonb_hex)));
        CHECK(dec<std::vector<std::string>>(jsonb_hex, oid::jsonb_array) ==
              std::vector<std::string>{"[1]"});

        std::vector<sys_days> dates{sys_days::max(), sys_days::min()};
        auto date_hex = "00000001 00000000 0000043a 00000002 00000001"
                        "00000004 7fffffff 00000004 80000000";
        CHECK(enc(dates) == to_hex(from_hex(date_hex)));
        CHECK(dec<std::vector<sys_days>>(date_hex, oid::date_array) == dates);

        auto interval_hex = "00000001 00000000 000004a2 00000001 00000001"
                            "00000010 0000000000000000 00000001 00000000";
        CHECK(enc(std::vector<interval>{{0, 1, 0}}) == to_hex(from_hex(interval_hex)));

        auto float8_hex = "00000001 00000000 000002bd 00000002 00000001"
                          "00000008 3ff0000000000000 00000008 7ff8000000000000";
        CHECK(enc(std::vector<double>{1.0, std::nan("")}) == to_hex(from_hex(float8_hex)));
        auto floats = dec<std::vector<double>>(float8_hex, oid::float8_array);
        REQUIRE(floats.size() == 2);
        CHECK(floats[0] == 1.0);
        CHECK(std::isnan(floats[1]));

        auto varchar_hex = "00000001 00000000 00000413 00000001 00000001 00000002 6162";
        CHECK(dec<std::vector<std::string>>(varchar_hex, oid::varchar_array) ==
              std::vector<std::string>{"ab"});
    }

    TEST_CASE("NULL elements need std::optional") {
        std::vector<std::optional<std::int32_t>> v{1, std::nullopt, 3};
        CHECK(enc(v) == to_hex(from_hex(int4_1_null_3)));
        CHECK(dec<decltype(v)>(int4_1_null_3, oid::int4_array) == v);
        CHECK(dec_error<std::vector<std::int32_t>>(int4_1_null_3, oid::int4_array) ==
              errc::unexpected_null);
        std::vector<std::optional<std::string>> t{std::nullopt, "x"};
        CHECK(enc(t) == to_hex(from_hex(text_null_x)));
        CHECK(dec<decltype(t)>(text_null_x, oid::text_array) == t);
        // No NULL present: the flag stays 0, as array_send writes it.
        CHECK(enc(std::vector<std::optional<std::int32_t>>{1, 2, 3}) == to_hex(from_hex(int4_123)));
    }

    TEST_CASE("nested vectors are multi-dimensional arrays") {
        std::vector<std::vector<std::int64_t>> m{{1, 2, 3}, {4, 5, 6}};
        CHECK(enc(m) == to_hex(from_hex(int8_2d)));
        CHECK(dec<decltype(m)>(int8_2d, oid::int8_array) == m);
        std::vector<std::vector<std::optional<std::string>>> t{{"a", "b"}, {"c", std::nullopt}};
        CHECK(enc(t) == to_hex(from_hex(text_2d)));
        CHECK(dec<decltype(t)>(text_2d, oid::text_array) == t);
        std::vector<std::vector<std::vector<bool>>> b{{{true}, {false}}};
        CHECK(enc(b) == to_hex(from_hex(bool_3d)));
        CHECK(dec<decltype(b)>(bool_3d, oid::bool_array) == b);
        CHECK(codec<decltype(m)>::type_oid == oid::int8_array);
        CHECK(codec<decltype(b)>::array_dimensions == 3);
        // The number of dimensions must match the nesting.
        CHECK(dec_error<std::vector<std::int64_t>>(int8_2d, oid::int8_array) ==
              errc::type_mismatch);
        CHECK(dec_error<std::vector<std::vector<std::int32_t>>>(int4_123, oid::int4_array) ==
              errc::type_mismatch);
    }

    TEST_CASE("nested vectors must be rectangular") {
        using grid = std::vector<std::vector<std::int32_t>>;
        CHECK(enc_error(grid{{1, 2}, {3}}) == errc::invalid_value);
        CHECK(enc_error(grid{{}, {1}}) == errc::invalid_value);
        CHECK(enc_error(grid{{1}, {}}) == errc::invalid_value);
        CHECK(enc(grid{{}, {}}) == to_hex(from_hex(int4_empty))); // no elements: ndim 0
        CHECK(enc(grid{}) == to_hex(from_hex(int4_empty)));
        bytes out = from_hex("aa");
        CHECK(encode_param(grid{{1, 2}, {3}}, out) == errc::invalid_value);
        CHECK(out == from_hex("aa")); // nothing left behind
    }

    TEST_CASE("empty arrays have no dimensions and fit any nesting") {
        CHECK(enc(std::vector<std::int32_t>{}) == to_hex(from_hex(int4_empty)));
        CHECK(dec<std::vector<std::int32_t>>(int4_empty, oid::int4_array).empty());
        CHECK(dec<std::vector<std::vector<std::int32_t>>>(int4_empty, oid::int4_array).empty());
        CHECK(
            dec<std::vector<std::int64_t>>("00000000 00000000 00000014", oid::int8_array).empty());
        // Decoding replaces what the vector held.
        std::vector<std::int32_t> v{9, 9};
        auto b = from_hex(int4_empty);
        REQUIRE(!decode_value(byte_view(b), oid::int4_array, v));
        CHECK(v.empty());
    }

    TEST_CASE("any lower bound is accepted; elements widen like scalars") {
        CHECK(dec<std::vector<std::int16_t>>(int2_lb0, oid::int2_array) ==
              std::vector<std::int16_t>{7, 8});
        CHECK(dec<std::vector<std::int64_t>>(int4_123, oid::int4_array) ==
              std::vector<std::int64_t>{1, 2, 3});
        CHECK(dec_error<std::vector<std::int16_t>>(int4_123, oid::int4_array) ==
              errc::type_mismatch);
    }

    TEST_CASE("the column type and the element OID are both checked") {
        CHECK(codec<std::vector<std::int32_t>>::accepts(oid::int4_array));
        CHECK(codec<std::vector<std::int64_t>>::accepts(oid::int2_array));
        CHECK_FALSE(codec<std::vector<std::int32_t>>::accepts(oid::int8_array));
        CHECK_FALSE(codec<std::vector<std::int32_t>>::accepts(oid::int4));
        CHECK_FALSE(codec<std::vector<std::int32_t>>::accepts(16385));
        CHECK(dec_error<std::vector<std::int32_t>>(int4_123, oid::text_array) ==
              errc::type_mismatch);
        // An int4[] column whose value claims text elements.
        CHECK(dec_error<std::vector<std::int32_t>>(text_3, oid::int4_array) == errc::type_mismatch);
    }

    TEST_CASE("malformed arrays are rejected without trusting their sizes") {
        using v32 = std::vector<std::int32_t>;
        auto h = to_hex(from_hex(int4_123));
        CHECK(dec_error<v32>(h.substr(0, h.size() - 2), oid::int4_array) == errc::invalid_value);
        CHECK(dec_error<v32>(h + "00", oid::int4_array) == errc::invalid_value);
        CHECK(dec_error<v32>("00000001 00000000", oid::int4_array) == errc::invalid_value);
        CHECK(dec_error<v32>("00000007 00000000 00000017", oid::int4_array) == errc::invalid_value);
        CHECK(dec_error<v32>("ffffffff 00000000 00000017", oid::int4_array) == errc::invalid_value);
        CHECK(dec_error<v32>("00000001 00000002 00000017 00000001 00000001 00000004 00000001",
                             oid::int4_array) == errc::invalid_value); // flag 2
        CHECK(dec_error<v32>("00000001 00000000 00000017 ffffffff 00000001", oid::int4_array) ==
              errc::invalid_value); // negative size
        CHECK(dec_error<v32>("00000001 00000000 00000017 7fffffff 00000001 00000004 00000001",
                             oid::int4_array) == errc::invalid_value); // 2^31 elements promised
        CHECK(dec_error<std::vector<std::vector<std::vector<v32>>>>(
                  "00000004 00000000 00000017 7fffffff 00000001 7fffffff 00000001 7fffffff 00000001"
                  "7fffffff 00000001",
                  oid::int4_array) == errc::invalid_value); // sizes whose product overflows
        CHECK(dec_error<v32>("00000001 00000000 00000017 00000001 00000001 fffffffe",
                             oid::int4_array) == errc::invalid_value); // length -2
        CHECK(dec_error<v32>("00000001 00000000 00000017 00000001 00000001 00000003 000001",
                             oid::int4_array) == errc::invalid_value); // element of 3 bytes
        CHECK(dec_error<v32>("00000000 00000000 00000017 00", oid::int4_array) ==
              errc::invalid_value); // bytes after an empty array
    }

    TEST_CASE("arrays of views decode without copying") {
        auto b = from_hex(text_3);
        std::vector<std::string_view> v;
        REQUIRE(!decode_value(byte_view(b), oid::text_array, v));
        REQUIRE(v.size() == 3);
        CHECK(v[0] == "a");
        CHECK(v[1].empty());
        CHECK(v[2] == "ü");
        CHECK(static_cast<const void*>(v[0].data()) == static_cast<const void*>(b.data() + 24));
    }

    TEST_CASE("std::vector<bool> works despite its proxy references") {
        std::vector<bool> v{true, false, true};
        CHECK(round_trip(v) == v);
    }

    TEST_CASE("arrays: a zero-length dimension is the empty array, as array_recv reads it") {
        // Found by fuzz_codecs: int8[] with ndim=2, dims [2, 0].
        std::vector<std::vector<std::int64_t>> v{{1}};
        auto raw = from_hex("00000002 00000000 00000014 00000002 00000001 00000000 00000001");
        REQUIRE(!decode_value(byte_view(raw), oid::int8_array, v));
        CHECK(v.empty());
        CHECK(dec_error<std::vector<std::vector<std::int64_t>>>(
                  "00000002 00000000 00000014 00000002 00000001 00000000 00000001 00",
                  oid::int8_array) == errc::invalid_value);
    }

} // TEST_SUITE
