// The event a coroutine waiting for its request sleeps on: the reader fires it when the response
// is complete (or when the request's turn to send a CancelRequest has come). One waiter at a time.
//
// A steady_timer that never expires did this job before, but waiting on a timer arms the
// reactor's timerfd (one timerfd_settime system call per request). This event only stores the
// coroutine's completion handler and posts it when fired: no system call, no timer queue.
#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/cancellation_state.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace turbopg::wire::io {

// Whether the caller asked to cancel the operation awaiting now (Asio per-operation
// cancellation). The state stays cancelled, and with it any co_await of an awaitable throws
// operation_aborted, unless the coroutine turns that off (this_coro::throw_if_cancelled) or
// resets the state. (Read the state into a local first: g++ 12 mishandles a co_await inside a
// short-circuit condition.)
inline bool cancelled(const asio::cancellation_state& state) {
    return state.cancelled() != asio::cancellation_type::none;
}

// Why a wait on a wake_event ended.
enum class wake_reason : std::uint8_t {
    signalled, // fire() was called
    cancelled, // the waiting coroutine's Asio per-operation cancellation was emitted
    timed_out, // fire(timed_out), from a deadline
};

class wake_event {
public:
    wake_event() = default;
    wake_event(const wake_event&) = delete;
    wake_event& operator=(const wake_event&) = delete;
    // A coroutine still waiting is woken (cancelled), as a destroyed timer's waiter would be.
    ~wake_event() { fire(wake_reason::cancelled); }

    // Waits until fire() or the caller's per-operation cancellation (terminal, partial or total:
    // then completes with wake_reason::cancelled). Waiting again after that, with the state
    // still cancelled, waits for fire() (or another cancellation).
    asio::awaitable<wake_reason> wait() {
        return asio::async_initiate<const asio::use_awaitable_t<>&, void(wake_reason)>(
            [this](completion h) {
                auto slot = asio::get_associated_cancellation_slot(h);
                handler_.emplace(std::move(h));
                if (slot.is_connected()) {
                    slot_ = slot;
                    canceller_ = &slot.template emplace<canceller>(this);
                }
            },
            asio::use_awaitable);
    }

    // Wakes the waiting coroutine, if any: its wait completes with `why`, posted to its executor
    // (never run inside this call). Without a waiter nothing happens: waiters check their
    // condition before waiting.
    void fire(wake_reason why = wake_reason::signalled) {
        if (auto h = take(why == wake_reason::cancelled)) {
            auto ex = asio::get_associated_executor(*h);
            asio::post(ex, [h = std::move(*h), why]() mutable { std::move(h)(why); });
        }
    }

    // The waiting coroutine's completion handler, taken out for the caller to run (with
    // wake_reason::signalled) once it is safe to resume the coroutine; empty without a waiter.
    using completion = asio::async_result<asio::use_awaitable_t<>, void(wake_reason)>::handler_type;
    std::optional<completion> take(bool from_canceller = false) {
        if (!handler_) return std::nullopt;
        if (canceller_) {
            canceller_->event = nullptr;
            // Inside the canceller's own call the slot must not be cleared; it stays inert.
            if (!from_canceller) slot_.clear();
            canceller_ = nullptr;
            slot_ = {};
        }
        std::optional<completion> h(std::move(*handler_));
        handler_.reset();
        return h;
    }

    bool waiting() const noexcept { return handler_.has_value(); }

private:
    struct canceller {
        explicit canceller(wake_event* e) noexcept
            : event(e) {}
        void operator()(asio::cancellation_type type) {
            using ct = asio::cancellation_type;
            if (event && (type & (ct::terminal | ct::partial | ct::total)) != ct::none)
                event->fire(wake_reason::cancelled);
        }
        wake_event* event;
    };

    std::optional<completion> handler_;
    asio::cancellation_slot slot_;
    canceller* canceller_ = nullptr;
};

} // namespace turbopg::wire::io
