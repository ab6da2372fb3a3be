// The response to one request: every backend message the server sends for the frontend messages
// a request wrote, up to and including the ReadyForQuery that answers its Sync (or its Query).
//
// This is the shared state machine of simple query, extended query, prepare and close: it checks
// that each message may come where it comes, forwards results to a sink, keeps the first error
// (the server then skips to the Sync, protocol docs "Extended Query"), and says when the request
// is complete. Asynchronous messages (NoticeResponse, NotificationResponse, ParameterStatus) are
// peeled off by the connection before they reach a request.
#pragma once

#include "proto/backend.hpp"

#include <turbopg/wire/detail/result_sink.hpp>

#include <turbopg/wire/error.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace turbopg::wire::ops {

using detail::result_sink;

class query_response {
public:
    explicit query_response(result_sink& sink) noexcept
        : sink_(sink) {}

    // Feeds one message addressed to this request. Returns an error only for a protocol
    // violation (the connection cannot continue); sets `done` once ReadyForQuery arrived.
    std::error_code on_message(const proto::frame& f, bool& done);

    // The server's error, if the request failed on the server.
    const std::optional<server_diagnostics>& server_error() const noexcept { return server_error_; }
    // The first client-side error raised by the sink (type mismatch, unexpected NULL, ...).
    std::error_code client_error() const noexcept { return client_error_; }
    // The transaction status from the final ReadyForQuery ('I', 'T' or 'E').
    char transaction_status() const noexcept { return tx_status_; }

private:
    result_sink& sink_;
    std::optional<server_diagnostics> server_error_;
    std::error_code client_error_;
    std::vector<std::uint32_t> param_types_;
    std::vector<proto::column_description> columns_;
    std::vector<proto::field_slice> fields_;
    char tx_status_ = 'I';
};

} // namespace turbopg::wire::ops
