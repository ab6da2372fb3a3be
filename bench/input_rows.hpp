// The rows written by insert-batch (and copy-in): row i (1-based) is
// (i, "user_" + i, i * 0.25, 2020-01-01T00:00:00Z + i s + (i % 1000) µs, i % 3 == 0),
// as in ../shared/peers, so the checksum of bench_in after a run is known in advance.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace turbopg::bench {

struct input_row {
    std::int64_t id;
    std::string name;
    double score;
    std::chrono::sys_time<std::chrono::microseconds> created;
    bool flag;
};

std::vector<input_row> generate_input_rows(long n);

} // namespace turbopg::bench
