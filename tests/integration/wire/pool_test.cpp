// The pool against a real server: checkout and return, resets, errors, health checks, close.
// (Many threads and a server restart: pool_load_test.cpp.)
#include "support/cluster_control.hpp"
#include "support/pool.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>

#include <stdexcept>

using namespace turbopg::wire;
using namespace turbopg::test;
using namespace std::chrono_literals;
using asio::awaitable;

namespace {

pool_options one_connection() {
    pool_options o;
    o.max_size = 1;
    return o;
}

// Terminates a backend from another session and waits until it is gone.
awaitable<void> terminate_backend(std::int32_t pid) {
    auto admin = co_await connection::connect(co_await asio::this_coro::executor, test_url());
    co_await admin.execute("select pg_terminate_backend($1)", pid);
    while (co_await admin.query_value<bool>(
        "select exists (select 1 from pg_stat_activity where pid = $1)", pid)) {
        asio::steady_timer t(co_await asio::this_coro::executor, 10ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    co_await admin.close();
}

// Starts p.close() beside the caller; `closed` turns true when it has completed.
void close_in_background(const asio::any_io_executor& ex, pool& p, bool& closed) {
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
            co_await p.close();
            closed = true;
        },
        asio::detached);
}

} // namespace

TEST_CASE("pool: queries directly on the pool, on pool.run and on a held connection") {
    run([]() -> awaitable<void> {
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        CHECK(co_await p.query_value<std::int32_t>("select $1::int4 + 1", std::int32_t{41}) == 42);
        CHECK((co_await p.query("select generate_series(1, 3)")).size() == 3);
        CHECK(co_await p.execute("select generate_series(1, 5)") == 5);
        auto rows = co_await p.query_as<std::tuple<std::int32_t, std::string>>("select 7, 'seven'");
        REQUIRE(rows.size() == 1);
        CHECK(std::get<1>(rows[0]) == "seven");
        auto one = co_await p.query_one<std::tuple<std::int64_t>>("select 5::int8");
        CHECK(std::get<0>(one) == 5);
        std::int64_t sum = 0;
        CHECK(co_await p.for_each<std::tuple<std::int32_t>>(
                  "select generate_series(1, 4)",
                  [&](std::tuple<std::int32_t> r) { sum += std::get<0>(r); }) == 4);
        CHECK(sum == 10);
        auto twice = co_await p.run([](connection& c) -> awaitable<std::int32_t> {
            co_return 2 * co_await c.query_value<std::int32_t>("select 21");
        });
        CHECK(twice == 42);
        {
            auto held = co_await p.acquire();
            CHECK(held);
            CHECK(held->transaction_status() == 'I');
            CHECK(co_await held->query_value<std::int32_t>("select 1") == 1);
            CHECK(p.stats().in_use == 1);
        }
        co_await settle(p, [](const pool_stats& s) { return s.idle == 1; });
        auto s = p.stats();
        CHECK(s.created == 1); // one connection served everything
        CHECK(s.in_use == 0);
        CHECK(s.size == 1);
        CHECK(s.acquires == 8);
        co_await p.close();
        CHECK(p.stats().size == 0);
    });
}

TEST_CASE("pool: connections live on the pool's executor when one thread runs it") {
    // concurrency_hint 1: no strands, the shortcuts run in the caller's coroutine. Otherwise
    // each connection has a strand of its own.
    for (int hint : {1, 2}) {
        CAPTURE(hint);
        run(
            [&]() -> awaitable<void> {
                auto ex = co_await asio::this_coro::executor;
                pool p(ex, test_url(), one_connection());
                CHECK(co_await p.query_value<std::int32_t>("select $1::int4", std::int32_t{7}) ==
                      7);
                auto in_caller = co_await p.run([&](connection& c) -> awaitable<bool> {
                    co_await c.execute("begin"); // left open: rolled back on return
                    co_return (co_await asio::this_coro::executor) == ex;
                });
                CHECK(in_caller == (hint == 1));
                {
                    auto held = co_await p.acquire();
                    CHECK((held.get_executor() == ex) == (hint == 1));
                    CHECK(held->transaction_status() == 'I');
                }
                CHECK(p.stats().rollbacks == 1);
                co_await p.close();
            },
            hint);
    }
}

