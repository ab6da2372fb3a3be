// Every built-in type round-tripped through the server: for each case the C++ value is sent as a
// parameter and read back as the same type, the server's own text form of what we sent
// (`$1::type::text`) is compared with the expected literal, and that literal parsed by the server
// is decoded into C++ (binary, and through the simple query protocol's text format where the
// codec reads text). NULLs, extremes, NaN and infinities, unicode, empty and NULL-bearing arrays.
#include "support/server.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono;

namespace {

// Settings that make the server's text output deterministic.
awaitable<connection> connect_types() {
    auto c = co_await connection::connect(co_await asio::this_coro::executor, test_url());
    co_await c.execute("set timezone = 'UTC'");
    co_await c.execute("set datestyle = 'ISO, MDY'");
    co_await c.execute("set intervalstyle = 'postgres'");
    co_await c.execute("set extra_float_digits = 1");
    co_await c.execute("set bytea_output = 'hex'");
    co_return c;
}

// A SQL string literal (standard_conforming_strings is on).
std::string quote(std::string_view s) {
    std::string out = "'";
    for (char ch : s) {
        if (ch == '\'') out += '\'';
        out += ch;
    }
    return out + "'";
}

// Equality that tells NaN and -0 apart as the server does, element-wise for arrays.
template <class T>
bool same(const T& a, const T& b);
bool same(double a, double b);
bool same(float a, float b);
template <class T>
bool same(const std::optional<T>& a, const std::optional<T>& b);
template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b);

template <class T>
bool same(const T& a, const T& b) {
    return a == b;
}
bool same(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
}
bool same(float a, float b) {
    return same(static_cast<double>(a), static_cast<double>(b));
}
template <class T>
bool same(const std::optional<T>& a, const std::optional<T>& b) {
    if (!a || !b) return !a && !b;
    return same(*a, *b);
}
template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

// One case: `sent` is bound as $1; reading it back gives `back`; the server prints it as `text`;
// the server parses `literal` (the text when empty) into `back` too.
template <class T>
struct tcase {
    T sent;
    std::string text;
    std::optional<T> back = std::nullopt;
    std::optional<std::string> literal = std::nullopt;
};

template <class T>
awaitable<void> check_case(connection& c, const std::string& type, const tcase<T>& tc) {
    const T& back = tc.back ? *tc.back : tc.sent;
    const std::string literal = tc.literal ? *tc.literal : tc.text;
    const std::string what = type + " case " + quote(tc.text);

    // (1) parameter in, same C++ type out.
    const std::string echo = "select $1::" + type;
    try {
        auto got = co_await c.query_value<T>(echo, tc.sent);
        CHECK_MESSAGE(same(got, back), what << ": value read back differs");
    } catch (const error& e) {
        FAIL_CHECK(what << ": round trip threw: " << e.what());
    }

    // (2) the server's text form of what we sent.
    const std::string as_text = "select $1::" + type + "::text";
    try {
        auto got = co_await c.query_value<std::optional<std::string>>(as_text, tc.sent);
        CHECK_MESSAGE(got == std::optional<std::string>(tc.text),
                      what << ": server prints " << (got ? quote(*got) : "NULL"));
    } catch (const error& e) {
        FAIL_CHECK(what << ": ::text threw: " << e.what());
    }

    // (3) the server's literal decoded into C++ (binary format).
    const std::string from_literal = "select " + quote(literal) + "::" + type;
    try {
        auto got = co_await c.query_value<T>(from_literal);
        CHECK_MESSAGE(same(got, back), what << ": literal " << quote(literal) << " decodes wrong");
    } catch (const error& e) {
        FAIL_CHECK(what << ": literal " << quote(literal) << " threw: " << e.what());
    }

    // (3b) the same in text format, through the simple query protocol.
    if constexpr (text_decodable<T>) {
        try {
            auto results = co_await c.simple_query(from_literal);
            REQUIRE(results.size() == 1);
            REQUIRE(results[0].size() == 1);
            auto got = results[0][0].template get<T>(0);
            CHECK_MESSAGE(same(got, back),
                          what << ": literal " << quote(literal) << " decodes wrong from text");
        } catch (const error& e) {
            FAIL_CHECK(what << ": literal " << quote(literal) << " from text threw: " << e.what());
        }
    }
}

template <class T>
awaitable<void> check_cases(connection& c, const std::string& type,
                            const std::vector<tcase<T>>& cases) {
    for (const auto& tc : cases)
        co_await check_case(c, type, tc);
}

