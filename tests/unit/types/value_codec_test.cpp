#include "types/codec_test_util.hpp"

#include <string>

using namespace turbopg::wire;
using namespace turbopg::test;

TEST_SUITE("types: uuid and interval codecs") {

    TEST_CASE("uuid matches uuid_send and prints and parses like uuid_out / uuid_in") {
        auto u = uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        REQUIRE(u);
        CHECK(enc(*u) == "a0eebc999c0b4ef8bb6d6bb9bd380a11");
        CHECK(dec<uuid>("a0eebc999c0b4ef8bb6d6bb9bd380a11", oid::uuid) == *u);
        CHECK(u->to_string() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        CHECK(round_trip(*u) == *u);
        CHECK(uuid::parse("A0EEBC999C0B4EF8BB6D6BB9BD380A11") == u);
        CHECK(uuid::parse("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}") == u);
        CHECK(uuid::parse("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11") == u);
        CHECK_FALSE(uuid::parse(""));
        CHECK_FALSE(uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"));
        CHECK_FALSE(uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-"));
        CHECK_FALSE(uuid::parse("a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11"));
        CHECK_FALSE(uuid::parse("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        CHECK_FALSE(uuid::parse("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        CHECK(uuid{}.to_string() == "00000000-0000-0000-0000-000000000000");
        CHECK(dec_error<uuid>("a0eebc999c0b4ef8bb6d6bb9bd380a", oid::uuid) == errc::invalid_value);
        CHECK(dec_error<uuid>("a0eebc999c0b4ef8bb6d6bb9bd380a1100", oid::uuid) ==
              errc::invalid_value);
        CHECK(dec_error<uuid>("a0eebc999c0b4ef8bb6d6bb9bd380a11", oid::text) ==
              errc::type_mismatch);
        uuid t;
        CHECK(!decode_text_value("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", oid::uuid, t));
        CHECK(t == *u);
        CHECK(decode_text_value("nope", oid::uuid, t) == errc::invalid_value);
    }

    TEST_CASE("interval matches interval_send: microseconds, days, months") {
        // '1 year 2 months 3 days 04:05:06.789'
        interval i{14, 3, 14'706'789'000};
        CHECK(enc(i) == "000000036c97ca88000000030000000e");
        CHECK(dec<interval>("000000036c97ca88000000030000000e", oid::interval) == i);
        // '-1 mon -2 days -00:00:01'
        interval n{-1, -2, -1'000'000};
        CHECK(enc(n) == "fffffffffff0bdc0fffffffeffffffff");
        CHECK(dec<interval>("fffffffffff0bdc0fffffffeffffffff", oid::interval) == n);
        interval extreme{std::numeric_limits<std::int32_t>::min(),
                         std::numeric_limits<std::int32_t>::max(),
                         std::numeric_limits<std::int64_t>::min()};
        CHECK(round_trip(extreme) == extreme);
        CHECK(dec_error<interval>("000000036c97ca8800000003000000", oid::interval) ==
              errc::invalid_value);
        CHECK(dec_error<interval>("000000036c97ca88000000030000000e00", oid::interval) ==
              errc::invalid_value);
        CHECK(dec_error<interval>("0000000000000000", oid::time) == errc::type_mismatch);
    }

} // TEST_SUITE