TEST_CASE("pool: explicit release, release order, move assignment and destructor") {
    run([]() -> awaitable<void> {
        pool_options o;
        o.max_size = 2;
        pool p(co_await asio::this_coro::executor, test_url(), o);
        auto a = co_await p.acquire();
        auto b = co_await p.acquire();
        auto pid_a = a->backend_pid();
        auto pid_b = b->backend_pid();
        CHECK(pid_a != pid_b);
        CHECK(p.stats().in_use == 2);

        // b first, then a: the last returned is handed out first.
        b.release();
        CHECK_FALSE(b);
        b.release(); // nothing happens on an empty handle
        a.release();
        co_await settle(p, [](const pool_stats& s) { return s.idle == 2; });
        auto again = co_await p.acquire();
        CHECK(again->backend_pid() == pid_a);

        // Assigning over a held handle returns the old connection.
        again = co_await p.acquire();
        CHECK(again->backend_pid() == pid_b);
        co_await settle(p, [](const pool_stats& s) { return s.idle == 1 && s.in_use == 1; });
        {
            auto moved = std::move(again);
            CHECK_FALSE(again);
            CHECK(moved);
            CHECK(p.stats().in_use == 1);
        } // the destructor returns it
        co_await settle(p, [](const pool_stats& s) { return s.idle == 2; });
        CHECK(p.stats().in_use == 0);
        CHECK(p.stats().created == 2);
        co_await p.close();
    });
}

TEST_CASE("pool: a connection returned inside a transaction is rolled back before reuse") {
    run([]() -> awaitable<void> {
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        std::int32_t pid = 0;
        {
            auto c = co_await p.acquire();
            pid = c->backend_pid();
            co_await c->execute("begin");
            co_await c->execute("create table pool_left_open (x int)");
            co_await c->execute("set local application_name = 'left-open'");
            CHECK(c->transaction_status() == 'T');
        }
        {
            auto c = co_await p.acquire();
            CHECK(c->backend_pid() == pid); // the same session, reset
            CHECK(c->transaction_status() == 'I');
            CHECK_FALSE(co_await c->query_value<std::optional<std::string>>(
                "select to_regclass('pool_left_open')::text"));
            CHECK(co_await c->query_value<std::string>("show application_name") != "left-open");
            // A failed transaction block ('E') too.
            co_await c->execute("begin");
            CHECK_THROWS_AS(co_await c->execute("select 1/0"), error);
            CHECK(c->transaction_status() == 'E');
        }
        auto c = co_await p.acquire();
        CHECK(c->backend_pid() == pid);
        CHECK(c->transaction_status() == 'I');
        CHECK(co_await c->query_value<std::int32_t>("select 1") == 1);
        c.release();
        CHECK(p.stats().rollbacks == 2);
        CHECK(p.stats().discarded == 0);
        co_await p.close();
    });
}

TEST_CASE("pool: the next user gets none of the handlers and limits the last one set") {
    run([]() -> awaitable<void> {
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        int stale_notices = 0, stale_notifications = 0;
        std::int32_t pid = 0;
        {
            auto c = co_await p.acquire();
            pid = c->backend_pid();
            c->set_notice_handler([&](const server_diagnostics&) { ++stale_notices; });
            c->set_notification_handler([&](notification&&) { ++stale_notifications; });
            c->set_query_timeout(1ms);
            c->set_max_in_flight(1);
            co_await c->execute("listen pool_reset");
        }
        auto c = co_await p.acquire();
        CHECK(c->backend_pid() == pid); // the same session
        co_await c->execute("do $$ begin raise notice 'for the new user'; end $$");
        co_await c->execute("notify pool_reset, 'still listened to'");
        co_await c->execute("select pg_sleep(0.05)"); // no 1 ms timeout left over
        CHECK(stale_notices == 0);
        CHECK(stale_notifications == 0);
        c.release();
        co_await p.close();
    });
}