// A NULL of C++ type std::optional<T> in and out as `type`.
template <class T>
awaitable<void> check_null(connection& c, const std::string& type) {
    const std::string what = "NULL::" + type;
    const std::string echo = "select $1::" + type;
    const std::string is_null = "select $1::" + type + " is null";
    const std::string literal = "select null::" + type;
    try {
        auto got = co_await c.query_value<std::optional<T>>(echo, std::optional<T>{});
        CHECK_MESSAGE(!got, what << ": round trip gave a value");
        CHECK_MESSAGE(co_await c.query_value<bool>(is_null, std::optional<T>{}),
                      what << ": the server did not see a NULL");
        auto lit = co_await c.query_value<std::optional<T>>(literal);
        CHECK_MESSAGE(!lit, what << ": null literal gave a value");
    } catch (const error& e) {
        FAIL_CHECK(what << " threw: " << e.what());
    }
}

template <class T>
using lim = std::numeric_limits<T>;

local_time<microseconds> local_ts(year_month_day d, microseconds since_midnight = {}) {
    return local_days{d} + since_midnight;
}
sys_time<microseconds> sys_ts(year_month_day d, microseconds since_midnight = {}) {
    return sys_days{d} + since_midnight;
}
constexpr microseconds hms(int h, int m, int s, int us = 0) {
    return hours{h} + minutes{m} + seconds{s} + microseconds{us};
}

std::vector<std::byte> all_bytes() {
    std::vector<std::byte> v;
    for (int i = 0; i < 256; ++i)
        v.push_back(static_cast<std::byte>(i));
    return v;
}
std::string all_bytes_hex() {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "\\x";
    for (int i = 0; i < 256; ++i) {
        s += digits[i / 16];
        s += digits[i % 16];
    }
    return s;
}

uuid parse_uuid(std::string_view s) {
    auto u = uuid::parse(s);
    REQUIRE(u);
    return *u;
}

} // namespace

TEST_CASE("types: bool and integers (int2, int4, int8, oid)") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        {
            const std::vector<tcase<bool>> cases = {{true, "true"},
                                                    {false, "false"},
                                                    {true, "true", std::nullopt, "yes"},
                                                    {false, "false", std::nullopt, "off"}};
            co_await check_cases<bool>(c, "bool", cases);
        }
        {
            const std::vector<tcase<std::int16_t>> cases = {{lim<std::int16_t>::min(), "-32768"},
                                                            {lim<std::int16_t>::max(), "32767"},
                                                            {0, "0"},
                                                            {-1, "-1"}};
            co_await check_cases<std::int16_t>(c, "int2", cases);
        }
        {
            const std::vector<tcase<std::int32_t>> cases = {
                {lim<std::int32_t>::min(), "-2147483648"},
                {lim<std::int32_t>::max(), "2147483647"},
                {0, "0"},
                {-1, "-1"},
                {42, "42", std::nullopt, " +42 "}};
            co_await check_cases<std::int32_t>(c, "int4", cases);
        }
        {
            const std::vector<tcase<std::int64_t>> cases = {
                {lim<std::int64_t>::min(), "-9223372036854775808"},
                {lim<std::int64_t>::max(), "9223372036854775807"},
                {0, "0"},
                {-1, "-1"}};
            co_await check_cases<std::int64_t>(c, "int8", cases);
        }
        {
            const std::vector<tcase<std::uint32_t>> cases = {
                {0, "0"}, {12345, "12345"}, {lim<std::uint32_t>::max(), "4294967295"}};
            co_await check_cases<std::uint32_t>(c, "oid", cases);
        }
        // Reading widens: int2 and int4 columns into std::int64_t.
        CHECK(co_await c.query_value<std::int64_t>("select (-32768)::int2") == -32768);
        CHECK(co_await c.query_value<std::int64_t>("select (-2147483648)::int4") == -2147483648);
        co_await c.close();
    });
}

TEST_CASE("types: float4 and float8 incl. NaN, infinities, -0, extremes") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        const float fnan = lim<float>::quiet_NaN(), finf = lim<float>::infinity();
        {
            const std::vector<tcase<float>> cases = {{0.0f, "0"},
                                                     {-0.0f, "-0"},
                                                     {1.5f, "1.5"},
                                                     {0.1f, "0.1"},
                                                     {lim<float>::max(), "3.4028235e+38"},
                                                     {lim<float>::lowest(), "-3.4028235e+38"},
                                                     {lim<float>::min(), "1.1754944e-38"},
                                                     {lim<float>::denorm_min(), "1e-45"},
                                                     {fnan, "NaN"},
                                                     {finf, "Infinity"},
                                                     {-finf, "-Infinity"},
                                                     {finf, "Infinity", std::nullopt, "inf"}};
            co_await check_cases<float>(c, "float4", cases);
        }
        const double dnan = lim<double>::quiet_NaN(), dinf = lim<double>::infinity();
        {
            const std::vector<tcase<double>> cases = {
                {0.0, "0"},
                {-0.0, "-0"},
                {0.1, "0.1"},
                {123456789.125, "123456789.125"},
                {1e-300, "1e-300"},
                {-1e300, "-1e+300"},
                {lim<double>::max(), "1.7976931348623157e+308"},
                {lim<double>::lowest(), "-1.7976931348623157e+308"},
                {lim<double>::denorm_min(), "5e-324"},
                {dnan, "NaN"},
                {dinf, "Infinity"},
                {-dinf, "-Infinity"},
                {-dinf, "-Infinity", std::nullopt, "-inf"},
                {1e-300, "1e-300", std::nullopt, "1E-300"}};
            co_await check_cases<double>(c, "float8", cases);
        }
        // double reads float4 columns too.
        CHECK(co_await c.query_value<double>("select 1.5::float4") == 1.5);
        CHECK(std::isnan(co_await c.query_value<double>("select 'NaN'::float4")));
        co_await c.close();
    });
}

