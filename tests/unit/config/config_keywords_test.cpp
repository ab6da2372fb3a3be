// Each keyword's values: accepted spellings, defaults and libpq's error messages.
#include "config/config_support.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace std::chrono_literals;
using turbopg::test::config_error;
using turbopg::test::fake_env;
using turbopg::test::parse;

TEST_CASE("config keyword defaults match libpq's") {
    auto c = parse("");
    CHECK(c.sslmode == ssl_mode::prefer);
    CHECK(c.sslcertmode == ssl_cert_mode::allow);
    CHECK(c.sslsni);
    CHECK(c.ssl_min_protocol_version == tls_version::tls1_2);
    CHECK(c.ssl_max_protocol_version == tls_version::unset);
    CHECK(c.channel_binding == channel_binding_mode::prefer);
    CHECK(c.gssencmode == gss_enc_mode::prefer);
    CHECK(c.target_session_attrs == session_attrs::any);
    CHECK(c.load_balance_hosts == load_balance_mode::disable);
    CHECK(c.replication == replication_mode::off);
    CHECK(c.require_auth == auth_requirements{});
    CHECK(c.keepalives);
    CHECK_FALSE(c.keepalives_idle);
    CHECK_FALSE(c.keepalives_interval);
    CHECK_FALSE(c.keepalives_count);
    CHECK_FALSE(c.tcp_user_timeout);
    CHECK(c.connect_timeout == 0s);
    CHECK(c.client_encoding == "UTF8");
    CHECK(c.statement_cache_size == 256);
    CHECK(c.max_message_size == 1024u * 1024u * 1024u);
    CHECK(c.busy_poll == std::chrono::microseconds(200));
    CHECK(c.password.empty());
    CHECK(c.options.empty());
    CHECK(c.requirepeer.empty());
    CHECK(c.warnings.empty());
}

TEST_CASE("config sslmode") {
    CHECK(parse("sslmode=disable").sslmode == ssl_mode::disable);
    CHECK(parse("sslmode=allow").sslmode == ssl_mode::allow);
    CHECK(parse("sslmode=prefer").sslmode == ssl_mode::prefer);
    CHECK(parse("sslmode=require").sslmode == ssl_mode::require);
    CHECK(parse("sslmode=verify-ca").sslmode == ssl_mode::verify_ca);
    CHECK(parse("sslmode=verify-full").sslmode == ssl_mode::verify_full);
    CHECK(config_error("sslmode=bogus") == R"(invalid sslmode value: "bogus")");
    CHECK(config_error("sslmode=Require") == R"(invalid sslmode value: "Require")");
    CHECK(config_error("sslmode=''") == R"(invalid sslmode value: "")");
}

TEST_CASE("config sslrootcert=system wants verify-full") {
    auto c = parse("sslrootcert=system");
    CHECK(c.sslrootcert == "system");
    CHECK(c.sslmode == ssl_mode::verify_full); // the default changes
    CHECK(parse("sslrootcert=system sslmode=verify-full").sslmode == ssl_mode::verify_full);
    CHECK(config_error("sslrootcert=system sslmode=require") ==
          R"(weak sslmode "require" may not be used with sslrootcert=system (use "verify-full"))");
    fake_env env;
    env.vars["PGSSLMODE"] = "verify-ca";
    CHECK(
        config_error("sslrootcert=system", env) ==
        R"(weak sslmode "verify-ca" may not be used with sslrootcert=system (use "verify-full"))");
}

TEST_CASE("config TLS files and options") {
    auto c = parse("sslcert=/c.crt sslkey=/c.key sslrootcert=/ca.crt sslcrl=/x.crl "
                   "sslcrldir=/crls sslpassword=pp sslcertmode=require sslsni=0 sslcompression=1");
    CHECK(c.sslcert == "/c.crt");
    CHECK(c.sslkey == "/c.key");
    CHECK(c.sslrootcert == "/ca.crt");
    CHECK(c.sslcrl == "/x.crl");
    CHECK(c.sslcrldir == "/crls");
    CHECK(c.sslpassword == "pp");
    CHECK(c.sslcertmode == ssl_cert_mode::require);
    CHECK_FALSE(c.sslsni);
    CHECK(parse("sslsni=1").sslsni);
    CHECK(parse("sslcertmode=disable").sslcertmode == ssl_cert_mode::disable);
    CHECK(config_error("sslcertmode=never") == R"(invalid sslcertmode value: "never")");
    CHECK(config_error("sslsni=yes") == R"(invalid sslsni value: "yes")");
    // A CRL directory alone means no default CRL file.
    CHECK(parse("sslcrldir=/crls").sslcrl.empty());
}

