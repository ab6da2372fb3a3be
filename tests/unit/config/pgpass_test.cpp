// The password file.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace turbopg::wire;
using turbopg::test::fake_env;
using turbopg::test::parse;
using turbopg::test::temp_file;

namespace {

config with_passfile(const temp_file& f, const std::string& conninfo, fake_env env = {}) {
    return parse(conninfo + " passfile=" + f.path(), env);
}

std::optional<std::string> password(const temp_file& f, const std::string& conninfo) {
    auto c = with_passfile(f, conninfo);
    REQUIRE(c.endpoints.size() == 1);
    return c.password_for(c.endpoints[0]);
}

} // namespace

TEST_CASE("pgpass: exact fields, first match wins") {
    temp_file f("# hostname:port:database:username:password\n"
                "db.example:5432:shop:bob:first\n"
                "db.example:5432:shop:bob:second\n"
                "other:5432:shop:bob:other\n");
    CHECK(password(f, "host=db.example dbname=shop user=bob") == "first");
    CHECK(password(f, "host=other dbname=shop user=bob") == "other");
    CHECK(password(f, "host=db.example port=5433 dbname=shop user=bob") == std::nullopt);
    CHECK(password(f, "host=db.example dbname=shop2 user=bob") == std::nullopt);
    CHECK(password(f, "host=db.example dbname=shop user=bobby") == std::nullopt);
    CHECK(password(f, "host=db.exampl dbname=shop user=bob") == std::nullopt);
}

TEST_CASE("pgpass: wildcards, and more specific lines first") {
    temp_file f("db.example:*:shop:bob:specific\n"
                "*:*:*:bob:anydb\n"
                "*:6432:*:*:bouncer\n");
    CHECK(password(f, "host=db.example port=9 dbname=shop user=bob") == "specific");
    CHECK(password(f, "host=elsewhere dbname=x user=bob") == "anydb");
    CHECK(password(f, "host=elsewhere port=6432 dbname=x user=carol") == "bouncer");
    CHECK(password(f, "host=elsewhere dbname=x user=carol") == std::nullopt);
}

TEST_CASE("pgpass: escapes in fields and password, CRLF and comments") {
    temp_file f("#*:*:*:*:commented\r\n"
                "weird\\:host:*:d\\\\b:*:pa\\:ss\\\\word:ignored\r\n"
                "::1:5432:*:*:v6\n"
                "\\*:*:*:*:literal-star\n"
                "*:*:*:eve:\n"
                "*:*:*:eve:never\n"
                "short:5432:db:user\n");
    CHECK(password(f, "host=weird:host dbname=d\\\\b user=u") == "pa:ss\\word");
    CHECK(password(f, "hostaddr=::1 dbname=x user=u") == "v6"); // unescaped IPv6 matches too
    CHECK(password(f, "host=* dbname=x user=u") == "literal-star");
    CHECK(password(f, "host=star dbname=x user=eve") == std::nullopt); // empty: stops the search
    CHECK(password(f, "host=short dbname=db user=user") == std::nullopt);
}

TEST_CASE("pgpass: the default socket directory matches localhost") {
    temp_file f("localhost:5432:*:*:local\n"
                "/tmp:5432:*:*:tmpdir\n");
    CHECK(password(f, "") == "local");
    CHECK(password(f, "host=/var/run/postgresql") == "local");
    CHECK(password(f, "host=localhost") == "local");
    CHECK(password(f, "host=/tmp") == "tmpdir");
    CHECK(password(f, "host=/var/run/postgresql/") == std::nullopt); // compared as given
}

TEST_CASE("pgpass: hostaddr is matched when there is no host name, ports per endpoint") {
    temp_file f("192.0.2.1:5432:*:*:by-addr\n"
                "h2:5433:*:*:h2-pw\n");
    auto c = with_passfile(f, "hostaddr=192.0.2.1");
    CHECK(c.password_for(c.endpoints[0]) == "by-addr");
    auto d = with_passfile(f, "host=h1,h2 port=5432,5433");
    REQUIRE(d.endpoints.size() == 2);
    CHECK(d.password_for(d.endpoints[0]) == std::nullopt);
    CHECK(d.password_for(d.endpoints[1]) == "h2-pw");
    CHECK(d.endpoints[1].passfile_password == "h2-pw");
}

TEST_CASE("pgpass: an explicit password wins and the file is not read") {
    temp_file f("*:*:*:*:fromfile\n");
    auto c = with_passfile(f, "password=explicit");
    CHECK(c.password_for(c.endpoints[0]) == "explicit");
    CHECK_FALSE(c.endpoints[0].passfile_password);
    fake_env env;
    env.vars["PGPASSWORD"] = "fromenv";
    auto d = with_passfile(f, "", env);
    CHECK(d.password_for(d.endpoints[0]) == "fromenv");
}

TEST_CASE("pgpass: PGPASSFILE and the default ~/.pgpass") {
    temp_file f("*:*:*:*:viaenv\n");
    fake_env env;
    env.vars["PGPASSFILE"] = f.path();
    auto c = parse("", env);
    CHECK(c.password_for(c.endpoints[0]) == "viaenv");

    char dir[] = "/tmp/turbopg-config-home-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    std::string pgpass = std::string(dir) + "/.pgpass";
    {
        FILE* out = std::fopen(pgpass.c_str(), "w");
        REQUIRE(out != nullptr);
        std::fputs("*:*:*:*:fromhome\n", out);
        std::fclose(out);
        REQUIRE(::chmod(pgpass.c_str(), 0600) == 0);
        fake_env home;
        home.home = dir;
        auto d = parse("", home);
        CHECK(d.passfile == pgpass);
        CHECK(d.password_for(d.endpoints[0]) == "fromhome");
    }
    ::unlink(pgpass.c_str());
    ::rmdir(dir);
}

TEST_CASE("pgpass: group or world access ignores the file with a warning") {
    temp_file f("*:*:*:*:secret\n", 0644);
    auto c = with_passfile(f, "host=a,b");
    CHECK(c.password_for(c.endpoints[0]) == std::nullopt);
    CHECK(c.password_for(c.endpoints[1]) == std::nullopt);
    REQUIRE(c.warnings.size() == 1); // once, not once per host
    CHECK(c.warnings[0] == "password file \"" + f.path() +
                               "\" has group or world access; permissions should be u=rw (0600) "
                               "or less");
    temp_file g("*:*:*:*:secret\n", 0640);
    CHECK(with_passfile(g, "").warnings.size() == 1);
    temp_file h("*:*:*:*:secret\n", 0400);
    auto d = with_passfile(h, "");
    CHECK(d.warnings.empty());
    CHECK(d.password_for(d.endpoints[0]) == "secret");
}

TEST_CASE("pgpass: a non-regular file is ignored with a warning, a missing one silently") {
    char dir[] = "/tmp/turbopg-config-dir-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    auto c = parse(std::string("passfile=") + dir);
    CHECK(c.password_for(c.endpoints[0]) == std::nullopt);
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0] == "password file \"" + std::string(dir) + "\" is not a plain file");

    std::string fifo = std::string(dir) + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto d = parse("passfile=" + fifo); // must not block
    CHECK(d.warnings.size() == 1);
    ::unlink(fifo.c_str());
    ::rmdir(dir);

    auto e = parse("passfile=/nonexistent/turbopg/pgpass");
    CHECK(e.warnings.empty());
    CHECK(e.password_for(e.endpoints[0]) == std::nullopt);
}
