// Explicit prepared statements, batches under one Sync, and the bound on requests in flight.
#include "support/server.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

TEST_CASE("prepared statements: typed and inferred parameters, checked arguments, deallocate") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        auto add = co_await c.prepare<std::int64_t, std::int64_t>("select $1 + $2");
        CHECK(add.param_types == std::vector<oid_t>{oid::int8, oid::int8});
        CHECK(co_await c.query_value<std::int64_t>(add, std::int64_t{40}, std::int64_t{2}) == 42);

        auto inferred = co_await c.prepare("select $1::int4 * 2, $2::text");
        CHECK(inferred.param_types == std::vector<oid_t>{oid::int4, oid::text});
        auto [doubled, text] = co_await c.query_one<std::tuple<std::int32_t, std::string>>(
            inferred, std::int32_t{21}, "x");
        CHECK(doubled == 42);
        CHECK(text == "x");
        try {
            co_await c.query(inferred, std::int64_t{1}, "x");
            FAIL("an int8 argument for an int4 parameter must be refused");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
            CHECK(std::string(e.what()).find("parameter $1") != std::string::npos);
        }
        try {
            co_await c.query(inferred, std::int32_t{1});
            FAIL("a missing argument must be refused");
        } catch (const error& e) {
            CHECK(e.code() == errc::type_mismatch);
        }
        co_await c.deallocate(add);
        try {
            co_await c.query(add, std::int64_t{1}, std::int64_t{2});
            FAIL("a deallocated statement is gone");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "26000");
        }
        co_await c.close();
    });
}

TEST_CASE("a batch runs under one Sync and fails as a unit") {
    for (auto extra : {"", "statement_cache_size=0"}) {
        CAPTURE(extra);
        run([extra]() -> awaitable<void> {
            auto c = co_await connect_test(extra);
            co_await c.execute("drop table if exists q_batch");
            co_await c.execute("create table q_batch (id int primary key, name text)");
            batch b;
            for (std::int32_t i = 0; i < 5; ++i)
                b.add("insert into q_batch values ($1, $2)", i, "n");
            b.add("select count(*) from q_batch")
                .add("select id, name from q_batch where id = $1", std::int32_t{3});
            auto results = co_await c.run(b);
            REQUIRE(results.size() == 7);
            CHECK(results[0].rows_affected() == 1);
            CHECK(results[5][0].get<std::int64_t>(0) == 5);
            CHECK(results[6][0].get<std::string>("name") == "n");

            batch failing;
            failing.add("insert into q_batch values ($1, 'a')", std::int32_t{10})
                .add("insert into q_batch values ($1, 'b')", std::int32_t{1}); // duplicate key
            try {
                co_await c.run(failing);
                FAIL("expected the duplicate key");
            } catch (const error& e) {
                CHECK(e.sqlstate() == "23505");
            }
            // The implicit transaction rolled back the first insert too.
            CHECK(co_await c.query_value<std::int64_t>("select count(*) from q_batch") == 5);
            co_await c.execute("drop table q_batch");
            co_await c.close();
        });
    }
}

TEST_CASE("a batch repeats and alternates statements; its results outlive each other") {
    // Cached (and a cache smaller than the batch's statements), and unnamed statements.
    for (auto extra : {"", "statement_cache_size=2", "statement_cache_size=0"}) {
        CAPTURE(std::string(extra));
        run([extra]() -> awaitable<void> {
            auto c = co_await connect_test(extra);
            batch b;
            for (std::int32_t i = 0; i < 3; ++i) {
                b.add("select $1::int4 * 10 as tens", i)          // repeated, then alternating
                    .add("select $1::int8 as n", std::int64_t{i}) // another statement
                    .add("select $1::int8 as n", i); // the same SQL with int4: another still
            }
            b.add("select 'x' where false");
            std::vector<result> results = co_await c.run(b);
            REQUIRE(results.size() == 10);
            result last = results[9];
            result tens = results[6];
            auto moved = std::move(results);
            for (std::int32_t i = 0; i < 3; ++i) {
                CHECK(moved[3 * i][0].get<std::int32_t>("tens") == i * 10);
                CHECK(moved[3 * i + 1][0].get<std::int64_t>("n") == i);
                CHECK(moved[3 * i + 2][0].get<std::int64_t>("n") == i);
            }
            moved.clear();
            CHECK(last.empty());
            CHECK(last.command_tag() == "SELECT 0");
            CHECK(tens[0].get<std::int32_t>(0) == 20);
            // The statements stay usable after the batch (none was closed under it).
            CHECK(co_await c.query_value<std::int64_t>("select $1::int8 as n", 7) == 7);
            co_await c.close();
        });
    }
}

