// Reading conninfo strings: the key=value form and the URI form.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using turbopg::test::config_error;
using turbopg::test::fake_env;
using turbopg::test::parse;

TEST_CASE("conninfo: key=value pairs with optional blanks around '='") {
    auto c = parse("host=db.example port = 6432\tdbname= shop  user =bob\n password=pw");
    REQUIRE(c.endpoints.size() == 1);
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.endpoints[0].port == 6432);
    CHECK(c.dbname == "shop");
    CHECK(c.user == "bob");
    CHECK(c.password == "pw");
}

TEST_CASE("conninfo: single-quoted values with escapes") {
    auto c = parse(R"(application_name='my app' options='-c search_path=a\'b' password='x\\y')");
    CHECK(c.application_name == "my app");
    CHECK(c.options == "-c search_path=a'b");
    CHECK(c.password == "x\\y");
    // A backslash escapes outside quotes too, and '' is an empty value.
    auto d = parse(R"(application_name=a\ b options='' password=p\'q)");
    CHECK(d.application_name == "a b");
    CHECK(d.options.empty());
    CHECK(d.password == "p'q");
    // A quoted value may be followed directly by the next pair.
    auto e = parse("application_name='x'user=carol");
    CHECK(e.application_name == "x");
    CHECK(e.user == "carol");
}

TEST_CASE("conninfo: the last of a repeated keyword wins") {
    CHECK(parse("user=a user=b").user == "b");
}

TEST_CASE("conninfo: key=value syntax errors") {
    CHECK(config_error("host=a bogus") == R"(missing "=" after "bogus" in connection info string)");
    CHECK(config_error("mydb") == R"(missing "=" after "mydb" in connection info string)");
    CHECK(config_error("host = ") == "<no error>"); // an empty value
    CHECK(config_error("password='abc") == "unterminated quoted string in connection info string");
    CHECK(config_error("password='abc\\'") ==
          "unterminated quoted string in connection info string");
    CHECK(config_error("foo=1") == R"(invalid connection option "foo")");
    CHECK(config_error("Host=x") == R"(invalid connection option "Host")");
    CHECK(config_error("=x") == R"(invalid connection option "")");
}

TEST_CASE("conninfo: empty string takes everything from defaults") {
    auto c = parse("");
    REQUIRE(c.endpoints.size() == 1);
    CHECK(c.endpoints[0].host == "/var/run/postgresql");
    CHECK(c.user == "alice");
    CHECK(parse("   ").user == "alice");
}

TEST_CASE("conninfo URI: full form") {
    auto c =
        parse("postgresql://bob:s3cret@db.example:6432/shop?application_name=app&sslmode=require");
    REQUIRE(c.endpoints.size() == 1);
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.endpoints[0].port == 6432);
    CHECK(c.user == "bob");
    CHECK(c.password == "s3cret");
    CHECK(c.dbname == "shop");
    CHECK(c.application_name == "app");
    CHECK(c.sslmode == ssl_mode::require);
    // postgres:// is the same scheme.
    CHECK(parse("postgres://bob@h/db") == parse("postgresql://bob@h/db"));
}

TEST_CASE("conninfo URI: minimal and partial forms") {
    auto c = parse("postgresql://");
    CHECK(c.endpoints[0].host == "/var/run/postgresql");
    CHECK(c.dbname == "alice");
    CHECK(parse("postgresql://localhost").endpoints[0].host == "localhost");
    CHECK(parse("postgresql://localhost:5433").endpoints[0].port == 5433);
    CHECK(parse("postgresql://localhost/mydb").dbname == "mydb");
    CHECK(parse("postgresql://user@localhost").user == "user");
    auto d = parse("postgresql://user:@localhost"); // empty password = none
    CHECK(d.user == "user");
    CHECK(d.password.empty());
    CHECK(parse("postgresql://:pw@localhost").password == "pw");
    CHECK(parse("postgresql://:pw@localhost").user == "alice");
    // An empty path sets no database, so PGDATABASE still applies.
    fake_env env;
    env.vars["PGDATABASE"] = "fromenv";
    CHECK(parse("postgresql://localhost/", env).dbname == "fromenv");
    CHECK(parse("postgresql://localhost/?", env).dbname == "fromenv");
}

