// turbopg-query's command line.
#include "../../../tools/arguments.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

using namespace turbopg::tools;

namespace {
arguments parse(std::initializer_list<const char*> args) {
    std::vector<const char*> v(args);
    return parse_arguments(v);
}
action cmd(const char* sql) {
    return {action::kind::command, sql};
}
action file(const char* name) {
    return {action::kind::file, name};
}
} // namespace

TEST_CASE("arguments: -c and -f in order, values separate or attached") {
    auto a = parse({"postgresql://u@h/db", "-c", "select 1", "-fa.sql", "--command=select 2",
                    "--file", "-", "-c-1"});
    CHECK(a.conninfo == "postgresql://u@h/db");
    CHECK(a.actions == std::vector<action>{cmd("select 1"), file("a.sql"), cmd("select 2"),
                                           file("-"), cmd("-1")});
    CHECK_FALSE(a.help);
}

TEST_CASE("arguments: the conninfo may come anywhere, or not at all") {
    CHECK(parse({"-c", "select 1", "host=h dbname=d"}).conninfo == "host=h dbname=d");
    auto a = parse({"-c", "select 1"});
    CHECK(a.conninfo.empty());
    CHECK(a.actions.size() == 1);
    CHECK(parse({"--", "-weird"}).conninfo == "-weird");
    CHECK(parse({}).actions.empty());
}

TEST_CASE("arguments: a value may look like an option") {
    CHECK(parse({"-c", "--help"}).actions == std::vector<action>{cmd("--help")});
    CHECK(parse({"-c", ""}).actions == std::vector<action>{cmd("")});
}

TEST_CASE("arguments: --help and --version") {
    CHECK(parse({"--help"}).help);
    CHECK(parse({"-?"}).help);
    CHECK(parse({"-V"}).version);
    CHECK(parse({"--version"}).version);
}

TEST_CASE("arguments: usage errors") {
    CHECK_THROWS_WITH_AS(parse({"-c"}), "option requires an argument -- 'c'", usage_error);
    CHECK_THROWS_WITH_AS(parse({"--file"}), "option requires an argument -- 'f'", usage_error);
    CHECK_THROWS_WITH_AS(parse({"-x"}), "invalid option -- 'x'", usage_error);
    CHECK_THROWS_WITH_AS(parse({"--bogus"}), "unrecognized option '--bogus'", usage_error);
    CHECK_THROWS_WITH_AS(parse({"--help=1"}), "option '--help' doesn't allow an argument",
                         usage_error);
    CHECK_THROWS_WITH_AS(parse({"a", "b"}), "too many command-line arguments (first is \"b\")",
                         usage_error);
}
