#include "proto/backend.hpp"

#include "support/bytes_util.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::wire::proto;
using namespace turbopg::test;

TEST_CASE("framing says how much more it needs, then cuts one message") {
    auto m = backend_message('Z', str("I"));
    for (std::size_t n = 0; n < m.size(); ++n) {
        auto r = next_frame(byte_view(m).first(n), default_max_message_size);
        CHECK(r.status == frame_status::need_more);
        CHECK(r.needed == (n < 5 ? 5u : m.size()));
    }
    auto two = cat({m, backend_message('1', {})});
    auto r = next_frame(two, default_max_message_size);
    REQUIRE(r.status == frame_status::complete);
    CHECK(r.msg.type == 'Z');
    CHECK(r.msg.size == 6);
    CHECK(as_chars(r.msg.body) == "I");
    auto r2 = next_frame(byte_view(two).subspan(r.msg.size), default_max_message_size);
    REQUIRE(r2.status == frame_status::complete);
    CHECK(r2.msg.type == '1');
    CHECK(r2.msg.body.empty());
}

TEST_CASE("framing rejects bad lengths before buffering the body") {
    auto bad = cat({str("Z"), be32(3)});
    auto r = next_frame(bad, default_max_message_size);
    CHECK(r.status == frame_status::error);
    CHECK(r.ec == errc::protocol_violation);

    auto huge = cat({str("D"), be32(0x7fffffff)});
    r = next_frame(huge, 1024);
    CHECK(r.status == frame_status::error);
    CHECK(r.ec == errc::message_too_large);
}

TEST_CASE("authentication requests") {
    authentication a;
    CHECK_FALSE(parse(be32(0), a));
    CHECK(a.code == auth_code::ok);
    auto md5 = cat({be32(5), from_hex("01020304")});
    CHECK_FALSE(parse(md5, a));
    CHECK(a.code == auth_code::md5_password);
    CHECK(to_hex(a.data) == "01020304");
    CHECK(parse(cat({be32(5), from_hex("0102")}), a) == errc::protocol_violation);
    CHECK(parse(cat({be32(3), from_hex("00")}), a) == errc::protocol_violation);
    CHECK(parse(from_hex("0000"), a) == errc::protocol_violation);

    auto sasl = cat({cstr("SCRAM-SHA-256-PLUS"), cstr("SCRAM-SHA-256"), cstr("")});
    auto sasl_msg = cat({be32(10), sasl});
    REQUIRE_FALSE(parse(sasl_msg, a));
    std::vector<std::string_view> mechs;
    REQUIRE_FALSE(parse_sasl_mechanisms(a.data, mechs));
    REQUIRE(mechs.size() == 2);
    CHECK(mechs[0] == "SCRAM-SHA-256-PLUS");
    CHECK(mechs[1] == "SCRAM-SHA-256");
    auto unterminated = cstr("SCRAM-SHA-256");
    CHECK(parse_sasl_mechanisms(unterminated, mechs) == errc::protocol_violation);
}

TEST_CASE("session messages") {
    backend_key_data k;
    CHECK_FALSE(parse(cat({be32(1234), be32(-99)}), k));
    CHECK(k.pid == 1234);
    CHECK(k.secret == -99);
    CHECK(parse(cat({be32(1234), be32(1), str("x")}), k) == errc::protocol_violation);

    parameter_status ps;
    auto status = cat({cstr("server_version"), cstr("15.18")});
    CHECK_FALSE(parse(status, ps));
    CHECK(ps.name == "server_version");
    CHECK(ps.value == "15.18");
    CHECK(parse(cat({cstr("a"), str("b")}), ps) == errc::protocol_violation);

    ready_for_query z;
    CHECK_FALSE(parse(str("T"), z));
    CHECK(z.status == 'T');
    CHECK(parse(str("X"), z) == errc::protocol_violation);
    CHECK(parse(str("II"), z) == errc::protocol_violation);

    notification n;
    auto notify = cat({be32(7), cstr("chan"), cstr("hello")});
    CHECK_FALSE(parse(notify, n));
    CHECK(n.pid == 7);
    CHECK(n.channel == "chan");
    CHECK(n.payload == "hello");
}

TEST_CASE("command tags and rows affected like PQcmdTuples") {
    command_complete c;
    auto tag = cstr("INSERT 0 5");
    CHECK_FALSE(parse(tag, c));
    CHECK(c.tag == "INSERT 0 5");
    CHECK(rows_affected("INSERT 0 5") == 5);
    CHECK(rows_affected("UPDATE 12") == 12);
    CHECK(rows_affected("DELETE 0") == 0);
    CHECK(rows_affected("SELECT 1000000") == 1000000);
    CHECK(rows_affected("COPY 3") == 3);
    CHECK(rows_affected("MERGE 2") == 2);
    CHECK(rows_affected("CREATE TABLE") == 0);
    CHECK(rows_affected("SELECT x") == 0);
}

