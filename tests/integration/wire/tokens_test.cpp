// Every operation with completion tokens other than use_awaitable: callbacks and futures.
#include "support/server.hpp"

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <thread>

using namespace turbopg::wire;
using namespace turbopg::test;

TEST_CASE("callbacks: connect, query, execute, close without coroutines in user code") {
    asio::io_context ctx;
    std::optional<connection> conn;
    std::int32_t value = 0;
    std::uint64_t affected = 0;
    bool closed = false;
    std::string failure;
    connection::async_connect(
        ctx.get_executor(), test_url(), [&](std::exception_ptr e, connection c) {
            if (e) return failure = "connect failed", void();
            conn.emplace(std::move(c));
            conn->async_query("select $1::int4 * 2", std::tuple{std::int32_t{21}},
                              [&](std::exception_ptr e, result r) {
                                  if (e) return failure = "query failed", void();
                                  value = r[0].get<std::int32_t>(0);
                                  conn->async_execute(
                                      "select generate_series(1, 5)", std::tuple{},
                                      [&](std::exception_ptr e, std::uint64_t n) {
                                          if (e) return failure = "execute failed", void();
                                          affected = n;
                                          conn->async_close(
                                              [&](std::exception_ptr e) { closed = !e; });
                                      });
                              });
        });
    ctx.run();
    CHECK(failure.empty());
    CHECK(value == 42);
    CHECK(affected == 5);
    CHECK(closed);
}

TEST_CASE("use_future from another thread, errors delivered through the future") {
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    std::thread io([&] { ctx.run(); });
    auto conn = connection::async_connect(ctx.get_executor(), test_url(), asio::use_future).get();
    auto r =
        conn.async_query("select 'a'::text union all select 'b'", std::tuple{}, asio::use_future)
            .get();
    CHECK(r.size() == 2);
    auto bad = conn.async_query("select nope", std::tuple{}, asio::use_future);
    try {
        bad.get();
        FAIL("expected the server's error");
    } catch (const error& e) {
        CHECK(e.sqlstate() == "42703");
    }
    conn.async_close(asio::use_future).get();
    guard.reset();
    io.join();
}
