// environment::process(): the real process environment and user.
#include <turbopg/wire/config.hpp>

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

namespace turbopg::wire {
namespace {

struct passwd_entry {
    std::string name;
    std::string dir;
};

// The passwd entry of the effective user ID, like libpq's pg_fe_getusername().
std::optional<passwd_entry> current_user() {
    long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    for (;;) {
        passwd pw{};
        passwd* result = nullptr;
        int rc = ::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &result);
        if (rc == ERANGE && buf.size() < (std::size_t{1} << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || result == nullptr) return std::nullopt;
        return passwd_entry{pw.pw_name ? pw.pw_name : "", pw.pw_dir ? pw.pw_dir : ""};
    }
}

} // namespace

environment environment::process() {
    environment env;
    env.getenv = [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
    auto user = current_user();
    if (user) env.os_user = user->name;
    // libpq: $HOME when set, else the passwd entry's home directory.
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') {
        env.home_directory = home;
    } else if (user) {
        env.home_directory = user->dir;
    }
    return env;
}

} // namespace turbopg::wire
