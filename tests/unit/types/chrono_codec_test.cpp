#include "types/codec_test_util.hpp"

#include <chrono>

using namespace turbopg::wire;
using namespace turbopg::test;
using namespace std::chrono;

TEST_SUITE("types: date and time codecs") {

    TEST_CASE("date matches date_send, infinities map to min/max") {
        sys_days leap = 2024y / February / 29;
        CHECK(enc(leap) == "00002279");
        CHECK(dec<sys_days>("00002279", oid::date) == leap);
        CHECK(enc(sys_days{1970y / January / 1}) == "ffffd533");
        CHECK(dec<sys_days>("ffffd533", oid::date) == sys_days{});
        CHECK(dec<sys_days>("7fffffff", oid::date) == sys_days::max());
        CHECK(dec<sys_days>("80000000", oid::date) == sys_days::min());
        CHECK(enc(sys_days::max()) == "7fffffff");
        CHECK(enc(sys_days::min()) == "80000000");
        CHECK(round_trip(sys_days{2000y / January / 1}) == sys_days{2000y / January / 1});
        // PostgreSQL's range: 4714-11-24 BC (year -4713) to 5874897-12-31.
        sys_days first = year{-4713} / November / 24;
        CHECK(round_trip(first) == first);
        CHECK(enc_error(first - days{1}) == errc::value_out_of_range);
        sys_days last{days{2145031948 + 10957}};
        CHECK(round_trip(last) == last);
        CHECK(enc_error(last + days{1}) == errc::value_out_of_range);
        CHECK(dec_error<sys_days>("000022", oid::date) == errc::invalid_value);
        CHECK(dec_error<sys_days>("0000227900", oid::date) == errc::invalid_value);
        CHECK(dec_error<sys_days>("00002279", oid::timestamp) == errc::type_mismatch);
    }

    TEST_CASE("year_month_day is a date too") {
        year_month_day d = 2024y / February / 29;
        CHECK(enc(d) == "00002279");
        CHECK(dec<year_month_day>("00002279", oid::date) == d);
        CHECK(enc_error(year_month_day{2023y / February / 29}) == errc::invalid_value);
        CHECK(dec_error<year_month_day>("7fffffff", oid::date) == errc::value_out_of_range);
        CHECK(dec_error<year_month_day>("80000000", oid::date) == errc::value_out_of_range);
    }

    TEST_CASE("time matches time_send, including 24:00:00") {
        time_of_day t{13h, 45min, 6s, 789012us};
        CHECK(enc(t) == "0000000b86d5a694");
        CHECK(dec<time_of_day>("0000000b86d5a694", oid::time) == t);
        CHECK(dec<time_of_day>("000000141dd76000", oid::time) == time_of_day{24h});
        CHECK(round_trip(time_of_day{}) == time_of_day{});
        CHECK(enc_error(time_of_day{24h + 1us}) == errc::value_out_of_range);
        CHECK(enc_error(time_of_day{-1us}) == errc::value_out_of_range);
        CHECK(dec_error<time_of_day>("000000141dd76001", oid::time) == errc::invalid_value);
        CHECK(dec_error<time_of_day>("0000000b86d5a6", oid::time) == errc::invalid_value);
        CHECK(dec_error<time_of_day>("0000000b86d5a694", oid::timetz) == errc::type_mismatch);
    }

    TEST_CASE("timestamp is local_time, microseconds since 2000-01-01") {
        local_time<microseconds> ts =
            local_days{2024y / February / 29} + 13h + 45min + 6s + 789012us;
        CHECK(enc(ts) == "0002b5843c620694");
        CHECK(dec<local_time<microseconds>>("0002b5843c620694", oid::timestamp) == ts);
        CHECK(dec<local_time<microseconds>>("7fffffffffffffff", oid::timestamp) ==
              local_time<microseconds>::max());
        CHECK(dec<local_time<microseconds>>("8000000000000000", oid::timestamp) ==
              local_time<microseconds>::min());
        CHECK(enc(local_time<microseconds>::max()) == "7fffffffffffffff");
        local_time<microseconds> bc{local_days{year{0} / January / 1}}; // 0001-01-01 BC
        CHECK(enc(bc) == "ff1fc63d1bb12000");
        CHECK(dec<local_time<microseconds>>("ff1fc63d1bb12000", oid::timestamp) == bc);
        CHECK(dec_error<local_time<microseconds>>("0002b5843c620694", oid::timestamptz) ==
              errc::type_mismatch);
        CHECK(codec<local_time<microseconds>>::type_oid == oid::timestamp);
    }

    TEST_CASE("timestamptz is sys_time in UTC") {
        sys_time<microseconds> ts = sys_days{2024y / February / 29} + 11h + 45min + 6s + 789012us;
        CHECK(enc(ts) == "0002b5828f3abe94"); // '2024-02-29 13:45:06.789012+02'
        CHECK(dec<sys_time<microseconds>>("0002b5828f3abe94", oid::timestamptz) == ts);
        CHECK(dec<sys_time<microseconds>>("fffca2fec4c81fff", oid::timestamptz) ==
              sys_time<microseconds>{-1us});
        CHECK(dec<sys_time<microseconds>>("7fffffffffffffff", oid::timestamptz) ==
              sys_time<microseconds>::max());
        CHECK(enc(sys_time<microseconds>::min()) == "8000000000000000");
        CHECK(dec_error<sys_time<microseconds>>("0002b5828f3abe", oid::timestamptz) ==
              errc::invalid_value);
        CHECK(dec_error<sys_time<microseconds>>("0002b5828f3abe94", oid::timestamp) ==
              errc::type_mismatch);
        // Before the start of PostgreSQL's range (4714-11-24 BC); and an instant of year 292,000
        // that PostgreSQL holds but microseconds since 1970 in 64 bits do not.
        sys_time<microseconds> first{sys_days{year{-4713} / November / 24}};
        CHECK(round_trip(first) == first);
        CHECK(enc_error(first - 1us) == errc::value_out_of_range);
        CHECK(dec_error<sys_time<microseconds>>("7ffeada26b6d8000", oid::timestamptz) ==
              errc::value_out_of_range);
    }

    TEST_CASE("other durations: nanoseconds floor on encode, seconds floor on decode") {
        system_clock::time_point tp{nanoseconds{1'700'000'000'123'456'789}};
        sys_time<microseconds> us = floor<microseconds>(tp);
        CHECK(enc(tp) == enc(us));
        CHECK(round_trip(tp) == sys_time<nanoseconds>{us});
        sys_time<nanoseconds> before_1970{nanoseconds{-1}};
        CHECK(enc(before_1970) == enc(sys_time<microseconds>{-1us}));
        CHECK(enc(sys_time<nanoseconds>::max()) == "7fffffffffffffff");
        CHECK(dec<sys_time<nanoseconds>>("7fffffffffffffff", oid::timestamptz) ==
              sys_time<nanoseconds>::max());
        // 2300-01-01 is beyond what nanoseconds since 1970 in 64 bits hold.
        local_time<microseconds> far{local_days{2300y / January / 1}};
        bytes b;
        REQUIRE(!detail::encode_value(far, b));
        local_time<nanoseconds> ns{};
        CHECK(decode_value(byte_view(b), oid::timestamp, ns) == errc::value_out_of_range);

        CHECK(dec<sys_seconds>("fffca2fec4c81fff", oid::timestamptz) == sys_seconds{-1s});
        CHECK(dec<sys_seconds>("0002b5828f3abe94", oid::timestamptz) ==
              floor<seconds>(sys_time<microseconds>{sys_days{2024y / February / 29} + 11h + 45min +
                                                    6s + 789012us}));
        sys_seconds s = sys_days{1999y / December / 31} + 23h + 59min + 59s;
        CHECK(round_trip(s) == s);
        CHECK(enc(sys_time<minutes>{sys_days{2000y / January / 1}}) == "0000000000000000");
        CHECK(codec<sys_seconds>::name == "std::chrono::sys_time<std::chrono::seconds>");
        CHECK(codec<local_time<microseconds>>::name ==
              "std::chrono::local_time<std::chrono::microseconds>");
    }

} // TEST_SUITE
