#include "types/codec_test_util.hpp"

#include <cmath>
#include <string>

using namespace turbopg::wire;
using namespace turbopg::test;

namespace {
std::string dec_num(std::string_view hex) {
    return dec<numeric>(hex, oid::numeric).str();
}
std::string enc_num(std::string_view text) {
    return enc(numeric(text));
}
} // namespace

TEST_SUITE("types: numeric codec") {

    TEST_CASE("numeric decodes the server's numeric_send bytes into numeric_out's text") {
        CHECK(dec_num("0002000000000002007b1194") == "123.45");
        CHECK(dec_num("0000000000000000") == "0");
        CHECK(dec_num("0000000000000002") == "0.00");
        CHECK(dec_num("0001ffff000000040001") == "0.0001");
        CHECK(dec_num("000800044000000904d2162e23340d801ed204d2162e2328") ==
              "-12345678901234567890.123456789");
        CHECK(dec_num("00000000c0000000") == "NaN");
        // The server sends 0x20 in the scale field of the infinities (a header-bit artifact).
        CHECK(dec_num("00000000d0000020") == "Infinity");
        CHECK(dec_num("00000000f0000020") == "-Infinity");
        CHECK(dec_num("00010005000000000001") == "100000000000000000000");
        CHECK(dec_num("00010001000000000001") == "10000");
        CHECK(dec_num("0001fffe00000008000f") == "0.00000015");
        CHECK(dec_num("0000000000000003") == "0.000"); // '-0.000'
        CHECK(dec_num("000200000000000200011388") == "1.50");
        CHECK(dec_num("0001ffff400000011388") == "-0.5");
        CHECK(dec_num("00030001000000040009270f270f") == "99999.9999");
        CHECK(dec_num("0001ff06000003e80001") == "0." + std::string(999, '0') + "1");
        CHECK(dec_num("000100fa000000000009") == "9" + std::string(1000, '0'));
    }

    TEST_CASE("numeric encodes decimal text exactly as numeric_send does") {
        CHECK(enc_num("123.45") == "0002000000000002007b1194");
        CHECK(enc_num("0") == "0000000000000000");
        CHECK(enc_num("0.00") == "0000000000000002");
        CHECK(enc_num("-0.000") == "0000000000000003");
        CHECK(enc_num("0.0001") == "0001ffff000000040001");
        CHECK(enc_num("-12345678901234567890.123456789") ==
              "000800044000000904d2162e23340d801ed204d2162e2328");
        CHECK(enc_num("NaN") == "00000000c0000000");
        CHECK(enc_num("Infinity") == "00000000d0000000");
        CHECK(enc_num("-Infinity") == "00000000f0000000");
        CHECK(enc_num("1e20") == "00010005000000000001");
        CHECK(enc_num("10000") == "00010001000000000001");
        CHECK(enc_num("1.5e-7") == "0001fffe00000008000f");
        CHECK(enc_num("1.50") == "000200000000000200011388");
        CHECK(enc_num("-0.5") == "0001ffff400000011388");
        CHECK(enc_num("99999.9999") == "00030001000000040009270f270f");
        CHECK(enc_num("0." + std::string(999, '0') + "1") == "0001ff06000003e80001");
        CHECK(enc_num("9" + std::string(1000, '0')) == "000100fa000000000009");
        // Spellings numeric_in accepts.
        CHECK(enc_num("  +123.45  ") == "0002000000000002007b1194");
        CHECK(enc_num("0012345e-2") == "0002000000000002007b1194");
        CHECK(enc_num(".5") == enc_num("0.5"));
        CHECK(enc_num("5.") == enc_num("5"));
        CHECK(enc_num("nan") == enc_num("NaN"));
        CHECK(enc_num("-inf") == enc_num("-Infinity"));
        CHECK(enc_num("+INFINITY") == enc_num("Infinity"));
        CHECK(enc(numeric(42)) == "0001000000000000002a");
        CHECK(enc(numeric()) == "0000000000000000");
    }

    TEST_CASE("numeric round trips keep the text") {
        for (std::string s : {"0", "0.0001", "-12345678901234567890.123456789", "NaN", "Infinity",
                              "-Infinity", "1", "-1", "9999", "10000", "10001", "0.1", "12.3400",
                              "-0.00001234", "31415926535897932384626433.83279502884197169399"}) {
            CAPTURE(s);
            CHECK(round_trip(numeric(s)).str() == s);
        }
        std::string huge_scale = "0." + std::string(16382, '0') + "7";
        CHECK(round_trip(numeric(huge_scale)).str() == huge_scale);
        std::string huge_int = "1" + std::string(131071, '0');
        CHECK(round_trip(numeric(huge_int)).str() == huge_int);
    }

    TEST_CASE("numeric rejects what numeric_in rejects and what its format cannot hold") {
        for (std::string s : {"", "-", ".", "1.2.3", "1e", "1e+", "abc", "1 2", "NaNx", "- 1",
                              "0x10", "1_000", "+NaN"}) {
            CAPTURE(s);
            CHECK(enc_error(numeric(s)) == errc::invalid_value);
            CHECK_FALSE(numeric(s).valid());
        }
        CHECK(numeric("1.5e3").valid());
        CHECK(enc_error(numeric("0." + std::string(16383, '0') + "1")) == errc::value_out_of_range);
        CHECK(enc_error(numeric("1e131072")) == errc::value_out_of_range);
        CHECK(enc_error(numeric("1e99999999999")) == errc::value_out_of_range);
    }

    TEST_CASE("numeric decoding rejects malformed values") {
        CHECK(dec_error<numeric>("", oid::numeric) == errc::invalid_value);
        CHECK(dec_error<numeric>("00020000000000020007", oid::numeric) == errc::invalid_value);
        CHECK(dec_error<numeric>("0002000000000002007b119400", oid::numeric) ==
              errc::invalid_value);
        CHECK(dec_error<numeric>("00010000000000002710", oid::numeric) ==
              errc::invalid_value); // 10000
        CHECK(dec_error<numeric>("0001000000000000ffff", oid::numeric) ==
              errc::invalid_value);                                                         // -1
        CHECK(dec_error<numeric>("0000000012340000", oid::numeric) == errc::invalid_value); // sign
        CHECK(dec_error<numeric>("000000000000ffff", oid::numeric) == errc::invalid_value); // scale
        CHECK(dec_error<numeric>("0000000000000000", oid::float8) == errc::type_mismatch);
    }

    TEST_CASE("numeric drops digits beyond the display scale, as numeric_recv truncates") {
        // 1.2345 sent with dscale 2 reads as 1.23; a negative that truncates to zero reads as 0.00.
        CHECK(dec_num("000200000000000200010929") == "1.23");
        CHECK(dec_num("0001ffff400000020001") == "0.00");
    }

    TEST_CASE("numeric text format and to_double") {
        numeric n;
        CHECK(!decode_text_value("-1.50", oid::numeric, n));
        CHECK(n.str() == "-1.50");
        CHECK(decode_text_value("1", oid::int4, n) == errc::type_mismatch);
        CHECK(numeric("123.45").to_double() == 123.45);
        CHECK(numeric("-1.5e-7").to_double() == -1.5e-7);
        CHECK(numeric("+2").to_double() == 2.0);
        CHECK(std::isnan(numeric("NaN").to_double()));
        CHECK(std::isnan(numeric("junk").to_double()));
        CHECK(numeric("-Infinity").to_double() == -HUGE_VAL);
        CHECK(numeric("1" + std::string(400, '0')).to_double() == HUGE_VAL);
        CHECK(numeric("-1e-400").to_double() == 0.0);
    }

    TEST_CASE("numeric: leading zero digit groups and digitless values decode as the server prints "
              "them") {
        // Found by fuzz_codecs: ndigits=2 weight=1 sign=NEG dscale=0 digits=[0, 5] is -5.
        CHECK(dec_num("0002 0001 4000 0000 0000 0005") == "-5");
        // ndigits=0 with a huge weight is zero, printed with its display scale only.
        CHECK(dec_num("0000 7fff 0000 0002") == "0.00");
        // Dropping a leading zero group from weight -32768 goes below int16: still a tiny value.
        CHECK(dec_num("0002 8000 0000 0004 0000 0001") == "0.0000");
    }

} // TEST_SUITE
