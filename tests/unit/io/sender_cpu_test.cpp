// transport::sent_from_this_cpu(): whether the bytes last read were sent from the CPU the
// reading thread runs on (busy polling backs off when they were: busy_poll.hpp). Over loopback,
// with the sending thread pinned to this thread's CPU or to another one.
#include "io/transport.hpp"
#include "support/cpu_affinity.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <poll.h>

#include <array>
#include <thread>

using asio::ip::tcp;
using turbopg::wire::io::transport;
using namespace turbopg::test;

namespace {

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
    REQUIRE(pin.pinned());

    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();
    int fd = client.native_handle();
    transport t(std::move(client));

    asio::write(server, asio::buffer("a", 1));
    REQUIRE(read_arrived(t, fd) == 1);
    CHECK(t.sent_from_this_cpu());

    if (cpus.size() < 2) {
        MESSAGE("one CPU allowed: the other-CPU case is not tested");
        return;
    }
    bool pinned = false;
    std::thread([&] {
        pinned = pin_this_thread(cpus[1]);
        asio::write(server, asio::buffer("bc", 2));
    }).join();
    REQUIRE(pinned);
    REQUIRE(read_arrived(t, fd) == 2);
    CHECK_FALSE(t.sent_from_this_cpu());

    // And back: the answer is about the bytes last read.
    asio::write(server, asio::buffer("d", 1));
    REQUIRE(read_arrived(t, fd) == 1);
    CHECK(t.sent_from_this_cpu());
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
