// The built-in array codec (included by codec.hpp).
//
//   std::vector<T>                   a one-dimensional array of T's type (int4[] for std::int32_t)
//   std::vector<std::vector<T>>      two dimensions, and so on up to PostgreSQL's six
//   std::vector<std::optional<T>>    elements that may be NULL (at any depth of nesting)
//
// for every T with a codec (std::vector<std::byte> is bytea, not an array). Binary format
// (array_send / array_recv): Int32 ndim, Int32 has-nulls flag, UInt32 element OID, ndim times
// (Int32 size, Int32 lower bound), then each element in row-major order as Int32 length (-1 for
// NULL) and its bytes.
//
// Encoding: the declared type is codec<T>::array_oid; nested vectors must be rectangular (a
// ragged one is errc::invalid_value); an array with no elements is sent with ndim 0, as the
// server stores it; lower bounds are 1.
// Decoding: the element OID in the value must be one T accepts (else errc::type_mismatch), the
// number of dimensions must match the nesting (an empty array, ndim 0, fits any nesting), any
// lower bound is accepted and dropped, a NULL element needs std::optional (else
// errc::unexpected_null). Only arrays of built-in element types are recognised from the column
// type (oid.hpp's element_type_of).
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <type_traits>
#include <vector>

namespace turbopg::wire {

namespace detail {
inline constexpr int max_array_dims = 6; // MAXDIM in utils/array.h

template <class T>
inline constexpr bool is_array_vector = false;
template <class T>
inline constexpr bool is_array_vector<std::vector<T>> = !std::is_same_v<T, std::byte>;

// The shape of an array vector: number of dimensions and the leaf (the element, maybe optional).
template <class V>
struct array_shape {
    static constexpr int dims = 0;
    using leaf = V;
};
template <class T>
struct array_shape<std::vector<T>> {
    static constexpr int dims = array_shape<T>::dims + 1;
    using leaf = typename array_shape<T>::leaf;
};
template <>
struct array_shape<std::vector<std::byte>> { // bytea, an element
    static constexpr int dims = 0;
    using leaf = std::vector<std::byte>;
};

template <class L>
struct unwrap_optional {
    using type = L;
    static constexpr bool nullable = false;
};
template <class E>
struct unwrap_optional<std::optional<E>> {
    using type = E;
    static constexpr bool nullable = true;
};

template <class V>
using array_element_t = typename unwrap_optional<typename array_shape<V>::leaf>::type;

// The element must have its own codec and must not itself be an array.
template <class V>
concept array_of_codec =
    is_array_vector<V> && has_codec<array_element_t<V>> && !is_array_vector<array_element_t<V>> &&
    array_shape<V>::dims <= max_array_dims;

template <class T>
concept array_item = array_of_codec<std::vector<T>>;
} // namespace detail

template <detail::array_item T>
struct codec<std::vector<T>> {
private:
    using vec = std::vector<T>;
    using leaf = typename detail::array_shape<vec>::leaf;
    using elem = detail::array_element_t<vec>;
    static constexpr bool nullable = detail::unwrap_optional<leaf>::nullable;
    static constexpr int dims = detail::array_shape<vec>::dims;
    using shape_t = std::array<std::size_t, dims>;
    static constexpr bool encodes = [] {
        if constexpr (encodable<elem>)
            return codec<elem>::array_oid != 0;
        else
            return false;
    }();
    static constexpr bool decodes = decodable<elem>;

public:
    static constexpr std::string_view name =
        detail::join_names<detail::name_vector, codec<T>::name, detail::name_close>::value;
    static constexpr oid_t type_oid = [] {
        if constexpr (encodable<elem>)
            return codec<elem>::array_oid;
        else
            return oid_t{0};
    }();
    static constexpr oid_t array_oid = 0; // more dimensions are more nesting, not another type
    static constexpr int array_dimensions = dims;

    static std::error_code encode(const vec& v, bytes& out) requires encodes {
        shape_t shape{};
        measure<0>(v, shape);
        if (!rectangular<0>(v, shape)) return errc::invalid_value;
        std::size_t total = 1;
        for (auto n : shape) {
            if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
                return errc::value_out_of_range;
            total *= n;
        }
        // The element OID array_recv insists on: the element type of the declared array type.
        constexpr oid_t elem_oid = codec<elem>::type_oid != 0
                                       ? codec<elem>::type_oid
                                       : element_type_of(codec<elem>::array_oid);
        detail::append_be<std::int32_t>(out, total == 0 ? 0 : dims);
        auto flag_at = out.size();
        detail::append_be<std::int32_t>(out, 0);
        detail::append_be<std::uint32_t>(out, elem_oid);
        if (total == 0) return {};
        for (auto n : shape) {
            detail::append_be(out, static_cast<std::int32_t>(n));
            detail::append_be<std::int32_t>(out, 1);
        }
        bool has_null = false;
        if (auto ec = write<0>(v, out, has_null)) return ec;
        if (has_null) detail::store_be<std::int32_t>(out.data() + flag_at, 1);
        return {};
    }

