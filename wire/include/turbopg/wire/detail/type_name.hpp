// Compile-time C++ type names for codec mismatch messages ("std::vector<std::int32_t>").
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace turbopg::wire::detail {

// The concatenation of string_views with static storage, as one static string_view.
template <const std::string_view&... Parts>
struct join_names {
    static constexpr auto storage = [] {
        std::array<char, (Parts.size() + ... + 0) + 1> out{};
        std::size_t at = 0;
        auto put = [&](std::string_view s) {
            for (char c : s)
                out[at++] = c;
        };
        (put(Parts), ...);
        return out;
    }();
    static constexpr std::string_view value{storage.data(), storage.size() - 1};
};

inline constexpr std::string_view name_close = ">";
inline constexpr std::string_view name_optional = "std::optional<";
inline constexpr std::string_view name_vector = "std::vector<";

} // namespace turbopg::wire::detail
