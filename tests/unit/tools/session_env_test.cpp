// PGDATESTYLE, PGTZ and PGGEQO become `-c` switches of the options setting, as libpq sends them.
#include "../../../tools/session_env.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace turbopg::tools;

namespace {
getenv_function env_of(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
} // namespace

TEST_CASE("session_env: nothing set, nothing added") {
    turbopg::wire::config cfg;
    add_session_environment(cfg, env_of({}));
    CHECK(cfg.options.empty());
}

TEST_CASE("session_env: libpq's order, escaped, after the options given") {
    turbopg::wire::config cfg;
    cfg.options = "-c search_path=s";
    add_session_environment(
        cfg,
        env_of({{"PGTZ", "America/New_York"}, {"PGDATESTYLE", "SQL, DMY"}, {"PGGEQO", "off"}}));
    CHECK(cfg.options ==
          "-c search_path=s -c datestyle=SQL,\\ DMY -c timezone=America/New_York -c geqo=off");
}

TEST_CASE("session_env: \"default\" in any case is skipped, like libpq") {
    turbopg::wire::config cfg;
    add_session_environment(cfg, env_of({{"PGTZ", "DEFAULT"}, {"PGDATESTYLE", "ISO"}}));
    CHECK(cfg.options == "-c datestyle=ISO");
}

TEST_CASE("session_env: option_switch escapes whitespace and backslashes") {
    CHECK(option_switch("timezone", "UTC") == "-c timezone=UTC");
    CHECK(option_switch("x", "a b\\c\td") == "-c x=a\\ b\\\\c\\\td");
}
