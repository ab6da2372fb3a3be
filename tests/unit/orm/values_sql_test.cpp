// Dry SQL of annotate(), values(), values_list(), values_as(), aggregate(), the set operations,
// explain().
#include "models.hpp"

#include <turbopg/orm/queryset.hpp>

#include <doctest/doctest.h>

#include <type_traits>

using namespace orm_test;
using namespace turbopg::orm;

namespace {
template <class QS>
std::string sql_of(const QS& qs) {
    return describe(qs.sql());
}
constexpr std::string_view book_columns =
    R"("book"."id", "book"."title", "book"."pages", "book"."rating", "book"."published", )"
    R"("book"."in_print")";
} // namespace

namespace orm_test {
struct TitlePages {
    std::string title;
    std::int32_t pages = 0;
};
} // namespace orm_test

TEST_CASE("annotate adds a named column; an aggregate groups model rows by primary key") {
    auto qs = objects<Book>().annotate("title_length", Length(F(&Book::title)));
    CHECK(sql_of(qs) == "SELECT " + std::string(book_columns) +
                            R"(, LENGTH("book"."title") AS "title_length" FROM "book")");
    auto counted = objects<Book>().annotate("n", Count(F(&Book::rating)));
    CHECK(sql_of(counted) ==
          "SELECT " + std::string(book_columns) +
              R"(, COUNT("book"."rating") AS "n" FROM "book" GROUP BY "book"."id")");
    CHECK_THROWS_WITH_AS(objects<Book>().annotate("pages", Count()),
                         "annotate(): \"pages\" is already a field or annotation of orm_test::Book",
                         field_error);
    CHECK_THROWS_AS(qs.annotate("title_length", Count()), field_error);
}

TEST_CASE("filters on an annotation: a plain one stays in WHERE, an aggregate goes to HAVING") {
    auto qs = objects<Book>()
                  .annotate("title_length", Length(F(&Book::title)))
                  .annotate("n", Count())
                  .filter(F(&Book::pages) > 10)
                  .filter(F<std::int32_t>("title_length") > 3)
                  .filter("n__gte", 2)
                  .order_by("-n", "title_length");
    CHECK(sql_of(qs) ==
          "SELECT " + std::string(book_columns) +
              R"(, LENGTH("book"."title") AS "title_length", COUNT(*) AS "n" FROM "book" )"
              R"(WHERE "book"."pages" > $1 AND LENGTH("book"."title") > $2 GROUP BY "book"."id" )"
              R"(HAVING COUNT(*) >= $3 ORDER BY COUNT(*) DESC, LENGTH("book"."title") )"
              R"([$1 = 10, $2 = 3, $3 = 2])");
    CHECK(sql_of(objects<Book>().annotate("n", Count()).filter(Q("n", 1)))
              .ends_with(R"(GROUP BY "book"."id" HAVING COUNT(*) = $1 [$1 = 1])"));
    CHECK_THROWS_WITH_AS(objects<Book>().annotate("n", Count()).filter("m__gt", 1),
                         "cannot resolve field \"m\" of orm_test::Book; choices are: id, title, "
                         "pages, rating, published, in_print, n",
                         field_error);
    CHECK_THROWS_AS(objects<Book>().order_by("n"), field_error);
}

TEST_CASE("update() and delete_() of a queryset filtered on an aggregate name rows by key") {
    auto qs = objects<Book>().annotate("n", Count()).filter("n__gte", 2);
    const std::string rows =
        R"( WHERE "book"."id" IN (SELECT "book"."id" AS "id" FROM "book" GROUP BY )"
        R"(1 HAVING COUNT(*) >= $1))";
    CHECK(describe(compile_delete(qs.query())) == R"(DELETE FROM "book")" + rows + " [$1 = 2]");
    CHECK(describe(compile_update(qs.query(), {{"pages", F(&Book::pages).node()}})) ==
          R"(UPDATE "book" SET "pages" = "book"."pages")" + rows + " [$1 = 2]");
}

