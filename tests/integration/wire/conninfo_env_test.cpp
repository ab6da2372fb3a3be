// Connection settings from outside the conninfo, against the throwaway cluster: the PG*
// environment variables, the password file, and URIs naming a unix socket directory or
// carrying percent-encoded passwords (libpq docs, "Connection Strings", "Environment Variables",
// "The Password File").
#include "support/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;

namespace {

// Sets environment variables for one scope and puts back what was there.
class scoped_env {
public:
    scoped_env() = default;
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;
    ~scoped_env() {
        for (auto& [name, old] : saved_) {
            if (old)
                ::setenv(name.c_str(), old->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    void set(const std::string& name, const std::string& value) {
        save(name);
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    void unset(const std::string& name) {
        save(name);
        ::unsetenv(name.c_str());
    }

private:
    void save(const std::string& name) {
        if (saved_.count(name)) return;
        const char* v = std::getenv(name.c_str());
        saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> saved_;
};

// A file with `contents` and permissions `mode`, removed at the end of the scope.
class temp_file {
public:
    explicit temp_file(const std::string& contents, mode_t mode = 0600) {
        char name[] = "/tmp/turbopg-conninfo-XXXXXX";
        int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        ::close(fd);
        path_ = name;
        std::ofstream(path_) << contents;
        ::chmod(path_.c_str(), mode);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() { std::remove(path_.c_str()); }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

struct session {
    bool ok = false;
    std::string user, application_name, statement_timeout;
    bool tls = false;
    std::error_code ec;
    std::string message;
};

session attempt(const std::string& conninfo) {
    return run([&]() -> awaitable<session> {
        session s;
        try {
            auto c = co_await connection::connect(co_await asio::this_coro::executor, conninfo);
            s.ok = true;
            s.tls = c.tls_in_use();
            std::tie(s.user, s.application_name, s.statement_timeout) =
                co_await c.query_one<std::tuple<std::string, std::string, std::string>>(
                    "select current_user::text, current_setting('application_name'), "
                    "current_setting('statement_timeout')");
            co_await c.close();
        } catch (const error& e) {
            s.ec = e.code();
            s.message = e.what();
        }
        co_return s;
    });
}

// Runs `sql` as the superuser of test_url().
void admin(const std::string& sql) {
    run([&]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute(sql);
        co_await c.close();
    });
}

std::string host() {
    return cluster("TURBOPG_TEST_HOST");
}
std::string port() {
    return cluster("TURBOPG_TEST_PORT");
}
std::string dbname() {
    return cluster("TURBOPG_TEST_DBNAME");
}

} // namespace

TEST_CASE("PG* environment variables supply what the conninfo leaves out") {
    if (!have_cluster()) return;
    scoped_env env;
    env.set("PGHOST", host());
    env.set("PGPORT", port());
    env.set("PGDATABASE", dbname());
    env.set("PGUSER", "turbopg_scram");
    env.set("PGPASSWORD", "scram_pw");
    env.set("PGSSLMODE", "disable");
    env.set("PGAPPNAME", "from-env");
    env.set("PGOPTIONS", "-c statement_timeout=4321");
    env.set("PGCONNECT_TIMEOUT", "10");
    env.unset("PGSERVICE");
    env.unset("PGSERVICEFILE");
    auto s = attempt("");
    INFO(s.message);
    REQUIRE(s.ok);
    CHECK(s.user == "turbopg_scram");
    CHECK(s.application_name == "from-env");
    CHECK(s.statement_timeout == "4321ms");
    CHECK_FALSE(s.tls);

    // The conninfo's own settings win over the environment's.
    auto md5 = attempt("user=turbopg_md5 password=md5_pw application_name=mine");
    INFO(md5.message);
    REQUIRE(md5.ok);
    CHECK(md5.user == "turbopg_md5");
    CHECK(md5.application_name == "mine");
    auto tls = attempt("postgresql://?sslmode=require");
    INFO(tls.message);
    REQUIRE(tls.ok);
    CHECK(tls.tls);

    // A wrong PGPASSWORD is the server's refusal.
    env.set("PGPASSWORD", "nope");
    auto wrong = attempt("");
    CHECK(wrong.ec == errc::server_error);
    CHECK(wrong.message.find("28P01") != std::string::npos);
}

TEST_CASE("PGSERVICE and PGSERVICEFILE name the service to use") {
    if (!have_cluster()) return;
    temp_file services("[tp_env_service]\nhost=" + host() + "\nport=" + port() +
                       "\ndbname=" + dbname() +
                       "\nuser=turbopg_scram\npassword=scram_pw\nsslmode=disable\n"
                       "application_name=from-service\n");
    scoped_env env;
    for (auto v : {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGAPPNAME"})
        env.unset(v);
    env.set("PGSERVICEFILE", services.path());
    env.set("PGSERVICE", "tp_env_service");
    auto s = attempt("");
    INFO(s.message);
    REQUIRE(s.ok);
    CHECK(s.user == "turbopg_scram");
    CHECK(s.application_name == "from-service");
}

TEST_CASE("a password file supplies the password of the first matching line") {
    if (!have_cluster()) return;
    scoped_env env;
    env.unset("PGPASSWORD");
    auto socket_dir = cluster("TURBOPG_TEST_SOCKET_DIR");
    temp_file pgpass("# a comment\n"
                     "elsewhere:*:*:turbopg_scram:wrong\n" +
                     host() + ":" + port() + ":" + dbname() + ":turbopg_scram:scram_pw\n" + host() +
                     ":" + port() + ":" + dbname() + ":turbopg_scram:later_lines_lose\n" +
                     "*:*:*:turbopg_md5:md5_pw\n" + socket_dir + ":" + port() +
                     ":*:turbopg_password:password_pw\n");
    auto tcp = "host=" + host() + " port=" + port() + " dbname=" + dbname() +
               " sslmode=disable passfile=" + pgpass.path();
    auto scram = attempt(tcp + " user=turbopg_scram");
    INFO(scram.message);
    CHECK(scram.ok);
    auto md5 = attempt(tcp + " user=turbopg_md5");
    INFO(md5.message);
    CHECK(md5.ok);
    // A unix socket directory other than the default is matched by its path.
    auto unix_socket = attempt("host=" + socket_dir + " port=" + port() + " dbname=" + dbname() +
                               " user=turbopg_password passfile=" + pgpass.path());
    INFO(unix_socket.message);
    CHECK(unix_socket.ok);
    // Over TCP no line names turbopg_password.
    auto unmatched = attempt(tcp + " user=turbopg_password");
    CHECK(unmatched.ec == errc::auth_failed);
    // A password in the conninfo wins over the file.
    auto explicit_password = attempt(tcp + " user=turbopg_scram password=nope");
    CHECK(explicit_password.message.find("28P01") != std::string::npos);
    // PGPASSFILE names the file when the conninfo does not.
    env.set("PGPASSFILE", pgpass.path());
    auto from_env = attempt("host=" + host() + " port=" + port() + " dbname=" + dbname() +
                            " sslmode=disable user=turbopg_md5");
    INFO(from_env.message);
    CHECK(from_env.ok);
}

TEST_CASE("a password file that group or others may read is ignored") {
    if (!have_cluster()) return;
    scoped_env env;
    env.unset("PGPASSWORD");
    temp_file pgpass("*:*:*:turbopg_scram:scram_pw\n", 0644);
    auto s = attempt("host=" + host() + " port=" + port() + " dbname=" + dbname() +
                     " sslmode=disable user=turbopg_scram passfile=" + pgpass.path());
    CHECK_FALSE(s.ok);
    CHECK(s.ec == errc::auth_failed);
}

TEST_CASE("a password file's escaped ':' and '\\' in a password") {
    if (!have_cluster()) return;
    scoped_env env;
    env.unset("PGPASSWORD");
    temp_file pgpass("*:*:*:turbopg_password:a\\:b\\\\c\n");
    admin(R"(alter role turbopg_password password 'a:b\c')");
    auto s = attempt("host=" + host() + " port=" + port() + " dbname=" + dbname() +
                     " sslmode=disable user=turbopg_password passfile=" + pgpass.path());
    admin("alter role turbopg_password password 'password_pw'");
    INFO(s.message);
    CHECK(s.ok);
}

TEST_CASE("URIs: a percent-encoded socket directory, ?host=, and a percent-encoded password") {
    if (!have_cluster()) return;
    auto socket_dir = cluster("TURBOPG_TEST_SOCKET_DIR");
    std::string encoded_dir;
    for (char ch : socket_dir) {
        if (ch == '/')
            encoded_dir += "%2F";
        else
            encoded_dir += ch;
    }
    auto in_netloc = attempt("postgresql://turbopg_scram:scram_pw@" + encoded_dir + ":" + port() +
                             "/" + dbname());
    INFO(in_netloc.message);
    CHECK(in_netloc.ok);
    auto in_query = attempt("postgresql:///" + dbname() + "?host=" + socket_dir +
                            "&port=" + port() + "&user=turbopg_trust&application_name=a%20b");
    INFO(in_query.message);
    CHECK(in_query.ok);
    CHECK(in_query.application_name == "a b");

    // A password with every character a URI gives a meaning to, and one SASLprep maps: the
    // server keeps the SCRAM verifier of "p@ss:w/rd%?&=#fi", and so must the client compute.
    admin("alter role turbopg_scram password 'p@ss:w/rd%?&=#\xef\xac\x81'"); // U+FB01 "fi"
    auto tcp =
        "postgresql://turbopg_scram:" + std::string("p%40ss%3Aw%2Frd%25%3F%26%3D%23%EF%AC%81") +
        "@" + host() + ":" + port() + "/" + dbname() + "?sslmode=disable";
    auto special = attempt(tcp);
    auto mapped = attempt("postgresql://turbopg_scram:p%40ss%3Aw%2Frd%25%3F%26%3D%23fi@" + host() +
                          ":" + port() + "/" + dbname() + "?sslmode=disable");
    admin("alter role turbopg_scram password 'scram_pw'");
    {
        INFO(special.message);
        CHECK(special.ok);
    }
    {
        INFO(mapped.message);
        CHECK(mapped.ok);
    }
}
