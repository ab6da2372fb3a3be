// What a session hears besides query results: ParameterStatus updates, NoticeResponse fields,
// notifications while idle, the startup packet's options and application_name, a session the
// server ends between queries, and messages at and beyond the size limits.
#include "support/server.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <malloc.h>

#include <optional>
#include <string>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

// Polls `done()` every 10 ms for up to `limit`; true when it came to hold.
template <class Done>
awaitable<bool> eventually(Done done, std::chrono::milliseconds limit = 5000ms) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) co_return false;
        t.expires_after(10ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    co_return true;
}

awaitable<connection> connect_with(std::string conninfo) {
    co_return co_await connection::connect(co_await asio::this_coro::executor, conninfo);
}

} // namespace

TEST_CASE("ParameterStatus: the startup's report, SET, SET LOCAL undone by ROLLBACK") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        CHECK(c.parameter("client_encoding") == "UTF8");
        CHECK(c.parameter("integer_datetimes") == "on");
        CHECK(c.parameter("standard_conforming_strings") == "on");
        CHECK_FALSE(c.parameter("TimeZone").empty());
        CHECK(c.parameter("no_such_parameter").empty());

        co_await c.execute("set timezone = 'Asia/Tokyo'");
        CHECK(c.parameter("TimeZone") == "Asia/Tokyo");
        co_await c.simple_query("set application_name = 'reported'; set datestyle = 'SQL, DMY'");
        CHECK(c.parameter("application_name") == "reported");
        CHECK(c.parameter("DateStyle") == "SQL, DMY");

        co_await c.execute("begin");
        co_await c.execute("set local timezone = 'America/New_York'");
        CHECK(c.parameter("TimeZone") == "America/New_York");
        co_await c.execute("rollback");
        CHECK(c.parameter("TimeZone") == "Asia/Tokyo");

        // The session's zone and DateStyle shape text output only; binary timestamps are UTC.
        auto text = co_await c.simple_query("select '2000-01-02 00:00:00+00'::timestamptz");
        CHECK(text.at(0)[0].get<std::string>(0) == "02/01/2000 09:00:00 JST");
        auto t = co_await c.query_value<std::chrono::sys_time<std::chrono::microseconds>>(
            "select '2000-01-02 00:00:00+00'::timestamptz");
        CHECK(t == std::chrono::sys_days(std::chrono::year(2000) / 1 / 2));
        co_await c.close();
    });
}

TEST_CASE("NoticeResponse: every field reaches the handler, from either protocol") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        std::vector<server_diagnostics> notices;
        c.set_notice_handler([&](const server_diagnostics& d) { notices.push_back(d); });
        co_await c.execute("create function pg_temp.noisy(n int) returns int language plpgsql as "
                           "$$ begin "
                           "raise notice 'first %', n using detail = 'the detail', "
                           "hint = 'the hint', errcode = '01007'; "
                           "raise warning 'second'; "
                           "return n * 2; end $$");
        CHECK(co_await c.query_value<std::int32_t>("select pg_temp.noisy($1)", 21) == 42);
        REQUIRE(notices.size() == 2);
        CHECK(notices[0].severity == "NOTICE");
        CHECK(notices[0].severity_nonlocalized == "NOTICE");
        CHECK(notices[0].sqlstate == "01007");
        CHECK(notices[0].message == "first 21");
        CHECK(notices[0].detail == "the detail");
        CHECK(notices[0].hint == "the hint");
        CHECK(notices[0].where.find("noisy") != std::string::npos);
        CHECK(notices[1].severity == "WARNING");
        CHECK(notices[1].sqlstate == "01000");
        CHECK(notices[1].message == "second");

        notices.clear();
        co_await c.simple_query("drop table if exists session_no_such_table");
        REQUIRE(notices.size() == 1);
        CHECK(notices[0].sqlstate == "00000");
        CHECK(notices[0].message == "table \"session_no_such_table\" does not exist, skipping");

        // client_min_messages filters on the server: nothing comes.
        notices.clear();
        co_await c.execute("set client_min_messages = warning");
        CHECK(co_await c.query_value<std::int32_t>("select pg_temp.noisy(1)") == 2);
        REQUIRE(notices.size() == 1);
        CHECK(notices[0].message == "second");
        co_await c.close();
    });
}

