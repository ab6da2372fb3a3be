// LISTEN/NOTIFY through a listener: order across a killed backend and its reconnect, queries on
// the listener's own session, channel names that need quoting, cancellation, close, and an
// unreachable server.
#include "support/cluster_control.hpp"
#include "support/server.hpp"

#include <turbopg/wire/listener.hpp>
#include <turbopg/wire/logger.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <optional>
#include <vector>

#include <unistd.h>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

awaitable<listener> listener_test(listener_options options = {}) {
    co_return co_await listener::connect(co_await asio::this_coro::executor, test_url(), options);
}

awaitable<notification> next_notification(listener& l) {
    auto event = co_await l.next();
    REQUIRE(std::holds_alternative<notification>(event));
    co_return std::get<notification>(std::move(event));
}

// Waits until `done()` holds; `wake` is cancelled by whoever changes what done() reads. Fails
// the test instead of hanging when nothing happens for a long time (a lost notification).
template <class Done>
awaitable<void> wait_for(asio::steady_timer& wake, Done done) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done()) {
        REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "nothing happened for 60 s");
        wake.expires_after(20ms);
        co_await wake.async_wait(as_tuple);
    }
}

// Counts the listener's failed reconnect attempts, which it logs at warn level.
struct failed_attempts final : log_sink {
    std::atomic<int> count{0};
    bool enabled(log_level level) const noexcept override { return level >= log_level::warn; }
    void log(log_level, std::string_view message) override {
        if (message.find("reconnect attempt") != std::string_view::npos) ++count;
    }
};

// Lets coroutines that were just spawned run until they suspend.
awaitable<void> let_others_run() {
    for (int i = 0; i < 3; ++i)
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}
} // namespace

TEST_CASE("10,000 notifications arrive in order across a killed backend, none duplicated") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        listener_options options;
        options.reconnect_delay = 20ms;
        auto l = co_await listener_test(options);
        co_await l.listen("turbopg_seq");
        co_await l.listen("turbopg_seq_other");
        auto sender = co_await connect_test();
        co_await sender.execute("set synchronous_commit = off");

        constexpr int total = 10000, kill_after = 5000;
        int last = -1, received = 0, out_of_order = 0, reconnects = 0;
        std::string reason;
        asio::steady_timer progress(ex);
        bool consumer_done = false;
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
                while (last < total - 1) {
                    auto event = co_await l.next();
                    if (auto* n = std::get_if<notification>(&event)) {
                        int v = std::stoi(n->payload);
                        if (v != last + 1) ++out_of_order;
                        last = v;
                        ++received;
                    } else {
                        ++reconnects;
                        reason = std::get<reconnected>(event).reason;
                    }
                    progress.cancel();
                }
            },
            [&](std::exception_ptr e) {
                consumer_done = true;
                progress.cancel();
                if (e) std::rethrow_exception(e);
            });

        auto old_pid = l.connection().backend_pid();
        bool killed_once = false;
        for (int i = 0; i < total;) {
            co_await sender.execute("select pg_notify('turbopg_seq', $1)", std::to_string(i));
            if (++i == kill_after && !killed_once) {
                killed_once = true;
                auto killed =
                    co_await sender.query_value<bool>("select pg_terminate_backend($1)", old_pid);
                CHECK(killed);
                co_await wait_for(progress, [&] { return reconnects > 0; });
                // The reconnected event comes after every notification of the old session, so
                // `last` is final: what was sent after it is lost, and is sent again.
                i = last + 1;
            }
        }
        co_await wait_for(progress, [&] { return consumer_done; });
        CHECK(received == total);
        CHECK(last == total - 1);
        CHECK(out_of_order == 0);
        CHECK(reconnects == 1);
        CHECK(reason.find("57P01") != std::string::npos);
        CHECK(l.connection().is_open());
        CHECK(l.connection().backend_pid() != old_pid);

        // Every channel was listened to again.
        co_await sender.execute("select pg_notify('turbopg_seq_other', 'again')");
        auto n = co_await next_notification(l);
        CHECK(n.channel == "turbopg_seq_other");
        CHECK(n.payload == "again");
        co_await sender.close();
        co_await l.close();
    });
}

TEST_CASE("notifications arrive while queries run on the listener's own session") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto l = co_await listener_test();
        co_await l.listen("turbopg_busy");
        auto sender = co_await connect_test();

        constexpr int queries = 300, notifications = 300;
        int answered = 0, wrong = 0;
        asio::steady_timer progress(ex);
        for (int i = 0; i < queries; ++i)
            asio::co_spawn(
                ex,
                [&, i]() -> awaitable<void> {
                    auto v = co_await l.connection().query_value<std::int32_t>(
                        "select $1::int4 from pg_sleep(0.001)", std::int32_t{i});
                    if (v != i) ++wrong;
                    ++answered;
                    progress.cancel();
                },
                [](std::exception_ptr e) {
                    if (e) std::rethrow_exception(e);
                });
        for (int i = 0; i < notifications; ++i)
            co_await sender.execute("select pg_notify('turbopg_busy', $1)", std::to_string(i));
        for (int i = 0; i < notifications; ++i) {
            auto n = co_await next_notification(l);
            CHECK(n.payload == std::to_string(i));
            CHECK(n.sender_pid == sender.backend_pid());
        }
        co_await wait_for(progress, [&] { return answered == queries; });
        CHECK(wrong == 0);

        // A session hears its own NOTIFY too.
        co_await l.connection().execute("select pg_notify('turbopg_busy', 'self')");
        auto n = co_await next_notification(l);
        CHECK(n.payload == "self");
        CHECK(n.sender_pid == l.connection().backend_pid());
        co_await sender.close();
        co_await l.close();
    });
}

