#include "ops/statement_cache.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire::ops;

namespace {
std::shared_ptr<const statement_description> stmt(std::string name) {
    auto s = std::make_shared<statement_description>();
    s->name = std::move(name);
    return s;
}
} // namespace

TEST_CASE("statement cache keys include the parameter types") {
    std::uint32_t int4[] = {23};
    std::uint32_t int8[] = {20};
    CHECK(statement_cache::make_key("select $1", int4) !=
          statement_cache::make_key("select $1", int8));
    CHECK(statement_cache::make_key("select $1", int4) ==
          statement_cache::make_key("select $1", int4));
}

TEST_CASE("statement cache evicts the least recently used") {
    statement_cache c(2);
    CHECK(c.next_name() == "turbopg_s1");
    CHECK_FALSE(c.insert("a", stmt("sa")));
    CHECK_FALSE(c.insert("b", stmt("sb")));
    REQUIRE(c.find("a")); // a is now the most recently used
    auto evicted = c.insert("c", stmt("sc"));
    REQUIRE(evicted);
    CHECK(evicted->name == "sb");
    CHECK(c.size() == 2);
    CHECK_FALSE(c.find("b"));
    CHECK(c.find("a")->name == "sa");
    CHECK(c.find("c")->name == "sc");
}

TEST_CASE("statement cache replaces and erases") {
    statement_cache c(4);
    c.insert("a", stmt("old"));
    auto old = c.insert("a", stmt("new"));
    REQUIRE(old);
    CHECK(old->name == "old");
    CHECK(c.find("a")->name == "new");
    CHECK(c.erase("a")->name == "new");
    CHECK_FALSE(c.find("a"));
    CHECK_FALSE(c.erase("a"));
}

TEST_CASE("a cache of size 0 keeps nothing") {
    statement_cache c(0);
    CHECK_FALSE(c.insert("a", stmt("sa")));
    CHECK_FALSE(c.find("a"));
    CHECK(c.size() == 0);
}