TEST_CASE("count() and aggregate() of a queryset filtered on an aggregate read a subquery") {
    auto qs = objects<Book>().filter(Count() > 1);
    CHECK(describe(compile_count(qs.query())) ==
          "SELECT COUNT(*) FROM (SELECT " + std::string(book_columns) +
              R"( FROM "book" GROUP BY "book"."id" HAVING COUNT(*) > $1) AS "subquery" [$1 = 1])");
    std::vector<ast::named_expr> sum{{"s", Sum(F(&Book::pages)).node()}};
    CHECK(describe(compile_aggregate(qs.query(), sum))
              .starts_with(R"(SELECT SUM("pages") AS "s" FROM (SELECT)"));
}

TEST_CASE("an annotation may use the ones before it") {
    auto qs = objects<Book>()
                  .annotate("double_pages", F(&Book::pages) * 2)
                  .annotate("more", F<std::int32_t>("double_pages") + 1)
                  .values_list(F<std::int32_t>("more"));
    CHECK(sql_of(qs) ==
          R"(SELECT (("book"."pages" * $1) + $2) AS "more" FROM "book" [$1 = 2, $2 = 1])");
}

TEST_CASE("values, values_list, flat and values_as select the named columns") {
    CHECK(sql_of(objects<Book>().values("title", named("len", Length(F(&Book::title))))) ==
          R"(SELECT "book"."title" AS "title", LENGTH("book"."title") AS "len" FROM "book")");
    CHECK(sql_of(objects<Book>().annotate("n", Count()).values("title", "n")) ==
          R"(SELECT "book"."title" AS "title", COUNT(*) AS "n" FROM "book" GROUP BY 1)");
    CHECK(sql_of(objects<Book>().values()) ==
          R"(SELECT "book"."id" AS "id", "book"."title" AS "title", "book"."pages" AS "pages", )"
          R"("book"."rating" AS "rating", "book"."published" AS "published", "book"."in_print" )"
          R"(AS "in_print" FROM "book")");
    auto list = objects<Book>().values_list(F(&Book::title), F(&Book::rating));
    static_assert(
        std::is_same_v<decltype(list)::row_type, std::tuple<std::string, std::optional<double>>>);
    auto typed = objects<Book>().values_list<std::string, std::int32_t>("title", "pages");
    static_assert(std::is_same_v<decltype(typed)::row_type, std::tuple<std::string, std::int32_t>>);
    CHECK(sql_of(typed.filter(F(&Book::pages) > 1).order_by("title")) ==
          R"(SELECT "book"."title" AS "title", "book"."pages" AS "pages" FROM "book" WHERE )"
          R"("book"."pages" > $1 ORDER BY "book"."title" [$1 = 1])");
    auto flat = objects<Book>().values_list(F(&Book::title)).flat();
    static_assert(std::is_same_v<decltype(flat)::row_type, std::string>);
    CHECK(sql_of(flat) == R"(SELECT "book"."title" AS "title" FROM "book")");
    CHECK(sql_of(objects<Book>().values_as<TitlePages>()) ==
          R"(SELECT "book"."title" AS "title", "book"."pages" AS "pages" FROM "book")");
    CHECK(
        sql_of(objects<Book>().values_as<TitlePages>(Upper(F(&Book::title)), F(&Book::id) * 2)) ==
        R"(SELECT UPPER("book"."title") AS "title", ("book"."id" * $1) AS "pages" FROM "book" [$1 = 2])");
}

TEST_CASE("values with an aggregate group by the other columns") {
    CHECK(sql_of(objects<Book>().values_list(F(&Book::in_print), Count(), Avg(F(&Book::pages)))) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "column_2", )"
          R"((AVG("book"."pages"))::float8 AS "column_3" FROM "book" GROUP BY 1)");
    CHECK(sql_of(objects<Book>().values_list(Count())) ==
          R"(SELECT COUNT(*) AS "column_1" FROM "book")");
}

TEST_CASE("grouped values: a value with a parameter is grouped by position; no Meta.ordering") {
    // Written again in GROUP BY, ("book"."pages" + $2) would be another expression to PostgreSQL
    // than the select list's ("book"."pages" + $1): 42803.
    CHECK(sql_of(objects<Book>().values_list(F(&Book::pages) + 1, Count())) ==
          R"(SELECT ("book"."pages" + $1) AS "column_1", COUNT(*) AS "column_2" FROM "book")"
          R"( GROUP BY 1 [$1 = 1])");
    // BookAuthor is ordered by -created, name: not among the grouped columns, so left out.
    CHECK(sql_of(objects<BookAuthor>().values_list(F(&BookAuthor::name), Count())) ==
          R"(SELECT "authors"."name" AS "name", COUNT(*) AS "column_2" FROM "authors" GROUP BY 1)");
    // Ungrouped values keep it.
    CHECK(sql_of(objects<BookAuthor>().values("name")) ==
          R"(SELECT "authors"."name" AS "name" FROM "authors")"
          R"( ORDER BY "authors"."created" DESC, "authors"."name")");
}

