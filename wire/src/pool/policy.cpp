#include "pool/policy.hpp"

namespace turbopg::wire::detail {

bool limit_reached(pool_clock::time_point since, std::chrono::milliseconds limit,
                   pool_clock::time_point now) noexcept {
    // In milliseconds: a huge limit converted to the clock's nanoseconds would overflow.
    return limit.count() > 0 &&
           std::chrono::duration_cast<std::chrono::milliseconds>(now - since) >= limit;
}

return_verdict judge_returned(const returned_connection& c) {
    if (c.pool_closed) return {return_action::discard, "the pool is closed"};
    if (!c.open) return {return_action::discard, "the connection is broken"};
    if (!c.discard_reason.empty())
        return {return_action::discard, "the session saw: " + std::string(c.discard_reason)};
    if (c.past_max_lifetime) return {return_action::discard, "max_lifetime reached"};
    if (c.transaction_status != 'I')
        return {return_action::roll_back,
                std::string("returned inside a transaction block (status '") +
                    c.transaction_status + "')"};
    return {return_action::reuse, {}};
}

} // namespace turbopg::wire::detail