TEST_CASE("types: numeric incl. NaN, infinities, exponents, scale, huge and tiny") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        const std::string googol = "1" + std::string(100, '0');
        {
            const std::vector<tcase<numeric>> cases = {
                {numeric("0"), "0"},
                {numeric("0.0001"), "0.0001"},
                {numeric("-12345678901234567890.123456789"), "-12345678901234567890.123456789"},
                {numeric("1e100"), googol, numeric(googol), "1e100"},
                {numeric("NaN"), "NaN"},
                {numeric("Infinity"), "Infinity"},
                {numeric("-Infinity"), "-Infinity"},
                {numeric("inf"), "Infinity", numeric("Infinity"), "inf"},
                {numeric("1.500"), "1.500"},
                {numeric("-0.000"), "0.000", numeric("0.000"), "-0.000"},
                {numeric("1.5e-3"), "0.0015", numeric("0.0015"), "1.5e-3"},
                {numeric("0.00000000000000000001"), "0.00000000000000000001"},
                {numeric("9999.9999"), "9999.9999"},
                {numeric("10000"), "10000"},
                {numeric("100000000"), "100000000"},
                {numeric("-0.00001"), "-0.00001"},
                {numeric("123456789012345678901234567890.000000000000000000001"),
                 "123456789012345678901234567890.000000000000000000001"},
                {numeric(std::int64_t{-9223372036854775807 - 1}), "-9223372036854775808"}};
            co_await check_cases<numeric>(c, "numeric", cases);
        }
        // A typmod rounds on the server.
        CHECK(co_await c.query_value<numeric>("select $1::numeric(5,2)", numeric("123.455")) ==
              numeric("123.46"));
        co_await c.close();
    });
}

TEST_CASE("types: text, varchar, bpchar, name: empty, unicode, control characters, padding") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        const std::string unicode = "ÄÖÜ €, 日本語, emoji 😀";
        const std::string tricky = "tab\there\nnew line\r\n\"double\" 'single' back\\slash {,}";
        const std::array<std::string, 2> text_types{"text", "varchar"};
        for (const auto& type : text_types) {
            const std::vector<tcase<std::string>> cases = {{"", ""},
                                                           {unicode, unicode},
                                                           {tricky, tricky},
                                                           {"NULL", "NULL"},
                                                           {"  spaces  ", "  spaces  "}};
            co_await check_cases<std::string>(c, type, cases);
        }
        // An explicit cast to varchar(n) / char(n) truncates; char(n) pads with spaces, which
        // its text form drops again.
        {
            const std::vector<tcase<std::string>> cases = {{"abcdef", "abc", "abc"},
                                                           {"日本語!", "日本語", "日本語"}};
            co_await check_cases<std::string>(c, "varchar(3)", cases);
        }
        {
            const std::vector<tcase<std::string>> cases = {{"ab", "ab", "ab   "},
                                                           {"", "", "     "},
                                                           {"ÄÖ", "ÄÖ", "ÄÖ   "},
                                                           {"abcdefg", "abcde", "abcde"},
                                                           {"a\tb", "a\tb", "a\tb  "}};
            co_await check_cases<std::string>(c, "char(5)", cases);
        }
        const std::string long_name(70, 'x');
        {
            const std::vector<tcase<std::string>> cases = {
                {"pg_class", "pg_class"},
                {"", ""},
                {unicode, unicode},
                {long_name, std::string(63, 'x'), std::string(63, 'x')}};
            co_await check_cases<std::string>(c, "name", cases);
        }
        // std::string_view reads the same, pointing into the row.
        auto r = co_await c.query("select $1::text", unicode);
        CHECK(r[0].get<std::string_view>(0) == unicode);
        co_await c.close();
    });
}

