#include "listen/channel_sql.hpp"

#include <turbopg/wire/error.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::wire::listen;

TEST_CASE("channel names are sent as quoted identifiers, exactly as spelled") {
    CHECK(listen_sql("orders") == R"(LISTEN "orders")");
    CHECK(listen_sql("Mixed Case") == R"(LISTEN "Mixed Case")");
    CHECK(unlisten_sql(R"(say "hi")") == R"(UNLISTEN "say ""hi""")");
    CHECK(listen_sql("\"") == R"(LISTEN """")");
    CHECK(listen_sql("a;drop table x") == R"(LISTEN "a;drop table x")");
    CHECK(listen_sql("канал") == "LISTEN \"канал\"");
}

TEST_CASE("every channel of a set in one simple query") {
    CHECK(listen_sql(std::set<std::string, std::less<>>{}).empty());
    CHECK(listen_sql(std::set<std::string, std::less<>>{"b", "A \"x\""}) ==
          R"(LISTEN "A ""x""";LISTEN "b")");
}

TEST_CASE("channel names PostgreSQL cannot deliver to are refused") {
    auto refused = [](std::string_view name) {
        try {
            check_channel_name(name);
        } catch (const error& e) {
            CHECK(e.code() == errc::invalid_value);
            CHECK(std::string(e.what()).find("channel name") != std::string::npos);
            return true;
        }
        return false;
    };
    CHECK(refused(""));
    CHECK(refused(std::string_view("a\0b", 3)));
    CHECK(refused(std::string(64, 'x')));
    CHECK_FALSE(refused(std::string(63, 'x')));
    CHECK_FALSE(refused("with \"quotes\" and spaces"));
}
