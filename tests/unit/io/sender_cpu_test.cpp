// transport::sent_from_this_cpu(): whether the bytes last read were sent from the CPU the
// reading thread runs on (busy polling backs off when they were: busy_poll.hpp). Over loopback,
// with the sending thread pinned to this thread's CPU or to another one.
#include "io/transport.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <poll.h>
#include <sched.h>

#include <array>
#include <thread>
#include <vector>

using asio::ip::tcp;
using turbopg::wire::io::transport;

namespace {

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
    std::vector<int> cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    return cpus;
}

void pin_this_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    REQUIRE(sched_setaffinity(0, sizeof set, &set) == 0);
}

// Pins this thread to one CPU for a test, and restores its CPUs after.
struct pinned_thread {
    cpu_set_t before;
    explicit pinned_thread(int cpu) {
        REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
        pin_this_thread(cpu);
    }
    ~pinned_thread() { sched_setaffinity(0, sizeof before, &before); }
};

// Waits until `fd` is readable, then reads what came through `t`.
std::size_t read_arrived(transport& t, int fd) {
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    std::array<char, 16> buf{};
    return t.try_read(asio::buffer(buf));
}

} // namespace

TEST_CASE("transport: bytes sent over loopback from this CPU, or from another, are told apart") {
    auto cpus = allowed_cpus();
    REQUIRE_FALSE(cpus.empty());
    pinned_thread pin(cpus.front());

    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();
    int fd = client.native_handle();
    transport t(std::move(client));

    asio::write(server, asio::buffer("a", 1));
    REQUIRE(read_arrived(t, fd) == 1);
#if defined(__linux__)
    CHECK(t.sent_from_this_cpu());
#else
    CHECK_FALSE(t.sent_from_this_cpu());
#endif

    if (cpus.size() < 2) {
        MESSAGE("one CPU allowed: the other-CPU case is not tested");
        return;
    }
    std::thread([&] {
        pin_this_thread(cpus[1]);
        asio::write(server, asio::buffer("bc", 2));
    }).join();
    REQUIRE(read_arrived(t, fd) == 2);
    CHECK_FALSE(t.sent_from_this_cpu());

    // And back: the answer is about the bytes last read.
    asio::write(server, asio::buffer("d", 1));
    REQUIRE(read_arrived(t, fd) == 1);
#if defined(__linux__)
    CHECK(t.sent_from_this_cpu());
#endif
}

TEST_CASE("transport: over a unix socket where the bytes were sent cannot be told") {
    asio::io_context io;
    asio::local::stream_protocol::socket a(io), b(io);
    asio::local::connect_pair(a, b);
    int fd = a.native_handle();
    transport t(std::move(a));
    asio::write(b, asio::buffer("a", 1));
    REQUIRE(read_arrived(t, fd) == 1);
    CHECK_FALSE(t.sent_from_this_cpu());
}
