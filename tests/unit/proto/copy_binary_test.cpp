// The binary COPY format: writing tuples, parsing streams cut anywhere, malformed input, and
// decoding tuples into rows.
#include <turbopg/wire/copy.hpp>
#include <turbopg/wire/types.hpp>

#include "support/bytes_util.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;

namespace {

const bytes signature = from_hex("50 47 43 4f 50 59 0a ff 0d 0a 00");

bytes sample_stream() {
    bytes out;
    detail::append_copy_binary_header(out);
    detail::append_copy_binary_tuple(out, std::int64_t{7}, std::string("h\xc3\xa9"),
                                     std::optional<std::int32_t>{});
    detail::append_copy_binary_tuple(out, std::int64_t{-1}, std::string(),
                                     std::optional<std::int32_t>{42});
    detail::append_copy_binary_trailer(out);
    return out;
}

// Parses `stream` fed in pieces of `step` bytes; returns each tuple's fields as hex ("-" = NULL).
std::vector<std::vector<std::string>> parse_in_steps(const bytes& stream, std::size_t step,
                                                     std::error_code& ec,
                                                     detail::copy_binary_parser& p) {
    std::vector<std::vector<std::string>> tuples;
    auto on_tuple = [&](std::span<const detail::raw_field> fields) {
        auto& t = tuples.emplace_back();
        for (auto& f : fields)
            t.push_back(f.is_null() ? "-" : to_hex(f.bytes()));
    };
    for (std::size_t at = 0; at < stream.size() && !ec; at += step)
        ec = p.feed(std::span(stream).subspan(at, std::min(step, stream.size() - at)), on_tuple);
    if (!ec) ec = p.finish();
    return tuples;
}

std::string parse_error(const bytes& stream) {
    detail::copy_binary_parser p;
    std::error_code ec;
    parse_in_steps(stream, stream.size() ? stream.size() : 1, ec, p);
    CHECK(ec == errc::invalid_value);
    return p.error_message();
}

} // namespace

TEST_CASE("binary COPY: header, tuples with NULL, trailer") {
    auto s = sample_stream();
    CHECK(to_hex(std::span(s).first(19)) == to_hex(cat({signature, be32(0), be32(0)})));
    auto tuple1 = cat({be16(3), be32(8), from_hex("00 00 00 00 00 00 00 07"), be32(3),
                       from_hex("68 c3 a9"), be32(-1)});
    CHECK(to_hex(std::span(s).subspan(19, tuple1.size())) == to_hex(tuple1));
    CHECK(to_hex(std::span(s).last(2)) == "ffff");
}

TEST_CASE("binary COPY: a stream parses the same whatever the chunk boundaries") {
    auto s = sample_stream();
    for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{18},
                             std::size_t{19}, std::size_t{23}, s.size()}) {
        CAPTURE(step);
        detail::copy_binary_parser p;
        std::error_code ec;
        auto tuples = parse_in_steps(s, step, ec, p);
        REQUIRE_FALSE(ec);
        CHECK(p.done());
        CHECK(p.tuples() == 2);
        REQUIRE(tuples.size() == 2);
        CHECK(tuples[0] == std::vector<std::string>{"0000000000000007", "68c3a9", "-"});
        CHECK(tuples[1] == std::vector<std::string>{"ffffffffffffffff", "", "0000002a"});
    }
}

TEST_CASE("binary COPY: a header extension is skipped, low flag bits ignored") {
    auto s = cat({signature, be32(0x0000ffff), be32(3), from_hex("01 02 03"), be16(1), be32(1),
                  from_hex("09"), be16(-1)});
    detail::copy_binary_parser p;
    std::error_code ec;
    auto tuples = parse_in_steps(s, 4, ec, p);
    REQUIRE_FALSE(ec);
    CHECK(tuples == std::vector<std::vector<std::string>>{{"09"}});
}

TEST_CASE("binary COPY: malformed streams are rejected with a message") {
    auto header = cat({signature, be32(0), be32(0)});
    CHECK(parse_error(str("1\tDune\n")).find("signature") != std::string::npos);
    CHECK(parse_error(bytes{}) == "the binary COPY stream is empty");
    CHECK(parse_error(cat({signature, be32(0x00010000), be32(0)})).find("flags") !=
          std::string::npos);
    CHECK(parse_error(cat({signature, be32(0), be32(-5)})).find("extension") != std::string::npos);
    CHECK(parse_error(cat({header, be16(-2)})).find("field count") != std::string::npos);
    CHECK(parse_error(cat({header, be16(1), be32(-2)})).find("negative length") !=
          std::string::npos);
    CHECK(parse_error(cat({header, be16(1), be32(4), from_hex("00")})) ==
          "the binary COPY stream ended before its trailer");
    CHECK(parse_error(header) == "the binary COPY stream ended before its trailer");
    CHECK(parse_error(cat({header, be16(-1), be16(0)})) == "data after the binary COPY trailer");
}

TEST_CASE("binary COPY: a failed parser stays failed") {
    detail::copy_binary_parser p;
    auto ignore = [](std::span<const detail::raw_field>) {};
    CHECK(p.feed(str("nope"), ignore) == errc::invalid_value);
    CHECK(p.feed(sample_stream(), ignore) == errc::invalid_value);
    CHECK(p.finish() == errc::invalid_value);
}

