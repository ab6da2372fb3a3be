#include <turbopg/wire/error.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;

TEST_CASE("client error codes have their own category and readable messages") {
    std::error_code ec = errc::auth_method_unsupported;
    CHECK(ec.category().name() == std::string("turbopg"));
    CHECK(ec.message() == "authentication method not supported");
    CHECK(ec != std::error_code(errc::auth_failed));
}

TEST_CASE("a server error carries its diagnostics and reads like libpq") {
    server_diagnostics d;
    d.severity = "ERROR";
    d.sqlstate = "42P01";
    d.message = "relation \"nope\" does not exist";
    d.hint = "check the name";
    error e(d);
    CHECK(e.code() == errc::server_error);
    CHECK(e.sqlstate() == "42P01");
    REQUIRE(e.diagnostics());
    CHECK(e.diagnostics()->message == d.message);
    CHECK(std::string(e.what()) ==
          "ERROR:  relation \"nope\" does not exist (SQLSTATE 42P01)\nHINT:  check the name");
}

TEST_CASE("a client error has no SQLSTATE") {
    error e(errc::timeout, "statement timeout");
    CHECK(e.sqlstate().empty());
    CHECK(std::string(e.what()) == "statement timeout: timeout expired");
    CHECK_FALSE(e.diagnostics());
}
