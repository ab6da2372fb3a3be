#include "listen/listener_state.hpp"

#include "common/log.hpp"
#include "io/connection_impl.hpp"
#include "listen/channel_sql.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace turbopg::wire::detail {

namespace {
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);
}

listener_state::listener_state(asio::any_io_executor executor, config cfg, listener_options options)
    : ex(std::move(executor))
    , cfg_(std::move(cfg))
    , options_(options)
    , arrived_(ex, asio::steady_timer::time_point::max())
    , backoff_(ex) {}

void listener_state::attach(wire::connection& c) {
    // Weak: the engine may outlive this state (its reader ends only after the socket closed).
    std::weak_ptr<listener_state> weak = weak_from_this();
    c.set_notification_handler([weak](notification&& n) {
        if (auto self = weak.lock()) self->on_notification(std::move(n));
    });
    c.impl()->set_broken_handler([weak](std::error_code, const std::string& reason) {
        if (auto self = weak.lock()) self->on_broken(reason);
    });
}

void listener_state::stop() noexcept {
    stopped_ = true;
    queue_.clear();
    held_.clear();
    backoff_.cancel();
    arrived_.cancel();
}

bool listener_state::pop(listener_event& out) {
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    return true;
}

std::size_t listener_state::queued() const noexcept {
    return queue_.size();
}

asio::awaitable<bool> listener_state::wait() {
    ++waiters_;
    co_await arrived_.async_wait(as_tuple);
    --waiters_;
    // The timer is only ever cancelled, by push() and stop(); the caller's cancellation is told
    // apart by the coroutine's cancellation state. A cancellation wins over an event that came
    // in the same turn (e.g. `next() || timer` whose timer fired then): the event stays queued,
    // since the caller would drop what next() returned.
    // The state stays cancelled, as Asio's does: the caller's coroutine stops at its next co_await.
    auto cs = co_await asio::this_coro::cancellation_state;
    co_return cs.cancelled() == asio::cancellation_type::none;
}

void listener_state::push(listener_event&& e) {
    queue_.push_back(std::move(e));
    if (waiters_ > 0) arrived_.cancel();
}

void listener_state::on_notification(notification&& n) {
    if (stopped_) return;
    if (resubscribing_)
        held_.push_back(std::move(n));
    else
        push(std::move(n));
}

void listener_state::on_broken(const std::string& reason) {
    if (stopped_ || reconnecting_) return; // a reconnect in progress handles it
    reconnecting_ = true;
    asio::co_spawn(ex, reconnect(shared_from_this(), reason), asio::detached);
}

void listener_state::replace_session(wire::connection&& fresh) {
    if (auto& old = conn.impl()) {
        old->set_notification_handler(nullptr);
        old->set_broken_handler(nullptr);
        old->abandon(); // a no-op unless a failed LISTEN left it open
    }
    retired_ = std::move(conn);
    conn = std::move(fresh);
}

asio::awaitable<void> listener_state::reconnect(std::shared_ptr<listener_state> /*keep_alive*/,
                                                std::string reason) {
    auto delay = options_.reconnect_delay;
    std::uint32_t attempts = 0;
    while (!stopped_) {
        backoff_.expires_after(delay);
        co_await backoff_.async_wait(as_tuple);
        if (stopped_) break;
        delay = std::min(delay * 2, std::max(options_.max_reconnect_delay, delay));
        ++attempts;
        try {
            auto fresh = co_await wire::connection::connect(ex, cfg_);
            if (stopped_) break; // `fresh` goes away unused
            attach(fresh);
            held_.clear();
            resubscribing_ = true;
            replace_session(std::move(fresh));
            if (auto sql = listen::listen_sql(channels); !sql.empty())
                co_await conn.simple_query(sql);
        } catch (const std::exception& e) {
            resubscribing_ = false;
            if (stopped_) break;
            detail::log(log_level::warn, [&] {
                return "listener: reconnect attempt " + std::to_string(attempts) +
                       " failed: " + e.what();
            });
            continue;
        }
        resubscribing_ = false;
        push(reconnected{reason, attempts});
        for (auto& n : held_)
            push(std::move(n));
        held_.clear();
        detail::log(log_level::info, [&] {
            return "listener: reconnected (backend pid " + std::to_string(conn.backend_pid()) +
                   ") after " + std::to_string(attempts) + " attempt(s): " + reason;
        });
        if (conn.is_open()) break;
        // Broken again before we could watch for it: start over.
        reason = "the session broke right after reconnecting";
        attempts = 0;
        delay = options_.reconnect_delay;
    }
    reconnecting_ = false;
}

} // namespace turbopg::wire::detail
