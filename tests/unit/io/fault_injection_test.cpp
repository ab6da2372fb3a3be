// The Asio driver against a scripted server on loopback: a transcript of startup and query
// replies, cut after every message (and in the middle of one). Every cut must end in a clear
// connection_closed error, never a hang, a crash or a wrong result.
#include "support/bounded_run.hpp"
#include "support/bytes_util.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using asio::ip::tcp;

namespace {

bytes ready() {
    return backend_message('Z', str("I"));
}

// What the server sends: after the startup packet, the startup replies; after the client's
// next write (the query), the query replies.
std::vector<bytes> transcript() {
    return {
        backend_message('R', be32(0)),
        backend_message('S', cat({cstr("server_version"), cstr("15.18")})),
        backend_message('K', cat({be32(77), be32(88)})),
        ready(),
        // Parse + Describe + Sync of the prepared statement
        backend_message('1', {}),
        backend_message('t', cat({be16(1), be32(23)})),
        backend_message(
            'T', cat({be16(1), cstr("v"), be32(0), be16(0), be32(23), be16(4), be32(-1), be16(0)})),
        ready(),
        // Bind + Execute + Sync
        backend_message('2', {}),
        backend_message('D', cat({be16(1), be32(4), be32(42)})),
        backend_message('C', cstr("SELECT 1")),
        ready(),
    };
}

// Serves one connection: reads what the client sends and answers with the transcript, but
// stops after `cut` bytes of it and closes.
awaitable<void> serve(tcp::acceptor& acceptor, std::size_t cut) {
    auto sock = co_await acceptor.async_accept(asio::use_awaitable);
    bytes all;
    for (auto& m : transcript())
        all.insert(all.end(), m.begin(), m.end());
    std::size_t sent = 0;
    auto send_until = [&](std::size_t until) -> awaitable<bool> {
        until = std::min(until, cut);
        if (until > sent) {
            co_await asio::async_write(sock, asio::buffer(all.data() + sent, until - sent),
                                       asio::use_awaitable);
            sent = until;
        }
        co_return sent < cut;
    };
    std::array<std::byte, 4096> buf;
    // The client writes the startup packet, the prepare, then the execute: after each read,
    // send the next section of the transcript.
    std::size_t sections[] = {0, 0, 0};
    {
        std::size_t offset = 0, msg = 0;
        auto ts = transcript();
        for (auto& m : ts) {
            offset += m.size();
            ++msg;
            if (msg == 4) sections[0] = offset;
            if (msg == 8) sections[1] = offset;
            if (msg == 12) sections[2] = offset;
        }
    }
    for (auto section : sections) {
        std::error_code ec;
        co_await sock.async_read_some(asio::buffer(buf),
                                      asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        if (!co_await send_until(section)) break;
    }
    sock.close();
}

struct outcome {
    bool ok = false;
    std::int32_t value = 0;
    std::error_code ec;
};

outcome run_against_cut(std::size_t cut) {
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = acceptor.local_endpoint().port();
    asio::co_spawn(ctx, serve(acceptor, cut), asio::detached);
    auto fut = asio::co_spawn(
        ctx,
        [port]() -> awaitable<outcome> {
            outcome o;
            try {
                auto c = co_await connection::connect(
                    co_await asio::this_coro::executor,
                    "host=127.0.0.1 port=" + std::to_string(port) +
                        " user=u dbname=d sslmode=disable connect_timeout=10");
                o.value = co_await c.query_value<std::int32_t>("select 42");
                o.ok = true;
            } catch (const error& e) {
                o.ec = e.code();
            }
            co_return o;
        },
        asio::use_future);
    return result_within_bound(ctx, fut);
}

} // namespace

TEST_CASE("the whole transcript: connect, prepare, execute") {
    std::size_t total = 0;
    for (auto& m : transcript())
        total += m.size();
    auto o = run_against_cut(total);
    CHECK(o.ok);
    CHECK(o.value == 42);
}

TEST_CASE("a connection cut after any byte of the transcript fails cleanly") {
    std::size_t total = 0;
    std::vector<std::size_t> cuts;
    for (auto& m : transcript()) {
        // at the message boundary, one byte into the header, and in the middle of the body
        cuts.push_back(total);
        cuts.push_back(total + 1);
        cuts.push_back(total + m.size() / 2 + 2);
        total += m.size();
    }
    for (auto cut : cuts) {
        if (cut >= total) continue;
        CAPTURE(cut);
        auto o = run_against_cut(cut);
        CHECK_FALSE(o.ok);
        bool clean = o.ec == errc::connection_closed || o.ec == errc::server_unreachable;
        INFO(o.ec.category().name() << ": " << o.ec.message());
        CHECK(clean);
    }
}
