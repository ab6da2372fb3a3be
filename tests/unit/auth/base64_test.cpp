#include "auth/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace turbopg::wire::auth;

namespace {

std::string decoded(std::string_view text) {
    auto d = base64_decode(text);
    REQUIRE(d.has_value());
    return {reinterpret_cast<const char*>(d->data()), d->size()};
}

} // namespace

TEST_SUITE("auth: base64") {

    TEST_CASE("base64 encodes the RFC 4648 test vectors") {
        CHECK(base64_encode(std::string_view("")) == "");
        CHECK(base64_encode(std::string_view("f")) == "Zg==");
        CHECK(base64_encode(std::string_view("fo")) == "Zm8=");
        CHECK(base64_encode(std::string_view("foo")) == "Zm9v");
        CHECK(base64_encode(std::string_view("foob")) == "Zm9vYg==");
        CHECK(base64_encode(std::string_view("fooba")) == "Zm9vYmE=");
        CHECK(base64_encode(std::string_view("foobar")) == "Zm9vYmFy");
        CHECK(base64_encode(std::string_view("n,,")) == "biws"); // SCRAM's c= without binding
    }

    TEST_CASE("base64 round-trips every byte value and length") {
        std::string all;
        for (int i = 0; i < 256; ++i)
            all += static_cast<char>(i);
        for (std::size_t n = 0; n <= all.size(); n += 1) {
            auto piece = std::string_view(all).substr(all.size() - n);
            CHECK(decoded(base64_encode(piece)) == piece);
        }
        CHECK(base64_encode(std::string_view("\xfb\xff\xbf")) == "+/+/");
    }

    TEST_CASE("base64 decode is strict") {
        CHECK(decoded("Zm9vYmFy") == "foobar");
        CHECK(decoded("Zg==") == "f");
        CHECK(decoded("") == "");
        const char* bad[] = {
            "Zg",       // missing padding
            "Zg=",      // short padding
            "Zm9v\n",   // whitespace
            "Zm 9v",    // whitespace inside
            "Zm9v====", // padding alone
            "Z===",     // too much padding
            "Zg==Zg==", // padding in the middle
            "=Zg=",     // padding first
            "Zm9-",     // URL-safe alphabet
            "Zm9_",     //
            "Zh==",     // non-zero unused bits
            "Zm9=",     // non-zero unused bits (2 pad-free groups)
            "Zm\x80v",  // non-ASCII
        };
        for (std::string_view b : bad) {
            CAPTURE(b);
            CHECK_FALSE(base64_decode(b).has_value());
        }
        CHECK_FALSE(base64_decode(std::string_view("Zm\0v", 4)).has_value()); // NUL
    }

} // TEST_SUITE
