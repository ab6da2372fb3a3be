// Helpers for the pool tests: wait until the pool's bookkeeping reaches a state (connections
// come back through their strands, so a return shows in stats() a few handlers later).
#pragma once

#include "support/server.hpp"

#include <turbopg/wire/pool.hpp>

#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>

namespace turbopg::test {

inline asio::awaitable<void> settle_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Lets other handlers run until `done(pool.stats())` holds (for up to ~10 s).
template <class Pred>
asio::awaitable<void> settle(turbopg::wire::pool& p, Pred done) {
    for (int i = 0; i < 10'000 && !done(p.stats()); ++i) {
        if (i < 100)
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        else
            co_await settle_for(std::chrono::milliseconds(1));
    }
    REQUIRE(done(p.stats()));
}

} // namespace turbopg::test
