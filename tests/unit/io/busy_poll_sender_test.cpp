// The reader's busy polling against a scripted server on loopback: a backoff ends with a poll
// only when the last answer was sent from another CPU. Sent from the reader's own CPU (here: by a
// server coroutine on the reader's thread), the server could only answer while the reader was not
// polling, and the waits are not polled. The server ACKs each query at once.
#include "support/bytes_util.hpp"
#include "support/cpu_affinity.hpp"

#include <turbopg/wire/connection.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <ctime>
#include <thread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace turbopg::wire;
using namespace turbopg::test;
using namespace std::chrono_literals;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto budget = 100ms;

// The server's delay before each answer. The first query is sent while the reader sleeps (after
// the startup); the reader decides whether to poll for each later one as it reads the answer
// before. The second answer outlasts the budget (polling backs off), the third wait is not
// polled, the fourth ends the backoff (its answer comes within the budget if it is polled for),
// and the reader's CPU time is measured in the fourth and fifth waits.
const std::array delays{1ms, 150ms, 1ms, 50ms, 200ms};

bytes startup_replies() {
    return cat({backend_message('R', be32(0)),
                backend_message('S', cat({cstr("server_version"), cstr("15.18")})),
                backend_message('K', cat({be32(77), be32(88)})), backend_message('Z', str("I"))});
}

awaitable<void> serve(tcp::acceptor& acceptor) {
    auto sock = co_await acceptor.async_accept(asio::use_awaitable);
    std::array<std::byte, 4096> buf;
    co_await sock.async_read_some(asio::buffer(buf), asio::use_awaitable); // the startup packet
    co_await asio::async_write(sock, asio::buffer(startup_replies()), asio::use_awaitable);
    asio::steady_timer timer(sock.get_executor());
    auto answer = cat({backend_message('C', cstr("SET")), backend_message('Z', str("I"))});
    for (auto delay : delays) {
        // Each query is ACKed at once (as Linux does, e.g., early in a connection), not with the
        // answer: over loopback that ACK reaches the reader from the reader's own CPU, right
        // after it sent the query, and must not pass for the server's answer.
        int one = 1;
        REQUIRE(::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one) ==
                0);
        co_await sock.async_read_some(asio::buffer(buf), asio::use_awaitable); // a Query
        timer.expires_after(delay);
        co_await timer.async_wait(asio::use_awaitable);
        co_await asio::async_write(sock, asio::buffer(answer), asio::use_awaitable);
    }
}

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

struct wait_cpu {
    std::chrono::nanoseconds fourth, fifth;
};

// The reader's CPU time in the last two waits.
awaitable<wait_cpu> client(unsigned short port) {
    auto c = co_await connection::connect(
        co_await asio::this_coro::executor,
        "host=127.0.0.1 user=u dbname=d sslmode=disable port=" + std::to_string(port) +
            " busy_poll=" + std::to_string(std::chrono::microseconds(budget).count()));
    for (std::size_t i = 0; i + 2 < delays.size(); ++i)
        co_await c.simple_query("set a = 1");
    auto before = thread_cpu_time();
    co_await c.simple_query("set a = 1");
    auto between = thread_cpu_time();
    co_await c.simple_query("set a = 1");
    co_return wait_cpu{between - before, thread_cpu_time() - between};
}

// Runs the client on this thread, pinned to `client_cpu`, against the server on this thread too
// (server_cpu < 0) or on a thread of its own pinned to `server_cpu`.
wait_cpu last_waits_cpu(int client_cpu, int server_cpu) {
    pinned_thread pin(client_cpu);
    REQUIRE(pin.pinned());
    asio::io_context client_io, server_io;
    auto& io = server_cpu < 0 ? client_io : server_io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto served = asio::co_spawn(io, serve(acceptor), asio::use_future);
    std::thread server_thread;
    bool server_pinned = server_cpu < 0;
    if (server_cpu >= 0)
        server_thread = std::thread([&] {
            server_pinned = pin_this_thread(server_cpu);
            server_io.run_for(10s);
        });
    auto spent =
        asio::co_spawn(client_io, client(acceptor.local_endpoint().port()), asio::use_future);
    client_io.run_for(10s);
    if (server_thread.joinable()) server_thread.join();
    REQUIRE(server_pinned);
    REQUIRE(served.wait_for(0s) == std::future_status::ready);
    served.get();
    REQUIRE(spent.wait_for(0s) == std::future_status::ready);
    return spent.get();
}

} // namespace

TEST_CASE("busy_poll: a server on the reader's own CPU is not polled for after a backoff") {
    auto cpus = allowed_cpus();
    REQUIRE_FALSE(cpus.empty());
    auto same = last_waits_cpu(cpus[0], -1);
    MESSAGE("CPU in the 50 ms and 200 ms waits, server on the reader's CPU: ",
            same.fourth.count() / 1000, " us, ", same.fifth.count() / 1000, " us");
    CHECK(same.fourth < 10ms); // the backoff ended without a poll: the reader slept
    CHECK(same.fifth < 10ms);  // and it goes on
    if (cpus.size() < 2) {
        MESSAGE("one CPU allowed: the server on another CPU is not tested");
        return;
    }
    auto other = last_waits_cpu(cpus[0], cpus[1]);
    MESSAGE("the same, server on another CPU: ", other.fourth.count() / 1000, " us, ",
            other.fifth.count() / 1000, " us");
    CHECK(other.fourth > 10ms); // polled until the answer came 50 ms later (less CPU on a busy
                                // machine): the catch ends the backoff
    CHECK(other.fifth > 15ms);  // polled for its 100 ms budget
}