TEST_CASE("types: \"char\" incl. NUL and high bytes") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        {
            const std::vector<tcase<char>> cases = {{'a', "a"},
                                                    {'Z', "Z"},
                                                    {' ', " "},
                                                    {'\\', "\\"},
                                                    {'\0', ""},
                                                    {static_cast<char>(0xE9), "\\351"},
                                                    {static_cast<char>(0x80), "\\200"},
                                                    {static_cast<char>(0xFF), "\\377"}};
            co_await check_cases<char>(c, "\"char\"", cases);
        }
        co_await c.close();
    });
}

TEST_CASE("types: bytea: empty, all 256 byte values") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        {
            const std::vector<tcase<std::vector<std::byte>>> cases = {
                {{}, "\\x"},
                {{std::byte{0xde}, std::byte{0xad}, std::byte{0xbe}, std::byte{0xef}},
                 "\\xdeadbeef"},
                {all_bytes(), all_bytes_hex()},
                {{std::byte{0}}, "\\x00", std::nullopt, "\\000"}};
            co_await check_cases<std::vector<std::byte>>(c, "bytea", cases);
        }
        co_await c.close();
    });
}

TEST_CASE("types: bytea in text format with bytea_output = escape") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        co_await c.execute("set bytea_output = 'escape'");
        // Every byte value, read from the simple query protocol's text rows: the escape form
        // doubles a backslash and prints the bytes outside 0x20-0x7e as \ooo.
        auto results = co_await c.simple_query("select $$" + all_bytes_hex() +
                                               "$$::bytea, 'a\\\\'::bytea::text");
        REQUIRE(results.size() == 1);
        REQUIRE(results[0].size() == 1);
        const auto& row = results[0][0];
        CHECK(row.get<std::vector<std::byte>>(0) == all_bytes());
        CHECK(row.get<std::string>(1) == "a\\\\");
        co_await c.close();
    });
}

TEST_CASE("types: uuid") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        const auto u = parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        {
            const std::vector<tcase<uuid>> cases = {
                {u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
                {uuid{}, "00000000-0000-0000-0000-000000000000"},
                {parse_uuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"),
                 "ffffffff-ffff-ffff-ffff-ffffffffffff"},
                {u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", std::nullopt,
                 "{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}"}};
            co_await check_cases<uuid>(c, "uuid", cases);
        }
        CHECK(u.to_string() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        co_await c.close();
    });
}

TEST_CASE("types: date incl. infinities and the ends of the range") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        // PostgreSQL's first date is Julian day 0, 4714-11-24 BC: proleptic Gregorian year -4713.
        const sys_days first{year{-4713} / November / 24};
        const sys_days last{days{2145031949 + 10957 - 1}}; // 5874897-12-31
        {
            const std::vector<tcase<sys_days>> cases = {
                {sys_days{year{2000} / 1 / 1}, "2000-01-01"},
                {sys_days{year{1999} / 12 / 31}, "1999-12-31"},
                {sys_days{year{1970} / 1 / 1}, "1970-01-01"},
                {sys_days{year{2024} / 2 / 29}, "2024-02-29"},
                {sys_days{year{0} / 12 / 31}, "0001-12-31 BC"},
                {first, "4714-11-24 BC"},
                {last, "5874897-12-31"},
                {sys_days::max(), "infinity"},
                {sys_days::min(), "-infinity"}};
            co_await check_cases<sys_days>(c, "date", cases);
        }
        {
            const std::vector<tcase<year_month_day>> cases = {
                {year{2000} / 1 / 1, "2000-01-01"},
                {year{1} / 1 / 1, "0001-01-01"},
                {year{-4713} / 11 / 24, "4714-11-24 BC"}};
            co_await check_cases<year_month_day>(c, "date", cases);
        }
        co_await c.close();
    });
}

TEST_CASE("types: time") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        {
            const std::vector<tcase<time_of_day>> cases = {
                {time_of_day{}, "00:00:00"},
                {time_of_day{hms(23, 59, 59, 999999)}, "23:59:59.999999"},
                {time_of_day{hms(12, 34, 56, 500000)}, "12:34:56.5"},
                {time_of_day{hms(0, 0, 0, 1)}, "00:00:00.000001"},
                {time_of_day{hms(24, 0, 0)}, "24:00:00"},
                {time_of_day{hms(1, 2, 3)}, "01:02:03", std::nullopt, "1:2:3"}};
            co_await check_cases<time_of_day>(c, "time", cases);
        }
        co_await c.close();
    });
}

