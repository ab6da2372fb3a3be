// Rows printed as `psql -A -t -F '<TAB>'` prints them.
#include "../../../tools/unaligned.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire;
using turbopg::tools::append_unaligned;

namespace {

using text_row = std::vector<std::optional<std::string>>;

// A simple-query result with text columns `names` and `rows` (std::nullopt = NULL).
result make_result(const std::vector<std::string>& names, const std::vector<text_row>& rows) {
    result_builder b;
    std::vector<column_description> cols;
    for (const auto& n : names)
        cols.push_back({n, 0, 0, 25, -1, -1, 0});
    b.on_row_description(std::move(cols));
    for (const auto& r : rows) {
        std::vector<detail::raw_field> fields;
        for (const auto& v : r) {
            if (v)
                fields.push_back({reinterpret_cast<const std::byte*>(v->data()),
                                  static_cast<std::int32_t>(v->size())});
            else
                fields.push_back({});
        }
        REQUIRE_FALSE(b.on_data_row(fields));
    }
    b.on_command_complete("SELECT " + std::to_string(rows.size()));
    REQUIRE(b.results().size() == 1);
    return std::move(b.results().front());
}

std::string print(const result& r) {
    std::string out;
    append_unaligned(out, r);
    return out;
}

} // namespace

TEST_CASE("unaligned: one line per row, tab between columns") {
    auto r = make_result({"a", "b", "c"}, {{"1", "x", "2.50"}, {"2", "y", "-3"}});
    CHECK(print(r) == "1\tx\t2.50\n2\ty\t-3\n");
}

TEST_CASE("unaligned: NULL is an empty string, unlike the empty string it cannot be seen") {
    auto r =
        make_result({"a", "b", "c"}, {{std::nullopt, "", std::nullopt}, {"", std::nullopt, "z"}});
    CHECK(print(r) == "\t\t\n\t\tz\n");
    CHECK(print(make_result({"only"}, {{std::nullopt}})) == "\n");
}

TEST_CASE("unaligned: tabs, newlines and other bytes inside values are printed raw") {
    std::string nul("a\0b", 3);
    auto r = make_result({"a", "b"}, {{"x\ty", "line1\nline2\r\n"}, {"\xc3\xa9\xe2\x82\xac", nul}});
    CHECK(print(r) == "x\ty\tline1\nline2\r\n\n\xc3\xa9\xe2\x82\xac\t" + nul + "\n");
}

TEST_CASE("unaligned: empty results and results without columns print nothing") {
    CHECK(print(make_result({"a"}, {})).empty());
    CHECK(print(result{}).empty()); // CREATE TABLE, SET, ...

    // `select from generate_series(1, 3)`: three rows of no columns.
    result_builder b;
    b.on_row_description({});
    for (int i = 0; i < 3; ++i)
        REQUIRE_FALSE(b.on_data_row({}));
    b.on_command_complete("SELECT 3");
    CHECK(b.results().front().size() == 3);
    CHECK(print(b.results().front()).empty());
}

TEST_CASE("unaligned: appends, with another field separator if asked") {
    std::string out = "before\n";
    append_unaligned(out, make_result({"a", "b"}, {{"1", "2"}}), "|");
    CHECK(out == "before\n1|2\n");
}