TEST_CASE("notifications reach the handler while the connection is idle") {
    run([]() -> awaitable<void> {
        auto listening = co_await connect_test();
        auto sender = co_await connect_test();
        std::vector<notification> got;
        listening.set_notification_handler([&](notification&& n) { got.push_back(std::move(n)); });
        co_await listening.execute("listen idle_channel");
        co_await listening.execute("listen \"Other Channel\"");
        // The listening session runs nothing from here on: the reader alone must see them.
        co_await sender.execute("notify idle_channel, 'one'");
        co_await sender.execute("select pg_notify('Other Channel', $1)", std::string(7000, 'p'));
        co_await sender.execute("notify idle_channel");
        CHECK(co_await eventually([&] { return got.size() == 3; }));
        REQUIRE(got.size() == 3);
        CHECK(got[0].channel == "idle_channel");
        CHECK(got[0].payload == "one");
        CHECK(got[0].sender_pid == sender.backend_pid());
        CHECK(got[1].channel == "Other Channel");
        CHECK(got[1].payload == std::string(7000, 'p'));
        CHECK(got[2].payload.empty());
        // Inside a transaction a NOTIFY is delivered at COMMIT, and not at all after ROLLBACK.
        co_await sender.execute("begin");
        co_await sender.execute("notify idle_channel, 'rolled back'");
        co_await sender.execute("rollback");
        co_await sender.execute("begin");
        co_await sender.execute("notify idle_channel, 'committed'");
        co_await sender.execute("commit");
        CHECK(co_await eventually([&] { return got.size() == 4; }));
        REQUIRE(got.size() == 4);
        CHECK(got[3].payload == "committed");
        co_await sender.close();
        co_await listening.close();
    });
}

TEST_CASE("options and application_name of the conninfo reach the server") {
    run([]() -> awaitable<void> {
        auto base = test_url();
        auto sep = base.find('?') == std::string::npos ? "?" : "&";
        {
            // Several -c settings, and a value with a space escaped as the server splits them.
            auto c = co_await connect_with(
                base + sep +
                "options=-c%20statement_timeout%3D1234%20-c%20datestyle%3DSQL,%5C%20DMY"
                "&application_name=tp-app&fallback_application_name=tp-fallback");
            CHECK(co_await c.query_value<std::string>("show statement_timeout") == "1234ms");
            CHECK(co_await c.query_value<std::string>("show datestyle") == "SQL, DMY");
            CHECK(co_await c.query_value<std::string>("show application_name") == "tp-app");
            CHECK(c.parameter("application_name") == "tp-app");
            co_await c.close();
        }
        {
            auto c = co_await connect_with(base + sep + "fallback_application_name=tp-fallback");
            CHECK(co_await c.query_value<std::string>("show application_name") == "tp-fallback");
            co_await c.close();
        }
        // A bad option is the server's error at startup.
        try {
            co_await connect_with(base + sep + "options=-c%20no_such.setting%3D1%20-c%20bogus%3D1");
            FAIL("expected the server to refuse the option");
        } catch (const error& e) {
            CHECK(e.sqlstate() == "42704");
            CHECK(std::string(e.what()).find("bogus") != std::string::npos);
        }
    });
}

TEST_CASE("a session the server ends while idle: the next query fails with the server's reason") {
    run([]() -> awaitable<void> {
        auto victim = co_await connect_test();
        auto admin = co_await connect_test();
        CHECK(co_await admin.query_value<bool>("select pg_terminate_backend($1)",
                                               victim.backend_pid()));
        // The FATAL ErrorResponse and the end of the stream arrive while nothing runs.
        CHECK(co_await eventually([&] { return !victim.is_open(); }));
        try {
            co_await victim.query_value<std::int32_t>("select 1");
            FAIL("expected connection_closed");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
            CHECK(std::string(e.what()).find(
                      "terminating connection due to administrator command") != std::string::npos);
        }
        co_await admin.close();
    });
}

TEST_CASE("a session the server ends while a query runs: that query fails, not the others") {
    run([]() -> awaitable<void> {
        auto victim = co_await connect_test();
        // The session ends itself mid-query.
        try {
            co_await victim.execute("select pg_terminate_backend(pg_backend_pid())");
            FAIL("expected connection_closed");
        } catch (const error& e) {
            CHECK(e.code() == errc::connection_closed);
        }
        CHECK_FALSE(victim.is_open());
        auto other = co_await connect_test();
        CHECK(co_await other.query_value<std::int32_t>("select 2") == 2);
        co_await other.close();
    });
}

