// Dry SQL of the ORM's writes: INSERT ... RETURNING, UPDATE by primary key, bulk UPDATE from
// unnest, COPY, and the values taken from model objects.
#include "models.hpp"

#include <turbopg/orm/queryset.hpp>

#include <doctest/doctest.h>

using namespace orm_test;
using namespace turbopg::orm;

// Outside the anonymous namespace: clang 14 wants reflected models to have linkage.
namespace write_sql_test {
struct Counter {
    primary_key<> id;
};
// Fields named as bulk_update's batch position would be.
struct Ranked {
    primary_key<> id;
    int ordinality = 0;
    int ordinality_ = 0;
};
} // namespace write_sql_test
using write_sql_test::Counter;
using write_sql_test::Ranked;

namespace {

constexpr std::string_view book_returning =
    R"( RETURNING "book"."id", "book"."title", "book"."pages", "book"."rating", )"
    R"("book"."published", "book"."in_print")";
constexpr std::string_view author_returning =
    R"( RETURNING "authors"."id", "authors"."name", "authors"."created", "authors"."updated")";

Book dune() {
    Book b;
    b.title = "Dune";
    b.pages = 412;
    return b;
}

std::string insert_of(const std::vector<Book>& books, insert_options o = {}) {
    std::vector<row_values> rows;
    for (const auto& b : books)
        rows.push_back(detail::values_of(b));
    return describe(compile_insert(model_of<Book>(), rows, o));
}

std::vector<std::size_t> indexes(const model_info& m, std::vector<std::string> names) {
    std::vector<std::size_t> out;
    for (const auto& n : names)
        out.push_back(m.index_of(n));
    return out;
}
} // namespace

TEST_CASE("values_of: one parameter per member, none for an unset key or auto timestamps") {
    auto row = detail::values_of(dune());
    REQUIRE(row.size() == 6);
    CHECK_FALSE(row[0]);
    CHECK(describe(*row[1]) == "'Dune'");
    CHECK(describe(*row[2]) == "412");
    CHECK(describe(*row[3]) == "NULL");
    CHECK(describe(*row[5]) == "true");

    BookAuthor a;
    a.id = 7;
    a.name = "Frank";
    auto author = detail::values_of(a);
    CHECK(describe(*author[0]) == "7");
    CHECK_FALSE(author[2]);
    CHECK_FALSE(author[3]);
}

TEST_CASE("compile_insert leaves out an unset identity key and returns every column") {
    CHECK(insert_of({dune()}) ==
          R"(INSERT INTO "book" ("title", "pages", "rating", "published", "in_print") VALUES )"
          R"(($1, $2, $3, $4, $5))" +
              std::string(book_returning) +
              R"( [$1 = 'Dune', $2 = 412, $3 = NULL, $4 = <timestamptz>, $5 = true])");
}

TEST_CASE("compile_insert: several rows, DEFAULT for a key only some rows give") {
    auto given = dune();
    given.id = 40;
    given.rating = 4.5;
    auto sql = insert_of({dune(), given}, {.ignore_conflicts = true});
    CHECK(sql.starts_with(
        R"(INSERT INTO "book" ("id", "title", "pages", "rating", "published", "in_print") VALUES )"
        R"((DEFAULT, $1, $2, $3, $4, $5), ($6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING)" +
        std::string(book_returning) + " ["));
    CHECK(sql.find("$6 = 40, $7 = 'Dune', $8 = 412, $9 = 4.5") != std::string::npos);
}

TEST_CASE("compile_insert writes NOW() for auto timestamps, DEFAULT VALUES for nothing") {
    BookAuthor a;
    a.name = "Frank";
    auto row = detail::values_of(a);
    CHECK(describe(compile_insert(model_of<BookAuthor>(), std::span<const row_values>(&row, 1))) ==
          R"(INSERT INTO "authors" ("name", "created", "updated") VALUES ($1, NOW(), NOW()))" +
              std::string(author_returning) + " [$1 = 'Frank']");

    row_values empty(1);
    CHECK(describe(compile_insert(model_of<Counter>(), std::span<const row_values>(&empty, 1))) ==
          R"(INSERT INTO "counter" DEFAULT VALUES RETURNING "counter"."id")");
    std::vector<row_values> two(2, empty);
    CHECK_THROWS_AS(compile_insert(model_of<Counter>(), two), error);
    CHECK_THROWS_WITH_AS(compile_insert(model_of<Book>(), std::vector<row_values>{}),
                         "an INSERT of orm_test::Book needs at least one row", error);
}