TEST_CASE("pool: pool.run returns the connection rolled back when f throws") {
    run([]() -> awaitable<void> {
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
        CHECK_THROWS_WITH_AS(co_await p.run([](connection& c) -> awaitable<void> {
            co_await c.execute("begin");
            co_await c.execute("create table pool_run_throws (x int)");
            throw std::runtime_error("boom");
        }),
                             "boom", std::runtime_error);
        CHECK(co_await p.query_value<std::int32_t>("select pg_backend_pid()") == pid);
        CHECK_FALSE(co_await p.query_value<std::optional<std::string>>(
            "select to_regclass('pool_run_throws')::text"));
        // A server error inside f propagates the same way.
        CHECK_THROWS_AS(co_await p.run([](connection& c) { return c.execute("select nope"); }),
                        error);
        CHECK(p.stats().rollbacks == 1);
        CHECK(p.stats().in_use == 0);
        co_await p.close();
    });
}

TEST_CASE("pool: broken connections and those that saw 25006 are discarded on return") {
    run([]() -> awaitable<void> {
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        std::int32_t pid = 0;
        {
            auto c = co_await p.acquire();
            pid = c->backend_pid();
            co_await terminate_backend(pid);
            CHECK_THROWS_AS(co_await c->execute("select 1"), error);
            CHECK_FALSE(c->is_open());
        }
        std::int32_t second = 0;
        {
            auto c = co_await p.acquire();
            second = c->backend_pid();
            CHECK(second != pid);
            CHECK(c->is_open());
            co_await c->execute("set default_transaction_read_only = on");
            try {
                co_await c->execute("create table pool_read_only (x int)");
                FAIL("a read-only session created a table");
            } catch (const error& e) {
                CHECK(e.sqlstate() == "25006");
            }
        }
        auto c = co_await p.acquire();
        CHECK(c->backend_pid() != second);
        CHECK(co_await c->query_value<std::string>("show default_transaction_read_only") == "off");
        c.release();
        CHECK(p.stats().discarded == 2);
        CHECK(p.stats().created == 3);
        co_await p.close();
    });
}

TEST_CASE("pool: an idle connection killed on the server is not handed out") {
    run([]() -> awaitable<void> {
        for (auto check_after : {0ms, std::chrono::milliseconds::max()}) {
            CAPTURE(check_after.count());
            auto o = one_connection();
            o.health_check_after = check_after;
            pool p(co_await asio::this_coro::executor, test_url(), o);
            auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
            co_await terminate_backend(pid);
            // Without the empty query, the closed socket alone gives it away: wait until the
            // connection has read the server's goodbye.
            if (check_after != 0ms) co_await settle_for(50ms);
            auto c = co_await p.acquire();
            CHECK(c->backend_pid() != pid);
            CHECK(co_await c->query_value<std::int32_t>("select 1") == 1);
            c.release();
            CHECK(p.stats().discarded == 1);
            co_await p.close();
        }
    });
}

TEST_CASE("pool: exhaustion names the load") {
    run([]() -> awaitable<void> {
        auto o = one_connection();
        o.acquire_timeout = 200ms;
        pool p(co_await asio::this_coro::executor, test_url(), o);
        auto held = co_await p.acquire();
        try {
            co_await p.acquire();
            FAIL("acquired from an exhausted pool");
        } catch (const error& e) {
            CHECK(e.code() == errc::pool_exhausted);
            std::string what = e.what();
            CAPTURE(what);
            CHECK(what.starts_with("acquire gave up after 2"));
            CHECK(what.find(" ms: 1 of 1 connection checked out (the longest for ") !=
                  std::string::npos);
            CHECK(what.ends_with("), 0 other acquires waiting: connection pool exhausted"));
        }
        CHECK(p.stats().timeouts == 1);
        CHECK(p.stats().created == 1);
        held.release();
        co_await p.close();
    });
}