TEST_CASE("a batch's statements survive other coroutines' queries evicting from the cache") {
    // While the batch prepares its statements one round trip at a time, the other coroutine's
    // new statements are prepared in between and evict from a cache of 2: a statement the
    // batch had prepared but not yet bound must not be closed under it (it failed with 26000).
    run([]() -> awaitable<void> {
        auto c = co_await connect_test("statement_cache_size=2");
        auto run_batch = [&]() -> awaitable<std::int64_t> {
            batch b;
            for (std::int32_t k = 0; k < 4; ++k)
                b.add("select $1::int4 + " + std::to_string(k) + " as batch_value", k);
            std::int64_t sum = 0;
            for (auto& r : co_await c.run(b))
                sum += r[0].get<std::int32_t>(0);
            co_return sum;
        };
        auto run_others = [&]() -> awaitable<std::int64_t> {
            std::int64_t sum = 0;
            for (std::int32_t k = 0; k < 8; ++k)
                sum += co_await c.query_value<std::int32_t>(
                    "select $1::int4 * " + std::to_string(k + 2) + " as other_value", k);
            co_return sum;
        };
        auto [batch_sum, others_sum] = co_await (run_batch() && run_others());
        CHECK(batch_sum == 0 + 2 + 4 + 6);
        CHECK(others_sum == 0 * 2 + 1 * 3 + 2 * 4 + 3 * 5 + 4 * 6 + 5 * 7 + 6 * 8 + 7 * 9);
        // What the cache holds still works, and once the statements are no longer in use it is
        // back within its size: the server keeps just the 2 it holds.
        CHECK(co_await c.query_value<std::int32_t>("select $1::int4 + 3 as batch_value", 1) == 4);
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from pg_prepared_statements") ==
              2);
        co_await c.close();
    });
}

TEST_CASE("a batch whose cached statement the server invalidated or dropped") {
    // The same recovery as a single query's: the statement is prepared again and the batch
    // retried once (outside a transaction); at the very least the next run must not fail.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temp table pb_stale (a int4)");
        co_await c.execute("insert into pb_stale values (1)");
        batch b;
        b.add("select * from pb_stale");
        b.add("select $1::int4 + 1", std::int32_t{1});
        CHECK((co_await c.run(b))[0].columns().size() == 1);
        co_await c.execute("alter table pb_stale add column b int4 default 2");
        std::string first_error;
        try {
            auto r = co_await c.run(b);
            CHECK(r[0].columns().size() == 2);
        } catch (const error& e) {
            first_error = e.what();
        }
        CHECK(first_error == "");
        std::string second_error;
        try {
            auto r = co_await c.run(b);
            CHECK(r[0].columns().size() == 2);
            CHECK(r[1][0].get<std::int32_t>(0) == 2);
        } catch (const error& e) {
            second_error = e.what();
        }
        CHECK(second_error == "");

        co_await c.execute("deallocate all");
        std::string after_deallocate;
        try {
            auto r = co_await c.run(b);
            CHECK(r[1][0].get<std::int32_t>(0) == 2);
        } catch (const error& e) {
            after_deallocate = e.what();
        }
        CHECK(after_deallocate == "");
        std::string again;
        try {
            co_await c.run(b);
        } catch (const error& e) {
            again = e.what();
        }
        CHECK(again == "");
        co_await c.close();
    });
}

TEST_CASE("max_in_flight bounds the pipeline without losing requests") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        c.set_max_in_flight(4);
        auto ex = co_await asio::this_coro::executor;
        int done = 0, ok = 0;
        for (int i = 0; i < 200; ++i)
            asio::co_spawn(
                ex,
                [&, i]() -> awaitable<void> {
                    if (co_await c.query_value<std::int32_t>("select $1::int4", std::int32_t{i}) ==
                        i)
                        ++ok;
                    ++done;
                },
                asio::detached);
        asio::steady_timer t(ex);
        while (done < 200) {
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
        CHECK(ok == 200);
        co_await c.close();
    });
}

TEST_CASE("a request cancelled while it waits for a pipeline slot is never sent") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        co_await c.execute("create temp table never_sent (x int)");
        c.set_max_in_flight(1);
        auto ex = co_await asio::this_coro::executor;
        bool slow_done = false;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                co_await c.execute("select pg_sleep(1)");
                slow_done = true;
            },
            asio::detached);
        asio::cancellation_signal cancel;
        asio::steady_timer cancel_at(ex, 100ms);
        cancel_at.async_wait(
            [&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
        auto started = std::chrono::steady_clock::now();
        try {
            co_await asio::co_spawn(
                ex, c.execute("insert into never_sent values (1)"),
                asio::bind_cancellation_slot(cancel.slot(), asio::use_awaitable));
            FAIL("the insert ran although cancelled");
        } catch (const error& e) {
            CHECK(e.code() == errc::cancelled);
            CHECK(std::string(e.what()).starts_with("query cancelled before it was sent"));
        }
        // It left at once, without waiting for the slot, and the insert never ran.
        CHECK(std::chrono::steady_clock::now() - started < 500ms);
        CHECK_FALSE(slow_done);
        CHECK(co_await c.query_value<std::int64_t>("select count(*) from never_sent") == 0);
        CHECK(slow_done);
        co_await c.close();
    });
}
