// Shared by the fuzz targets: input as bytes, and reading every byte of a view (so that
// AddressSanitizer notices a view that points outside the input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace turbopg::fuzz {

inline std::span<const std::byte> as_span(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const std::byte*>(data), size};
}

inline volatile unsigned touched;

inline void touch(std::span<const std::byte> b) {
    unsigned sum = 0;
    for (auto x : b)
        sum += static_cast<unsigned>(x);
    touched = sum;
}
inline void touch(std::string_view s) {
    touch({reinterpret_cast<const std::byte*>(s.data()), s.size()});
}

} // namespace turbopg::fuzz
