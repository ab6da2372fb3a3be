// Dry SQL: what querysets compile to, with their parameters.
#include "models.hpp"

#include <turbopg/orm/queryset.hpp>

#include <doctest/doctest.h>

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
std::string select_books(std::string_view rest) {
    return "SELECT " + std::string(book_columns) + " FROM \"book\"" + std::string(rest);
}
} // namespace

TEST_CASE("all() selects every field, quoted and qualified") {
    CHECK(sql_of(objects<Book>().all()) == select_books(""));
}

TEST_CASE("a table name with a quote is quoted everywhere the model's columns appear") {
    CHECK(model_of<OddName>().quoted_table == R"("odd""name")");
    CHECK(sql_of(objects<OddName>().filter(F(&OddName::label) == "x").order_by("id")) ==
          R"(SELECT "odd""name"."id", "odd""name"."label" FROM "odd""name" WHERE )"
          R"("odd""name"."label" = $1 ORDER BY "odd""name"."id" [$1 = 'x'])");
}

TEST_CASE("parameters are encoded once; short ones held inline, long ones intact") {
    auto short_value = make_param(std::int64_t{42});
    CHECK(short_value.encoded.size() == 12); // Int32 length, then 8 bytes
    CHECK(describe(short_value) == "42");
    const std::string long_text(300, 'y');
    auto long_value = make_param(long_text);
    REQUIRE(long_value.encoded.size() == 304);
    CHECK(std::string_view(reinterpret_cast<const char*>(long_value.encoded.data()) + 4, 300) ==
          long_text);
    auto copied = long_value; // copies own their bytes
    long_value = make_param(std::string("z"));
    CHECK(describe(copied) == "'" + long_text + "'");
    CHECK(describe(long_value) == "'z'");
    CHECK(make_param(std::optional<std::int32_t>{}).is_null());
    CHECK_FALSE(make_param(std::int32_t{-1}).is_null()); // ff ff ff ff is a value, not NULL
    // A value of exactly the inline size and one byte more.
    CHECK(describe(make_param(std::string(param_bytes::inline_size - 4, 'a'))) ==
          "'" + std::string(param_bytes::inline_size - 4, 'a') + "'");
    CHECK(describe(make_param(std::string(param_bytes::inline_size - 3, 'b'))) ==
          "'" + std::string(param_bytes::inline_size - 3, 'b') + "'");
}

TEST_CASE("filter with typed comparisons binds values of the column's type") {
    CHECK(sql_of(objects<Book>().filter(F(&Book::pages) > 100)) ==
          select_books(R"( WHERE "book"."pages" > $1 [$1 = 100])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::pages) >= 100L)) ==
          select_books(R"( WHERE "book"."pages" >= $1 [$1 = 100])"));
    CHECK(objects<Book>().filter(F(&Book::pages) >= 100L).sql().params[0].type == 23);
    CHECK(sql_of(objects<Book>().filter(F(&Book::title) == "Dune")) ==
          select_books(R"( WHERE "book"."title" = $1 [$1 = 'Dune'])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::rating) == std::nullopt)) ==
          select_books(R"( WHERE "book"."rating" IS NULL)"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::rating) != std::nullopt)) ==
          select_books(R"( WHERE "book"."rating" IS NOT NULL)"));
    // SQL's <>, which leaves out the NULLs (exclude(F == 3.0) keeps them, as Django's).
    CHECK(sql_of(objects<Book>().filter(F(&Book::rating) != 3.0)) ==
          select_books(R"( WHERE "book"."rating" <> $1 [$1 = 3.000000])"));
}

TEST_CASE("several filters are ANDed; Q objects combine with & | ~") {
    auto qs = objects<Book>()
                  .filter(F(&Book::pages) > 100)
                  .filter((F(&Book::title) == "A") | ~(F(&Book::in_print) == true));
    CHECK(sql_of(qs) ==
          select_books(R"( WHERE "book"."pages" > $1 AND ("book"."title" = $2 OR NOT ()"
                       R"("book"."in_print" = $3)) [$1 = 100, $2 = 'A', $3 = true])"));
    CHECK(sql_of(objects<Book>().exclude(F(&Book::pages) < 10)) ==
          select_books(R"( WHERE NOT ("book"."pages" < $1) [$1 = 10])"));
}

