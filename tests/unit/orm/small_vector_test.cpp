#include <turbopg/orm/detail/small_vector.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

using turbopg::orm::detail::small_vector;

namespace {
std::vector<std::string> contents(std::span<const std::string> s) {
    return {s.begin(), s.end()};
}
} // namespace

TEST_CASE("small_vector: up to N elements inline, then all of them on the heap, in order") {
    small_vector<std::string, 2> v;
    CHECK(v.empty());
    v.push_back("a");
    v.push_back("b");
    const auto* inline_data = v.data();
    CHECK(inline_data >= reinterpret_cast<const std::string*>(&v));
    CHECK(inline_data < reinterpret_cast<const std::string*>(&v + 1));
    v.push_back("c");
    CHECK(v.data() != inline_data); // spilled
    v.push_back("d");
    CHECK(v.size() == 4);
    CHECK(contents(v) == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(v.back() == "d");
    CHECK(v[2] == "c");
}

TEST_CASE("small_vector: built from a braced list or from a vector, short or long") {
    small_vector<std::string, 2> braced{"x", "y"};
    CHECK(contents(braced) == std::vector<std::string>{"x", "y"});

    small_vector<std::string, 2> short_one(std::vector<std::string>{"p"});
    CHECK(contents(short_one) == std::vector<std::string>{"p"});

    std::vector<std::string> long_vec{"1", "2", "3"};
    const auto* storage = long_vec.data();
    small_vector<std::string, 2> long_one(std::move(long_vec));
    CHECK(long_one.data() == storage); // took the vector's storage
    CHECK(contents(long_one) == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("small_vector: copies are deep, a moved-from one is empty") {
    small_vector<std::shared_ptr<int>, 1> one{std::make_shared<int>(7)};
    auto copy = one;
    CHECK(*copy[0] == 7);
    CHECK(one[0].use_count() == 2);
    auto moved = std::move(one);
    CHECK(one.empty());
    CHECK(moved.size() == 1);
    CHECK(moved[0].use_count() == 2);

    small_vector<std::shared_ptr<int>, 1> many;
    many.push_back(std::make_shared<int>(1));
    many.push_back(std::make_shared<int>(2));
    small_vector<std::shared_ptr<int>, 1> target{std::make_shared<int>(9)};
    target = std::move(many);
    CHECK(many.empty());
    REQUIRE(target.size() == 2);
    CHECK(*target[0] == 1);
    CHECK(*target[1] == 2);
}
