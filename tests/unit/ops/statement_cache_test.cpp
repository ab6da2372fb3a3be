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
    CHECK(c.insert("a", stmt("sa")).empty());
    CHECK(c.insert("b", stmt("sb")).empty());
    REQUIRE(c.find("a")); // a is now the most recently used
    auto evicted = c.insert("c", stmt("sc"));
    REQUIRE(evicted.size() == 1);
    CHECK(evicted[0]->name == "sb");
    CHECK(c.size() == 2);
    CHECK_FALSE(c.find("b"));
    CHECK(c.find("a")->name == "sa");
    CHECK(c.find("c")->name == "sc");
}

TEST_CASE("statement cache never evicts a statement in use; it shrinks back once released") {
    statement_cache c(2);
    c.insert("a", stmt("sa"));
    c.insert("b", stmt("sb"));
    auto a = c.find("a"); // held: a request is about to Bind it
    auto b = c.find("b");
    auto d = stmt("sd");
    CHECK(c.insert("d", d).empty()); // everything else in use: over capacity
    CHECK(c.size() == 3);
    CHECK(c.find("a") == a);

    b.reset(); // b's request went out; a is still in use
    auto e = stmt("se");
    auto evicted = c.insert("e", e); // least recently used and free: b, then d (held: kept)
    REQUIRE(evicted.size() == 1);
    CHECK(evicted[0]->name == "sb");
    CHECK(c.size() == 3);

    a.reset();
    d.reset();
    e.reset();
    evicted = c.insert("f", stmt("sf"));
    REQUIRE(evicted.size() == 2); // back within capacity: d (least recently used), then a
    CHECK(evicted[0]->name == "sd");
    CHECK(evicted[1]->name == "sa");
    CHECK(c.size() == 2);
    CHECK(c.find("e"));
    CHECK(c.find("f"));
}

TEST_CASE("statement cache replaces and erases") {
    statement_cache c(4);
    c.insert("a", stmt("old"));
    auto old = c.insert("a", stmt("new"));
    REQUIRE(old.size() == 1);
    CHECK(old[0]->name == "old");
    auto current = c.find("a");
    CHECK(current->name == "new");
    // Only the statement that failed is dropped, not one re-prepared under its key meanwhile.
    CHECK_FALSE(c.erase("a", *old[0]));
    CHECK(c.find("a") == current);
    CHECK(c.erase("a", *current));
    CHECK_FALSE(c.find("a"));
    CHECK_FALSE(c.erase("a", *current));
}

TEST_CASE("a cache of size 0 keeps nothing") {
    statement_cache c(0);
    CHECK(c.insert("a", stmt("sa")).empty());
    CHECK_FALSE(c.find("a"));
    CHECK(c.size() == 0);
}
