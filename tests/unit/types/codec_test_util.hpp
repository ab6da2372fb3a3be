// Helpers for the codec tests: encode to hex, decode from hex (bytes captured from a PostgreSQL
// 15 server with the type's send function, e.g. `select numeric_send('123.45')`).
#pragma once

#include "support/bytes_util.hpp"

#include <turbopg/wire/codec.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <system_error>

namespace turbopg::test {

using wire::byte_view;
using wire::oid_t;

// The value's bytes as hex; fails the test if encoding fails.
template <class T>
std::string enc(const T& v) {
    bytes out;
    auto ec = wire::detail::encode_value(v, out);
    REQUIRE_MESSAGE(!ec, ec.message());
    return to_hex(out);
}

template <class T>
std::error_code enc_error(const T& v) {
    bytes out;
    return wire::detail::encode_value(v, out);
}

// Decodes hex as a binary value of column type `type`; fails the test on error.
template <class T>
T dec(std::string_view hex, oid_t type) {
    auto b = from_hex(hex);
    T out{};
    auto ec = wire::decode_value(byte_view(b), type, out);
    REQUIRE_MESSAGE(!ec, ec.message());
    return out;
}

template <class T>
std::error_code dec_error(std::string_view hex, oid_t type) {
    auto b = from_hex(hex);
    T out{};
    return wire::decode_value(byte_view(b), type, out);
}

// Encodes v, decodes it back through its own OID (text for OID 0), and returns the result. Not
// for view types: the bytes die with the call.
template <class T>
T round_trip(const T& v) {
    bytes b;
    REQUIRE(!wire::detail::encode_value(v, b));
    T out{};
    constexpr oid_t type =
        wire::codec<T>::type_oid != 0 ? wire::codec<T>::type_oid : wire::oid::text;
    auto ec = wire::decode_value(byte_view(b), type, out);
    REQUIRE_MESSAGE(!ec, ec.message());
    return out;
}

} // namespace turbopg::test