    static bool accepts(oid_t type) noexcept requires decodes {
        auto e = element_type_of(type);
        return e != 0 && codec<elem>::accepts(e);
    }

    static std::error_code decode(byte_view in, oid_t, vec& out) requires decodes {
        detail::cursor c(in);
        auto ndim = c.get<std::int32_t>();
        auto flags = c.get<std::int32_t>();
        auto elem_oid = c.get<std::uint32_t>();
        if (c.failed() || ndim < 0 || ndim > detail::max_array_dims || (flags != 0 && flags != 1))
            return errc::invalid_value;
        if (!codec<elem>::accepts(elem_oid)) return errc::type_mismatch;
        if (ndim == 0) {
            if (!c.ok_and_done()) return errc::invalid_value;
            out.clear();
            return {};
        }
        if (ndim != dims) return errc::type_mismatch;
        shape_t shape{};
        std::size_t total = 1;
        for (auto& n : shape) {
            auto size = c.get<std::int32_t>();
            c.get<std::int32_t>(); // lower bound
            if (size < 0) return errc::invalid_value;
            n = static_cast<std::size_t>(size);
            if (n != 0 && total > in.size() / n) return errc::invalid_value;
            total *= n;
        }
        // Every element takes at least its 4-byte length, so a hostile size cannot make us
        // allocate more than the input justifies.
        if (c.failed() || total > c.remaining() / 4) return errc::invalid_value;
        if (total == 0) {
            // A zero-length dimension makes the whole array empty, as array_recv treats it.
            if (!c.ok_and_done()) return errc::invalid_value;
            out.clear();
            return {};
        }
        if (auto ec = read<0>(c, elem_oid, shape, out)) return ec;
        return c.ok_and_done() ? std::error_code{} : errc::invalid_value;
    }

private:
    template <int L, class V>
    static void measure(const V& v, shape_t& shape) {
        shape[L] = v.size();
        if constexpr (L + 1 < dims)
            if (!v.empty()) measure<L + 1>(v.front(), shape);
    }

    template <int L, class V>
    static bool rectangular(const V& v, const shape_t& shape) {
        if (v.size() != shape[L]) return false;
        if constexpr (L + 1 < dims)
            for (auto& sub : v)
                if (!rectangular<L + 1>(sub, shape)) return false;
        return true;
    }

    template <int L, class V>
    static std::error_code write(const V& v, bytes& out, bool& has_null) {
        for (const auto& x : v) {
            std::error_code ec;
            if constexpr (L + 1 < dims)
                ec = write<L + 1>(x, out, has_null);
            else
                ec = write_leaf(x, out, has_null);
            if (ec) return ec;
        }
        return {};
    }

    static std::error_code write_leaf(const leaf& x, bytes& out, bool& has_null) {
        const elem* e = nullptr;
        if constexpr (nullable) {
            if (!x) {
                has_null = true;
                detail::append_be<std::int32_t>(out, -1);
                return {};
            }
            e = &*x;
        } else {
            e = &x;
        }
        auto at = out.size();
        detail::append_be<std::int32_t>(out, 0);
        if (auto ec = detail::encode_value(*e, out)) return ec;
        auto n = out.size() - at - 4;
        if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
            return errc::value_out_of_range;
        detail::store_be(out.data() + at, static_cast<std::int32_t>(n));
        return {};
    }

    template <int L, class V>
    static std::error_code read(detail::cursor& c, oid_t elem_oid, const shape_t& shape, V& v) {
        v.resize(shape[L]);
        if constexpr (L + 1 < dims) {
            for (auto& sub : v)
                if (auto ec = read<L + 1>(c, elem_oid, shape, sub)) return ec;
        } else {
            for (std::size_t i = 0; i < v.size(); ++i) {
                auto len = c.get<std::int32_t>();
                if (c.failed() || len < -1) return errc::invalid_value;
                if (len == -1) {
                    if constexpr (nullable)
                        v[i].reset();
                    else
                        return errc::unexpected_null;
                    continue;
                }
                auto raw = c.get_bytes(static_cast<std::size_t>(len));
                if (c.failed()) return errc::invalid_value;
                std::error_code ec;
                if constexpr (std::is_same_v<leaf, bool>) { // std::vector<bool> has no bool&
                    bool b = false;
                    ec = codec<elem>::decode(raw, elem_oid, b);
                    v[i] = b;
                } else if constexpr (nullable) {
                    if (!v[i]) v[i].emplace();
                    ec = codec<elem>::decode(raw, elem_oid, *v[i]);
                } else {
                    ec = codec<elem>::decode(raw, elem_oid, v[i]);
                }
                if (ec) return ec;
            }
        }
        return {};
    }
};

} // namespace turbopg::wire