TEST_CASE("compile_update_by_pk sets the fields given and auto_now, returning the row") {
    auto b = dune();
    b.id = 3;
    const auto& m = model_of<Book>();
    CHECK(describe(compile_update_by_pk(m, detail::values_of(b), indexes(m, {"pages", "title"}))) ==
          R"(UPDATE "book" SET "pages" = $1, "title" = $2 WHERE "book"."id" = $3)" +
              std::string(book_returning) + " [$1 = 412, $2 = 'Dune', $3 = 3]");

    BookAuthor a;
    a.id = 9;
    a.name = "Frank";
    const auto& am = model_of<BookAuthor>();
    CHECK(describe(compile_update_by_pk(am, detail::values_of(a), indexes(am, {"name"}))) ==
          R"(UPDATE "authors" SET "name" = $1, "updated" = NOW() WHERE "authors"."id" = $2)" +
              std::string(author_returning) + " [$1 = 'Frank', $2 = 9]");

    CHECK_THROWS_WITH_AS(compile_update_by_pk(m, detail::values_of(dune()), indexes(m, {"pages"})),
                         "the orm_test::Book has no primary key value (id): it is not saved",
                         error);
    CHECK_THROWS_WITH_AS(compile_update_by_pk(m, detail::values_of(b), {}),
                         "nothing to update in orm_test::Book", error);
}

TEST_CASE("compile_bulk_update: one statement from unnest of arrays, whatever the count") {
    std::vector<Book> books(3, dune());
    for (std::size_t i = 0; i < books.size(); ++i)
        books[i].id = static_cast<std::int64_t>(i + 1);
    books[1].rating = 2.5;
    const auto& m = model_of<Book>();
    static constexpr auto arrays_of = detail::column_array_makers<Book>();
    std::span<const Book> all(books);
    std::vector<param_value> arrays{arrays_of[0](all), arrays_of[2](all), arrays_of[1](all),
                                    arrays_of[3](all), arrays_of[5](all)};
    CHECK(arrays[0].type == turbopg::wire::oid::int8_array);
    CHECK(arrays[2].type == turbopg::wire::oid::text_array);
    CHECK(arrays[4].type == turbopg::wire::oid::bool_array);
    auto fields = indexes(m, {"pages", "title", "rating", "in_print"});
    auto sql = compile_bulk_update(objects<Book>().query(), fields, arrays);
    CHECK(sql.sql ==
          R"(UPDATE "book" SET "pages" = "u"."pages", "title" = "u"."title", "rating" = )"
          R"("u"."rating", "in_print" = "u"."in_print" FROM (SELECT DISTINCT ON ("id") * FROM )"
          R"(unnest($1::int8[], $2::int4[], $3::varchar(200)[], $4::float8[], $5::bool[]) )"
          R"(WITH ORDINALITY AS "u"("id", "pages", "title", "rating", "in_print", "ordinality") )"
          R"(ORDER BY "id", "ordinality") AS "u" WHERE "book"."id" = "u"."id")");
    CHECK(sql.params.size() == 5);

    const auto& am = model_of<BookAuthor>();
    std::vector<BookAuthor> authors(1);
    authors[0].id = 1;
    static constexpr auto author_arrays = detail::column_array_makers<BookAuthor>();
    std::vector<param_value> author_params{author_arrays[0](authors), author_arrays[1](authors)};
    auto authors_qs = objects<BookAuthor>();
    CHECK(compile_bulk_update(authors_qs.query(), indexes(am, {"name", "updated"}), author_params)
              .sql ==
          R"(UPDATE "authors" SET "name" = "u"."name", "updated" = NOW() FROM (SELECT DISTINCT )"
          R"(ON ("id") * FROM unnest($1::int4[], $2::text[]) WITH ORDINALITY AS "u"("id", )"
          R"("name", "ordinality") ORDER BY "id", "ordinality") AS "u" WHERE "authors"."id" = )"
          R"("u"."id")");
    CHECK_THROWS_AS(
        compile_bulk_update(authors_qs.query(), indexes(am, {"name"}), {author_params[0]}), error);

    // The batch position takes a name no updated column has.
    const auto& rm = model_of<Ranked>();
    std::vector<Ranked> ranked(1);
    ranked[0].id = 1;
    static constexpr auto ranked_arrays = detail::column_array_makers<Ranked>();
    std::vector<param_value> ranked_params{ranked_arrays[0](ranked), ranked_arrays[1](ranked),
                                           ranked_arrays[2](ranked)};
    CHECK(compile_bulk_update(objects<Ranked>().query(), indexes(rm, {"ordinality", "ordinality_"}),
                              ranked_params)
              .sql.find(R"( AS "u"("id", "ordinality", "ordinality_", "ordinality__") ORDER BY )"
                        R"("id", "ordinality__") AS "u" )") != std::string::npos);
}

