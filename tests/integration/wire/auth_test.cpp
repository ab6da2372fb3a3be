// Every authentication method x transport x sslmode of the throwaway cluster (scripts/pg/
// pg_hba.conf), including each refusal and its error.
#include "support/server.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;

namespace {

struct outcome {
    bool ok = false;
    std::string user;        // current_user when connected
    bool tls = false;        // TLS in use, as the client sees it
    bool server_tls = false; // ... and as the server sees it (pg_stat_ssl)
    std::error_code ec;
    std::string sqlstate;
    std::string message;
};

outcome attempt(const std::string& conninfo) {
    return run([&]() -> awaitable<outcome> {
        outcome o;
        try {
            auto c = co_await connection::connect(co_await asio::this_coro::executor, conninfo);
            o.ok = true;
            o.tls = c.tls_in_use();
            auto [user, ssl] = co_await c.query_one<std::tuple<std::string, bool>>(
                "select current_user::text, coalesce((select ssl from pg_stat_ssl where pid = "
                "pg_backend_pid()), false)");
            o.user = user;
            o.server_tls = ssl;
            co_await c.close();
        } catch (const error& e) {
            o.ec = e.code();
            o.sqlstate = e.sqlstate();
            o.message = e.what();
        }
        co_return o;
    });
}

std::string tcp(const std::string& extra) {
    return cluster_conninfo(extra);
}
std::string unix_socket(const std::string& extra) {
    return "host=" + cluster("TURBOPG_TEST_SOCKET_DIR") + " port=" + cluster("TURBOPG_TEST_PORT") +
           " dbname=" + cluster("TURBOPG_TEST_DBNAME") + " " + extra;
}
std::string ca() {
    return " sslrootcert=" + cluster("TURBOPG_TEST_SSLROOTCERT");
}

void expect_ok(const outcome& o, const std::string& user, bool tls) {
    INFO(o.message);
    REQUIRE(o.ok);
    CHECK(o.user == user);
    CHECK(o.tls == tls);
    CHECK(o.server_tls == tls);
}

} // namespace

TEST_CASE("every password method over TCP (plain and TLS) and the unix socket") {
    if (!have_cluster()) return;
    struct role {
        const char* user;
        const char* password;
    };
    for (auto r : {role{"turbopg_trust", ""}, role{"turbopg_password", "password_pw"},
                   role{"turbopg_md5", "md5_pw"}, role{"turbopg_scram", "scram_pw"}}) {
        CAPTURE(r.user);
        std::string login = std::string("user=") + r.user + " password='" + r.password + "'";
        expect_ok(attempt(tcp(login + " sslmode=disable")), r.user, false);
        expect_ok(attempt(tcp(login + " sslmode=require")), r.user, true);
        expect_ok(attempt(tcp(login + " sslmode=prefer")), r.user, true);
        expect_ok(attempt(tcp(login + " sslmode=allow")), r.user, false);
        expect_ok(attempt(tcp(login + " sslmode=verify-full" + ca())), r.user, true);
        // libpq never negotiates TLS over a unix socket, whatever sslmode says.
        expect_ok(attempt(unix_socket(login + " sslmode=require")), r.user, false);
    }
}

TEST_CASE("a wrong or missing password is refused with the server's message") {
    if (!have_cluster()) return;
    for (auto user : {"turbopg_password", "turbopg_md5", "turbopg_scram"}) {
        CAPTURE(user);
        auto o = attempt(tcp(std::string("user=") + user + " password=nope sslmode=disable"));
        CHECK_FALSE(o.ok);
        CHECK(o.ec == errc::server_error);
        CHECK(o.sqlstate == "28P01");
        CHECK(o.message.find("password authentication failed for user") != std::string::npos);

        auto none =
            attempt(tcp(std::string("user=") + user + " sslmode=disable passfile=/nonexistent"));
        CHECK(none.ec == errc::auth_failed);
        CHECK(none.message.find("no password was supplied") != std::string::npos);
    }
}

TEST_CASE("client certificate authentication") {
    if (!have_cluster()) return;
    auto certs =
        " sslcert=" + cluster("TURBOPG_TEST_SSLCERT") + " sslkey=" + cluster("TURBOPG_TEST_SSLKEY");
    expect_ok(attempt(tcp("user=turbopg_cert sslmode=require" + certs)), "turbopg_cert", true);
    expect_ok(attempt(tcp("user=turbopg_cert sslmode=verify-full" + certs + ca())), "turbopg_cert",
              true);
    auto without = attempt(tcp("user=turbopg_cert sslmode=require sslcert=/nonexistent"));
    CHECK(without.ec == errc::server_error);
    CHECK(without.sqlstate == "28000");
}

