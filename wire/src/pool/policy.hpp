// What the pool does with a connection that comes back or sits idle (sans-io, unit-tested).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace turbopg::wire::detail {

using pool_clock = std::chrono::steady_clock;

// True when a limit (0 = none) has been reached: `since` + `limit` <= `now`.
bool limit_reached(pool_clock::time_point since, std::chrono::milliseconds limit,
                   pool_clock::time_point now) noexcept;

// A returned connection, as seen on its executor.
struct returned_connection {
    bool open = true;
    std::string_view discard_reason; // connection_impl::discard_reason()
    char transaction_status = 'I';
    bool past_max_lifetime = false;
    bool pool_closed = false;
};

enum class return_action {
    reuse,     // idle and healthy: hand it to a waiter or keep it idle
    roll_back, // inside a transaction block: ROLLBACK, then decide again
    discard,   // close it
};

struct return_verdict {
    return_action action;
    std::string reason; // why it is discarded or rolled back, for the log
};

return_verdict judge_returned(const returned_connection& c);

} // namespace turbopg::wire::detail
