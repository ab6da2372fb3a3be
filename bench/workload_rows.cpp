#include "rows_checksum.hpp"
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
            [&](bench_row&& r) { sum.add(r.id, r.name, r.score, r.created, r.flag); });
    }());
    auto m = t.finish(static_cast<long>(n), sum.str());
    block_on(io, conn.close());
    if (static_cast<long>(n) != a.ops)
        throw check_failed("bench_rows has " + std::to_string(n) + " rows, expected " +
                           std::to_string(a.ops));
    return m;
}

} // namespace turbopg::bench