TEST_CASE("hostssl-only and hostnossl-only roles") {
    if (!have_cluster()) return;
    auto sslonly = std::string("user=turbopg_sslonly password=sslonly_pw");
    auto refused = attempt(tcp(sslonly + " sslmode=disable"));
    CHECK(refused.ec == errc::server_error);
    CHECK(refused.sqlstate == "28000");
    CHECK(refused.message.find("pg_hba.conf rejects connection") != std::string::npos);
    expect_ok(attempt(tcp(sslonly + " sslmode=require")), "turbopg_sslonly", true);
    // allow: plain first, refused, then TLS.
    expect_ok(attempt(tcp(sslonly + " sslmode=allow")), "turbopg_sslonly", true);

    auto nossl = std::string("user=turbopg_nossl password=nossl_pw");
    auto refused_tls = attempt(tcp(nossl + " sslmode=require"));
    CHECK(refused_tls.ec == errc::server_error);
    CHECK(refused_tls.sqlstate == "28000");
    expect_ok(attempt(tcp(nossl + " sslmode=disable")), "turbopg_nossl", false);
    // prefer: TLS first, refused by the server, then plain.
    expect_ok(attempt(tcp(nossl + " sslmode=prefer")), "turbopg_nossl", false);
}

TEST_CASE("certificate verification: verify-ca, verify-full, wrong root, wrong host name") {
    if (!have_cluster()) return;
    auto login = std::string("user=turbopg_scram password=scram_pw");
    expect_ok(attempt(tcp(login + " sslmode=verify-ca" + ca())), "turbopg_scram", true);
    expect_ok(attempt("host=localhost port=" + cluster("TURBOPG_TEST_PORT") +
                      " dbname=turbopg sslmode=verify-full " + login + ca()),
              "turbopg_scram", true);

    auto other =
        attempt(tcp(login + " sslmode=verify-ca sslrootcert=" + cluster("TURBOPG_TEST_OTHER_CA")));
    CHECK(other.ec == errc::tls_verification_failed);
    CHECK(other.message.find("certificate") != std::string::npos);

    // The certificate names localhost and 127.0.0.1, not this host.
    auto wrong_name =
        attempt("host=wrong.example hostaddr=127.0.0.1 port=" + cluster("TURBOPG_TEST_PORT") +
                " dbname=turbopg " + login + " sslmode=verify-full" + ca());
    CHECK(wrong_name.ec == errc::tls_verification_failed);
    // verify-ca does not check the name.
    expect_ok(attempt("host=wrong.example hostaddr=127.0.0.1 port=" + cluster("TURBOPG_TEST_PORT") +
                      " dbname=turbopg " + login + " sslmode=verify-ca" + ca()),
              "turbopg_scram", true);

    // Only hostaddr: nothing names the server, and libpq refuses rather than check the address.
    auto no_name = attempt("hostaddr=127.0.0.1 port=" + cluster("TURBOPG_TEST_PORT") +
                           " dbname=turbopg " + login + " sslmode=verify-full" + ca());
    CHECK(no_name.ec == errc::tls_verification_failed);
    CHECK(no_name.message.find("host name must be specified") != std::string::npos);
    expect_ok(attempt("hostaddr=127.0.0.1 port=" + cluster("TURBOPG_TEST_PORT") +
                      " dbname=turbopg " + login + " sslmode=verify-ca" + ca()),
              "turbopg_scram", true);

    auto missing_root = attempt(tcp(login + " sslmode=verify-ca sslrootcert=/nonexistent.crt"));
    CHECK(missing_root.ec == errc::bad_config);
    CHECK(missing_root.message.find("/nonexistent.crt") != std::string::npos);
}

TEST_CASE("a root certificate file makes allow, prefer and require verify the chain (libpq)") {
    if (!have_cluster()) return;
    auto login = std::string("user=turbopg_scram password=scram_pw");
    auto other = " sslrootcert=" + cluster("TURBOPG_TEST_OTHER_CA");
    expect_ok(attempt(tcp(login + " sslmode=require" + ca())), "turbopg_scram", true);
    auto require = attempt(tcp(login + " sslmode=require" + other));
    CHECK(require.ec == errc::tls_verification_failed);
    CHECK(require.message.find("certificate") != std::string::npos);

    // prefer: a certificate the root does not vouch for fails the TLS attempt, then plain works.
    expect_ok(attempt(tcp(login + " sslmode=prefer" + ca())), "turbopg_scram", true);
    expect_ok(attempt(tcp(login + " sslmode=prefer" + other)), "turbopg_scram", false);

    // allow: the hostssl-only role refuses plain, and TLS is verified.
    auto sslonly = std::string("user=turbopg_sslonly password=sslonly_pw");
    expect_ok(attempt(tcp(sslonly + " sslmode=allow" + ca())), "turbopg_sslonly", true);
    auto allow = attempt(tcp(sslonly + " sslmode=allow" + other));
    CHECK(allow.ec == errc::tls_verification_failed);
    CHECK(allow.message.find("certificate") != std::string::npos);
}

