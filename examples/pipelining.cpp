// Many coroutines share one connection: their queries are pipelined (written together, answered
// in order), and a failing query fails only itself. Timeouts and cancellation send a
// CancelRequest and leave the connection usable.
#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <iostream>

namespace pg = turbopg::wire;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> worker(pg::connection& conn, int id, int& sum) {
    for (int i = 0; i < 100; ++i)
        sum += co_await conn.query_value<std::int32_t>("select $1::int4", std::int32_t{id});
}

asio::awaitable<void> run(std::string conninfo) {
    auto ex = co_await asio::this_coro::executor;
    auto conn = co_await pg::connection::connect(ex, conninfo);

    int sum = 0;
    co_await (worker(conn, 1, sum) && worker(conn, 2, sum) && worker(conn, 3, sum));
    std::cout << "sum " << sum << '\n'; // 600

    // A deadline for one query with Asio's operators: the loser is cancelled on the server.
    asio::steady_timer deadline(ex, 200ms);
    auto first =
        co_await (conn.execute("select pg_sleep(10)") || deadline.async_wait(asio::use_awaitable));
    std::cout << (first.index() == 1 ? "timed out" : "finished") << '\n';

    // Or a timeout for every query on the connection.
    conn.set_query_timeout(5s);
    std::cout << co_await conn.query_value<std::int32_t>("select 1") << '\n';
    co_await conn.close();
}

int main(int argc, char** argv) {
    asio::io_context ctx;
    asio::co_spawn(ctx, run(argc > 1 ? argv[1] : ""), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    try {
        ctx.run();
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