TEST_CASE("binary COPY: a value that cannot be encoded names its column, appends nothing") {
    bytes out = from_hex("aa");
    try {
        detail::append_copy_binary_tuple(out, std::int32_t{1}, numeric("1.2.3"));
        FAIL("expected an encode error");
    } catch (const error& e) {
        CHECK(e.code() == errc::invalid_value);
        CHECK(std::string(e.what()).find("column 2") != std::string::npos);
    }
    CHECK(to_hex(out) == "aa");
}

TEST_CASE("binary COPY: a row of sized values is written in place, as its Bind values") {
    using namespace std::chrono;
    const std::vector<std::byte> blob = from_hex("00 ff 10");
    const sys_time<microseconds> at{microseconds{1'700'000'000'123'456}};
    const std::optional<std::string> none, some = "é";
    static_assert(detail::field_sized<std::int16_t> && detail::field_sized<std::int64_t> &&
                  detail::field_sized<std::uint32_t> && detail::field_sized<float> &&
                  detail::field_sized<double> && detail::field_sized<bool> &&
                  detail::field_sized<std::string_view> && detail::field_sized<std::string> &&
                  detail::field_sized<std::optional<std::string>> &&
                  detail::field_sized<std::nullopt_t> &&
                  detail::field_sized<std::vector<std::byte>> &&
                  detail::field_sized<std::span<const std::byte>> &&
                  detail::field_sized<sys_time<microseconds>> && detail::field_sized<sys_days>);
    static_assert(!detail::field_sized<numeric>); // written value by value
    bytes out = from_hex("aa");
    detail::append_copy_binary_tuple(out, std::int16_t{-2}, std::int64_t{7}, std::uint32_t{26},
                                     1.5f, -0.25, true, std::string_view("ab"), std::string(), none,
                                     some, std::nullopt, blob, std::span<const std::byte>(blob), at,
                                     sys_days{days{1}});
    bytes want = cat({from_hex("aa"), be16(15)});
    auto param = [&](const auto& v) { CHECK_FALSE(encode_param(v, want)); };
    param(std::int16_t{-2});
    param(std::int64_t{7});
    param(std::uint32_t{26});
    param(1.5f);
    param(-0.25);
    param(true);
    param(std::string_view("ab"));
    param(std::string());
    param(none);
    param(some);
    param(std::nullopt);
    param(blob);
    param(std::span<const std::byte>(blob));
    param(at);
    param(sys_days{days{1}});
    CHECK(to_hex(out) == to_hex(want));
    CHECK(to_hex(std::span(out).subspan(3, 4)) == to_hex(be32(2)));
}

TEST_CASE("binary COPY: a sized value that cannot be encoded names its column, appends nothing") {
    using namespace std::chrono;
    bytes out = from_hex("aa");
    try {
        detail::append_copy_binary_tuple(out, std::int32_t{1}, std::string("x"),
                                         sys_days{days{-3'000'000}});
        FAIL("expected an encode error");
    } catch (const error& e) {
        CHECK(e.code() == errc::value_out_of_range);
        CHECK(std::string(e.what()).find("column 3") != std::string::npos);
    }
    CHECK(to_hex(out) == "aa");
}

namespace {
struct item {
    std::int64_t id;
    std::string name;
    std::optional<std::int32_t> qty;
};
} // namespace

TEST_CASE("binary COPY: tuples decode into structs and tuples") {
    auto s = sample_stream();
    std::vector<item> items;
    auto collect = [&](item&& i) { items.push_back(std::move(i)); };
    detail::copy_row_reader<item, decltype(collect)> reader(collect);
    reader.feed(std::span(s).first(30));
    reader.feed(std::span(s).subspan(30));
    reader.finish();
    REQUIRE(items.size() == 2);
    CHECK(items[0].id == 7);
    CHECK(items[0].name == "h\xc3\xa9");
    CHECK_FALSE(items[0].qty);
    CHECK(items[1].qty == 42);

    using row = std::tuple<std::int64_t, std::string, std::optional<std::int32_t>>;
    std::size_t n = 0;
    auto count = [&](row&& r) { n += std::get<1>(r).size(); };
    detail::copy_row_reader<row, decltype(count)> tuples(count);
    tuples.feed(s);
    tuples.finish();
    CHECK(n == 3);
}

TEST_CASE("binary COPY: a value of the wrong size or a wrong field count is a clear error") {
    auto s = sample_stream();
    auto ignore = [](auto&&) {};
    using wrong = std::tuple<std::int32_t, std::string, std::optional<std::int32_t>>;
    detail::copy_row_reader<wrong, decltype(ignore)> reader(ignore);
    try {
        reader.feed(s);
        FAIL("expected an error");
    } catch (const error& e) {
        CHECK(e.code() == errc::invalid_value);
        CHECK(std::string(e.what()).find("COPY field 1") != std::string::npos);
    }
    using narrow = std::tuple<std::int64_t, std::string>;
    detail::copy_row_reader<narrow, decltype(ignore)> narrow_reader(ignore);
    CHECK_THROWS_WITH_AS(narrow_reader.feed(s),
                         doctest::Contains("3 columns, but the row type has 2 members"), error);
    using not_null = std::tuple<std::int64_t, std::string, std::int32_t>;
    detail::copy_row_reader<not_null, decltype(ignore)> null_reader(ignore);
    CHECK_THROWS_AS(null_reader.feed(s), error);
}
