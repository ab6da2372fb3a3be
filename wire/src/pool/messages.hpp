// The text of the pool's errors, from a snapshot of its state (sans-io, unit-tested). Each is the
// context of a turbopg::wire::error, whose what() appends the code's own message.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace turbopg::wire::detail {

// How busy the pool was when an acquire gave up.
struct pool_load {
    std::size_t checked_out = 0;
    std::size_t max_size = 0;
    std::chrono::milliseconds longest_out{0}; // how long the oldest checked-out one has been out
    std::size_t waiting = 0;                  // other acquires waiting
};

// "350 ms" below one second, "2.1 s" (one decimal) from one second on.
std::string describe_duration(std::chrono::milliseconds d);

// acquire_timeout expired while every connection was checked out, e.g.
// "acquire gave up after 1000 ms: 8 of 8 connections checked out (the longest for 2.1 s), 3
// other acquires waiting".
std::string exhausted_message(const pool_load& load, std::chrono::milliseconds waited);

// max_waiters acquires were already waiting, e.g. "acquire refused at once: 16 acquires waiting
// already (max_waiters = 16), 8 of 8 connections checked out (the longest for 2.1 s)".
std::string waiters_full_message(const pool_load& load, std::size_t max_waiters);

// acquire_timeout expired while opening connections failed, e.g. "acquire gave up after 500 ms:
// 3 connection attempts failed in a row, the last: could not connect to ...".
std::string unreachable_message(std::chrono::milliseconds waited, std::uint64_t failed_attempts,
                                std::string_view last_error);

} // namespace turbopg::wire::detail
