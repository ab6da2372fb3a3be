// LISTEN/NOTIFY as an asynchronous stream, on a session of its own that survives reconnects.
//
//   auto l = co_await turbopg::wire::listener::connect(ex, "postgresql://app@db/shop");
//   co_await l.listen("orders");
//   for (;;) {
//       auto event = co_await l.next();
//       if (auto* n = std::get_if<turbopg::wire::notification>(&event))
//           handle(n->channel, n->payload);
//       else
//           resync(); // turbopg::wire::reconnected: what was sent while disconnected is lost
//   }
//
// A listener owns one connection (a dedicated PostgreSQL session) and LISTENs there to every
// channel given to listen(). Each NotificationResponse is queued as it arrives, also while
// queries run on that session (connection()), and next() hands them out in arrival order (for
// one sender: its commit order). Nothing is dropped while the session lasts; the queue is
// unbounded, so a consumer that stops calling next() lets it grow.
//
// Reconnects: when the session breaks (server restart, pg_terminate_backend, network error) the
// listener reconnects with the same settings, after reconnect_delay, doubling the delay after
// each failed attempt up to max_reconnect_delay, and for as long as it takes; each failed attempt
// is logged (logger.hpp) at warn level. Once the new session has LISTENed to every channel again,
// a `reconnected` event enters the stream: every event before it came from the old session,
// every event after it from the new one. PostgreSQL does not keep notifications for a session
// that is gone, so whatever was sent between the break and the `reconnected` event is lost: on
// that event an application re-reads the state it follows. Because the event sits in the stream
// at the exact place of the gap (a callback would race with the notifications still queued),
// it is the one way the listener tells about reconnects.
//
// Executor: a listener lives on the executor it was connected with, like a connection; call it
// from coroutines running there (use a strand if several threads run the io_context). Several
// coroutines may wait in next() at once: each event goes to exactly one of them.
//
// Errors: operations throw turbopg::wire::error. After close() (or destruction) every operation,
// a pending next() included, fails with errc::connection_closed.
#pragma once

#include <turbopg/wire/config.hpp>
#include <turbopg/wire/connection.hpp>
#include <turbopg/wire/export.hpp>
#include <turbopg/wire/notification.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace turbopg::wire {

struct listener_options {
    // Wait before the first reconnect attempt after a break; doubled after each failed attempt,
    // up to max_reconnect_delay.
    std::chrono::milliseconds reconnect_delay{100};
    std::chrono::milliseconds max_reconnect_delay{10'000};
};

// The stream's marker of a new session: the listener lost its session and has a new one that
// listens to every channel again. Notifications sent in between are lost.
struct reconnected {
    std::string reason;         // why the old session ended, e.g. "server closed the connection:
                                // terminating connection due to administrator command (SQLSTATE
                                // 57P01)"
    std::uint32_t attempts = 0; // connection attempts it took (1 when the first one succeeded)
};

// What next() returns: a notification, or the marker of a reconnect.
using listener_event = std::variant<notification, reconnected>;

namespace detail {
class listener_state;
}

class TURBOPG_WIRE_API listener {
public:
    using executor_type = asio::any_io_executor;

    // Connects the listener's session, as connection::connect does (no retry: an unreachable
    // server or a refused login throws that connection's error at once; reconnecting is only
    // for sessions that broke later). No channel is listened to yet.
    static asio::awaitable<listener> connect(executor_type ex, const config& cfg,
                                             listener_options options = {});
    static asio::awaitable<listener> connect(executor_type ex, std::string_view conninfo,
                                             listener_options options = {});

    // Not connected; only assigning a connected one to it is meaningful.
    listener() noexcept;
    listener(listener&&) noexcept;
    listener& operator=(listener&&) noexcept;
    // Stops reconnecting, fails pending next() calls and drops the session without a Terminate;
    // prefer `co_await close()`.
    ~listener();

    executor_type get_executor() const;

    // LISTENs to `channel`, taken literally (case, spaces and quotes kept: it is sent as a
    // quoted identifier), as pg_notify('channel', ...) names it; listening twice is harmless.
    // Completes when the server confirmed it; when the session broke meanwhile, the channel is
    // kept and listened to again before the `reconnected` event. Throws errc::invalid_value for
    // a name that is empty, has a NUL byte or more than 63 bytes (PostgreSQL's limit), or the
    // server's error (e.g. 25006 on a standby; the channel is then not kept). Cancellation: as
    // for connection::query.
    asio::awaitable<void> listen(std::string_view channel);
    // UNLISTENs `channel`: no notification of it is queued after this completes (those already
    // queued stay). Same errors and cancellation as listen().
    asio::awaitable<void> unlisten(std::string_view channel);
    // The channels listened to, in byte order.
    std::vector<std::string> channels() const;

    // The next event, in order: at once when one is queued, else when one arrives. Supports Asio
    // per-operation cancellation of type terminal (what awaitable operators and a
    // bind_cancellation_slot with a timer emit): it then fails with errc::cancelled, consumes
    // nothing, and the listener stays usable, so
    // `co_await (l.next() || timer.async_wait(asio::use_awaitable))` waits with a timeout. (The
    // cancelled coroutine itself stays cancelled, as for connection::query: there, that is the
    // operator's child.)
    // After close() it fails with errc::connection_closed (queued events are dropped).
    asio::awaitable<listener_event> next();
    // Events queued and not yet taken by next().
    std::size_t queued() const noexcept;

    // The listener's session, for queries that must run there (e.g. reading the state a
    // channel announces changes of); notifications keep arriving while they run. After a
    // reconnect it is the new session: the reference stays valid, while queries in flight when
    // the old session broke failed with its error. Do not close() it: close the listener.
    wire::connection& connection() noexcept;

    // Stops reconnecting, fails pending next() calls with errc::connection_closed, waits for
    // queries in flight on connection() and closes the session (Terminate).
    asio::awaitable<void> close();

private:
    explicit listener(std::shared_ptr<detail::listener_state> state) noexcept;

    std::shared_ptr<detail::listener_state> state_;
};

} // namespace turbopg::wire