TEST_CASE("config ssl protocol versions") {
    auto c = parse("ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=tlsv1.3");
    CHECK(c.ssl_min_protocol_version == tls_version::tls1_3);
    CHECK(c.ssl_max_protocol_version == tls_version::tls1_3);
    CHECK(parse("ssl_min_protocol_version=TLSv1").ssl_min_protocol_version == tls_version::tls1_0);
    CHECK(parse("ssl_min_protocol_version=''").ssl_min_protocol_version == tls_version::unset);
    CHECK(config_error("ssl_min_protocol_version=SSLv3") ==
          R"(invalid ssl_min_protocol_version value: "SSLv3")");
    CHECK(config_error("ssl_max_protocol_version=TLSv1.4") ==
          R"(invalid ssl_max_protocol_version value: "TLSv1.4")");
    CHECK(config_error("ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2") ==
          "invalid SSL protocol version range");
}

TEST_CASE("config channel_binding, gssencmode, target_session_attrs, load_balance_hosts") {
    CHECK(parse("channel_binding=disable").channel_binding == channel_binding_mode::disable);
    CHECK(parse("channel_binding=require").channel_binding == channel_binding_mode::require);
    CHECK(config_error("channel_binding=always") == R"(invalid channel_binding value: "always")");

    CHECK(parse("gssencmode=disable").gssencmode == gss_enc_mode::disable);
    CHECK(parse("gssencmode=prefer").gssencmode == gss_enc_mode::prefer);
    std::string gss = config_error("gssencmode=require");
    CHECK(gss.rfind(R"(gssencmode value "require" invalid when GSSAPI support is not compiled in)",
                    0) == 0);
    CHECK(gss.find("GSS encryption") != std::string::npos);
    CHECK(config_error("gssencmode=maybe") == R"(invalid gssencmode value: "maybe")");

    const std::pair<const char*, session_attrs> attrs[] = {
        {"any", session_attrs::any},
        {"read-write", session_attrs::read_write},
        {"read-only", session_attrs::read_only},
        {"primary", session_attrs::primary},
        {"standby", session_attrs::standby},
        {"prefer-standby", session_attrs::prefer_standby},
    };
    for (const auto& attr : attrs) {
        CAPTURE(attr.first);
        CHECK(parse(std::string("target_session_attrs=") + attr.first).target_session_attrs ==
              attr.second);
    }
    CHECK(config_error("target_session_attrs=master") ==
          R"(invalid target_session_attrs value: "master")");

    CHECK(parse("load_balance_hosts=random").load_balance_hosts == load_balance_mode::random);
    CHECK(parse("load_balance_hosts=disable").load_balance_hosts == load_balance_mode::disable);
    CHECK(config_error("load_balance_hosts=roundrobin") ==
          R"(invalid load_balance_hosts value: "roundrobin")");
}

TEST_CASE("config integer options") {
    auto c = parse("keepalives=0 keepalives_idle=30 keepalives_interval=' 5 ' keepalives_count=+3 "
                   "tcp_user_timeout=1500");
    CHECK_FALSE(c.keepalives);
    CHECK(c.keepalives_idle == 30s);
    CHECK(c.keepalives_interval == 5s);
    CHECK(c.keepalives_count == 3);
    CHECK(c.tcp_user_timeout == 1500ms);
    CHECK(parse("keepalives=7").keepalives);
    // Negative values mean 0, as libpq does.
    CHECK(parse("keepalives_idle=-1").keepalives_idle == 0s);
    CHECK(parse("tcp_user_timeout=-5").tcp_user_timeout == 0ms);
    CHECK(config_error("port=abc") ==
          R"(invalid integer value "abc" for connection option "port")");
    CHECK(config_error("keepalives_idle=1x") ==
          R"(invalid integer value "1x" for connection option "keepalives_idle")");
    CHECK(config_error("keepalives=''") ==
          R"(invalid integer value "" for connection option "keepalives")");
    CHECK(config_error("keepalives_count=99999999999") ==
          R"(invalid integer value "99999999999" for connection option "keepalives_count")");
    CHECK(config_error("tcp_user_timeout=0x10") ==
          R"(invalid integer value "0x10" for connection option "tcp_user_timeout")");
    CHECK(config_error("connect_timeout='- 1'") ==
          R"(invalid integer value "- 1" for connection option "connect_timeout")");
}