TEST_CASE("listen and unlisten channels whose names need quoting, with unicode payloads") {
    run([]() -> awaitable<void> {
        auto l = co_await listener_test();
        auto sender = co_await connect_test();
        const std::vector<std::string> names = {"Mixed Case", R"(with "quotes")",
                                                "spaces; and semicolon", "канал ✓"};
        for (auto& name : names)
            co_await l.listen(name);
        CHECK(l.channels().size() == names.size());

        for (auto& name : names)
            co_await sender.execute("select pg_notify($1, $2)", name,
                                    "é ✓ 🐘 'quote' \\ \n " + name);
        for (auto& name : names) {
            auto n = co_await next_notification(l);
            CHECK(n.channel == name);
            CHECK(n.payload == "é ✓ 🐘 'quote' \\ \n " + name);
            CHECK(n.sender_pid == sender.backend_pid());
        }
        // The SQL spelling reaches the same channel; an unquoted name folds to lower case.
        co_await sender.simple_query(R"(NOTIFY "Mixed Case", 'by NOTIFY'; NOTIFY mixed_case)");
        CHECK((co_await next_notification(l)).payload == "by NOTIFY");

        co_await l.unlisten("Mixed Case");
        CHECK(l.channels().size() == names.size() - 1);
        co_await sender.execute("select pg_notify('Mixed Case', 'not heard')");
        co_await sender.execute("select pg_notify('канал ✓', 'heard')");
        auto n = co_await next_notification(l);
        CHECK(n.channel == "канал ✓");
        CHECK(n.payload == "heard");
        CHECK(l.queued() == 0);

        for (auto bad : {std::string(), std::string(64, 'x'), std::string("a\0b", 3)}) {
            try {
                co_await l.listen(bad);
                FAIL("expected a refused channel name");
            } catch (const error& e) {
                CHECK(e.code() == errc::invalid_value);
            }
        }
        CHECK(l.channels().size() == names.size() - 1);
        co_await sender.close();
        co_await l.close();
    });
}

TEST_CASE("next() can be cancelled or timed out, and close() fails a pending next()") {
    using namespace asio::experimental::awaitable_operators;
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto l = co_await listener_test();
        co_await l.listen("turbopg_cancel");
        auto sender = co_await connect_test();

        // A timeout: the timer wins, nothing is consumed.
        asio::steady_timer t(ex, 50ms);
        auto r = co_await (l.next() || t.async_wait(asio::use_awaitable));
        CHECK(std::holds_alternative<std::monostate>(r)); // (|| flattens listener_event in)

        // Per-operation cancellation reports errc::cancelled.
        asio::cancellation_signal signal;
        std::optional<error> cancelled;
        asio::co_spawn(
            ex, l.next(),
            asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, listener_event) {
                try {
                    if (e) std::rethrow_exception(e);
                } catch (const error& x) {
                    cancelled = x;
                }
            }));
        co_await let_others_run();
        signal.emit(asio::cancellation_type::terminal);
        co_await let_others_run();
        REQUIRE(cancelled);
        CHECK(cancelled->code() == errc::cancelled);

        // Still usable, and nothing was lost.
        co_await sender.execute("select pg_notify('turbopg_cancel', 'after')");
        CHECK((co_await next_notification(l)).payload == "after");

        std::optional<error> closed;
        asio::co_spawn(ex, l.next(), [&](std::exception_ptr e, listener_event) {
            try {
                if (e) std::rethrow_exception(e);
            } catch (const error& x) {
                closed = x;
            }
        });
        co_await let_others_run();
        co_await l.close();
        co_await let_others_run();
        REQUIRE(closed);
        CHECK(closed->code() == errc::connection_closed);
        CHECK(std::string(closed->what()).find("listener is closed") != std::string::npos);
        try {
            co_await l.next();
            FAIL("expected connection_closed");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
        }
        try {
            co_await l.listen("turbopg_cancel");
            FAIL("expected connection_closed");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
        }
        co_await sender.close();
    });
}