TEST_CASE("channel binding: SCRAM-SHA-256-PLUS over TLS, require refuses what cannot bind") {
    if (!have_cluster()) return;
    expect_ok(attempt(tcp("user=turbopg_scram password=scram_pw sslmode=require "
                          "channel_binding=require")),
              "turbopg_scram", true);
    auto plain = attempt(tcp("user=turbopg_scram password=scram_pw sslmode=disable "
                             "channel_binding=require"));
    CHECK(plain.ec == errc::channel_binding_required);
    auto md5 = attempt(tcp("user=turbopg_md5 password=md5_pw sslmode=require "
                           "channel_binding=require"));
    CHECK(md5.ec == errc::channel_binding_required);
    auto trust = attempt(tcp("user=turbopg_trust sslmode=require channel_binding=require"));
    CHECK(trust.ec == errc::channel_binding_required);
}

TEST_CASE("IPv6 loopback") {
    if (!have_cluster() || !env("TURBOPG_TEST_HOST6")) return;
    expect_ok(attempt("host=::1 port=" + cluster("TURBOPG_TEST_PORT") +
                      " dbname=turbopg user=turbopg_scram password=scram_pw sslmode=disable"),
              "turbopg_scram", false);
}

TEST_CASE("several hosts are tried in order; all failing lists each") {
    if (!have_cluster()) return;
    auto login =
        std::string(" dbname=turbopg user=turbopg_scram password=scram_pw sslmode=disable");
    auto port = cluster("TURBOPG_TEST_PORT");
    expect_ok(attempt("host=127.0.0.1,127.0.0.1 port=1," + port + login), "turbopg_scram", false);

    auto none = attempt("host=127.0.0.1,127.0.0.1 port=1,2" + login);
    CHECK(none.ec == errc::server_unreachable);
    CHECK(none.message.find("127.0.0.1:1") != std::string::npos);
    CHECK(none.message.find("127.0.0.1:2") != std::string::npos);

    auto one = attempt("host=127.0.0.1 port=1" + login);
    CHECK_FALSE(one.ok);
    CHECK(one.message.find("127.0.0.1:1") != std::string::npos);
}

