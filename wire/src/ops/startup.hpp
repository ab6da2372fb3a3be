// Startup and authentication (protocol docs, "Start-up" and "SASL Authentication").
//
// Sans-io: the caller sends what the op writes, reads backend messages and feeds them in, until
// the op reports done (ReadyForQuery received) or an error. TLS negotiation happens before this
// op; its result (is TLS on, the server certificate's hash for tls-server-end-point) is an input.
#pragma once

#include "auth/mechanism.hpp"
#include "auth/scram.hpp"
#include "proto/backend.hpp"
#include "proto/frontend.hpp"

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/error.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace turbopg::wire::ops {

using auth::channel_binding_mode;

struct startup_settings {
    std::string user;
    std::string database;
    std::optional<std::string> password;
    // Further startup parameters: application_name, options, replication, client_encoding...
    std::vector<std::pair<std::string, std::string>> parameters;
    channel_binding_mode channel_binding = channel_binding_mode::prefer;
    // require_auth: which authentication requests the client accepts (default: all).
    auth_requirements require_auth;
    bool tls_active = false;
    // tls-server-end-point data (RFC 5929) of the server certificate; empty when unavailable.
    std::vector<std::byte> tls_server_end_point;
    // Client nonce for SCRAM; empty = random. Tests inject one to replay transcripts.
    std::string scram_nonce;
};

class startup_op {
public:
    enum class status {
        read,  // wait for the next backend message
        write, // send what was appended to the output buffer, then read
        done,  // ReadyForQuery received: the session is ready
    };

    explicit startup_op(startup_settings s);

    // Appends the StartupMessage.
    void start(proto::byte_writer& out);

    // Feeds one backend message; may append a response to `out`. An error ends the op: the
    // message is in error_message(), and server_error() holds the server's diagnostics when the
    // server refused (e.g. SQLSTATE 28P01, wrong password).
    std::error_code on_message(const proto::frame& f, proto::byte_writer& out, status& st);

    const std::string& error_message() const noexcept { return error_message_; }
    const std::optional<server_diagnostics>& server_error() const noexcept { return server_error_; }
    const proto::backend_key_data& key_data() const noexcept { return key_; }
    const std::vector<std::pair<std::string, std::string>>& parameters() const noexcept {
        return parameters_;
    }
    const std::vector<server_diagnostics>& notices() const noexcept { return notices_; }
    char transaction_status() const noexcept { return tx_status_; }
    // The SASL mechanism used, empty when none ("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS").
    const std::string& sasl_mechanism() const noexcept { return mechanism_; }

private:
    enum class state { authenticating, sasl_continue, sasl_final, session };

    std::error_code fail(std::error_code ec, std::string message);
    std::error_code on_authentication(const proto::frame& f, proto::byte_writer& out, status& st);
    std::error_code on_session_message(const proto::frame& f, status& st);
    std::error_code need_password(std::string_view method);
    std::error_code check_required(auth_method m, std::string_view what);

    startup_settings settings_;
    state state_ = state::authenticating;
    std::unique_ptr<auth::scram_client> scram_;
    std::string mechanism_;
    bool sasl_completed_ = false;
    bool authenticated_ = false; // the server asked for (and got) some proof of identity
    proto::backend_key_data key_;
    std::vector<std::pair<std::string, std::string>> parameters_;
    std::vector<server_diagnostics> notices_;
    std::optional<server_diagnostics> server_error_;
    std::string error_message_;
    char tx_status_ = 'I';
};

} // namespace turbopg::wire::ops