TEST_CASE("pool: max_waiters bounds the queue of acquires") {
    run([]() -> awaitable<void> {
        auto o = one_connection();
        o.max_waiters = 2;
        pool p(co_await asio::this_coro::executor, test_url(), o);
        auto held = co_await p.acquire();
        int served = 0;
        auto patient = [&]() -> awaitable<void> {
            auto c = co_await p.acquire();
            ++served;
        };
        auto ex = co_await asio::this_coro::executor;
        asio::co_spawn(ex, patient(), asio::detached);
        asio::co_spawn(ex, patient(), asio::detached);
        co_await settle(p, [](const pool_stats& s) { return s.waiters == 2; });
        try {
            co_await p.acquire();
            FAIL("a third acquire was queued");
        } catch (const error& e) {
            CHECK(e.code() == errc::pool_exhausted);
            std::string what = e.what();
            CAPTURE(what);
            CHECK(what.starts_with("acquire refused at once: 2 acquires waiting already "
                                   "(max_waiters = 2), 1 of 1 connection checked out (the "
                                   "longest for "));
            CHECK(what.ends_with(": connection pool exhausted"));
        }
        CHECK(p.stats().rejected == 1);
        held.release(); // both waiters are served in turn
        co_await settle(p, [&](const pool_stats& s) { return served == 2 && s.idle == 1; });
        CHECK(served == 2);
        CHECK(p.stats().acquire_waits == 3);
        co_await p.close();
    });
}

TEST_CASE("pool: max_waiters = 0 opens connections but never waits for one to come back") {
    run([]() -> awaitable<void> {
        auto o = one_connection();
        o.max_waiters = 0;
        pool p(co_await asio::this_coro::executor, test_url(), o);
        // Nothing is idle yet, but the pool has room: the acquire waits for the connect.
        auto held = co_await p.acquire();
        CHECK(co_await held->query_value<std::int32_t>("select 1") == 1);
        try {
            co_await p.acquire();
            FAIL("an acquire waited with max_waiters = 0");
        } catch (const error& e) {
            CHECK(e.code() == errc::pool_exhausted);
            CHECK(std::string(e.what()).starts_with(
                "acquire refused at once: 0 acquires waiting already (max_waiters = 0), 1 of 1 "
                "connection checked out"));
        }
        CHECK(p.stats().rejected == 1);
        held.release();
        CHECK(co_await p.query_value<std::int32_t>("select 2") == 2);
        CHECK(p.stats().created == 1);
        co_await p.close();
    });
}

TEST_CASE("pool: a cancelled acquire leaves the queue") {
    run([]() -> awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        pool p(co_await asio::this_coro::executor, test_url(), one_connection());
        auto held = co_await p.acquire();
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        auto first = co_await (p.acquire() || timer.async_wait(asio::use_awaitable));
        CHECK(first.index() == 1);
        CHECK(p.stats().waiters == 0);
        CHECK(p.stats().timeouts == 0);
        held.release();
        auto again = co_await p.acquire();
        CHECK(again);
        again.release();
        co_await p.close();
    });
}

