#include "pool/messages.hpp"

namespace turbopg::wire::detail {
namespace {

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + ' ' + std::string(n == 1 ? one : many);
}

std::string describe_load(const pool_load& load) {
    auto s = std::to_string(load.checked_out) + " of " +
             plural(load.max_size, "connection", "connections") + " checked out";
    if (load.checked_out > 0) s += " (the longest for " + describe_duration(load.longest_out) + ')';
    return s;
}

} // namespace

std::string describe_duration(std::chrono::milliseconds d) {
    auto ms = d.count() < 0 ? 0 : d.count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    auto tenths = (ms + 50) / 100;
    return std::to_string(tenths / 10) + '.' + std::to_string(tenths % 10) + " s";
}

std::string exhausted_message(const pool_load& load, std::chrono::milliseconds waited) {
    return "acquire gave up after " + std::to_string(waited.count()) +
           " ms: " + describe_load(load) + ", " +
           plural(load.waiting, "other acquire waiting", "other acquires waiting");
}

std::string waiters_full_message(const pool_load& load, std::size_t max_waiters) {
    return "acquire refused at once: " +
           plural(load.waiting, "acquire waiting", "acquires waiting") +
           " already (max_waiters = " + std::to_string(max_waiters) + "), " + describe_load(load);
}

std::string unreachable_message(std::chrono::milliseconds waited, std::uint64_t failed_attempts,
                                std::string_view last_error) {
    return "acquire gave up after " + std::to_string(waited.count()) +
           " ms: " + plural(failed_attempts, "connection attempt", "connection attempts") +
           " failed in a row, the last: " + std::string(last_error);
}

} // namespace turbopg::wire::detail
