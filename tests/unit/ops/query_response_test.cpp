#include "ops/query_response.hpp"

#include "support/bytes_util.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace turbopg::wire;
using namespace turbopg::wire::proto;
using namespace turbopg::test;

namespace {

// Records what the state machine forwarded.
struct recording_sink : ops::result_sink {
    std::vector<std::string> events;
    std::error_code fail_rows_with;
    void on_parameter_types(std::span<const std::uint32_t> t) override {
        events.push_back("params:" + std::to_string(t.size()));
    }
    void on_row_description(std::vector<column_description>&& c) override {
        events.push_back("columns:" + std::to_string(c.size()));
    }
    void on_no_data() override { events.push_back("nodata"); }
    std::error_code on_data_row(std::span<const field_slice> f) override {
        events.push_back("row:" + std::to_string(f.size()));
        return fail_rows_with;
    }
    void on_command_complete(std::string_view tag) override {
        events.push_back("complete:" + std::string(tag));
    }
    void on_empty_query() override { events.push_back("empty"); }
    void on_portal_suspended() override { events.push_back("suspended"); }
};

// Feeds a whole transcript through framing and the response machine.
struct feeder {
    recording_sink sink;
    ops::query_response resp{sink};
    bool done = false;

    std::error_code feed(const bytes& transcript) {
        byte_view in(transcript);
        while (!in.empty()) {
            auto r = next_frame(in, default_max_message_size);
            REQUIRE(r.status == frame_status::complete);
            CHECK_FALSE(done); // nothing may follow the ReadyForQuery of this request
            if (auto ec = resp.on_message(r.msg, done)) return ec;
            in = in.subspan(r.msg.size);
        }
        return {};
    }
};

bytes row_desc_1() {
    return backend_message(
        'T', cat({be16(1), cstr("n"), be32(0), be16(0), be32(23), be16(4), be32(-1), be16(1)}));
}
bytes data_row_1(std::int32_t v) {
    return backend_message('D', cat({be16(1), be32(4), be32(v)}));
}
bytes ready(char s) {
    return backend_message('Z', bytes{static_cast<std::byte>(s)});
}

} // namespace

TEST_CASE("extended query transcript: parse, describe, bind, execute, sync") {
    feeder f;
    auto t = cat({backend_message('1', {}), backend_message('t', cat({be16(1), be32(23)})),
                  row_desc_1(), backend_message('2', {}), data_row_1(1), data_row_1(2),
                  backend_message('C', cstr("SELECT 2")), ready('I')});
    REQUIRE_FALSE(f.feed(t));
    CHECK(f.done);
    CHECK(f.sink.events ==
          std::vector<std::string>{"params:1", "columns:1", "row:1", "row:1", "complete:SELECT 2"});
    CHECK_FALSE(f.resp.server_error());
    CHECK(f.resp.transaction_status() == 'I');
}

TEST_CASE("simple query with several statements and an empty one") {
    feeder f;
    auto t =
        cat({row_desc_1(), data_row_1(7), backend_message('C', cstr("SELECT 1")),
             backend_message('C', cstr("CREATE TABLE")), backend_message('I', {}), ready('T')});
    REQUIRE_FALSE(f.feed(t));
    CHECK(f.done);
    CHECK(f.sink.events == std::vector<std::string>{"columns:1", "row:1", "complete:SELECT 1",
                                                    "complete:CREATE TABLE", "empty"});
    CHECK(f.resp.transaction_status() == 'T');
}

TEST_CASE("a server error is kept and only ReadyForQuery may follow it") {
    feeder f;
    auto err = backend_message('E', cat({str("S"), cstr("ERROR"), str("C"), cstr("42P01"), str("M"),
                                         cstr("relation \"x\" does not exist"), cstr("")}));
    REQUIRE_FALSE(f.feed(cat({err, ready('E')})));
    CHECK(f.done);
    REQUIRE(f.resp.server_error());
    CHECK(f.resp.server_error()->sqlstate == "42P01");
    CHECK(f.resp.transaction_status() == 'E');

    feeder g;
    CHECK(g.feed(cat({err, data_row_1(1)})) == errc::protocol_violation);
}

TEST_CASE("a sink error fails the request but the rest is drained") {
    feeder f;
    f.sink.fail_rows_with = make_error_code(errc::type_mismatch);
    REQUIRE_FALSE(f.feed(cat({row_desc_1(), data_row_1(1), data_row_1(2),
                              backend_message('C', cstr("SELECT 2")), ready('I')})));
    CHECK(f.done);
    CHECK(f.resp.client_error() == errc::type_mismatch);
    // The second row is not handed to a sink that already failed.
    CHECK(f.sink.events == std::vector<std::string>{"columns:1", "row:1", "complete:SELECT 2"});
}

TEST_CASE("malformed or unexpected messages are protocol violations") {
    feeder a;
    CHECK(a.feed(backend_message('2', cstr("x"))) == errc::protocol_violation);
    feeder b;
    CHECK(b.feed(backend_message('K', cat({be32(1), be32(2)}))) == errc::protocol_violation);
    feeder c;
    CHECK(c.feed(backend_message('D', cat({be16(1), be32(9)}))) == errc::protocol_violation);
    feeder d;
    CHECK(d.feed(backend_message('s', {})) == std::error_code{});
    CHECK(d.sink.events == std::vector<std::string>{"suspended"});
}
