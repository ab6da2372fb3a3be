// Dry SQL of the database functions, aggregates and subqueries (functions.hpp).
#include "models.hpp"

#include <turbopg/orm/queryset.hpp>

#include <doctest/doctest.h>

#include <type_traits>

using namespace orm_test;
using namespace turbopg::orm;

namespace {
// `SELECT <e> AS "v" FROM "book"` with its parameters.
template <class T>
std::string select_of(const expression<T>& e) {
    return describe(objects<Book>().values(named("v", e)).sql());
}
constexpr std::string_view book_columns =
    R"("book"."id", "book"."title", "book"."pages", "book"."rating", "book"."published", )"
    R"("book"."in_print")";
std::string select_v(std::string_view e, std::string_view params = "") {
    return "SELECT " + std::string(e) + " AS \"v\" FROM \"book\"" + std::string(params);
}
} // namespace

TEST_CASE("text functions keep the argument's type; Length is int4") {
    CHECK(select_of(Lower(F(&Book::title))) == select_v(R"(LOWER("book"."title"))"));
    CHECK(select_of(Upper(F(&Book::title))) == select_v(R"(UPPER("book"."title"))"));
    CHECK(select_of(Length(F(&Book::title))) == select_v(R"(LENGTH("book"."title"))"));
    static_assert(std::is_same_v<decltype(Length(F(&Book::title)))::value_type, std::int32_t>);
    static_assert(std::is_same_v<decltype(Lower(F(&Book::title)))::value_type, std::string>);
    CHECK(select_of(Concat(F(&Book::title), " (", F(&Book::pages), ")")) ==
          select_v(R"(CONCAT("book"."title", ($1)::text, "book"."pages", ($2)::text))",
                   " [$1 = ' (', $2 = ')']"));
}

TEST_CASE("Now, Cast and Coalesce") {
    CHECK(select_of(Now()) == select_v("NOW()"));
    CHECK(select_of(Cast<double>(F(&Book::pages))) == select_v(R"(("book"."pages")::float8)"));
    CHECK(select_of(Cast<std::string>(F(&Book::pages))) == select_v(R"(("book"."pages")::text)"));
    CHECK(select_of(Cast<std::int64_t>(F(&Book::pages))) == select_v(R"(("book"."pages")::int8)"));
    auto rating = Coalesce(F(&Book::rating), 0.0);
    static_assert(std::is_same_v<decltype(rating)::value_type, double>);
    CHECK(select_of(rating) == select_v(R"(COALESCE("book"."rating", $1))", " [$1 = 0.000000]"));
    auto both_null = Coalesce(F(&Book::rating), F(&Book::rating));
    static_assert(std::is_same_v<decltype(both_null)::value_type, std::optional<double>>);
}

TEST_CASE("Case and When: a default makes the result non-optional") {
    auto size =
        Case(When(F(&Book::pages) > 300, "long"), When(F(&Book::pages) > 100, "medium"), "short");
    static_assert(std::is_same_v<decltype(size)::value_type, std::string>);
    CHECK(select_of(size) ==
          select_v(R"(CASE WHEN "book"."pages" > $1 THEN ($2)::text WHEN "book"."pages" > $3 )"
                   R"(THEN ($4)::text ELSE ($5)::text END)",
                   " [$1 = 300, $2 = 'long', $3 = 100, $4 = 'medium', $5 = 'short']"));
    auto no_default = Case(When(F(&Book::in_print) == true, F(&Book::pages)));
    static_assert(std::is_same_v<decltype(no_default)::value_type, std::optional<std::int32_t>>);
    CHECK(select_of(no_default) ==
          select_v(R"(CASE WHEN "book"."in_print" = $1 THEN "book"."pages" END)", " [$1 = true]"));
}

