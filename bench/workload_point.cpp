#include "workloads.hpp"

#include <turbopg/wire/connection.hpp>

#include <string>
#include <tuple>

namespace turbopg::bench {
namespace {

using wire::connection;

constexpr const char* point_sql = "SELECT $1::int4";
constexpr std::size_t max_in_flight = 256;
constexpr std::size_t batch_size = 32;

void check_point(std::int32_t got, long i) {
    if (got != param_of(i))
        throw check_failed("query " + std::to_string(i) + " returned " + std::to_string(got) +
                           " instead of " + std::to_string(param_of(i)));
}

// A connection with `SELECT $1::int4` prepared for int4 arguments.
struct point_session {
    asio::io_context io{1};
    connection conn;
    wire::prepared_statement stmt;

    explicit point_session(const workload_args& a)
        : conn(block_on(io, connection::connect(io.get_executor(), a.url)))
        , stmt(block_on(io, conn.prepare<std::int32_t>(point_sql))) {}
    ~point_session() {
        try {
            block_on(io, conn.close());
        } catch (...) {
            // The measurement is taken; a failing Terminate changes nothing about it.
        }
    }
};

} // namespace

measurement point_seq(const workload_args& a) {
    point_session s(a);
    timed_section t;
    block_on(s.io, [&]() -> asio::awaitable<void> {
        for (long i = 0; i < a.ops; ++i)
            check_point(co_await s.conn.query_value<std::int32_t>(s.stmt, param_of(i)), i);
    }());
    return t.finish(a.ops);
}

measurement point_pipe(const workload_args& a) {
    point_session s(a);
    timed_section t;
    run_workers(s.io, max_in_flight, [&](std::size_t w) -> asio::awaitable<void> {
        for (long i = static_cast<long>(w); i < a.ops; i += max_in_flight)
            check_point(co_await s.conn.query_value<std::int32_t>(s.stmt, param_of(i)), i);
    });
    return t.finish(a.ops);
}

measurement point_batch(const workload_args& a) {
    point_session s(a);
    const long chunk = batch_size;
    const long chunks = (a.ops + chunk - 1) / chunk;
    const auto workers = max_in_flight / batch_size;
    timed_section t;
    run_workers(s.io, workers, [&](std::size_t w) -> asio::awaitable<void> {
        wire::batch b;
        for (long c = static_cast<long>(w); c < chunks; c += static_cast<long>(workers)) {
            const long first = c * chunk, end = std::min(first + chunk, a.ops);
            b.clear();
            for (long i = first; i < end; ++i)
                b.add(point_sql, param_of(i));
            auto results = co_await s.conn.run(b);
            for (long i = first; i < end; ++i)
                check_point(results[static_cast<std::size_t>(i - first)][0].get<std::int32_t>(0),
                            i);
        }
    });
    return t.finish(a.ops);
}

} // namespace turbopg::bench
