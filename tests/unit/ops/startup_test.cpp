#include "ops/startup.hpp"

#include "support/bytes_util.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::wire::proto;
using namespace turbopg::test;
using ops::startup_op;

namespace {

bytes auth_request(std::int32_t code, const bytes& data = {}) {
    return backend_message('R', cat({be32(code), data}));
}

// Drives a startup_op over a scripted server: each step is one backend message; `sent` collects
// everything the client wrote.
struct session {
    startup_op op;
    bytes sent;
    startup_op::status st = startup_op::status::write;

    explicit session(ops::startup_settings s)
        : op(std::move(s)) {
        byte_writer w(sent);
        op.start(w);
    }

    std::error_code feed(const bytes& message) {
        auto r = next_frame(message, default_max_message_size);
        REQUIRE(r.status == frame_status::complete);
        sent.clear();
        byte_writer w(sent);
        return op.on_message(r.msg, w, st);
    }
};

ops::startup_settings settings(std::optional<std::string> password = std::nullopt) {
    ops::startup_settings s;
    s.user = "alice";
    s.database = "db";
    s.password = std::move(password);
    s.parameters = {{"application_name", "test"}};
    return s;
}

bytes session_start() {
    return cat({backend_message('S', cat({cstr("server_version"), cstr("15.18")})),
                backend_message('K', cat({be32(4242), be32(99)}))});
}

} // namespace

TEST_CASE("startup message carries user, database and parameters") {
    session s(settings());
    CHECK(to_hex(s.sent) ==
          to_hex(cat({be32(4 + 4 + 5 + 6 + 9 + 3 + 17 + 5 + 1), be32(196608), cstr("user"),
                      cstr("alice"), cstr("database"), cstr("db"), cstr("application_name"),
                      cstr("test"), bytes{std::byte{0}}})));
}

TEST_CASE("trust: AuthenticationOk, parameters, key data, ReadyForQuery") {
    session s(settings());
    REQUIRE_FALSE(s.feed(auth_request(0)));
    CHECK(s.st == startup_op::status::read);
    auto rest = session_start();
    REQUIRE_FALSE(s.feed(bytes(rest.begin(), rest.begin() + 26)));
    REQUIRE_FALSE(s.feed(bytes(rest.begin() + 26, rest.end())));
    REQUIRE_FALSE(s.feed(backend_message('Z', str("I"))));
    CHECK(s.st == startup_op::status::done);
    CHECK(s.op.key_data().pid == 4242);
    CHECK(s.op.key_data().secret == 99);
    REQUIRE(s.op.parameters().size() == 1);
    CHECK(s.op.parameters()[0].second == "15.18");
}

TEST_CASE("cleartext password is sent as a PasswordMessage") {
    session s(settings("secret"));
    REQUIRE_FALSE(s.feed(auth_request(3)));
    CHECK(s.st == startup_op::status::write);
    CHECK(to_hex(s.sent) == to_hex(cat({str("p"), be32(11), cstr("secret")})));
}

TEST_CASE("MD5 answers with md5 + 32 hex digits") {
    session s(settings("secret"));
    REQUIRE_FALSE(s.feed(auth_request(5, from_hex("01020304"))));
    CHECK(s.st == startup_op::status::write);
    REQUIRE(s.sent.size() == 5 + 36);
    CHECK(as_chars(byte_view(s.sent).subspan(5, 3)) == "md5");
}

TEST_CASE("a password request without a password fails clearly") {
    session s(settings());
    auto ec = s.feed(auth_request(3));
    CHECK(ec == errc::auth_failed);
    CHECK(s.op.error_message() ==
          "server requested password authentication, but no password was supplied");
}

TEST_CASE("channel_binding=require refuses methods that cannot bind") {
    auto req = settings("secret");
    req.channel_binding = ops::channel_binding_mode::require;
    session md5(req);
    CHECK(md5.feed(auth_request(5, from_hex("01020304"))) == errc::channel_binding_required);
    CHECK(md5.sent.empty()); // the password hash never left the client
    session trust(req);
    CHECK(trust.feed(auth_request(0)) == errc::channel_binding_required);
    session scram_no_tls(req);
    CHECK(scram_no_tls.feed(auth_request(10, cat({cstr("SCRAM-SHA-256"), cstr("")}))) ==
          errc::channel_binding_required);
}

TEST_CASE("unsupported methods are named") {
    session gss(settings("x"));
    CHECK(gss.feed(auth_request(7)) == errc::auth_method_unsupported);
    CHECK(gss.op.error_message().find("GSSAPI") != std::string::npos);
    session sspi(settings("x"));
    CHECK(sspi.feed(auth_request(9)) == errc::auth_method_unsupported);
    CHECK(sspi.op.error_message().find("SSPI") != std::string::npos);
    session krb(settings("x"));
    CHECK(krb.feed(auth_request(2)) == errc::auth_method_unsupported);
}

TEST_CASE("the server's refusal keeps its diagnostics") {
    session s(settings("wrong"));
    REQUIRE_FALSE(s.feed(auth_request(3)));
    auto ec = s.feed(backend_message(
        'E', cat({str("S"), cstr("FATAL"), str("C"), cstr("28P01"), str("M"),
                  cstr("password authentication failed for user \"alice\""), cstr("")})));
    CHECK(ec == errc::server_error);
    REQUIRE(s.op.server_error());
    CHECK(s.op.server_error()->sqlstate == "28P01");
    CHECK(s.op.error_message() == "password authentication failed for user \"alice\"");
}

