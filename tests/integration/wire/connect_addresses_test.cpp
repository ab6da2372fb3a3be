// A host name that resolves to several addresses, against the test server: each address gets an
// attempt of its own, under a connect_timeout of its own, as libpq makes them ("Specifying
// Multiple Hosts"; connect_timeout "applies separately to each host name or IP address").
// Reaches the connector's resolver seam, so this binary links the library's internals.
#include "io/connect.hpp"
#include "support/server.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <optional>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using asio::ip::tcp;

namespace {

// Resolves every host name to `addrs`, in that order.
io::resolver resolving_to(std::vector<std::string> addrs) {
    return [addrs](std::string) -> awaitable<std::vector<asio::ip::address>> {
        std::vector<asio::ip::address> out;
        for (const auto& a : addrs)
            out.push_back(asio::ip::make_address(a));
        co_return out;
    };
}

tcp::endpoint on_server_port(const char* addr) {
    return {asio::ip::make_address(addr),
            static_cast<std::uint16_t>(std::stoi(cluster("TURBOPG_TEST_PORT")))};
}

// A listener whose accept queue (backlog 0: one connection) is full: Linux then drops further
// SYNs, so a connect to it hangs as to a host that never answers.
struct blackhole {
    tcp::acceptor acceptor;
    tcp::socket pending;
    blackhole(asio::io_context& ctx, const tcp::endpoint& at)
        : acceptor(ctx)
        , pending(ctx) {
        acceptor.open(at.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(at);
        acceptor.listen(0);
        pending.connect(at);
    }
};

// Accepts one connection and closes it at once: TCP connects, the startup then fails.
awaitable<void> close_at_once(tcp::acceptor& acceptor) {
    auto s = co_await acceptor.async_accept(asio::use_awaitable);
    s.close();
}

struct outcome {
    bool ok = false;
    std::error_code ec;
    std::string message;
    std::chrono::steady_clock::duration took{};
};

// Connects to host `name` on the test server's port as turbopg_scram, with `extra` settings and
// `resolve` for the name, on `ctx` (which may serve listeners too). The caller cancels the
// connect (Asio per-operation cancellation) after `cancel_after`, if given.
outcome connect_as(asio::io_context& ctx, const std::string& name, const std::string& extra,
                   io::resolver resolve,
                   std::optional<std::chrono::milliseconds> cancel_after = std::nullopt) {
    auto cfg = parse_config("host=" + name + " port=" + cluster("TURBOPG_TEST_PORT") +
                            " dbname=turbopg user=turbopg_scram password=scram_pw " + extra);
    outcome o;
    asio::cancellation_signal cancel;
    auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void> {
            try {
                auto c = co_await io::connect(ctx.get_executor(), cfg, resolve);
                o.ok = true;
                co_await c->close();
            } catch (const error& e) {
                o.ec = e.code();
                o.message = e.what();
            }
            o.took = std::chrono::steady_clock::now() - started;
            ctx.stop(); // done, whether or not the listeners beside it were reached
        },
        asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    asio::steady_timer cancel_at(ctx);
    if (cancel_after) {
        cancel_at.expires_after(*cancel_after);
        cancel_at.async_wait([&](std::error_code ec) {
            if (!ec) cancel.emit(asio::cancellation_type::terminal);
        });
    }
    ctx.run();
    return o;
}

} // namespace

TEST_CASE("an address that never answers times out on its own; the next address connects") {
    if (!have_cluster()) return;
    asio::io_context ctx;
    blackhole hole(ctx, on_server_port("127.0.0.2"));
    // localhost is the name the server's certificate gives: verify-full checks the name, while
    // the attempts go to the addresses.
    auto o = connect_as(ctx, "localhost",
                        "sslmode=verify-full connect_timeout=2 sslrootcert=" +
                            cluster("TURBOPG_TEST_SSLROOTCERT"),
                        resolving_to({"127.0.0.2", "127.0.0.1"}));
    INFO(o.message);
    CHECK(o.ok);
    CHECK(o.took >= std::chrono::milliseconds(1900));
    CHECK(o.took < std::chrono::seconds(6));
}

TEST_CASE("a caller's cancellation ends the attempt under way, and no other address is tried") {
    if (!have_cluster()) return;
    // With connect_timeout, the attempt runs under a deadline of its own; without, it does not.
    for (const char* timeout : {"connect_timeout=10", "connect_timeout=0"}) {
        CAPTURE(timeout);
        asio::io_context ctx;
        blackhole hole(ctx, on_server_port("127.0.0.2"));
        auto o =
            connect_as(ctx, "db.test", std::string("sslmode=disable ") + timeout,
                       resolving_to({"127.0.0.2", "127.0.0.1"}), std::chrono::milliseconds(200));
        INFO(o.message);
        CHECK_FALSE(o.ok); // 127.0.0.1 would have accepted
        CHECK(o.ec == errc::cancelled);
        CHECK(o.message.find("db.test:" + cluster("TURBOPG_TEST_PORT") + " (127.0.0.2)") !=
              std::string::npos);
        CHECK(o.took < std::chrono::seconds(2));
    }
}

TEST_CASE("a caller's cancellation during the host name lookup ends the connect") {
    if (!have_cluster()) return;
    asio::io_context ctx;
    asio::steady_timer stuck(ctx, std::chrono::seconds(20));
    io::resolver slow = [&stuck](std::string) -> awaitable<std::vector<asio::ip::address>> {
        co_await stuck.async_wait(
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
        co_return std::vector<asio::ip::address>{asio::ip::make_address("127.0.0.1")};
    };
    // Two hosts: the cancelled lookup of the first must not move on to the second.
    auto o = connect_as(ctx, "db.test,127.0.0.1", "sslmode=disable connect_timeout=10", slow,
                        std::chrono::milliseconds(200));
    stuck.cancel();
    INFO(o.message);
    CHECK_FALSE(o.ok);
    CHECK(o.ec == errc::cancelled);
    CHECK(o.message.find("db.test") != std::string::npos);
    CHECK(o.took < std::chrono::seconds(2));
}

TEST_CASE("an address that refuses or fails after connecting: the next one is tried at once") {
    if (!have_cluster()) return;
    asio::io_context ctx;
    tcp::acceptor closer(ctx, on_server_port("127.0.0.4"));
    asio::co_spawn(ctx, close_at_once(closer), asio::detached);
    // Nothing listens on 127.0.0.3.
    auto o = connect_as(ctx, "db.test", "sslmode=disable connect_timeout=10",
                        resolving_to({"127.0.0.3", "127.0.0.4", "127.0.0.1"}));
    INFO(o.message);
    CHECK(o.ok);
    CHECK(o.took < std::chrono::seconds(2));
}

TEST_CASE("every address failing: the error names each address tried") {
    if (!have_cluster()) return;
    asio::io_context ctx;
    auto port = cluster("TURBOPG_TEST_PORT");
    auto o = connect_as(ctx, "db.test", "sslmode=disable connect_timeout=10",
                        resolving_to({"127.0.0.3", "127.0.0.5"}));
    CHECK_FALSE(o.ok);
    CHECK(o.ec == errc::server_unreachable);
    CHECK(o.message.find("db.test:" + port + " (127.0.0.3): ") != std::string::npos);
    CHECK(o.message.find("db.test:" + port + " (127.0.0.5): ") != std::string::npos);
}

TEST_CASE("verify-full checks the host name, not the address connected to") {
    if (!have_cluster()) return;
    asio::io_context ctx;
    // The certificate names 127.0.0.1 but not db.test.
    auto o = connect_as(ctx, "db.test",
                        "sslmode=verify-full sslrootcert=" + cluster("TURBOPG_TEST_SSLROOTCERT"),
                        resolving_to({"127.0.0.1"}));
    CHECK_FALSE(o.ok);
    CHECK(o.ec == errc::tls_verification_failed);
    CHECK(o.message.find("db.test") != std::string::npos);
}
