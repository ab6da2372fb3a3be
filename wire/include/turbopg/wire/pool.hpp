// A pool of connections, safe to share between coroutines on an io_context run by any number of
// threads.
//
//   turbopg::wire::pool db(ctx.get_executor(), "postgresql://app@db/shop", {.max_size = 8});
//   auto n = co_await db.query_value<std::int64_t>("select count(*) from book");  // acquire,
//                                                                                // run, return
//   co_await db.run([&](turbopg::wire::connection& c) -> asio::awaitable<void> {
//       co_await c.execute("begin");  // several statements on one connection
//       ...
//   });
//   {
//       auto conn = co_await db.acquire();    // held until `conn` goes out of scope
//       co_await conn->execute("...");
//   }
//   co_await db.close();
//
// Threads and executors: every pooled connection lives on a strand of its own
// (asio::make_strand of the pool's executor), and a connection must only be used from its
// executor. The pool's shortcuts (query, execute, ..., run) take care of that: they run the work
// on the connection's strand (spawned there unless the caller already runs there; a cancellation
// of the caller's is emitted again on the strand) and complete back on the caller's executor. When
// the pool's executor is an io_context's made with concurrency_hint 1 (Asio's promise that one
// thread runs it), there is nothing to serialise: connections then live on that executor itself,
// and the shortcuts run in the caller's coroutine without hopping executors. A connection held with
// acquire() is the caller's to use correctly: with a single-threaded io_context anything goes; with
// several threads, run its operations from its executor (`asio::co_spawn(conn.get_executor(),
// ...)`), and emit their cancellations there too: Asio 1.22's co_spawn runs the spawned work's
// cancellation handlers in the emitting thread (pool::run uses detail::await_on, which takes care
// of both). Returning it (release() or the handle's destructor) is allowed from any thread.
//
// Returned connections are inspected on their strand before anyone else gets them: a broken
// one (is_open() false), one that saw a session-fatal error (SQLSTATE 25006, 57P01-57P03) or one
// past max_lifetime is closed; one left inside a transaction block ('T' or 'E') is rolled back
// first (and closed if that fails), so a connection is never handed out in a transaction.
// Session state set outside a transaction (SET, temporary tables, LISTEN, prepared statements)
// stays with the connection, as in PgBouncer's session pooling.
//
// When the server goes away, dead idle connections are dropped at acquire (a strand-side check of
// is_open(), plus an empty query for connections idle longer than health_check_after) and new
// ones are opened; while connecting fails, one attempt at a time is retried with exponential
// backoff, and acquires wait (up to acquire_timeout) for the server to come back.
//
// Lifetime: the pool's housekeeping task keeps its executor busy (io_context::run() does not
// return) until close() or the pool's destruction; destroy the pool before its io_context.
//
// Errors: turbopg::wire::error with errc::pool_exhausted (acquire_timeout expired while every
// connection was checked out, or max_waiters were already waiting; the message says how many
// connections are out, for how long the oldest has been, how many wait and how long this one
// waited), errc::server_unreachable (acquire_timeout expired while connecting failed; the message
// ends with the last connect error), errc::pool_closed (after close()), errc::cancelled (the
// caller cancelled the acquire), or whatever the work itself threw.
#pragma once

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/detail/await_on.hpp>
#include <turbopg/wire/export.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/this_coro.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>

