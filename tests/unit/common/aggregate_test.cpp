#include <turbopg/wire/detail/aggregate.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire::detail;

namespace {
struct empty {};
struct book {
    long id;
    std::string title;
    std::optional<double> price;
    std::vector<int> tags;
};
struct wide {
    int a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, c0, c1, c2,
        c3, c4, c5, c6, c7, c8, c9, d0, d1;
};
} // namespace

TEST_CASE("aggregate member counts") {
    static_assert(field_count<empty>() == 0);
    static_assert(field_count<book>() == 4);
    static_assert(field_count<wide>() == 32);
    CHECK(field_count<book>() == 4);
}

TEST_CASE("tie_members gives references in declaration order") {
    book b{1, "Dune", std::nullopt, {}};
    auto t = tie_members(b);
    std::get<0>(t) = 7;
    std::get<1>(t) = "Emma";
    std::get<2>(t) = 9.5;
    std::get<3>(t).push_back(3);
    CHECK(b.id == 7);
    CHECK(b.title == "Emma");
    CHECK(b.price == 9.5);
    CHECK(b.tags == std::vector<int>{3});
    wide w{};
    std::get<31>(tie_members(w)) = 5;
    CHECK(w.d1 == 5);
}
