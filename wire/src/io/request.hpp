// A request in flight on a connection: its frontend messages were appended to the output buffer;
// the reader feeds it backend messages until its ReadyForQuery, then wakes the coroutine that
// waits for it.
#pragma once

#include "io/wake_event.hpp"
#include "ops/query_response.hpp"
#include "proto/bytes.hpp"
#include "proto/frontend.hpp"

#include <turbopg/wire/detail/function_ref.hpp>

#include <asio/steady_timer.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>

namespace turbopg::wire::io {

// The messages that run a prepared (or cached) statement: Bind of the unnamed portal, whose
// parameters `write_params` appends (each Int32 length + bytes), then Execute and Sync. Views
// only, so a request can keep it by value.
struct bind_execute {
    std::string_view statement;
    std::uint16_t param_count = 0;
    std::span<const std::int16_t> param_formats;
    std::span<const std::int16_t> result_formats;
    detail::function_ref<void(proto::bytes&)> write_params;

    // Writes the Bind and appends `then` bytes after it (end_bind), returning where they start.
    std::byte* write_bind(proto::byte_writer& w, std::size_t then) const;
    void operator()(proto::byte_writer& w) const; // Bind, Execute, Sync
};

// What a request appends: any writer that outlives the request's submission (a function_ref to
// a callable in the caller's frame), or a bind_execute held by value, which lets a plain function
// return the request's awaitable without a coroutine frame of its own.
class request_writer {
public:
    request_writer(const bind_execute& b) noexcept // NOLINT: implicit by design
        : writer_(b) {}
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, bind_execute> &&
             !std::is_same_v<std::remove_cvref_t<F>, request_writer> &&
             std::is_invocable_v<F&, proto::byte_writer&>) request_writer(F&& f)
    noexcept // NOLINT: implicit by design
        : writer_(detail::function_ref<void(proto::byte_writer&)>(f)) {}

    void operator()(proto::byte_writer& w) const {
        std::visit([&](const auto& write) { write(w); }, writer_);
    }

private:
    std::variant<detail::function_ref<void(proto::byte_writer&)>, bind_execute> writer_;
};

struct request {
    explicit request(ops::result_sink& sink)
        : response(sink) {}

    ops::query_response response;
    // Waited on by the requesting coroutine; fired by the reader to wake it.
    wake_event wake;
    std::error_code ec; // transport or protocol failure (the connection is then broken)
    std::string message;
    bool done = false;
    bool wants_cancel = false;    // timed out or cancelled: send a CancelRequest when at the head
    std::uint64_t end = 0;        // connection byte count at the end of this request's messages
    std::uint32_t statements = 1; // statements it carries (a batch: many), the server's work
    request* next = nullptr;      // FIFO of requests awaiting responses

    // A request that may put the server into copy-in mode is corked: until it completes, nothing
    // queued after it is written, since the server would take those messages for part of the
    // COPY (protocol docs, "COPY Operations"). Its copy-in messages (CopyData, CopyDone,
    // CopyFail) wait in `copy_data` and are written at the cork, i.e. right after `end`.
    enum class cork_kind : std::uint8_t { none, simple, extended } cork = cork_kind::none;
    proto::bytes copy_data;
    asio::steady_timer* copy_room = nullptr; // cancelled whenever the writer takes copy_data
};

} // namespace turbopg::wire::io