namespace {

// A server that answers one startup with an ErrorResponse of `sqlstate` and closes, on a
// loopback port of its own (port()). Runs on a thread of its own while the test connects.
class refusing_server {
public:
    explicit refusing_server(std::string sqlstate)
        : acceptor_(ctx_, {asio::ip::make_address("127.0.0.1"), 0})
        , thread_([this, sqlstate] {
            asio::ip::tcp::socket s(ctx_);
            acceptor_.accept(s);
            char startup[512];
            std::error_code ec;
            s.read_some(asio::buffer(startup), ec);
            // ErrorResponse (protocol docs, "Message Formats"): 'E', length, fields, 0.
            std::string fields = std::string("SFATAL") + '\0' + "VFATAL" + '\0' + "C" + sqlstate +
                                 '\0' + "Mrefused by the test" + '\0' + '\0';
            std::string msg = "E";
            auto n = static_cast<std::uint32_t>(fields.size() + 4);
            for (int shift = 24; shift >= 0; shift -= 8)
                msg += static_cast<char>((n >> shift) & 0xff);
            asio::write(s, asio::buffer(msg + fields), ec);
        }) {}
    ~refusing_server() { thread_.join(); }
    std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

private:
    asio::io_context ctx_;
    asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

} // namespace

TEST_CASE("a host that refuses the login ends the list; one that cannot accept now does not") {
    // libpq ("Specifying Multiple Hosts"): "If a connection is established successfully, but
    // authentication fails, the remaining hosts in the list are not tried." Nor after any other
    // error the server answers the startup with, but 57P03 (starting up, shutting down).
    if (!have_cluster()) return;
    auto port = cluster("TURBOPG_TEST_PORT");
    auto hosts = "host=127.0.0.1,127.0.0.1 dbname=turbopg sslmode=disable user=turbopg_scram ";
    auto wrong = attempt(hosts + ("port=" + port + "," + port + " password=nope"));
    CHECK(wrong.ec == errc::server_error);
    CHECK(wrong.sqlstate == "28P01");
    {
        refusing_server full("53300"); // too many connections
        auto o = attempt(hosts + ("port=" + full.port() + "," + port + " password=scram_pw"));
        CHECK(o.ec == errc::server_error);
        CHECK(o.sqlstate == "53300");
        CHECK(o.message.find("refused by the test") != std::string::npos);
    }
    refusing_server starting("57P03");
    expect_ok(attempt(hosts + ("port=" + starting.port() + "," + port + " password=scram_pw")),
              "turbopg_scram", false);
}

TEST_CASE("a connection service file supplies the settings") {
    if (!have_cluster()) return;
    char path[] = "/tmp/turbopg-service-XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << "[other]\nport=1\n[turbopg_it]\nhost=" << cluster("TURBOPG_TEST_HOST")
                        << "\nport=" << cluster("TURBOPG_TEST_PORT")
                        << "\ndbname=" << cluster("TURBOPG_TEST_DBNAME")
                        << "\nuser=turbopg_scram\npassword=scram_pw\nsslmode=disable\n";
    auto file = std::string(" servicefile=") + path;
    expect_ok(attempt("service=turbopg_it" + file), "turbopg_scram", false);
    // The conninfo's own settings win over the service's.
    auto wrong = attempt("service=turbopg_it password=nope" + file);
    CHECK(wrong.sqlstate == "28P01");
    auto missing = attempt("service=nope" + file);
    CHECK(missing.ec == errc::bad_config);
    CHECK(missing.message.find("definition of service \"nope\" not found") != std::string::npos);
    std::remove(path);
}

TEST_CASE("target_session_attrs against a primary") {
    if (!have_cluster()) return;
    auto login = std::string(" user=turbopg_scram password=scram_pw sslmode=disable");
    expect_ok(attempt(tcp(login + " target_session_attrs=read-write")), "turbopg_scram", false);
    expect_ok(attempt(tcp(login + " target_session_attrs=primary")), "turbopg_scram", false);
    expect_ok(attempt(tcp(login + " target_session_attrs=prefer-standby")), "turbopg_scram", false);
    auto standby = attempt(tcp(login + " target_session_attrs=standby"));
    CHECK(standby.ec == errc::wrong_session_attrs);
    CHECK(standby.message.find("not standby") != std::string::npos);
    auto read_only = attempt(tcp(login + " target_session_attrs=read-only"));
    CHECK(read_only.ec == errc::wrong_session_attrs);
}

TEST_CASE("connect_timeout bounds a server that never answers") {
    // A listener that accepts and then stays silent.
    asio::io_context ctx;
    asio::ip::tcp::acceptor silent(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = std::to_string(silent.local_endpoint().port());
    auto started = std::chrono::steady_clock::now();
    auto o = attempt("host=127.0.0.1 port=" + port +
                     " user=x password=y dbname=x sslmode=disable connect_timeout=2");
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(o.ec == errc::timeout);
    CHECK(took >= std::chrono::milliseconds(1900));
    CHECK(took < std::chrono::seconds(10));
}

TEST_CASE("a replication connection runs replication commands") {
    if (!have_cluster()) return;
    auto r = run([]() -> awaitable<std::string> {
        auto c = co_await connection::connect(
            co_await asio::this_coro::executor,
            tcp("user=turbopg_repl password=repl_pw sslmode=disable replication=database"));
        auto results = co_await c.simple_query("IDENTIFY_SYSTEM");
        co_await c.close();
        co_return results.at(0).columns()[0].name;
    });
    CHECK(r == "systemid");
    auto refused =
        attempt(tcp("user=turbopg_scram password=scram_pw sslmode=disable replication=true"));
    CHECK(refused.ec == errc::server_error);
}

TEST_CASE("require_auth limits what the server may ask for") {
    if (!have_cluster()) return;
    expect_ok(attempt(tcp("user=turbopg_md5 password=md5_pw sslmode=disable require_auth=md5")),
              "turbopg_md5", false);
    auto scram =
        attempt(tcp("user=turbopg_scram password=scram_pw sslmode=disable require_auth=md5"));
    CHECK(scram.ec == errc::auth_failed);
    CHECK(scram.message.find("require_auth") != std::string::npos);
    auto trust = attempt(tcp("user=turbopg_trust sslmode=disable require_auth=scram-sha-256"));
    CHECK(trust.ec == errc::auth_failed);
    expect_ok(attempt(tcp("user=turbopg_trust sslmode=disable require_auth=none")), "turbopg_trust",
              false);
}

TEST_CASE("requirepeer checks the unix socket server's user") {
    if (!have_cluster()) return;
    expect_ok(attempt(unix_socket("user=turbopg_trust requirepeer=postgres")), "turbopg_trust",
              false);
    auto wrong = attempt(unix_socket("user=turbopg_trust requirepeer=nobody"));
    CHECK(wrong.ec == errc::auth_failed);
    CHECK(wrong.message.find("requirepeer") != std::string::npos);
}
