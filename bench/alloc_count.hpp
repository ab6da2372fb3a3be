// How many heap allocations this process made (malloc and its family, so operator new and
// Asio's recycling allocator when it misses are included): counted by turbopg-bench-allocs
// (alloc_count_on.cpp, which replaces the C allocation functions), not by turbopg-bench
// (alloc_count_off.cpp), whose timings stay free of the counter's cost.
#pragma once

#include <cstdint>
#include <optional>

namespace turbopg::bench {

// Allocations so far, or nothing when this binary does not count them.
std::optional<std::uint64_t> allocations_so_far() noexcept;

} // namespace turbopg::bench
