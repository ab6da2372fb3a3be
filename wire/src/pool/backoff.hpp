// Delays between failed connection attempts (sans-io, unit-tested).
#pragma once

#include <chrono>
#include <cstdint>

namespace turbopg::wire::detail {

// The wait after `failures` attempts failed in a row (1 = the first failure): `initial`,
// doubling with each further failure, never more than `max` (nor less than 1 ms).
std::chrono::milliseconds reconnect_delay(std::chrono::milliseconds initial,
                                          std::chrono::milliseconds max, std::uint64_t failures);

} // namespace turbopg::wire::detail
