// Helpers for the config tests: a fake environment, error capture and temporary files.
#pragma once

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/error.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

namespace turbopg::test {

// An environment with only the variables a test sets; home and user are fixed and the home
// directory does not exist, so no real ~/.pgpass is ever read.
struct fake_env {
    std::map<std::string, std::string, std::less<>> vars;
    std::string home = "/nonexistent/turbopg-test-home";
    std::string user = "alice";

    wire::environment get() const {
        wire::environment env;
        env.getenv = [vars = vars](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
        env.home_directory = home;
        env.os_user = user;
        return env;
    }
};

inline wire::config parse(std::string_view conninfo, const fake_env& env = {}) {
    return wire::parse_config(conninfo, env.get());
}

// The libpq-style message of the bad_config error that parsing `conninfo` throws (what()
// without the error category's suffix), or "<no error>".
inline std::string config_error(std::string_view conninfo, const fake_env& env = {}) {
    try {
        parse(conninfo, env);
    } catch (const wire::error& e) {
        CHECK(e.code() == wire::errc::bad_config);
        std::string what = e.what();
        std::string suffix = ": " + make_error_code(wire::errc::bad_config).message();
        if (what.size() >= suffix.size() &&
            what.compare(what.size() - suffix.size(), suffix.size(), suffix) == 0) {
            what.resize(what.size() - suffix.size());
        }
        return what;
    }
    return "<no error>";
}

// A file in /tmp with the given contents and mode, removed at scope exit.
class temp_file {
public:
    explicit temp_file(std::string_view contents, mode_t mode = 0600) {
        char name[] = "/tmp/turbopg-config-test-XXXXXX";
        int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        path_ = name;
        REQUIRE(::write(fd, contents.data(), contents.size()) ==
                static_cast<ssize_t>(contents.size()));
        ::close(fd);
        REQUIRE(::chmod(name, mode) == 0);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() { ::unlink(path_.c_str()); }

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

} // namespace turbopg::test
