// libpq's session defaults from the environment: PGDATESTYLE, PGTZ and PGGEQO. libpq sends them
// in the startup packet as the datestyle, timezone and geqo settings (unless the value is
// "default"); they beat `-c` switches of the `options` setting. turbopg's parse_config() does
// not read them, so turbopg-query appends them to config::options as `-c name=value` switches,
// which the server applies after the earlier switches: the same precedence, the same values (a
// timestamptz prints as psql prints it with the same environment).
#pragma once

#include <turbopg/wire/config.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace turbopg::tools {

using getenv_function = std::function<std::optional<std::string>(std::string_view name)>;

void add_session_environment(wire::config& cfg, const getenv_function& getenv);

// `-c name=value` for the `options` setting, with spaces and backslashes escaped by a
// backslash as the server's option splitter expects.
std::string option_switch(std::string_view name, std::string_view value);

} // namespace turbopg::tools