TEST_CASE("aggregates: types, DISTINCT and FILTER") {
    static_assert(std::is_same_v<decltype(Count())::value_type, std::int64_t>);
    static_assert(
        std::is_same_v<decltype(Sum(F(&Book::pages)))::value_type, std::optional<std::int64_t>>);
    static_assert(
        std::is_same_v<decltype(Sum(F(&Book::id)))::value_type, std::optional<std::int64_t>>);
    static_assert(
        std::is_same_v<decltype(Sum(F(&Book::rating)))::value_type, std::optional<double>>);
    static_assert(
        std::is_same_v<decltype(Avg(F(&Book::pages)))::value_type, std::optional<double>>);
    static_assert(
        std::is_same_v<decltype(Max(F(&Book::title)))::value_type, std::optional<std::string>>);
    CHECK(select_of(Count()) == select_v("COUNT(*)"));
    CHECK(select_of(Count(F(&Book::rating), {.distinct = true})) ==
          select_v(R"(COUNT(DISTINCT "book"."rating"))"));
    CHECK(select_of(Count({.filter = F(&Book::pages) > 100})) ==
          select_v(R"(COUNT(*) FILTER (WHERE "book"."pages" > $1))", " [$1 = 100]"));
    CHECK(select_of(Sum(F(&Book::pages))) == select_v(R"(SUM("book"."pages"))"));
    CHECK(select_of(Sum(F(&Book::id))) == select_v(R"((SUM("book"."id"))::int8)"));
    CHECK(select_of(Avg(F(&Book::pages), {.distinct = true})) ==
          select_v(R"((AVG(DISTINCT "book"."pages"))::float8)"));
    CHECK(select_of(Min(F(&Book::pages))) == select_v(R"(MIN("book"."pages"))"));
    CHECK(select_of(Max(F(&Book::published))) == select_v(R"(MAX("book"."published"))"));
    CHECK(select_of(StdDev(F(&Book::pages))) ==
          select_v(R"((STDDEV_POP("book"."pages"))::float8)"));
    CHECK(select_of(StdDev(F(&Book::pages), {.sample = true})) ==
          select_v(R"((STDDEV_SAMP("book"."pages"))::float8)"));
    CHECK(select_of(Variance(F(&Book::rating), {.filter = F(&Book::in_print) == true})) ==
          select_v(R"((VAR_POP("book"."rating") FILTER (WHERE "book"."in_print" = $1))::float8)",
                   " [$1 = true]"));
}

TEST_CASE("Subquery and Exists correlate with OuterRef") {
    auto longest = objects<Book>()
                       .filter(F(&Book::title) == OuterRef<std::string>("name"))
                       .order_by("-pages")
                       .values_list(F(&Book::pages))
                       .flat()
                       .slice(0, 1);
    static_assert(std::is_same_v<decltype(Subquery(longest))::value_type, std::int32_t>);
    auto sql =
        describe(objects<BookAuthor>().order_by().values(named("v", Subquery(longest))).sql());
    CHECK(
        sql ==
        R"(SELECT (SELECT "book"."pages" AS "pages" FROM "book" WHERE "book"."title" = )"
        R"("authors"."name" ORDER BY "book"."pages" DESC LIMIT $1) AS "v" FROM "authors" [$1 = 1])");
    auto has_books =
        Exists(objects<Book>().filter(F(&Book::title) == OuterRef<std::string>("name")));
    CHECK(
        describe(objects<BookAuthor>().order_by().filter(~has_books).sql())
            .ends_with(
                R"(FROM "authors" WHERE NOT (EXISTS(SELECT "book"."id", "book"."title", "book"."pages", )"
                R"("book"."rating", "book"."published", "book"."in_print" FROM "book" WHERE )"
                R"("book"."title" = "authors"."name")))"));
    CHECK_THROWS_WITH_AS(
        describe(objects<Book>().filter(F(&Book::pages) == OuterRef<int>("id")).sql()),
        "OuterRef(\"id\") outside a subquery", error);
    auto wrong = Exists(objects<Book>().filter(F(&Book::title) == OuterRef<std::string>("nam")));
    CHECK_THROWS_AS(objects<BookAuthor>().filter(wrong).sql(), field_error);
}

