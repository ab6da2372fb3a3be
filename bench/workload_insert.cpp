#include "input_rows.hpp"
#include "workloads.hpp"

#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/transaction.hpp>

#include <algorithm>
#include <optional>
#include <string>

namespace turbopg::bench {
namespace {

constexpr const char* insert_sql =
    "INSERT INTO bench_in (id, name, score, created, flag) VALUES ($1, $2, $3, $4, $5)";
constexpr long batch_size = 32;
constexpr std::size_t batches_in_flight = 8; // 256 INSERTs

} // namespace

measurement insert_batch(const workload_args& a) {
    const auto input = generate_input_rows(a.ops);
    asio::io_context io{1};
    auto conn = block_on(io, wire::connection::connect(io.get_executor(), a.url));
    block_on(io, [&]() -> asio::awaitable<void> { co_await conn.execute("TRUNCATE bench_in"); }());
    const long chunks = (a.ops + batch_size - 1) / batch_size;

    timed_section t;
    std::optional<wire::transaction> tx; // not default-constructible, so not block_on's value
    block_on(io, [&]() -> asio::awaitable<void> {
        tx.emplace(co_await wire::transaction::begin(conn));
    }());
    run_workers(io, batches_in_flight, [&](std::size_t w) -> asio::awaitable<void> {
        wire::batch b;
        for (long c = static_cast<long>(w); c < chunks; c += static_cast<long>(batches_in_flight)) {
            const long first = c * batch_size, end = std::min(first + batch_size, a.ops);
            b.clear();
            for (long k = first; k < end; ++k) {
                const auto& r = input[static_cast<std::size_t>(k)];
                b.add(insert_sql, r.id, std::string_view(r.name), r.score, r.created, r.flag);
            }
            auto results = co_await conn.run(b);
            for (const auto& res : results)
                if (res.rows_affected() != 1)
                    throw check_failed("an INSERT reported " + res.command_tag());
        }
    });
    block_on(io, tx->commit());
    auto m = t.finish(a.ops);
    block_on(io, conn.close());
    return m;
}

} // namespace turbopg::bench