TEST_CASE("conninfo URI: IPv6 hosts in brackets") {
    auto c = parse("postgresql://[::1]:5433/db");
    CHECK(c.endpoints[0].host == "::1");
    CHECK(c.endpoints[0].port == 5433);
    CHECK(parse("postgresql://[2001:db8::1234]/database").endpoints[0].host == "2001:db8::1234");
    CHECK(parse("postgresql://[::1]").endpoints[0].port == 5432);
    CHECK(parse("postgresql://[::1]?sslmode=disable").sslmode == ssl_mode::disable);
    CHECK(
        config_error("postgresql://[::1") ==
        R"(end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://[::1")");
    CHECK(config_error("postgresql://[]:5432") ==
          R"(IPv6 host address may not be empty in URI: "postgresql://[]:5432")");
    CHECK(
        config_error("postgresql://[::1]x/db") ==
        R"(unexpected character "x" at position 19 in URI (expected ":" or "/"): "postgresql://[::1]x/db")");
}

TEST_CASE("conninfo URI: several hosts, each with or without a port") {
    auto c = parse("postgresql://h1:5433,h2,[::1]:5435/db?target_session_attrs=read-write");
    REQUIRE(c.endpoints.size() == 3);
    CHECK(c.endpoints[0].host == "h1");
    CHECK(c.endpoints[0].port == 5433);
    CHECK(c.endpoints[1].host == "h2");
    CHECK(c.endpoints[1].port == 5432); // empty entry in the port list = default
    CHECK(c.endpoints[2].host == "::1");
    CHECK(c.endpoints[2].port == 5435);
    CHECK(c.target_session_attrs == session_attrs::read_write);
    // A port list with one entry applies to every host.
    auto d = parse("postgresql://h1,h2/db?port=6000");
    CHECK(d.endpoints[0].port == 6000);
    CHECK(d.endpoints[1].port == 6000);
}

TEST_CASE("conninfo URI: percent-decoding everywhere") {
    auto c = parse("postgresql://us%40er:p%3Aw%2F%25@db%2Eexample/my%20db?application_name=a%26b");
    CHECK(c.user == "us@er");
    CHECK(c.password == "p:w/%");
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.dbname == "my db");
    CHECK(c.application_name == "a&b");
    CHECK(parse("postgresql:///db?options=-c%20x%3Dy+z").options == "-c x=y+z"); // '+' stays
    CHECK(config_error("postgresql://host/db%zz") == R"(invalid percent-encoded token: "db%zz")");
    CHECK(config_error("postgresql://host/db%4") == R"(invalid percent-encoded token: "db%4")");
    CHECK(config_error("postgresql://host/db%00") ==
          R"(forbidden value %00 in percent-encoded value: "db%00")");
    CHECK(config_error("postgresql://h?application_name=%G1") ==
          R"(invalid percent-encoded token: "%G1")");
}

TEST_CASE("conninfo URI: errors never quote the password") {
    std::string e = config_error("postgresql://bob:hunter2%zz@host/db");
    CHECK(e == "invalid percent-encoded token in a password");
    e = config_error("postgresql://h/db?password=hunter2%00");
    CHECK(e.find("hunter2") == std::string::npos);
    e = config_error("postgresql://bob:hunter2@[::1/db");
    CHECK(e.find("hunter2") == std::string::npos);
    CHECK(e.find("postgresql://bob:********@[::1/db") != std::string::npos);
    e = config_error("postgresql://h?password=hunter2&x=[");
    CHECK(e == R"(invalid URI query parameter: "x")");
    e = config_error("postgresql://[::1]x?password=hunter2&a=b");
    CHECK(e.find("hunter2") == std::string::npos);
    CHECK(e.find("?password=********&a=b") != std::string::npos);
}

TEST_CASE("conninfo URI: unix socket hosts") {
    auto c = parse("postgresql://%2Fvar%2Flib%2Fpostgresql/dbname");
    CHECK(c.endpoints[0].host == "/var/lib/postgresql");
    CHECK(c.endpoints[0].is_unix_socket());
    CHECK(c.dbname == "dbname");
    auto d = parse("postgresql:///dbname?host=/tmp&port=5433");
    CHECK(d.endpoints[0].host == "/tmp");
    CHECK(d.endpoints[0].socket_path() == "/tmp/.s.PGSQL.5433");
    CHECK(d.dbname == "dbname");
    // A query parameter overrides the netloc.
    CHECK(parse("postgresql://h1/db?host=h2").endpoints[0].host == "h2");
}

TEST_CASE("conninfo URI: query parameters") {
    auto c = parse("postgresql://h/db?connect_timeout=10&application_name=x&keepalives=0&");
    CHECK(c.connect_timeout == std::chrono::seconds(10));
    CHECK(c.application_name == "x");
    CHECK_FALSE(c.keepalives);
    CHECK(parse("postgresql://h/db?ssl=true").sslmode == ssl_mode::require); // JDBC's spelling
    CHECK(config_error("postgresql://h/db?sslmode=") == R"(invalid sslmode value: "")");
    CHECK(config_error("postgresql://h/db?ssl=false") == R"(invalid URI query parameter: "ssl")");
    CHECK(config_error("postgresql://h/db?foo=bar") == R"(invalid URI query parameter: "foo")");
    CHECK(config_error("postgresql://h/db?sslmode") ==
          R"(missing key/value separator "=" in URI query parameter: "sslmode")");
    CHECK(config_error("postgresql://h/db?application_name=1&&b=2") ==
          R"(missing key/value separator "=" in URI query parameter: "")");
    CHECK(config_error("postgresql://h/db?sslmode=a=b") ==
          R"(extra key/value separator "=" in URI query parameter: "sslmode")");
    CHECK(config_error("postgresql://h/db?port=abc") ==
          R"(invalid integer value "abc" for connection option "port")");
}

TEST_CASE("conninfo URI: an at-sign in the query needs escaping, as in libpq") {
    // libpq looks for user info up to the first '/', so an unescaped '@' after '?' is taken as
    // the end of user info.
    auto c = parse("postgresql://h/db?application_name=a%40b");
    CHECK(c.application_name == "a@b");
}

TEST_CASE("conninfo: only exact URI prefixes are URIs") {
    CHECK(config_error(" postgresql://h") ==
          R"(missing "=" after "postgresql://h" in connection info string)");
    CHECK(config_error("postgresql:/h") ==
          R"(missing "=" after "postgresql:/h" in connection info string)");
}
