// The client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677) as PostgreSQL
// speaks it (protocol docs, "SASL Authentication" and "SCRAM-SHA-256 Authentication").
//
// Sans-io: the startup state machine feeds the payloads of AuthenticationSASLContinue and
// AuthenticationSASLFinal and sends what comes back in SASLInitialResponse / SASLResponse:
//
//   scram_client c(password, {.binding = choice.binding, .cbind_data = hash});
//   send SASLInitialResponse(choice.mechanism, c.client_first())
//   on SASLContinue(p): auto r = c.handle_server_first(p); fail or send SASLResponse(*r)
//   on SASLFinal(p):    auto r = c.handle_server_final(p); fail unless r.ok()
//   on AuthenticationOk: refuse it unless c.verified() (the server must prove it knows the
//                        password before the client accepts the session)
//
// The user name in the client-first-message is empty by default: PostgreSQL takes the user from
// the startup packet and ignores this one.
#pragma once

#include "auth/mechanism.hpp"
#include "auth/outcome.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace turbopg::wire::auth {

struct scram_options {
    // What the GS2 header says; from select_mechanism().
    cbind_flag binding = cbind_flag::not_supported;
    // The tls-server-end-point hash (tls_server_end_point()); required when binding is
    // tls_server_end_point, ignored otherwise.
    std::vector<std::byte> cbind_data;
    // Printable ASCII without ','. Empty: 18 random bytes from OpenSSL's RAND_bytes, base64
    // (as libpq). Tests inject a fixed nonce.
    std::string client_nonce;
    // The n= attribute; escaped as RFC 5802 requires ('=' -> "=3D", ',' -> "=2C").
    std::string username;
    // Iteration counts above this are refused (auth_failed): the server picks the count, and
    // each iteration costs the client an HMAC. PostgreSQL's default is 4096.
    std::uint32_t max_iterations = 10'000'000;
};

class scram_client {
public:
    // `password` is run through saslprep() (libpq's rule: the raw password when it is not
    // valid UTF-8 or preparation prohibits it). Throws turbopg::wire::error with errc::bad_config
    // for an invalid injected nonce or missing channel binding data, and errc::auth_failed if
    // no random nonce could be drawn.
    explicit scram_client(std::string_view password, scram_options options = {});
    ~scram_client();
    scram_client(const scram_client&) = delete;
    scram_client& operator=(const scram_client&) = delete;
    scram_client(scram_client&&) = default;
    scram_client& operator=(scram_client&&) = default;

    // The client-first-message: GS2 header + client-first-message-bare. May be called again; it
    // returns the same bytes.
    const std::string& client_first();

    // Checks the server-first-message (nonce extends ours, salt valid base64, iteration count in
    // 1..max_iterations, no mandatory extension) and returns the client-final-message with the
    // proof. Failures: protocol_violation for malformed messages or calls out of order,
    // auth_failed for a nonce mismatch, a refused iteration count or a mandatory extension.
    outcome<std::string> handle_server_first(std::string_view server_first);

    // Checks the server-final-message: `v=` must carry the expected server signature (compared
    // in constant time); `e=` becomes auth_failed with the server's error text.
    outcome<void> handle_server_final(std::string_view server_final);

    // True once the server signature was verified.
    bool verified() const noexcept { return state_ == state::done; }

private:
    enum class state { initial, first_sent, final_sent, done, failed };

    failure failed(failure f) {
        state_ = state::failed;
        return f;
    }

    state state_ = state::initial;
    std::string password_; // prepared; cleansed when no longer needed
    std::string gs2_header_;
    std::vector<std::byte> cbind_data_;
    std::string client_nonce_;
    std::string client_first_bare_;
    std::string client_first_;
    std::uint32_t max_iterations_;
    std::array<unsigned char, 32> expected_server_signature_{};
};

} // namespace turbopg::wire::auth