TEST_CASE("error fields fill every diagnostic") {
    auto body = cat({str("S"), cstr("ERROR"),
                     str("V"), cstr("ERROR"),
                     str("C"), cstr("23505"),
                     str("M"), cstr("duplicate key"),
                     str("D"), cstr("Key (id)=(1) exists."),
                     str("H"), cstr("hint"),
                     str("P"), cstr("17"),
                     str("s"), cstr("public"),
                     str("t"), cstr("t"),
                     str("c"), cstr("id"),
                     str("n"), cstr("t_pkey"),
                     str("R"), cstr("_bt_check_unique"),
                     str("Z"), cstr("future"),
                     cstr("")});
    server_diagnostics d;
    REQUIRE_FALSE(parse_diagnostics(body, d));
    CHECK(d.severity == "ERROR");
    CHECK(d.sqlstate == "23505");
    CHECK(d.message == "duplicate key");
    CHECK(d.detail == "Key (id)=(1) exists.");
    CHECK(d.hint == "hint");
    CHECK(d.position == 17);
    CHECK(d.schema_name == "public");
    CHECK(d.table_name == "t");
    CHECK(d.column_name == "id");
    CHECK(d.constraint_name == "t_pkey");
    CHECK(d.routine == "_bt_check_unique");

    server_diagnostics bad;
    CHECK(parse_diagnostics(cat({str("M"), str("no terminator")}), bad) ==
          errc::protocol_violation);
    CHECK(parse_diagnostics(cat({str("M"), cstr("m")}), bad) == errc::protocol_violation);
}

TEST_CASE("row description and data rows") {
    auto col = [](std::string_view name, std::int32_t type) {
        return cat({cstr(name), be32(16384), be16(1), be32(type), be16(4), be32(-1), be16(1)});
    };
    std::vector<column_description> cols;
    REQUIRE_FALSE(parse_row_description(cat({be16(2), col("id", 23), col("name", 25)}), cols));
    REQUIRE(cols.size() == 2);
    CHECK(cols[0].name == "id");
    CHECK(cols[0].type_oid == 23);
    CHECK(cols[0].table_oid == 16384);
    CHECK(cols[1].name == "name");
    CHECK(cols[1].format == 1);
    CHECK(parse_row_description(cat({be16(2), col("id", 23)}), cols) == errc::protocol_violation);

    std::vector<field_slice> fields;
    auto row = cat({be16(3), be32(4), be32(42), be32(-1), be32(0)});
    REQUIRE_FALSE(parse_data_row(row, fields));
    REQUIRE(fields.size() == 3);
    CHECK(to_hex(fields[0].bytes()) == "0000002a");
    CHECK(fields[1].is_null());
    CHECK_FALSE(fields[2].is_null());
    CHECK(fields[2].bytes().empty());

    CHECK(parse_data_row(cat({be16(1), be32(5), be32(1)}), fields) == errc::protocol_violation);
    CHECK(parse_data_row(cat({be16(1), be32(-2)}), fields) == errc::protocol_violation);
    CHECK(parse_data_row(cat({be16(1), be32(1), str("ab")}), fields) == errc::protocol_violation);
    CHECK(parse_data_row(cat({be16(30000)}), fields) == errc::protocol_violation);
    CHECK(parse_data_row(from_hex("00"), fields) == errc::protocol_violation);
}

TEST_CASE("parameter description, copy responses, protocol negotiation, empty bodies") {
    std::vector<std::uint32_t> types;
    REQUIRE_FALSE(parse_parameter_description(cat({be16(2), be32(23), be32(25)}), types));
    CHECK(types == std::vector<std::uint32_t>{23, 25});
    CHECK(parse_parameter_description(cat({be16(2), be32(23)}), types) == errc::protocol_violation);
    bytes many = be16(static_cast<std::int16_t>(40000)); // 40,000 as an unsigned Int16
    for (int i = 0; i < 40000; ++i) {
        auto type = be32(23);
        many.insert(many.end(), type.begin(), type.end());
    }
    REQUIRE_FALSE(parse_parameter_description(many, types));
    CHECK(types.size() == 40000);

    copy_response c;
    REQUIRE_FALSE(parse(cat({from_hex("01"), be16(2), be16(1), be16(1)}), c));
    CHECK(c.format == 1);
    CHECK(c.column_formats.size() == 2);
    CHECK(parse(cat({from_hex("02"), be16(0)}), c) == errc::protocol_violation);

    negotiate_protocol_version v;
    auto negotiate = cat({be32(0), be32(1), cstr("_pq_.x")});
    REQUIRE_FALSE(parse(negotiate, v));
    CHECK(v.newest_minor == 0);
    REQUIRE(v.unrecognized_options.size() == 1);
    CHECK(v.unrecognized_options[0] == "_pq_.x");

    CHECK_FALSE(expect_empty({}));
    CHECK(expect_empty(from_hex("00")) == errc::protocol_violation);
}
