// A pool shared by coroutines on several threads: queries run on it directly (each acquires a
// connection, runs on it and returns it), or on a connection held for several statements.
#include <turbopg/wire/pool.hpp>
#include <turbopg/wire/transaction.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <iostream>
#include <thread>

namespace pg = turbopg::wire;

asio::awaitable<void> run(pg::pool& db) {
    auto n = co_await db.query_value<std::int32_t>("select $1::int4 * 2", std::int32_t{21});
    std::cout << "answer " << n << '\n'; // 42

    // One connection for several statements, here a transaction: committed when the body
    // returns, rolled back when it throws. The connection comes back when the function is done.
    auto sum = co_await db.run([](pg::connection& c) {
        return pg::with_transaction(c, [&](pg::transaction&) -> asio::awaitable<std::int64_t> {
            co_await c.execute(
                "create temp table t on commit drop as select generate_series(1, 10) x");
            co_return co_await c.query_value<std::int64_t>("select sum(x) from t");
        });
    });
    std::cout << "sum " << sum << '\n'; // 55

    // A held connection, returned when `conn` goes out of scope. With several threads running
    // the io_context, use it from its own strand.
    {
        auto conn = co_await db.acquire();
        auto pid = co_await asio::co_spawn(
            conn.get_executor(),
            [&]() { return conn->query_value<std::int32_t>("select pg_backend_pid()"); },
            asio::use_awaitable);
        std::cout << "held connection to backend " << pid << '\n';
    }

    auto s = db.stats();
    std::cout << s.acquires << " acquires, " << s.created << " connection(s) opened\n";
    co_await db.close();
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    pg::pool db(ctx.get_executor(), argc > 1 ? argv[1] : "", {.max_size = 4});
    std::exception_ptr failure;
    asio::co_spawn(ctx, run(db), [&](std::exception_ptr e) {
        failure = e;
        if (e) ctx.stop(); // the pool would keep the io_context busy
    });
    std::thread second([&] { ctx.run(); });
    ctx.run();
    second.join();
    try {
        if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
