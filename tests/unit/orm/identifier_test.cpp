#include <turbopg/orm/identifier.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace turbopg::orm;

TEST_CASE("identifiers are always quoted, embedded quotes doubled") {
    CHECK(quote_identifier("book") == "\"book\"");
    CHECK(quote_identifier("we\"ird") == "\"we\"\"ird\"");
    CHECK(quote_identifier("\"a\"\"") == "\"\"\"a\"\"\"\"\""); // at both ends, twice
    CHECK(quote_identifier("\"") == "\"\"\"\"");
    CHECK(quote_identifier("Select") == "\"Select\"");
    CHECK_THROWS_AS(quote_identifier(""), std::invalid_argument);
    CHECK_THROWS_AS(quote_identifier(std::string_view("a\0b", 3)), std::invalid_argument);
}

TEST_CASE("type names become snake_case table names") {
    CHECK(snake_case("Book") == "book");
    CHECK(snake_case("BookAuthor") == "book_author");
    CHECK(snake_case("shop::OrderLine") == "order_line");
    CHECK(snake_case("HTTPRequest") == "http_request");
    CHECK(snake_case("Model2Thing") == "model2_thing");
    CHECK(snake_case("already_snake") == "already_snake");
}