TEST_CASE("types: timestamp incl. microseconds, pre-2000, BC, infinities") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        using lt = local_time<microseconds>;
        {
            const std::vector<tcase<lt>> cases = {
                {local_ts(year{2000} / 1 / 1), "2000-01-01 00:00:00"},
                {local_ts(year{1999} / 12 / 31, hms(23, 59, 59, 999999)),
                 "1999-12-31 23:59:59.999999"},
                {local_ts(year{1970} / 1 / 1, hms(0, 0, 0, 1)), "1970-01-01 00:00:00.000001"},
                {local_ts(year{1969} / 12 / 31, hms(23, 59, 59, 999999)),
                 "1969-12-31 23:59:59.999999"},
                {local_ts(year{1900} / 2 / 28, hms(12, 0, 0, 500000)), "1900-02-28 12:00:00.5"},
                {local_ts(year{2038} / 1 / 19, hms(3, 14, 8)), "2038-01-19 03:14:08"},
                {local_ts(year{-4713} / 11 / 24), "4714-11-24 00:00:00 BC"},
                // The latest instant int64 microseconds since 1970 holds below max() (= infinity).
                {lt::max() - microseconds{1}, "294247-01-10 04:00:54.775806"},
                {lt::max(), "infinity"},
                {lt::min(), "-infinity"}};
            co_await check_cases<lt>(c, "timestamp", cases);
        }
        // PostgreSQL's last timestamp is past what int64 microseconds since 1970 can hold.
        try {
            co_await c.query_value<lt>("select '294276-12-31 23:59:59.999999'::timestamp");
            FAIL_CHECK("expected value_out_of_range");
        } catch (const error& e) {
            CHECK(e.code() == errc::value_out_of_range);
        }
        // A coarser duration is floored when decoding.
        CHECK(co_await c.query_value<local_seconds>("select '1969-12-31 23:59:59.5'::timestamp") ==
              local_days{year{1969} / 12 / 31} + hours{23} + minutes{59} + seconds{59});
        co_await c.close();
    });
}

TEST_CASE("types: timestamptz in UTC and another zone, infinities, sub-microsecond flooring") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        using st = sys_time<microseconds>;
        {
            const std::vector<tcase<st>> cases = {
                {sys_ts(year{2000} / 1 / 1), "2000-01-01 00:00:00+00"},
                {sys_ts(year{1999} / 12 / 31, hms(23, 59, 59, 999999)),
                 "1999-12-31 23:59:59.999999+00"},
                {st{}, "1970-01-01 00:00:00+00"},
                {sys_ts(year{1900} / 2 / 28, hms(12, 0, 0, 1)), "1900-02-28 12:00:00.000001+00"},
                {sys_ts(year{-4713} / 11 / 24), "4714-11-24 00:00:00+00 BC"},
                {sys_ts(year{2024} / 6 / 1, hms(12, 0, 0)), "2024-06-01 12:00:00+00", std::nullopt,
                 "2024-06-01 14:00:00+02"},
                {st::max(), "infinity"},
                {st::min(), "-infinity"}};
            co_await check_cases<st>(c, "timestamptz", cases);
        }
        // system_clock::time_point (nanoseconds) is floored to microseconds when encoding.
        using ns_tp = sys_time<nanoseconds>;
        CHECK(co_await c.query_value<std::string>("select $1::timestamptz::text",
                                                  ns_tp{nanoseconds{1999}}) ==
              "1970-01-01 00:00:00.000001+00");
        CHECK(co_await c.query_value<std::string>("select $1::timestamptz::text",
                                                  ns_tp{nanoseconds{-1}}) ==
              "1969-12-31 23:59:59.999999+00");
        // Another session zone changes the text, never the instant.
        co_await c.execute("set timezone = 'Asia/Kolkata'");
        const st noon = sys_ts(year{2024} / 6 / 1, hms(12, 0, 0));
        CHECK(co_await c.query_value<std::string>("select $1::timestamptz::text", noon) ==
              "2024-06-01 17:30:00+05:30");
        CHECK(co_await c.query_value<st>("select $1::timestamptz", noon) == noon);
        CHECK(co_await c.query_value<st>("select '2024-06-01 17:30:00+05:30'::timestamptz") ==
              noon);
        co_await c.close();
    });
}

TEST_CASE("types: interval: months, days, microseconds, mixed signs, extremes") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        {
            const std::vector<tcase<interval>> cases = {
                {interval{}, "00:00:00"},
                {interval{12, 0, 0}, "1 year"},
                {interval{14, 3, hms(4, 5, 6, 789000).count()},
                 "1 year 2 mons 3 days 04:05:06.789"},
                {interval{-1, -2, -hms(1, 0, 0).count()}, "-1 mons -2 days -01:00:00"},
                {interval{1, -1, 1}, "1 mon -1 days +00:00:00.000001"},
                {interval{0, 0, -1}, "-00:00:00.000001"},
                {interval{0, 45, 0}, "45 days"},
                {interval{0, 0, hms(100, 0, 0).count()}, "100:00:00"},
                {interval{lim<std::int32_t>::max(), lim<std::int32_t>::max(),
                          lim<std::int64_t>::max()},
                 "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807"},
                {interval{0, 1, 0}, "1 day", std::nullopt, "P1D"},
                {interval{0, 0, hms(0, 1, 30).count()}, "00:01:30", std::nullopt, "90 seconds"}};
            co_await check_cases<interval>(c, "interval", cases);
        }
        co_await c.close();
    });
}

