#include "types/codec_test_util.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace turbopg::wire;
using namespace turbopg::test;

TEST_SUITE("types: scalar codecs") {

    TEST_CASE("bool matches boolsend and reads any non-zero byte as true") {
        CHECK(enc(true) == "01");
        CHECK(enc(false) == "00");
        CHECK(dec<bool>("01", oid::bool_));
        CHECK_FALSE(dec<bool>("00", oid::bool_));
        CHECK(dec<bool>("07", oid::bool_));
        CHECK(dec_error<bool>("", oid::bool_) == errc::invalid_value);
        CHECK(dec_error<bool>("0100", oid::bool_) == errc::invalid_value);
        CHECK(dec_error<bool>("01", oid::int2) == errc::type_mismatch);
    }

    TEST_CASE("integers match int2send/int4send/int8send at their extremes") {
        CHECK(enc(std::int16_t{-32768}) == "8000");
        CHECK(enc(std::int32_t{-1}) == "ffffffff");
        CHECK(enc(std::numeric_limits<std::int64_t>::min()) == "8000000000000000");
        CHECK(enc(std::numeric_limits<std::int64_t>::max()) == "7fffffffffffffff");
        CHECK(dec<std::int16_t>("8000", oid::int2) == -32768);
        CHECK(dec<std::int32_t>("ffffffff", oid::int4) == -1);
        CHECK(dec<std::int64_t>("8000000000000000", oid::int8) ==
              std::numeric_limits<std::int64_t>::min());
        CHECK(dec<std::int64_t>("7fffffffffffffff", oid::int8) ==
              std::numeric_limits<std::int64_t>::max());
        for (auto v : {std::numeric_limits<std::int32_t>::min(), 0, 42,
                       std::numeric_limits<std::int32_t>::max()})
            CHECK(round_trip(v) == v);
        CHECK(codec<std::int16_t>::type_oid == oid::int2);
        CHECK(codec<std::int32_t>::array_oid == oid::int4_array);
        CHECK(codec<long long>::type_oid == oid::int8);
    }

    TEST_CASE("integers widen from narrower columns and never narrow") {
        CHECK(dec<std::int32_t>("8000", oid::int2) == -32768);
        CHECK(dec<std::int64_t>("8000", oid::int2) == -32768);
        CHECK(dec<std::int64_t>("80000000", oid::int4) == std::numeric_limits<std::int32_t>::min());
        CHECK(dec_error<std::int16_t>("00000001", oid::int4) == errc::type_mismatch);
        CHECK(dec_error<std::int32_t>("0000000000000001", oid::int8) == errc::type_mismatch);
        CHECK(dec_error<std::int64_t>("3fc00000", oid::float4) == errc::type_mismatch);
        CHECK(dec_error<std::int64_t>("0000000000000001", oid::numeric) == errc::type_mismatch);
        CHECK_FALSE(codec<std::int16_t>::accepts(oid::int4));
        CHECK(codec<std::int64_t>::accepts(oid::int2));
    }

    TEST_CASE("integers reject truncated and trailing bytes") {
        CHECK(dec_error<std::int32_t>("000000", oid::int4) == errc::invalid_value);
        CHECK(dec_error<std::int32_t>("0000000000", oid::int4) == errc::invalid_value);
        // A wider decoder still insists on the column's width.
        CHECK(dec_error<std::int64_t>("00000001", oid::int2) == errc::invalid_value);
        CHECK(dec_error<std::int64_t>("00000000000000", oid::int8) == errc::invalid_value);
    }

    TEST_CASE("floats match float4send/float8send: NaN, infinities and -0.0 survive") {
        CHECK(enc(1.5f) == "3fc00000");
        CHECK(enc(std::numeric_limits<float>::infinity()) == "7f800000");
        CHECK(enc(-0.0) == "8000000000000000");
        CHECK(enc(3.141592653589793) == "400921fb54442d18");
        CHECK(enc(-std::numeric_limits<double>::infinity()) == "fff0000000000000");
        CHECK(dec<float>("3fc00000", oid::float4) == 1.5f);
        CHECK(std::isnan(dec<float>("7fc00000", oid::float4)));
        CHECK(std::isinf(dec<float>("7f800000", oid::float4)));
        auto nz = dec<double>("8000000000000000", oid::float8);
        CHECK(nz == 0.0);
        CHECK(std::signbit(nz));
        CHECK(dec<double>("400921fb54442d18", oid::float8) == 3.141592653589793);
        CHECK(std::isnan(dec<double>("7ff8000000000000", oid::float8)));
        CHECK(dec<double>("fff0000000000000", oid::float8) ==
              -std::numeric_limits<double>::infinity());
        CHECK(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
        CHECK(round_trip(std::numeric_limits<double>::denorm_min()) ==
              std::numeric_limits<double>::denorm_min());
        CHECK(round_trip(std::numeric_limits<float>::lowest()) ==
              std::numeric_limits<float>::lowest());
    }

    TEST_CASE("double reads float4 columns; float does not read float8") {
        CHECK(dec<double>("3fc00000", oid::float4) == 1.5);
        CHECK(std::isnan(dec<double>("7fc00000", oid::float4)));
        CHECK(dec_error<float>("3ff8000000000000", oid::float8) == errc::type_mismatch);
        CHECK(dec_error<double>("3fc00000", oid::float8) == errc::invalid_value);
        CHECK(dec_error<double>("3ff8000000000000", oid::float4) == errc::invalid_value);
        CHECK(dec_error<double>("00000000000000", oid::float8) == errc::invalid_value);
    }

    TEST_CASE("\"char\" is one byte (charsend)") {
        CHECK(enc('x') == "78");
        CHECK(dec<char>("78", oid::char_) == 'x');
        CHECK(dec<char>("ff", oid::char_) == static_cast<char>(0xff));
        CHECK(dec_error<char>("", oid::char_) == errc::invalid_value);
        CHECK(dec_error<char>("7878", oid::char_) == errc::invalid_value);
        CHECK(dec_error<char>("78", oid::bpchar) == errc::type_mismatch);
    }

    TEST_CASE("std::uint32_t is oid and reads the reg* types, xid and cid") {
        CHECK(enc(std::uint32_t{4294967295u}) == "ffffffff");
        CHECK(dec<std::uint32_t>("ffffffff", oid::oid) == 4294967295u);
        CHECK(dec<std::uint32_t>("000004eb", oid::regclass) == 1259u);
        CHECK(dec<std::uint32_t>("00000010", oid::xid) == 16u);
        CHECK(codec<std::uint32_t>::type_oid == oid::oid);
        CHECK(dec_error<std::uint32_t>("00000001", oid::int4) == errc::type_mismatch);
        CHECK(dec_error<std::uint32_t>("0000000001", oid::oid) == errc::invalid_value);
    }

    TEST_CASE("scalars read the text format the server prints") {
        auto text = [](auto& out, std::string_view s, oid_t type) {
            return decode_text_value(s, type, out);
        };
        bool b = false;
        CHECK(!text(b, "t", oid::bool_));
        CHECK(b);
        CHECK(!text(b, "f", oid::bool_));
        CHECK_FALSE(b);
        CHECK(text(b, "yes", oid::bool_) == errc::invalid_value);
        std::int16_t i16 = 0;
        CHECK(!text(i16, "-32768", oid::int2));
        CHECK(i16 == -32768);
        CHECK(text(i16, "123", oid::int4) == errc::type_mismatch);
        std::int32_t i32 = 0;
        CHECK(!text(i32, "-7", oid::int2));
        CHECK(i32 == -7);
        CHECK(text(i32, "12a", oid::int4) == errc::invalid_value);
        CHECK(text(i32, "", oid::int4) == errc::invalid_value);
        std::int64_t i64 = 0;
        CHECK(!text(i64, "-9223372036854775808", oid::int8));
        CHECK(i64 == std::numeric_limits<std::int64_t>::min());
        CHECK(text(i64, "9223372036854775808", oid::int8) == errc::value_out_of_range);
        double d = 0;
        CHECK(!text(d, "-Infinity", oid::float8));
        CHECK(d == -std::numeric_limits<double>::infinity());
        CHECK(!text(d, "NaN", oid::float8));
        CHECK(std::isnan(d));
        CHECK(!text(d, "1e+100", oid::float8));
        CHECK(d == 1e100);
        CHECK(!text(d, "0.1", oid::float4));
        CHECK(d == 0.1);
        float f = 0;
        CHECK(!text(f, "3.4028235e+38", oid::float4));
        CHECK(f == std::numeric_limits<float>::max());
        CHECK(text(f, "1e39", oid::float4) == errc::value_out_of_range);
        std::uint32_t o = 0;
        CHECK(!text(o, "4294967295", oid::oid));
        CHECK(o == 4294967295u);
        CHECK(text(o, "pg_class", oid::regclass) == errc::type_mismatch);
        char c = 'a';
        CHECK(!text(c, "", oid::char_));
        CHECK(c == '\0');
        CHECK(!text(c, "\\377", oid::char_));
        CHECK(c == static_cast<char>(0xff));
        CHECK(!text(c, "q", oid::char_));
        CHECK(c == 'q');
    }

} // TEST_SUITE
