#include "config/service_file.hpp"

#include "config/conninfo.hpp"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <string_view>

namespace turbopg::wire::config_detail {
namespace {

constexpr std::string_view default_sysconfdir = "/etc/postgresql-common";

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Reads the group `service` of the file at `path` into `raw` (values already set win). Returns
// whether the group was there. As in libpq, the group's first line must be `[service]` (what
// follows the ']' is not looked at), it ends at the next group, and keywords are matched
// exactly: no blanks around the '='.
bool read_group(const std::string& path, std::string_view service, raw_settings& raw) {
    std::ifstream in(path);
    if (!in) fail("service file \"" + path + "\" not found");
    auto bad_line = [&](std::string_view what, int number) {
        fail(std::string(what) + " in service file \"" + path + "\", line " +
             std::to_string(number));
    };
    bool in_group = false;
    std::string text;
    for (int number = 1; std::getline(in, text); ++number) {
        std::string_view line = trim_blanks(text);
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '[') {
            if (in_group) return true;
            in_group = line.substr(1, service.size()) == service &&
                       line.size() > service.size() + 1 && line[service.size() + 1] == ']';
            continue;
        }
        if (!in_group) continue;
        if (line.starts_with("ldap")) bad_line("LDAP lookups are not supported", number);
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) bad_line("syntax error", number);
        std::string_view name = line.substr(0, eq);
        if (name == "service") bad_line("nested service specifications not supported", number);
        auto k = find_key(name);
        if (!k) bad_line("syntax error", number);
        auto& value = at(raw, *k);
        if (!value) value = std::string(line.substr(eq + 1));
    }
    return in_group;
}

} // namespace

void apply_service(raw_settings& raw, const environment& env) {
    auto getenv = [&](std::string_view name) -> std::string {
        auto v = env.getenv ? env.getenv(name) : std::nullopt;
        return v ? *v : std::string{};
    };
    auto given = [&](key k) {
        const auto& v = at(raw, k);
        return v ? *v : std::string{};
    };
    std::string service = given(key::service);
    if (service.empty()) service = getenv("PGSERVICE");
    if (service.empty()) return;

    std::string user_file = given(key::servicefile);
    if (user_file.empty()) user_file = getenv("PGSERVICEFILE");
    if (user_file.empty() && !env.home_directory.empty())
        user_file = env.home_directory + "/.pg_service.conf";
    if (!user_file.empty() && exists(user_file) && read_group(user_file, service, raw)) return;

    std::string sysconfdir = getenv("PGSYSCONFDIR");
    if (sysconfdir.empty()) sysconfdir = default_sysconfdir;
    std::string system_file = sysconfdir + "/pg_service.conf";
    if (exists(system_file) && read_group(system_file, service, raw)) return;
    fail("definition of service \"" + service + "\" not found");
}

} // namespace turbopg::wire::config_detail