TEST_CASE("a negated lookup on a NULLable column keeps the rows where it is NULL, as Django's") {
    // rating is std::optional: NOT (rating > 4) alone would drop the NULL ratings too.
    CHECK(sql_of(objects<Book>().exclude(F(&Book::rating) > 4.0)) ==
          select_books(R"( WHERE NOT ("book"."rating" > $1 AND "book"."rating" IS NOT NULL))"
                       R"( [$1 = 4.000000])"));
    CHECK(sql_of(objects<Book>().exclude("rating__gt", 4.0)) ==
          select_books(R"( WHERE NOT ("book"."rating" > $1 AND "book"."rating" IS NOT NULL))"
                       R"( [$1 = 4.000000])"));
    CHECK(sql_of(objects<Book>().filter(~(F(&Book::rating) > 4.0) | (F(&Book::pages) > 9))) ==
          select_books(R"( WHERE (NOT ("book"."rating" > $1 AND "book"."rating" IS NOT NULL))"
                       R"( OR "book"."pages" > $2) [$1 = 4.000000, $2 = 9])"));
    // A NULLable column on the right counts too.
    CHECK(sql_of(objects<Book>().exclude(F(&Book::pages) < F(&Book::rating))) ==
          select_books(R"( WHERE NOT ("book"."pages" < "book"."rating" AND "book"."rating")"
                       R"( IS NOT NULL))"));
    // Not for a column that cannot be NULL, a NOT NOT, isnull, or a comparison with NULL.
    CHECK(sql_of(objects<Book>().exclude(F(&Book::pages) > 9)) ==
          select_books(R"( WHERE NOT ("book"."pages" > $1) [$1 = 9])"));
    CHECK(sql_of(objects<Book>().exclude(~(F(&Book::rating) > 4.0))) ==
          select_books(R"( WHERE NOT (NOT ("book"."rating" > $1)) [$1 = 4.000000])"));
    CHECK(sql_of(objects<Book>().exclude("rating__isnull", true)) ==
          select_books(R"( WHERE NOT ("book"."rating" IS NULL))"));
    CHECK(sql_of(objects<Book>().exclude(F(&Book::rating) == std::nullopt)) ==
          select_books(R"( WHERE NOT ("book"."rating" IS NULL))"));
    // Nor in a subquery, whose WHERE is its own.
    auto rated = Exists(objects<Book>().filter(F(&Book::rating) > 1.0));
    CHECK(sql_of(objects<BookAuthor>().order_by().filter(~rated))
              .ends_with(R"(WHERE "book"."rating" > $1)) [$1 = 1.000000])"));
}

TEST_CASE("string lookups resolve against the model") {
    CHECK(sql_of(objects<Book>().filter("pages__gte", 100)) ==
          select_books(R"( WHERE "book"."pages" >= $1 [$1 = 100])"));
    CHECK(sql_of(objects<Book>().filter("title__icontains", "du_n%")) ==
          select_books(R"( WHERE UPPER("book"."title"::text) LIKE UPPER($1) [$1 = '%du\_n\%%'])"));
    CHECK(sql_of(objects<Book>().filter("published__year", 2020)) ==
          select_books(R"( WHERE (EXTRACT(YEAR FROM "book"."published"))::int4 = $1 [$1 = 2020])"));
    CHECK(sql_of(objects<Book>().filter(Q("pk", 7))) ==
          select_books(R"( WHERE "book"."id" = $1 [$1 = 7])"));
    // isnull takes its value into the SQL, whether resolved at filter() or when compiling (Q).
    CHECK(sql_of(objects<Book>().filter("rating__isnull", true)) ==
          select_books(R"( WHERE "book"."rating" IS NULL)"));
    CHECK(sql_of(objects<Book>().filter("rating__isnull", false)) ==
          select_books(R"( WHERE "book"."rating" IS NOT NULL)"));
    CHECK(sql_of(objects<Book>().filter(Q("rating__isnull", false))) ==
          select_books(R"( WHERE "book"."rating" IS NOT NULL)"));
    CHECK(sql_of(objects<Book>().filter(Q("rating__isnull", true))) ==
          select_books(R"( WHERE "book"."rating" IS NULL)"));
    CHECK_THROWS_WITH_AS(objects<Book>().filter("rating__isnull", 1),
                         "the value of an isnull lookup must be true or false", field_error);
    CHECK_THROWS_WITH_AS(objects<Book>().filter("titel__gte", 1),
                         "cannot resolve field \"titel\" of orm_test::Book; choices are: id, "
                         "title, pages, rating, published, in_print",
                         field_error);
    CHECK_THROWS_AS(objects<Book>().filter("pages__bigger", 1), field_error);
}

