// The checksum of bench_rows that the rows workloads print and load.sql stores as rows_check:
// sum(id):sum(length(name)):count(flag):sum(floor(epoch seconds of created)):sum(score * 8).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace turbopg::bench {

struct rows_checksum {
    std::int64_t ids = 0, name_lengths = 0, flags = 0, epoch_seconds = 0;
    double scores = 0;

    void add(std::int64_t id, std::string_view name, double score,
             std::chrono::sys_time<std::chrono::microseconds> created, bool flag) noexcept {
        ids += id;
        name_lengths += static_cast<std::int64_t>(name.size()); // the names are ASCII
        flags += flag;
        epoch_seconds +=
            std::chrono::floor<std::chrono::seconds>(created).time_since_epoch().count();
        scores += score;
    }
    std::string str() const {
        return std::to_string(ids) + ':' + std::to_string(name_lengths) + ':' +
               std::to_string(flags) + ':' + std::to_string(epoch_seconds) + ':' +
               std::to_string(static_cast<std::int64_t>(scores * 8));
    }
};

} // namespace turbopg::bench
