// A deep pipeline holds new requests back while the server still has many to answer, and sends
// them together once it is down to a short queue. Checked against a scripted server on loopback
// that answers one request at a time and looks at what the client sent in between.
#include "proto/bytes.hpp"
#include "support/bounded_run.hpp"
#include "support/bytes_util.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::test;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr int clients = 40;                        // coroutines sharing the connection
constexpr int queries_each = 2;                    // run one after the other by each coroutine
constexpr int hold_depth = 32;                     // the engine's pipeline_hold_depth
constexpr int held_answers = clients - hold_depth; // answers after which the server still has 32

// Reads whole frontend messages from `sock` until `n` messages of type `last` were read (the
// end of a request: Query, or the Sync of a batch).
awaitable<void> read_requests(tcp::socket& sock, int n, char last = 'Q') {
    while (n > 0) {
        std::array<std::byte, 5> header;
        co_await asio::async_read(sock, asio::buffer(header), asio::use_awaitable);
        std::vector<std::byte> body(proto::load_be<std::uint32_t>(header.data() + 1) - 4);
        co_await asio::async_read(sock, asio::buffer(body), asio::use_awaitable);
        if (header[0] == static_cast<std::byte>(last)) --n;
    }
}

// Accepts the connection and completes its startup (trust authentication).
awaitable<tcp::socket> accept_client(tcp::acceptor& acceptor) {
    auto sock = co_await acceptor.async_accept(asio::use_awaitable);
    std::array<std::byte, 4> length_bytes;
    co_await asio::async_read(sock, asio::buffer(length_bytes), asio::use_awaitable);
    std::vector<std::byte> startup(proto::load_be<std::uint32_t>(length_bytes.data()) - 4);
    co_await asio::async_read(sock, asio::buffer(startup), asio::use_awaitable);
    auto hello = cat({backend_message('R', be32(0)), backend_message('K', cat({be32(1), be32(2)})),
                      backend_message('Z', str("I"))});
    co_await asio::async_write(sock, asio::buffer(hello), asio::use_awaitable);
    co_return sock;
}

// Writes `a`, gives the client 20 ms to react and tells whether it sent nothing meanwhile.
awaitable<bool> answer_then_quiet(tcp::socket& sock, const bytes& a) {
    co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
    asio::steady_timer pause(sock.get_executor(), std::chrono::milliseconds(20));
    co_await pause.async_wait(asio::use_awaitable);
    co_return sock.available() == 0;
}

bytes answer() {
    return cat({backend_message('C', cstr("SET")), backend_message('Z', str("I"))});
}

struct observed {
    int quiet_checks = 0; // answers after which the client sent nothing, while it held back
    bool done = false;
};

// Runs `n` coroutines of `job` on one connection to the scripted server `serve` (the connection
// string `options` appended) and returns how many of them finished.
template <class Serve, class Job>
int run_clients(Serve serve, observed& seen, const std::string& options, int n, Job job) {
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = acceptor.local_endpoint().port();
    asio::co_spawn(ctx, serve(acceptor, seen), asio::detached);
    auto fut = asio::co_spawn(
        ctx,
        [&]() -> awaitable<int> {
            auto c = co_await connection::connect(co_await asio::this_coro::executor,
                                                  "host=127.0.0.1 port=" + std::to_string(port) +
                                                      " user=u dbname=d sslmode=disable" + options);
            int finished = 0;
            asio::steady_timer all_done(c.get_executor(), asio::steady_timer::time_point::max());
            for (int i = 0; i < n; ++i)
                asio::co_spawn(
                    c.get_executor(),
                    [&]() -> awaitable<void> {
                        co_await job(c);
                        if (++finished == n) all_done.cancel();
                    },
                    asio::detached);
            co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            co_return finished;
        },
        asio::use_future);
    return result_within_bound(ctx, fut);
}

awaitable<void> serve(tcp::acceptor& acceptor, observed& seen) {
    auto sock = co_await accept_client(acceptor);
    co_await read_requests(sock, clients); // every coroutine's first query
    auto a = answer();
    for (int i = 0; i < held_answers; ++i) {
        // The client has 40 - i answers still to come: at least 32, so what the coroutine
        // completed here sends next is held back.
        if (co_await answer_then_quiet(sock, a)) ++seen.quiet_checks;
    }
    // Down to 31 after this one: everything held goes out, with the query of this answer's
    // coroutine.
    co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
    co_await read_requests(sock, held_answers + 1);
    // The rest, first and second queries alike, as the client sends them.
    int answered = held_answers + 1, received = clients + held_answers + 1;
    while (answered < clients * queries_each) {
        for (; answered < received; ++answered)
            co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
        if (received < clients * queries_each) {
            co_await read_requests(sock, 1);
            ++received;
        }
    }
    seen.done = true;
}

} // namespace

TEST_CASE("a deep pipeline holds new requests until the server is down to a short queue") {
    observed seen;
    auto finished = run_clients(serve, seen, "", clients, [](connection& c) -> awaitable<void> {
        for (int q = 0; q < queries_each; ++q)
            co_await c.simple_query("SET x = 1");
    });
    CHECK(finished == clients);
    CHECK(seen.done);
    CHECK(seen.quiet_checks == held_answers);
}

namespace {

constexpr int batch_clients = 4;     // coroutines running batches on the connection
constexpr int batch_statements = 16; // statements per batch: 2 batches already make 32

// The answer to a batch of `batch_statements` "SET x = 1" run with unnamed statements: Parse
// once, then Bind, Describe and Execute for each, then Sync.
bytes batch_answer() {
    auto a = backend_message('1', {});
    for (int i = 0; i < batch_statements; ++i)
        a = cat({a, backend_message('2', {}), backend_message('n', {}),
                 backend_message('C', cstr("SET"))});
    return cat({a, backend_message('Z', str("I"))});
}

awaitable<void> serve_batches(tcp::acceptor& acceptor, observed& seen) {
    auto sock = co_await accept_client(acceptor);
    co_await read_requests(sock, batch_clients, 'S'); // every coroutine's first batch
    auto a = batch_answer();
    // 3 batches (48 statements) then 2 (32) left: the second batches of the coroutines answered
    // are held back.
    for (int i = 0; i < 2; ++i)
        if (co_await answer_then_quiet(sock, a)) ++seen.quiet_checks;
    // Down to its last batch: the two held go out, with the third coroutine's second batch.
    co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
    co_await read_requests(sock, 3, 'S');
    // 4 batches left again; the fourth coroutine's second batch is held until one is left.
    for (int i = 0; i < 2; ++i)
        if (co_await answer_then_quiet(sock, a)) ++seen.quiet_checks;
    co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
    co_await read_requests(sock, 1, 'S');
    for (int i = 0; i < 2; ++i)
        co_await asio::async_write(sock, asio::buffer(a), asio::use_awaitable);
    seen.done = true;
}

} // namespace

TEST_CASE("the pipeline hold counts a batch as its statements") {
    observed seen;
    auto finished = run_clients(serve_batches, seen, " statement_cache_size=0", batch_clients,
                                [](connection& c) -> awaitable<void> {
                                    batch b;
                                    for (int s = 0; s < batch_statements; ++s)
                                        b.add("SET x = 1");
                                    for (int q = 0; q < 2; ++q)
                                        CHECK((co_await c.run(b)).size() == batch_statements);
                                });
    CHECK(finished == batch_clients);
    CHECK(seen.done);
    CHECK(seen.quiet_checks == 4);
}
