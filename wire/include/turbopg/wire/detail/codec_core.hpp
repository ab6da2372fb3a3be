// The codec trait, its concepts and the helpers around it. Include <turbopg/wire/codec.hpp>,
// which documents the trait and brings every built-in codec.
#pragma once

#include <turbopg/wire/detail/endian.hpp>
#include <turbopg/wire/detail/type_name.hpp>
#include <turbopg/wire/error.hpp>
#include <turbopg/wire/export.hpp>
#include <turbopg/wire/oid.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace turbopg::wire {

// Format code of a parameter or result column (protocol docs, "Bind").
enum class format : std::int16_t { text = 0, binary = 1 };

template <class T, class Enable = void>
struct codec; // no primary definition: a type without a specialisation has no codec

template <class T>
concept has_codec = requires {
    { codec<T>::name } -> std::convertible_to<std::string_view>;
};

template <class T>
concept encodable = has_codec<T> && requires(const T& v, bytes& out) {
    { codec<T>::type_oid } -> std::convertible_to<oid_t>;
    { codec<T>::array_oid } -> std::convertible_to<oid_t>;
    codec<T>::encode(v, out);
};

// A codec that tells its encoding's size before writing it (see codec.hpp, encoded_size and
// encode_to): binary COPY sizes each row once and writes its values through a pointer.
template <class T>
concept sized_encodable = encodable<T> && requires(const T& v, std::byte* p) {
    { codec<T>::encoded_size(v) }
    noexcept->std::same_as<std::size_t>;
    codec<T>::encode_to(v, p);
};

template <class T>
concept decodable = has_codec<T> && requires(byte_view in, oid_t type, T& out) {
    { codec<T>::accepts(type) } -> std::same_as<bool>;
    { codec<T>::decode(in, type, out) } -> std::same_as<std::error_code>;
};

template <class T>
concept text_decodable = decodable<T> && requires(std::string_view in, oid_t type, T& out) {
    { codec<T>::decode_text(in, type, out) } -> std::same_as<std::error_code>;
};

namespace detail {
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

// Calls codec<T>::encode whether it returns an error code or nothing.
template <encodable T>
inline std::error_code encode_value(const T& v, bytes& out) {
    if constexpr (std::is_void_v<decltype(codec<T>::encode(v, out))>) {
        codec<T>::encode(v, out);
        return {};
    } else {
        return codec<T>::encode(v, out);
    }
}

// Calls codec<T>::encode_to whether it returns an error code or nothing.
template <sized_encodable T>
inline std::error_code encode_value_to(const T& v, std::byte* p) {
    if constexpr (std::is_void_v<decltype(codec<T>::encode_to(v, p))>) {
        codec<T>::encode_to(v, p);
        return {};
    } else {
        return codec<T>::encode_to(v, p);
    }
}

// codec<T>::encode for a sized codec: grows `out` once, then writes with encode_to.
template <sized_encodable T>
std::error_code append_encoded(const T& v, bytes& out) {
    auto at = out.size();
    out.resize(at + codec<T>::encoded_size(v));
    auto ec = encode_value_to(v, out.data() + at);
    if (ec) out.resize(at);
    return ec;
}

// A value as Bind and binary COPY send it, Int32 length then the bytes (-1 and none for NULL),
// sized before it is written: a sized codec's, std::optional of one (NULL when empty),
// std::nullopt.
template <class T>
concept field_sized = sized_encodable<T> || std::same_as<T, std::nullopt_t> ||
    (is_optional<T>&& sized_encodable<typename T::value_type>);

// The bytes a field takes: Int32 length, then the value.
template <class T>
std::size_t field_size(const T& v) noexcept {
    if constexpr (std::same_as<T, std::nullopt_t>)
        return 4;
    else if constexpr (is_optional<T>)
        return v ? field_size(*v) : 4;
    else
        return 4 + codec<T>::encoded_size(v);
}

// Writes a field, field_size(v) bytes, at p.
template <class T>
std::error_code write_field(const T& v, std::byte* p) {
    if constexpr (std::same_as<T, std::nullopt_t>) {
        store_be<std::int32_t>(p, -1);
        return {};
    } else if constexpr (is_optional<T>) {
        if (v) return write_field(*v, p);
        store_be<std::int32_t>(p, -1);
        return {};
    } else {
        auto n = codec<T>::encoded_size(v);
        if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
            return errc::value_out_of_range;
        store_be(p, static_cast<std::int32_t>(n));
        return encode_value_to(v, p + 4);
    }
}
} // namespace detail

