// The compiled SQL of a query shape is reused: a second query that differs only in its values
// takes the first one's SQL and binds its own values. (The test mains also turn on checking, so
// every reuse anywhere in the suites is compared with a fresh compile.)
#include "models.hpp"

#include <turbopg/orm/functions.hpp>
#include <turbopg/orm/queryset.hpp>

#include <doctest/doctest.h>

using namespace orm_test;
using namespace turbopg::orm;

namespace {
// The SQL and parameters of `qs`, and whether it came from the cache.
template <class QS>
std::pair<std::string, bool> compiled(const QS& qs) {
    auto before = detail::compile_cache_hits();
    auto text = describe(qs.sql());
    return {text, detail::compile_cache_hits() == before + 1};
}
} // namespace

TEST_CASE("a query of a shape compiled before reuses its SQL and binds its own values") {
    // A shape no other test compiles: this model's columns in this order of clauses.
    auto shape = [](std::int32_t pages, const char* title) {
        return objects<Book>().filter(F(&Book::pages) > pages).exclude(F(&Book::title) == title);
    };
    auto [first, first_cached] = compiled(shape(100, "Dune"));
    CHECK_FALSE(first_cached);
    auto [second, second_cached] = compiled(shape(250, "Emma"));
    CHECK(second_cached);
    auto sql = first.substr(0, first.find(" ["));
    CHECK(second == sql + " [$1 = 250, $2 = 'Emma']");
    CHECK(first == sql + " [$1 = 100, $2 = 'Dune']");
    // Another lookup, another field or another clause is another shape.
    CHECK_FALSE(
        compiled(objects<Book>().filter(F(&Book::pages) >= 250).exclude(F(&Book::title) == "Emma"))
            .second);
    CHECK_FALSE(compiled(objects<Book>()
                             .filter(F(&Book::pages) > 250)
                             .exclude(F(&Book::title) == "Emma")
                             .order_by("title"))
                    .second);
}

TEST_CASE("NULL and a value are different shapes of the same filter") {
    auto by_rating = [](std::optional<double> r) {
        return objects<Book>().filter("rating", r).filter(F(&Book::pages) < 9);
    };
    auto null1 = compiled(by_rating(std::nullopt));
    auto value1 = compiled(by_rating(4.5));
    auto null2 = compiled(by_rating(std::nullopt));
    auto value2 = compiled(by_rating(2.0));
    CHECK(null1.first.find(R"("book"."rating" IS NULL AND "book"."pages" < $1 [$1 = 9])") !=
          std::string::npos);
    CHECK(value1.first.find(
              R"("book"."rating" = $1 AND "book"."pages" < $2 [$1 = 4.500000, $2 = 9])") !=
          std::string::npos);
    CHECK(null2 == std::pair{null1.first, true});
    CHECK(value2.second);
    CHECK(value2.first.ends_with("[$1 = 2.000000, $2 = 9]"));
}

TEST_CASE("LIMIT and OFFSET are bound per query") {
    auto page = [](std::int64_t from, std::int64_t to) {
        return objects<Book>().filter(F(&Book::in_print) == true).slice(from, to);
    };
    auto a = compiled(page(10, 30));
    auto b = compiled(page(40, 45));
    CHECK(a.first.ends_with("LIMIT $2 OFFSET $3 [$1 = true, $2 = 20, $3 = 10]"));
    CHECK(b.second);
    CHECK(b.first.ends_with("LIMIT $2 OFFSET $3 [$1 = true, $2 = 5, $3 = 40]"));
    // A count of it, over a copy of the query, is right for each query's values.
    CHECK(describe(compile_count(page(10, 15).query()))
              .ends_with(R"(OFFSET $3) AS "subquery" [$1 = true, $2 = 5, $3 = 10])"));
    CHECK(describe(compile_count(page(5, 7).query()))
              .ends_with(R"(OFFSET $3) AS "subquery" [$1 = true, $2 = 2, $3 = 5])"));
}

TEST_CASE("a value written twice through an annotation's name takes one $n, per query") {
    auto shape = [](std::int32_t extra, std::int32_t floor) {
        return objects<Book>()
            .annotate("padded", F(&Book::pages) + extra)
            .filter(F<std::int32_t>("padded") > floor);
    };
    auto a = compiled(shape(1, 10));
    auto b = compiled(shape(7, 30));
    CHECK(a.first.ends_with(R"(("book"."pages" + $1) > $2 [$1 = 1, $2 = 10])"));
    CHECK(b.second);
    CHECK(b.first.ends_with(R"(("book"."pages" + $1) > $2 [$1 = 7, $2 = 30])"));
}

