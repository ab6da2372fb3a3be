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

// A bench_rows row as a raw wire user keeps it: the name owned.
struct owned_row {
    std::int64_t id;
    std::string name;
    double score;
    std::chrono::sys_time<std::chrono::microseconds> created;
    bool flag;
};

} // namespace

measurement point_get(const workload_args& a) {
    asio::io_context io{1};
    auto conn = block_on(io, wire::connection::connect(io.get_executor(), a.url));
    const auto rows = block_on(io, conn.query_value<std::int64_t>("SELECT rows FROM bench_meta"));
    // name lengths : created (epoch microseconds) : score * 8, as libpq-bench sums them.
    std::int64_t name_lengths = 0, created_us = 0;
    double scores = 0;
    timed_section t;
    block_on(io, [&]() -> asio::awaitable<void> {
        for (long i = 0; i < a.ops; ++i) {
            const std::int64_t id = 1 + param_of(i) % rows;
            auto r = co_await conn.query_one<owned_row>(
                "SELECT id, name, score, created, flag FROM bench_rows WHERE id = $1", id);
            if (r.id != id || r.flag != (id % 3 == 0))
                throw check_failed("the row of id " + std::to_string(id) + " read another row");
            name_lengths += static_cast<std::int64_t>(r.name.size());
            created_us += r.created.time_since_epoch().count();
            scores += r.score;
        }
    }());
    auto m = t.finish(a.ops, std::to_string(name_lengths) + ':' + std::to_string(created_us) + ':' +
                                 std::to_string(static_cast<std::int64_t>(scores * 8)));
    block_on(io, conn.close());
    return m;
}

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
