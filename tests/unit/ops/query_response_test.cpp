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
    bool stream_copy = false; // accept COPY like copy_in / copy_out do
    const char* on_copy_in(std::int8_t format, std::span<const std::int16_t> cols) override {
        events.push_back("copy_in:" + std::to_string(format) + "/" + std::to_string(cols.size()));
        return stream_copy ? nullptr : "no copy_in here";
    }
    const char* on_copy_out(std::int8_t format, std::span<const std::int16_t> cols) override {
        events.push_back("copy_out:" + std::to_string(format) + "/" + std::to_string(cols.size()));
        return stream_copy ? nullptr : "no copy_out here";
    }
    std::error_code on_copy_data(std::span<const std::byte> d) override {
        events.push_back("data:" + std::string(reinterpret_cast<const char*>(d.data()), d.size()));
        return {};
    }
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
    feeder h; // a BindComplete is no exception (it has a fast path of its own)
    CHECK(h.feed(cat({err, backend_message('2', {})})) == errc::protocol_violation);
}

TEST_CASE("an error before the failing statement's BindComplete failed at its Bind") {
    auto err = backend_message('E', cat({str("S"), cstr("ERROR"), str("C"), cstr("42883"), str("M"),
                                         cstr("operator does not exist"), cstr("")}));
    auto bound = backend_message('2', {});
    auto done = backend_message('C', cstr("SELECT 1"));
    feeder at_bind;
    REQUIRE_FALSE(at_bind.feed(cat({err, ready('I')})));
    CHECK(at_bind.resp.failed_before_bind());
    feeder running; // failed while it ran
    REQUIRE_FALSE(running.feed(cat({bound, data_row_1(1), err, ready('I')})));
    CHECK_FALSE(running.resp.failed_before_bind());
    feeder second; // a batch: the second statement failed at its Bind
    REQUIRE_FALSE(second.feed(cat({bound, data_row_1(1), done, err, ready('I')})));
    CHECK(second.resp.failed_before_bind());
    feeder fine;
    REQUIRE_FALSE(fine.feed(cat({done, ready('I')})));
    CHECK_FALSE(fine.resp.failed_before_bind());
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

namespace {
bytes copy_response_msg(char type, std::int8_t format, std::int16_t columns) {
    bytes body = {static_cast<std::byte>(format)};
    body = cat({body, be16(columns)});
    for (std::int16_t i = 0; i < columns; ++i)
        body = cat({body, be16(format)});
    return backend_message(type, body);
}
bytes copy_fail_error() {
    return backend_message(
        'E', cat({str("SERROR"), bytes{std::byte{0}}, str("C57014"), bytes{std::byte{0}},
                  str("MCOPY from stdin failed"), bytes{std::byte{0}}, bytes{std::byte{0}}}));
}
} // namespace

TEST_CASE("COPY TO STDOUT: data streamed to a sink that takes it") {
    feeder f;
    f.sink.stream_copy = true;
    REQUIRE_FALSE(f.feed(cat({copy_response_msg('H', 0, 2), backend_message('d', str("1\ta\n")),
                              backend_message('d', str("2\tb\n")), backend_message('c', {}),
                              backend_message('C', cstr("COPY 2")), ready('I')})));
    CHECK(f.done);
    CHECK_FALSE(f.resp.client_error());
    CHECK(f.sink.events == std::vector<std::string>{"copy_out:0/2", "data:1\ta\n", "data:2\tb\n",
                                                    "complete:COPY 2"});
}

TEST_CASE("COPY TO STDOUT: only CopyData, CopyDone or an error may come before CopyDone") {
    feeder f;
    f.sink.stream_copy = true;
    CHECK(f.feed(cat({copy_response_msg('H', 0, 1), backend_message('2', {})})) ==
          errc::protocol_violation);
    feeder g;
    g.sink.stream_copy = true;
    CHECK(g.feed(cat({copy_response_msg('H', 0, 1), data_row_1(1)})) == errc::protocol_violation);
}

TEST_CASE("COPY TO STDOUT refused: drained, the request fails with copy_mismatch") {
    feeder f;
    REQUIRE_FALSE(
        f.feed(cat({copy_response_msg('H', 1, 1), backend_message('d', str("x")),
                    backend_message('c', {}), backend_message('C', cstr("COPY 1")), ready('I')})));
    CHECK(f.done);
    CHECK(f.resp.client_error() == errc::copy_mismatch);
    CHECK(std::string(f.resp.client_message()) == "no copy_out here");
    CHECK(f.sink.events == std::vector<std::string>{"copy_out:1/1", "complete:COPY 1"});
}

TEST_CASE("COPY FROM STDIN refused: CopyFail asked for, its error swallowed") {
    feeder f;
    REQUIRE_FALSE(f.feed(copy_response_msg('G', 0, 3)));
    REQUIRE(f.resp.copy_in_refusal());
    CHECK(std::string(f.resp.copy_in_refusal()) == "no copy_in here");
    REQUIRE_FALSE(f.feed(cat({copy_fail_error(), ready('I')})));
    CHECK(f.done);
    CHECK_FALSE(f.resp.server_error());
    CHECK(f.resp.client_error() == errc::copy_mismatch);
}

TEST_CASE("COPY FROM STDIN accepted: a server error mid-stream is the request's error") {
    feeder f;
    f.sink.stream_copy = true;
    REQUIRE_FALSE(f.feed(copy_response_msg('G', 1, 2)));
    CHECK_FALSE(f.resp.copy_in_refusal());
    REQUIRE_FALSE(f.feed(cat({copy_fail_error(), ready('I')})));
    REQUIRE(f.resp.server_error());
    CHECK(f.resp.server_error()->sqlstate == "57014");
}

TEST_CASE("COPY messages out of place are protocol violations") {
    feeder a;
    CHECK(a.feed(backend_message('d', str("x"))) == errc::protocol_violation);
    feeder b;
    CHECK(b.feed(backend_message('c', {})) == errc::protocol_violation);
    feeder c;
    c.sink.stream_copy = true;
    CHECK(c.feed(cat({copy_response_msg('H', 0, 1), data_row_1(1)})) == errc::protocol_violation);
    feeder d;
    CHECK(d.feed(cat({copy_response_msg('H', 0, 1), copy_response_msg('H', 0, 1)})) ==
          errc::protocol_violation);
    feeder e;
    CHECK(e.feed(backend_message('G', be16(0))) == errc::protocol_violation);
}