TEST_CASE(
    "compile_bulk_update keeps to the queryset's rows, numbering its values after the arrays") {
    std::vector<Book> books(2, dune());
    books[0].id = 1;
    books[1].id = 2;
    const auto& m = model_of<Book>();
    static constexpr auto arrays_of = detail::column_array_makers<Book>();
    std::span<const Book> all(books);
    std::vector<param_value> arrays{arrays_of[0](all), arrays_of[2](all)};
    auto pages = indexes(m, {"pages"});
    const std::string head =
        R"(UPDATE "book" SET "pages" = "u"."pages" FROM (SELECT DISTINCT ON ("id") * FROM )"
        R"(unnest($1::int8[], $2::int4[]) WITH ORDINALITY AS "u"("id", "pages", "ordinality") )"
        R"(ORDER BY "id", "ordinality") AS "u" WHERE "book"."id" = "u"."id")";
    auto filtered = objects<Book>().filter(F(&Book::pages) > 100).exclude(F(&Book::title) == "x");
    CHECK(describe(compile_bulk_update(filtered.query(), pages, arrays))
              .ends_with(head + R"( AND "book"."pages" > $3 AND NOT ("book"."title" = $4) )"
                                R"([$1 = <int8[]>, $2 = <int4[]>, $3 = 100, $4 = 'x'])"));
    // A slice, or a filter on an aggregate, names its rows by primary key.
    auto sliced = objects<Book>().filter(F(&Book::pages) > 100).order_by("pages").slice(0, 5);
    CHECK(describe(compile_bulk_update(sliced.query(), pages, arrays))
              .ends_with(head +
                         R"( AND "book"."id" IN (SELECT "book"."id" AS "id" FROM "book" WHERE )"
                         R"("book"."pages" > $3 ORDER BY "book"."pages" LIMIT $4) )"
                         R"([$1 = <int8[]>, $2 = <int4[]>, $3 = 100, $4 = 5])"));
    auto grouped = objects<Book>().annotate("n", Count()).filter("n__gte", 2);
    CHECK(describe(compile_bulk_update(grouped.query(), pages, arrays))
              .ends_with(head +
                         R"( AND "book"."id" IN (SELECT "book"."id" AS "id" FROM "book" GROUP BY )"
                         R"(1 HAVING COUNT(*) >= $3) [$1 = <int8[]>, $2 = <int4[]>, )"
                         R"($3 = 2])"));
}

TEST_CASE("COPY writes every member but identity keys and auto timestamps") {
    constexpr auto book = detail::copy_members<Book>();
    static_assert(book.second == 5 && book.first[0] == 1 && book.first[4] == 5);
    constexpr auto author = detail::copy_members<BookAuthor>();
    static_assert(author.second == 1 && author.first[0] == 1);
    std::vector<std::size_t> columns{1, 2};
    CHECK(compile_copy_in(model_of<Book>(), columns) ==
          R"(COPY "book" ("title", "pages") FROM STDIN (FORMAT binary))");
}

TEST_CASE("select_by_pk and the parameter limit of a multi-row INSERT") {
    CHECK(describe(compile_select(select_by_pk(model_of<Book>(), make_param(std::int64_t{5})))) ==
          R"(SELECT "book"."id", "book"."title", "book"."pages", "book"."rating", )"
          R"("book"."published", "book"."in_print" FROM "book" WHERE "book"."id" = $1 [$1 = 5])");
    CHECK(max_rows_per_insert(5) == 13107);
    CHECK(max_rows_per_insert(65535) == 1);
    CHECK(max_rows_per_insert(0) == 1);
    CHECK(name_of(&Book::in_print) == "in_print");
}

TEST_CASE("append_returning turns compile_update's UPDATE into one that returns the row") {
    std::vector<assignment> set{{"pages", ast::make_param_node(make_param(7))}};
    auto sql = compile_update(select_by_pk(model_of<Book>(), make_param(std::int64_t{5})), set);
    append_returning(sql, model_of<Book>());
    CHECK(describe(sql) == R"(UPDATE "book" SET "pages" = $1 WHERE "book"."id" = $2)" +
                               std::string(book_returning) + " [$1 = 7, $2 = 5]");
}
