#include "session_env.hpp"

#include <array>
#include <utility>

namespace turbopg::tools {
namespace {

bool is_default(std::string_view v) {
    constexpr std::string_view word = "default";
    if (v.size() != word.size()) return false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != word[i]) return false;
    }
    return true;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::string option_switch(std::string_view name, std::string_view value) {
    std::string out = "-c ";
    out += name;
    out += '=';
    for (char c : value) {
        if (c == '\\' || is_space(c)) out += '\\';
        out += c;
    }
    return out;
}

void add_session_environment(wire::config& cfg, const getenv_function& getenv) {
    // libpq's EnvironmentOptions, in its order.
    constexpr std::array<std::pair<std::string_view, std::string_view>, 3> settings{{
        {"PGDATESTYLE", "datestyle"},
        {"PGTZ", "timezone"},
        {"PGGEQO", "geqo"},
    }};
    for (const auto& [variable, setting] : settings) {
        auto value = getenv(variable);
        if (!value || is_default(*value)) continue;
        if (!cfg.options.empty()) cfg.options += ' ';
        cfg.options += option_switch(setting, *value);
    }
}

} // namespace turbopg::tools
