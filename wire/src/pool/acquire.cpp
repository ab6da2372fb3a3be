// Checking connections out: idle ones after a check on their strand, else a wait in FIFO order
// for one that is returned or newly opened, up to acquire_timeout.
#include "pool/pool_core.hpp"

#include "io/connection_impl.hpp"
#include "io/wake_event.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

namespace turbopg::wire::detail {

using std::chrono::milliseconds;

namespace {
// Completes an awaited co_spawn without passing the caller's cancellation on to it.
auto uncancellable() {
    return asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable);
}

milliseconds since(pool_clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(pool_clock::now() - t);
}
} // namespace

asio::awaitable<pooled_connection> pool_core::acquire() {
    auto self = shared_from_this();
    auto caller = co_await asio::this_coro::executor;
    auto start = pool_clock::now();
    bool counted_wait = false;
    for (;;) {
        std::optional<pool_entry> candidate;
        pool_clock::time_point checked_out;
        std::shared_ptr<pool_waiter> w;
        {
            unlocked_work work(*this);
            lock l(mutex_);
            if (closed_)
                throw error(make_error_code(errc::pool_closed), "acquire on a closed pool");
            if (!idle_.empty()) {
                candidate.emplace(std::move(idle_.back()));
                idle_.pop_back();
                checked_out = check_out_locked(pool_clock::now());
            } else {
                // An acquire that a connection being opened, or one the pool has room to open,
                // will serve does not count against max_waiters: it waits for the server, not
                // for the load.
                std::size_t coming =
                    opening_ + (opts_.max_size - std::min(size_locked(), opts_.max_size));
                if (waiters_.size() >= opts_.max_waiters + coming) {
                    ++counters_.rejected;
                    throw error(
                        make_error_code(errc::pool_exhausted),
                        waiters_full_message(load_locked(pool_clock::now()), opts_.max_waiters));
                }
                w = std::make_shared<pool_waiter>(caller);
                w->since = start;
                w->queued = true;
                w->position = waiters_.insert(waiters_.end(), w);
                if (!counted_wait) ++counters_.acquire_waits;
                counted_wait = true;
                grow_locked(work);
            }
        }
        if (candidate) {
            // Judged right here when the caller runs on the connection's strand, it needs no
            // query and the caller has not been cancelled: no coroutine to start.
            auto state = co_await asio::this_coro::cancellation_state;
            bool ready = caller == candidate->conn.get_executor() &&
                         judge_idle(*candidate) == idle_health::good && !io::cancelled(state);
            if (!ready && !co_await vet(*candidate, checked_out)) continue;
        } else {
            candidate.emplace(co_await wait_for(std::move(w), checked_out));
        }
        {
            lock l(mutex_);
            ++counters_.acquires;
        }
        co_return pooled_connection(std::move(self), std::move(candidate->conn), candidate->created,
                                    checked_out);
    }
}

asio::awaitable<pool_entry> pool_core::wait_for(std::shared_ptr<pool_waiter> w,
                                                pool_clock::time_point& checked_out) {
    std::optional<asio::steady_timer> timer;
    if (opts_.acquire_timeout.count() > 0) {
        // The timer runs on the waiting coroutine's executor and only ever touches the pool
        // through the mutex: whoever dequeues the waiter first (a return or the timer) decides.
        timer.emplace(w->wake.get_executor(), w->since + opts_.acquire_timeout);
        timer->async_wait([self = shared_from_this(), w](std::error_code ec) {
            if (!ec) self->expire(w);
        });
    }
    co_await w->wake.async_receive(asio::experimental::as_tuple(asio::use_awaitable));
    if (timer) timer->cancel();
    lock l(mutex_);
    if (w->granted) {
        checked_out = w->checked_out;
        co_return std::move(*w->granted);
    }
    if (w->failure) throw *w->failure;
    // The caller cancelled the wait (Asio per-operation cancellation).
    if (w->queued) {
        waiters_.erase(w->position);
        w->queued = false;
    }
    throw error(make_error_code(errc::cancelled), "acquire cancelled while waiting");
}

void pool_core::expire(const std::shared_ptr<pool_waiter>& w) {
    unlocked_work work(*this);
    lock l(mutex_);
    if (!w->queued) return; // already handed a connection, failed or cancelled
    waiters_.erase(w->position);
    w->queued = false;
    ++counters_.timeouts;
    auto waited = since(w->since);
    // The cause is the server, not the load, when connecting fails while connections are free.
    if (failures_in_a_row_ > 0 && checked_out_.size() < opts_.max_size)
        w->failure.emplace(make_error_code(errc::server_unreachable),
                           unreachable_message(waited, failures_in_a_row_, last_connect_error_));
    else
        w->failure.emplace(make_error_code(errc::pool_exhausted),
                           exhausted_message(load_locked(pool_clock::now()), waited));
    work.wake.push_back(w);
}

asio::awaitable<bool> pool_core::vet(pool_entry& e, pool_clock::time_point checked_out) {
    auto ex = e.conn.get_executor();
    auto caller = co_await asio::this_coro::executor;
    bool ok = caller == ex ? co_await healthy(e)
                           : co_await asio::co_spawn(ex, healthy(e), uncancellable());
    // The caller's cancellation, recorded while the check ran, is honoured once it is done: the
    // connection goes back (or is closed if it failed) before the acquire ends. So is a close()
    // that came meanwhile: it fails every acquire under way, and the connection is closed.
    auto state = co_await asio::this_coro::cancellation_state;
    bool cancel = io::cancelled(state);
    bool closed = false;
    {
        unlocked_work work(*this);
        lock l(mutex_);
        closed = closed_;
        if (!ok || cancel || closed) {
            check_in_locked(checked_out);
            if (ok)
                deliver_locked(std::move(e), work); // closed when the pool is
            else
                dispose_locked(std::move(e), "it failed the check before reuse", work);
            grow_locked(work);
        }
    }
    if (cancel)
        throw error(make_error_code(errc::cancelled),
                    "acquire cancelled while checking a connection");
    if (closed)
        throw error(make_error_code(errc::pool_closed), "the pool was closed during acquire");
    co_return ok;
}

// On the connection's strand.
pool_core::idle_health pool_core::judge_idle(const pool_entry& e) const {
    auto now = pool_clock::now();
    if (!e.conn.is_open() || !e.conn.impl()->discard_reason().empty() ||
        limit_reached(e.created, opts_.max_lifetime, now))
        return idle_health::bad;
    if (opts_.health_check_after == milliseconds::max() ||
        std::chrono::duration_cast<milliseconds>(now - e.returned) < opts_.health_check_after)
        return idle_health::good;
    return idle_health::needs_query;
}

// On the connection's strand.
asio::awaitable<bool> pool_core::healthy(pool_entry& e) {
    if (auto health = judge_idle(e); health != idle_health::needs_query)
        co_return health == idle_health::good;
    try {
        // An empty query: one round trip, nothing parsed or planned (EmptyQueryResponse). It is
        // not cancelled with the acquire: a CancelRequest cannot shorten it (the server ignores
        // one while it reads a command, and the query is awaited to its end anyway).
        co_await asio::co_spawn(e.conn.get_executor(), e.conn.simple_query(""), uncancellable());
    } catch (const error&) {
        co_return false;
    }
    co_return e.conn.is_open() && e.conn.transaction_status() == 'I';
}

} // namespace turbopg::wire::detail
