// Environment variables, defaults and the host/port lists.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace std::chrono_literals;
using turbopg::test::config_error;
using turbopg::test::fake_env;
using turbopg::test::parse;

TEST_CASE("env: every PG* variable fills its keyword") {
    fake_env env;
    env.vars = {
        {"PGHOST", "h1,h2"},
        {"PGHOSTADDR", "192.0.2.1,192.0.2.2"},
        {"PGPORT", "6000"},
        {"PGDATABASE", "envdb"},
        {"PGUSER", "envuser"},
        {"PGPASSWORD", "envpw"},
        {"PGPASSFILE", "/etc/pgpass"},
        {"PGSSLMODE", "verify-full"},
        {"PGSSLROOTCERT", "/ca.crt"},
        {"PGSSLCERT", "/c.crt"},
        {"PGSSLKEY", "/c.key"},
        {"PGAPPNAME", "envapp"},
        {"PGOPTIONS", "-c work_mem=64MB"},
        {"PGCONNECT_TIMEOUT", "7"},
        {"PGTARGETSESSIONATTRS", "primary"},
        {"PGCHANNELBINDING", "require"},
        {"PGSSLSNI", "0"},
        {"PGGSSENCMODE", "disable"},
        {"PGCLIENTENCODING", "UTF8"},
        {"PGREQUIREAUTH", "scram-sha-256"},
        {"PGLOADBALANCEHOSTS", "random"},
        {"PGSSLCERTMODE", "disable"},
        {"PGSSLMINPROTOCOLVERSION", "TLSv1.3"},
        {"PGREQUIREPEER", "postgres"},
    };
    auto c = parse("", env);
    REQUIRE(c.endpoints.size() == 2);
    CHECK(c.endpoints[0].host == "h1");
    CHECK(c.endpoints[0].hostaddr == "192.0.2.1");
    CHECK(c.endpoints[1].host == "h2");
    CHECK(c.endpoints[1].hostaddr == "192.0.2.2");
    CHECK(c.endpoints[1].port == 6000);
    CHECK(c.dbname == "envdb");
    CHECK(c.user == "envuser");
    CHECK(c.password == "envpw");
    CHECK(c.passfile == "/etc/pgpass");
    CHECK(c.sslmode == ssl_mode::verify_full);
    CHECK(c.sslrootcert == "/ca.crt");
    CHECK(c.sslcert == "/c.crt");
    CHECK(c.sslkey == "/c.key");
    CHECK(c.application_name == "envapp");
    CHECK(c.options == "-c work_mem=64MB");
    CHECK(c.connect_timeout == 7s);
    CHECK(c.target_session_attrs == session_attrs::primary);
    CHECK(c.channel_binding == channel_binding_mode::require);
    CHECK_FALSE(c.sslsni);
    CHECK(c.gssencmode == gss_enc_mode::disable);
    CHECK(c.require_auth.allows(auth_method::scram_sha_256));
    CHECK_FALSE(c.require_auth.allows(auth_method::md5));
    CHECK(c.load_balance_hosts == load_balance_mode::random);
    CHECK(c.sslcertmode == ssl_cert_mode::disable);
    CHECK(c.ssl_min_protocol_version == tls_version::tls1_3);
    CHECK(c.requirepeer == "postgres");
}

TEST_CASE("env: the conninfo beats the environment, even with an empty value") {
    fake_env env;
    env.vars = {{"PGHOST", "envhost"},
                {"PGUSER", "envuser"},
                {"PGSSLMODE", "disable"},
                {"PGAPPNAME", "envapp"},
                {"PGPORT", "6000"}};
    auto c = parse("host=confhost user=confuser sslmode=require", env);
    CHECK(c.endpoints[0].host == "confhost");
    CHECK(c.endpoints[0].port == 6000); // not in the conninfo: from the environment
    CHECK(c.user == "confuser");
    CHECK(c.sslmode == ssl_mode::require);
    CHECK(c.application_name == "envapp");
    // Given empty: the default, not the environment.
    auto d = parse("host='' application_name=''", env);
    CHECK(d.endpoints[0].host == "/var/run/postgresql");
    CHECK(d.application_name.empty());
    // URIs too.
    auto u = parse("postgresql://urihost/db?sslmode=verify-ca", env);
    CHECK(u.endpoints[0].host == "urihost");
    CHECK(u.sslmode == ssl_mode::verify_ca);
    CHECK(u.user == "envuser");
}

TEST_CASE("env: values are validated like conninfo values") {
    fake_env env;
    env.vars["PGSSLMODE"] = "bogus";
    CHECK(config_error("", env) == R"(invalid sslmode value: "bogus")");
    CHECK(config_error("sslmode=disable", env) == "<no error>");
    fake_env port;
    port.vars["PGPORT"] = "fivefourthreetwo";
    CHECK(config_error("", port) ==
          R"(invalid integer value "fivefourthreetwo" for connection option "port")");
    fake_env timeout;
    timeout.vars["PGCONNECT_TIMEOUT"] = "";
    CHECK(config_error("", timeout) ==
          R"(invalid integer value "" for connection option "connect_timeout")");
    fake_env gss;
    gss.vars["PGGSSENCMODE"] = "require";
    CHECK(config_error("", gss).find("GSSAPI") != std::string::npos);
    fake_env attrs;
    attrs.vars["PGTARGETSESSIONATTRS"] = "any-old";
    CHECK(config_error("", attrs) == R"(invalid target_session_attrs value: "any-old")");
}