// ---- Parameters -------------------------------------------------------------------------------

// The OID to declare in Parse for a parameter of type T (0: let the server infer it).
template <encodable T>
constexpr oid_t param_type_oid() noexcept {
    return codec<T>::type_oid;
}

// The format code to send in Bind for a parameter of type T: binary unless its OID is 0.
template <encodable T>
constexpr format param_format() noexcept {
    return codec<T>::type_oid == 0 ? format::text : format::binary;
}

// Appends one Bind parameter value: Int32 length, then the bytes; -1 and no bytes for NULL (an
// empty std::optional, or std::nullopt). On error nothing is appended.
template <encodable T>
std::error_code encode_param(const T& v, bytes& out) {
    auto start = out.size();
    if constexpr (detail::field_sized<T>) {
        // One resize for the length and the value: every Bind of a query runs this.
        out.resize(start + detail::field_size(v));
        auto ec = detail::write_field(v, out.data() + start);
        if (ec) out.resize(start);
        return ec;
    } else if constexpr (detail::is_optional<T>) {
        if (v) return encode_param(*v, out);
        detail::append_be<std::int32_t>(out, -1);
        return {};
    } else {
        out.resize(start + 4);
        auto ec = detail::encode_value(v, out);
        auto n = out.size() - start - 4;
        if (!ec && n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
            ec = errc::value_out_of_range;
        if (ec) {
            out.resize(start);
            return ec;
        }
        detail::store_be(out.data() + start, static_cast<std::int32_t>(n));
        return {};
    }
}

namespace detail {
// Appends `head` bytes (the caller fills them: the returned pointer) followed by `values` as
// fields, as Bind and binary COPY send them. When every value is field_sized, `out` grows once
// and the fields are written in place; otherwise they are appended value by value. When a value
// cannot be encoded, `out` is put back as it was and on_error(ec, its 1-based position, its
// codec's name) is called, which must throw. Inline into its caller, which writes a row or a
// Bind per call.
template <class OnError, class... Ts>
[[gnu::always_inline]] inline std::byte* append_fields(bytes& out, std::size_t head,
                                                       OnError&& on_error, const Ts&... values) {
    auto start = out.size();
    std::size_t position = 0;
    [[maybe_unused]] auto fail = [&](std::error_code ec, std::string_view name) {
        out.resize(start);
        on_error(ec, position, name);
    };
    if constexpr ((field_sized<Ts> && ...)) {
        // (The sizes are cheap to ask again: keeping them in an array stalled the sum on
        // store-to-load forwarding.)
        out.resize(start + (head + ... + field_size(values)));
        auto* p = out.data() + start + head;
        [[maybe_unused]] auto one = [&](const auto& v) {
            ++position;
            if (auto ec = write_field(v, p))
                fail(ec, codec<std::remove_cvref_t<decltype(v)>>::name);
            p += field_size(v);
        };
        (one(values), ...);
    } else {
        out.resize(start + head);
        [[maybe_unused]] auto one = [&](const auto& v) {
            ++position;
            if (auto ec = encode_param(v, out))
                fail(ec, codec<std::remove_cvref_t<decltype(v)>>::name);
        };
        (one(values), ...);
    }
    return out.data() + start;
}
} // namespace detail

// ---- Results ----------------------------------------------------------------------------------

// True when the built-in codecs decode this column type from binary: the executor asks for
// binary results for those columns and text for the others (user-defined types, whose OIDs are
// per database, always come as text).
TURBOPG_WIRE_API bool has_binary_codec(oid_t type) noexcept;

inline format result_format(oid_t type) noexcept {
    return has_binary_codec(type) ? format::binary : format::text;
}

// Decodes one non-NULL binary value; errc::type_mismatch unless T accepts the column type.
template <decodable T>
std::error_code decode_value(byte_view in, oid_t type, T& out) {
    if (!codec<T>::accepts(type)) return errc::type_mismatch;
    return codec<T>::decode(in, type, out);
}

// Decodes one non-NULL text-format value; errc::type_mismatch for a type T cannot read as text
// (std::string and std::string_view read every type as text).
template <decodable T>
std::error_code decode_text_value(std::string_view in, oid_t type, T& out) {
    if constexpr (text_decodable<T>)
        return codec<T>::decode_text(in, type, out);
    else
        return errc::type_mismatch;
}

// Decodes one field of a DataRow: `raw` is empty for NULL. NULL into std::optional<T> resets it;
// into anything else it is errc::unexpected_null. In binary format the column type is checked
// first, so a wrong type is reported the same way whether or not the value is NULL.
template <decodable T>
std::error_code decode_field(std::optional<byte_view> raw, oid_t type, format fmt, T& out) {
    if (fmt == format::binary && !codec<T>::accepts(type)) return errc::type_mismatch;
    if (!raw) {
        if constexpr (detail::is_optional<T>) {
            out.reset();
            return {};
        } else {
            return errc::unexpected_null;
        }
    }
    if (fmt == format::binary) return codec<T>::decode(*raw, type, out);
    return decode_text_value(detail::as_chars(*raw), type, out);
}

template <decodable T>
std::error_code decode_field(std::optional<byte_view> raw, oid_t type, T& out) {
    return decode_field(raw, type, format::binary, out);
}

// ---- Messages ---------------------------------------------------------------------------------

// The type's name for messages: "int8", "int4[]", or "OID 16385" for a non-built-in OID.
TURBOPG_WIRE_API std::string describe_type(oid_t type);

// A message for a decode error of one column, naming the column, its PostgreSQL type and the C++
// type, e.g. `cannot read column "price" of type numeric into std::int64_t`.
TURBOPG_WIRE_API std::string describe_field_error(std::error_code ec, std::string_view column,
                                                  oid_t type, std::string_view cpp_type);

template <has_codec T>
std::string describe_field_error(std::error_code ec, std::string_view column, oid_t type) {
    return describe_field_error(ec, column, type, codec<T>::name);
}

// A message for an encode error of parameter $index (1-based), e.g. `cannot encode parameter $2
// (turbopg::wire::numeric): malformed value`.
TURBOPG_WIRE_API std::string describe_param_error(std::error_code ec, std::size_t index,
                                                  std::string_view cpp_type);

// ---- std::optional<T> and std::nullopt --------------------------------------------------------

namespace detail {
template <class T>
concept optional_payload = has_codec<T> && !is_optional<T>;
} // namespace detail

template <detail::optional_payload T>
struct codec<std::optional<T>> {
    static constexpr std::string_view name =
        detail::join_names<detail::name_optional, codec<T>::name, detail::name_close>::value;
    static constexpr oid_t type_oid = [] {
        if constexpr (encodable<T>)
            return codec<T>::type_oid;
        else
            return oid_t{0};
    }();
    static constexpr oid_t array_oid = [] {
        if constexpr (encodable<T>)
            return codec<T>::array_oid;
        else
            return oid_t{0};
    }();

    // Encodes the value; an empty optional is not a value (encode_param writes NULL for it).
    static std::error_code encode(const std::optional<T>& v, bytes& out) requires encodable<T> {
        if (!v) return errc::unexpected_null;
        return detail::encode_value(*v, out);
    }

    static bool accepts(oid_t type) noexcept requires decodable<T> {
        return codec<T>::accepts(type);
    }
    static std::error_code decode(byte_view in, oid_t type,
                                  std::optional<T>& out) requires decodable<T> {
        if (!out) out.emplace();
        return codec<T>::decode(in, type, *out);
    }
    static std::error_code decode_text(std::string_view in, oid_t type,
                                       std::optional<T>& out) requires text_decodable<T> {
        if (!out) out.emplace();
        return codec<T>::decode_text(in, type, *out);
    }
};

// std::nullopt as a parameter: NULL of a type the server infers.
template <>
struct codec<std::nullopt_t> {
    static constexpr std::string_view name = "std::nullopt_t";
    static constexpr oid_t type_oid = 0;
    static constexpr oid_t array_oid = 0;
    static std::error_code encode(std::nullopt_t, bytes&) { return errc::unexpected_null; }
};

} // namespace turbopg::wire
