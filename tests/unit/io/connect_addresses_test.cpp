// A host name that resolves to several addresses: one endpoint per address, each still named by
// the host (libpq, "Specifying Multiple Hosts"), and the lookup itself bounded by connect_timeout.
#include "config/config_support.hpp"
#include "io/connect.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <chrono>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;

TEST_CASE("per_address: one endpoint per address, keeping the host name, port and password") {
    endpoint ep;
    ep.host = "db.example";
    ep.port = 6432;
    ep.passfile_password = "secret";
    auto eps = io::per_address(
        ep, {asio::ip::make_address("10.0.0.1"), asio::ip::make_address("2001:db8::1")});
    REQUIRE(eps.size() == 2);
    CHECK(eps[0].hostaddr == "10.0.0.1");
    CHECK(eps[1].hostaddr == "2001:db8::1");
    for (const auto& e : eps) {
        CHECK(e.host == "db.example");
        CHECK(e.port == 6432);
        CHECK(e.passfile_password == "secret");
        CHECK_FALSE(e.is_unix_socket());
        CHECK(e.display_host() == "db.example"); // TLS SNI and verify-full use the name
    }
    CHECK(eps[0].to_string() == "db.example:6432 (10.0.0.1)");
    CHECK(eps[1].to_string() == "db.example:6432 (2001:db8::1)");
}

TEST_CASE("a host name lookup that never ends is bounded by connect_timeout") {
    asio::io_context ctx;
    // Like getaddrinfo, this lookup ignores cancellation; it ends when the test is done.
    asio::steady_timer stuck(ctx, std::chrono::seconds(20));
    io::resolver hung = [&stuck](std::string) -> awaitable<std::vector<asio::ip::address>> {
        co_await stuck.async_wait(
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
        co_return std::vector<asio::ip::address>{};
    };
    auto cfg = parse("host=db.example user=u dbname=d sslmode=disable connect_timeout=2");
    std::error_code ec;
    std::string message;
    auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void> {
            try {
                co_await io::connect(ctx.get_executor(), cfg, hung);
            } catch (const error& e) {
                ec = e.code();
                message = e.what();
            }
            stuck.cancel();
        },
        asio::detached);
    ctx.run();
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(ec == errc::timeout);
    CHECK(message.find("could not translate host name \"db.example\" to address") !=
          std::string::npos);
    CHECK(took >= std::chrono::milliseconds(1900));
    CHECK(took < std::chrono::seconds(5));
}
