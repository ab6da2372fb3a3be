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

#include <memory>
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
    query_response(const query_response&) = delete;
    query_response& operator=(const query_response&) = delete;

    // DataRow field views go into `fields` from now on instead of a vector of this response's
    // own: a connection shares one among its requests (one response is read at a time), so a
    // request allocates nothing for them.
    void share_field_buffer(std::vector<proto::field_slice>& fields) noexcept { fields_ = &fields; }

    // Feeds one message addressed to this request. Returns an error only for a protocol
    // violation (the connection cannot continue); sets `done` once ReadyForQuery arrived.
    // Inline for a DataRow, the one message a result has many of, and for a BindComplete, which
    // every statement of a pipeline or batch gets.
    std::error_code on_message(const proto::frame& f, bool& done) {
        if (!server_error_ && copy_ == copy_state::none) [[likely]] {
            if (f.type == proto::msg::data_row) {
                done = false;
                return on_data_row(f.body);
            }
            if (f.type == proto::msg::bind_complete && f.body.empty()) {
                done = false;
                bound_ = true;
                return {};
            }
        }
        return on_other_message(f, done);
    }

    // The server's error, if the request failed on the server (null otherwise).
    const server_diagnostics* server_error() const noexcept { return server_error_.get(); }
    // Moves the server's error out (null if there was none).
    std::unique_ptr<server_diagnostics> take_server_error() noexcept {
        return std::move(server_error_);
    }
    // The first client-side error raised by the sink (type mismatch, unexpected NULL, ...).
    std::error_code client_error() const noexcept { return client_error_; }
    // What the request's own refusal of a COPY said (empty otherwise), for client_error().
    const char* client_message() const noexcept { return client_message_; }
    // Set when the server entered copy-in mode for a sink that does not stream COPY data: the
    // connection must answer with CopyFail(copy_in_refusal()) (protocol docs, "COPY Operations").
    const char* copy_in_refusal() const noexcept { return copy_in_refusal_; }
    // The transaction status from the final ReadyForQuery ('I', 'T' or 'E').
    char transaction_status() const noexcept { return tx_status_; }
    // Whether the server's error came before the failing statement's BindComplete: at its Bind
    // (or Parse), where nothing of it has run (each statement's CommandComplete starts anew).
    bool failed_before_bind() const noexcept { return server_error_ && !bound_; }

private:
    result_sink& sink_;
    // Behind a pointer: diagnostics are some 600 bytes, and a request lives in the frame of the
    // coroutine that awaits it, which must stay small enough for malloc's per-thread cache.
    std::unique_ptr<server_diagnostics> server_error_;
    std::error_code client_error_;
    std::vector<std::uint32_t> param_types_;
    std::vector<proto::column_description> columns_;
    std::vector<proto::field_slice> own_fields_;
    std::vector<proto::field_slice>* fields_ = &own_fields_;
    char tx_status_ = 'I';
    const char* client_message_ = "";
    const char* copy_in_refusal_ = nullptr;
    // Inside a COPY: copy_out while CopyData may come (drained when refused), copy_in while the
    // server waits for our data.
    enum class copy_state : std::uint8_t { none, copy_out, copy_in } copy_ = copy_state::none;
    bool copy_refused_ = false;
    bool bound_ = false; // BindComplete since the last CommandComplete

    std::error_code on_data_row(proto::byte_view body) {
        if (auto ec = proto::parse_data_row(body, *fields_)) return ec;
        if (client_error_) return {}; // keep draining; the request already failed
        client_error_ = sink_.on_data_row(*fields_);
        return {};
    }
    std::error_code on_other_message(const proto::frame& f, bool& done);
    std::error_code on_copy_message(const proto::frame& f);
};

} // namespace turbopg::wire::ops