TEST_CASE(
    "a subquery on the table of the query it is in gets an alias; OuterRef is the outer row") {
    // Books with a book of the same title and more pages (Django: U0 for the subquery's table).
    auto longer = [](auto outer_pages) {
        return objects<Book>()
            .filter((F(&Book::title) == OuterRef<std::string>("title")) &
                    (F(&Book::pages) > outer_pages))
            .values_list(F(&Book::id));
    };
    CHECK(describe(objects<Book>().filter(Exists(longer(OuterRef<std::int32_t>("pages")))).sql()) ==
          "SELECT " + std::string(book_columns) +
              R"( FROM "book" WHERE EXISTS(SELECT U0."id" AS "id" FROM "book" U0 WHERE )"
              R"((U0."title" = "book"."title" AND U0."pages" > "book"."pages")))");
    // A scalar subquery: its ORDER BY and select list use the alias too; an uncorrelated one is
    // aliased as well.
    auto next_longer = objects<Book>()
                           .filter(F(&Book::pages) > OuterRef<std::int32_t>("pages"))
                           .order_by("pages")
                           .values_list(F(&Book::title))
                           .flat()
                           .slice(0, 1);
    CHECK(describe(objects<Book>().values(named("v", Subquery(next_longer))).sql()) ==
          R"(SELECT (SELECT U0."title" AS "title" FROM "book" U0 WHERE U0."pages" > "book"."pages")"
          R"( ORDER BY U0."pages" LIMIT $1) AS "v" FROM "book" [$1 = 1])");
    auto ids = objects<Book>().filter(F(&Book::pages) > 10).values_list(F(&Book::id)).flat();
    CHECK(describe(objects<Book>().only("id").filter(F(&Book::id).in(Subquery(ids))).sql()) ==
          R"(SELECT "book"."id" FROM "book" WHERE "book"."id" IN (SELECT U0."id" AS "id" FROM )"
          R"("book" U0 WHERE U0."pages" > $1) [$1 = 10])");
    // Nested: each level on the same table as the one it is in gets its own alias, and its
    // OuterRef names the level around it.
    auto inner = objects<Book>()
                     .filter(F(&Book::pages) > OuterRef<std::int32_t>("pages"))
                     .values_list(F(&Book::id));
    auto middle = objects<Book>()
                      .filter((F(&Book::title) == OuterRef<std::string>("title")) & Exists(inner))
                      .values_list(F(&Book::id));
    CHECK(describe(objects<Book>().only("id").filter(Exists(middle)).sql()) ==
          R"(SELECT "book"."id" FROM "book" WHERE EXISTS(SELECT U0."id" AS "id" FROM "book" U0 )"
          R"(WHERE (U0."title" = "book"."title" AND EXISTS(SELECT U1."id" AS "id" FROM "book" U1 )"
          R"(WHERE U1."pages" > U0."pages"))))");
    // A subquery on another table is written as before; one on the outer table inside it gets
    // an alias only if its table is the one it is in.
    auto by_name = objects<Book>()
                       .filter((F(&Book::title) == OuterRef<std::string>("name")) & Exists(inner))
                       .values_list(F(&Book::id));
    CHECK(describe(objects<BookAuthor>().only("id").order_by().filter(Exists(by_name)).sql()) ==
          R"(SELECT "authors"."id" FROM "authors" WHERE EXISTS(SELECT "book"."id" AS "id" FROM )"
          R"("book" WHERE ("book"."title" = "authors"."name" AND EXISTS(SELECT U1."id" AS "id" )"
          R"(FROM "book" U1 WHERE U1."pages" > "book"."pages"))))");
    // UPDATE and DELETE: OuterRef is the row written.
    auto has_longer = objects<Book>().filter(Exists(longer(OuterRef<std::int32_t>("pages"))));
    CHECK(describe(compile_delete(has_longer.query())) ==
          R"(DELETE FROM "book" WHERE EXISTS(SELECT U0."id" AS "id" FROM "book" U0 WHERE )"
          R"((U0."title" = "book"."title" AND U0."pages" > "book"."pages")))");
    auto max_pages = objects<Book>()
                         .filter(F(&Book::title) == OuterRef<std::string>("title"))
                         .values_list(Max(F(&Book::pages)))
                         .flat();
    CHECK(describe(compile_update(has_longer.query(), {{"pages", Subquery(max_pages).node()}})) ==
          R"(UPDATE "book" SET "pages" = (SELECT MAX(U0."pages") AS "column_1" FROM "book" U0 )"
          R"(WHERE U0."title" = "book"."title") WHERE EXISTS(SELECT U0."id" AS "id" FROM "book" )"
          R"(U0 WHERE (U0."title" = "book"."title" AND U0."pages" > "book"."pages")))");
    // Through the primary key (a sliced delete): the rows of the inner SELECT are the outer ones.
    CHECK(describe(compile_delete(has_longer.order_by("id").slice(0, 1).query())) ==
          R"(DELETE FROM "book" WHERE "book"."id" IN (SELECT "book"."id" AS "id" FROM "book" )"
          R"(WHERE EXISTS(SELECT U0."id" AS "id" FROM "book" U0 WHERE (U0."title" = )"
          R"("book"."title" AND U0."pages" > "book"."pages")) ORDER BY "book"."id" LIMIT $1))"
          R"( [$1 = 1])");
}
