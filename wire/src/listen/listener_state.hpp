// What a listener owns: its session, the channels, the event queue, and the reconnect loop.
// Shared with the coroutines that run for it (next(), reconnect), so it outlives the handle
// while they finish.
#pragma once

#include <turbopg/wire/listener.hpp>

#include <asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <set>
#include <string>

namespace turbopg::wire::detail {

class listener_state : public std::enable_shared_from_this<listener_state> {
public:
    listener_state(asio::any_io_executor ex, config cfg, listener_options options);

    // Sends the session's notifications and its break to this state.
    void attach(wire::connection& c);
    // Stops reconnecting and wakes every waiter; the session is left to the caller.
    void stop() noexcept;
    bool stopped() const noexcept { return stopped_; }
    // Takes the oldest event, if any.
    bool pop(listener_event& out);
    std::size_t queued() const noexcept;
    // Waits until an event is queued or the listener stops; returns false when the wait was
    // cancelled by the caller (Asio per-operation cancellation) instead.
    asio::awaitable<bool> wait();

    asio::any_io_executor ex;
    wire::connection conn;
    std::set<std::string, std::less<>> channels;

private:
    void on_notification(notification&& n);
    void on_broken(const std::string& reason);
    void push(listener_event&& e);
    asio::awaitable<void> reconnect(std::shared_ptr<listener_state> self, std::string reason);
    // Installs `fresh` as the session. The old one is detached (and dropped if still open) but
    // kept until the next reconnect, because coroutines woken by its failure may still be
    // unwinding inside it.
    void replace_session(wire::connection&& fresh);

    config cfg_;
    listener_options options_;
    wire::connection retired_;
    std::deque<listener_event> queue_;
    // Notifications of a new session that came before its LISTENs completed: they belong after
    // the `reconnected` event.
    std::deque<notification> held_;
    asio::steady_timer arrived_; // never expires; cancelled to wake the waiters
    asio::steady_timer backoff_;
    std::size_t waiters_ = 0;
    bool reconnecting_ = false;
    bool resubscribing_ = false;
    bool stopped_ = false;
};

} // namespace turbopg::wire::detail