TEST_CASE("types: json and jsonb") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        // json keeps the text exactly as sent.
        const std::string doc = R"({"b": [1, 2.50, null],   "a": "ü \n 😀", "a": 1})";
        {
            const std::vector<tcase<json>> cases = {{json{doc}, doc},
                                                    {json{"[]"}, "[]"},
                                                    {json{"null"}, "null"},
                                                    {json{"\"x\""}, "\"x\""}};
            co_await check_cases<json>(c, "json", cases);
        }
        // jsonb normalises: spacing, key order (shorter first), duplicate keys (last wins).
        const std::string norm = R"({"a": 1, "b": [1, 2.50, null]})";
        {
            const std::vector<tcase<jsonb>> cases = {
                {jsonb{doc}, norm, jsonb{norm}, doc},
                {jsonb{R"({"bb":1,"a":{"y":true,"x":"😀"}})"},
                 R"({"a": {"x": "😀", "y": true}, "bb": 1})",
                 jsonb{R"({"a": {"x": "😀", "y": true}, "bb": 1})"}},
                {jsonb{"[]"}, "[]"},
                {jsonb{"null"}, "null"},
                {jsonb{"1e2"}, "100", jsonb{"100"}}};
            co_await check_cases<jsonb>(c, "jsonb", cases);
        }
        // Each reads the other, and std::string reads both.
        const jsonb k1{R"({"k":1})"};
        const json k1_norm{R"({"k": 1})"};
        CHECK(co_await c.query_value<json>("select $1::jsonb", k1) == k1_norm);
        CHECK(co_await c.query_value<std::string>("select '{\"k\":1}'::jsonb") == R"({"k": 1})");
        co_await c.close();
    });
}

TEST_CASE("types: arrays: NULL elements, quoting, 2-D, empty, NaN") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        using oi = std::optional<std::int32_t>;
        {
            const std::vector<tcase<std::vector<oi>>> cases = {
                {{1, std::nullopt, lim<std::int32_t>::min(), lim<std::int32_t>::max()},
                 "{1,NULL,-2147483648,2147483647}"},
                {{std::nullopt}, "{NULL}"},
                {{}, "{}"}};
            co_await check_cases<std::vector<oi>>(c, "int4[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::int32_t>>> cases = {
                {{1, 2, 3}, "{1,2,3}"}, {{}, "{}"}, {{7, 8}, "{7,8}", std::nullopt, "[0:1]={7,8}"}};
            co_await check_cases<std::vector<std::int32_t>>(c, "int4[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::string>>> cases = {
                {{"a\"b", "c,d", "NULL", "", " x ", "back\\slash", "{}", "ÄÖÜ 😀"},
                 R"({"a\"b","c,d","NULL",""," x ","back\\slash","{}","ÄÖÜ 😀"})"},
                {{"plain"}, "{plain}"},
                {{}, "{}"}};
            co_await check_cases<std::vector<std::string>>(c, "text[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::optional<std::string>>>> cases = {
                {{"NULL", std::nullopt, "null"}, R"({"NULL",NULL,"null"})"}};
            co_await check_cases<std::vector<std::optional<std::string>>>(c, "text[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::vector<std::int64_t>>>> cases = {
                {{{1, 2, 3}, {4, 5, lim<std::int64_t>::min()}},
                 "{{1,2,3},{4,5,-9223372036854775808}}"},
                {{}, "{}"},
                {{{1}}, "{{1}}"}};
            co_await check_cases<std::vector<std::vector<std::int64_t>>>(c, "int8[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::vector<std::optional<std::int16_t>>>>> cases =
                {{{{std::nullopt, 1}, {2, std::nullopt}}, "{{NULL,1},{2,NULL}}"}};
            co_await check_cases<std::vector<std::vector<std::optional<std::int16_t>>>>(c, "int2[]",
                                                                                        cases);
        }
        const double inf = lim<double>::infinity();
        {
            const std::vector<tcase<std::vector<double>>> cases = {
                {{lim<double>::quiet_NaN(), inf, -inf, -0.0, 1e-300},
                 "{NaN,Infinity,-Infinity,-0,1e-300}"},
                {{}, "{}"}};
            co_await check_cases<std::vector<double>>(c, "float8[]", cases);
        }
        {
            const std::vector<tcase<std::vector<numeric>>> cases = {
                {{numeric("1.500"), numeric("NaN"), numeric("-1e-3")},
                 "{1.500,NaN,-0.001}",
                 std::vector<numeric>{numeric("1.500"), numeric("NaN"), numeric("-0.001")}}};
            co_await check_cases<std::vector<numeric>>(c, "numeric[]", cases);
        }
        {
            const std::vector<tcase<std::vector<bool>>> cases = {{{true, false, true}, "{t,f,t}"}};
            co_await check_cases<std::vector<bool>>(c, "bool[]", cases);
        }
        {
            const std::vector<tcase<std::vector<sys_days>>> cases = {
                {{sys_days{year{2000} / 1 / 1}, sys_days::max()}, "{2000-01-01,infinity}"}};
            co_await check_cases<std::vector<sys_days>>(c, "date[]", cases);
        }
        {
            const std::vector<tcase<std::vector<uuid>>> cases = {
                {{uuid{}}, "{00000000-0000-0000-0000-000000000000}"}};
            co_await check_cases<std::vector<uuid>>(c, "uuid[]", cases);
        }
        {
            const std::vector<tcase<std::vector<std::vector<std::byte>>>> cases = {
                {{{}, {std::byte{1}, std::byte{0xff}}}, R"({"\\x","\\x01ff"})"}};
            co_await check_cases<std::vector<std::vector<std::byte>>>(c, "bytea[]", cases);
        }
        // A 2-D '{}' is empty at any nesting.
        CHECK(
            (co_await c.query_value<std::vector<std::vector<std::int64_t>>>("select '{}'::int8[]"))
                .empty());
        co_await c.close();
    });
}