TEST_CASE("env: empty variables mean the default where libpq says so") {
    fake_env env;
    env.vars = {{"PGHOST", ""},     {"PGPORT", ""},     {"PGUSER", ""},
                {"PGDATABASE", ""}, {"PGPASSWORD", ""}, {"PGSSLROOTCERT", ""}};
    auto c = parse("", env);
    CHECK(c.endpoints[0].host == "/var/run/postgresql");
    CHECK(c.endpoints[0].port == 5432);
    CHECK(c.user == "alice");
    CHECK(c.dbname == "alice");
    CHECK(c.password.empty());
    CHECK(c.sslrootcert == env.home + "/.postgresql/root.crt");
}

TEST_CASE("env: PGREQUIRESSL=1 means require unless sslmode is set") {
    fake_env env;
    env.vars["PGREQUIRESSL"] = "1";
    CHECK(parse("", env).sslmode == ssl_mode::require);
    CHECK(parse("sslmode=allow", env).sslmode == ssl_mode::allow);
    env.vars["PGSSLMODE"] = "disable";
    CHECK(parse("", env).sslmode == ssl_mode::disable);
    fake_env off;
    off.vars["PGREQUIRESSL"] = "0";
    CHECK(parse("", off).sslmode == ssl_mode::prefer);
}

TEST_CASE("env: defaults like Debian's libpq") {
    fake_env env;
    auto c = parse("", env);
    REQUIRE(c.endpoints.size() == 1);
    CHECK(c.endpoints[0].host == "/var/run/postgresql");
    CHECK(c.endpoints[0].port == 5432);
    CHECK(c.endpoints[0].is_unix_socket());
    CHECK(c.endpoints[0].socket_path() == "/var/run/postgresql/.s.PGSQL.5432");
    CHECK(c.user == "alice");
    CHECK(c.dbname == "alice");
    CHECK(c.passfile == env.home + "/.pgpass");
    CHECK(c.sslrootcert == env.home + "/.postgresql/root.crt");
    CHECK(c.sslcert == env.home + "/.postgresql/postgresql.crt");
    CHECK(c.sslkey == env.home + "/.postgresql/postgresql.key");
    CHECK(c.sslcrl == env.home + "/.postgresql/root.crl");
    CHECK(c.sslcrldir.empty());
    // dbname defaults to the user actually used.
    CHECK(parse("user=bob", env).dbname == "bob");
}

TEST_CASE("env: no home directory, no OS user") {
    fake_env env;
    env.home.clear();
    auto c = parse("", env);
    CHECK(c.passfile.empty());
    CHECK(c.sslrootcert.empty());
    CHECK(c.sslcert.empty());
    env.user.clear();
    CHECK(config_error("", env) == "could not determine the local user name; set user or PGUSER");
    CHECK(parse("user=bob", env).user == "bob");
}

TEST_CASE("env: the real process environment is readable") {
    auto env = environment::process();
    REQUIRE(env.getenv);
    CHECK_FALSE(env.os_user.empty());
    CHECK(env.getenv("TURBOPG_SURELY_UNSET_VARIABLE_42") == std::nullopt);
    CHECK(env.getenv("PATH").has_value());
}

TEST_CASE("config endpoints: host, hostaddr and port lists") {
    auto c = parse("host=a,b,c port=5433");
    REQUIRE(c.endpoints.size() == 3);
    for (const auto& ep : c.endpoints)
        CHECK(ep.port == 5433); // one port applies to all hosts
    auto d = parse("host=a,b,c port=1,,3");
    CHECK(d.endpoints[0].port == 1);
    CHECK(d.endpoints[1].port == 5432); // empty entry = default
    CHECK(d.endpoints[2].port == 3);
    CHECK(config_error("host=a,b,c port=1,2") == "could not match 2 port numbers to 3 hosts");
    CHECK(config_error("host=a port=1,2") == "could not match 2 port numbers to 1 hosts");
    CHECK(config_error("host=a,b hostaddr=192.0.2.1") ==
          "could not match 2 host names to 1 hostaddr values");
    auto e = parse("hostaddr=192.0.2.1,192.0.2.2 host=x,");
    REQUIRE(e.endpoints.size() == 2);
    CHECK(e.endpoints[0].host == "x");
    CHECK(e.endpoints[1].host.empty());
    CHECK(e.endpoints[1].hostaddr == "192.0.2.2");
    CHECK(e.endpoints[1].display_host() == "192.0.2.2");
}

TEST_CASE("config endpoints: empty entries and unix sockets") {
    auto c = parse("host=,/tmp,db,@abstract port=5432,5433,5434,5435");
    REQUIRE(c.endpoints.size() == 4);
    CHECK(c.endpoints[0].host == "/var/run/postgresql");
    CHECK(c.endpoints[0].is_unix_socket());
    CHECK(c.endpoints[1].socket_path() == "/tmp/.s.PGSQL.5433");
    CHECK_FALSE(c.endpoints[2].is_unix_socket());
    CHECK(c.endpoints[2].socket_path().empty());
    CHECK(c.endpoints[3].is_unix_socket());
    CHECK(c.endpoints[3].socket_path() == "@abstract/.s.PGSQL.5435");
    // A hostaddr makes it TCP even when host looks like a directory.
    CHECK_FALSE(parse("host=/tmp hostaddr=127.0.0.1").endpoints[0].is_unix_socket());
    std::string long_dir = "/" + std::string(120, 'd');
    CHECK(config_error("host=" + long_dir).rfind("Unix-domain socket path \"" + long_dir, 0) == 0);
}
