// result_builder: the results of one request share one row buffer, and each stays valid alone.
#include <turbopg/wire/result.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

using namespace turbopg::wire;

namespace {
detail::column_list int4_column(std::string name) {
    column_description c;
    c.name = std::move(name);
    c.type_oid = oid::int4;
    c.format = 1;
    return std::make_shared<const std::vector<column_description>>(1, c);
}

// One DataRow of a binary int4 (NULL when v < 0).
void add_row(result_builder& b, std::int32_t v) {
    std::byte be[4];
    auto u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i)
        be[i] = static_cast<std::byte>(u >> (24 - 8 * i));
    detail::raw_field f{be, v < 0 ? -1 : 4};
    CHECK_FALSE(b.on_data_row(std::span<const detail::raw_field>(&f, 1)));
}
} // namespace

TEST_CASE("the results of one request share rows and outlive each other") {
    std::vector<result> results;
    {
        result_builder b;
        b.expect_rows(1);
        for (std::int32_t s = 0; s < 40; ++s) { // past the buffer's first size
            b.on_columns(int4_column("c" + std::to_string(s)));
            for (std::int32_t r = 0; r < s % 3; ++r)
                add_row(b, s * 10 + r);
            b.on_command_complete("SELECT " + std::to_string(s % 3));
        }
        b.on_columns(nullptr);
        b.on_command_complete("INSERT 0 1");
        results = std::move(b.results());
    }
    REQUIRE(results.size() == 41);
    result kept = results[38]; // a copy shares the rows
    auto moved = std::move(results);
    results.clear();
    for (std::size_t s = 0; s < 40; ++s) {
        CAPTURE(s);
        REQUIRE(moved[s].columns().size() == 1); // zero-row results keep their columns too
        CHECK(moved[s].columns()[0].name == "c" + std::to_string(s));
        REQUIRE(moved[s].size() == s % 3);
        CHECK(moved[s].rows_affected() == s % 3);
        for (std::size_t r = 0; r < s % 3; ++r)
            CHECK(moved[s][r].get<std::int32_t>("c" + std::to_string(s)) ==
                  static_cast<std::int32_t>(s * 10 + r));
    }
    CHECK(moved[40].empty());
    CHECK(moved[40].command_tag() == "INSERT 0 1");
    CHECK(moved[40].rows_affected() == 1);
    moved.clear();
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].get<std::int32_t>(0) == 380);
    CHECK(kept[1].get<std::int32_t>(0) == 381);
}

TEST_CASE("a taken result owns its rows: the builder starts a new buffer") {
    result_builder b;
    b.on_columns(int4_column("x"));
    add_row(b, 7);
    add_row(b, -1);
    b.on_command_complete("SELECT 2");
    auto first = b.take();
    b.on_columns(int4_column("x"));
    for (std::int32_t i = 0; i < 100; ++i)
        add_row(b, i);
    b.on_command_complete("SELECT 100");
    REQUIRE(first.size() == 2);
    CHECK(first[0].get<std::int32_t>(0) == 7);
    CHECK(first[1][0].is_null());
    CHECK(b.take()[99].get<std::int32_t>(0) == 99);
}

TEST_CASE("a result taken before its CommandComplete has its rows and no tag") {
    result_builder b;
    b.on_columns(int4_column("x"));
    add_row(b, 1);
    add_row(b, 2);
    auto r = b.take(); // e.g. an Execute with a row limit: PortalSuspended, no CommandComplete
    REQUIRE(r.size() == 2);
    CHECK(r[1].get<std::int32_t>("x") == 2);
    CHECK(r.command_tag().empty());
    CHECK(r.rows_affected() == 0);
}

TEST_CASE("the results of a request hold a repeated column list once") {
    auto columns = int4_column("x");
    std::vector<result> results;
    {
        result_builder b;
        for (std::int32_t s = 0; s < 32; ++s) { // a batch repeating one cached statement
            b.on_columns(columns);
            add_row(b, s);
            b.on_command_complete("SELECT 1");
        }
        results = std::move(b.results());
    }
    CHECK(columns.use_count() == 2); // this test's and the shared block's, not one per result
    REQUIRE(results.size() == 32);
    CHECK(results[31][0].get<std::int32_t>("x") == 31);
    results.clear();
    CHECK(columns.use_count() == 1);
}

TEST_CASE("a DataRow without a RowDescription is a protocol violation") {
    result_builder b;
    CHECK(b.on_data_row({}) == make_error_code(errc::protocol_violation)); // even with no fields
    b.on_columns(nullptr); // a statement that returns no rows
    CHECK(b.on_data_row({}) == make_error_code(errc::protocol_violation));
    b.on_columns(std::make_shared<const std::vector<column_description>>()); // SELECT FROM t
    CHECK_FALSE(b.on_data_row({}));
    b.on_command_complete("SELECT 1");
    REQUIRE(b.results().size() == 1);
    CHECK(b.results()[0].size() == 1);
    CHECK(b.results()[0].columns().empty());
}

TEST_CASE("after take(), rows need a new RowDescription") {
    result_builder b;
    b.on_columns(int4_column("x"));
    add_row(b, 1);
    b.on_command_complete("SELECT 1");
    b.on_columns(int4_column("y")); // announced, then the builder's result is taken
    auto r = b.take();
    std::byte be[4] = {};
    detail::raw_field f{be, 4};
    CHECK(b.on_data_row(std::span<const detail::raw_field>(&f, 1)) ==
          make_error_code(errc::protocol_violation));
    REQUIRE(r.size() == 1);
    CHECK(r[0].get<std::int32_t>("x") == 1);
    b.on_columns(int4_column("z")); // a new RowDescription starts a new block
    add_row(b, 2);
    b.on_command_complete("SELECT 1");
    CHECK(b.take()[0].get<std::int32_t>("z") == 2);
    CHECK(r[0].get<std::int32_t>(0) == 1);
}

TEST_CASE("a column or row past the last is an out_of_range error naming it") {
    result_builder b;
    b.on_columns(int4_column("n"));
    add_row(b, 7);
    b.on_command_complete("SELECT 1");
    auto r = b.take();
    auto first = r[0];
    CHECK(first[0].as<std::int32_t>() == 7);
    CHECK_THROWS_WITH_AS(first[1], "column index 1 out of range (1 columns)", std::out_of_range);
    CHECK_THROWS_WITH_AS(first["m"], "no column named \"m\" in the result", std::out_of_range);
    CHECK_THROWS_WITH_AS(r.at(1), "row 1 out of range (1 rows)", std::out_of_range);

    result_builder none; // a command without columns: every index is past the last
    none.on_command_complete("INSERT 0 1");
    auto inserted = none.take();
    CHECK(inserted.columns().empty());
    CHECK_THROWS_AS(inserted.at(0), std::out_of_range);
}
