#include "auth/base64.hpp"
#include "auth/scram.hpp"

#include <doctest/doctest.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::wire::auth;

namespace {

// RFC 7677 section 3.
constexpr std::string_view rfc_nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view rfc_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view rfc_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view rfc_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

scram_client rfc_client() {
    scram_options o;
    o.client_nonce = std::string(rfc_nonce);
    o.username = "user";
    return scram_client("pencil", std::move(o));
}

// A SCRAM-SHA-256 server, written independently of the client from RFC 5802 section 3, to check
// exchanges the RFC has no vector for (channel binding, nonces of our own).
struct test_server {
    explicit test_server(std::string pw)
        : password(std::move(pw)) {}

    std::string password;
    std::string salt = "0123456789abcdef";
    int iterations = 4096;
    std::string server_nonce_part = "srvpart";

    std::string client_first_bare;
    std::string server_first;

    using key = std::array<unsigned char, 32>;
    static key hmac(const key& k, std::string_view data) {
        key out{};
        unsigned int len = 0;
        HMAC(EVP_sha256(), k.data(), 32, reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), out.data(), &len);
        return out;
    }
    key salted() const {
        key out{};
        PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), 32, out.data());
        return out;
    }

    // Takes the client-first-message; returns the server-first-message.
    std::string first(std::string_view client_first, std::string_view expected_gs2) {
        REQUIRE(client_first.substr(0, expected_gs2.size()) == expected_gs2);
        client_first_bare = std::string(client_first.substr(expected_gs2.size()));
        auto r = client_first_bare.find(",r=");
        REQUIRE(r != std::string::npos);
        std::string nonce = client_first_bare.substr(r + 3) + server_nonce_part;
        server_first = "r=" + nonce + ",s=" + base64_encode(std::string_view(salt)) +
                       ",i=" + std::to_string(iterations);
        return server_first;
    }

    // Checks the client-final-message's c= and proof; returns the server-final-message.
    std::string finish(std::string_view client_final, std::string_view expected_cbind_input) {
        auto p = client_final.rfind(",p=");
        REQUIRE(p != std::string_view::npos);
        auto without_proof = client_final.substr(0, p);
        REQUIRE(without_proof.substr(0, 2) == "c=");
        auto c_end = without_proof.find(',');
        auto cbind = base64_decode(without_proof.substr(2, c_end - 2));
        REQUIRE(cbind.has_value());
        CHECK(std::string(reinterpret_cast<const char*>(cbind->data()), cbind->size()) ==
              expected_cbind_input);

        std::string auth_message =
            client_first_bare + "," + server_first + "," + std::string(without_proof);
        key salted_password = salted();
        key client_key = hmac(salted_password, "Client Key");
        key stored_key{};
        unsigned int len = 0;
        EVP_Digest(client_key.data(), 32, stored_key.data(), &len, EVP_sha256(), nullptr);
        key client_signature = hmac(stored_key, auth_message);
        auto proof = base64_decode(client_final.substr(p + 3));
        REQUIRE(proof.has_value());
        REQUIRE(proof->size() == 32);
        key recovered{};
        for (int i = 0; i < 32; ++i)
            recovered[i] = static_cast<unsigned char>((*proof)[i]) ^ client_signature[i];
        key recovered_stored{};
        EVP_Digest(recovered.data(), 32, recovered_stored.data(), &len, EVP_sha256(), nullptr);
        CHECK(recovered_stored == stored_key); // the client knows the password

        key server_signature = hmac(hmac(salted_password, "Server Key"), auth_message);
        return "v=" + base64_encode(std::span<const std::byte>(
                          reinterpret_cast<const std::byte*>(server_signature.data()), 32));
    }
};

std::string text(std::span<const std::byte> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

} // namespace

