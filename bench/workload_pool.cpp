#include "workloads.hpp"

#include <turbopg/wire/pool.hpp>

#include <string>

namespace turbopg::bench {
namespace {
constexpr std::size_t pool_size = 8;
}

measurement pool_8(const workload_args& a) {
    asio::io_context io{1};
    wire::pool_options options;
    options.max_size = pool_size;
    wire::pool db(io.get_executor(), a.url, options);
    auto point = [&](long i) -> asio::awaitable<void> {
        auto got = co_await db.query_value<std::int32_t>("SELECT $1::int4", param_of(i));
        if (got != param_of(i))
            throw check_failed("query " + std::to_string(i) + " returned " + std::to_string(got));
    };
    // Open the 8 connections and prepare the statement on each before the timed section.
    run_workers(io, pool_size, [&](std::size_t w) { return point(static_cast<long>(w)); });

    // One worker per connection, one query in flight on each, as the peers do.
    timed_section t;
    run_workers(io, pool_size, [&](std::size_t w) -> asio::awaitable<void> {
        for (long i = static_cast<long>(w); i < a.ops; i += static_cast<long>(pool_size))
            co_await point(i);
    });
    auto m = t.finish(a.ops);
    block_on(io, db.close());
    return m;
}

} // namespace turbopg::bench