TEST_CASE("a distinct query's ordering selected too binds its value once, per query") {
    // Its ORDER BY writes the selected expression's $n again: one value, the query's own.
    auto shape = [](double factor) {
        return objects<Book>()
            .values_list(F(&Book::title))
            .flat()
            .distinct()
            .order_by(F(&Book::rating) * factor);
    };
    auto a = compiled(shape(1.5));
    auto b = compiled(shape(2.5));
    CHECK(a.first == R"(SELECT DISTINCT "book"."title" AS "title", ("book"."rating" * $1) FROM )"
                     R"("book" ORDER BY ("book"."rating" * $1) [$1 = 1.500000])");
    CHECK(b.second);
    CHECK(b.first.ends_with(R"(ORDER BY ("book"."rating" * $1) [$1 = 2.500000])"));
}

TEST_CASE("a parameter the compiler makes itself is made again for every query") {
    // A string lookup resolved while compiling (Q on an annotation's path) builds its LIKE
    // pattern from the value then: that shape is compiled every time, and right every time.
    auto shape = [](const char* part) {
        return objects<Book>()
            .annotate("upper_title", Upper(F(&Book::title)))
            .filter(Q("upper_title__contains", part));
    };
    auto a = compiled(shape("DU_"));
    auto b = compiled(shape("EM%"));
    CHECK(a.first.ends_with(R"([$1 = '%DU\_%'])"));
    CHECK(b.first.ends_with(R"([$1 = '%EM\%%'])"));
}

TEST_CASE("a condition used twice in one query does not decide the values of another") {
    // The same node in two places of a query writes one $n; a query of that shape with two
    // different conditions there writes two. Each is its own statement, in either order of
    // first compile, and the first kind is never cached (its values have no place of their own).
    auto sql_only = [](const std::string& s) { return s.substr(0, s.find(" [")); };
    auto twice = [](const q& c) { return objects<Book>().filter(c).exclude(c).slice(3); };
    auto pair = [](std::int32_t a, std::int32_t b) {
        return objects<Book>().filter(F(&Book::pages) > a).exclude(F(&Book::pages) > b).slice(3);
    };
    const std::string_view one_value =
        R"("book"."pages" > $1 AND NOT ("book"."pages" > $1) OFFSET $2 [$1 = 5, $2 = 3])";
    CHECK(compiled(twice(F(&Book::pages) > 5)).first.ends_with(one_value));
    auto first_pair = compiled(pair(5, 9));
    CHECK(first_pair.first.ends_with(
        R"("book"."pages" > $1 AND NOT ("book"."pages" > $2) OFFSET $3 [$1 = 5, $2 = 9, $3 = 3])"));
    auto second_pair = compiled(pair(6, 8));
    CHECK(second_pair.second);
    CHECK(second_pair.first == sql_only(first_pair.first) + " [$1 = 6, $2 = 8, $3 = 3]");
    auto again = compiled(twice(F(&Book::pages) > 5));
    CHECK_FALSE(again.second);
    CHECK(again.first.ends_with(one_value));

    auto twice_later = [](const q& c) { return objects<Book>().exclude(c).filter(c).slice(4); };
    auto pair_first = [](std::int32_t a, std::int32_t b) {
        return objects<Book>().exclude(F(&Book::pages) > a).filter(F(&Book::pages) > b).slice(4);
    };
    auto earlier = compiled(pair_first(1, 2));
    CHECK(earlier.first.ends_with("[$1 = 1, $2 = 2, $3 = 4]"));
    auto shared = compiled(twice_later(F(&Book::pages) > 7));
    CHECK_FALSE(shared.second);
    CHECK(shared.first.ends_with("[$1 = 7, $2 = 4]"));
    auto later = compiled(pair_first(3, 4));
    CHECK(later.second);
    CHECK(later.first == sql_only(earlier.first) + " [$1 = 3, $2 = 4, $3 = 4]");
}

TEST_CASE("a string lookup's value is part of the shape when it decides the SQL") {
    // Q("x__isnull", v) is resolved while compiling: true and false compile differently.
    auto by = [](bool v) {
        return objects<Book>().filter(Q("rating__isnull", v)).filter(F(&Book::pages) == 3);
    };
    CHECK(compiled(by(true)).first.find(R"("book"."rating" IS NULL AND)") != std::string::npos);
    CHECK(compiled(by(false)).first.find(R"("book"."rating" IS NOT NULL AND)") !=
          std::string::npos);
    auto again = compiled(by(true));
    CHECK(again.second);
    CHECK(again.first.find(R"("book"."rating" IS NULL AND)") != std::string::npos);
}
