#include "types/codec_test_util.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;

TEST_SUITE("types: string codecs") {

    TEST_CASE("strings are sent as text with OID 0 and read every text-like type") {
        CHECK(codec<std::string>::type_oid == 0);
        CHECK(param_format<std::string>() == format::text);
        CHECK(param_format<std::string_view>() == format::text);
        CHECK(param_format<const char*>() == format::text);
        CHECK(codec<std::string>::array_oid == oid::text_array);
        CHECK(enc(std::string("héllo ✓")) == "68c3a96c6c6f20e29c93"); // textsend
        CHECK(enc(std::string()) == "");
        CHECK(enc(std::string_view("abc")) == "616263");
        CHECK(enc("abc") == "616263");
        CHECK(enc_error(static_cast<const char*>(nullptr)) == errc::invalid_value);

        CHECK(dec<std::string>("68c3a96c6c6f20e29c93", oid::text) == "héllo ✓");
        CHECK(dec<std::string>("", oid::text).empty());
        CHECK(dec<std::string>("616263", oid::varchar) == "abc");
        CHECK(dec<std::string>("61622020", oid::bpchar) == "ab  "); // char(4) keeps its padding
        CHECK(dec<std::string>("70675f636c617373", oid::name) == "pg_class");
        CHECK(dec<std::string>("616263", oid::unknown) == "abc");
        CHECK(dec_error<std::string>("00000001", oid::int4) == errc::type_mismatch);
        CHECK(dec_error<std::string>("00", oid::bytea) == errc::type_mismatch);
    }

    TEST_CASE("strings keep embedded NULs and arbitrary bytes") {
        std::string s("a\0b\xff", 4);
        CHECK(round_trip(s) == s);
        CHECK(enc(s) == "610062ff");
    }

    TEST_CASE("string_view and span decode without copying") {
        auto b = from_hex("616263");
        std::string_view v;
        REQUIRE(!decode_value(byte_view(b), oid::text, v));
        CHECK(v == "abc");
        CHECK(static_cast<const void*>(v.data()) == static_cast<const void*>(b.data()));

        std::span<const std::byte> s;
        REQUIRE(!decode_value(byte_view(b), oid::bytea, s));
        CHECK(s.data() == b.data());
        CHECK(s.size() == 3);
    }

    TEST_CASE("bytea matches byteasend") {
        std::vector<std::byte> v{std::byte{0}, std::byte{0xff}, std::byte{0x10}};
        CHECK(enc(v) == "00ff10");
        CHECK(enc(std::span<const std::byte>(v)) == "00ff10");
        CHECK(dec<std::vector<std::byte>>("00ff10", oid::bytea) == v);
        CHECK(dec<std::vector<std::byte>>("", oid::bytea).empty());
        CHECK(dec_error<std::vector<std::byte>>("00", oid::text) == errc::type_mismatch);
        CHECK(codec<std::vector<std::byte>>::type_oid == oid::bytea);
    }

    TEST_CASE("json is its text; jsonb is version 1 then the text") {
        CHECK(enc(json{R"({"a": [1, 2]})"}) == "7b2261223a205b312c20325d7d"); // json_send
        CHECK(enc(jsonb{R"({"a": [1, 2], "b": 1})"}) ==
              "017b2261223a205b312c20325d2c202262223a20317d"); // jsonb_send
        CHECK(dec<json>("7b2261223a205b312c20325d7d", oid::json).text == R"({"a": [1, 2]})");
        CHECK(dec<jsonb>("017b2261223a205b312c20325d2c202262223a20317d", oid::jsonb).text ==
              R"({"a": [1, 2], "b": 1})");
        // Each reads the other, and std::string reads both.
        CHECK(dec<json>("015b315d", oid::jsonb).text == "[1]");
        CHECK(dec<jsonb>("5b315d", oid::json).text == "[1]");
        CHECK(dec<std::string>("015b315d", oid::jsonb) == "[1]");
        CHECK(dec<std::string>("5b315d", oid::json) == "[1]");
        CHECK(dec_error<jsonb>("025b315d", oid::jsonb) == errc::invalid_value);
        CHECK(dec_error<std::string>("", oid::jsonb) == errc::invalid_value);
        CHECK(dec_error<json>("5b315d", oid::text) == errc::type_mismatch);
        CHECK(codec<jsonb>::type_oid == oid::jsonb);
        CHECK(codec<json>::array_oid == oid::json_array);
    }

    TEST_CASE("text format: strings read anything, bytea reads the hex and escape forms") {
        std::string s;
        CHECK(!decode_text_value("2024-02-29", oid::date, s));
        CHECK(s == "2024-02-29");
        std::string_view v;
        CHECK(!decode_text_value("{1,2}", oid::int4_array, v));
        CHECK(v == "{1,2}");
        std::vector<std::byte> b;
        CHECK(!decode_text_value("\\x00ff10", oid::bytea, b));
        CHECK(b == from_hex("00ff10"));
        CHECK(!decode_text_value("\\x", oid::bytea, b));
        CHECK(b.empty());
        CHECK(decode_text_value("\\x0", oid::bytea, b) == errc::invalid_value);
        // bytea_output = escape: "\\" is a backslash, "\ooo" any byte, the rest itself.
        CHECK(!decode_text_value("\\000a\\\\\\377x\\134", oid::bytea, b));
        CHECK(b == from_hex("00615cff785c"));
        CHECK(!decode_text_value("", oid::bytea, b));
        CHECK(b.empty());
        for (std::string_view bad : {"\\", "a\\", "\\1", "\\12", "\\400", "\\08a", "\\x0"})
            CHECK_MESSAGE(decode_text_value(bad, oid::bytea, b) == errc::invalid_value, bad);
        jsonb j;
        CHECK(!decode_text_value(R"({"a": 1})", oid::jsonb, j));
        CHECK(j.text == R"({"a": 1})");
        std::span<const std::byte> view;
        CHECK(decode_text_value("\\x00", oid::bytea, view) == errc::type_mismatch);
    }

} // TEST_SUITE
