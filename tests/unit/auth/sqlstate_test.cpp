#include <turbopg/wire/sqlstate.hpp>

#include <doctest/doctest.h>

namespace sqlstate = turbopg::wire::sqlstate;

TEST_SUITE("sqlstate") {

    TEST_CASE("sqlstate constants carry PostgreSQL's codes") {
        CHECK(sqlstate::unique_violation == "23505");
        CHECK(sqlstate::t_r_serialization_failure == "40001"); // ERRCODE_T_R_SERIALIZATION_FAILURE
        CHECK(sqlstate::undefined_table == "42P01");
        CHECK(sqlstate::feature_not_supported == "0A000");
        // An alias without a condition name of its own shares the code.
        CHECK(sqlstate::array_element_error == sqlstate::array_subscript_error);
        static_assert(sqlstate::query_canceled == "57014");
    }

    TEST_CASE("sqlstate_name looks up the condition name") {
        CHECK(sqlstate::sqlstate_name("23505") == "unique_violation");
        CHECK(sqlstate::sqlstate_name("00000") == "successful_completion");
        CHECK(sqlstate::sqlstate_name("XX002") == "index_corrupted");
        CHECK(sqlstate::sqlstate_name("2202E") == "array_subscript_error");
        CHECK(sqlstate::sqlstate_name("99999").empty());
        CHECK(sqlstate::sqlstate_name("").empty());
        static_assert(sqlstate::sqlstate_name("40P01") == "deadlock_detected");
    }

} // TEST_SUITE
