// raw(): result columns map onto the model's fields by name.
#include "models.hpp"

#include <turbopg/orm/raw.hpp>

#include <doctest/doctest.h>

using namespace orm_test;
using namespace turbopg::orm;

TEST_CASE("raw() maps result columns to fields by name") {
    auto column = [](std::string name) {
        turbopg::wire::column_description c;
        c.name = std::move(name);
        return c;
    };
    const auto& book = model_of<Book>();
    std::vector<turbopg::wire::column_description> columns{column("pages"),  column("title"),
                                                           column("id"),     column("in_print"),
                                                           column("rating"), column("published")};
    std::string problem;
    CHECK(detail::raw_fields(book, columns, problem) == std::vector<std::size_t>{2, 1, 0, 5, 3, 4});
    CHECK(problem.empty());
    columns.push_back(column("colour"));
    CHECK(detail::raw_fields(book, columns, problem).empty());
    CHECK(problem ==
          "raw query column \"colour\" is not a field of orm_test::Book; fields are: id, "
          "title, pages, rating, published, in_print");
    columns.pop_back();
    columns.erase(columns.begin());
    problem.clear();
    CHECK(detail::raw_fields(book, columns, problem).empty());
    CHECK(problem == "raw query gives no column for orm_test::Book's pages (every field needs a "
                     "column of its name)");
    CHECK(describe(raw<Book>("SELECT * FROM book WHERE pages > $1", 5).sql()) ==
          "SELECT * FROM book WHERE pages > $1 [$1 = 5]");
}
