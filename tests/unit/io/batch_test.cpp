// wire::batch's storage: one SQL text and one statement per distinct statement, not per entry.
#include <turbopg/wire/connection.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace turbopg::wire;

namespace {
constexpr oid_t int4_types[] = {oid::int4};
constexpr oid_t int4_copy[] = {oid::int4}; // equal contents at another address
constexpr oid_t int8_types[] = {oid::int8};
} // namespace

TEST_CASE("a batch stores a repeated statement once") {
    detail::batch_data b;
    std::string sql = "insert into t (a) values ($1) -- long enough to allocate";
    for (int i = 0; i < 32; ++i)
        CHECK(b.statement_for(sql, int4_types) == 0);
    CHECK(b.statements.size() == 1);
    CHECK(b.sql == sql);
    CHECK(b.sql_of(b.statements[0]) == sql);
    CHECK(b.statement_for(sql, int4_copy) == 0); // the types are compared, not their address
}

TEST_CASE("a batch tells apart statements by SQL and parameter types, and finds recent ones") {
    detail::batch_data b;
    CHECK(b.statement_for("select $1", int4_types) == 0);
    CHECK(b.statement_for("select $1", int8_types) == 1); // another statement for the cache
    CHECK(b.statement_for("select $2", int4_types) == 2);
    CHECK(b.statement_for("select $1", int4_types) == 0); // alternating: found again
    CHECK(b.statements.size() == 3);
    CHECK(b.sql_of(b.statements[1]) == "select $1");
    CHECK(b.sql_of(b.statements[2]) == "select $2");
    // Beyond the last few distinct statements, a repeat is stored again (still correct).
    for (int i = 0; i < 4; ++i)
        b.statement_for("select " + std::to_string(i + 10), int4_types);
    CHECK(b.statement_for("select $1", int4_types) == 7);
}
