// The state of one COPY FROM STDIN, shared by its copy_writer and the connection: the request in
// the connection's FIFO (corked, so nothing queued after it is written during the COPY) and what
// the server said about the COPY. It lives until the server has answered, even when the writer
// goes first (connection_impl::copy_in_abandon keeps it).
#pragma once

#include "io/connection_impl.hpp"
#include "io/request.hpp"

#include <turbopg/wire/codec.hpp>

#include <asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace turbopg::wire::io {

struct copy_in_state {
    enum class phase : std::uint8_t {
        starting,  // Query sent, CopyInResponse not yet seen
        copying,   // the writer sends CopyData
        ended,     // CopyDone or CopyFail queued
        abandoned, // given up while starting: CopyFail as soon as the server is ready
    };

    // Receives the COPY's response; wakes the coroutine waiting in start_copy_in.
    class sink final : public ops::result_sink {
    public:
        explicit sink(copy_in_state& s) noexcept
            : s_(s) {}
        const char* on_copy_in(std::int8_t format,
                               std::span<const std::int16_t> column_formats) override;
        const char* on_copy_out(std::int8_t, std::span<const std::int16_t>) override {
            return "copy_in needs a COPY ... FROM STDIN statement, not COPY TO STDOUT";
        }
        void on_command_complete(std::string_view tag) override { s_.tag = tag; }

    private:
        copy_in_state& s_;
    };

    explicit copy_in_state(std::shared_ptr<connection_impl> c)
        : conn(std::move(c))
        , response(*this)
        , req(response)
        , room(conn->get_executor(), asio::steady_timer::time_point::max()) {
        req.copy_room = &room;
    }

    std::shared_ptr<connection_impl> conn;
    sink response;
    request req;
    asio::steady_timer room; // cancelled when the writer took copy_data, or the COPY ended
    phase state = phase::starting;
    format overall = format::text;
    std::vector<format> columns;
    std::string tag;
};

} // namespace turbopg::wire::io