TEST_SUITE("auth: scram") {

    TEST_CASE("scram: RFC 7677 test vector") {
        auto c = rfc_client();
        CHECK(c.client_first() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        CHECK(c.client_first() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"); // repeatable
        auto final_message = c.handle_server_first(rfc_server_first);
        REQUIRE(final_message.ok());
        CHECK(*final_message == rfc_client_final);
        CHECK_FALSE(c.verified());
        auto done = c.handle_server_final(rfc_server_final);
        CHECK(done.ok());
        CHECK(c.verified());
    }

    TEST_CASE("scram: PostgreSQL's client-first has an empty user name and a random nonce") {
        scram_client a("pencil");
        scram_client b("pencil");
        const std::string& first = a.client_first();
        REQUIRE(first.substr(0, 8) == "n,,n=,r=");
        auto nonce = first.substr(8);
        CHECK(nonce.size() == 24); // 18 random bytes, base64
        CHECK(base64_decode(nonce).has_value());
        CHECK(b.client_first().substr(8) != nonce);
    }

    TEST_CASE("scram: the user name is escaped as a saslname") {
        scram_options o;
        o.client_nonce = "abc";
        o.username = "a=b,c";
        scram_client c("pencil", std::move(o));
        CHECK(c.client_first() == "n,,n=a=3Db=2Cc,r=abc");
    }

    TEST_CASE("scram: a wrong server signature is refused") {
        auto c = rfc_client();
        (void)c.client_first();
        REQUIRE(c.handle_server_first(rfc_server_first).ok());
        // Well-formed, 32 bytes, first byte changed.
        auto r = c.handle_server_final("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_failed);
        CHECK(r.error().message == "incorrect server signature");
        CHECK_FALSE(c.verified());
        // The client stays failed.
        CHECK_FALSE(c.handle_server_final(rfc_server_final).ok());
        CHECK_FALSE(c.verified());
    }

    TEST_CASE("scram: a malformed server signature is a protocol violation") {
        for (std::string_view bad : {"v=", "v=AAAA", "v=not base64!", "x=abc", "",
                                     "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,garbage"}) {
            CAPTURE(bad);
            auto c = rfc_client();
            (void)c.client_first();
            REQUIRE(c.handle_server_first(rfc_server_first).ok());
            auto r = c.handle_server_final(bad);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == errc::protocol_violation);
        }
    }

    TEST_CASE("scram: extensions after the server signature are ignored") {
        auto c = rfc_client();
        (void)c.client_first();
        REQUIRE(c.handle_server_first(rfc_server_first).ok());
        CHECK(c.handle_server_final(std::string(rfc_server_final) + ",x=ext").ok());
    }

    TEST_CASE("scram: e= from the server surfaces its text") {
        auto c = rfc_client();
        (void)c.client_first();
        REQUIRE(c.handle_server_first(rfc_server_first).ok());
        auto r = c.handle_server_final("e=invalid-proof");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_failed);
        CHECK(r.error().message == "error received from server in SCRAM exchange: invalid-proof");
        try {
            r.value();
            FAIL("value() should throw");
        } catch (const turbopg::wire::error& e) {
            CHECK(e.code() == errc::auth_failed);
            CHECK(std::string(e.what()).find("invalid-proof") != std::string::npos);
        }
    }

    TEST_CASE("scram: a server nonce that does not extend the client's is refused") {
        for (std::string_view bad : {
                 "r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
                 "i=4096",
                 "r=rOprNGfwEbeRWgbNEkq,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // shorter
                 "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", // no server part
                 "r=%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
             }) {
            CAPTURE(bad);
            auto c = rfc_client();
            (void)c.client_first();
            auto r = c.handle_server_first(bad);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == errc::auth_failed);
            CHECK(r.error().message == "invalid SCRAM response (nonce mismatch)");
        }
    }

    TEST_CASE("scram: garbage server-first messages are refused") {
        const std::string n = "r=rOprNGfwEbeRWgbNEkqOsrv";
        for (std::string bad : {
                 std::string(""), std::string("garbage"),
                 n,                                               // no salt
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==",               // no count
                 n + ",i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",        // wrong order
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",         // bad base64
                 n + ",s=,i=4096",                                // empty salt
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",           // zero iterations
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",          //
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=+4096",       //
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x",       //
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=",            //
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999", // overflow
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",       // trailing comma
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,junk",   // trailing junk
                 std::string("r=rOprNGfwEbeRWgbNEkqO s,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
                 n + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=40" + std::string(1, '\0') + "96", // NUL
             }) {
            CAPTURE(bad);
            auto c = rfc_client();
            (void)c.client_first();
            auto r = c.handle_server_first(bad);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == errc::protocol_violation);
            CHECK(r.error().message.find("malformed SCRAM message") == 0);
        }
    }

    TEST_CASE("scram: a mandatory extension is refused") {
        auto c = rfc_client();
        (void)c.client_first();
        auto r = c.handle_server_first(
            "m=ext,r=rOprNGfwEbeRWgbNEkqOsrv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_failed);
        CHECK(r.error().message.find("m=") != std::string::npos);
    }

    TEST_CASE("scram: optional extensions after the iteration count are ignored") {
        auto c = rfc_client();
        (void)c.client_first();
        CHECK(c.handle_server_first(std::string(rfc_server_first) + ",x=whatever").ok());
    }

    TEST_CASE("scram: the iteration count is bounded") {
        scram_options o;
        o.client_nonce = "abc";
        o.max_iterations = 5000;
        scram_client c("pencil", std::move(o));
        (void)c.client_first();
        auto r = c.handle_server_first("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=5001");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_failed);
        CHECK(r.error().message == "SCRAM iteration count 5001 exceeds the limit of 5000");
    }

    TEST_CASE("scram: messages out of order are protocol violations") {
        auto c = rfc_client();
        auto early = c.handle_server_first(rfc_server_first); // before client_first()
        REQUIRE_FALSE(early.ok());
        CHECK(early.error().code == errc::protocol_violation);

        auto d = rfc_client();
        (void)d.client_first();
        auto r = d.handle_server_final(rfc_server_final); // before server-first
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::protocol_violation);

        auto e = rfc_client();
        (void)e.client_first();
        REQUIRE(e.handle_server_first(rfc_server_first).ok());
        CHECK_FALSE(e.handle_server_first(rfc_server_first).ok()); // twice
    }

    TEST_CASE("scram: invalid options are refused at construction") {
        scram_options comma;
        comma.client_nonce = "a,b";
        CHECK_THROWS_AS(scram_client("pencil", comma), turbopg::wire::error);
        scram_options space;
        space.client_nonce = "a b";
        CHECK_THROWS_AS(scram_client("pencil", space), turbopg::wire::error);
        scram_options plus;
        plus.binding = cbind_flag::tls_server_end_point; // without the certificate hash
        CHECK_THROWS_AS(scram_client("pencil", plus), turbopg::wire::error);
    }

    TEST_CASE("scram: the password is SASLprep'ed") {
        // U+2168 ROMAN NUMERAL NINE prepares to "IX": a server that stored the verifier of "IX"
        // accepts it.
        test_server server{"IX"};
        scram_options o;
        o.client_nonce = "nonce";
        scram_client c("\u2168", std::move(o));
        auto sf = server.first(c.client_first(), "n,,");
        auto cf = c.handle_server_first(sf);
        REQUIRE(cf.ok());
        auto verdict = server.finish(*cf, "n,,");
        CHECK(c.handle_server_final(verdict).ok());
    }

    TEST_CASE("scram: full exchanges for each channel binding flag") {
        std::vector<std::byte> hash;
        for (int i = 0; i < 32; ++i)
            hash.push_back(static_cast<std::byte>(i * 7));

        struct flag_case {
            cbind_flag flag;
            std::string gs2;
            std::string c_attr;
        };
        const std::string plus_input = "p=tls-server-end-point,," + text(hash);
        const flag_case cases[] = {
            {cbind_flag::not_supported, "n,,", "c=biws,"},
            {cbind_flag::supported_not_used, "y,,", "c=eSws,"},
            {cbind_flag::tls_server_end_point, "p=tls-server-end-point,,",
             "c=" + base64_encode(std::string_view(plus_input)) + ","},
        };
        for (const auto& fc : cases) {
            CAPTURE(fc.gs2);
            test_server server{"secret"};
            scram_options o;
            o.binding = fc.flag;
            o.cbind_data = hash;
            scram_client c("secret", std::move(o));
            auto sf = server.first(c.client_first(), fc.gs2);
            auto cf = c.handle_server_first(sf);
            REQUIRE(cf.ok());
            CHECK(cf->substr(0, fc.c_attr.size()) == fc.c_attr);
            auto cbind_input = fc.flag == cbind_flag::tls_server_end_point ? plus_input : fc.gs2;
            auto verdict = server.finish(*cf, cbind_input);
            CHECK(c.handle_server_final(verdict).ok());
            CHECK(c.verified());
        }
    }

    TEST_CASE("scram: a server that does not know the password cannot prove itself") {
        test_server server{"not the password"};
        scram_client c("secret");
        auto sf = server.first(c.client_first(), "n,,");
        auto cf = c.handle_server_first(sf);
        REQUIRE(cf.ok());
        // This server would reject the proof; a forged verdict computed from its wrong password is
        // refused by the client.
        std::string verdict;
        {
            auto p = cf->rfind(",p=");
            std::string auth_message =
                server.client_first_bare + "," + server.server_first + "," + cf->substr(0, p);
            auto salted = server.salted();
            auto sig = test_server::hmac(test_server::hmac(salted, "Server Key"), auth_message);
            verdict = "v=" + base64_encode(std::span<const std::byte>(
                                 reinterpret_cast<const std::byte*>(sig.data()), 32));
        }
        auto r = c.handle_server_final(verdict);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::auth_failed);
    }

} // TEST_SUITE