TEST_CASE("grouped values: the columns an ordering reads are grouped by too (Django)") {
    // A column not among the values: grouped by, so one group per (in_print, pages).
    CHECK(sql_of(objects<Book>().values_list(F(&Book::in_print), Count()).order_by("-pages")) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "column_2" FROM "book")"
          R"( GROUP BY 1, "book"."pages" ORDER BY "book"."pages" DESC)");
    // An expression: grouped by the columns it reads, so its own $n need not match.
    CHECK(sql_of(objects<Book>()
                     .values("in_print", named("n", Count()))
                     .order_by((F(&Book::pages) + 1).asc(), Lower(F(&Book::title)).desc())) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "n" FROM "book" GROUP BY 1, )"
          R"("book"."pages", "book"."title" ORDER BY ("book"."pages" + $1), )"
          R"(LOWER("book"."title") DESC [$1 = 1])");
    // A string lookup inside the ordering: grouped by the column it reads.
    CHECK(sql_of(objects<Book>()
                     .values_list(F(&Book::in_print), Count())
                     .order_by(Case(When(Q("pages__gte", 300), 1), 0).desc())) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "column_2" FROM "book" GROUP BY )"
          R"(1, "book"."pages" ORDER BY CASE WHEN "book"."pages" >= $1 THEN $2 ELSE $3 END DESC )"
          R"([$1 = 300, $2 = 1, $3 = 0])");
    // A value or an aggregate among the values adds nothing, nor does the same column twice.
    CHECK(sql_of(objects<Book>()
                     .values("in_print", named("n", Count()))
                     .order_by("in_print", "-n", "pages", "-pages")) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "n" FROM "book" GROUP BY 1, )"
          R"("book"."pages" ORDER BY "book"."in_print", COUNT(*) DESC, "book"."pages", )"
          R"("book"."pages" DESC)");
    // count() counts those groups: the rows fetch() returns.
    CHECK(
        describe(compile_count(
            objects<Book>().values_list(F(&Book::in_print), Count()).order_by("pages").query())) ==
        R"(SELECT COUNT(*) FROM (SELECT "book"."in_print" AS "in_print", COUNT(*) AS "column_2" )"
        R"(FROM "book" GROUP BY 1, "book"."pages" ORDER BY "book"."pages") AS "subquery")");
    // The same with the aggregate named by annotate().
    CHECK(describe(compile_count(objects<Book>()
                                     .annotate("n", Count())
                                     .values("in_print", "n")
                                     .order_by("pages")
                                     .query())) ==
          R"(SELECT COUNT(*) FROM (SELECT "book"."in_print" AS "in_print", COUNT(*) AS "n" )"
          R"(FROM "book" GROUP BY 1, "book"."pages" ORDER BY "book"."pages") AS "subquery")");
}

TEST_CASE("values() of an unknown name or an unnamed expression is a clear error") {
    CHECK_THROWS_WITH_AS(objects<Book>().values("title", "colour"),
                         "cannot resolve field \"colour\" of orm_test::Book; choices are: id, "
                         "title, pages, rating, published, in_print",
                         field_error);
    CHECK_THROWS_WITH_AS(objects<Book>().values(Length(F(&Book::title))),
                         "values(): name the expression's column with named(\"name\", expression)",
                         error);
}

TEST_CASE("aggregate() compiles one row of named aggregates") {
    auto qs = objects<Book>().filter(F(&Book::pages) > 1);
    std::vector<ast::named_expr> a{{"n", Count().node()}, {"avg", Avg(F(&Book::pages)).node()}};
    CHECK(describe(compile_aggregate(qs.query(), a)) ==
          R"(SELECT COUNT(*) AS "n", (AVG("book"."pages"))::float8 AS "avg" FROM "book" WHERE )"
          R"("book"."pages" > $1 [$1 = 1])");
    auto annotated = objects<Book>().annotate("n", Count());
    std::vector<ast::named_expr> over{{"m", Max(F<std::int64_t>("n")).node()}};
    CHECK(describe(compile_aggregate(annotated.query(), over)) ==
          R"(SELECT MAX("n") AS "m" FROM (SELECT )" + std::string(book_columns) +
              R"(, COUNT(*) AS "n" FROM "book" GROUP BY "book"."id") AS "subquery")");
}

