#include "proto/bytes.hpp"

#include <doctest/doctest.h>

using namespace turbopg::wire::proto;

TEST_CASE("byte_writer writes network byte order and back-patches lengths") {
    bytes buf;
    byte_writer w(buf);
    w.put_u8('Q');
    auto len = w.begin_length();
    w.put_i16(-2);
    w.put_i32(0x01020304);
    w.put_cstring("ab");
    w.end_length(len);
    const unsigned char expected[] = {'Q', 0, 0, 0, 13, 0xff, 0xfe, 1, 2, 3, 4, 'a', 'b', 0};
    REQUIRE(buf.size() == sizeof expected);
    for (std::size_t i = 0; i < buf.size(); ++i)
        CHECK(static_cast<unsigned char>(buf[i]) == expected[i]);
}

TEST_CASE("byte_reader reads what the writer wrote and fails sticky on truncation") {
    bytes buf;
    byte_writer w(buf);
    w.put_i64(-5);
    w.put_cstring("name");
    w.put_i16(7);
    byte_reader r(buf);
    CHECK(r.get_i64() == -5);
    CHECK(r.get_cstring() == "name");
    CHECK(r.get_i16() == 7);
    CHECK(r.ok_and_done());

    byte_reader short_read(byte_view(buf).first(3));
    CHECK(short_read.get_i32() == 0);
    CHECK(short_read.failed());
    CHECK(short_read.get_u8() == 0); // stays failed
    CHECK_FALSE(short_read.ok_and_done());
}

TEST_CASE("byte_reader rejects an unterminated string and notices leftovers") {
    const std::byte raw[] = {std::byte{'a'}, std::byte{'b'}};
    byte_reader r(raw);
    CHECK(r.get_cstring().empty());
    CHECK(r.failed());

    const std::byte two[] = {std::byte{0}, std::byte{1}, std::byte{2}};
    byte_reader left(two);
    CHECK(left.get_i16() == 1);
    CHECK_FALSE(left.ok_and_done());
}
