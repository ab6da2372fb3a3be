// Describing settings: to_string() for logs, startup parameters, endpoint helpers.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using turbopg::test::fake_env;
using turbopg::test::parse;
using turbopg::test::temp_file;

TEST_CASE("config to_string never contains a password") {
    auto c = parse("postgresql://bob:hunter2@db/shop?sslpassword=keypass&application_name=x");
    std::string s = c.to_string();
    CHECK(s.find("hunter2") == std::string::npos);
    CHECK(s.find("keypass") == std::string::npos);
    CHECK(s.find("password") == std::string::npos);
    CHECK(s.find("host=db port=5432 dbname=shop user=bob") == 0);
    CHECK(s.find("application_name=x") != std::string::npos);

    temp_file f("*:*:*:*:frompassfile\n");
    auto d = parse("passfile=" + f.path());
    REQUIRE(d.password_for(d.endpoints[0]) == "frompassfile");
    CHECK(d.to_string().find("frompassfile") == std::string::npos);
    CHECK(d.to_string().find("passfile=" + f.path()) != std::string::npos);
}

TEST_CASE("config to_string lists defaults briefly and parses back") {
    fake_env env;
    env.home.clear(); // no default file paths
    auto c = parse("", env);
    CHECK(c.to_string() == "host=/var/run/postgresql port=5432 dbname=alice user=alice "
                           "sslmode=prefer");

    const char* settings =
        "host=h1,h2,/tmp hostaddr=192.0.2.1,,  port=5433,5434,5435 dbname='my db' user=bob "
        "connect_timeout=1 options='-c a=b' application_name=app fallback_application_name=fb "
        "sslmode=verify-full sslcert=/c sslkey=/k sslrootcert=/r sslcrldir=/d sslcertmode=require "
        "sslsni=0 ssl_min_protocol_version='' ssl_max_protocol_version=TLSv1.3 "
        "channel_binding=require gssencmode=disable require_auth=!password,!none "
        "requirepeer=pg target_session_attrs=prefer-standby load_balance_hosts=random "
        "replication=database keepalives=0 keepalives_idle=1 keepalives_interval=2 "
        "keepalives_count=3 tcp_user_timeout=4 statement_cache_size=0 max_message_size=65536 "
        "busy_poll=0 password=secret";
    auto full = parse(settings, env);
    std::string s = full.to_string();
    CAPTURE(s);
    CHECK(s.find("secret") == std::string::npos);
    CHECK(s.find("dbname='my db'") != std::string::npos);
    CHECK(s.find("connect_timeout=2") != std::string::npos);
    CHECK(s.find("hostaddr=192.0.2.1,,") != std::string::npos);
    CHECK(s.find("busy_poll=0") != std::string::npos);
    auto back = parse(s + " password=secret", env);
    CHECK(back == full);

    for (const char* auth : {"scram-sha-256", "md5,none", "none", "!none",
                             "!password,!md5,!scram-sha-256,!gss,!sspi,!none", "!md5"}) {
        CAPTURE(auth);
        auto a = parse(std::string("require_auth=") + auth, env);
        CHECK(parse(a.to_string(), env) == a);
    }
}

TEST_CASE("config startup parameters") {
    auto c = parse("user=bob dbname=shop options='-c x=y' fallback_application_name=fb");
    using p = std::pair<std::string, std::string>;
    CHECK(c.startup_parameters() == std::vector<p>{{"user", "bob"},
                                                   {"database", "shop"},
                                                   {"options", "-c x=y"},
                                                   {"application_name", "fb"},
                                                   {"client_encoding", "UTF8"}});
    auto d = parse("user=bob replication=true application_name=app fallback_application_name=fb");
    CHECK(d.startup_parameters() == std::vector<p>{{"user", "bob"},
                                                   {"database", "bob"},
                                                   {"replication", "true"},
                                                   {"application_name", "app"},
                                                   {"client_encoding", "UTF8"}});
    CHECK(parse("replication=database").startup_parameters()[2] == p{"replication", "database"});
}

TEST_CASE("config endpoint descriptions") {
    endpoint tcp{"db.example", "", 5433, std::nullopt};
    CHECK(tcp.to_string() == "db.example:5433");
    endpoint v6{"::1", "", 5432, std::nullopt};
    CHECK(v6.to_string() == "[::1]:5432");
    endpoint both{"db.example", "192.0.2.7", 5432, std::nullopt};
    CHECK(both.to_string() == "db.example:5432 (192.0.2.7)");
    CHECK(both.display_host() == "db.example");
    endpoint addr{"", "2001:db8::1", 5432, std::nullopt};
    CHECK(addr.to_string() == "[2001:db8::1]:5432");
    endpoint sock{"/run/pg", "", 6000, std::nullopt};
    CHECK(sock.to_string() == "/run/pg/.s.PGSQL.6000");
}

TEST_CASE("config keyword spellings") {
    CHECK(to_keyword(ssl_mode::verify_full) == "verify-full");
    CHECK(to_keyword(ssl_mode::disable) == "disable");
    CHECK(to_keyword(ssl_cert_mode::allow) == "allow");
    CHECK(to_keyword(tls_version::tls1_2) == "TLSv1.2");
    CHECK(to_keyword(channel_binding_mode::require) == "require");
    CHECK(to_keyword(gss_enc_mode::prefer) == "prefer");
    CHECK(to_keyword(session_attrs::prefer_standby) == "prefer-standby");
    CHECK(to_keyword(replication_mode::logical) == "database");
    CHECK(to_keyword(load_balance_mode::random) == "random");
}