TEST_CASE("union, intersection and difference; ORDER BY and LIMIT apply to the combination") {
    auto small = objects<Book>().filter(F(&Book::pages) < 100).values_list(F(&Book::title));
    auto big = objects<Book>().filter(F(&Book::pages) > 500).values_list(F(&Book::title));
    CHECK(sql_of(small.union_(big).order_by("-title").slice(0, 3)) ==
          R"((SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" < $1) UNION )"
          R"((SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" > $2) )"
          R"(ORDER BY "title" DESC LIMIT $3 [$1 = 100, $2 = 500, $3 = 3])");
    CHECK(sql_of(small.union_(big, {.all = true})).find(") UNION ALL (") != std::string::npos);
    CHECK(sql_of(small.intersection(big)).find(") INTERSECT (") != std::string::npos);
    CHECK(sql_of(small.difference(big)).find(") EXCEPT (") != std::string::npos);
    auto models = objects<Book>().filter(F(&Book::pages) < 100).union_(objects<Book>().all());
    CHECK(
        sql_of(models.order_by("pages")).ends_with(R"(FROM "book") ORDER BY "pages" [$1 = 100])"));
    CHECK(describe(compile_count(models.query())).starts_with("SELECT COUNT(*) FROM ((SELECT"));
}

TEST_CASE("a none() part is written WHERE FALSE; INTERSECT after UNION nests the union") {
    auto small = objects<Book>().filter(F(&Book::pages) < 100).values_list(F(&Book::title));
    auto nothing = small.none();
    const std::string small_sql =
        R"(SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" < $1)";
    // Both parts hold the same condition: one value, one $n.
    CHECK(sql_of(nothing.union_(small)) ==
          R"((SELECT "book"."title" AS "title" FROM "book" WHERE FALSE AND "book"."pages" < $1) )"
          R"(UNION (SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" < $1) )"
          R"([$1 = 100])");
    // Whether rows can come at all (none sends no query): a union needs one part with rows, an
    // intersection all, a difference its first.
    CHECK_FALSE(nothing.union_(small).query().empty);
    CHECK_FALSE(small.union_(nothing).query().empty);
    CHECK(nothing.union_(nothing).query().empty);
    CHECK(small.intersection(nothing).query().empty);
    CHECK(nothing.intersection(small).query().empty);
    CHECK_FALSE(small.difference(nothing).query().empty);
    CHECK(nothing.difference(small).query().empty);
    // A none() subquery: no row either.
    auto no_ids = objects<Book>().none().values_list(F(&Book::id)).flat();
    CHECK(sql_of(objects<Book>().only("id").filter(F(&Book::id).in(Subquery(no_ids)))) ==
          R"(SELECT "book"."id" FROM "book" WHERE "book"."id" IN (SELECT U0."id" AS "id" FROM )"
          R"("book" U0 WHERE FALSE))");
    // INTERSECT binds tighter than UNION: a.union_(b).intersection(c) is ((a) UNION (b))
    // INTERSECT (c), while a.union_(b).union_(c) stays one level.
    auto big = objects<Book>().filter(F(&Book::pages) > 500).values_list(F(&Book::title));
    auto nested = sql_of(small.union_(big).intersection(small));
    CHECK(nested.starts_with("((" + small_sql + ") UNION ("));
    CHECK(nested.find(")) INTERSECT (") != std::string::npos);
    CHECK(sql_of(small.union_(big).union_(small)).starts_with("(" + small_sql + ") UNION ("));
    // update() and delete() of a combination are refused, as in Django.
    CHECK_THROWS_WITH_AS(compile_delete(small.union_(big).query()),
                         "cannot update or delete the rows of a combined queryset (union_, "
                         "intersection, difference)",
                         error);
    CHECK_THROWS_AS(compile_update(small.union_(big).query(), {set(&Book::pages, 1)}), error);
}

