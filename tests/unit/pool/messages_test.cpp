#include "pool/messages.hpp"

#include <turbopg/wire/error.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::wire::detail;
using ms = std::chrono::milliseconds;

TEST_CASE("durations read in milliseconds below a second, in seconds from there") {
    CHECK(describe_duration(ms{0}) == "0 ms");
    CHECK(describe_duration(ms{999}) == "999 ms");
    CHECK(describe_duration(ms{1000}) == "1.0 s");
    CHECK(describe_duration(ms{2140}) == "2.1 s");
    CHECK(describe_duration(ms{2960}) == "3.0 s");
    CHECK(describe_duration(ms{-5}) == "0 ms");
}

TEST_CASE("pool exhausted: how many are out, for how long, how many wait, how long it waited") {
    pool_load load{8, 8, ms{2140}, 3};
    auto text = exhausted_message(load, ms{1000});
    CHECK(text == "acquire gave up after 1000 ms: 8 of 8 connections checked out (the longest "
                  "for 2.1 s), 3 other acquires waiting");
    CHECK(std::string(error(make_error_code(errc::pool_exhausted), text).what()) ==
          text + ": connection pool exhausted");

    pool_load one{1, 1, ms{20}, 1};
    CHECK(exhausted_message(one, ms{50}) == "acquire gave up after 50 ms: 1 of 1 connection "
                                            "checked out (the longest for 20 ms), 1 other "
                                            "acquire waiting");
}

TEST_CASE("max_waiters refusal names the bound") {
    pool_load load{4, 4, ms{1500}, 16};
    CHECK(waiters_full_message(load, 16) ==
          "acquire refused at once: 16 acquires waiting already (max_waiters = 16), 4 of 4 "
          "connections checked out (the longest for 1.5 s)");
    pool_load none{0, 2, ms{0}, 0};
    CHECK(waiters_full_message(none, 0) == "acquire refused at once: 0 acquires waiting already "
                                           "(max_waiters = 0), 0 of 2 connections checked out");
}

TEST_CASE("server unreachable names the last connect error") {
    CHECK(unreachable_message(ms{500}, 3, "could not connect to 127.0.0.1:1: Connection refused") ==
          "acquire gave up after 500 ms: 3 connection attempts failed in a row, the last: could "
          "not connect to 127.0.0.1:1: Connection refused");
    CHECK(unreachable_message(ms{10}, 1, "x") ==
          "acquire gave up after 10 ms: 1 connection attempt failed in a row, the last: x");
}