TEST_CASE("pool: an acquire by a coroutine already cancelled gets no connection, losing none") {
    // The idle connection was just returned, so it needs no health query: the acquire must still
    // see the cancellation (the caller lets co_await go on while cancelled) and put the
    // connection back. On one thread it is judged in the acquiring coroutine, with more (hint 2)
    // on the connection's strand.
    for (int hint : {1, 2}) {
        CAPTURE(hint);
        run(
            [&]() -> awaitable<void> {
                auto ex = co_await asio::this_coro::executor;
                pool p(ex, test_url(), one_connection());
                co_await p.execute("select 1");
                co_await settle(p, [](const pool_stats& s) { return s.idle == 1; });
                asio::cancellation_signal cancel;
                auto cancelled_acquire = [&]() -> awaitable<void> {
                    // Else the co_await of acquire() itself would throw operation_aborted.
                    co_await asio::this_coro::throw_if_cancelled(false);
                    asio::steady_timer until_cancelled(ex, 10s);
                    co_await until_cancelled.async_wait(
                        asio::experimental::as_tuple(asio::use_awaitable));
                    auto c = co_await p.acquire();
                    FAIL("acquired although cancelled");
                };
                asio::steady_timer cancel_at(ex, 10ms);
                cancel_at.async_wait(
                    [&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
                try {
                    co_await asio::co_spawn(
                        ex, cancelled_acquire(),
                        asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
                    FAIL("acquired although cancelled");
                } catch (const error& e) {
                    CHECK(e.code() == errc::cancelled);
                }
                auto s = p.stats();
                CHECK(s.idle == 1);
                CHECK(s.in_use == 0);
                CHECK(s.acquires == 1);
                CHECK(co_await p.query_value<std::int32_t>("select 7") == 7);
                co_await p.close();
            },
            hint);
    }
}

TEST_CASE("pool: an acquire cancelled during the health check ends cancelled, losing nothing") {
    // The idle connection's backend is stopped, so the empty query that checks it stalls; the
    // acquire is cancelled 50 ms in, and the backend resumes (or dies) at 300 ms. On one thread
    // the check runs in the acquiring coroutine, with more (hint 2) on the connection's strand.
    if (!have_cluster()) return;
    for (int hint : {1, 2}) {
        for (bool backend_dies : {false, true}) {
            CAPTURE(hint);
            CAPTURE(backend_dies);
            run(
                [&]() -> awaitable<void> {
                    auto ex = co_await asio::this_coro::executor;
                    auto o = one_connection();
                    o.health_check_after = 0ms;
                    o.acquire_timeout = 5s;
                    pool p(ex, test_url(), o);
                    auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
                    co_await settle(p, [](const pool_stats& s) { return s.idle == 1; });
                    REQUIRE(signal_backend(pid, "STOP") == 0);
                    asio::cancellation_signal cancel;
                    asio::steady_timer cancel_at(ex, 50ms);
                    cancel_at.async_wait(
                        [&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
                    asio::steady_timer resume_at(ex, 300ms);
                    resume_at.async_wait([&](std::error_code) {
                        if (backend_dies) signal_backend(pid, "TERM");
                        signal_backend(pid, "CONT");
                    });
                    auto start = std::chrono::steady_clock::now();
                    try {
                        auto c = co_await asio::co_spawn(
                            ex, p.acquire(),
                            asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
                        FAIL("acquired although cancelled");
                    } catch (const error& e) {
                        CHECK(e.code() == errc::cancelled);
                    }
                    // The check ran to its end before the acquire gave up.
                    CHECK(std::chrono::steady_clock::now() - start >= 250ms);
                    co_await settle(p, [&](const pool_stats& s) {
                        return s.in_use == 0 && s.waiters == 0 && s.pending == 0 &&
                               s.idle == (backend_dies ? 0u : 1u);
                    });
                    CHECK(p.stats().discarded == (backend_dies ? 1u : 0u));
                    // The pool serves on: with the same connection if it survived.
                    auto next = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
                    CHECK((next == pid) == !backend_dies);
                    co_await p.close();
                },
                hint);
        }
    }
}

TEST_CASE("pool: the server unreachable is told apart from the load") {
    run([]() -> awaitable<void> {
        pool_options o;
        o.acquire_timeout = 300ms;
        o.reconnect_backoff_initial = 20ms;
        // Nothing listens on port 1.
        pool p(co_await asio::this_coro::executor,
               "host=127.0.0.1 port=1 user=nobody dbname=nothing sslmode=disable", o);
        try {
            co_await p.acquire();
            FAIL("connected to port 1");
        } catch (const error& e) {
            CHECK(e.code() == errc::server_unreachable);
            std::string what = e.what();
            CAPTURE(what);
            CHECK(what.starts_with("acquire gave up after "));
            CHECK(what.find("failed in a row, the last: ") != std::string::npos);
            CHECK(what.find("127.0.0.1") != std::string::npos);
            CHECK(what.find("refused") != std::string::npos);
        }
        auto s = p.stats();
        CHECK(s.connect_failures >= 2); // retried with backoff while the acquire waited
        CHECK(s.created == 0);
        CHECK(s.timeouts == 1);
        co_await p.close(); // stops the retries
        CHECK(p.stats().size == 0);
    });
}

TEST_CASE("pool: close rejects acquires, fails waiters and waits for checked-out connections") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        pool p(ex, test_url(), one_connection());
        auto held = co_await p.acquire();
        std::optional<std::error_code> waiter_failed;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                try {
                    co_await p.acquire();
                } catch (const error& e) {
                    waiter_failed = e.code();
                }
            },
            asio::detached);
        co_await settle(p, [](const pool_stats& s) { return s.waiters == 1; });
        bool closed = false;
        close_in_background(ex, p, closed);
        co_await settle(p, [&](const pool_stats&) { return waiter_failed.has_value(); });
        CHECK(waiter_failed == make_error_code(errc::pool_closed));
        try {
            co_await p.acquire();
            FAIL("acquired from a closed pool");
        } catch (const error& e) {
            CHECK(e.code() == errc::pool_closed);
            CHECK(std::string(e.what()) == "acquire on a closed pool: connection pool closed");
        }
        // The held connection still works; close() waits for it.
        CHECK(co_await held->query_value<std::int32_t>("select 1") == 1);
        co_await settle_for(20ms);
        CHECK_FALSE(closed);
        held.release();
        co_await settle(p, [&](const pool_stats&) { return closed; });
        CHECK(closed);
        CHECK(p.stats().size == 0);
        CHECK(p.stats().discarded == 1);
        co_await p.close(); // again: returns at once
    });
}

TEST_CASE("pool: close completes while an idle connection's server does not answer") {
    // The idle connection's backend is stopped (a hung server, a network partition): closing
    // it has nothing in flight to wait for, so close() must not wait for an answer.
    if (!have_cluster()) return;
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        pool p(ex, test_url(), one_connection());
        auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
        co_await settle(p, [](const pool_stats& s) { return s.idle == 1; });
        REQUIRE(signal_backend(pid, "STOP") == 0);
        bool closed = false;
        close_in_background(ex, p, closed);
        for (int i = 0; i < 500 && !closed; ++i)
            co_await settle_for(10ms);
        bool closed_while_stopped = closed;
        signal_backend(pid, "CONT");
        CHECK(closed_while_stopped);
        co_await settle(p, [&](const pool_stats&) { return closed; });
    });
}