TEST_CASE("a part's own ORDER BY, LIMIT and OFFSET stay inside its parentheses") {
    auto small = objects<Book>().filter(F(&Book::pages) < 100).values_list(F(&Book::title));
    auto big = objects<Book>().filter(F(&Book::pages) > 500).values_list(F(&Book::title));
    const std::string small_sql =
        R"(SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" < $1)";
    // As Django does on PostgreSQL: the first part keeps what it had, as the others do, and the
    // combination starts with no order or slice of its own (union_ of a sliced queryset is
    // allowed).
    CHECK(sql_of(small.order_by("-pages").slice(0, 5).union_(big)) ==
          "(" + small_sql +
              R"( ORDER BY "book"."pages" DESC LIMIT $2) UNION (SELECT "book"."title" AS )"
              R"("title" FROM "book" WHERE "book"."pages" > $3) [$1 = 100, $2 = 5, $3 = 500])");
    CHECK(sql_of(small.slice(2)
                     .union_(big.order_by("title").slice(1, 3))
                     .order_by("-title")
                     .slice(0, 4)) ==
          "(" + small_sql +
              R"( OFFSET $2) UNION (SELECT "book"."title" AS "title" FROM "book" WHERE )"
              R"("book"."pages" > $3 ORDER BY "book"."title" LIMIT $4 OFFSET $5) ORDER BY )"
              R"("title" DESC LIMIT $6 [$1 = 100, $2 = 2, $3 = 500, $4 = 2, $5 = 1, $6 = 4])");
    // A combination ordered or sliced, then combined again, is a part of its own. (`small`
    // twice: its value once.)
    CHECK(sql_of(small.union_(big).order_by("title").slice(0, 2).difference(small)) ==
          "((" + small_sql +
              R"() UNION (SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" > )"
              R"($2) ORDER BY "title" LIMIT $3) EXCEPT ()" +
              small_sql + R"() [$1 = 100, $2 = 500, $3 = 2])");
    CHECK(sql_of(small.union_(big).union_(small)) ==
          "(" + small_sql +
              R"() UNION (SELECT "book"."title" AS "title" FROM "book" WHERE "book"."pages" > )"
              R"($2) UNION ()" +
              small_sql + R"() [$1 = 100, $2 = 500])");
    // Meta.ordering: not the combination's (its columns need not be among the result's), and
    // in a part only when sliced, where it says which rows the slice takes.
    auto names = objects<BookAuthor>().values_list(F(&BookAuthor::name));
    const std::string names_sql = R"(SELECT "authors"."name" AS "name" FROM "authors")";
    CHECK(sql_of(names.union_(names)) == "(" + names_sql + ") UNION (" + names_sql + ")");
    CHECK(sql_of(names.slice(0, 1).union_(names.slice(0, 2))) ==
          "(" + names_sql + R"( ORDER BY "authors"."created" DESC, "authors"."name" LIMIT $1) )" +
              "UNION (" + names_sql +
              R"( ORDER BY "authors"."created" DESC, "authors"."name" LIMIT $2) [$1 = 1, $2 = 2])");
    CHECK_FALSE(objects<BookAuthor>().union_(objects<BookAuthor>()).ordered());
    // What would change a part's rows or columns after the combination is refused, as in Django.
    auto both = objects<Book>().union_(objects<Book>());
    CHECK_THROWS_WITH_AS(both.filter(F(&Book::pages) > 1),
                         "cannot filter a combined queryset (union_, intersection, difference)",
                         error);
    CHECK_THROWS_AS(both.exclude("pages", 1), error);
    CHECK_THROWS_AS(both.annotate("n", Length(F(&Book::title))), error);
    CHECK_THROWS_AS(both.values_list(F(&Book::title)), error);
    CHECK_THROWS_AS(both.values(), error);
    CHECK_THROWS_AS(both.only("title"), error);
    CHECK_THROWS_AS(both.distinct(), error);
    CHECK(sql_of(both.order_by("-pages").slice(0, 1))
              .ends_with(R"( FROM "book") ORDER BY "pages" DESC LIMIT $1 [$1 = 1])"));
}