namespace turbopg::wire {

namespace detail {
class pool_core;

template <class A>
struct awaitable_value;
template <class T, class Executor>
struct awaitable_value<asio::awaitable<T, Executor>> {
    using type = T;
};
} // namespace detail

struct pool_options {
    // The most connections open at once (checked out, idle and being opened together).
    std::size_t max_size = 10;
    // Idle connections the housekeeping task keeps open (opened in the background at start and
    // whenever fewer are idle); never more than max_size.
    std::size_t min_idle = 0;
    // How long acquire() waits for a connection (0 = no limit).
    std::chrono::milliseconds acquire_timeout{30'000};
    // The most acquires waiting at once for a connection to come back; beyond it acquire() fails
    // at once with errc::pool_exhausted (0 = never wait for one: fail when none is idle and the
    // pool is at max_size). An acquire that a connection being opened will serve, or that the
    // pool has room to open one for, does not count.
    std::size_t max_waiters = 4096;
    // An idle connection beyond min_idle is closed after this long unused (0 = never).
    std::chrono::milliseconds idle_timeout{600'000};
    // A connection is closed (when idle or on return) once this old (0 = never).
    std::chrono::milliseconds max_lifetime{3'600'000};
    // A connection idle at least this long is checked with an empty query before it is handed
    // out (0 = every time; std::chrono::milliseconds::max() = never). Every idle connection is
    // checked for a closed socket regardless. The check has no deadline of its own: use
    // keepalives / tcp_user_timeout in the conninfo against servers that vanish silently.
    std::chrono::milliseconds health_check_after{1'000};
    // Delays between failed connection attempts: initial, doubling up to max.
    std::chrono::milliseconds reconnect_backoff_initial{100};
    std::chrono::milliseconds reconnect_backoff_max{10'000};
    // How often the housekeeping task enforces idle_timeout, max_lifetime and min_idle.
    std::chrono::milliseconds housekeeping_interval{1'000};
};

struct pool_stats {
    std::size_t size = 0;       // open or being opened: idle + in_use + pending
    std::size_t idle = 0;       // ready to be handed out
    std::size_t in_use = 0;     // checked out (including those being health-checked for an acquire)
    std::size_t pending = 0;    // being opened, or being rolled back / inspected after a return
    std::size_t waiters = 0;    // acquires waiting now
    std::uint64_t acquires = 0; // successful acquires
    std::uint64_t acquire_waits = 0;    // acquires that found no idle connection and waited
    std::uint64_t timeouts = 0;         // acquires that gave up after acquire_timeout
    std::uint64_t rejected = 0;         // acquires refused at once (max_waiters)
    std::uint64_t created = 0;          // connections opened
    std::uint64_t discarded = 0;        // connections closed by the pool (broken, old, idle, ...)
    std::uint64_t connect_failures = 0; // failed connection attempts
    std::uint64_t rollbacks = 0;        // connections returned in a transaction and rolled back
};

// A connection checked out of a pool; returns it when destroyed (or on release()). Move-only.
// Use the connection from its executor (get_executor(), a strand) when several threads run the
// io_context; releasing is allowed from any thread.
class TURBOPG_WIRE_API pooled_connection {
public:
    pooled_connection() noexcept;
    pooled_connection(pooled_connection&& other) noexcept;
    // Returns the connection held now, then takes `other`'s.
    pooled_connection& operator=(pooled_connection&& other) noexcept;
    ~pooled_connection();

    connection* operator->() noexcept { return &conn_; }
    const connection* operator->() const noexcept { return &conn_; }
    connection& operator*() noexcept { return conn_; }
    const connection& operator*() const noexcept { return conn_; }
    // The connection's strand.
    connection::executor_type get_executor() const { return conn_.get_executor(); }
    // False once released (or moved from).
    explicit operator bool() const noexcept { return core_ != nullptr; }

    // Returns the connection to the pool now (the pool resets or closes it as needed; see the
    // top of this file). Afterwards this handle is empty. Nothing happens on an empty handle.
    void release() noexcept;

    // Internal: made by the pool.
    pooled_connection(std::shared_ptr<detail::pool_core> core, connection conn,
                      std::chrono::steady_clock::time_point created,
                      std::chrono::steady_clock::time_point checked_out) noexcept;

private:
    std::shared_ptr<detail::pool_core> core_;
    connection conn_;
    std::chrono::steady_clock::time_point created_;
    std::chrono::steady_clock::time_point checked_out_;
};

class TURBOPG_WIRE_API pool {
public:
    using executor_type = asio::any_io_executor;

    // Connections are opened on strands of `ex` with `cfg`; min_idle of them right away (in the
    // background: construction neither waits nor throws for the server).
    pool(executor_type ex, config cfg, pool_options options = {});
    // The same from a libpq conninfo string or URI plus the PG* environment (throws
    // errc::bad_config for an invalid one).
    pool(executor_type ex, std::string_view conninfo, pool_options options = {});
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;
    // Shuts the pool down without waiting (as close() does, except that it does not wait for
    // anything): prefer `co_await close()`.
    ~pool();

    executor_type get_executor() const noexcept { return ex_; }
    const pool_options& options() const noexcept { return options_; }
    pool_stats stats() const;

    // Checks a connection out: an idle one (after the checks above), else a new one when fewer
    // than max_size are open, else waits for one to come back (FIFO), up to acquire_timeout.
    // Completes with the handle, or throws error (pool_exhausted, server_unreachable,
    // pool_closed; see the top of this file). Supports Asio per-operation cancellation while it
    // waits (then errc::cancelled; nothing is lost).
    asio::awaitable<pooled_connection> acquire();

    // Acquires a connection, runs `f(connection&)` (returning an asio::awaitable) on the
    // connection's executor, returns the connection (rolled back if `f` left a transaction open,
    // e.g. because it threw) and completes with what `f` returned, on the caller's executor.
    // Exceptions from `f` and from acquire() propagate.
    template <class F>
    auto run(F f) -> asio::awaitable<
        typename detail::awaitable_value<std::invoke_result_t<F&, connection&>>::type> {
        using value = typename detail::awaitable_value<std::invoke_result_t<F&, connection&>>::type;
        auto held = co_await acquire();
        auto ex = held.get_executor();
        if ((co_await asio::this_coro::executor) == ex) co_return co_await f(*held);
        // A named function object: g++ 12 destroys a lambda temporary inside a co_await
        // expression twice.
        auto on_strand = [&f, held = std::move(held)]() mutable -> asio::awaitable<value> {
            // Returned when this coroutine ends: on the connection's executor.
            auto conn = std::move(held);
            co_return co_await f(*conn);
        };
        co_return co_await detail::await_on(ex, on_strand());
    }

    // connection's query operations, each on a connection acquired for it and returned after
    // (see run()). Statements are cached per connection, so repeated SQL is prepared once per
    // connection. Arguments must outlive the co_await (they do when passed in the expression).
    // Each returns run()'s awaitable itself rather than awaiting it in a coroutine of its own:
    // one coroutine frame less per query.
    template <class... Args>
    asio::awaitable<result> query(std::string_view sql, const Args&... args) {
        return run([sql, &args...](connection& c) { return c.query(sql, args...); });
    }
    template <class Row, class... Args>
    asio::awaitable<std::vector<Row>> query_as(std::string_view sql, const Args&... args) {
        return run([sql, &args...](connection& c) { return c.query_as<Row>(sql, args...); });
    }
    template <class Row, class... Args>
    asio::awaitable<Row> query_one(std::string_view sql, const Args&... args) {
        return run([sql, &args...](connection& c) { return c.query_one<Row>(sql, args...); });
    }
    template <class T, class... Args>
    asio::awaitable<T> query_value(std::string_view sql, const Args&... args) {
        return run([sql, &args...](connection& c) { return c.query_value<T>(sql, args...); });
    }
    // `f(Row&&)` is called on the connection's executor.
    template <class Row, class F, class... Args>
    asio::awaitable<std::uint64_t> for_each(std::string_view sql, F&& f, const Args&... args) {
        return run([sql, &f, &args...](connection& c) {
            return c.for_each<Row>(sql, std::forward<F>(f), args...);
        });
    }
    template <class... Args>
    asio::awaitable<std::uint64_t> execute(std::string_view sql, const Args&... args) {
        return run([sql, &args...](connection& c) { return c.execute(sql, args...); });
    }

    // Shuts the pool down and waits until every connection is closed: from now on acquire()
    // fails with errc::pool_closed (waiting ones too), idle connections are closed (Terminate),
    // background tasks stop, and connections still checked out are closed when they come back;
    // close() completes once the last one has been returned and closed. So release the
    // connections you hold (and let running work finish) or close() waits for them. Calling it
    // again (or concurrently) waits the same way.
    asio::awaitable<void> close();

private:
    executor_type ex_;
    pool_options options_;
    std::shared_ptr<detail::pool_core> core_;
};

} // namespace turbopg::wire