TEST_CASE("a range lookup by name takes both bounds in one array, and rejects anything else") {
    // The array is sent once.
    CHECK(sql_of(objects<Book>().filter("pages__range", std::vector<std::int32_t>{10, 20})) ==
          select_books(R"( WHERE "book"."pages" BETWEEN ($1)[1] AND ($1)[2] [$1 = <int4[]>])"));
    CHECK(
        sql_of(objects<Book>().exclude(Q("pages__range", std::vector<std::int32_t>{1, 2}))) ==
        select_books(R"( WHERE NOT ("book"."pages" BETWEEN ($1)[1] AND ($1)[2]) [$1 = <int4[]>])"));
    const char* needs_two = R"(the value of "pages__range" must hold the two bounds, e.g. )"
                            R"(std::vector{low, high})";
    CHECK_THROWS_WITH_AS(objects<Book>().filter("pages__range", 10), needs_two, field_error);
    CHECK_THROWS_WITH_AS(objects<Book>().filter("pages__range", std::vector<std::int32_t>{1}),
                         needs_two, field_error);
    CHECK_THROWS_WITH_AS(objects<Book>().filter("pages__range", std::vector<std::int32_t>{1, 2, 3}),
                         needs_two, field_error);
}

TEST_CASE("typed lookups") {
    CHECK(sql_of(objects<Book>().filter(F(&Book::title).startswith("Du"))) ==
          select_books(R"( WHERE "book"."title"::text LIKE $1 [$1 = 'Du%'])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::pages).in({1, 2, 3}))) ==
          select_books(R"( WHERE "book"."pages" = ANY($1) [$1 = <int4[]>])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::pages).range(10, 20))) ==
          select_books(R"( WHERE "book"."pages" BETWEEN $1 AND $2 [$1 = 10, $2 = 20])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::rating).isnull())) ==
          select_books(R"( WHERE "book"."rating" IS NULL)"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::title).iregex("^d"))) ==
          select_books(R"( WHERE "book"."title"::text ~* $1 [$1 = '^d'])"));
    CHECK(sql_of(objects<Book>().filter(F(&Book::published).week_day() == 1)) ==
          select_books(R"( WHERE (EXTRACT(DOW FROM "book"."published") + 1)::int4 = $1 [$1 = 1])"));
}

TEST_CASE("every lookup and date transform, typed and by name") {
    // What follows FROM "book".
    auto rest = [](const auto& qs) {
        constexpr std::string_view from = R"( FROM "book")";
        auto sql = sql_of(qs);
        return sql.substr(sql.find(from) + from.size());
    };
    const auto title = F(&Book::title);
    const auto pages = F(&Book::pages);
    const auto published = F(&Book::published);
    auto books = objects<Book>();
    CHECK(rest(books.filter(title.exact("Dune"))) == R"( WHERE "book"."title" = $1 [$1 = 'Dune'])");
    CHECK(rest(books.filter("title__exact", "Dune")) == rest(books.filter(title == "Dune")));
    CHECK(rest(books.filter(pages != 5)) == R"( WHERE "book"."pages" <> $1 [$1 = 5])");
    CHECK(rest(books.filter(title.iexact("dune"))) ==
          R"( WHERE UPPER("book"."title"::text) = UPPER($1) [$1 = 'dune'])");
    // LIKE patterns: the value's own %, _ and \ escaped, the wildcards added.
    CHECK(rest(books.filter(title.contains("u%"))) ==
          R"( WHERE "book"."title"::text LIKE $1 [$1 = '%u\%%'])");
    CHECK(rest(books.filter("title__icontains", "u_")) ==
          R"( WHERE UPPER("book"."title"::text) LIKE UPPER($1) [$1 = '%u\_%'])");
    CHECK(rest(books.filter(title.startswith("D"))) ==
          R"( WHERE "book"."title"::text LIKE $1 [$1 = 'D%'])");
    CHECK(rest(books.filter("title__istartswith", "d")) ==
          R"( WHERE UPPER("book"."title"::text) LIKE UPPER($1) [$1 = 'd%'])");
    CHECK(rest(books.filter(title.endswith("e\\"))) ==
          R"( WHERE "book"."title"::text LIKE $1 [$1 = '%e\\'])");
    CHECK(rest(books.filter("title__iendswith", "E")) ==
          R"( WHERE UPPER("book"."title"::text) LIKE UPPER($1) [$1 = '%E'])");
    CHECK(rest(books.filter(title.regex("^D"))) ==
          R"( WHERE "book"."title"::text ~ $1 [$1 = '^D'])");
    CHECK(rest(books.filter("title__iregex", "^d")) ==
          R"( WHERE "book"."title"::text ~* $1 [$1 = '^d'])");
    CHECK(rest(books.filter(pages.gt(5))) == R"( WHERE "book"."pages" > $1 [$1 = 5])");
    CHECK(rest(books.filter("pages__gte", 5)) == R"( WHERE "book"."pages" >= $1 [$1 = 5])");
    CHECK(rest(books.filter(pages.lt(5))) == R"( WHERE "book"."pages" < $1 [$1 = 5])");
    CHECK(rest(books.filter("pages__lte", 5)) == R"( WHERE "book"."pages" <= $1 [$1 = 5])");
    CHECK(rest(books.filter("pages__in", std::vector<std::int32_t>{1, 2})) ==
          R"( WHERE "book"."pages" = ANY($1) [$1 = <int4[]>])");

    // Date parts as integers; a second truncated (Django's), not rounded by the cast.
    CHECK(rest(books.filter(published.year() == 2020)) ==
          R"( WHERE (EXTRACT(YEAR FROM "book"."published"))::int4 = $1 [$1 = 2020])");
    CHECK(rest(books.filter(published.month() == 2)) ==
          R"( WHERE (EXTRACT(MONTH FROM "book"."published"))::int4 = $1 [$1 = 2])");
    CHECK(rest(books.filter("published__day", 3)) ==
          R"( WHERE (EXTRACT(DAY FROM "book"."published"))::int4 = $1 [$1 = 3])");
    CHECK(rest(books.filter("published__week_day", 1)) ==
          R"( WHERE (EXTRACT(DOW FROM "book"."published") + 1)::int4 = $1 [$1 = 1])");
    CHECK(rest(books.filter(published.hour() == 4)) ==
          R"( WHERE (EXTRACT(HOUR FROM "book"."published"))::int4 = $1 [$1 = 4])");
    CHECK(rest(books.filter("published__minute__lt", 5)) ==
          R"( WHERE (EXTRACT(MINUTE FROM "book"."published"))::int4 < $1 [$1 = 5])");
    CHECK(rest(books.filter(published.second() == 6)) ==
          R"( WHERE (FLOOR(EXTRACT(SECOND FROM "book"."published")))::int4 = $1 [$1 = 6])");
    CHECK(rest(books.filter(published.date() == std::chrono::sys_days{})) ==
          R"( WHERE ("book"."published")::date = $1 [$1 = <date>])");
    CHECK(rest(books.filter("published__date__gte", std::chrono::sys_days{})) ==
          R"( WHERE ("book"."published")::date >= $1 [$1 = <date>])");
    CHECK_THROWS_WITH_AS(books.filter("published__hours", 1),
                         doctest::Contains("unsupported lookup \"hours\""), field_error);
}

TEST_CASE("Value, RawSQL and RawQ: parameters, %% for a percent sign, one $n per value") {
    // A text Value is cast: sent untyped, it could stand where nothing tells its type.
    CHECK(sql_of(objects<Book>()
                     .filter(F(&Book::pages) > Value(3))
                     .values_list(Value("x"), Concat(F(&Book::title), Value("!")))) ==
          R"(SELECT ($1)::text AS "column_1", CONCAT("book"."title", ($2)::text) AS "column_2" )"
          R"(FROM "book" WHERE "book"."pages" > $3 [$1 = 'x', $2 = '!', $3 = 3])");
    CHECK(sql_of(objects<Book>()
                     .filter(RawQ("pages %% %s = 0", {make_param(2)}))
                     .values_list(RawSQL<std::int32_t>("pages * %s", {make_param(3)}))) ==
          R"(SELECT (pages * $1) AS "column_1" FROM "book" WHERE (pages % $2 = 0) )"
          R"([$1 = 3, $2 = 2])");
    // Grouped by the RawSQL an ordering reads, or selected and ordered by: its value once, so
    // that GROUP BY and ORDER BY hold one expression.
    auto bucket = RawSQL<std::int32_t>("pages %% %s", {make_param(7)});
    CHECK(sql_of(objects<Book>().values_list(F(&Book::in_print), Count()).order_by(bucket.asc())) ==
          R"(SELECT "book"."in_print" AS "in_print", COUNT(*) AS "column_2" FROM "book" )"
          R"(GROUP BY 1, (pages % $1) ORDER BY (pages % $1) [$1 = 7])");
    CHECK(sql_of(objects<Book>().values_list(bucket, Count()).order_by(bucket.desc())) ==
          R"(SELECT (pages % $1) AS "column_1", COUNT(*) AS "column_2" FROM "book" GROUP BY 1 )"
          R"(ORDER BY (pages % $1) DESC [$1 = 7])");
    CHECK_THROWS_WITH_AS(sql_of(objects<Book>().filter(RawQ("pages > %s"))),
                         "RawSQL has more %s placeholders than parameters: pages > %s", error);
    CHECK_THROWS_WITH_AS(sql_of(objects<Book>().filter(RawQ("pages > 1", {make_param(1)}))),
                         "RawSQL has fewer %s placeholders than parameters: pages > 1", error);
}

TEST_CASE("F expressions with arithmetic compare columns") {
    CHECK(sql_of(objects<Book>().filter(F(&Book::pages) > F(&Book::id) * 2)) ==
          select_books(R"( WHERE "book"."pages" > ("book"."id" * $1) [$1 = 2])"));
    // The common type of the operands, optional when either may be NULL (NULL * 2 is NULL).
    static_assert(std::is_same_v<decltype(F(&Book::pages) * 2.0)::value_type, double>);
    auto twice_rating = F(&Book::rating) * 2;
    static_assert(std::is_same_v<decltype(twice_rating)::value_type, std::optional<double>>);
    static_assert(std::is_same_v<decltype(F(&Book::id) + F(&Book::rating))::value_type,
                                 std::optional<double>>);
    CHECK(sql_of(objects<Book>().filter(twice_rating > 7)) ==
          select_books(R"( WHERE ("book"."rating" * $1) > $2 [$1 = 2.000000, $2 = 7.000000])"));
}

TEST_CASE("order_by, reverse, random, model default ordering") {
    CHECK(sql_of(objects<Book>().order_by(F(&Book::pages).desc(), "title")) ==
          select_books(R"( ORDER BY "book"."pages" DESC, "book"."title")"));
    CHECK(sql_of(objects<Book>().order_by(F(&Book::rating).desc().nulls_first())) ==
          select_books(R"( ORDER BY "book"."rating" DESC NULLS FIRST)"));
    CHECK(sql_of(objects<Book>().order_by(F(&Book::rating).asc().nulls_last()).reverse()) ==
          select_books(R"( ORDER BY "book"."rating" DESC NULLS FIRST)"));
    CHECK(sql_of(objects<Book>().order_by("?")) == select_books(" ORDER BY RANDOM()"));
    auto authors = sql_of(objects<BookAuthor>());
    CHECK(
        authors.ends_with(R"(FROM "authors" ORDER BY "authors"."created" DESC, "authors"."name")"));
    CHECK(sql_of(objects<BookAuthor>().order_by()).ends_with(R"(FROM "authors")"));
    CHECK(objects<BookAuthor>().ordered());
    CHECK_FALSE(objects<Book>().ordered());
    CHECK(objects<Book>().order_by("pages").ordered());
}

TEST_CASE("slicing becomes LIMIT/OFFSET parameters") {
    CHECK(sql_of(objects<Book>().slice(10, 30)) ==
          select_books(" LIMIT $1 OFFSET $2 [$1 = 20, $2 = 10]"));
    CHECK(sql_of(objects<Book>().slice(5)) == select_books(" OFFSET $1 [$1 = 5]"));
    CHECK(sql_of(objects<Book>().slice(0, 10).slice(2, 5)) ==
          select_books(" LIMIT $1 OFFSET $2 [$1 = 3, $2 = 2]"));
    CHECK(sql_of(objects<Book>().slice(0, 3).slice(5, 8)) ==
          select_books(" LIMIT $1 OFFSET $2 [$1 = 0, $2 = 5]"));
    CHECK_THROWS_AS(objects<Book>().slice(-1), error);
}

TEST_CASE("a sliced queryset is not filtered, reordered, reversed or made distinct") {
    // Each would apply before the LIMIT: slice(0, 10).reverse() (what last() does) would read the
    // end of the table, not of the ten.
    auto ten = objects<Book>().order_by("id").slice(0, 10);
    CHECK_THROWS_WITH_AS(ten.reverse(), "cannot reverse a queryset once a slice has been taken",
                         error);
    CHECK_THROWS_WITH_AS(ten.filter(F(&Book::pages) > 1),
                         "cannot filter a queryset once a slice has been taken", error);
    CHECK_THROWS_WITH_AS(ten.exclude("pages__gt", 1),
                         "cannot filter a queryset once a slice has been taken", error);
    CHECK_THROWS_WITH_AS(ten.order_by("-id"),
                         "cannot reorder a queryset once a slice has been taken", error);
    CHECK_THROWS_WITH_AS(objects<Book>().slice(5).distinct(),
                         "cannot make distinct a queryset once a slice has been taken", error);
    // Slicing again, and reading, stay allowed.
    CHECK(sql_of(ten.slice(2, 4)) == select_books(R"( ORDER BY "book"."id" LIMIT $1 OFFSET $2)"
                                                  R"( [$1 = 2, $2 = 2])"));
}

TEST_CASE("distinct, distinct on, select_for_update, only, defer") {
    CHECK(sql_of(objects<Book>().distinct()).starts_with("SELECT DISTINCT \"book\".\"id\""));
    CHECK(sql_of(objects<Book>().distinct_on("title").order_by("title"))
              .starts_with(R"(SELECT DISTINCT ON ("book"."title") "book"."id")"));
    CHECK(sql_of(objects<Book>().select_for_update({.nowait = true, .of = {}})) ==
          select_books(" FOR UPDATE NOWAIT"));
    CHECK(sql_of(objects<Book>().select_for_update({.skip_locked = true, .of = {"book"}})) ==
          select_books(R"( FOR UPDATE OF "book" SKIP LOCKED)"));
    CHECK(sql_of(objects<Book>().select_for_update({.of = {"self"}})) ==
          select_books(R"( FOR UPDATE OF "book")"));
    // In a subquery on the same table, "self" is its alias.
    auto locked_ids = objects<Book>().select_for_update({.of = {"self"}}).values_list(F(&Book::id));
    CHECK(sql_of(objects<Book>().only("id").filter(F(&Book::id).in(Subquery(locked_ids))))
              .ends_with(R"(FROM "book" U0 FOR UPDATE OF U0))"));
    CHECK(sql_of(objects<Book>().only("title")) ==
          R"(SELECT "book"."id", "book"."title" FROM "book")");
    CHECK(sql_of(objects<Book>().defer("title", "published")) ==
          R"(SELECT "book"."id", "book"."pages", "book"."rating", "book"."in_print" FROM "book")");
}

TEST_CASE("count, exists, update and delete statements") {
    auto qs = objects<Book>().filter(F(&Book::pages) > 100);
    CHECK(describe(compile_count(qs.query())) ==
          R"(SELECT COUNT(*) FROM "book" WHERE "book"."pages" > $1 [$1 = 100])");
    CHECK(describe(compile_count(qs.slice(0, 5).query())) ==
          "SELECT COUNT(*) FROM (" + select_books(R"( WHERE "book"."pages" > $1 LIMIT $2)") +
              R"() AS "subquery" [$1 = 100, $2 = 5])");
    CHECK(describe(compile_exists(qs.query())) ==
          "SELECT EXISTS(" + select_books(R"( WHERE "book"."pages" > $1) [$1 = 100])"));
    CHECK(describe(compile_update(qs.query(), {{"pages", F(&Book::pages).node()}})) ==
          R"(UPDATE "book" SET "pages" = "book"."pages" WHERE "book"."pages" > $1 [$1 = 100])");
    CHECK(describe(compile_delete(qs.query())) ==
          R"(DELETE FROM "book" WHERE "book"."pages" > $1 [$1 = 100])");
    CHECK(
        describe(compile_delete(qs.order_by("pages").slice(0, 2).query())) ==
        R"(DELETE FROM "book" WHERE "book"."id" IN (SELECT "book"."id" AS "id" FROM "book" WHERE "book"."pages" > $1 ORDER BY "book"."pages" LIMIT $2) [$1 = 100, $2 = 2])");
}

TEST_CASE("a queryset's representation shows its SQL; none() shows it is empty") {
    CHECK(objects<Book>().filter(F(&Book::pages) > 1).to_string() ==
          "<queryset orm_test::Book: " + select_books(R"( WHERE "book"."pages" > $1 [$1 = 1])") +
              ">");
    CHECK(objects<Book>().none().to_string() == "<queryset orm_test::Book: EmptyResultSet>");
}

TEST_CASE("a distinct queryset ordered by an expression it does not select selects it too") {
    // After the model's columns, unnamed; the objects are read from the columns before it.
    CHECK(sql_of(objects<Book>().distinct().order_by(Lower(F(&Book::title)).desc(), "pages")) ==
          "SELECT DISTINCT " + std::string(book_columns) +
              R"(, LOWER("book"."title") FROM "book" ORDER BY LOWER("book"."title") DESC, )"
              R"("book"."pages")");
    CHECK(sql_of(objects<Book>().only("title").distinct().order_by("pages")) ==
          R"(SELECT DISTINCT "book"."id", "book"."title", "book"."pages" FROM "book" )"
          R"(ORDER BY "book"."pages")");
    CHECK(sql_of(objects<Book>().distinct().order_by_random()) ==
          "SELECT DISTINCT " + std::string(book_columns) +
              R"(, RANDOM() FROM "book" ORDER BY )"
              R"(RANDOM())");
    // Unchanged: DISTINCT ON (its ORDER BY starts with its expressions, and PostgreSQL asks no
    // more), and the columns it selects anyway.
    CHECK(sql_of(objects<Book>().only("title").distinct_on("title").order_by("title", "pages")) ==
          R"(SELECT DISTINCT ON ("book"."title") "book"."id", "book"."title" FROM "book" )"
          R"(ORDER BY "book"."title", "book"."pages")");
    CHECK(sql_of(objects<Book>().distinct().order_by("-pages")) ==
          "SELECT DISTINCT " + std::string(book_columns) +
              R"( FROM "book" ORDER BY "book"."pages" DESC)");
}