TEST_CASE("explain puts whitelisted options before the SELECT") {
    auto qs = objects<Book>().filter(F(&Book::pages) > 1);
    CHECK(describe(compile_explain(qs.query(), {})) ==
          "EXPLAIN SELECT " + std::string(book_columns) +
              R"( FROM "book" WHERE "book"."pages" > $1 [$1 = 1])");
    CHECK(compile_explain(
              qs.query(),
              {.analyze = true, .verbose = true, .buffers = true, .format = explain_format::json})
              .sql.starts_with("EXPLAIN (ANALYZE, VERBOSE, BUFFERS, FORMAT JSON) SELECT "));
    CHECK(compile_explain(qs.query(), {.format = explain_format::yaml})
              .sql.starts_with("EXPLAIN (FORMAT YAML) SELECT "));
}
TEST_CASE("a name given in values() orders and filters, as Django's values(n=...)") {
    auto lengths = objects<Book>().values(named("n", Length(F(&Book::title))));
    CHECK(sql_of(lengths.order_by("-n").filter("n__gt", 3)) ==
          R"(SELECT LENGTH("book"."title") AS "n" FROM "book" WHERE LENGTH("book"."title") > $1 )"
          R"(ORDER BY LENGTH("book"."title") DESC [$1 = 3])");
    // After a union, the name of the result column.
    CHECK(sql_of(lengths.union_(lengths).order_by("n")) ==
          R"((SELECT LENGTH("book"."title") AS "n" FROM "book") UNION (SELECT )"
          R"(LENGTH("book"."title") AS "n" FROM "book") ORDER BY "n")");
    // An aggregate's name filters in HAVING.
    auto counts = objects<Book>().values(F(&Book::title), named("c", Count()));
    CHECK(sql_of(counts.filter("c__gt", 1).order_by("-c")) ==
          R"(SELECT "book"."title" AS "title", COUNT(*) AS "c" FROM "book" GROUP BY 1 HAVING )"
          R"(COUNT(*) > $1 ORDER BY COUNT(*) DESC [$1 = 1])");
    CHECK_THROWS_WITH_AS(lengths.order_by("m"),
                         "cannot resolve field \"m\" of orm_test::Book; choices are: id, title, "
                         "pages, rating, published, in_print, n",
                         field_error);
}

TEST_CASE("distinct values ordered by what they do not select select it too, as in Django") {
    // PostgreSQL requires a DISTINCT query's ORDER BY expressions among its columns (42P10):
    // each one not selected follows the selected columns, unnamed; the rows read leave it out.
    auto titles = objects<Book>().values("title").distinct();
    CHECK(sql_of(titles.order_by("pages")) ==
          R"(SELECT DISTINCT "book"."title" AS "title", "book"."pages" FROM "book" )"
          R"(ORDER BY "book"."pages")");
    CHECK(sql_of(objects<Book>()
                     .values_list(F(&Book::title), F(&Book::rating))
                     .distinct()
                     .order_by(F(&Book::pages).desc(), "title", Length(F(&Book::title)))) ==
          R"(SELECT DISTINCT "book"."title" AS "title", "book"."rating" AS "rating", )"
          R"("book"."pages", LENGTH("book"."title") FROM "book" ORDER BY "book"."pages" DESC, )"
          R"("book"."title", LENGTH("book"."title"))");
    // An expression with a parameter is written once more with the same $n: with another, it
    // would be another expression to PostgreSQL, and not a column.
    CHECK(sql_of(objects<Book>()
                     .values_list(F(&Book::title))
                     .flat()
                     .distinct()
                     .order_by((F(&Book::pages) / 100).desc(), "title")) ==
          R"(SELECT DISTINCT "book"."title" AS "title", ("book"."pages" / $1) FROM "book" )"
          R"(ORDER BY ("book"."pages" / $1) DESC, "book"."title" [$1 = 100])");
    // The same for a selected one, by its name or again as an expression.
    auto halves = objects<Book>().values(named("half", F(&Book::pages) / 2)).distinct();
    const std::string halves_sql =
        R"(SELECT DISTINCT ("book"."pages" / $1) AS "half" FROM "book" ORDER BY )"
        R"(("book"."pages" / $1) [$1 = 2])";
    CHECK(sql_of(halves.order_by("half")) == halves_sql);
    CHECK(sql_of(halves.order_by(F(&Book::pages) / 2)) == halves_sql);
    CHECK(sql_of(objects<Book>().values_as<TitlePages>().distinct().order_by(Upper(F(&Book::title)),
                                                                             "-pages")) ==
          R"(SELECT DISTINCT "book"."title" AS "title", "book"."pages" AS "pages", )"
          R"(UPPER("book"."title") FROM "book" ORDER BY UPPER("book"."title"), )"
          R"("book"."pages" DESC)");
    // Meta.ordering is an ordering too.
    CHECK(sql_of(objects<BookAuthor>().values("name").distinct()) ==
          R"(SELECT DISTINCT "authors"."name" AS "name", "authors"."created" FROM "authors" )"
          R"(ORDER BY "authors"."created" DESC, "authors"."name")");
    // Unchanged: ordered by a selected column, not distinct, or not ordered.
    CHECK(sql_of(titles.order_by("-title")) ==
          R"(SELECT DISTINCT "book"."title" AS "title" FROM "book" ORDER BY "book"."title" DESC)");
    CHECK(sql_of(objects<Book>().values("title").order_by("pages")) ==
          R"(SELECT "book"."title" AS "title" FROM "book" ORDER BY "book"."pages")");
    CHECK(sql_of(titles) == R"(SELECT DISTINCT "book"."title" AS "title" FROM "book")");
}

