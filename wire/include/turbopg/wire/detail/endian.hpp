// Big-endian loads and stores for the inline codecs of the public headers.
//
// The private proto/bytes.hpp has the same operations for the protocol core; this copy exists so
// that codec.hpp stays self-contained (public headers must not include wire/src).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace turbopg::wire {

using bytes = std::vector<std::byte>;
using byte_view = std::span<const std::byte>;

namespace detail {

template <class U>
constexpr U bswap(U v) noexcept {
    static_assert(std::is_unsigned_v<U>);
    if constexpr (sizeof(U) == 1)
        return v;
    else if constexpr (sizeof(U) == 2)
        return static_cast<U>(__builtin_bswap16(v));
    else if constexpr (sizeof(U) == 4)
        return static_cast<U>(__builtin_bswap32(v));
    else
        return static_cast<U>(__builtin_bswap64(v));
}

// Reads an integer (any width, signed or not) stored big-endian at p.
template <class I>
inline I load_be(const std::byte* p) noexcept {
    using U = std::make_unsigned_t<I>;
    U v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = bswap(v);
    return static_cast<I>(v);
}

template <class I>
inline void store_be(std::byte* p, I value) noexcept {
    using U = std::make_unsigned_t<I>;
    auto v = static_cast<U>(value);
    if constexpr (std::endian::native == std::endian::little) v = bswap(v);
    std::memcpy(p, &v, sizeof v);
}

// Appends an integer in network byte order.
template <class I>
inline void append_be(bytes& out, I value) {
    auto at = out.size();
    out.resize(at + sizeof(I));
    store_be(out.data() + at, value);
}

inline void append_raw(bytes& out, const void* data, std::size_t n) {
    auto p = static_cast<const std::byte*>(data);
    out.insert(out.end(), p, p + n);
}

inline std::string_view as_chars(byte_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Decodes a fixed-width big-endian integer that must be exactly the whole input.
template <class I>
inline bool read_exact(byte_view in, I& out) noexcept {
    if (in.size() != sizeof(I)) return false;
    out = load_be<I>(in.data());
    return true;
}

// A cursor over a value's bytes for the multi-field formats (numeric, arrays, interval). Reads
// past the end set a sticky failure and yield zeros, so a decoder checks once at the end.
class cursor {
public:
    explicit cursor(byte_view in) noexcept
        : p_(in.data())
        , end_(in.data() + in.size()) {}

    template <class I>
    I get() noexcept {
        if (static_cast<std::size_t>(end_ - p_) < sizeof(I)) {
            fail();
            return I{};
        }
        auto v = load_be<I>(p_);
        p_ += sizeof(I);
        return v;
    }
    byte_view get_bytes(std::size_t n) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < n) {
            fail();
            return {};
        }
        byte_view v{p_, n};
        p_ += n;
        return v;
    }
    std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
    bool failed() const noexcept { return failed_; }
    bool ok_and_done() const noexcept { return !failed_ && p_ == end_; }
    void fail() noexcept {
        failed_ = true;
        p_ = end_;
    }

private:
    const std::byte* p_;
    const std::byte* end_;
    bool failed_ = false;
};

} // namespace detail
} // namespace turbopg::wire
