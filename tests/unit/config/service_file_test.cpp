// The connection service file: which file is read, what its group fills in, and libpq's
// errors for a missing service and a bad line.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

using namespace turbopg::wire;
using turbopg::test::config_error;
using turbopg::test::fake_env;
using turbopg::test::parse;
using turbopg::test::temp_file;

namespace {

// A directory in /tmp holding files written into it, removed at scope exit.
class temp_dir {
public:
    temp_dir() {
        char name[] = "/tmp/turbopg-service-test-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path_ = name;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        for (const auto& f : files_)
            std::remove(f.c_str());
        ::rmdir(path_.c_str());
    }
    void write(const std::string& name, std::string_view contents) {
        std::ofstream(path_ + "/" + name) << contents;
        files_.push_back(path_ + "/" + name);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::vector<std::string> files_;
};

constexpr std::string_view services = R"(# services of the shop
[other]
host=other.example

[prod]
  host=db.example
port=6432
dbname=shop
user=svc
user=ignored
sslmode=require

[after]
port=1
)";

// An environment that never finds the system-wide file of this machine.
fake_env no_system_file() {
    fake_env env;
    env.vars["PGSYSCONFDIR"] = "/nonexistent/turbopg-sysconfdir";
    return env;
}

} // namespace

TEST_CASE("service: the group fills what the conninfo does not set") {
    temp_file file(services);
    auto c = parse("service=prod servicefile=" + file.path() + " user=bob", no_system_file());
    REQUIRE(c.endpoints.size() == 1);
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.endpoints[0].port == 6432);
    CHECK(c.dbname == "shop");
    CHECK(c.user == "bob");
    CHECK(c.sslmode == ssl_mode::require);

    // The first value of a keyword in the group wins, and the group ends at the next one.
    auto d = parse("service=prod servicefile=" + file.path(), no_system_file());
    CHECK(d.user == "svc");
    CHECK(d.endpoints[0].port == 6432);

    // The URI form names it in its query.
    auto u = parse("postgresql://bob@/?service=prod&servicefile=" + file.path(), no_system_file());
    CHECK(u.endpoints[0].host == "db.example");
    CHECK(u.user == "bob");
}

TEST_CASE("service: its settings come before the environment's") {
    temp_file file(services);
    auto env = no_system_file();
    env.vars["PGHOST"] = "env.example";
    env.vars["PGDATABASE"] = "envdb";
    env.vars["PGAPPNAME"] = "from-env";
    env.vars["PGSERVICE"] = "prod";
    env.vars["PGSERVICEFILE"] = file.path();
    auto c = parse("", env);
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.dbname == "shop");
    CHECK(c.application_name == "from-env");
    // sslmode from the service counts as given: PGREQUIRESSL does not apply.
    env.vars["PGREQUIRESSL"] = "0";
    CHECK(parse("", env).sslmode == ssl_mode::require);
    // The conninfo's service and servicefile win over PGSERVICE and PGSERVICEFILE.
    temp_file other("[prod]\nhost=other-file.example\n[staging]\nhost=staging.example\n");
    CHECK(parse("servicefile=" + other.path(), env).endpoints[0].host == "other-file.example");
    CHECK(parse("service=staging servicefile=" + other.path(), env).endpoints[0].host ==
          "staging.example");
}

TEST_CASE("service: ~/.pg_service.conf first, then the system-wide pg_service.conf") {
    temp_dir home, sysconf;
    home.write(".pg_service.conf", "[prod]\nhost=home.example\n");
    sysconf.write("pg_service.conf", "[prod]\nhost=system.example\nport=7000\n"
                                     "[shared]\nhost=shared.example\n");
    fake_env env;
    env.home = home.path();
    env.vars["PGSYSCONFDIR"] = sysconf.path();
    // Found in the user's file: the system file is not read, not even for what the group lacks.
    auto c = parse("service=prod", env);
    CHECK(c.endpoints[0].host == "home.example");
    CHECK(c.endpoints[0].port == 5432);
    // Not in the user's file: the system file's group.
    CHECK(parse("service=shared", env).endpoints[0].host == "shared.example");
    // A PGSERVICEFILE that does not exist falls through to the system file, as in libpq.
    env.vars["PGSERVICEFILE"] = "/nonexistent/pg_service.conf";
    CHECK(parse("service=prod", env).endpoints[0].host == "system.example");
}

TEST_CASE("service: a group is `[name]` exactly, whatever follows the ']'") {
    temp_file file("[production]\nhost=wrong.example\n[prod] # the main one\nhost=right.example\n");
    auto env = no_system_file();
    env.vars["PGSERVICEFILE"] = file.path();
    CHECK(parse("service=prod", env).endpoints[0].host == "right.example");
    CHECK(parse("service=production", env).endpoints[0].host == "wrong.example");
    CHECK(config_error("service=pro", env) == R"(definition of service "pro" not found)");
}

TEST_CASE("service: libpq's errors for a missing service and a bad line of the group") {
    auto env = no_system_file();
    CHECK(config_error("service=prod", env) == R"(definition of service "prod" not found)");
    env.vars["PGSERVICE"] = "prod";
    CHECK(config_error("", env) == R"(definition of service "prod" not found)");

    auto error_in = [&](std::string_view group_line) {
        temp_file file("[ok]\nhost=x\n[prod]\nport=5433\n" + std::string(group_line) + "\n");
        auto message = config_error("service=prod servicefile=" + file.path(), env);
        auto where = "in service file \"" + file.path() + "\", line 5";
        CHECK(message.find(where) != std::string::npos);
        return message.substr(0, message.find(" in service file"));
    };
    CHECK(error_in("host") == "syntax error");
    CHECK(error_in("bogus=1") == "syntax error");
    CHECK(error_in("host = db.example") == "syntax error"); // no blanks around '=', as in libpq
    CHECK(error_in("service=other") == "nested service specifications not supported");
    CHECK(error_in("ldap://ldap.example/dc=example?uniqueMember?one?(cn=prod)") ==
          "LDAP lookups are not supported");

    // Lines outside the group are not looked at; a group's bad value fails where it is used.
    temp_file outside("[other]\nnot a setting\n[prod]\nport=abc\n");
    CHECK(config_error("service=prod servicefile=" + outside.path(), env) ==
          R"(invalid integer value "abc" for connection option "port")");
}
