#include "pool/backoff.hpp"

#include <algorithm>

namespace turbopg::wire::detail {

std::chrono::milliseconds reconnect_delay(std::chrono::milliseconds initial,
                                          std::chrono::milliseconds max, std::uint64_t failures) {
    using ms = std::chrono::milliseconds;
    auto cap = std::max(max, ms{1});
    auto delay = std::clamp(initial, ms{1}, cap);
    // Doubling stops at the cap, so it cannot overflow however many failures there were.
    for (std::uint64_t i = 1; i < failures && delay < cap; ++i)
        delay = delay > cap / 2 ? cap : delay * 2;
    return delay;
}

} // namespace turbopg::wire::detail