TEST_CASE("config connect_timeout: below 2 seconds becomes 2, zero or less means none") {
    CHECK(parse("connect_timeout=0").connect_timeout == 0s);
    CHECK(parse("connect_timeout=-3").connect_timeout == 0s);
    CHECK(parse("connect_timeout=1").connect_timeout == 2s);
    CHECK(parse("connect_timeout=2").connect_timeout == 2s);
    CHECK(parse("connect_timeout=30").connect_timeout == 30s);
    CHECK(config_error("connect_timeout=soon") ==
          R"(invalid integer value "soon" for connection option "connect_timeout")");
}

TEST_CASE("config port numbers") {
    CHECK(parse("port=1").endpoints[0].port == 1);
    CHECK(parse("port=65535").endpoints[0].port == 65535);
    CHECK(config_error("port=0") == R"(invalid port number: "0")");
    CHECK(config_error("port=65536") == R"(invalid port number: "65536")");
    CHECK(config_error("host=a,b port=5432,x") ==
          R"(invalid integer value "x" for connection option "port")");
}

TEST_CASE("config hostaddr must be numeric") {
    auto c = parse("host=db.example hostaddr=192.0.2.10");
    CHECK(c.endpoints[0].host == "db.example");
    CHECK(c.endpoints[0].hostaddr == "192.0.2.10");
    CHECK_FALSE(c.endpoints[0].is_unix_socket());
    CHECK(parse("hostaddr=::1").endpoints[0].hostaddr == "::1");
    CHECK(parse("hostaddr=::1").endpoints[0].host.empty());
    CHECK(config_error("hostaddr=db.example")
              .rfind(R"(could not parse network address "db.example": )", 0) == 0);
}

TEST_CASE("config client_encoding is UTF8 only") {
    for (const char* ok : {"UTF8", "utf8", "UTF-8", "utf_8", "unicode", "auto", "''"}) {
        CAPTURE(ok);
        CHECK(parse(std::string("client_encoding=") + ok).client_encoding == "UTF8");
    }
    std::string e = config_error("client_encoding=LATIN1");
    CHECK(e.rfind(R"(invalid client_encoding value: "LATIN1")", 0) == 0);
    CHECK(e.find("UTF8") != std::string::npos);
    fake_env env;
    env.vars["PGCLIENTENCODING"] = "SQL_ASCII";
    CHECK(config_error("", env).rfind(R"(invalid client_encoding value: "SQL_ASCII")", 0) == 0);
}

TEST_CASE("config replication") {
    CHECK(parse("replication=database").replication == replication_mode::logical);
    for (const char* on : {"true", "on", "yes", "1", "t", "TRUE", "Y"}) {
        CAPTURE(on);
        CHECK(parse(std::string("replication=") + on).replication == replication_mode::physical);
    }
    for (const char* off : {"false", "off", "no", "0", "f", "''"}) {
        CAPTURE(off);
        CHECK(parse(std::string("replication=") + off).replication == replication_mode::off);
    }
    CHECK(config_error("replication=o") == R"(invalid replication value: "o")");
    CHECK(config_error("replication=logical") == R"(invalid replication value: "logical")");
}

