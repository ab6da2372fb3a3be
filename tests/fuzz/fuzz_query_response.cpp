// A stream of backend messages into query_response with a sink that records (and reads in full)
// everything it is given. After each ReadyForQuery the next request's response starts.
#include "fuzz_util.hpp"
#include "ops/query_response.hpp"

#include <memory>

using namespace turbopg::wire;

namespace {
struct recording_sink : detail::result_sink {
    std::vector<std::uint32_t> params;
    detail::column_list columns;
    std::vector<std::vector<std::byte>> cells;
    std::vector<std::string> tags;
    void on_parameter_types(std::span<const std::uint32_t> t) override {
        params.assign(t.begin(), t.end());
    }
    void on_columns(const detail::column_list& c) override { columns = c; }
    std::error_code on_data_row(std::span<const detail::raw_field> row) override {
        for (auto& f : row)
            cells.emplace_back(f.bytes().begin(), f.bytes().end());
        // A row whose first value is NULL fails the request, as a type mismatch would.
        if (!row.empty() && row[0].is_null()) return make_error_code(errc::unexpected_null);
        return {};
    }
    void on_command_complete(std::string_view tag) override { tags.emplace_back(tag); }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto in = turbopg::fuzz::as_span(data, size);
    recording_sink sink;
    auto resp = std::make_unique<ops::query_response>(sink);
    for (;;) {
        auto r = proto::next_frame(in, proto::default_max_message_size);
        if (r.status != proto::frame_status::complete) return 0;
        bool done = false;
        if (resp->on_message(r.msg, done)) return 0; // a protocol violation ends the connection
        if (done) {
            if (const auto* e = resp->server_error()) turbopg::fuzz::touch(e->message);
            resp = std::make_unique<ops::query_response>(sink);
        }
        in = in.subspan(r.msg.size);
    }
}