TEST_CASE("types: NULL in and out through std::optional") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        co_await check_null<bool>(c, "bool");
        co_await check_null<std::int16_t>(c, "int2");
        co_await check_null<std::int32_t>(c, "int4");
        co_await check_null<std::int64_t>(c, "int8");
        co_await check_null<double>(c, "float8");
        co_await check_null<numeric>(c, "numeric");
        co_await check_null<std::string>(c, "text");
        co_await check_null<std::vector<std::byte>>(c, "bytea");
        co_await check_null<uuid>(c, "uuid");
        co_await check_null<sys_days>(c, "date");
        co_await check_null<time_of_day>(c, "time");
        co_await check_null<local_time<microseconds>>(c, "timestamp");
        co_await check_null<sys_time<microseconds>>(c, "timestamptz");
        co_await check_null<interval>(c, "interval");
        co_await check_null<json>(c, "json");
        co_await check_null<jsonb>(c, "jsonb");
        co_await check_null<std::vector<std::int32_t>>(c, "int4[]");
        // std::nullopt itself: a NULL of a type the server infers.
        CHECK_FALSE(
            co_await c.query_value<std::optional<std::int32_t>>("select $1::int4", std::nullopt));
        // A present optional is sent as its value.
        CHECK(co_await c.query_value<std::optional<std::int32_t>>(
                  "select $1::int4", std::optional<std::int32_t>{7}) == 7);
        co_await c.close();
    });
}

