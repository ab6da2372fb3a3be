#include "models.hpp"

#include <turbopg/orm/error.hpp>
#include <turbopg/orm/expressions.hpp>
#include <turbopg/orm/lookup.hpp>

#include <doctest/doctest.h>

using namespace orm_test;
using namespace turbopg::orm;

TEST_CASE("model reflection: member names, count and type name") {
    static_assert(field_count<Book>() == 6);
    static_assert(field_names<Book>[0] == "id");
    static_assert(field_names<Book>[1] == "title");
    static_assert(field_names<Book>[5] == "in_print");
    static_assert(type_name<Book> == "orm_test::Book");
    CHECK(field_index(&Book::pages) == 2);
    CHECK(field_index(&Book::in_print) == 5);
    CHECK(field_index(&BookAuthor::updated) == 3);
}

TEST_CASE("model_of describes columns from the member types") {
    const auto& m = model_of<Book>();
    CHECK(m.table == "book");
    REQUIRE(m.columns.size() == 6);
    CHECK(m.columns[0].sql_type == "int8");
    CHECK(m.columns[0].primary_key);
    CHECK(m.columns[0].identity);
    CHECK(m.pk == 0u);
    CHECK(m.columns[1].sql_type == "varchar(200)");
    CHECK(m.columns[2].sql_type == "int4");
    CHECK_FALSE(m.columns[2].nullable);
    CHECK(m.columns[3].sql_type == "float8");
    CHECK(m.columns[3].nullable);
    CHECK(m.columns[4].sql_type == "timestamptz");
    CHECK(m.columns[5].sql_type == "bool");
}

TEST_CASE("model meta: table, ordering, indexes, constraints, get_latest_by") {
    const auto& m = model_of<BookAuthor>();
    CHECK(m.table == "authors");
    CHECK(m.columns[0].sql_type == "int4");
    CHECK(m.columns[2].auto_now_add);
    CHECK(m.columns[3].auto_now);
    REQUIRE(m.ordering.size() == 2);
    CHECK(m.ordering[0].field == "created");
    CHECK(m.ordering[0].descending);
    CHECK(m.ordering[1].field == "name");
    REQUIRE(m.indexes.size() == 1);
    CHECK(m.index_names[0] == "authors_name_idx");
    REQUIRE(m.unique.size() == 1);
    CHECK(m.unique_names[0] == "authors_name_created_key");
    REQUIRE(m.checks.size() == 1);
    CHECK(m.checks[0].second == "name <> ''");
    CHECK(m.get_latest_by == "created");
}

TEST_CASE("an unknown field names itself and lists the valid ones") {
    CHECK_THROWS_WITH_AS(model_of<Book>().index_of("titel"),
                         "cannot resolve field \"titel\" of orm_test::Book; choices are: id, "
                         "title, pages, rating, published, in_print",
                         field_error);
}

TEST_CASE("a column is one shared node: F and a string lookup name it without building one") {
    const auto& m = model_of<BookAuthor>();
    REQUIRE(m.column_nodes.size() == m.columns.size());
    const auto& pages = model_of<Book>().column_nodes[2];
    CHECK(pages->k == ast::kind::column);
    CHECK(pages->text == "pages");
    CHECK(pages->table == "book");
    CHECK(F(&Book::pages).node() == pages);
    CHECK(resolve_field(model_of<Book>(), "pages") == pages);
    CHECK(resolve_field(model_of<Book>(), "pk") == model_of<Book>().column_nodes[0]);
    CHECK(m.column_nodes[0]->table == "authors"); // the table from the meta, not the struct name
}
