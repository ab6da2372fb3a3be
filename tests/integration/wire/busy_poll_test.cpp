// busy_poll: the reader polls the socket while requests await answers (not with TLS: the test
// server offers it, so these tests disable it where the reader must poll). Polling must read the
// same answers as sleeping, let everything else on the io_context run meanwhile, and end with a
// clear error when the server goes away or cancels the query.
#include "support/server.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <ctime>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {
constexpr const char* polling_60s = "sslmode=disable&busy_poll=60000000";

// 100 pipelined queries from as many coroutines, and one that outlasts a short budget.
awaitable<void> answers_on(connection& c) {
    auto ex = co_await asio::this_coro::executor;
    int right = 0, finished = 0;
    for (int i = 0; i < 100; ++i) {
        asio::co_spawn(
            ex,
            [&, i]() -> awaitable<void> {
                right += co_await c.query_value<std::int32_t>("select $1::int4 * 2", i) == 2 * i;
                ++finished;
            },
            asio::detached);
    }
    CHECK(co_await c.query_value<std::string>("select 'slept' from pg_sleep(0.05)") == "slept");
    asio::steady_timer t(ex);
    while (finished < 100) {
        t.expires_after(1ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    CHECK(right == 100);
}

// A slow query run in a coroutine of its own, and how it ended.
struct slow_query {
    bool finished = false;
    std::error_code code;
    std::string message;

    // Sends `sql` as the answer to a first query is read, as a loop of queries sends them: that
    // is when the reader decides whether to poll.
    void start(connection& c, const asio::any_io_executor& ex, std::string sql) {
        asio::co_spawn(
            ex,
            [this, &c, sql = std::move(sql)]() -> awaitable<void> {
                try {
                    co_await c.query_value<std::int32_t>("select 1");
                    co_await c.execute(sql);
                } catch (const error& e) {
                    code = e.code();
                    message = e.what();
                }
                finished = true;
            },
            asio::detached);
    }

    awaitable<void> wait(std::chrono::milliseconds limit = 5000ms) {
        asio::steady_timer t(co_await asio::this_coro::executor);
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!finished) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            t.expires_after(5ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    }
};

awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The CPU time this thread spends in 200 ms of a 0.3 s query on `c`.
awaitable<std::chrono::nanoseconds> cpu_while_waiting(connection& c) {
    slow_query q;
    q.start(c, co_await asio::this_coro::executor, "select pg_sleep(0.3)");
    co_await sleep_for(50ms); // the first query is answered
    auto before = thread_cpu_time();
    co_await sleep_for(200ms);
    auto spent = thread_cpu_time() - before;
    co_await q.wait();
    CHECK_FALSE(q.code);
    co_return spent;
}
} // namespace

TEST_CASE("busy_poll: the reader polls while a query runs, within its budget; 0 sleeps") {
    run([]() -> awaitable<void> {
        auto polling = co_await connect_test(polling_60s);
        auto polled = co_await cpu_while_waiting(polling);
        auto sleeping = co_await connect_test("sslmode=disable&busy_poll=0");
        auto slept = co_await cpu_while_waiting(sleeping);
        auto short_budget = co_await connect_test("sslmode=disable&busy_poll=1000");
        auto short_polled = co_await cpu_while_waiting(short_budget);
        MESSAGE("CPU in 200 ms of waiting: polling ", polled.count() / 1000, " us, sleeping ",
                slept.count() / 1000, " us, 1 ms budget ", short_polled.count() / 1000, " us");
        // Polling keeps the thread busy; a sleeping reader, or one past its 1 ms, does not.
        CHECK(polled > 20ms);
        CHECK(slept < 10ms);
        CHECK(short_polled < 10ms);
        co_await polling.close();
        co_await sleeping.close();
        co_await short_budget.close();
    });
}

TEST_CASE("busy_poll: polled answers are the ones a sleeping reader gets") {
    run([]() -> awaitable<void> {
        for (const char* setting : {"sslmode=disable&busy_poll=0", "sslmode=disable&busy_poll=10",
                                    "sslmode=disable&busy_poll=1000000", "busy_poll=1000000"}) {
            CAPTURE(setting);
            auto c = co_await connect_test(setting);
            co_await answers_on(c);
            co_await c.close();
        }
    });
}

TEST_CASE("busy_poll: while the reader polls, other work runs; a killed backend fails clearly") {
    run([]() -> awaitable<void> {
        auto victim = co_await connect_test(polling_60s);
        auto admin = co_await connect_test();
        slow_query q;
        q.start(victim, co_await asio::this_coro::executor, "select pg_sleep(30)");
        // Timers and another connection on this thread go on while the victim's reader polls.
        co_await sleep_for(100ms);
        CHECK(co_await admin.query_value<bool>("select pg_terminate_backend($1)",
                                               victim.backend_pid()));
        co_await q.wait();
        CHECK(q.code == errc::connection_closed);
        CHECK(q.message.find("terminating connection due to administrator command") !=
              std::string::npos);
        CHECK_FALSE(victim.is_open());
        co_await admin.close();
    });
}

TEST_CASE("busy_poll: a query cancelled while the reader polls fails with 57014") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test(polling_60s);
        slow_query q;
        q.start(c, co_await asio::this_coro::executor, "select pg_sleep(30)");
        co_await sleep_for(100ms);
        co_await c.cancel();
        co_await q.wait();
        CHECK(q.code == errc::server_error);
        CHECK(q.message.find("57014") != std::string::npos);
        CHECK(co_await c.query_value<std::int32_t>("select 7") == 7); // still usable
        co_await c.close();
    });
}
