#include "proto/frontend.hpp"

#include "support/bytes_util.hpp"

#include <turbopg/wire/error.hpp>

#include <doctest/doctest.h>

#include <sys/mman.h>

using namespace turbopg::wire::proto;
using namespace turbopg::test;

namespace {
template <class F>
std::string encoded(F&& f) {
    bytes buf;
    byte_writer w(buf);
    f(w);
    return to_hex(buf);
}
} // namespace

TEST_CASE("startup, SSLRequest and CancelRequest are untyped packets") {
    startup_param params[] = {{"user", "bob"}, {"database", "db"}};
    CHECK(encoded([&](auto& w) { encode_startup(w, params); }) ==
          to_hex(cat({be32(4 + 4 + 5 + 4 + 9 + 3 + 1), be32(196608), cstr("user"), cstr("bob"),
                      cstr("database"), cstr("db"), bytes{std::byte{0}}})));
    CHECK(encoded([](auto& w) { encode_ssl_request(w); }) == "0000000804d2162f");
    CHECK(encoded([](auto& w) { encode_cancel_request(w, 42, -1); }) ==
          "0000001004d2162e0000002affffffff");
}

TEST_CASE("authentication responses") {
    CHECK(encoded([](auto& w) { encode_password(w, "pw"); }) == "7000000007"
                                                                "707700");
    CHECK(
        encoded([](auto& w) { encode_sasl_initial_response(w, "SCRAM-SHA-256", "n,,x"); }) ==
        to_hex(cat({str("p"), be32(4 + 14 + 4 + 4), cstr("SCRAM-SHA-256"), be32(4), str("n,,x")})));
    CHECK(encoded([](auto& w) { encode_sasl_response(w, "c=biws"); }) ==
          to_hex(cat({str("p"), be32(10), str("c=biws")})));
}

TEST_CASE("simple and extended query messages") {
    CHECK(encoded([](auto& w) { encode_query(w, "select 1"); }) ==
          to_hex(cat({str("Q"), be32(13), cstr("select 1")})));

    std::uint32_t types[] = {23, 25};
    CHECK(encoded([&](auto& w) { encode_parse(w, "s1", "select $1, $2", types); }) ==
          to_hex(cat({str("P"), be32(4 + 3 + 14 + 2 + 8), cstr("s1"), cstr("select $1, $2"),
                      be16(2), be32(23), be32(25)})));

    std::int16_t param_formats[] = {1};
    std::int16_t result_formats[] = {1, 0};
    auto bind = encoded([&](auto& w) {
        auto at = begin_bind(w, "", "s1", param_formats, 2);
        w.put_i32(4);
        w.put_i32(7);
        w.put_i32(-1); // NULL
        end_bind(w, at, result_formats);
    });
    CHECK(bind == to_hex(cat({str("B"), be32(4 + 1 + 3 + 2 + 2 + 2 + 8 + 4 + 2 + 4), cstr(""),
                              cstr("s1"), be16(1), be16(1), be16(2), be32(4), be32(7), be32(-1),
                              be16(2), be16(1), be16(0)})));

    CHECK(encoded([](auto& w) { encode_describe(w, target::statement, "s1"); }) ==
          to_hex(cat({str("D"), be32(8), str("S"), cstr("s1")})));
    CHECK(encoded([](auto& w) { encode_execute(w, "", 0); }) ==
          to_hex(cat({str("E"), be32(9), cstr(""), be32(0)})));
    CHECK(encoded([](auto& w) { encode_close(w, target::portal, "p"); }) ==
          to_hex(cat({str("C"), be32(7), str("P"), cstr("p")})));
    CHECK(encoded([](auto& w) { encode_sync(w); }) == "5300000004");
    CHECK(encoded([](auto& w) { encode_flush(w); }) == "4800000004");
    CHECK(encoded([](auto& w) { encode_terminate(w); }) == "5800000004");
}

TEST_CASE("COPY messages") {
    CHECK(encoded([](auto& w) { encode_copy_data(w, as_bytes("1\t2\n")); }) ==
          to_hex(cat({str("d"), be32(8), str("1\t2\n")})));
    CHECK(encoded([](auto& w) { encode_copy_done(w); }) == "6300000004");
    CHECK(encoded([](auto& w) { encode_copy_fail(w, "oops"); }) ==
          to_hex(cat({str("f"), be32(9), cstr("oops")})));
}