TEST_CASE("pool: an acquire still checking a connection when the pool closes fails") {
    // close() fails every acquire under way: one whose health check was running when the pool
    // closed must not hand out a connection of the closed pool. The backend is stopped, so the
    // check stalls; the pool closes 50 ms in and the backend resumes at 300 ms. On one thread
    // the check runs in the acquiring coroutine, with more (hint 2) on the connection's strand.
    if (!have_cluster()) return;
    for (int hint : {1, 2}) {
        CAPTURE(hint);
        run(
            [&]() -> awaitable<void> {
                auto ex = co_await asio::this_coro::executor;
                auto o = one_connection();
                o.health_check_after = 0ms;
                pool p(ex, test_url(), o);
                auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
                co_await settle(p, [](const pool_stats& s) { return s.idle == 1; });
                REQUIRE(signal_backend(pid, "STOP") == 0);
                bool closed = false;
                asio::steady_timer close_at(ex, 50ms);
                close_at.async_wait([&](std::error_code) { close_in_background(ex, p, closed); });
                asio::steady_timer resume_at(ex, 300ms);
                resume_at.async_wait([&](std::error_code) { signal_backend(pid, "CONT"); });
                std::optional<std::error_code> failed;
                try {
                    auto c = co_await p.acquire(); // returned at once if it was handed out
                } catch (const error& e) {
                    failed = e.code();
                }
                co_await settle(p, [&](const pool_stats&) { return closed; });
                CHECK(failed == make_error_code(errc::pool_closed));
                CHECK(p.stats().size == 0);
                CHECK(p.stats().acquires == 1);
            },
            hint);
    }
}

TEST_CASE("pool: a query whose backend is terminated under it fails; the pool goes on") {
    run([]() -> awaitable<void> {
        auto o = one_connection();
        o.max_size = 2;
        pool p(co_await asio::this_coro::executor, test_url(), o);
        auto first = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
        try {
            co_await p.execute("select pg_terminate_backend(pg_backend_pid())");
            FAIL("expected connection_closed");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
        }
        for (int i = 0; i < 3; ++i) {
            auto pid = co_await p.query_value<std::int32_t>("select pg_backend_pid()");
            CHECK(pid != first);
        }
        CHECK(p.stats().discarded == 1);
        CHECK(p.stats().created == 2);
        co_await p.close();
    });
}