TEST_CASE("config require_auth") {
    auto scram = parse("require_auth=scram-sha-256").require_auth;
    CHECK(scram.allows(auth_method::scram_sha_256));
    CHECK_FALSE(scram.allows(auth_method::md5));
    CHECK_FALSE(scram.allows(auth_method::password));
    CHECK_FALSE(scram.none_allowed);

    auto list = parse("require_auth=md5,scram-sha-256,none").require_auth;
    CHECK(list.allows(auth_method::md5));
    CHECK(list.allows(auth_method::scram_sha_256));
    CHECK_FALSE(list.allows(auth_method::password));
    CHECK(list.none_allowed);

    auto neg = parse("require_auth=!password,!md5").require_auth;
    CHECK_FALSE(neg.allows(auth_method::password));
    CHECK_FALSE(neg.allows(auth_method::md5));
    CHECK(neg.allows(auth_method::scram_sha_256));
    CHECK(neg.allows(auth_method::gss));
    CHECK(neg.none_allowed);

    auto not_none = parse("require_auth=!none").require_auth;
    CHECK_FALSE(not_none.none_allowed);
    CHECK(not_none.allows(auth_method::password));

    CHECK(parse("require_auth=''").require_auth == auth_requirements{});
    CHECK(config_error("require_auth=kerberos") == R"(invalid require_auth value: "kerberos")");
    CHECK(config_error("require_auth=!kerberos") == R"(invalid require_auth value: "kerberos")");
    CHECK(config_error("require_auth=md5,") == R"(invalid require_auth value: "")");
    CHECK(config_error("require_auth=md5,!password") ==
          R"(negative require_auth method "!password" cannot be mixed with non-negative methods)");
    CHECK(config_error("require_auth=!md5,password") ==
          R"(require_auth method "password" cannot be mixed with negative methods)");
    CHECK(config_error("require_auth=md5,md5") ==
          R"(require_auth method "md5" is specified more than once)");
    CHECK(config_error("require_auth=!md5,!md5") ==
          R"(require_auth method "!md5" is specified more than once)");
    CHECK(config_error("require_auth=none,none") ==
          R"(require_auth method "none" is specified more than once)");
}

TEST_CASE("config accepted-but-unused and free-form keywords") {
    auto c = parse("krbsrvname=postgres gsslib=gssapi gssdelegation=0 requirepeer=postgres "
                   "options='-c geqo=off' application_name=a fallback_application_name=b "
                   "passfile=/p/pass");
    CHECK(c.requirepeer == "postgres");
    CHECK(c.options == "-c geqo=off");
    CHECK(c.application_name == "a");
    CHECK(c.fallback_application_name == "b");
    CHECK(c.passfile == "/p/pass");
}

TEST_CASE("config turbopg's own keywords") {
    CHECK(parse("statement_cache_size=0").statement_cache_size == 0);
    CHECK(parse("statement_cache_size=1000").statement_cache_size == 1000);
    CHECK(parse("max_message_size=1048576").max_message_size == 1048576);
    CHECK(config_error("statement_cache_size=-1") == R"(invalid statement_cache_size value: "-1")");
    CHECK(config_error("statement_cache_size=lots") ==
          R"(invalid integer value "lots" for connection option "statement_cache_size")");
    CHECK(config_error("max_message_size=0") == R"(invalid max_message_size value: "0")");
    CHECK(config_error("max_message_size=4294967296") ==
          R"(invalid integer value "4294967296" for connection option "max_message_size")");
    CHECK(parse("postgresql:///db?statement_cache_size=0").statement_cache_size == 0);
    CHECK(parse("busy_poll=0").busy_poll == std::chrono::microseconds(0));
    CHECK(parse("postgresql:///db?busy_poll=50").busy_poll == std::chrono::microseconds(50));
    CHECK(config_error("busy_poll=-1") == R"(invalid busy_poll value: "-1")");
    CHECK(config_error("busy_poll=soon") ==
          R"(invalid integer value "soon" for connection option "busy_poll")");
}

TEST_CASE("config errors are bad_config errors") {
    try {
        turbopg::test::parse("sslmode=bogus");
        FAIL("no exception");
    } catch (const error& e) {
        CHECK(e.code() == errc::bad_config);
        CHECK(std::string(e.what()).rfind(R"(invalid sslmode value: "bogus")", 0) == 0);
        CHECK(e.sqlstate().empty());
    }
}
