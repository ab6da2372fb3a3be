#include <turbopg/wire/transaction.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;

TEST_CASE("begin_statement spells every transaction option") {
    CHECK(begin_statement({}) == "BEGIN");
    CHECK(begin_statement({isolation_level::read_committed, false, false}) ==
          "BEGIN ISOLATION LEVEL READ COMMITTED");
    CHECK(begin_statement({isolation_level::read_uncommitted, false, false}) ==
          "BEGIN ISOLATION LEVEL READ UNCOMMITTED");
    CHECK(begin_statement({isolation_level::repeatable_read, true, false}) ==
          "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    CHECK(begin_statement({isolation_level::serializable, true, true}) ==
          "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
    CHECK(begin_statement({std::nullopt, true, false}) == "BEGIN READ ONLY");
}
