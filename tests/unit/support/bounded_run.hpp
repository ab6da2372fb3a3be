// Runs a test's io_context against a scripted server with a bound: a client that waits forever
// fails the test instead of hanging it.
#pragma once

#include <asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <future>

namespace turbopg::test {

// Runs `ctx` for at most 20 s and returns the result of `fut`, a coroutine co_spawned on `ctx`
// with asio::use_future; fails the test when it has not finished by then.
template <class T>
T result_within_bound(asio::io_context& ctx, std::future<T>& fut) {
    ctx.run_for(std::chrono::seconds(20));
    REQUIRE(fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    return fut.get();
}

} // namespace turbopg::test