TEST_CASE("next() cancelled in the turn its notification came leaves the notification queued") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        auto l = co_await listener_test();
        co_await l.listen("turbopg_same_turn");
        asio::cancellation_signal signal;
        std::optional<error> cancelled;
        bool returned = false;
        asio::co_spawn(
            ex, l.next(),
            asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, listener_event) {
                try {
                    if (e) std::rethrow_exception(e);
                    returned = true;
                } catch (const error& x) {
                    cancelled = x;
                }
            }));
        co_await let_others_run();
        // NOTIFY on the listener's own session: the notification comes with the answer, and this
        // coroutine resumes in the same turn of the reader, before the waiting next() does.
        co_await l.connection().execute("select pg_notify('turbopg_same_turn', 'kept')");
        signal.emit(asio::cancellation_type::terminal);
        co_await let_others_run();
        CHECK_FALSE(returned); // (what a `next() || timer` would have dropped)
        REQUIRE(cancelled);
        CHECK(cancelled->code() == errc::cancelled);
        CHECK(l.queued() == 1);
        CHECK((co_await next_notification(l)).payload == "kept");
    });
}

TEST_CASE("a listener on an unreachable server fails with the connection's error") {
    run([]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        // A port nobody listens on: bound, then released.
        asio::ip::tcp::acceptor a(ex, {asio::ip::address_v4::loopback(), 0});
        auto port = std::to_string(a.local_endpoint().port());
        a.close();
        try {
            co_await listener::connect(ex, "host=127.0.0.1 port=" + port +
                                               " user=nobody dbname=nothing connect_timeout=5");
            FAIL("expected a connection error");
        } catch (const error& e) {
            MESSAGE(std::string(e.what()));
            CHECK(e.code() == asio::error::connection_refused);
            CHECK(std::string(e.what()).find(port) != std::string::npos);
        }
    });
}

TEST_CASE("a listener outlives a server restart: it retries with backoff, then listens again") {
    if (!have_cluster() || !env("TURBOPG_TEST_PGDATA") || !env("TURBOPG_TEST_PGBIN")) {
        MESSAGE("skipped: needs the throwaway cluster of scripts/dev");
        return;
    }
    auto attempts = std::make_shared<failed_attempts>();
    set_log_sink(attempts);
    bool stopped = false;
    struct restart_guard { // the server runs again whatever happens here
        bool& stopped;
        ~restart_guard() {
            if (stopped) pg_ctl("start");
            set_log_sink(nullptr);
        }
    } guard{stopped};
    run([&]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        listener_options options;
        options.reconnect_delay = 10ms;
        options.max_reconnect_delay = 40ms;
        auto l = co_await listener_test(options);
        co_await l.listen("turbopg_restart");

        REQUIRE(pg_ctl("stop") == 0);
        stopped = true;
        asio::steady_timer poll(ex);
        co_await wait_for(poll, [&] { return attempts->count >= 3; });
        // Meanwhile the session's queries fail at once with the break's error.
        try {
            co_await l.connection().query_value<std::int32_t>("select 1");
            FAIL("expected the broken session's error");
        } catch (const error& e) {
            CHECK(std::string(e.what()).find("57P01") != std::string::npos);
        }
        REQUIRE(pg_ctl("start") == 0);
        stopped = false;

        auto event = co_await l.next();
        REQUIRE(std::holds_alternative<reconnected>(event));
        CHECK(std::get<reconnected>(event).attempts >= 4);
        CHECK(std::get<reconnected>(event).reason.find("57P01") != std::string::npos);
        auto sender = co_await connect_test();
        co_await sender.execute("select pg_notify('turbopg_restart', 'back')");
        CHECK((co_await next_notification(l)).payload == "back");
        co_await sender.close();
        co_await l.close();
    });
}

TEST_CASE("a listener on 300 channels, the largest payload, duplicates folded by the server") {
    run([]() -> awaitable<void> {
        auto l = co_await listener_test();
        auto sender = co_await connect_test();
        for (int i = 0; i < 300; ++i)
            co_await l.listen("many_" + std::to_string(i));
        CHECK(l.channels().size() == 300);
        // One transaction: delivered at its commit, in order, each once.
        co_await sender.execute("select pg_notify('many_' || i, 'p' || i) "
                                "from generate_series(299, 0, -1) i");
        for (int i = 299; i >= 0; --i) {
            auto n = co_await next_notification(l);
            CHECK(n.channel == "many_" + std::to_string(i));
            CHECK(n.payload == "p" + std::to_string(i));
        }
        // The server's limit is a payload shorter than 8000 bytes.
        std::string largest(7999, 'z');
        co_await sender.execute("select pg_notify('many_0', $1)", largest);
        CHECK((co_await next_notification(l)).payload == largest);
        try {
            co_await sender.execute("select pg_notify('many_0', $1)", std::string(8000, 'z'));
            FAIL("expected the payload to be refused");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "22023");
        }
        // Identical notifications of one transaction are folded into one.
        co_await sender.simple_query("begin; notify many_1, 'same'; notify many_1, 'same'; "
                                     "notify many_1, 'other'; commit");
        CHECK((co_await next_notification(l)).payload == "same");
        CHECK((co_await next_notification(l)).payload == "other");
        co_await sender.execute("select pg_notify('many_2', 'last')");
        CHECK((co_await next_notification(l)).payload == "last");
        CHECK(l.queued() == 0);
        co_await sender.close();
        co_await l.close();
    });
}