TEST_CASE("types: decoding errors name the column and both types") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        auto expect = [&](const char* sql, errc code,
                          const std::vector<std::string>& parts) -> awaitable<void> {
            try {
                co_await c.query_value<std::int32_t>(sql);
                FAIL_CHECK(sql << ": expected an error");
            } catch (const error& e) {
                CHECK_MESSAGE(e.code() == code, sql << ": " << e.what());
                for (auto& p : parts)
                    CHECK_MESSAGE(std::string(e.what()).find(p) != std::string::npos,
                                  sql << ": '" << e.what() << "' lacks " << p);
            }
        };
        {
            const std::vector<std::string> parts1{"\"t\"", "text", "std::int32_t"};
            co_await expect("select 'x'::text as t", errc::type_mismatch, parts1);
        }
        {
            const std::vector<std::string> parts2{"\"wide\"", "int8", "std::int32_t"};
            co_await expect("select 1::int8 as wide", errc::type_mismatch, parts2);
        } // never narrows
        {
            const std::vector<std::string> parts3{"\"n\"", "numeric", "std::int32_t"};
            co_await expect("select 1.5::numeric as n", errc::type_mismatch, parts3);
        }
        {
            const std::vector<std::string> parts4{"\"a\"", "int4[]", "std::int32_t"};
            co_await expect("select '{1}'::int4[] as a", errc::type_mismatch, parts4);
        }
        {
            const std::vector<std::string> parts5{"\"nothing\"", "int4", "std::int32_t"};
            co_await expect("select null::int4 as nothing", errc::unexpected_null, parts5);
        }
        // The column type is checked before NULL-ness.
        {
            const std::vector<std::string> parts6{"\"t\"", "text"};
            co_await expect("select null::text as t", errc::type_mismatch, parts6);
        }
        try {
            co_await c.query_value<std::string>("select 1::int4 as n");
            FAIL_CHECK("expected a type mismatch");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
            CHECK(std::string(e.what()).find("std::string") != std::string::npos);
        }
        try {
            co_await c.query_value<std::vector<std::int32_t>>("select '{1,NULL}'::int4[] as a");
            FAIL_CHECK("expected unexpected_null");
        } catch (const error& e) {
            CHECK(e.code() == errc::unexpected_null);
            CHECK(std::string(e.what()).find("\"a\"") != std::string::npos);
        }
        try {
            co_await c.query_value<std::vector<std::int32_t>>("select '{{1},{2}}'::int4[] as a");
            FAIL_CHECK("expected a dimension mismatch");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
        }
        try {
            co_await c.query_value<std::int32_t>("select $1::numeric", numeric("1.2.3"));
            FAIL_CHECK("expected an encode error");
        } catch (const error& e) {
            CHECK(e.code() == errc::invalid_value);
            CHECK(std::string(e.what()).find("$1") != std::string::npos);
        }
        // The connection is still usable.
        CHECK(co_await c.query_value<std::int32_t>("select 1") == 1);
        co_await c.close();
    });
}

TEST_CASE("types: ranges, multiranges, enums, inet and domains: read as text, bound from strings") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_types();
        co_await c.execute("create type pg_temp.tp_mood as enum ('sad', 'happy')");
        co_await c.execute("create domain pg_temp.tp_posint as int4 check (value > 0)");
        auto r = co_await c.query(
            "select int4range(1, 10), tstzrange('-infinity', 'infinity'), numrange(null, 2.5, "
            "'(]'), 'empty'::int8range, '{[1,3),[5,7)}'::int4multirange, "
            "'192.168.0.1/24'::inet, 'happy'::pg_temp.tp_mood, array['sad', "
            "'happy']::pg_temp.tp_mood[], array[int4range(1, 2), null], 5::pg_temp.tp_posint");
        REQUIRE(r.size() == 1);
        CHECK(r[0].get<std::string>(0) == "[1,10)");
        CHECK(r[0].get<std::string>(1) == "[-infinity,infinity)");
        CHECK(r[0].get<std::string>(2) == "(,2.5]");
        CHECK(r[0].get<std::string>(3) == "empty");
        CHECK(r[0].get<std::string>(4) == "{[1,3),[5,7)}");
        CHECK(r[0].get<std::string>(5) == "192.168.0.1/24");
        CHECK(r[0].get<std::string>(6) == "happy");
        CHECK(r[0].get<std::string>(7) == "{sad,happy}");
        CHECK(r[0].get<std::string>(8) == "{\"[1,2)\",NULL}");
        // A domain's column is described as its base type: read by the base type's codec.
        CHECK(r[0].get<std::int32_t>(9) == 5);
        CHECK_FALSE(co_await c.query_value<std::optional<std::string>>("select null::int4range"));

        // Strings are bound untyped: the server reads them as the column's type.
        co_await c.execute("create temp table tp_other (r int4range, m pg_temp.tp_mood, "
                           "d pg_temp.tp_posint, a inet)");
        CHECK(co_await c.execute("insert into tp_other values ($1, $2, $3, $4)", "[2,4]", "sad",
                                 std::int32_t{3}, "::1") == 1);
        auto [range, mood, positive, address] =
            co_await c.query_one<std::tuple<std::string, std::string, std::int32_t, std::string>>(
                "select r, m, d, a from tp_other");
        CHECK(range == "[2,5)");
        CHECK(mood == "sad");
        CHECK(positive == 3);
        CHECK(address == "::1");
        CHECK(co_await c.query_value<bool>("select r @> $1::int4 from tp_other", std::int32_t{4}));
        try {
            co_await c.execute("insert into tp_other (m) values ($1)", "angry");
            FAIL_CHECK("expected an invalid enum value");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "22P02");
        }
        try {
            co_await c.execute("insert into tp_other (d) values ($1)", std::int32_t{-1});
            FAIL_CHECK("expected the domain's check to fail");
        } catch (const error& e) {
            REQUIRE(e.diagnostics());
            CHECK(e.sqlstate() == "23514");
            CHECK(e.diagnostics()->data_type_name == "tp_posint");
            CHECK(e.diagnostics()->constraint_name == "tp_posint_check");
        }
        co_await c.close();
    });
}
