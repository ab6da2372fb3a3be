#include "input_rows.hpp"

namespace turbopg::bench {

std::vector<input_row> generate_input_rows(long n) {
    using namespace std::chrono;
    constexpr sys_days base = year{2020} / January / 1;
    std::vector<input_row> rows;
    rows.reserve(static_cast<std::size_t>(n));
    for (long i = 1; i <= n; ++i)
        rows.push_back({i, "user_" + std::to_string(i), static_cast<double>(i) * 0.25,
                        base + seconds{i} + microseconds{i % 1000}, i % 3 == 0});
    return rows;
}

} // namespace turbopg::bench