TEST_CASE("a distinct subquery ordered by what it does not select reads its own columns") {
    // As Django does: wrapped in `SELECT "subquery"."a" FROM (...) AS "subquery"`, so that the
    // ordering's columns are not among its own (IN, a scalar subquery and a part of a
    // combination must have those alone).
    auto ids = objects<Book>().values_list(F(&Book::id)).flat().distinct().order_by("-pages");
    CHECK(sql_of(objects<Book>().filter(F(&Book::id).in(Subquery(ids.slice(0, 3))))) ==
          "SELECT " + std::string(book_columns) +
              R"( FROM "book" WHERE "book"."id" IN (SELECT "subquery"."id" FROM (SELECT )"
              R"(DISTINCT U0."id" AS "id", U0."pages" FROM "book" U0 ORDER BY U0."pages" DESC )"
              R"(LIMIT $1) AS "subquery") [$1 = 3])");
    auto small = objects<Book>().filter(F(&Book::pages) < 100).values_list(F(&Book::title));
    CHECK(sql_of(small.distinct().order_by("pages").slice(0, 2).union_(small)) ==
          R"((SELECT "subquery"."title" FROM (SELECT DISTINCT "book"."title" AS "title", )"
          R"("book"."pages" FROM "book" WHERE "book"."pages" < $1 ORDER BY "book"."pages" )"
          R"(LIMIT $2) AS "subquery") UNION (SELECT "book"."title" AS "title" FROM "book" )"
          R"(WHERE "book"."pages" < $1) [$1 = 100, $2 = 2])");
    // The rows a DELETE or UPDATE takes by primary key, the same way.
    auto first_two = objects<Book>().filter(F(&Book::pages) > 100).distinct().order_by("pages");
    CHECK(describe(compile_delete(first_two.slice(0, 2).query())) ==
          R"(DELETE FROM "book" WHERE "book"."id" IN (SELECT "subquery"."id" FROM (SELECT )"
          R"(DISTINCT "book"."id" AS "id", "book"."pages" FROM "book" WHERE "book"."pages" > $1 )"
          R"(ORDER BY "book"."pages" LIMIT $2) AS "subquery") [$1 = 100, $2 = 2])");
    // count() leaves an unsliced queryset's ordering out (as Django's); a sliced one's takes
    // the rows the slice has, the ordering's columns among them.
    auto titles = objects<Book>().values("title").distinct().order_by("pages");
    CHECK(describe(compile_count(titles.query())) ==
          R"(SELECT COUNT(*) FROM (SELECT DISTINCT "book"."title" AS "title" FROM "book") AS )"
          R"("subquery")");
    CHECK(describe(compile_count(titles.slice(0, 2).query())) ==
          R"(SELECT COUNT(*) FROM (SELECT DISTINCT "book"."title" AS "title", "book"."pages" )"
          R"(FROM "book" ORDER BY "book"."pages" LIMIT $1) AS "subquery" [$1 = 2])");
    CHECK(describe(compile_exists(titles.query())) ==
          R"(SELECT EXISTS(SELECT DISTINCT "book"."title" AS "title" FROM "book"))");
}
