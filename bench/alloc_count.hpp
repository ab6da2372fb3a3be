// How many times operator new ran in this process: counted by turbopg-bench-allocs
// (alloc_count_on.cpp, which replaces the global operator new), not by turbopg-bench
// (alloc_count_off.cpp), whose timings stay free of the counter's cost.
#pragma once

#include <cstdint>
#include <optional>

namespace turbopg::bench {

// Allocations so far, or nothing when this binary does not count them.
std::optional<std::uint64_t> allocations_so_far() noexcept;

} // namespace turbopg::bench
