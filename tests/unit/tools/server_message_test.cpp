// Server errors and notices printed like psql prints them, with the SQLSTATE of errors.
#include "../../../tools/server_message.hpp"

#include <doctest/doctest.h>

using turbopg::tools::describe_server_message;
using turbopg::wire::server_diagnostics;

namespace {
server_diagnostics error_of(std::string sqlstate, std::string message) {
    server_diagnostics d;
    d.severity = d.severity_nonlocalized = "ERROR";
    d.sqlstate = std::move(sqlstate);
    d.message = std::move(message);
    return d;
}
} // namespace

TEST_CASE("server_message: an error with its SQLSTATE on a line of its own") {
    auto d = error_of("42P01", "relation \"nope\" does not exist");
    CHECK(describe_server_message(d, "") ==
          "ERROR:  relation \"nope\" does not exist\nSQLSTATE: 42P01\n");
}

TEST_CASE("server_message: DETAIL, HINT, QUERY and CONTEXT in psql's order") {
    auto d = error_of("23505", "duplicate key value violates unique constraint \"x_pkey\"");
    d.detail = "Key (a)=(1) already exists.";
    d.hint = "Try another key.";
    d.internal_query = "insert into x values (1)";
    d.where = "PL/pgSQL function f() line 3 at SQL statement";
    CHECK(describe_server_message(d, "select f()") ==
          "ERROR:  duplicate key value violates unique constraint \"x_pkey\"\n"
          "DETAIL:  Key (a)=(1) already exists.\n"
          "HINT:  Try another key.\n"
          "QUERY:  insert into x values (1)\n"
          "CONTEXT:  PL/pgSQL function f() line 3 at SQL statement\n"
          "SQLSTATE: 23505\n");
}

TEST_CASE("server_message: the error position as psql's LINE and caret") {
    auto d = error_of("42703", "column \"nope\" does not exist");
    d.position = 8;
    CHECK(describe_server_message(d, "select nope;") == "ERROR:  column \"nope\" does not exist\n"
                                                        "LINE 1: select nope;\n"
                                                        "               ^\n"
                                                        "SQLSTATE: 42703\n");

    // On a later line; characters, not bytes, are counted; tabs show as spaces.
    d.position = 14;
    CHECK(describe_server_message(d, "select 'é',\n\tnope\n;") ==
          "ERROR:  column \"nope\" does not exist\n"
          "LINE 2:  nope\n"
          "         ^\n"
          "SQLSTATE: 42703\n");

    // "at end of input": the position is one past the last character.
    d = error_of("42601", "syntax error at end of input");
    d.position = 11;
    CHECK(describe_server_message(d, "select 1 +") == "ERROR:  syntax error at end of input\n"
                                                      "LINE 1: select 1 +\n"
                                                      "                  ^\n"
                                                      "SQLSTATE: 42601\n");
}

TEST_CASE("server_message: the internal position points into the internal query") {
    auto d = error_of("42703", "column \"nope\" does not exist");
    d.internal_query = "select nope";
    d.internal_position = 8;
    CHECK(describe_server_message(d, "do $$ ... $$") == "ERROR:  column \"nope\" does not exist\n"
                                                        "LINE 1: select nope\n"
                                                        "               ^\n"
                                                        "QUERY:  select nope\n"
                                                        "SQLSTATE: 42703\n");
}

TEST_CASE("server_message: notices show no CONTEXT and no SQLSTATE, like psql") {
    server_diagnostics d;
    d.severity = d.severity_nonlocalized = "NOTICE";
    d.sqlstate = "00000";
    d.message = "hi 1";
    d.where = "PL/pgSQL function inline_code_block line 1 at RAISE";
    CHECK(describe_server_message(d, "do $$ ... $$") == "NOTICE:  hi 1\n");
    d.severity = "WARNING";
    d.severity_nonlocalized = "WARNING";
    d.detail = "more";
    CHECK(describe_server_message(d, "") == "WARNING:  hi 1\nDETAIL:  more\n");
}

TEST_CASE("server_message: FATAL errors keep their severity") {
    auto d = error_of("57P01", "terminating connection due to administrator command");
    d.severity = d.severity_nonlocalized = "FATAL";
    CHECK(describe_server_message(d, "select 1") ==
          "FATAL:  terminating connection due to administrator command\nSQLSTATE: 57P01\n");
}