TEST_CASE("a 100 MB value goes out as a parameter and comes back as a result") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        constexpr std::size_t size = 100 * 1024 * 1024;
        std::string big(size, 'a');
        for (std::size_t i = 0; i < size; i += 4099)
            big[i] = static_cast<char>('b' + i % 23);
        CHECK(co_await c.query_value<std::int32_t>("select length($1)", big) ==
              static_cast<std::int32_t>(size));
        auto back = co_await c.query_value<std::string>("select $1::text || 'z'", big);
        CHECK(back.size() == size + 1);
        CHECK(back.compare(0, size, big) == 0);
        CHECK(back.back() == 'z');
        auto bytes = co_await c.query_value<std::vector<std::byte>>(
            "select decode(repeat('ff', $1), 'hex')", static_cast<std::int32_t>(size));
        CHECK(bytes.size() == size);
        CHECK(bytes[size - 1] == std::byte{0xff});
        co_await c.close();
    });
}

TEST_CASE("after a 100 MB row or parameter the connection gives the memory back") {
    // glibc serves allocations this large with mmap: the bytes so mapped show what is still
    // held once the values themselves are gone.
    auto mapped = [] { return mallinfo2().hblkhd; };
    constexpr std::size_t size = 100 * 1024 * 1024, slack = 16 * 1024 * 1024;
    run([&]() -> awaitable<void> {
        auto c = co_await connect_test();
        CHECK(co_await c.query_value<std::int32_t>("select 1") == 1);
        const auto before = mapped();
        {
            auto row = co_await c.query_value<std::string>("select repeat('x', $1)",
                                                           static_cast<std::int32_t>(size));
            CHECK(row.size() == size);
        }
        CHECK(mapped() < before + slack);
        {
            std::string big(size, 'y');
            CHECK(co_await c.query_value<std::int32_t>("select length($1)", big) ==
                  static_cast<std::int32_t>(size));
        }
        CHECK(mapped() < before + slack);
        CHECK(co_await c.query_value<std::int32_t>("select length($1)", "yyy") == 3);
        co_await c.close();
    });
}

TEST_CASE("max_message_size: a larger message from the server is a clear error") {
    run([]() -> awaitable<void> {
        auto c = co_await connect_test("max_message_size=1048576");
        CHECK((co_await c.query_value<std::string>("select repeat('x', 1000000)")).size() ==
              1000000);
        try {
            co_await c.query_value<std::string>("select repeat('x', 2000000)");
            FAIL("expected message_too_large");
        } catch (const error& e) {
            CHECK(e.code() == errc::message_too_large);
        }
        // The rest of that message is still in the stream: the connection cannot go on.
        CHECK_FALSE(c.is_open());
    });
}

TEST_CASE("a query over the server's 1 GiB message limit fails clearly, the connection kept") {
    // PostgreSQL reads at most 1 GiB - 2 bytes of message body and drops the session after a
    // longer message; past 4 GiB the length field would wrap and the server would read the rest
    // of the message as further messages. The client refuses such a message before sending it,
    // and gives back the buffer it had begun to fill.
    run([]() -> awaitable<void> {
        auto c = co_await connect_test();
        const auto before = mallinfo2().hblkhd;
        {
            std::string sql = "select length('";
            sql.append(std::size_t{1} << 30, 'x');
            sql += "')";
            try {
                co_await c.query_value<std::int32_t>(sql);
                FAIL("expected an error");
            } catch (const error& e) {
                INFO(std::string(e.what()));
                CHECK(e.code() == errc::message_too_large);
            }
            // The same text as a parameter: a Bind message over the limit.
            try {
                co_await c.query_value<std::int32_t>("select length($1)", sql);
                FAIL("expected an error");
            } catch (const error& e) {
                INFO(std::string(e.what()));
                CHECK(e.code() == errc::message_too_large);
            }
        }
        CHECK(mallinfo2().hblkhd < before + 16 * 1024 * 1024);
        CHECK(c.is_open());
        CHECK(co_await c.query_value<std::int32_t>("select length($1)", "yyy") == 3);
        co_await c.close();
    });
}
