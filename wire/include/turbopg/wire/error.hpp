// Errors of turbopg-wire.
//
// Client-side failures are std::error_codes of turbopg's own category (`errc`); transport failures
// keep Asio's/OpenSSL's codes. A server ErrorResponse becomes `errc::server_error` plus a
// `server_diagnostics` carrying every field the server sent. The coroutine API throws `error`,
// which carries both.
#pragma once

#include <turbopg/wire/export.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace turbopg::wire {

enum class errc : int {
    protocol_violation = 1,   // malformed or unexpected backend message
    message_too_large,        // a backend message longer than the configured maximum, or a
                              // frontend message longer than the server reads (1 GiB)
    connection_closed,        // the server closed the connection (or it was lost)
    timeout,                  // connect or statement timeout expired
    cancelled,                // the operation was cancelled by the caller
    auth_failed,              // authentication refused or the server failed to prove itself
    auth_method_unsupported,  // GSS, SSPI or an unknown method / SASL mechanism
    channel_binding_required, // channel_binding=require but the method cannot bind
    tls_unavailable,          // sslmode requires TLS but the server refused it
    tls_verification_failed,  // certificate chain or host name check failed
    bad_config,               // an invalid connection setting
    type_mismatch,            // C++ type cannot represent the PostgreSQL type
    unexpected_null,          // NULL read into a non-optional value
    invalid_value,            // malformed binary value for its type
    value_out_of_range,       // value does not fit the C++ or PostgreSQL type
    server_error,             // the server answered with an ErrorResponse
    no_rows,                  // exactly one row was expected, none came
    too_many_rows,            // exactly one row was expected, more came
    pool_exhausted,           // no connection could be acquired in time
    pool_closed,              // the pool was shut down
    server_unreachable,       // no host could be connected to
    wrong_session_attrs,      // no host matched target_session_attrs
    transaction_rolled_back,  // COMMIT found the transaction failed and rolled it back instead
    transaction_state,        // a transaction call that the session's state does not allow
    copy_mismatch,            // COPY FROM STDIN / TO STDOUT run by an operation not made for it
                              // (or copy_in / copy_out given a statement that is not one)
};

TURBOPG_WIRE_API const std::error_category& client_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

// Every field of an ErrorResponse or NoticeResponse (protocol docs, "Error and Notice Message
// Fields"). Absent fields are empty strings; `position` is 0 when absent.
struct server_diagnostics {
    std::string severity;                // localized (S)
    std::string severity_nonlocalized;   // V
    std::string sqlstate;                // C
    std::string message;                 // M
    std::string detail;                  // D
    std::string hint;                    // H
    std::uint32_t position = 0;          // P
    std::uint32_t internal_position = 0; // p
    std::string internal_query;          // q
    std::string where;                   // W
    std::string schema_name;             // s
    std::string table_name;              // t
    std::string column_name;             // c
    std::string data_type_name;          // d
    std::string constraint_name;         // n
    std::string file;                    // F
    std::string line;                    // L
    std::string routine;                 // R
};

// Thrown by the coroutine API. For a server error what() reads like libpq's messages, e.g.
// `ERROR:  relation "nope" does not exist (SQLSTATE 42P01)`; for a client error it is the
// context given by the thrower followed by the code's message.
class TURBOPG_WIRE_API error : public std::system_error {
public:
    error(std::error_code ec, const std::string& what_arg);
    error(server_diagnostics diag);

    // The server's diagnostics when code() == errc::server_error, else null.
    const server_diagnostics* diagnostics() const noexcept { return diag_.get(); }
    // The SQLSTATE, or an empty string for client errors.
    const std::string& sqlstate() const noexcept;

    const char* what() const noexcept override { return what_.c_str(); }

private:
    // Shared and behind a pointer: an error is copied as exceptions are, and held in the frames of
    // coroutines (decode failures), which the ~600 bytes of diagnostics would bloat.
    std::shared_ptr<const server_diagnostics> diag_;
    std::string what_;
};

} // namespace turbopg::wire

template <>
struct std::is_error_code_enum<turbopg::wire::errc> : std::true_type {};
