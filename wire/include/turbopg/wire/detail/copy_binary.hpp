// The binary COPY format (PostgreSQL docs, COPY, "Binary Format"), sans-io: what
// connection::copy_in_rows writes and connection::copy_out_rows reads.
//
//   header   11-byte signature "PGCOPY\n\377\r\n\0", Int32 flags, Int32 extension length + bytes
//   tuple    Int16 field count, then per field Int32 length (-1 = NULL) and the value in its
//            type's binary send format (the same bytes as a binary Bind parameter)
//   trailer  Int16 -1
//
// The format carries no type OIDs: a value is written and read as the C++ type's codec says,
// and the server checks what it receives (a wrong type fails with its diagnostics, e.g. 22P03
// "incorrect binary data format" or 08P01 "insufficient data left in message"); on reading, a value
// whose length does not fit the C++ type is errc::invalid_value, but a same-sized value of another
// type (float8 read as int8) is not detected.
#pragma once

#include <turbopg/wire/codec.hpp>
#include <turbopg/wire/detail/function_ref.hpp>
#include <turbopg/wire/detail/result_sink.hpp>
#include <turbopg/wire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace turbopg::wire::detail {

// Appends the header (no flags, no extension) / the trailer.
TURBOPG_WIRE_API void append_copy_binary_header(bytes& out);
TURBOPG_WIRE_API void append_copy_binary_trailer(bytes& out);

// Throws the error of a COPY value that cannot be encoded: its column (1-based) and type.
[[noreturn]] TURBOPG_WIRE_API void throw_copy_encode_error(std::error_code ec, std::size_t column,
                                                           std::string_view type);

// Appends one tuple; throws `error` naming the column whose value cannot be encoded (nothing is
// appended then). When every value can be sized first, `out` grows once and the tuple is
// written in place.
template <class... Ts>
void append_copy_binary_tuple(bytes& out, const Ts&... values) {
    auto* p = append_fields(out, 2, throw_copy_encode_error, values...);
    store_be<std::int16_t>(p, static_cast<std::int16_t>(sizeof...(Ts)));
}

// The type a column read into T is decoded as: binary COPY has no OIDs, so the codec's own type
// (text for the string types).
template <class T>
constexpr oid_t copy_column_type() noexcept {
    if constexpr (encodable<T>) {
        if constexpr (codec<T>::type_oid != 0) return codec<T>::type_oid;
    }
    return oid::text;
}

// Cuts a binary COPY stream, fed in chunks of any size (COPY TO STDOUT sends one tuple per
// CopyData), into tuples. Copies only what straddles two chunks.
class TURBOPG_WIRE_API copy_binary_parser {
public:
    // Called with each tuple's fields, views valid during the call.
    using tuple_handler = function_ref<void(std::span<const raw_field>)>;

    // Parses the next bytes of the stream. errc::invalid_value for malformed input (see
    // error_message()), after which the parser stays failed.
    std::error_code feed(std::span<const std::byte> chunk, tuple_handler on_tuple);
    // After the last chunk: errc::invalid_value unless the stream ended with the trailer.
    std::error_code finish();
    bool done() const noexcept { return state_ == state::done; }
    std::uint64_t tuples() const noexcept { return tuples_; }
    const std::string& error_message() const noexcept { return message_; }

private:
    enum class state : std::uint8_t { header, tuples, done, failed };
    // Parses what `in` holds; returns the bytes consumed (complete items only).
    std::size_t parse(std::span<const std::byte> in, tuple_handler& on_tuple);
    std::error_code fail(const char* message);

    state state_ = state::header;
    bytes carry_; // an incomplete item from the previous chunk
    std::vector<raw_field> fields_;
    std::uint64_t tuples_ = 0;
    std::string message_;
};

} // namespace turbopg::wire::detail
