#include "auth/md5.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace turbopg::wire;
using namespace turbopg::wire::auth;

TEST_SUITE("auth: md5") {

    TEST_CASE("md5 password hash matches a vector computed with openssl md5 / hashlib") {
        // printf 'pencilpostgres' | openssl md5 -> 4c21b325d75177d5e9b9789a50ab0c9c, then
        // md5("4c21b325d75177d5e9b9789a50ab0c9c" + 93 0f 7a 21).
        const std::array salt{std::byte{0x93}, std::byte{0x0f}, std::byte{0x7a}, std::byte{0x21}};
        auto r = md5_password("postgres", "pencil", salt);
        REQUIRE(r.ok());
        CHECK(*r == "md58c802313e32883a1b5cf1586f51a1495");
        CHECK(r->size() == 35);
    }

    TEST_CASE("md5 password hash refuses a salt that is not 4 bytes") {
        const std::array salt{std::byte{1}, std::byte{2}, std::byte{3}};
        auto r = md5_password("postgres", "pencil", salt);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == errc::protocol_violation);
        CHECK_THROWS_AS(r.value(), turbopg::wire::error);
    }

} // TEST_SUITE