TEST_CASE("SCRAM exchange: initial response, proof, and a forged server signature refused") {
    auto cfg = settings("pencil");
    cfg.scram_nonce = "rOprNGfwEbeRWgbNEkqO";
    session s(cfg);
    REQUIRE_FALSE(s.feed(auth_request(10, cat({cstr("SCRAM-SHA-256"), cstr("")}))));
    CHECK(s.st == startup_op::status::write);
    CHECK(to_hex(s.sent) == to_hex(cat({str("p"), be32(4 + 14 + 4 + 28), cstr("SCRAM-SHA-256"),
                                        be32(28), str("n,,n=,r=rOprNGfwEbeRWgbNEkqO")})));
    CHECK(s.op.sasl_mechanism() == "SCRAM-SHA-256");

    REQUIRE_FALSE(
        s.feed(auth_request(11, str("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))));
    CHECK(s.st == startup_op::status::write);
    CHECK(as_chars(byte_view(s.sent).subspan(5))
              .starts_with("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p="));

    CHECK(s.feed(auth_request(12, str("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))) ==
          errc::auth_failed);
}

TEST_CASE("AuthenticationOk before the SCRAM exchange finished is refused") {
    session s(settings("pencil"));
    REQUIRE_FALSE(s.feed(auth_request(10, cat({cstr("SCRAM-SHA-256"), cstr("")}))));
    CHECK(s.feed(auth_request(0)) == errc::protocol_violation);
}

TEST_CASE("unexpected and malformed messages during startup") {
    session s(settings());
    CHECK(s.feed(backend_message('D', be16(0))) == errc::protocol_violation);
    session t(settings());
    CHECK(t.feed(backend_message('R', from_hex("0000"))) == errc::protocol_violation);
    session u(settings());
    REQUIRE_FALSE(u.feed(backend_message('v', cat({be32(0), be32(0)}))));
    REQUIRE_FALSE(u.feed(auth_request(0)));
    CHECK(u.feed(backend_message('T', be16(0))) == errc::protocol_violation);
}

TEST_CASE("require_auth refuses methods it does not list, and a server that skips auth") {
    auto scram_only = settings("secret");
    scram_only.require_auth.allowed = static_cast<std::uint8_t>(auth_method::scram_sha_256);
    scram_only.require_auth.none_allowed = false;
    session md5(scram_only);
    CHECK(md5.feed(auth_request(5, from_hex("01020304"))) == errc::auth_failed);
    CHECK(md5.sent.empty());
    CHECK(md5.op.error_message().find("require_auth") != std::string::npos);
    session clear(scram_only);
    CHECK(clear.feed(auth_request(3)) == errc::auth_failed);
    session trust(scram_only);
    CHECK(trust.feed(auth_request(0)) == errc::auth_failed);
    CHECK(trust.op.error_message().find("did not complete authentication") != std::string::npos);

    auto password_ok = settings("secret");
    password_ok.require_auth.allowed = static_cast<std::uint8_t>(auth_method::password);
    password_ok.require_auth.none_allowed = false;
    session s(password_ok);
    REQUIRE_FALSE(s.feed(auth_request(3)));
    REQUIRE_FALSE(s.feed(auth_request(0)));
}

TEST_CASE("notices during startup are kept, and do not end it") {
    session s(settings("secret"));
    REQUIRE_FALSE(
        s.feed(backend_message('N', cat({str("S"), cstr("WARNING"), str("C"), cstr("01000"),
                                         str("M"), cstr("before authentication"), cstr("")}))));
    REQUIRE_FALSE(s.feed(auth_request(3)));
    REQUIRE_FALSE(s.feed(auth_request(0)));
    REQUIRE_FALSE(
        s.feed(backend_message('N', cat({str("S"), cstr("NOTICE"), str("C"), cstr("00000"),
                                         str("M"), cstr("after authentication"), cstr("")}))));
    REQUIRE_FALSE(s.feed(session_start()));
    REQUIRE_FALSE(s.feed(backend_message('Z', str("I"))));
    CHECK(s.st == startup_op::status::done);
    REQUIRE(s.op.notices().size() == 2);
    CHECK(s.op.notices()[0].severity == "WARNING");
    CHECK(s.op.notices()[0].message == "before authentication");
    CHECK(s.op.notices()[1].sqlstate == "00000");
}

TEST_CASE("an error after AuthenticationOk (no such database) keeps its diagnostics") {
    session s(settings());
    REQUIRE_FALSE(s.feed(auth_request(0)));
    auto ec = s.feed(backend_message(
        'E', cat({str("S"), cstr("FATAL"), str("V"), cstr("FATAL"), str("C"), cstr("3D000"),
                  str("M"), cstr("database \"db\" does not exist"), cstr("")})));
    CHECK(ec == errc::server_error);
    REQUIRE(s.op.server_error());
    CHECK(s.op.server_error()->sqlstate == "3D000");
    CHECK(s.op.server_error()->severity_nonlocalized == "FATAL");
    CHECK(s.op.error_message() == "database \"db\" does not exist");
}
