// A request in flight on a connection: its frontend messages were appended to the output buffer;
// the reader feeds it backend messages until its ReadyForQuery, then wakes the coroutine that
// waits for it.
#pragma once

#include "io/wake_event.hpp"
#include "ops/query_response.hpp"
#include "proto/bytes.hpp"

#include <asio/steady_timer.hpp>

#include <cstdint>
#include <string>
#include <system_error>

namespace turbopg::wire::io {

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
