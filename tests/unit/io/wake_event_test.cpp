// The event a request's coroutine waits on: fire() wakes the waiter (posted, never inline), a
// fire() without a waiter is nothing, and per-operation cancellation wakes it as cancelled.
#include "io/wake_event.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <doctest/doctest.h>

#include <optional>

using turbopg::wire::io::wake_event;
using turbopg::wire::io::wake_reason;

TEST_CASE("wake_event: fire wakes the waiter with the reason, posted") {
    asio::io_context io;
    wake_event ev;
    ev.fire(); // no waiter: nothing happens, nothing is remembered
    std::optional<wake_reason> got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await ev.wait(); }, asio::detached);
    io.poll();
    CHECK(ev.waiting());
    CHECK_FALSE(got);
    ev.fire(wake_reason::timed_out);
    CHECK_FALSE(ev.waiting());
    CHECK_FALSE(got); // not resumed inside fire()
    io.poll();
    REQUIRE(got);
    CHECK(*got == wake_reason::timed_out);
}

TEST_CASE("wake_event: take hands the completion out to be run by the caller") {
    asio::io_context io;
    wake_event ev;
    CHECK_FALSE(ev.take());
    std::optional<wake_reason> got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await ev.wait(); }, asio::detached);
    io.poll();
    auto h = ev.take();
    REQUIRE(h);
    CHECK_FALSE(ev.waiting());
    std::move (*h)(wake_reason::signalled);
    io.poll();
    REQUIRE(got);
    CHECK(*got == wake_reason::signalled);
}

TEST_CASE("wake_event: per-operation cancellation wakes the waiter as cancelled, once") {
    asio::io_context io;
    asio::cancellation_signal cancel;
    auto ev = std::make_unique<wake_event>();
    std::optional<wake_reason> got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await ev->wait(); },
        asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    io.poll();
    REQUIRE(ev->waiting());
    cancel.emit(asio::cancellation_type::terminal);
    CHECK_FALSE(ev->waiting());
    io.poll();
    REQUIRE(got);
    CHECK(*got == wake_reason::cancelled);
    // The event may go away; a later emission finds nothing to wake.
    ev.reset();
    cancel.emit(asio::cancellation_type::terminal);
    io.poll();
}

TEST_CASE("wake_event: a fired wait leaves no canceller behind") {
    asio::io_context io;
    asio::cancellation_signal cancel;
    auto ev = std::make_unique<wake_event>();
    std::optional<wake_reason> got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await ev->wait(); },
        asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    io.poll();
    ev->fire();
    io.poll();
    REQUIRE(got);
    CHECK(*got == wake_reason::signalled);
    ev.reset();
    cancel.emit(asio::cancellation_type::terminal); // must not touch the destroyed event
    io.poll();
}
