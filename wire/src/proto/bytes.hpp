// Big-endian byte writer and reader: the bottom of the sans-io protocol core.
//
// All integers on the PostgreSQL wire are network byte order (protocol docs, "Message Data
// Types"). The writer appends to a caller-owned, reusable buffer; the reader walks a borrowed span
// and keeps a sticky failure flag, so a decoder checks once at the end instead of after every
// field.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace turbopg::wire::proto {

using bytes = std::vector<std::byte>;
using byte_view = std::span<const std::byte>;

inline std::string_view as_chars(byte_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline byte_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

template <class U>
constexpr U byteswap(U v) noexcept {
    static_assert(std::is_unsigned_v<U>);
    if constexpr (sizeof(U) == 2)
        return static_cast<U>(__builtin_bswap16(v));
    else if constexpr (sizeof(U) == 4)
        return static_cast<U>(__builtin_bswap32(v));
    else
        return static_cast<U>(__builtin_bswap64(v));
}

template <class U>
inline U load_be(const std::byte* p) noexcept {
    U v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little && sizeof(U) > 1) v = byteswap(v);
    return v;
}

template <class U>
inline void store_be(std::byte* p, U v) noexcept {
    if constexpr (std::endian::native == std::endian::little && sizeof(U) > 1) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}

class byte_writer {
public:
    explicit byte_writer(bytes& out) noexcept
        : out_(out) {}

    void put_u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
    void put_i16(std::int16_t v) { put_be(static_cast<std::uint16_t>(v)); }
    void put_i32(std::int32_t v) { put_be(static_cast<std::uint32_t>(v)); }
    void put_i64(std::int64_t v) { put_be(static_cast<std::uint64_t>(v)); }
    void put_u32(std::uint32_t v) { put_be(v); }
    void put_bytes(byte_view b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void put_bytes(std::string_view s) { put_bytes(as_bytes(s)); }
    // A String in the protocol's sense: the bytes, then a NUL terminator.
    void put_cstring(std::string_view s) {
        put_bytes(s);
        put_u8(0);
    }

    // Reserves a 4-byte length to be filled by end_length(), which writes the number of bytes
    // from the length field itself to the current end (the protocol's message length rule).
    std::size_t begin_length() {
        auto at = out_.size();
        out_.resize(at + 4);
        return at;
    }
    void end_length(std::size_t at) {
        store_be(out_.data() + at, static_cast<std::uint32_t>(out_.size() - at));
    }

    std::size_t size() const noexcept { return out_.size(); }
    bytes& buffer() noexcept { return out_; }

    // Appends `n` bytes for the caller to fill through the pointer returned (valid until the
    // next append): one growth for a whole message's fixed part instead of one per field.
    std::byte* append(std::size_t n) {
        auto at = out_.size();
        out_.resize(at + n);
        return out_.data() + at;
    }

private:
    template <class U>
    void put_be(U v) {
        auto at = out_.size();
        out_.resize(at + sizeof(U));
        store_be(out_.data() + at, v);
    }

    bytes& out_;
};

class byte_reader {
public:
    explicit byte_reader(byte_view in) noexcept
        : in_(in) {}

    std::uint8_t get_u8() noexcept {
        return take(1) ? static_cast<std::uint8_t>(in_[pos_ - 1]) : 0;
    }
    std::int16_t get_i16() noexcept { return static_cast<std::int16_t>(get_be<std::uint16_t>()); }
    std::uint16_t get_u16() noexcept { return get_be<std::uint16_t>(); }
    std::int32_t get_i32() noexcept { return static_cast<std::int32_t>(get_be<std::uint32_t>()); }
    std::int64_t get_i64() noexcept { return static_cast<std::int64_t>(get_be<std::uint64_t>()); }
    std::uint32_t get_u32() noexcept { return get_be<std::uint32_t>(); }

    byte_view get_bytes(std::size_t n) noexcept {
        if (!take(n)) return {};
        return in_.subspan(pos_ - n, n);
    }
    // A NUL-terminated String; the view excludes the terminator.
    std::string_view get_cstring() noexcept {
        if (failed_) return {};
        auto rest = as_chars(in_.subspan(pos_));
        auto nul = rest.find('\0');
        if (nul == std::string_view::npos) {
            failed_ = true;
            return {};
        }
        pos_ += nul + 1;
        return rest.substr(0, nul);
    }

    byte_view rest() const noexcept { return in_.subspan(failed_ ? in_.size() : pos_); }
    std::size_t remaining() const noexcept { return failed_ ? 0 : in_.size() - pos_; }
    bool at_end() const noexcept { return remaining() == 0; }
    bool failed() const noexcept { return failed_; }
    // True when everything was read and nothing was left over: decoders end with this check.
    bool ok_and_done() const noexcept { return !failed_ && pos_ == in_.size(); }
    void fail() noexcept { failed_ = true; }

private:
    bool take(std::size_t n) noexcept {
        if (failed_ || in_.size() - pos_ < n) {
            failed_ = true;
            return false;
        }
        pos_ += n;
        return true;
    }
    template <class U>
    U get_be() noexcept {
        return take(sizeof(U)) ? load_be<U>(in_.data() + pos_ - sizeof(U)) : U{};
    }

    byte_view in_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

} // namespace turbopg::wire::proto
