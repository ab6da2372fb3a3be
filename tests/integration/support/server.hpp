// What integration tests know about the server under test, from the environment that
// `scripts/dev` exports (or just TURBOPG_TEST_URL for a server of your own), and a way to run a
// coroutine to completion.
#pragma once

#include <turbopg/wire/connection.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <system_error>

namespace turbopg::test {

inline std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

// The main URL: a superuser on the test server.
inline std::string test_url() {
    auto url = env("TURBOPG_TEST_URL");
    REQUIRE_MESSAGE(url, "TURBOPG_TEST_URL is not set: run the tests with scripts/dev test");
    return *url;
}

// True when the throwaway cluster (with its per-method roles and certificates) is under test.
inline bool have_cluster() {
    return env("TURBOPG_TEST_CLUSTER").has_value();
}

inline std::string cluster(const char* name) {
    auto v = env(name);
    REQUIRE_MESSAGE(v, name << " is not set");
    return *v;
}

// A key=value conninfo for the cluster over TCP with `extra` settings appended.
inline std::string cluster_conninfo(const std::string& extra) {
    return "host=" + cluster("TURBOPG_TEST_HOST") + " port=" + cluster("TURBOPG_TEST_PORT") +
           " dbname=" + cluster("TURBOPG_TEST_DBNAME") + " " + extra;
}

// Connects to test_url() with `extra` URL parameters (e.g. "statement_cache_size=0").
inline asio::awaitable<wire::connection> connect_test(std::string extra = "") {
    auto url = test_url();
    if (!extra.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + extra;
    co_return co_await wire::connection::connect(co_await asio::this_coro::executor, url);
}

// Runs `make()`'s coroutine on a fresh io_context and returns its result (exceptions rethrown).
// `concurrency_hint` 1 is Asio's promise that one thread runs it (a pool then uses no strands).
template <class F>
auto run(F&& make, int concurrency_hint = ASIO_CONCURRENCY_HINT_DEFAULT) {
    asio::io_context ctx(concurrency_hint);
    auto fut = asio::co_spawn(ctx, make(), asio::use_future);
    ctx.run();
    return fut.get();
}

// Awaits `work` in a coroutine of its own whose Asio cancellation is `signal`'s; completes with the
// error code of what it threw (std::system_error, wire::error included), or none if it returned.
template <class T>
asio::awaitable<std::error_code> cancellable(asio::cancellation_signal& signal,
                                             asio::awaitable<T> work) {
    auto token = asio::bind_cancellation_slot(signal.slot(),
                                              asio::experimental::as_tuple(asio::use_awaitable));
    auto done = co_await asio::co_spawn(co_await asio::this_coro::executor, std::move(work), token);
    auto failure = std::get<0>(done);
    if (!failure) co_return std::error_code();
    try {
        std::rethrow_exception(failure);
    } catch (const std::system_error& e) {
        co_return e.code();
    }
}

} // namespace turbopg::test