TEST_CASE("append_copy_data grows one CopyData message") {
    bytes buf;
    append_copy_data(buf, as_bytes("ab"));
    append_copy_data(buf, as_bytes(""));
    append_copy_data(buf, as_bytes("cde"));
    CHECK(to_hex(buf) == to_hex(cat({str("d"), be32(9), str("abcde")})));
}

TEST_CASE("several messages coalesce into one buffer") {
    bytes buf;
    byte_writer w(buf);
    encode_sync(w);
    encode_sync(w);
    CHECK(to_hex(buf) == "53000000045300000004");
}

TEST_CASE("sized writers: Bind with encoded values, Describe and Execute in one append") {
    std::int16_t param_formats[] = {1};
    std::int16_t result_formats[] = {1, 0};
    auto values = cat({be32(4), be32(7), be32(-1)});
    auto expected = encoded([&](auto& w) {
        auto at = begin_bind(w, "p", "s1", param_formats, 2);
        w.put_bytes(byte_view(values));
        end_bind(w, at, result_formats);
        encode_describe(w, target::portal, "p");
        encode_execute(w, "p", 5);
    });
    auto sized = encoded([&](auto& w) {
        bind_message bind{"p", "s1", param_formats, 2, values, result_formats};
        auto size = bind_size(bind) + describe_size("p") + execute_size("p");
        auto* start = w.append(size);
        auto* p = put_bind(start, bind);
        p = put_describe(p, target::portal, "p");
        p = put_execute(p, "p", 5);
        CHECK(p == start + size); // the sizes are exact
    });
    CHECK(sized == expected);

    // No parameters, no formats: the smallest Bind.
    auto empty = encoded([&](auto& w) {
        bind_message bind{"", "", {}, 0, {}, {}};
        auto* start = w.append(bind_size(bind));
        CHECK(put_bind(start, bind) == start + bind_size(bind));
    });
    CHECK(empty ==
          to_hex(cat({str("B"), be32(12), cstr(""), cstr(""), be16(0), be16(0), be16(0)})));
}

TEST_CASE("end_bind appends room for the next messages: Execute and Sync in the Bind's growth") {
    std::int16_t result_formats[] = {1};
    auto expected = encoded([&](auto& w) {
        auto at = begin_bind(w, "", "s2", {}, 1);
        w.put_i32(4);
        w.put_i32(42);
        end_bind(w, at, result_formats);
        encode_execute(w, "", 0);
        encode_sync(w);
    });
    auto merged = encoded([&](auto& w) {
        auto at = begin_bind(w, "", "s2", {}, 1);
        w.put_i32(4);
        w.put_i32(42);
        auto* p = end_bind(w, at, result_formats, execute_size("") + sync_size);
        p = put_sync(put_execute(p, "", 0));
        CHECK(p == w.buffer().data() + w.size()); // exactly the room asked for
    });
    CHECK(merged == expected);
    CHECK(encoded([](auto& w) { put_sync(w.append(sync_size)); }) == "5300000004");
}

TEST_CASE("SQL holding a NUL, or longer than the server reads, is refused and nothing appended") {
    using turbopg::wire::errc;
    bytes buf = from_hex("5300000004"); // a Sync already queued stays as it is
    byte_writer w(buf);
    auto refused = [&](auto&& encode) -> std::error_code {
        try {
            encode();
        } catch (const turbopg::wire::error& e) {
            return e.code();
        }
        return {};
    };
    std::string_view with_nul("select 1\0select 2", 17);
    CHECK(refused([&] { encode_query(w, with_nul); }) == errc::invalid_value);
    CHECK(refused([&] { encode_parse(w, "s1", with_nul, {}); }) == errc::invalid_value);
    CHECK(to_hex(buf) == "5300000004");

    // 1 GiB of SQL, never read: reserved address space, not memory.
    auto size = max_message_body + 1;
    void* region =
        ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    REQUIRE(region != MAP_FAILED);
    std::string_view huge(static_cast<const char*>(region), size);
    CHECK(refused([&] { encode_query(w, huge); }) == errc::message_too_large);
    CHECK(refused([&] { encode_parse(w, "", huge, {}); }) == errc::message_too_large);
    ::munmap(region, size);
    CHECK(to_hex(buf) == "5300000004");

    // The limit is PostgreSQL's PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize - 1) for the body.
    CHECK(max_message_body == 0x3fffffffu - 1);
    CHECK_FALSE(refused([] { check_message_size('B', max_message_body); }));
    CHECK(refused([] { check_message_size('B', max_message_body + 1); }) ==
          errc::message_too_large);
    CHECK(refused([] { check_message_size('B', std::size_t{1} << 32); }) ==
          errc::message_too_large);
}
