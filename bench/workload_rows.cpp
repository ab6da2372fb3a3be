#include "workloads.hpp"

#include <turbopg/wire/connection.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace turbopg::bench {
namespace {

struct bench_row {
    std::int64_t id;
    std::string_view name; // a view into the row's buffer: valid during the callback
    double score;
    std::chrono::sys_time<std::chrono::microseconds> created;
    bool flag;
};

// The checksum of load.sql: sum(id):sum(length(name)):count(flag):sum(epoch seconds):sum(score*8).
struct rows_checksum {
    std::int64_t ids = 0, name_lengths = 0, flags = 0, epoch_seconds = 0;
    double scores = 0;

    void add(const bench_row& r) noexcept {
        ids += r.id;
        name_lengths += static_cast<std::int64_t>(r.name.size());
        flags += r.flag;
        epoch_seconds +=
            std::chrono::floor<std::chrono::seconds>(r.created).time_since_epoch().count();
        scores += r.score;
    }
    std::string str() const {
        return std::to_string(ids) + ':' + std::to_string(name_lengths) + ':' +
               std::to_string(flags) + ':' + std::to_string(epoch_seconds) + ':' +
               std::to_string(static_cast<std::int64_t>(scores * 8));
    }
};

} // namespace

measurement rows(const workload_args& a) {
    asio::io_context io{1};
    auto conn = block_on(io, wire::connection::connect(io.get_executor(), a.url));
    rows_checksum sum;
    std::uint64_t n = 0;
    timed_section t;
    block_on(io, [&]() -> asio::awaitable<void> {
        n = co_await conn.for_each<bench_row>(
            "SELECT id, name, score, created, flag FROM bench_rows",
            [&](bench_row&& r) { sum.add(r); });
    }());
    auto m = t.finish(static_cast<long>(n), sum.str());
    block_on(io, conn.close());
    if (static_cast<long>(n) != a.ops)
        throw check_failed("bench_rows has " + std::to_string(n) + " rows, expected " +
                           std::to_string(a.ops));
    return m;
}

} // namespace turbopg::bench
